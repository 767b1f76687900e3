"""The mediation engine: a pure function from (mediation, command, definition, now) to a transition.

Nothing here talks to Slack, Redis or the network. A command is either carried out, giving a new
mediation and the effects the adapter must carry out, or refused with `Refused` and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flows import commands as c
from flows import erasure, retention
from flows.definition import FlowDefinition, InvitationStage
from flows.effects import (
    Effect,
    JointPost,
    Notice,
    Notify,
    NotifyFacilitator,
    OpenJointSpace,
    PostToJoint,
    RefreshHome,
    Schedule,
    Timer,
    UpdatePosted,
    finish_ref,
    item_ref,
)
from flows.errors import FieldProblem, RefusalCode, Refused
from flows.hours import quiet_until
from flows.models import (
    AgreementItem,
    Answer,
    FinishProposal,
    FinishStatus,
    JointChoice,
    JointKind,
    JointSpace,
    LoopStatus,
    Mediation,
    Outcome,
    Party,
    ReflectionLoop,
    Role,
    Round,
    SafetyCheck,
    SafetyOption,
    Share,
    Stage,
    StageEntry,
    Verdict,
)
from flows.safety import Concern, concerns
from flows.steps import waiting_since

TOPIC_MAX = 150
HOPES_MAX = 1000
ITEM_WHO_MAX = 100
ITEM_WHAT_MAX = 300
ITEMS_MAX = 15
MISSING_MAX = 1500
MOVE_ON_REASON_MAX = 500
END_REASON_MAX = 500
DEFAULT_RETENTION_DAYS = 180
EXPIRY_WARNING_BEFORE = timedelta(days=1)  # the invitation's last day is announced this long before

_ACTIVE = (LoopStatus.WAITING_REFLECTION, LoopStatus.WAITING_ANSWER)

# While paused, only these commands go through (JointSpaceOpened reports a fact that must be recorded).
_ALLOWED_WHILE_PAUSED = (
    c.Resume,
    c.Cancel,
    c.PartyUnreachable,
    c.Pause,
    c.Expire,
    c.JointSpaceOpened,
    c.ChooseSafety,
    c.EraseMyData,
    c.WarnExpiry,
    c.CheckIn,  # waits for the pause to end
    c.ExtendInvitation,
)


@dataclass
class Transition:
    """The result of a command: the new mediation and the effects to carry out, in order."""

    mediation: Mediation
    effects: list[Effect] = field(default_factory=list)


def _topic_problems(topic: str) -> dict[str, FieldProblem]:
    if not topic:
        return {"topic": FieldProblem.EMPTY}
    return {"topic": FieldProblem.TOO_LONG} if len(topic) > TOPIC_MAX else {}


def _begin(
    mediation: Mediation, definition: FlowDefinition, now: datetime, invite: list[Effect]
) -> Transition:
    """The first effects of a new mediation: `invite` and its timers when the flow invites, else
    everyone has accepted and the first stage is announced."""
    effects: list[Effect] = []
    invitation = definition.stage(Stage.INVITATION)
    if isinstance(invitation, InvitationStage):
        effects += invite
        mediation.expires_at = now + timedelta(days=invitation.expire_days)
        effects.append(Schedule(timer=Timer.REMINDER, at=now + timedelta(hours=invitation.reminder_hours)))
        effects += _expiry_timers(mediation, now)
    else:
        for party in mediation.parties:
            party.accepted_at = now
        effects += _announce(mediation, mediation.stage, definition, now)
    effects.append(RefreshHome())
    return Transition(mediation, effects)


def _new(
    definition: FlowDefinition, now: datetime, mediation_id: str, team: str, topic: str, **fields: object
) -> Mediation:
    first = definition.first_stage()
    return Mediation.model_validate(
        {
            "id": mediation_id,
            "team": team,
            "flow": definition.id,
            "definition_version": definition.version,
            "created_at": now,
            "updated_at": now,
            "stage": first,
            "topic": topic,
            "history": [StageEntry(stage=first, at=now)],
            **fields,
        }
    )


def start(
    command: c.Start, definition: FlowDefinition, now: datetime, *, mediation_id: str, team: str
) -> Transition:
    """Create a mediation from the initiator's request."""
    topic = command.topic.strip()
    hopes = (command.hopes or "").strip() or None
    problems = _topic_problems(topic)
    if hopes and len(hopes) > HOPES_MAX:
        problems["hopes"] = FieldProblem.TOO_LONG
    if command.actor == command.respondent:
        raise Refused(RefusalCode.SELF)
    if problems:
        raise Refused(RefusalCode.INVALID_INPUT, problems)
    mediation = _new(
        definition,
        now,
        mediation_id,
        team,
        topic,
        hopes=hopes,
        initiator=Party(user_id=command.actor, role=Role.INITIATOR, accepted_at=now),
        respondent=Party(user_id=command.respondent, role=Role.RESPONDENT),
    )
    invite: list[Effect] = [
        Notify(role=Role.RESPONDENT, notice=Notice.INVITATION),
        Notify(role=Role.INITIATOR, notice=Notice.INVITATION_SENT),
        *_screen(mediation.initiator, concerns(topic, hopes or ""), now),
    ]
    return _begin(mediation, definition, now, invite)


def start_facilitated(
    command: c.StartFacilitated, definition: FlowDefinition, now: datetime, *, mediation_id: str, team: str
) -> Transition:
    """Create a mediation that a facilitator hosts between two people; both are invited."""
    if command.actor in (command.first, command.second):
        raise Refused(RefusalCode.FACILITATOR_IS_PARTY)
    if command.first == command.second:
        raise Refused(RefusalCode.SELF)
    topic = command.topic.strip()
    problems = _topic_problems(topic)
    if problems:
        raise Refused(RefusalCode.INVALID_INPUT, problems)
    mediation = _new(
        definition,
        now,
        mediation_id,
        team,
        topic,
        initiator=Party(user_id=command.first, role=Role.INITIATOR),
        respondent=Party(user_id=command.second, role=Role.RESPONDENT),
        facilitator=command.actor,
    )
    invite: list[Effect] = [
        Notify(role=r, notice=Notice.INVITATION) for r in (Role.INITIATOR, Role.RESPONDENT)
    ]
    invite.append(NotifyFacilitator(notice=Notice.INVITATION_SENT))
    return _begin(mediation, definition, now, invite)


def apply(
    mediation: Mediation,
    command: c.Command,
    definition: FlowDefinition,
    now: datetime,
    *,
    retention_days: int = DEFAULT_RETENTION_DAYS,
) -> Transition:
    """Carry out one command on a mediation, or raise `Refused`. The input is never modified.

    A timer (`c.TimerCommand`) for a mediation that has moved on is refused (`ALREADY_DONE`, or
    `PAUSED`); one whose notice would reach someone in their quiet hours answers with a `Schedule` of
    the same timer at their next working moment instead. A close schedules the purge of its private
    text after `retention_days`."""
    _authorise(mediation, command)  # before closed/paused: a stranger learns nothing
    timed = isinstance(command, c.TimerCommand)
    if not mediation.is_open and not isinstance(command, _AFTER_CLOSE):
        raise Refused(RefusalCode.ALREADY_DONE if timed else RefusalCode.CLOSED)
    if mediation.paused and not isinstance(command, _ALLOWED_WHILE_PAUSED):
        raise Refused(RefusalCode.PAUSED)
    m = mediation.model_copy(deep=True)
    m.updated_at = now
    effects = _HANDLERS[type(command)](m, command, definition, now)
    if mediation.paused and not m.paused:
        m.timer_log[RESUMED_KEY] = now  # a wait for a step starts again from here
    if not timed:
        effects += _plan_stall_check(m, definition, now)
    if mediation.is_open and not m.is_open:
        effects.append(Schedule(timer=Timer.PURGE, at=now + timedelta(days=retention_days)))
    if not (timed and all(isinstance(e, Schedule) for e in effects)):
        effects.append(RefreshHome())  # a timer that only waits, or only purges, shows nothing new
    return Transition(m, effects)


