"""After a safety signal nobody is pushed, and a person may delete their data: the engine's side.

A concern in a party's own words records that a choice is pending (the kinds, never the words) and asks
them privately; the joint stage does not open while it is pending. Going on opens it; a contact first or
a pause pauses the mediation, and everyone else learns only that it is paused at a participant's request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from flows import commands as c
from flows.definition import FlowDefinition, load_builtin
from flows.effects import Notice, Notify, NotifyFacilitator, OpenJointSpace, RefreshHome, Schedule, Timer
from flows.engine import apply, start, start_facilitated
from flows.erasure import ERASED
from flows.errors import RefusalCode, Refused
from flows.models import JointKind, Mediation, Outcome, Role, SafetyOption, Share, Stage
from flows.safety import Concern

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PURGE_LATER = Schedule(timer=Timer.PURGE, at=NOW + timedelta(days=180))
ALICE, BOB, MALLORY, HOST = "UALICE", "UBOB", "UMALLORY", "UHOST"
INI, RES = Role.INITIATOR, Role.RESPONDENT
ANSWERS = {
    "happened": "In Monday's stand-up my design was dropped without a word to me.",
    "feelings": "I felt hurt and a bit embarrassed.",
    "needs": "I need to be consulted about changes to my work.",
    "requests": "Would you tell me before the meeting next time?",
}
SIGNALLING = dict(ANSWERS, happened="He keeps making sexual comments about me in stand-up.")
ALL = dict.fromkeys(ANSWERS, Share.ALL)
HIGH = [10, 9, 9, 10]

# From Alice's signalling intake to the moment the joint stage would open.
TO_JOINT = [
    c.ChooseSharing(actor=ALICE, shares=ALL),
    c.SaveIntake(actor=BOB, answers=ANSWERS),
    c.ChooseSharing(actor=BOB, shares=ALL),
    c.SubmitReflection(actor=BOB, text="You felt hurt."),
    c.AnswerReflection(actor=ALICE, confirmed=True),
    c.SubmitReflection(actor=ALICE, text="You felt pressured."),
    c.AnswerReflection(actor=BOB, confirmed=True),
    c.SubmitCheckIn(actor=ALICE, scores=HIGH),
]
LAST_CHECK_IN = c.SubmitCheckIn(actor=BOB, scores=HIGH)


def to(role: Role, notice: Notice) -> Notify:
    return Notify(role=role, notice=notice)


def drive(m: Mediation, commands: list[c.Command], d: FlowDefinition) -> Mediation:
    for command in commands:
        m = apply(m, command, d, NOW).mediation
    return m


def refused(m: Mediation, command: c.Command, d: FlowDefinition) -> RefusalCode:
    with pytest.raises(Refused) as caught:
        apply(m, command, d, NOW)
    return caught.value.code


@pytest.fixture
def signalled(play_to: Callable[..., Mediation]) -> Mediation:
    """Alice's intake signalled harassment; she has not chosen yet."""
    return play_to("intake_signalled")


def test_a_concern_in_the_intake_records_a_pending_choice_and_asks_its_author_only(
    play_to: Callable[..., Mediation], peer: FlowDefinition
) -> None:
    t = apply(play_to("intake"), c.SaveIntake(actor=ALICE, answers=SIGNALLING), peer, NOW)
    safety = t.mediation.initiator.safety
    assert safety is not None and safety.concerns == [Concern.HARASSMENT] and safety.choice is None
    assert t.mediation.initiator.safety_pending and t.mediation.respondent.safety is None
    assert t.effects == [to(INI, Notice.SAFETY_CHOICE), RefreshHome()]
    # saving the same words again does not ask again; a new kind of concern does
    again = apply(t.mediation, c.SaveIntake(actor=ALICE, answers=SIGNALLING), peer, NOW)
    assert again.effects == [RefreshHome()]
    threat = dict(SIGNALLING, feelings="He threatened me after the review.")
    more = apply(t.mediation, c.SaveIntake(actor=ALICE, answers=threat), peer, NOW)
    assert more.effects == [to(INI, Notice.SAFETY_CHOICE), RefreshHome()]
    assert more.mediation.initiator.safety is not None
    assert more.mediation.initiator.safety.concerns == [Concern.HARASSMENT, Concern.THREAT]


def test_a_concern_in_the_start_asks_the_initiator(peer: FlowDefinition) -> None:
    command = c.Start(actor=ALICE, respondent=BOB, topic="what he threatened", hopes="To feel safe.")
    t = start(command, peer, NOW, mediation_id="M1", team="T1")
    assert t.mediation.initiator.safety is not None
    assert t.mediation.initiator.safety.concerns == [Concern.THREAT]
    assert to(INI, Notice.SAFETY_CHOICE) in t.effects
    assert not any(isinstance(e, Notify) and e.role is RES and "safety" in e.notice for e in t.effects)


