"""Every timer is an engine command: what it does at each point, that it does nothing once the
mediation moved on, and that a notice due in someone's quiet hours waits for their next working hour.

The peer definition as built in (a step stalls after 48 hours; a check-in 7 days into the
conversation). Alice works in London, Bob in New York, both 08:00-20:00 on weekdays.
NOW is Monday 2 March 2026, 09:30 UTC: 09:30 for Alice, 04:30 for Bob (quiet until 13:00 UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flows import commands as c
from flows.definition import FlowDefinition, load_builtin
from flows.effects import Effect, Notice, Notify, NotifyFacilitator, RefreshHome, Schedule, Timer
from flows.engine import Transition, apply, start_facilitated
from flows.errors import RefusalCode, Refused
from flows.hours import PersonTime
from flows.models import JointKind, Mediation, Outcome, Role, Stage

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ALICE, BOB, MAYA = "UALICE", "UBOB", "UMAYA"
INI, RES = Role.INITIATOR, Role.RESPONDENT
HOME = RefreshHome()
PEOPLE = {ALICE: PersonTime(tz="Europe/London"), BOB: PersonTime(tz="America/New_York")}
BOB_MORNING = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 08:00 in New York (EST)
BOB_MONDAY = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # 08:00 in New York, summer time since the 8th
HIGH = [10, 9, 9, 10]
LOW = [10, 10, 10, 8]
X = RefusalCode


def at(hours: float = 0, days: float = 0) -> datetime:
    return NOW + timedelta(hours=hours, days=days)


def to(role: Role, notice: Notice, by: str | None = None) -> Notify:
    return Notify(role=role, notice=notice, by=by)


def sched(timer: Timer, when: datetime) -> Schedule:
    return Schedule(timer=timer, at=when)


@pytest.fixture
def builtin() -> FlowDefinition:
    return load_builtin("peer")


@dataclass
class Case:
    """From `point` (then `given`, each applied at NOW), `command` at `when` gives `effects` (or is
    refused with `code`), and the mediation then has `expect` (dotted paths)."""

    id: str
    point: str
    command: c.Command
    when: datetime = NOW
    effects: list[Effect] | None = None
    code: RefusalCode | None = None
    given: list[tuple[c.Command, datetime]] = field(default_factory=list)
    expect: dict[str, Any] = field(default_factory=dict)


def remind(people: dict[str, PersonTime] | None = None) -> c.Remind:
    return c.Remind(people=people or {})


CASES = [
    # --- the invitation's reminder ----------------------------------------------------------------
    Case("remind", "invitation", remind(), at(24), [to(RES, Notice.REMINDER), HOME],
         expect={"timer_log.remind:respondent": at(24)}),
    Case("remind-waits-for-bobs-morning", "invitation", remind(PEOPLE), NOW,
         [sched(Timer.REMINDER, BOB_MORNING)], expect={"timer_log": {}}),
    Case("remind-in-bobs-morning", "invitation", remind(PEOPLE), BOB_MORNING,
         [to(RES, Notice.REMINDER), HOME]),
    Case("remind-once", "invitation", remind(), at(25), code=X.ALREADY_DONE, given=[(remind(), at(24))]),
    Case("remind-after-accepting", "ground_rules", remind(), at(24), code=X.ALREADY_DONE),
    Case("remind-after-declining", "declined", remind(), at(24), code=X.ALREADY_DONE),
    # --- the last day announced, extended once, then the expiry -----------------------------------
    Case("warn", "invitation", c.WarnExpiry(), at(days=6),
         [to(RES, Notice.EXPIRY_WARNING), to(INI, Notice.EXPIRY_SOON), HOME]),
    # Sunday 8 March: nobody works; Monday 08:00 in London first, then Bob's 08:00 (now EDT)
    Case("warn-on-a-sunday-waits-for-monday", "invitation", c.WarnExpiry(people=PEOPLE), at(days=6),
         [sched(Timer.EXPIRY_WARNING, datetime(2026, 3, 9, 8, 0, tzinfo=UTC))]),
    Case("warn-monday-alice-first", "invitation", c.WarnExpiry(people=PEOPLE),
         datetime(2026, 3, 9, 8, 0, tzinfo=UTC),
         [to(INI, Notice.EXPIRY_SOON), sched(Timer.EXPIRY_WARNING, BOB_MONDAY), HOME]),
    Case("warn-too-early", "invitation", c.WarnExpiry(), at(days=5), code=X.ALREADY_DONE),
    Case("warn-after-accepting", "ground_rules", c.WarnExpiry(), at(days=6), code=X.ALREADY_DONE),
    Case("extend", "invitation", c.ExtendInvitation(actor=ALICE), at(days=6),
         [to(INI, Notice.EXTENDED), sched(Timer.EXPIRE, at(days=14)),
          sched(Timer.EXPIRY_WARNING, at(days=13)), HOME],
         expect={"expires_at": at(days=14), "expiry_extended": True}),
    Case("extend-once", "invitation", c.ExtendInvitation(actor=ALICE), at(days=6), code=X.EXTENDED_ONCE,
         given=[(c.ExtendInvitation(actor=ALICE), at(days=6))]),
    Case("extend-is-not-bobs", "invitation", c.ExtendInvitation(actor=BOB), code=X.NOT_YOUR_STEP),
    Case("extend-after-accepting", "ground_rules", c.ExtendInvitation(actor=ALICE), code=X.WRONG_STAGE),
    Case("warn-after-extending-offers-no-second-extension", "invitation", c.WarnExpiry(), at(days=13),
         [to(RES, Notice.EXPIRY_WARNING), HOME], given=[(c.ExtendInvitation(actor=ALICE), at(days=6))]),
    Case("expire", "invitation", c.Expire(), at(days=7),
         [to(INI, Notice.EXPIRED), sched(Timer.PURGE, at(days=187)), HOME],
         expect={"stage": Stage.CLOSED, "outcome": Outcome.EXPIRED}),
    # the expiry set before the extension does nothing; the new one closes it
    Case("expire-set-before-extending", "invitation", c.Expire(), at(days=7), code=X.ALREADY_DONE,
         given=[(c.ExtendInvitation(actor=ALICE), at(days=6))]),
    Case("expire-waits-for-alices-morning", "invitation", c.Expire(people=PEOPLE), at(days=7, hours=-3),
         [sched(Timer.EXPIRE, at(days=7, hours=-1.5))], expect={"stage": Stage.INVITATION}),
    Case("expire-after-accepting", "ground_rules", c.Expire(), at(days=7), code=X.ALREADY_DONE),
    # --- a stalled step ----------------------------------------------------------------------------
    Case("stalled-not-yet", "ground_rules", c.Stalled(), at(47), [sched(Timer.STALLED, at(48))]),
    # both still have to agree: each gets the one kind reminder, nobody is told "nothing to do"
    Case("stalled-both", "ground_rules", c.Stalled(), at(48),
         [to(INI, Notice.STALLED), to(RES, Notice.STALLED), HOME]),
    Case("stalled-one", "ground_rules_initiator", c.Stalled(), at(48),
         [to(RES, Notice.STALLED), to(INI, Notice.STALLED_OTHER, by=BOB), HOME]),
    Case("stalled-once", "ground_rules_initiator", c.Stalled(), at(72), code=X.ALREADY_DONE,
         given=[(c.Stalled(), at(48))]),
    Case("stalled-waits-for-bob", "ground_rules_initiator", c.Stalled(people=PEOPLE), at(48),
         [sched(Timer.STALLED, datetime(2026, 3, 4, 13, 0, tzinfo=UTC))]),
    Case("stalled-note-waits-for-alice", "ground_rules_initiator", c.Stalled(people=PEOPLE),
         datetime(2026, 3, 4, 20, 30, tzinfo=UTC),  # 15:30 for Bob, 20:30 for Alice
         [to(RES, Notice.STALLED), sched(Timer.STALLED, datetime(2026, 3, 5, 8, 0, tzinfo=UTC)), HOME]),
    Case("stalled-in-the-invitation", "invitation", c.Stalled(), at(days=3), code=X.ALREADY_DONE),
    Case("stalled-while-paused", "intake", c.Stalled(), at(days=3), code=X.PAUSED,
         given=[(c.Pause(actor=ALICE), NOW)]),
    # Alice saved her answers 12 hours in: her wait (to choose what to share) starts again from there
    Case("stalled-after-moving-on", "intake", c.Stalled(), at(48),
         [to(RES, Notice.STALLED), sched(Timer.STALLED, at(60)), HOME],
         given=[(c.SaveIntake(actor=ALICE, answers={"happened": "x", "feelings": "x", "needs": "x",
                                                     "requests": "x"}), at(12))]),
    # --- check-ins during the conversation ---------------------------------------------------------
    Case("check-in", "joint", c.CheckIn(), at(days=7),
         [to(INI, Notice.PULSE), to(RES, Notice.PULSE), sched(Timer.CHECK_IN, at(days=14)), HOME],
         expect={"pulse_round": 1}),
    # 9 March: New York is on summer time since the 8th, so Bob's 08:00 is 12:00 UTC
    Case("check-in-waits-for-bob", "joint", c.CheckIn(people=PEOPLE), at(days=7),
         [to(INI, Notice.PULSE), sched(Timer.CHECK_IN, at(days=7, hours=2.5)), HOME]),
    Case("check-in-bob-later", "joint", c.CheckIn(people=PEOPLE), at(days=7, hours=2.5),
         [to(RES, Notice.PULSE), sched(Timer.CHECK_IN, at(days=14, hours=2.5)), HOME],
         given=[(c.CheckIn(people=PEOPLE), at(days=7))], expect={"pulse_round": 1}),
    Case("check-in-while-paused", "joint", c.CheckIn(), at(days=7), [sched(Timer.CHECK_IN, at(days=14))],
         given=[(c.Pause(actor=BOB), NOW)]),
    Case("check-in-before-the-conversation", "alliance", c.CheckIn(), code=X.ALREADY_DONE),
    Case("check-in-answered", "joint", c.SubmitCheckIn(actor=ALICE, scores=HIGH), at(days=7),
         [to(INI, Notice.PULSE_THANKS), HOME], given=[(c.CheckIn(), at(days=7))],
         expect={"initiator.pulse": HIGH}),
    Case("check-in-low", "joint", c.SubmitCheckIn(actor=BOB, scores=LOW), at(days=7),
         [to(RES, Notice.PULSE_LOW), HOME], given=[(c.CheckIn(), at(days=7))]),
    Case("check-in-twice", "joint", c.SubmitCheckIn(actor=BOB, scores=LOW), at(days=7), code=X.ALREADY_DONE,
         given=[(c.CheckIn(), at(days=7)), (c.SubmitCheckIn(actor=BOB, scores=HIGH), at(days=7))]),
    Case("check-in-not-asked", "joint", c.SubmitCheckIn(actor=BOB, scores=HIGH), code=X.NOT_YOUR_TURN),
    # --- the follow-up and the purge ---------------------------------------------------------------
    Case("follow-up-waits-for-bob", "finished", c.FollowUp(people=PEOPLE), at(days=14),
         [to(INI, Notice.FOLLOW_UP), sched(Timer.FOLLOW_UP, at(days=14, hours=2.5)), HOME],
         expect={"follow_up_open": True}),
    Case("follow-up-bob-later", "finished", c.FollowUp(people=PEOPLE), at(days=14, hours=2.5),
         [to(RES, Notice.FOLLOW_UP), HOME], given=[(c.FollowUp(people=PEOPLE), at(days=14))]),
    Case("follow-up-once", "finished", c.FollowUp(), at(days=15), code=X.ALREADY_DONE,
         given=[(c.FollowUp(), at(days=14))]),
    Case("follow-up-open", "joint", c.FollowUp(), at(days=14), code=X.ALREADY_DONE),
    Case("purge", "finished", c.Purge(), at(days=180), [], expect={"topic": "—", "purged_at": at(days=180)}),
    Case("purge-once", "finished", c.Purge(), at(days=181), code=X.ALREADY_DONE,
         given=[(c.Purge(), at(days=180))]),
    Case("purge-open", "joint", c.Purge(), at(days=180), code=X.ALREADY_DONE),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[k.id for k in CASES])
def test_timer(
    case: Case,
    builtin: FlowDefinition,
    play_to: Callable[..., Mediation],
    check: Callable[[Mediation, dict[str, Any]], None],
) -> None:
    m = play_to(case.point)
    for command, when in case.given:
        m = apply(m, command, builtin, when).mediation
    if case.code is not None:
        before = m.model_dump()
        with pytest.raises(Refused) as refused:
            apply(m, case.command, builtin, case.when)
        assert refused.value.code is case.code
        assert m.model_dump() == before
        return
    t = apply(m, case.command, builtin, case.when)
    assert t.effects == case.effects
    check(t.mediation, case.expect)


def test_every_timer_kind_has_its_command() -> None:
    assert set(c.TIMER_COMMANDS) == set(Timer)
    assert all(command.timer is kind for kind, command in c.TIMER_COMMANDS.items())


def test_a_step_that_starts_plans_one_look_for_a_stall(
    builtin: FlowDefinition, play_to: Callable[..., Mediation]
) -> None:
    t = apply(play_to("invitation"), c.Accept(actor=BOB), builtin, NOW)
    assert sched(Timer.STALLED, at(48)) in t.effects
    assert t.mediation.stall_check_at == at(48)
    # within the stage, the look already planned comes in time: nothing more is scheduled
    later = apply(t.mediation, c.AgreeGroundRules(actor=ALICE), builtin, at(5))
    assert not any(isinstance(e, Schedule) for e in later.effects)
    # a resume starts the wait again: no nudge straight after a pause
    paused = apply(later.mediation, c.Pause(actor=ALICE), builtin, at(6))
    resumed = apply(paused.mediation, c.Resume(actor=ALICE), builtin, at(100))
    assert sched(Timer.STALLED, at(148)) in resumed.effects


def test_the_conversation_opening_sets_its_first_check_in(
    builtin: FlowDefinition, play_to: Callable[..., Mediation]
) -> None:
    opened = c.JointSpaceOpened(channel_id="G1", kind=JointKind.GROUP_DM)
    t = apply(play_to("joint_opening"), opened, builtin, NOW)
    assert sched(Timer.CHECK_IN, at(days=7)) in t.effects


def test_a_close_schedules_the_purge_after_the_retention_given(
    builtin: FlowDefinition, play_to: Callable[..., Mediation]
) -> None:
    t = apply(play_to("intake"), c.Cancel(actor=ALICE), builtin, NOW, retention_days=30)
    assert sched(Timer.PURGE, at(days=30)) in t.effects


def _facilitated(builtin: FlowDefinition) -> Transition:
    command = c.StartFacilitated(actor=MAYA, first=ALICE, second=BOB, topic="Rota")
    return start_facilitated(command, builtin, NOW, mediation_id="M2", team="T1")


def test_in_a_facilitated_mediation_the_host_extends_and_both_invited_are_reminded(
    builtin: FlowDefinition,
) -> None:
    m = _facilitated(builtin).mediation
    reminded = apply(m, c.Remind(), builtin, at(24))
    assert reminded.effects == [to(INI, Notice.REMINDER), to(RES, Notice.REMINDER), HOME]
    warned = apply(m, c.WarnExpiry(), builtin, at(days=6))
    assert warned.effects[-2:] == [NotifyFacilitator(notice=Notice.EXPIRY_SOON), HOME]
    with pytest.raises(Refused) as refused:
        apply(m, c.ExtendInvitation(actor=ALICE), builtin, at(days=6))
    assert refused.value.code is X.NOT_THE_FACILITATOR
    extended = apply(m, c.ExtendInvitation(actor=MAYA), builtin, at(days=6))
    assert extended.effects[0] == NotifyFacilitator(notice=Notice.EXTENDED)
