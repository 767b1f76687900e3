"""The mediation document and its parts.

One `Mediation` is the whole state of one mediation: who takes part, where it stands, and what each
party wrote. It is stored as one versioned document; every change goes through `flows.engine`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from flows.safety import Concern


class Role(StrEnum):
    """The two sides of a mediation."""

    INITIATOR = "initiator"
    RESPONDENT = "respondent"

    @property
    def other(self) -> Role:
        """The opposite role."""
        return Role.RESPONDENT if self is Role.INITIATOR else Role.INITIATOR


class Stage(StrEnum):
    """Where a mediation stands. Every stage but `closed` is a stage type of a flow definition."""

    INVITATION = "invitation"
    GROUND_RULES = "ground_rules"
    INTAKE = "intake"
    REFLECTION = "reflection"
    ALLIANCE = "alliance"
    JOINT = "joint"
    CLOSED = "closed"


class Outcome(StrEnum):
    """How a mediation ended."""

    AGREED = "agreed"
    PARTLY_AGREED = "partly_agreed"
    NO_AGREEMENT = "no_agreement"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    ESCALATED = "escalated"


class Share(StrEnum):
    """What a party lets the other see of one intake answer."""

    ALL = "all"
    SUMMARY = "summary"
    NONE = "none"


class Verdict(StrEnum):
    """The speaker's answer to a reflection."""

    CONFIRMED = "confirmed"
    PARTLY = "partly"


class LoopStatus(StrEnum):
    """Where one direction of reflective listening stands."""

    PENDING = "pending"
    WAITING_REFLECTION = "waiting_reflection"
    WAITING_ANSWER = "waiting_answer"
    CONFIRMED = "confirmed"
    NOT_YET = "not_yet"
    SKIPPED = "skipped"

    @property
    def ended(self) -> bool:
        """True once this direction will take no more rounds."""
        return self in (LoopStatus.CONFIRMED, LoopStatus.NOT_YET, LoopStatus.SKIPPED)


class JointKind(StrEnum):
    """Where the joint discussion happens."""

    GROUP_DM = "group_dm"
    PRIVATE_CHANNEL = "private_channel"
    THREAD = "thread"  # a thread in an existing private channel where all are members (facilitated)


class Answer(BaseModel):
    """One private intake answer and the author's choice of what the other may see."""

    model_config = ConfigDict(frozen=True)

    text: str
    share: Share = Share.NONE
    summary: str | None = None

    def visible_to_other(self) -> str | None:
        """What the other party may read of this answer, or None."""
        if self.share is Share.ALL:
            return self.text
        if self.share is Share.SUMMARY and self.summary:
            return self.summary
        return None


class SafetyOption(StrEnum):
    """What a person chooses after the screening saw a safety concern in their own words."""

    GO_ON = "go_on"
    CONTACT_FIRST = "contact_first"  # talk to one of the workspace's contacts first; paused meanwhile
    PAUSE = "pause"


class SafetyCheck(BaseModel):
    """A safety signal in one party's own words and their choice. Only the fact and the kinds of
    concern are kept, never the words that signalled them; only that party is ever shown the kinds."""

    concerns: list[Concern]
    raised_at: datetime
    choice: SafetyOption | None = None
    chosen_at: datetime | None = None

    @property
    def pending(self) -> bool:
        """True until the person chose to go on: the joint stage does not open meanwhile."""
        return self.choice is not SafetyOption.GO_ON

    @property
    def holding(self) -> bool:
        """True while the person's choice keeps the mediation paused (a contact first, or a pause)."""
        return self.choice in (SafetyOption.CONTACT_FIRST, SafetyOption.PAUSE)