def test_the_joint_stage_does_not_open_while_a_choice_is_pending(
    signalled: Mediation, peer: FlowDefinition
) -> None:
    m = drive(signalled, TO_JOINT, peer)
    t = apply(m, LAST_CHECK_IN, peer, NOW)
    held = t.mediation
    assert held.stage is Stage.ALLIANCE and held.joint_held and held.joint is None
    assert not any(isinstance(e, OpenJointSpace) for e in t.effects)
    # Alice is asked again; Bob learns only that it is paused at a participant's request
    assert t.effects == [to(INI, Notice.SAFETY_CHOICE), to(RES, Notice.PAUSED_BY_REQUEST), RefreshHome()]
    assert held.held_for_safety
    # Bob cannot push it on
    assert refused(held, c.Resume(actor=BOB), peer) is RefusalCode.ALREADY_DONE
    assert (
        refused(held, c.ChooseSafety(actor=BOB, choice=SafetyOption.GO_ON), peer) is RefusalCode.ALREADY_DONE
    )

    opened = apply(held, c.ChooseSafety(actor=ALICE, choice=SafetyOption.GO_ON), peer, NOW)
    assert opened.mediation.stage is Stage.JOINT and not opened.mediation.joint_held
    assert opened.effects == [
        to(RES, Notice.GOES_ON),
        OpenJointSpace(kind=JointKind.GROUP_DM),
        RefreshHome(),
    ]


def test_going_on_before_the_joint_stage_lets_it_open_as_usual(
    signalled: Mediation, peer: FlowDefinition
) -> None:
    t = apply(signalled, c.ChooseSafety(actor=ALICE, choice=SafetyOption.GO_ON), peer, NOW)
    assert t.effects == [RefreshHome()]  # nobody else learns anything
    assert not t.mediation.paused and not t.mediation.initiator.safety_pending
    m = drive(t.mediation, TO_JOINT, peer)
    opened = apply(m, LAST_CHECK_IN, peer, NOW)
    assert opened.mediation.stage is Stage.JOINT
    assert OpenJointSpace(kind=JointKind.GROUP_DM) in opened.effects
    assert refused(opened.mediation, c.ChooseSafety(actor=ALICE, choice=SafetyOption.GO_ON), peer) is (
        RefusalCode.ALREADY_DONE
    )


@pytest.mark.parametrize(
    ("choice", "own_notice"),
    [(SafetyOption.PAUSE, Notice.SAFETY_PAUSED), (SafetyOption.CONTACT_FIRST, Notice.SAFETY_CONTACTS)],
)
def test_a_pause_or_a_contact_first_pauses_until_they_go_on(
    signalled: Mediation, peer: FlowDefinition, choice: SafetyOption, own_notice: Notice
) -> None:
    t = apply(signalled, c.ChooseSafety(actor=ALICE, choice=choice), peer, NOW)
    m = t.mediation
    assert m.paused and m.initiator.safety_holding and m.initiator.safety_pending
    assert t.effects == [to(INI, own_notice), to(RES, Notice.PAUSED_BY_REQUEST), RefreshHome()]
    # Bob's steps wait, and he cannot resume what she paused
    assert refused(m, c.SaveIntake(actor=BOB, answers=ANSWERS), peer) is RefusalCode.PAUSED
    assert refused(m, c.Resume(actor=BOB), peer) is RefusalCode.HELD_BY_REQUEST
    # choosing again the same is a double click; the other holding choice changes only her own notice
    assert refused(m, c.ChooseSafety(actor=ALICE, choice=choice), peer) is RefusalCode.ALREADY_DONE
    other = SafetyOption.PAUSE if choice is SafetyOption.CONTACT_FIRST else SafetyOption.CONTACT_FIRST
    switched = apply(m, c.ChooseSafety(actor=ALICE, choice=other), peer, NOW)
    assert switched.mediation.paused and len(switched.effects) == 2  # her notice, App Home

    going = apply(m, c.ChooseSafety(actor=ALICE, choice=SafetyOption.GO_ON), peer, NOW)
    assert not going.mediation.paused and not going.mediation.initiator.safety_pending
    assert going.effects == [to(RES, Notice.GOES_ON), RefreshHome()]
    # her own Resume (App Home's button) is the same as going on
    resumed = apply(m, c.Resume(actor=ALICE), peer, NOW)
    assert resumed.effects == going.effects and resumed.mediation == going.mediation


def test_paused_before_the_joint_stage_then_going_on_opens_it(
    signalled: Mediation, peer: FlowDefinition
) -> None:
    m = drive(signalled, TO_JOINT, peer)
    held = apply(m, LAST_CHECK_IN, peer, NOW).mediation
    paused = apply(held, c.ChooseSafety(actor=ALICE, choice=SafetyOption.PAUSE), peer, NOW)
    assert paused.effects == [to(INI, Notice.SAFETY_PAUSED), RefreshHome()]  # Bob was already told
    opened = apply(paused.mediation, c.ChooseSafety(actor=ALICE, choice=SafetyOption.GO_ON), peer, NOW)
    assert opened.mediation.stage is Stage.JOINT and not opened.mediation.paused
    assert opened.effects == [to(RES, Notice.GOES_ON), OpenJointSpace(kind=JointKind.GROUP_DM), RefreshHome()]


