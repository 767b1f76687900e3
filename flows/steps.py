"""Steps offered in a private message, and whether each is still open.

A direct message that offers a party a step carries buttons (accept the invitation, write your answers,
say back what you heard…). Once that step is done — by this person, by the other, or because the
mediation moved on or closed — the message should say what happened instead of offering a button that
leads nowhere. This module decides that from the mediation's state alone: `offer_for` names the step a
notice offers (None for a notice without buttons), and `step_done` says whether it is done and what
happened, when.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.effects import Notice
from flows.models import LoopStatus, Mediation, Outcome, Role, SafetyOption, Stage, Verdict
from flows.retention import closed_at


class Step(StrEnum):
    """Something a party is asked to do in a direct message."""

    ANSWER_INVITATION = "answer_invitation"
    AGREE_RULES = "agree_rules"
    WRITE_ANSWERS = "write_answers"
    CHANGE_SHARING = "change_sharing"  # what the other may read stays changeable until both finished
    REFLECT = "reflect"
    ANSWER_REFLECTION = "answer_reflection"
    CHECK_IN = "check_in"
    REPAIR = "repair"
    RESUME = "resume"
    FOLLOW_UP = "follow_up"
    SAFETY_CHOICE = "safety_choice"  # go on, a contact first, or pause, after a safety signal
    SAFETY_GO_ON = "safety_go_on"  # go on, after choosing a contact first or a pause
    EXTEND = "extend"  # keep an unanswered invitation open longer (once)
    PULSE = "pulse"  # a check-in during the conversation
    PAUSE_TALK = "pause_talk"  # after a low check-in during the conversation: pause it, if they wish


class DoneKind(StrEnum):
    """What happened to an offered step."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    AGREED = "agreed"
    SHARED = "shared"
    REFLECTED = "reflected"
    CONFIRMED = "confirmed"
    ADDED_MISSING = "added_missing"
    CHECKED_IN = "checked_in"
    CHOSE = "chose"
    RESUMED = "resumed"
    ANSWERED = "answered"
    MOVED_ON = "moved_on"
    ENDED = "ended"
    WENT_ON = "went_on"  # after a safety signal: chose to go on
    CONTACT_FIRST = "contact_first"  # after a safety signal: a contact first, paused meanwhile
    PAUSED = "paused"  # after a safety signal: paused
    EXTENDED = "extended"  # the invitation was kept open longer


class Offer(BaseModel):
    """A step offered to one party; `round` is the listening round it concerns (0 for the first)."""

    model_config = ConfigDict(frozen=True)

    role: Role
    step: Step
    round: int | None = None


class Done(BaseModel):
    """What happened to an offered step, and when."""

    model_config = ConfigDict(frozen=True)

    kind: DoneKind
    at: datetime


_BY_NOTICE = {
    Notice.INVITATION: Step.ANSWER_INVITATION,
    Notice.REMINDER: Step.ANSWER_INVITATION,
    Notice.EXPIRY_WARNING: Step.ANSWER_INVITATION,
    Notice.EXPIRY_SOON: Step.EXTEND,
    Notice.PULSE: Step.PULSE,
    Notice.PULSE_LOW: Step.PAUSE_TALK,
    Notice.GROUND_RULES: Step.AGREE_RULES,
    Notice.INTAKE_OPEN: Step.WRITE_ANSWERS,
    Notice.INTAKE_WAITING: Step.CHANGE_SHARING,
    Notice.REFLECT: Step.REFLECT,
    Notice.TRY_AGAIN: Step.REFLECT,
    Notice.ANSWER_REFLECTION: Step.ANSWER_REFLECTION,
    Notice.CHECK_IN: Step.CHECK_IN,
    Notice.REPAIR: Step.REPAIR,
    Notice.PAUSED: Step.RESUME,
    Notice.FOLLOW_UP: Step.FOLLOW_UP,
    Notice.SAFETY_CHOICE: Step.SAFETY_CHOICE,
    Notice.SAFETY_CONTACTS: Step.SAFETY_GO_ON,
    Notice.SAFETY_PAUSED: Step.SAFETY_GO_ON,
}

