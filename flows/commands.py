"""What people and the system ask a mediation to do. Each command names its actor (a Slack user id)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from flows.effects import Timer
from flows.hours import PersonTime
from flows.models import JointKind, Outcome, Role, SafetyOption, Share


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True)


class Start(_Command):
    """The initiator asks to mediate with a colleague."""

    actor: str
    respondent: str
    topic: str
    hopes: str | None = None


class StartFacilitated(_Command):
    """A facilitator hosts a mediation between two people."""

    actor: str
    first: str
    second: str
    topic: str


class Accept(_Command):
    """The respondent accepts the invitation."""

    actor: str


class Postpone(_Command):
    """The respondent says "not now": the invitation stays open."""

    actor: str


class Decline(_Command):
    """The respondent declines: final."""

    actor: str


class AgreeGroundRules(_Command):
    """A party agrees to the ground rules."""

    actor: str


class SaveIntake(_Command):
    """A party saves their private intake answers (question key → text)."""

    actor: str
    answers: dict[str, str]


class ChooseSharing(_Command):
    """A party chooses, per answer, what the other may see."""

    actor: str
    shares: dict[str, Share]
    summaries: dict[str, str] = Field(default_factory=dict)


class SubmitReflection(_Command):
    """The listener says back what they heard."""

    actor: str
    text: str


class AnswerReflection(_Command):
    """The speaker answers a reflection: confirmed, or partly with what is missing."""

    actor: str
    confirmed: bool
    missing: str | None = None


class SubmitCheckIn(_Command):
    """A party answers the alliance check-in (0-10 per item)."""

    actor: str
    scores: list[int]


class Repair(StrEnum):
    """What a party chooses after a low check-in."""

    CONTINUE = "continue"
    PAUSE = "pause"
    STOP = "stop"


class ChooseRepair(_Command):
    """A party with a low check-in chooses how to go on."""

    actor: str
    choice: Repair


class Pause(_Command):
    """A party pauses the mediation."""

    actor: str


class Resume(_Command):
    """A party resumes a paused mediation."""

    actor: str


class JointSpaceOpened(_Command):
    """The system opened the joint space (actor: the bot)."""

    channel_id: str
    kind: JointKind
    thread_ts: str | None = None


class ProposeItem(_Command):
    """A party proposes an agreement item."""

    actor: str
    who: str
    what: str
    by_when: date | None = None


class AcceptItem(_Command):
    """A party accepts an agreement item."""

    actor: str
    item_id: str


class ProposeFinish(_Command):
    """A party proposes to close the mediation with this outcome; the other party confirms it.
    Proposing again replaces one's own open proposal."""

    actor: str
    outcome: Outcome


class AnswerFinish(_Command):
    """The other party answers a proposal to finish: confirmed closes the mediation, "not yet" keeps
    the conversation open."""

    actor: str
    proposal_id: str
    confirmed: bool


class WithdrawFinish(_Command):
    """The proposer takes back their open proposal to finish."""

    actor: str
    proposal_id: str


class Cancel(_Command):
    """A party cancels the mediation."""

    actor: str


class PartyUnreachable(_Command):
    """Slack says a party can no longer be reached (deactivated, removed)."""

    role: Role
    error: str


class TimerCommand(_Command):
    """A timer the worker delivers. `version` is the mediation's version when it was scheduled;
    `people` the time zone and working hours of everyone it may reach (Slack user id -> time), so that
    the engine can hold a notice until the person's next working hour. Someone missing from `people`
    may be reached at any time."""

    timer: ClassVar[Timer]

    version: int = 0
    people: dict[str, PersonTime] = Field(default_factory=dict)


class Remind(TimerCommand):
    """The invitation is still unanswered after the flow's reminder hours: remind whoever was invited."""

    timer = Timer.REMINDER


class Expire(TimerCommand):
    """The invitation went unanswered for too long (after one extension, if there was one)."""

    timer = Timer.EXPIRE


class WarnExpiry(TimerCommand):
    """The invitation closes in a day: tell whoever was invited, and offer the inviter one extension."""

    timer = Timer.EXPIRY_WARNING


class Stalled(TimerCommand):
    """Look for a step that has waited on one person longer than the flow's `stall_hours`."""

    timer = Timer.STALLED


class CheckIn(TimerCommand):
    """Some days into the joint conversation, ask each person how it is going."""

    timer = Timer.CHECK_IN


class Purge(TimerCommand):
    """The retention period of a closed mediation is over: its private text goes."""

    timer = Timer.PURGE


class ExtendInvitation(_Command):
    """The one who invited (in a facilitated mediation, the host) keeps the invitation open longer,
    once."""

    actor: str


class NudgeParty(_Command):
    """The facilitator sends a party a kind reminder of what waits on them."""

    actor: str
    role: Role


class MoveOn(_Command):
    """The facilitator ends a stuck reflection loop, with a reason both parties see."""

    actor: str
    reason: str


class ChooseJointSpace(_Command):
    """The facilitator chooses where the joint conversation happens."""

    actor: str
    kind: JointKind
    channel_id: str | None = None


class EndWithOutcome(_Command):
    """The facilitator records how the mediation ended: before the joint stage only "no agreement",
    with a reason both parties read; in it, an outcome that fits the agreement items."""

    actor: str
    outcome: Outcome
    reason: str | None = None


class FollowUp(TimerCommand):
    """The follow-up timer: ask both whether the agreement holds."""

    timer = Timer.FOLLOW_UP


class AnswerFollowUp(_Command):
    """A party says whether the agreement holds; "no" reopens the joint stage."""

    actor: str
    holding: bool


class ChooseSafety(_Command):
    """A party whose own words signalled a safety concern chooses: go on, a contact first, or pause."""

    actor: str
    choice: SafetyOption


class EraseMyData(_Command):
    """A party deletes their data: their private text goes, and an open mediation closes."""

    actor: str


Command = (
    Accept
    | Postpone
    | Decline
    | AgreeGroundRules
    | SaveIntake
    | ChooseSharing
    | SubmitReflection
    | AnswerReflection
    | SubmitCheckIn
    | ChooseRepair
    | Pause
    | Resume
    | JointSpaceOpened
    | ProposeItem
    | AcceptItem
    | ProposeFinish
    | AnswerFinish
    | WithdrawFinish
    | Cancel
    | PartyUnreachable
    | Remind
    | Expire
    | WarnExpiry
    | Stalled
    | CheckIn
    | Purge
    | ExtendInvitation
    | NudgeParty
    | MoveOn
    | ChooseJointSpace
    | EndWithOutcome
    | FollowUp
    | AnswerFollowUp
    | ChooseSafety
    | EraseMyData
)


TIMER_COMMANDS: dict[Timer, type[TimerCommand]] = {
    cmd.timer: cmd for cmd in (Remind, Expire, WarnExpiry, Stalled, CheckIn, FollowUp, Purge)
}
"""The command each kind of timer delivers (every `Timer` has one)."""