# --- helpers -------------------------------------------------------------------------------------

# The follow-up comes after an agreement closed it; a person may delete their data at any time.
_AFTER_CLOSE = (c.FollowUp, c.AnswerFollowUp, c.EraseMyData, c.Purge)
_FACILITATOR_ONLY = (c.NudgeParty, c.MoveOn, c.ChooseJointSpace, c.EndWithOutcome)
_PARTY_OR_FACILITATOR = (c.Pause, c.Resume, c.ExtendInvitation)


def _authorise(m: Mediation, command: c.Command) -> None:
    """Refuse a command from anyone whose step it is not: facilitator commands from anyone but the
    facilitator, party commands from anyone but a party."""
    actor = getattr(command, "actor", None)
    if actor is None:
        return
    if isinstance(command, _FACILITATOR_ONLY):
        if m.facilitator is None or actor != m.facilitator:
            raise Refused(RefusalCode.NOT_THE_FACILITATOR)
        return
    if isinstance(command, _PARTY_OR_FACILITATOR) and m.facilitator is not None and actor == m.facilitator:
        return
    if m.party_of(actor) is None:
        raise Refused(RefusalCode.NOT_A_PARTY)


def _to_others(m: Mediation, actor: str, notice: Notice, *, named: bool = True) -> list[Effect]:
    """`notice` for everyone in the mediation but `actor` (both parties, and the facilitator), each
    told who did it unless `named` is False (a request made in confidence)."""
    by = actor if named else None
    effects: list[Effect] = [
        Notify(role=p.role, notice=notice, by=by) for p in m.parties if p.user_id != actor
    ]
    if m.facilitator is not None and m.facilitator != actor:
        effects.append(NotifyFacilitator(notice=notice, by=by))
    return effects


def _to_everyone(m: Mediation, actor: str, notice: Notice) -> list[Effect]:
    """`notice` for both parties, the actor included, and the facilitator unless they acted."""
    effects: list[Effect] = [Notify(role=p.role, notice=notice, by=actor) for p in m.parties]
    if m.facilitator is not None and m.facilitator != actor:
        effects.append(NotifyFacilitator(notice=notice, by=actor))
    return effects


def _party(m: Mediation, user_id: str) -> Party:
    party = m.party_of(user_id)
    if party is None:
        raise Refused(RefusalCode.NOT_A_PARTY)
    return party


def _require(m: Mediation, stage: Stage) -> None:
    if m.stage is not stage:
        raise Refused(RefusalCode.WRONG_STAGE)


def _text(value: str | None, key: str, limit: int, problems: dict[str, FieldProblem]) -> str:
    text = (value or "").strip()
    if not text:
        problems[key] = FieldProblem.EMPTY
    elif len(text) > limit:
        problems[key] = FieldProblem.TOO_LONG
    return text


def _enter(m: Mediation, stage: Stage, d: FlowDefinition, now: datetime) -> list[Effect]:
    """Move the mediation into `stage` and return what entering it asks of the world."""
    if stage is Stage.CLOSED:
        return _close(m, agreement_outcome(m), "flow_complete", now)
    if stage is Stage.JOINT and any(p.safety_pending for p in m.parties):
        return _hold_joint(m)
    if stage is Stage.JOINT:
        m.joint_held = False
    m.stage = stage
    m.history.append(StageEntry(stage=stage, at=now))
    return _announce(m, stage, d, now)


def _announce(m: Mediation, stage: Stage, d: FlowDefinition, now: datetime) -> list[Effect]:
    """What being in `stage` asks of the world when the mediation arrives there."""
    both = [Role.INITIATOR, Role.RESPONDENT]
    if stage is Stage.GROUND_RULES:
        return [Notify(role=r, notice=Notice.GROUND_RULES) for r in both]
    if stage is Stage.INTAKE:
        return [Notify(role=r, notice=Notice.INTAKE_OPEN) for r in both]
    if stage is Stage.REFLECTION:
        params = d.reflection()
        first, second = params.first_speaker, params.first_speaker.other
        m.loops = [ReflectionLoop(speaker=s, listener=s.other) for s in (first, second)]
        effects: list[Effect] = []
        for loop in m.loops if params.order == "simultaneous" else m.loops[:1]:
            effects += _activate(m, loop)
        return effects + _after_loops(m, d, now)
    if stage is Stage.ALLIANCE:
        return [Notify(role=r, notice=Notice.CHECK_IN) for r in both]
    if stage is Stage.JOINT:
        if m.joint_choice is not None:
            return [OpenJointSpace(kind=m.joint_choice.kind, channel_id=m.joint_choice.channel_id)]
        joint = d.joint()
        return [OpenJointSpace(kind=joint.space if joint else JointKind.GROUP_DM)]
    return []


def _screen(party: Party, found: list[Concern], now: datetime) -> list[Effect]:
    """Record that the screening saw concerns in this party's own words (the kinds, never the words)
    and ask them privately how to go on. Kinds they already answered for are not asked about again."""
    known = set(party.safety.concerns) if party.safety else set()
    if not found or set(found) <= known:
        return []
    merged = [kind for kind in Concern if kind in known or kind in found]
    if party.safety is not None and party.safety.pending:
        party.safety.concerns = merged  # still to choose (or paused): the same question stands
    else:
        party.safety = SafetyCheck(concerns=merged, raised_at=now)
    return [Notify(role=party.role, notice=Notice.SAFETY_CHOICE)]


def _hold_joint(m: Mediation) -> list[Effect]:
    """The joint stage would open, but a safety choice is pending: hold it. Whoever must choose is asked
    again; everyone else learns only that it is paused at a participant's request."""
    m.joint_held = True
    effects: list[Effect] = [
        Notify(role=p.role, notice=Notice.SAFETY_CHOICE) for p in m.parties if p.safety_pending
    ]
    effects += [
        Notify(role=p.role, notice=Notice.PAUSED_BY_REQUEST) for p in m.parties if not p.safety_pending
    ]
    if m.facilitator is not None:
        effects.append(NotifyFacilitator(notice=Notice.PAUSED_BY_REQUEST))
    return effects


def _advance(m: Mediation, d: FlowDefinition, now: datetime) -> list[Effect]:
    return _enter(m, d.next_stage(m.stage), d, now)