def test_a_host_learns_only_that_it_is_paused_at_a_participants_request() -> None:
    d = load_builtin("facilitated")
    m = start_facilitated(
        c.StartFacilitated(actor=HOST, first=ALICE, second=BOB, topic="Stand-ups"),
        d,
        NOW,
        mediation_id="M2",
        team="T1",
    ).mediation
    m = drive(
        m,
        [
            c.Accept(actor=ALICE),
            c.Accept(actor=BOB),
            c.AgreeGroundRules(actor=ALICE),
            c.AgreeGroundRules(actor=BOB),
            c.SaveIntake(actor=BOB, answers=SIGNALLING),
        ],
        d,
    )
    t = apply(m, c.ChooseSafety(actor=BOB, choice=SafetyOption.PAUSE), d, NOW)
    assert t.effects == [
        to(RES, Notice.SAFETY_PAUSED),
        to(INI, Notice.PAUSED_BY_REQUEST),
        NotifyFacilitator(notice=Notice.PAUSED_BY_REQUEST),
        RefreshHome(),
    ]
    # the host cannot resume it either
    assert refused(t.mediation, c.Resume(actor=HOST), d) is RefusalCode.HELD_BY_REQUEST


def test_a_stranger_cannot_choose_for_them(signalled: Mediation, peer: FlowDefinition) -> None:
    for choice in SafetyOption:
        assert (
            refused(signalled, c.ChooseSafety(actor=MALLORY, choice=choice), peer) is RefusalCode.NOT_A_PARTY
        )


# --- delete my data ------------------------------------------------------------------------------


def test_erasing_an_open_mediation_closes_it_and_keeps_only_the_other_persons_words(
    play_to: Callable[..., Mediation], peer: FlowDefinition
) -> None:
    m = play_to("reflection_partly")  # Alice wrote answers and a correction; Bob a reflection
    t = apply(m, c.EraseMyData(actor=ALICE), peer, NOW)
    e = t.mediation
    assert not e.is_open and e.outcome is Outcome.CANCELLED and e.closed_reason == "data_erased"
    assert e.initiator.erased_at == NOW and e.initiator.safety is None
    assert {a.text for a in e.initiator.answers.values()} == {ERASED}
    assert e.hopes is None and e.topic == ERASED  # Alice started it: the topic is her words
    assert e.loops[0].rounds[0].missing == ERASED  # her correction
    assert e.loops[0].rounds[0].reflection == "You felt left out."  # Bob's reflection stays
    assert e.respondent.answers == m.respondent.answers
    # Bob is told only that it closed at a participant's request
    assert t.effects == [to(RES, Notice.CLOSED_BY_REQUEST), PURGE_LATER, RefreshHome()]
    assert refused(e, c.EraseMyData(actor=ALICE), peer) is RefusalCode.ALREADY_DONE
    assert refused(e, c.EraseMyData(actor=MALLORY), peer) is RefusalCode.NOT_A_PARTY
    # Bob may delete his too, later
    assert apply(e, c.EraseMyData(actor=BOB), peer, NOW).mediation.respondent.erased_at == NOW


def test_erasing_a_closed_mediation_tells_nobody_and_stops_the_follow_up(
    play_to: Callable[..., Mediation], peer: FlowDefinition
) -> None:
    m = play_to("finished")
    t = apply(m, c.EraseMyData(actor=BOB), peer, NOW)
    assert t.effects == [RefreshHome()]
    e = t.mediation
    assert e.outcome is Outcome.AGREED  # how it ended stays
    assert e.topic == m.topic  # Alice's topic: not Bob's words
    assert e.loops[0].rounds[0].reflection == ERASED  # Bob reflected Alice: his words
    assert e.loops[1].rounds[0].reflection == m.loops[1].rounds[0].reflection  # Alice's stay
    assert e.agreement[0].what == m.agreement[0].what  # Alice proposed it
    assert refused(e, c.FollowUp(), peer) is RefusalCode.ALREADY_DONE


def test_a_host_topic_stays_when_a_party_erases() -> None:
    d = load_builtin("facilitated")
    m = start_facilitated(
        c.StartFacilitated(actor=HOST, first=ALICE, second=BOB, topic="Stand-ups"),
        d,
        NOW,
        mediation_id="M3",
        team="T1",
    ).mediation
    t = apply(m, c.EraseMyData(actor=ALICE), d, NOW)
    assert t.mediation.topic == "Stand-ups"
    assert t.effects == [
        to(RES, Notice.CLOSED_BY_REQUEST),
        NotifyFacilitator(notice=Notice.CLOSED_BY_REQUEST),
        PURGE_LATER,
        RefreshHome(),
    ]


def test_erasing_while_paused_for_safety_closes_it(signalled: Mediation, peer: FlowDefinition) -> None:
    paused = apply(signalled, c.ChooseSafety(actor=ALICE, choice=SafetyOption.PAUSE), peer, NOW).mediation
    e = apply(paused, c.EraseMyData(actor=ALICE), peer, NOW).mediation
    assert not e.is_open and not e.paused and e.initiator.safety is None and not e.held_for_safety