# The stage each step belongs to: once the mediation has left it, the step is over.
_STAGE = {
    Step.ANSWER_INVITATION: Stage.INVITATION,
    Step.AGREE_RULES: Stage.GROUND_RULES,
    Step.WRITE_ANSWERS: Stage.INTAKE,
    Step.CHANGE_SHARING: Stage.INTAKE,
    Step.REFLECT: Stage.REFLECTION,
    Step.ANSWER_REFLECTION: Stage.REFLECTION,
    Step.CHECK_IN: Stage.ALLIANCE,
    Step.REPAIR: Stage.ALLIANCE,
    Step.EXTEND: Stage.INVITATION,
    Step.PULSE: Stage.JOINT,
    Step.PAUSE_TALK: Stage.JOINT,
}


def pending_step(m: Mediation, role: Role) -> Step | None:
    """The step that waits on this role now and has a button, if any (what a reminder offers)."""
    party = m.party(role)
    if not m.is_open or m.paused:
        return None
    if m.stage is Stage.INVITATION:
        return Step.ANSWER_INVITATION if party.accepted_at is None else None
    if m.stage is Stage.GROUND_RULES:
        return Step.AGREE_RULES if party.ground_rules_at is None else None
    if m.stage is Stage.INTAKE:
        if party.intake_saved_at is None:
            return Step.WRITE_ANSWERS
        return Step.CHANGE_SHARING if party.sharing_chosen_at is None else None
    if m.stage is Stage.REFLECTION:
        listening, speaking = m.loop_for_listener(role), m.loop_for_speaker(role)
        if listening and listening.status is LoopStatus.WAITING_REFLECTION:
            return Step.REFLECT
        if speaking and speaking.status is LoopStatus.WAITING_ANSWER:
            return Step.ANSWER_REFLECTION
        return None
    if m.stage is Stage.ALLIANCE:
        if party.check_in is None:
            return Step.CHECK_IN
        return Step.REPAIR if not party.ready_for_joint else None
    return None


def waiting_since(m: Mediation, role: Role) -> datetime | None:
    """Since when the step that waits on this role has waited (None when none does): the stage's
    start, or the latest move in it that handed the step to them."""
    step = pending_step(m, role)
    if step is None:
        return None
    since = m.stage_since()
    party = m.party(role)
    if step is Step.CHANGE_SHARING and party.intake_saved_at is not None:
        since = max(since, party.intake_saved_at)
    if m.stage is Stage.REFLECTION:
        for loop in m.loops:
            for round_ in loop.rounds:
                since = max(since, round_.submitted_at, round_.answered_at or since)
    return since


def offer_for(m: Mediation, role: Role, notice: Notice) -> Offer | None:
    """The step the message for `notice` offers `role` now, or None when it offers none."""
    by_state = notice in (Notice.NUDGED, Notice.STALLED)  # the step that waits on them now
    step = pending_step(m, role) if by_state else _BY_NOTICE.get(notice)
    if step is None:
        return None
    round_: int | None = None
    if step is Step.REFLECT:
        loop = m.loop_for_listener(role)
        round_ = len(loop.rounds) if loop else 0  # the next reflection is this round
    elif step is Step.ANSWER_REFLECTION:
        loop = m.loop_for_speaker(role)
        round_ = max(len(loop.rounds) - 1, 0) if loop else 0  # the latest reflection is answered
    return Offer(role=role, step=step, round=round_)