def _close(m: Mediation, outcome: Outcome, reason: str, now: datetime) -> list[Effect]:
    """Close the mediation. Every agreement item not accepted by both is withdrawn and an open
    proposal to finish is settled; the effects redraw their messages without a live button."""
    m.stage = Stage.CLOSED
    m.outcome = outcome
    m.closed_reason = reason
    m.paused = False
    m.history.append(StageEntry(stage=Stage.CLOSED, at=now))
    effects: list[Effect] = []
    for item in m.agreement:
        if item.pending:
            item.withdrawn_at = now
            effects.append(UpdatePosted(ref=item_ref(item.id)))
    effects += _settle_finish(m, FinishStatus.CLOSED, now)
    return effects


def _settle_finish(m: Mediation, status: FinishStatus, now: datetime) -> list[Effect]:
    """Settle the open proposal to finish, if there is one, and redraw its message."""
    pending = m.pending_finish
    if pending is None:
        return []
    pending.status = status
    pending.settled_at = now
    return [UpdatePosted(ref=finish_ref(pending.id))]


def _activate(m: Mediation, loop: ReflectionLoop) -> list[Effect]:
    if m.party(loop.speaker).shared_answers():
        loop.status = LoopStatus.WAITING_REFLECTION
        return [
            Notify(role=loop.listener, notice=Notice.REFLECT),
            Notify(role=loop.speaker, notice=Notice.REFLECTION_WAITING),
        ]
    loop.status = LoopStatus.SKIPPED
    return _loop_notices(loop, Notice.LOOP_SKIPPED)


def _loop_notices(loop: ReflectionLoop, notice: Notice) -> list[Effect]:
    return [Notify(role=r, notice=notice, speaker=loop.speaker) for r in (loop.speaker, loop.listener)]


def _after_loops(m: Mediation, d: FlowDefinition, now: datetime) -> list[Effect]:
    """Start the next direction once one ends; leave the stage once both have."""
    effects: list[Effect] = []
    while True:
        active = [
            lp for lp in m.loops if lp.status in (LoopStatus.WAITING_REFLECTION, LoopStatus.WAITING_ANSWER)
        ]
        pending = [lp for lp in m.loops if lp.status is LoopStatus.PENDING]
        if active:
            return effects
        if pending:
            effects += _activate(m, pending[0])
            continue
        return effects + _advance(m, d, now)


# --- handlers -------------------------------------------------------------------------------------


def _invited(m: Mediation, user_id: str) -> Party:
    """The party answering the invitation: the respondent, or either party when facilitated."""
    party = _party(m, user_id)
    _require(m, Stage.INVITATION)
    if party.role is not Role.RESPONDENT and not m.facilitated:
        raise Refused(RefusalCode.NOT_YOUR_STEP)
    if party.accepted_at is not None:
        raise Refused(RefusalCode.ALREADY_DONE)
    return party


def _accept(m: Mediation, cmd: c.Accept, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _invited(m, cmd.actor)
    party.accepted_at = now
    m.postponed = False
    if m.facilitated:
        effects: list[Effect] = [NotifyFacilitator(notice=Notice.ACCEPTED, by=party.user_id)]
        return effects + (_advance(m, d, now) if all(p.accepted_at for p in m.parties) else [])
    return [Notify(role=Role.INITIATOR, notice=Notice.ACCEPTED), *_advance(m, d, now)]


def _postpone(m: Mediation, cmd: c.Postpone, d: FlowDefinition, now: datetime) -> list[Effect]:
    _invited(m, cmd.actor)
    if m.postponed:
        raise Refused(RefusalCode.ALREADY_DONE)
    m.postponed = True
    if m.facilitated:
        return [NotifyFacilitator(notice=Notice.POSTPONED, by=cmd.actor)]
    return [Notify(role=Role.INITIATOR, notice=Notice.POSTPONED)]


def _decline(m: Mediation, cmd: c.Decline, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _invited(m, cmd.actor)
    _close(m, Outcome.DECLINED, "declined", now)
    if m.facilitated:
        return [
            Notify(role=party.role, notice=Notice.DECLINE_THANKS),
            *_to_others(m, party.user_id, Notice.DECLINED),
        ]
    return [
        Notify(role=Role.INITIATOR, notice=Notice.DECLINED),
        Notify(role=Role.RESPONDENT, notice=Notice.DECLINE_THANKS),
    ]


def _agree_rules(m: Mediation, cmd: c.AgreeGroundRules, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.GROUND_RULES)
    if party.ground_rules_at is not None:
        raise Refused(RefusalCode.ALREADY_DONE)
    party.ground_rules_at = now
    if all(p.ground_rules_at for p in m.parties):
        return _advance(m, d, now)
    return []


def _save_intake(m: Mediation, cmd: c.SaveIntake, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.INTAKE)
    intake = d.intake()
    problems: dict[str, FieldProblem] = {}
    unknown = set(cmd.answers) - {q.key for q in intake.questions}
    problems.update({key: FieldProblem.UNKNOWN for key in unknown})
    answers: dict[str, Answer] = {}
    for question in intake.questions:
        text = _text(cmd.answers.get(question.key), question.key, question.max_length, problems)
        previous = party.answers.get(question.key)
        if previous is not None and previous.text == text:
            answers[question.key] = previous  # unchanged: keep its sharing choice, summary included
        else:
            answers[question.key] = Answer(text=text, share=intake.default_share)
    if problems:
        raise Refused(RefusalCode.INVALID_INPUT, problems)
    party.answers = answers
    party.intake_saved_at = now
    party.sharing_chosen_at = None
    return _screen(party, concerns(*(a.text for a in answers.values())), now)


def _choose_sharing(m: Mediation, cmd: c.ChooseSharing, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.INTAKE)
    if party.intake_saved_at is None:
        raise Refused(RefusalCode.NOT_YOUR_TURN)
    problems: dict[str, FieldProblem] = {}
    limits: dict[str, int] = {q.key: q.max_length for q in d.intake().questions}
    problems.update({key: FieldProblem.UNKNOWN for key in set(cmd.shares) - set(party.answers)})
    chosen: dict[str, Answer] = {}
    for key, answer in party.answers.items():
        share = cmd.shares.get(key, Share.NONE)
        summary = None
        if share is Share.SUMMARY:
            summary = _text(cmd.summaries.get(key), f"summary:{key}", limits.get(key, 1500), problems)
        chosen[key] = Answer(text=answer.text, share=share, summary=summary)
    if problems:
        raise Refused(RefusalCode.INVALID_INPUT, problems)
    party.answers = chosen
    already_complete = party.sharing_chosen_at is not None
    party.sharing_chosen_at = now
    if all(p.intake_complete for p in m.parties):
        return _advance(m, d, now)
    if already_complete:
        return []
    return [Notify(role=party.role, notice=Notice.INTAKE_WAITING)]


def _submit_reflection(
    m: Mediation, cmd: c.SubmitReflection, d: FlowDefinition, now: datetime
) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.REFLECTION)
    loop = m.loop_for_listener(party.role)
    if loop is None or loop.status is LoopStatus.PENDING:
        raise Refused(RefusalCode.NOT_YOUR_TURN)
    if loop.status is not LoopStatus.WAITING_REFLECTION:
        raise Refused(RefusalCode.ALREADY_DONE)
    problems: dict[str, FieldProblem] = {}
    text = _text(cmd.text, "reflection", d.reflection().max_length, problems)
    if problems:
        raise Refused(RefusalCode.INVALID_INPUT, problems)
    loop.rounds.append(Round(reflection=text, submitted_at=now))
    loop.status = LoopStatus.WAITING_ANSWER
    return [Notify(role=loop.speaker, notice=Notice.ANSWER_REFLECTION)]


def _answer_reflection(
    m: Mediation, cmd: c.AnswerReflection, d: FlowDefinition, now: datetime
) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.REFLECTION)
    loop = m.loop_for_speaker(party.role)
    if loop is None or loop.status in (LoopStatus.PENDING, LoopStatus.WAITING_REFLECTION):
        raise Refused(RefusalCode.NOT_YOUR_TURN)
    if loop.status is not LoopStatus.WAITING_ANSWER:
        raise Refused(RefusalCode.ALREADY_DONE)
    current = loop.rounds[-1]
    effects: list[Effect]
    if cmd.confirmed:
        current.verdict = Verdict.CONFIRMED
        current.answered_at = now
        loop.status = LoopStatus.CONFIRMED
        effects = _loop_notices(loop, Notice.LOOP_CONFIRMED)
    else:
        problems: dict[str, FieldProblem] = {}
        missing = _text(cmd.missing, "missing", MISSING_MAX, problems)
        if problems:
            raise Refused(RefusalCode.INVALID_INPUT, problems)
        current.verdict = Verdict.PARTLY
        current.missing = missing
        current.answered_at = now
        if len(loop.rounds) >= d.reflection().max_rounds:
            loop.status = LoopStatus.NOT_YET
            effects = _loop_notices(loop, Notice.LOOP_NOT_YET)
        else:
            loop.status = LoopStatus.WAITING_REFLECTION
            effects = [Notify(role=loop.listener, notice=Notice.TRY_AGAIN)]
    return effects + _after_loops(m, d, now)