class Party(BaseModel):
    """One side of the mediation and everything they did."""

    user_id: str
    role: Role
    accepted_at: datetime | None = None
    ground_rules_at: datetime | None = None
    answers: dict[str, Answer] = Field(default_factory=dict)
    intake_saved_at: datetime | None = None
    sharing_chosen_at: datetime | None = None
    check_in: list[int] | None = None
    holding: bool | None = None  # the follow-up answer: does the agreement hold?
    ready_for_joint: bool = False
    done_at: datetime | None = None
    safety: SafetyCheck | None = None
    erased_at: datetime | None = None  # when this person deleted their data (flows.erasure)
    pulse: list[int] | None = None  # the answer to the latest check-in during the conversation

    @property
    def safety_pending(self) -> bool:
        """True while a safety choice waits on this party."""
        return self.safety is not None and self.safety.pending

    @property
    def safety_holding(self) -> bool:
        """True while this party's safety choice keeps the mediation paused."""
        return self.safety is not None and self.safety.holding

    @property
    def intake_complete(self) -> bool:
        """True once the party saved answers and chose what to share."""
        return self.intake_saved_at is not None and self.sharing_chosen_at is not None

    def shared_answers(self) -> dict[str, str]:
        """The answers (or summaries) this party agreed to show the other, by question key."""
        shown: dict[str, str] = {}
        for key, answer in self.answers.items():
            visible = answer.visible_to_other()
            if visible:
                shown[key] = visible
        return shown


class Round(BaseModel):
    """One attempt by the listener to say back what they heard, and the speaker's answer."""

    reflection: str
    submitted_at: datetime
    verdict: Verdict | None = None
    missing: str | None = None
    answered_at: datetime | None = None


class ReflectionLoop(BaseModel):
    """One direction of reflective listening: the listener reflects the speaker."""

    speaker: Role
    listener: Role
    status: LoopStatus = LoopStatus.PENDING
    rounds: list[Round] = Field(default_factory=list)
    moved_on: str | None = None  # the facilitator's reason, when they moved on from this loop

    @property
    def confirmed_reflection(self) -> str | None:
        """The reflection the speaker confirmed, if any."""
        for round_ in reversed(self.rounds):
            if round_.verdict is Verdict.CONFIRMED:
                return round_.reflection
        return None

    def corrections(self) -> list[str]:
        """What the speaker said was missing, round by round."""
        return [r.missing for r in self.rounds if r.verdict is Verdict.PARTLY and r.missing]


class AgreementItem(BaseModel):
    """One "who does what by when" item of the agreement."""

    id: str
    proposer: Role
    who: str
    what: str
    by_when: date | None = None
    accepted_by: list[Role] = Field(default_factory=list)
    proposed_at: datetime
    withdrawn_at: datetime | None = None  # closed before both accepted it: it no longer counts

    @property
    def accepted(self) -> bool:
        """True once both parties accepted the item."""
        return set(self.accepted_by) == {Role.INITIATOR, Role.RESPONDENT}

    @property
    def pending(self) -> bool:
        """True while the item waits for the other party's acceptance."""
        return not self.accepted and self.withdrawn_at is None