def step_done(m: Mediation, offer: Offer) -> Done | None:
    """None while the offered step is still open for that party; else what happened, and when.

    What the person did comes first ("you accepted"), then the mediation's end, then its moving on.
    Steps that keep no time of their own (a check-in, a repair choice, resuming, a follow-up answer)
    are dated by the mediation's last change: the adapter asks right after the change that did them.
    """
    done = _by_the_person(m, offer)
    if done is not None:
        return done
    if offer.step is Step.FOLLOW_UP:  # asked after the mediation closed: ends when the question does
        return None if m.follow_up_open else Done(kind=DoneKind.MOVED_ON, at=m.updated_at)
    if not m.is_open:
        ended = closed_at(m) or m.updated_at
        if offer.step is Step.ANSWER_INVITATION and m.outcome is Outcome.DECLINED:
            return Done(kind=DoneKind.DECLINED, at=ended)
        return Done(kind=DoneKind.ENDED, at=ended)
    stage = _STAGE.get(offer.step)
    if stage is not None and m.stage is not stage:
        return Done(kind=DoneKind.MOVED_ON, at=m.stage_since())
    if offer.step is Step.REFLECT or offer.step is Step.ANSWER_REFLECTION:
        listening = offer.step is Step.REFLECT
        loop = m.loop_for_listener(offer.role) if listening else m.loop_for_speaker(offer.role)
        if loop is not None and loop.status.ended:  # e.g. the facilitator moved on from it
            return Done(kind=DoneKind.MOVED_ON, at=m.updated_at)
    return None


def _by_the_person(m: Mediation, offer: Offer) -> Done | None:
    """What the person did about the step, if they did it."""
    party = m.party(offer.role)
    step = offer.step
    if step is Step.ANSWER_INVITATION and party.accepted_at is not None:
        return Done(kind=DoneKind.ACCEPTED, at=party.accepted_at)
    if step is Step.AGREE_RULES and party.ground_rules_at is not None:
        return Done(kind=DoneKind.AGREED, at=party.ground_rules_at)
    if step is Step.WRITE_ANSWERS and party.intake_complete and party.sharing_chosen_at is not None:
        return Done(kind=DoneKind.SHARED, at=party.sharing_chosen_at)
    if step is Step.CHANGE_SHARING and m.is_open and m.stage is not Stage.INTAKE:
        # both finished: what they chose is what the other reads
        return Done(kind=DoneKind.SHARED, at=party.sharing_chosen_at or m.stage_since())
    if step is Step.REFLECT:
        loop = m.loop_for_listener(offer.role)
        index = offer.round or 0
        if loop is not None and len(loop.rounds) > index:
            return Done(kind=DoneKind.REFLECTED, at=loop.rounds[index].submitted_at)
    if step is Step.ANSWER_REFLECTION:
        loop = m.loop_for_speaker(offer.role)
        index = offer.round or 0
        if loop is not None and len(loop.rounds) > index:
            answered = loop.rounds[index]
            if answered.answered_at is not None:
                kind = DoneKind.CONFIRMED if answered.verdict is Verdict.CONFIRMED else DoneKind.ADDED_MISSING
                return Done(kind=kind, at=answered.answered_at)
    if step is Step.CHECK_IN and party.check_in is not None:
        return Done(kind=DoneKind.CHECKED_IN, at=m.updated_at)
    if step is Step.REPAIR and party.ready_for_joint:
        return Done(kind=DoneKind.CHOSE, at=m.updated_at)
    if step is Step.RESUME and m.is_open and not m.paused:
        return Done(kind=DoneKind.RESUMED, at=m.updated_at)
    if step is Step.EXTEND and m.expiry_extended:
        return Done(kind=DoneKind.EXTENDED, at=m.updated_at)
    if step is Step.PAUSE_TALK and m.paused:
        return Done(kind=DoneKind.PAUSED, at=m.updated_at)
    if step is Step.PULSE and party.pulse is not None:
        return Done(kind=DoneKind.CHECKED_IN, at=m.updated_at)
    if step is Step.FOLLOW_UP and party.holding is not None:
        return Done(kind=DoneKind.ANSWERED, at=m.updated_at)
    safety = party.safety
    if step is Step.SAFETY_CHOICE and safety is not None and safety.choice is not None:
        return Done(kind=_SAFETY_DONE[safety.choice], at=safety.chosen_at or m.updated_at)
    if step is Step.SAFETY_GO_ON and safety is not None and not safety.pending:
        return Done(kind=DoneKind.WENT_ON, at=safety.chosen_at or m.updated_at)
    return None


_SAFETY_DONE = {
    SafetyOption.GO_ON: DoneKind.WENT_ON,
    SafetyOption.CONTACT_FIRST: DoneKind.CONTACT_FIRST,
    SafetyOption.PAUSE: DoneKind.PAUSED,
}