def _scores(cmd: c.SubmitCheckIn, items: int) -> list[int]:
    if len(cmd.scores) != items:
        raise Refused(RefusalCode.INVALID_INPUT, {"scores": FieldProblem.EMPTY})
    problems = {f"item{i}": FieldProblem.OUT_OF_RANGE for i, s in enumerate(cmd.scores) if not 0 <= s <= 10}
    if problems:
        raise Refused(RefusalCode.INVALID_INPUT, problems)
    return list(cmd.scores)


def _check_in(m: Mediation, cmd: c.SubmitCheckIn, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    if m.stage is Stage.JOINT:
        return _pulse_answer(m, party, cmd, d)  # a check-in during the conversation
    _require(m, Stage.ALLIANCE)
    params = d.alliance()
    if params is None:
        raise Refused(RefusalCode.WRONG_STAGE)
    if party.check_in is not None:
        raise Refused(RefusalCode.ALREADY_DONE)
    party.check_in = _scores(cmd, len(params.items))
    low = sum(cmd.scores) < params.low_total or min(cmd.scores) < params.low_item
    if low:
        return [Notify(role=party.role, notice=Notice.REPAIR)]
    party.ready_for_joint = True
    return _joint_if_ready(m, d, now, party)


def _joint_if_ready(m: Mediation, d: FlowDefinition, now: datetime, party: Party) -> list[Effect]:
    if all(p.ready_for_joint for p in m.parties):
        return _advance(m, d, now)
    other = m.party(party.role.other)
    if other.check_in is None:
        return [Notify(role=party.role, notice=Notice.WAITING_CHECK_IN)]
    return []


def _repair(m: Mediation, cmd: c.ChooseRepair, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.ALLIANCE)
    if party.check_in is None:
        raise Refused(RefusalCode.NOT_YOUR_TURN)
    if party.ready_for_joint:
        raise Refused(RefusalCode.ALREADY_DONE)
    if cmd.choice is c.Repair.STOP:
        _close(m, Outcome.CANCELLED, "stopped_after_check_in", now)
        return [Notify(role=party.role.other, notice=Notice.CANCELLED)]
    party.ready_for_joint = True
    if cmd.choice is c.Repair.PAUSE:
        m.paused = True
        return [
            Notify(role=r, notice=Notice.PAUSED, by=party.user_id) for r in (Role.INITIATOR, Role.RESPONDENT)
        ]
    return _joint_if_ready(m, d, now, party)


def _pause(m: Mediation, cmd: c.Pause, d: FlowDefinition, now: datetime) -> list[Effect]:
    if m.stage is Stage.INVITATION:
        raise Refused(RefusalCode.WRONG_STAGE)
    if m.paused:
        raise Refused(RefusalCode.ALREADY_DONE)
    m.paused = True
    effects = _to_everyone(m, cmd.actor, Notice.PAUSED)
    if m.joint:
        effects.append(PostToJoint(post=JointPost.PAUSED))
    return effects


def _resume(m: Mediation, cmd: c.Resume, d: FlowDefinition, now: datetime) -> list[Effect]:
    if not m.paused:
        raise Refused(RefusalCode.ALREADY_DONE)
    holders = [p for p in m.parties if p.safety_holding]
    if holders:
        # Paused at a participant's request: only they resume it, and resuming is choosing to go on.
        mine = [p for p in holders if p.user_id == cmd.actor]
        if not mine:
            raise Refused(RefusalCode.HELD_BY_REQUEST)
        return _go_on(m, mine[0], d, now)
    m.paused = False
    effects = _to_everyone(m, cmd.actor, Notice.RESUMED)
    if m.joint:
        effects.append(PostToJoint(post=JointPost.RESUMED))
    if m.joint_held or (m.stage is Stage.ALLIANCE and all(p.ready_for_joint for p in m.parties)):
        effects += _advance(m, d, now)
    return effects


def _joint_opened(m: Mediation, cmd: c.JointSpaceOpened, d: FlowDefinition, now: datetime) -> list[Effect]:
    _require(m, Stage.JOINT)
    if m.joint is not None:
        raise Refused(RefusalCode.ALREADY_DONE)
    m.joint = JointSpace(channel_id=cmd.channel_id, kind=cmd.kind, thread_ts=cmd.thread_ts)
    effects: list[Effect] = [PostToJoint(post=JointPost.SUMMARY)]
    if m.paused:
        effects.append(PostToJoint(post=JointPost.PAUSED))
    joint = d.joint()
    if joint and joint.check_in_days and d.alliance() is not None:
        effects.append(Schedule(timer=Timer.CHECK_IN, at=now + timedelta(days=joint.check_in_days)))
    return effects


def _propose(m: Mediation, cmd: c.ProposeItem, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.JOINT)
    if len(m.agreement) >= ITEMS_MAX:
        raise Refused(RefusalCode.TOO_MANY_ITEMS)
    problems: dict[str, FieldProblem] = {}
    who = _text(cmd.who, "who", ITEM_WHO_MAX, problems)
    what = _text(cmd.what, "what", ITEM_WHAT_MAX, problems)
    if cmd.by_when is not None and cmd.by_when < now.date():
        problems["by_when"] = FieldProblem.IN_THE_PAST
    if problems:
        raise Refused(RefusalCode.INVALID_INPUT, problems)
    item = AgreementItem(
        id=f"i{len(m.agreement) + 1}",
        proposer=party.role,
        who=who,
        what=what,
        by_when=cmd.by_when,
        accepted_by=[party.role],
        proposed_at=now,
    )
    m.agreement.append(item)
    effects = _settle_finish(m, FinishStatus.ITEMS_CHANGED, now)
    return [*effects, PostToJoint(post=JointPost.ITEM_PROPOSED, item_id=item.id)]


def _accept_item(m: Mediation, cmd: c.AcceptItem, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.JOINT)
    item = m.item(cmd.item_id)
    if item is None:
        raise Refused(RefusalCode.ITEM_NOT_FOUND)
    if item.accepted:
        raise Refused(RefusalCode.ALREADY_DONE)
    if item.withdrawn_at is not None:
        raise Refused(RefusalCode.ITEM_WITHDRAWN)
    if party.role in item.accepted_by:
        raise Refused(RefusalCode.OWN_ITEM)
    item.accepted_by.append(party.role)
    # The adapter updates the item's message in place where it was clicked.
    return _settle_finish(m, FinishStatus.ITEMS_CHANGED, now)


def agreement_outcome(m: Mediation) -> Outcome:
    """The outcome the agreement items so far would give (withdrawn items do not count); it is the
    outcome suggested when someone proposes to finish or the host ends it."""
    items = [i for i in m.agreement if i.withdrawn_at is None]
    agreed = [i for i in items if i.accepted]
    if not agreed:
        return Outcome.NO_AGREEMENT
    if len(agreed) < len(items):
        return Outcome.PARTLY_AGREED
    return Outcome.AGREED


FINISH_OUTCOMES = (Outcome.AGREED, Outcome.PARTLY_AGREED, Outcome.NO_AGREEMENT)


def outcome_misfit(m: Mediation, outcome: Outcome) -> RefusalCode | None:
    """Why `outcome` does not fit the agreement items, or None when it does. "Agreed" needs at least
    one item and every item accepted by both; "partly agreed" needs one accepted item; "no agreement"
    always fits. Other outcomes are not for people to choose at the end."""
    if outcome not in FINISH_OUTCOMES:
        return RefusalCode.OUTCOME_NOT_ALLOWED
    items = [i for i in m.agreement if i.withdrawn_at is None]
    accepted = [i for i in items if i.accepted]
    if outcome is Outcome.AGREED and (not items or len(accepted) < len(items)):
        return RefusalCode.OUTCOME_NEEDS_ALL_ACCEPTED
    if outcome is Outcome.PARTLY_AGREED and not accepted:
        return RefusalCode.OUTCOME_NEEDS_ACCEPTED_ITEM
    return None


def fitting_outcomes(m: Mediation) -> list[Outcome]:
    """The outcomes a party may propose, or the host record, now (in the joint stage)."""
    return [o for o in FINISH_OUTCOMES if outcome_misfit(m, o) is None]


def _propose_finish(m: Mediation, cmd: c.ProposeFinish, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.JOINT)
    pending = m.pending_finish
    if pending is not None and pending.proposer is not party.role:
        raise Refused(RefusalCode.FINISH_AWAITS_YOU)
    misfit = outcome_misfit(m, cmd.outcome)
    if misfit is not None:
        raise Refused(misfit)
    effects = _settle_finish(m, FinishStatus.REPLACED, now)
    proposal = FinishProposal(
        id=f"f{len(m.finish_proposals) + 1}", proposer=party.role, outcome=cmd.outcome, proposed_at=now
    )
    m.finish_proposals.append(proposal)
    if m.joint is None:  # the space is still opening: the other party is asked in a DM instead
        return [*effects, Notify(role=party.role.other, notice=Notice.FINISH_PROPOSED)]
    return [*effects, PostToJoint(post=JointPost.FINISH_PROPOSED, item_id=proposal.id)]


def _open_proposal(m: Mediation, proposal_id: str) -> FinishProposal:
    pending = m.pending_finish
    if pending is None or pending.id != proposal_id:
        raise Refused(RefusalCode.FINISH_NOT_OPEN)
    return pending


def _answer_finish(m: Mediation, cmd: c.AnswerFinish, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.JOINT)
    proposal = _open_proposal(m, cmd.proposal_id)
    if proposal.proposer is party.role:
        raise Refused(RefusalCode.OWN_FINISH)
    if not cmd.confirmed:
        effects = _settle_finish(m, FinishStatus.NOT_YET, now)
        return [*effects, Notify(role=proposal.proposer, notice=Notice.FINISH_NOT_YET)]
    misfit = outcome_misfit(m, proposal.outcome)
    if misfit is not None:  # cannot happen: any change to the items withdraws the proposal
        raise Refused(misfit)
    m.party(proposal.proposer).done_at = proposal.proposed_at
    party.done_at = now
    effects = _settle_finish(m, FinishStatus.CONFIRMED, now)
    effects += _close(m, proposal.outcome, "finished_together", now)
    effects += _closing_notices(m, d, now)
    if m.facilitator is not None:
        effects.append(NotifyFacilitator(notice=Notice.CLOSED))
    return effects


def _withdraw_finish(m: Mediation, cmd: c.WithdrawFinish, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    _require(m, Stage.JOINT)
    proposal = _open_proposal(m, cmd.proposal_id)
    if proposal.proposer is not party.role:
        raise Refused(RefusalCode.NOT_YOUR_STEP)
    return _settle_finish(m, FinishStatus.WITHDRAWN, now)


def _closing_notices(m: Mediation, d: FlowDefinition, now: datetime) -> list[Effect]:
    """After a close with an outcome: the final post in the joint space, a DM to both with the agreed
    items, and the follow-up when something was agreed."""
    effects: list[Effect] = [PostToJoint(post=JointPost.FINAL)] if m.joint else []
    effects += [Notify(role=r, notice=Notice.CLOSED) for r in (Role.INITIATOR, Role.RESPONDENT)]
    joint = d.joint()
    if joint and joint.follow_up_days and m.outcome in (Outcome.AGREED, Outcome.PARTLY_AGREED):
        effects.append(Schedule(timer=Timer.FOLLOW_UP, at=now + timedelta(days=joint.follow_up_days)))
    return effects


def _follow_up(m: Mediation, cmd: c.FollowUp, d: FlowDefinition, now: datetime) -> list[Effect]:
    if m.is_open or m.outcome not in (Outcome.AGREED, Outcome.PARTLY_AGREED):
        raise Refused(RefusalCode.ALREADY_DONE)
    if any(p.erased_at for p in m.parties):
        raise Refused(RefusalCode.ALREADY_DONE)  # someone deleted their data: nobody is asked again
    closed = retention.closed_at(m) or m.updated_at
    sends = [
        _Send(
            f"follow_up:{_stamp(closed)}:{p.role.value}",
            p.user_id,
            Notify(role=p.role, notice=Notice.FOLLOW_UP),
        )
        for p in m.parties
    ]
    started = any(s.key in m.timer_log for s in sends)
    if m.follow_up_open and not started:
        raise Refused(RefusalCode.ALREADY_DONE)  # asked before its record was kept
    effects = _send_in_hours(m, cmd, now, sends)
    if not started and any(isinstance(e, Notify) for e in effects):
        m.follow_up_open = True
        for party in m.parties:
            party.holding = None
    return effects


def _answer_follow_up(m: Mediation, cmd: c.AnswerFollowUp, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    if m.is_open or not m.follow_up_open:
        raise Refused(RefusalCode.CLOSED if m.is_open else RefusalCode.ALREADY_DONE)
    if party.holding is not None:
        raise Refused(RefusalCode.ALREADY_DONE)
    party.holding = cmd.holding
    if not cmd.holding:
        # It does not hold: the joint stage opens again, where they left it.
        m.follow_up_open = False
        m.stage = Stage.JOINT
        m.outcome = None
        m.closed_reason = None
        m.end_reason = None
        m.history.append(StageEntry(stage=Stage.JOINT, at=now))
        effects: list[Effect] = [
            Notify(role=r, notice=Notice.REOPENED) for r in (Role.INITIATOR, Role.RESPONDENT)
        ]
        if m.facilitator:
            effects.append(NotifyFacilitator(notice=Notice.REOPENED, by=party.user_id))
        if m.joint:
            effects.append(PostToJoint(post=JointPost.RESUMED))
        return effects
    if all(p.holding for p in m.parties):
        m.follow_up_open = False
        return [Notify(role=r, notice=Notice.HOLDING) for r in (Role.INITIATOR, Role.RESPONDENT)]
    return []


def _cancel(m: Mediation, cmd: c.Cancel, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    settled = _close(m, Outcome.CANCELLED, f"cancelled_by_{party.role.value}", now)
    effects: list[Effect] = [Notify(role=party.role.other, notice=Notice.CANCELLED), *settled]
    if m.joint:
        effects.append(PostToJoint(post=JointPost.FINAL))
    return effects


def _unreachable(m: Mediation, cmd: c.PartyUnreachable, d: FlowDefinition, now: datetime) -> list[Effect]:
    settled = _close(m, Outcome.CANCELLED, f"unreachable:{cmd.error}", now)
    return [Notify(role=cmd.role.other, notice=Notice.UNREACHABLE), *settled]


def _expire(m: Mediation, cmd: c.Expire, d: FlowDefinition, now: datetime) -> list[Effect]:
    if m.stage is not Stage.INVITATION:
        raise Refused(RefusalCode.ALREADY_DONE)
    if m.expiry_extended and m.expires_at is not None and now < m.expires_at:
        raise Refused(RefusalCode.ALREADY_DONE)  # set before the extension: a later timer closes it
    wait = quiet_until(cmd.people.get(m.initiator.user_id), now)
    if wait is not None:  # it closes when the one who is told can read it
        return [Schedule(timer=Timer.EXPIRE, at=wait)]
    _close(m, Outcome.EXPIRED, "expired", now)
    return [Notify(role=Role.INITIATOR, notice=Notice.EXPIRED)]


def _nudge_party(m: Mediation, cmd: c.NudgeParty, d: FlowDefinition, now: datetime) -> list[Effect]:
    if m.stage is Stage.CLOSED:
        raise Refused(RefusalCode.CLOSED)
    return [Notify(role=cmd.role, notice=Notice.NUDGED)]


def _move_on(m: Mediation, cmd: c.MoveOn, d: FlowDefinition, now: datetime) -> list[Effect]:
    _require(m, Stage.REFLECTION)
    problems: dict[str, FieldProblem] = {}
    reason = _text(cmd.reason, "reason", MOVE_ON_REASON_MAX, problems)
    if problems:
        raise Refused(RefusalCode.INVALID_INPUT, problems)
    stuck = [loop for loop in m.loops if not loop.status.ended]
    if not stuck:
        raise Refused(RefusalCode.NOTHING_TO_MOVE_ON)
    for loop in stuck:
        loop.status = LoopStatus.NOT_YET
        loop.moved_on = reason
    effects: list[Effect] = [
        Notify(role=r, notice=Notice.MOVED_ON) for r in (Role.INITIATOR, Role.RESPONDENT)
    ]
    return effects + _after_loops(m, d, now)


def _choose_joint(m: Mediation, cmd: c.ChooseJointSpace, d: FlowDefinition, now: datetime) -> list[Effect]:
    if m.joint is not None:
        raise Refused(RefusalCode.ALREADY_DONE)
    if cmd.kind is JointKind.THREAD and not cmd.channel_id:
        raise Refused(RefusalCode.INVALID_INPUT, {"channel": FieldProblem.EMPTY})
    m.joint_choice = JointChoice(
        kind=cmd.kind, channel_id=cmd.channel_id if cmd.kind is JointKind.THREAD else None
    )
    if m.stage is Stage.JOINT:  # the space was about to open when the choice came: open it now
        return [OpenJointSpace(kind=m.joint_choice.kind, channel_id=m.joint_choice.channel_id)]
    return []


def _end_with_outcome(m: Mediation, cmd: c.EndWithOutcome, d: FlowDefinition, now: datetime) -> list[Effect]:
    """The host records what happened. Before the joint stage there are no items, so only "no
    agreement" fits, and the reason is required: it is all both parties learn of why it ended."""
    misfit = outcome_misfit(m, cmd.outcome)
    if misfit is not None:
        raise Refused(misfit)
    problems: dict[str, FieldProblem] = {}
    if m.stage is Stage.JOINT:
        reason = (cmd.reason or "").strip()
        if len(reason) > END_REASON_MAX:
            problems["reason"] = FieldProblem.TOO_LONG
    else:
        reason = _text(cmd.reason, "reason", END_REASON_MAX, problems)
    if problems:
        raise Refused(RefusalCode.INVALID_INPUT, problems)
    m.end_reason = reason or None
    effects = _close(m, cmd.outcome, "ended_by_facilitator", now)
    return effects + _closing_notices(m, d, now)


def _choose_safety(m: Mediation, cmd: c.ChooseSafety, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    check = party.safety
    if check is None or not check.pending or check.choice is cmd.choice:
        raise Refused(RefusalCode.ALREADY_DONE)
    if cmd.choice is SafetyOption.GO_ON:
        return _go_on(m, party, d, now)
    check.choice = cmd.choice
    check.chosen_at = now
    notice = Notice.SAFETY_CONTACTS if cmd.choice is SafetyOption.CONTACT_FIRST else Notice.SAFETY_PAUSED
    effects: list[Effect] = [Notify(role=party.role, notice=notice)]
    if not m.paused:
        m.paused = True
        if not m.joint_held:  # when held, everyone else already learned it is paused
            effects += _to_others(m, party.user_id, Notice.PAUSED_BY_REQUEST, named=False)
        if m.joint:
            effects.append(PostToJoint(post=JointPost.PAUSED))
    return effects


def _go_on(m: Mediation, party: Party, d: FlowDefinition, now: datetime) -> list[Effect]:
    """The party chose to go on: their pause (if any) ends, and a held joint stage opens once nobody
    else's choice is pending."""
    assert party.safety is not None
    was_holding = party.safety.holding
    party.safety.choice = SafetyOption.GO_ON
    party.safety.chosen_at = now
    effects: list[Effect] = []
    if was_holding and m.paused and not any(p.safety_holding for p in m.parties):
        m.paused = False
        if not m.joint_held:  # a held joint stage tells everyone when it opens
            effects += _to_others(m, party.user_id, Notice.GOES_ON, named=False)
        if m.joint:
            effects.append(PostToJoint(post=JointPost.RESUMED))
    if m.joint_held and not m.paused and not any(p.safety_pending for p in m.parties):
        m.joint_held = False
        effects += _to_others(m, party.user_id, Notice.GOES_ON, named=False)
        effects += _advance(m, d, now)
    return effects


def _erase_my_data(m: Mediation, cmd: c.EraseMyData, d: FlowDefinition, now: datetime) -> list[Effect]:
    party = _party(m, cmd.actor)
    if party.erased_at is not None:
        raise Refused(RefusalCode.ALREADY_DONE)
    was_open = m.is_open
    erasure.erase_party(m, party.role, now)
    m.follow_up_open = False
    if not was_open:
        return []
    _close(m, Outcome.CANCELLED, "data_erased", now)
    m.joint_held = False
    effects = _to_others(m, party.user_id, Notice.CLOSED_BY_REQUEST, named=False)
    if m.joint:
        effects.append(PostToJoint(post=JointPost.FINAL))
    return effects


# --- timers ---------------------------------------------------------------------------------------

RESUMED_KEY = "resumed"  # in `timer_log`: when a pause last ended


@dataclass(frozen=True)
class _Send:
    """A notice a timer sends once (`key` in `timer_log` once sent), in `user_id`'s working hours."""

    key: str
    user_id: str
    effect: Effect


def _stamp(at: datetime) -> str:
    return str(int(at.timestamp()))


def _send_in_hours(m: Mediation, cmd: c.TimerCommand, now: datetime, sends: list[_Send]) -> list[Effect]:
    """Send each notice not sent before to whoever may be reached now; the rest wait for the earliest
    next working moment among them (the same timer, scheduled again). Refused when every notice was
    sent already: the timer has nothing left to do."""
    pending = [s for s in sends if s.key not in m.timer_log]
    if not pending:
        raise Refused(RefusalCode.ALREADY_DONE)
    effects: list[Effect] = []
    later: list[datetime] = []
    for send in pending:
        wait = quiet_until(cmd.people.get(send.user_id), now)
        if wait is None:
            m.timer_log[send.key] = now
            effects.append(send.effect)
        else:
            later.append(wait)
    if later:
        effects.append(Schedule(timer=cmd.timer, at=min(later)))
    return effects


def _remind(m: Mediation, cmd: c.Remind, d: FlowDefinition, now: datetime) -> list[Effect]:
    if m.stage is not Stage.INVITATION:
        raise Refused(RefusalCode.ALREADY_DONE)
    invited = [p for p in m.parties if p.accepted_at is None]
    sends = [
        _Send(f"remind:{p.role.value}", p.user_id, Notify(role=p.role, notice=Notice.REMINDER))
        for p in invited
    ]
    return _send_in_hours(m, cmd, now, sends)


def _expiry_timers(m: Mediation, now: datetime) -> list[Effect]:
    """The invitation's expiry, and its announcement a day before (when that is still to come)."""
    if m.expires_at is None:
        return []
    effects: list[Effect] = [Schedule(timer=Timer.EXPIRE, at=m.expires_at)]
    warn = m.expires_at - EXPIRY_WARNING_BEFORE
    if warn > now:
        effects.append(Schedule(timer=Timer.EXPIRY_WARNING, at=warn))
    return effects


def _warn_expiry(m: Mediation, cmd: c.WarnExpiry, d: FlowDefinition, now: datetime) -> list[Effect]:
    if m.stage is not Stage.INVITATION or m.expires_at is None or now >= m.expires_at:
        raise Refused(RefusalCode.ALREADY_DONE)
    if now < m.expires_at - EXPIRY_WARNING_BEFORE:
        raise Refused(RefusalCode.ALREADY_DONE)  # set for an expiry that was extended since
    tag = _stamp(m.expires_at)
    sends = [
        _Send(f"warn:{tag}:{p.role.value}", p.user_id, Notify(role=p.role, notice=Notice.EXPIRY_WARNING))
        for p in m.parties
        if p.accepted_at is None
    ]
    if not m.expiry_extended:
        inviter = _Send(
            f"warn:{tag}:inviter", m.initiator.user_id, Notify(role=Role.INITIATOR, notice=Notice.EXPIRY_SOON)
        )
        if m.facilitator is not None:
            inviter = _Send(
                f"warn:{tag}:inviter", m.facilitator, NotifyFacilitator(notice=Notice.EXPIRY_SOON)
            )
        sends.append(inviter)
    return _send_in_hours(m, cmd, now, sends)


def _extend(m: Mediation, cmd: c.ExtendInvitation, d: FlowDefinition, now: datetime) -> list[Effect]:
    if m.facilitated and cmd.actor != m.facilitator:
        raise Refused(RefusalCode.NOT_THE_FACILITATOR)
    if not m.facilitated and cmd.actor != m.initiator.user_id:
        raise Refused(RefusalCode.NOT_YOUR_STEP)
    _require(m, Stage.INVITATION)
    if m.expiry_extended:
        raise Refused(RefusalCode.EXTENDED_ONCE)
    invitation = d.stage(Stage.INVITATION)
    days = (
        invitation.extend_days if isinstance(invitation, InvitationStage) else InvitationStage().extend_days
    )
    m.expires_at = max(m.expires_at or now, now) + timedelta(days=days)
    m.expiry_extended = True
    told: Effect = (
        NotifyFacilitator(notice=Notice.EXTENDED)
        if m.facilitated
        else Notify(role=Role.INITIATOR, notice=Notice.EXTENDED)
    )
    return [told, *_expiry_timers(m, now)]


_INVITATION_TIMERS = (Timer.REMINDER, Timer.EXPIRE, Timer.EXPIRY_WARNING)


def timer_audience(m: Mediation, timer: Timer) -> list[str]:
    """Whose time a timer of this kind needs to know now: everyone it may reach (both parties and
    the host), or nobody when it will find nothing to send (the mediation moved on), so that the
    adapter looks up no one's time zone for a timer the engine will refuse."""
    everyone = m.user_ids + ([m.facilitator] if m.facilitator else [])
    if timer in _INVITATION_TIMERS:
        return everyone if m.stage is Stage.INVITATION else []
    if timer is Timer.STALLED:
        return everyone if m.is_open and not m.paused and m.stage is not Stage.INVITATION else []
    if timer is Timer.CHECK_IN:
        return everyone if m.is_open and m.stage is Stage.JOINT and not m.paused else []
    if timer is Timer.FOLLOW_UP:
        return m.user_ids if not m.is_open and m.outcome in (Outcome.AGREED, Outcome.PARTLY_AGREED) else []
    return []  # the purge reaches nobody


def stalled_since(m: Mediation, role: Role) -> datetime | None:
    """When the step that waits on this role earned its stalled-step reminder (None: it has not),
    for a host's App Home."""
    since = waiting_since(m, role)
    if since is None:
        return None
    resumed = m.timer_log.get(RESUMED_KEY)
    since = max(since, resumed) if resumed else since
    return m.timer_log.get(_stall_keys(role, since)[0])


def _stall_keys(role: Role, since: datetime) -> tuple[str, str]:
    """The `timer_log` keys of one stalled wait: the kind reminder, and the note to the other."""
    return f"stall:{role.value}:{_stamp(since)}", f"stall_other:{role.value}:{_stamp(since)}"


def _stall_waits(m: Mediation, d: FlowDefinition) -> list[tuple[Role, datetime]]:
    """Who a step waits on and since when, while it may still earn a stalled-step notice."""
    if not m.is_open or not d.stall_hours or m.stage is Stage.INVITATION:
        return []  # an invitation has its own reminder, warning and expiry
    found: list[tuple[Role, datetime]] = []
    for role in (Role.INITIATOR, Role.RESPONDENT):
        since = waiting_since(m, role)
        if since is None:
            continue
        resumed = m.timer_log.get(RESUMED_KEY)
        since = max(since, resumed) if resumed else since
        if not all(key in m.timer_log for key in _stall_keys(role, since)):
            found.append((role, since))
    return found


def _plan_stall_check(m: Mediation, d: FlowDefinition, now: datetime) -> list[Effect]:
    """After a change, make sure a look for stalled steps is scheduled by the time one could stall."""
    waits = _stall_waits(m, d)
    if not waits:
        return []
    due = max(now, min(since for _, since in waits) + timedelta(hours=d.stall_hours))
    if m.stall_check_at is not None and now < m.stall_check_at <= due:
        return []  # one is planned in time: it looks again when it comes
    m.stall_check_at = due
    return [Schedule(timer=Timer.STALLED, at=due)]


def _stalled(m: Mediation, cmd: c.Stalled, d: FlowDefinition, now: datetime) -> list[Effect]:
    """A step that waited `stall_hours` on one person earns them one kind reminder with its button,
    then a note to the other that nothing is needed of them (each in their own working hours)."""
    waits = _stall_waits(m, d)
    if not waits:
        raise Refused(RefusalCode.ALREADY_DONE)
    effects: list[Effect] = []
    later: list[datetime] = []
    for role, since in waits:
        due = since + timedelta(hours=d.stall_hours)
        if now < due:
            later.append(due)
            continue
        reminded, told = _stall_keys(role, since)
        waited_on, other = m.party(role), m.party(role.other)
        if reminded not in m.timer_log:
            wait = quiet_until(cmd.people.get(waited_on.user_id), now)
            if wait is not None:
                later.append(wait)
                continue
            m.timer_log[reminded] = now
            effects.append(Notify(role=role, notice=Notice.STALLED))
        if waiting_since(m, role.other) is not None:
            m.timer_log[told] = now  # a step waits on them too: "nothing to do" would not be true
            continue
        wait = quiet_until(cmd.people.get(other.user_id), now)
        if wait is not None:
            later.append(wait)
            continue
        m.timer_log[told] = now
        effects.append(Notify(role=role.other, notice=Notice.STALLED_OTHER, by=waited_on.user_id))
    m.stall_check_at = min(later) if later else None
    if later:
        effects.append(Schedule(timer=Timer.STALLED, at=min(later)))
    if not effects:
        raise Refused(RefusalCode.ALREADY_DONE)
    return effects


def _pulse(m: Mediation, cmd: c.CheckIn, d: FlowDefinition, now: datetime) -> list[Effect]:
    """A check-in some days into the joint conversation: each person is asked how it is going, in
    their working hours; once everyone was asked, the next one is set the same number of days on."""
    joint = d.joint()
    days = joint.check_in_days if joint else 0
    if m.stage is not Stage.JOINT or not days or d.alliance() is None:
        raise Refused(RefusalCode.ALREADY_DONE)
    if m.paused:  # no questions while paused: ask again later
        return [Schedule(timer=Timer.CHECK_IN, at=now + timedelta(days=days))]
    keys = [_pulse_key(m.pulse_round, p.role) for p in m.parties]
    if m.pulse_round == 0 or all(key in m.timer_log for key in keys):
        m.pulse_round += 1
        for party in m.parties:
            party.pulse = None
    sends = [
        _Send(_pulse_key(m.pulse_round, p.role), p.user_id, Notify(role=p.role, notice=Notice.PULSE))
        for p in m.parties
    ]
    effects = _send_in_hours(m, cmd, now, sends)
    if not any(isinstance(e, Schedule) for e in effects):
        effects.append(Schedule(timer=Timer.CHECK_IN, at=now + timedelta(days=days)))
    return effects


def _pulse_key(round_: int, role: Role) -> str:
    return f"pulse:{round_}:{role.value}"


def pulse_open(m: Mediation, role: Role) -> bool:
    """True while this role was asked the current check-in of the conversation and has not answered."""
    return (
        m.is_open
        and m.stage is Stage.JOINT
        and m.pulse_round > 0
        and _pulse_key(m.pulse_round, role) in m.timer_log
        and m.party(role).pulse is None
    )


def _pulse_answer(m: Mediation, party: Party, cmd: c.SubmitCheckIn, d: FlowDefinition) -> list[Effect]:
    params = d.alliance()
    if params is None:
        raise Refused(RefusalCode.WRONG_STAGE)
    if party.pulse is not None:
        raise Refused(RefusalCode.ALREADY_DONE)
    if not pulse_open(m, party.role):
        raise Refused(RefusalCode.NOT_YOUR_TURN)
    scores = _scores(cmd, len(params.items))
    party.pulse = scores
    low = sum(scores) < params.low_total or min(scores) < params.low_item
    return [Notify(role=party.role, notice=Notice.PULSE_LOW if low else Notice.PULSE_THANKS)]


def _purge(m: Mediation, cmd: c.Purge, d: FlowDefinition, now: datetime) -> list[Effect]:
    if m.is_open or m.purged_at is not None:
        raise Refused(RefusalCode.ALREADY_DONE)
    purged = retention.purge(m, now)
    for name in type(m).model_fields:
        setattr(m, name, getattr(purged, name))
    return []


_Handler = Callable[[Mediation, Any, FlowDefinition, datetime], list[Effect]]
_HANDLERS: dict[type, _Handler] = dict(
    {
        c.Accept: _accept,
        c.Postpone: _postpone,
        c.Decline: _decline,
        c.AgreeGroundRules: _agree_rules,
        c.SaveIntake: _save_intake,
        c.ChooseSharing: _choose_sharing,
        c.SubmitReflection: _submit_reflection,
        c.AnswerReflection: _answer_reflection,
        c.SubmitCheckIn: _check_in,
        c.ChooseRepair: _repair,
        c.Pause: _pause,
        c.Resume: _resume,
        c.JointSpaceOpened: _joint_opened,
        c.ProposeItem: _propose,
        c.AcceptItem: _accept_item,
        c.ProposeFinish: _propose_finish,
        c.AnswerFinish: _answer_finish,
        c.WithdrawFinish: _withdraw_finish,
        c.Cancel: _cancel,
        c.PartyUnreachable: _unreachable,
        c.Expire: _expire,
        c.Remind: _remind,
        c.WarnExpiry: _warn_expiry,
        c.ExtendInvitation: _extend,
        c.Stalled: _stalled,
        c.CheckIn: _pulse,
        c.Purge: _purge,
        c.NudgeParty: _nudge_party,
        c.MoveOn: _move_on,
        c.ChooseJointSpace: _choose_joint,
        c.EndWithOutcome: _end_with_outcome,
        c.FollowUp: _follow_up,
        c.AnswerFollowUp: _answer_follow_up,
        c.ChooseSafety: _choose_safety,
        c.EraseMyData: _erase_my_data,
    }
)