class FinishStatus(StrEnum):
    """Where one proposal to finish stands."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    NOT_YET = "not_yet"  # the other party is not ready yet
    WITHDRAWN = "withdrawn"  # by the one who proposed it
    REPLACED = "replaced"  # the proposer proposed again
    ITEMS_CHANGED = "items_changed"  # an item was proposed or accepted after it
    CLOSED = "closed"  # the mediation closed another way (the host ended it, a party cancelled)


class FinishProposal(BaseModel):
    """One party proposes to close the mediation with an outcome; the other confirms or says not yet."""

    id: str
    proposer: Role
    outcome: Outcome
    proposed_at: datetime
    status: FinishStatus = FinishStatus.PENDING
    settled_at: datetime | None = None


class JointSpace(BaseModel):
    """The conversation where both parties meet (for a thread: the channel and the thread's root)."""

    channel_id: str
    kind: JointKind
    thread_ts: str | None = None


class JointChoice(BaseModel):
    """The facilitator's choice of joint space, made before it opens."""

    kind: JointKind
    channel_id: str | None = None


class StageEntry(BaseModel):
    """When the mediation entered a stage (kept for status and timings, never any text)."""

    stage: Stage
    at: datetime


class Mediation(BaseModel):
    """The whole state of one mediation: one versioned document in the store."""

    id: str
    team: str
    flow: str
    definition_version: int
    version: int = 0
    created_at: datetime
    updated_at: datetime
    stage: Stage = Stage.INVITATION
    paused: bool = False
    postponed: bool = False
    outcome: Outcome | None = None
    closed_reason: str | None = None
    topic: str
    hopes: str | None = None
    initiator: Party
    respondent: Party
    loops: list[ReflectionLoop] = Field(default_factory=list)
    agreement: list[AgreementItem] = Field(default_factory=list)
    finish_proposals: list[FinishProposal] = Field(default_factory=list)
    end_reason: str | None = None  # the host's words when they ended it (both parties read them)
    joint: JointSpace | None = None
    history: list[StageEntry] = Field(default_factory=list)
    facilitator: str | None = None
    joint_choice: JointChoice | None = None
    follow_up_open: bool = False  # asked whether the agreement holds, not yet answered by both
    purged_at: datetime | None = None  # when the retention period removed every private text
    joint_held: bool = False  # the joint stage waits until every pending safety choice is made
    expires_at: datetime | None = None  # when an unanswered invitation closes (None: older ones)
    expiry_extended: bool = False  # the invitation was kept open longer (allowed once)
    # What timers told whom, and when (keys like "remind:respondent", "stall:initiator:<since>"): a
    # timer delivered again, or one that waited for someone's working hours, never tells anyone twice.
    timer_log: dict[str, datetime] = Field(default_factory=dict)
    stall_check_at: datetime | None = None  # when the next look for a stalled step is scheduled
    pulse_round: int = 0  # how many check-ins the joint conversation has had

    @property
    def held_for_safety(self) -> bool:
        """True while a party's safety choice holds the mediation (paused, or the joint stage held).
        Everyone else learns only that it is paused at a participant's request."""
        return self.is_open and (self.joint_held or any(p.safety_holding for p in self.parties))

    @property
    def is_open(self) -> bool:
        """True until the mediation closes."""
        return self.stage is not Stage.CLOSED

    @property
    def parties(self) -> tuple[Party, Party]:
        """Both parties, initiator first."""
        return (self.initiator, self.respondent)

    @property
    def user_ids(self) -> list[str]:
        """The Slack user ids of both parties, initiator first."""
        return [self.initiator.user_id, self.respondent.user_id]

    def party(self, role: Role) -> Party:
        """The party with this role."""
        return self.initiator if role is Role.INITIATOR else self.respondent

    @property
    def facilitated(self) -> bool:
        """True when a facilitator hosts this mediation."""
        return self.facilitator is not None

    def party_of(self, user_id: str) -> Party | None:
        """The party this user is, or None for anyone else."""
        for party in self.parties:
            if party.user_id == user_id:
                return party
        return None

    def loop_for_listener(self, role: Role) -> ReflectionLoop | None:
        """The reflection loop in which this role listens."""
        for loop in self.loops:
            if loop.listener is role:
                return loop
        return None

    def loop_for_speaker(self, role: Role) -> ReflectionLoop | None:
        """The reflection loop in which this role speaks."""
        for loop in self.loops:
            if loop.speaker is role:
                return loop
        return None

    def item(self, item_id: str) -> AgreementItem | None:
        """The agreement item with this id, or None."""
        return next((i for i in self.agreement if i.id == item_id), None)

    def finish_proposal(self, proposal_id: str) -> FinishProposal | None:
        """The proposal to finish with this id, or None."""
        return next((p for p in self.finish_proposals if p.id == proposal_id), None)

    @property
    def pending_finish(self) -> FinishProposal | None:
        """The proposal to finish that waits for an answer, if any (at most one does)."""
        return next((p for p in self.finish_proposals if p.status is FinishStatus.PENDING), None)

    def stage_since(self) -> datetime:
        """When the mediation entered its current stage."""
        return self.history[-1].at if self.history else self.created_at
