"""Reflective listening: the order of the two directions, retries, the round limit and skipped directions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from flows import commands as c
from flows.definition import FlowDefinition
from flows.effects import Effect, Notice, Notify, RefreshHome
from flows.engine import Transition
from flows.errors import RefusalCode, Refused
from flows.models import LoopStatus, Mediation, Role, Share, Stage, Verdict

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ALICE, BOB = "UALICE", "UBOB"
INI, RES = Role.INITIATOR, Role.RESPONDENT
HOME = RefreshHome()
ALL = dict.fromkeys(("happened", "feelings", "needs", "requests"), Share.ALL)
USER = {INI: ALICE, RES: BOB}


def to(role: Role, notice: Notice, speaker: Role | None = None) -> Notify:
    return Notify(role=role, notice=notice, speaker=speaker)


def loop_pair(notice: Notice, speaker: Role) -> list[Effect]:
    return [to(speaker, notice, speaker), to(speaker.other, notice, speaker)]


def opens(speaker: Role) -> list[Effect]:
    """The effects of a direction becoming active: the listener is asked to reflect the speaker."""
    return [to(speaker.other, Notice.REFLECT), to(speaker, Notice.REFLECTION_WAITING)]


def statuses(m: Mediation) -> list[tuple[Role, LoopStatus]]:
    return [(lp.speaker, lp.status) for lp in m.loops]


# --- the round limit --------------------------------------------------------------------------------


@pytest.mark.parametrize("max_rounds", [1, 2, 3, 5, 10])
def test_each_partly_asks_again_until_the_limit_then_not_yet(
    max_rounds: int,
    variant: Callable[..., FlowDefinition],
    play_to: Callable[..., Mediation],
    step: Callable[..., Transition],
) -> None:
    d = variant(reflection={"max_rounds": max_rounds})
    m = play_to("reflection", d)
    for n in range(1, max_rounds + 1):
        t = step(m, c.SubmitReflection(actor=BOB, text=f"Attempt {n}"), d)
        assert t.effects == [to(INI, Notice.ANSWER_REFLECTION), HOME]
        t = step(t.mediation, c.AnswerReflection(actor=ALICE, confirmed=False, missing=f"Missing {n}"), d)
        m = t.mediation
        if n < max_rounds:
            assert t.effects == [to(RES, Notice.TRY_AGAIN), HOME]
            assert statuses(m) == [(INI, LoopStatus.WAITING_REFLECTION), (RES, LoopStatus.PENDING)]
    assert t.effects == [*loop_pair(Notice.LOOP_NOT_YET, INI), *opens(RES), HOME]
    assert statuses(m) == [(INI, LoopStatus.NOT_YET), (RES, LoopStatus.WAITING_REFLECTION)]
    loop = m.loops[0]
    assert [r.reflection for r in loop.rounds] == [f"Attempt {n}" for n in range(1, max_rounds + 1)]
    assert [r.verdict for r in loop.rounds] == [Verdict.PARTLY] * max_rounds
    assert loop.corrections() == [f"Missing {n}" for n in range(1, max_rounds + 1)]
    assert loop.confirmed_reflection is None
    # the listener may not try again once the direction has ended
    with pytest.raises(Refused) as caught:
        step(m, c.SubmitReflection(actor=BOB, text="One more"), d)
    assert caught.value.code is RefusalCode.ALREADY_DONE


@pytest.mark.parametrize("confirm_at", [1, 2, 3])
def test_confirming_on_any_round_ends_the_direction(
    confirm_at: int, play_to: Callable[..., Mediation], drive: Callable[..., Mediation]
) -> None:
    m = play_to("reflection")
    for n in range(1, confirm_at):
        m = drive(m, [c.SubmitReflection(actor=BOB, text=f"Try {n}")])
        m = drive(m, [c.AnswerReflection(actor=ALICE, confirmed=False, missing=f"Gap {n}")])
    m = drive(
        m, [c.SubmitReflection(actor=BOB, text="Got it"), c.AnswerReflection(actor=ALICE, confirmed=True)]
    )
    loop = m.loops[0]
    assert loop.status is LoopStatus.CONFIRMED
    assert loop.confirmed_reflection == "Got it"
    assert len(loop.rounds) == confirm_at
    assert loop.corrections() == [f"Gap {n}" for n in range(1, confirm_at)]
    assert m.loops[1].status is LoopStatus.WAITING_REFLECTION


def test_not_yet_in_the_second_direction_still_reaches_the_alliance(
    variant: Callable[..., FlowDefinition], play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    d = variant(reflection={"max_rounds": 1})
    m = play_to("reflection_second_answer", d)
    t = step(m, c.AnswerReflection(actor=BOB, confirmed=False, missing="That I was rushed."), d)
    assert t.effects == [
        *loop_pair(Notice.LOOP_NOT_YET, RES),
        to(INI, Notice.CHECK_IN),
        to(RES, Notice.CHECK_IN),
        HOME,
    ]
    assert t.mediation.stage is Stage.ALLIANCE
    assert statuses(t.mediation) == [(INI, LoopStatus.CONFIRMED), (RES, LoopStatus.NOT_YET)]


# --- order: sequential (either first speaker) and simultaneous ----------------------------------------


@pytest.mark.parametrize("first", [INI, RES], ids=["initiator-speaks-first", "respondent-speaks-first"])
def test_sequential_runs_one_direction_after_the_other(
    first: Role,
    variant: Callable[..., FlowDefinition],
    play_to: Callable[..., Mediation],
    step: Callable[..., Transition],
) -> None:
    d = variant(reflection={"first_speaker": first.value})
    m = play_to("reflection", d)
    second = first.other
    assert statuses(m) == [(first, LoopStatus.WAITING_REFLECTION), (second, LoopStatus.PENDING)]
    # the first speaker may neither reflect (their direction as listener has not begun) nor answer yet
    for command in (
        c.SubmitReflection(actor=USER[first], text="Too early"),
        c.AnswerReflection(actor=USER[first], confirmed=True),
    ):
        with pytest.raises(Refused) as caught:
            step(m, command, d)
        assert caught.value.code is RefusalCode.NOT_YOUR_TURN
    m = step(m, c.SubmitReflection(actor=USER[second], text="What I heard"), d).mediation
    t = step(m, c.AnswerReflection(actor=USER[first], confirmed=True), d)
    assert t.effects == [*loop_pair(Notice.LOOP_CONFIRMED, first), *opens(second), HOME]
    m = step(t.mediation, c.SubmitReflection(actor=USER[first], text="And what I heard"), d).mediation
    t = step(m, c.AnswerReflection(actor=USER[second], confirmed=True), d)
    assert t.mediation.stage is Stage.ALLIANCE
    assert t.effects == [
        *loop_pair(Notice.LOOP_CONFIRMED, second),
        to(INI, Notice.CHECK_IN),
        to(RES, Notice.CHECK_IN),
        HOME,
    ]


def test_simultaneous_opens_both_directions_at_once(
    variant: Callable[..., FlowDefinition], play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    d = variant(reflection={"order": "simultaneous"})
    m = play_to("intake_saved_both", d)
    t = step(m, c.ChooseSharing(actor=BOB, shares=ALL), d)
    assert t.effects == [*opens(INI), *opens(RES), HOME]
    assert statuses(t.mediation) == [
        (INI, LoopStatus.WAITING_REFLECTION),
        (RES, LoopStatus.WAITING_REFLECTION),
    ]


@pytest.mark.parametrize("first_to_finish", [INI, RES], ids=["alice-loop-ends-first", "bob-loop-ends-first"])
def test_simultaneous_moves_on_only_when_both_directions_end(
    first_to_finish: Role,
    variant: Callable[..., FlowDefinition],
    play_to: Callable[..., Mediation],
    drive: Callable[..., Mediation],
    step: Callable[..., Transition],
) -> None:
    d = variant(reflection={"order": "simultaneous"})
    m = play_to("reflection", d)
    # each party is a listener in one direction and a speaker in the other: both may reflect now
    m = drive(
        m,
        [
            c.SubmitReflection(actor=ALICE, text="Bob felt..."),
            c.SubmitReflection(actor=BOB, text="Alice felt..."),
        ],
        d,
    )
    assert statuses(m) == [(INI, LoopStatus.WAITING_ANSWER), (RES, LoopStatus.WAITING_ANSWER)]
    other = first_to_finish.other
    t = step(m, c.AnswerReflection(actor=USER[first_to_finish], confirmed=True), d)
    assert t.effects == [*loop_pair(Notice.LOOP_CONFIRMED, first_to_finish), HOME]
    assert t.mediation.stage is Stage.REFLECTION
    t = step(t.mediation, c.AnswerReflection(actor=USER[other], confirmed=False, missing="More"), d)
    assert t.effects == [to(first_to_finish, Notice.TRY_AGAIN), HOME]
    m = drive(t.mediation, [c.SubmitReflection(actor=USER[first_to_finish], text="Better")], d)
    t = step(m, c.AnswerReflection(actor=USER[other], confirmed=True), d)
    assert t.effects == [
        *loop_pair(Notice.LOOP_CONFIRMED, other),
        to(INI, Notice.CHECK_IN),
        to(RES, Notice.CHECK_IN),
        HOME,
    ]
    assert t.mediation.stage is Stage.ALLIANCE


@pytest.mark.parametrize(
    ("alice_shares", "bob_shares", "expected_effects", "expected_statuses"),
    [
        pytest.param(
            {},
            ALL,
            [*loop_pair(Notice.LOOP_SKIPPED, INI), *opens(RES), HOME],
            [(INI, LoopStatus.SKIPPED), (RES, LoopStatus.WAITING_REFLECTION)],
            id="alice-shared-nothing",
        ),
        pytest.param(
            ALL,
            {},
            [*opens(INI), *loop_pair(Notice.LOOP_SKIPPED, RES), HOME],
            [(INI, LoopStatus.WAITING_REFLECTION), (RES, LoopStatus.SKIPPED)],
            id="bob-shared-nothing",
        ),
        pytest.param(
            {},
            {},
            [
                *loop_pair(Notice.LOOP_SKIPPED, INI),
                *loop_pair(Notice.LOOP_SKIPPED, RES),
                to(INI, Notice.CHECK_IN),
                to(RES, Notice.CHECK_IN),
                HOME,
            ],
            [(INI, LoopStatus.SKIPPED), (RES, LoopStatus.SKIPPED)],
            id="nobody-shared-anything",
        ),
    ],
)
def test_simultaneous_skips_a_direction_with_nothing_shared(
    alice_shares: dict[str, Share],
    bob_shares: dict[str, Share],
    expected_effects: list[Effect],
    expected_statuses: list[tuple[Role, LoopStatus]],
    variant: Callable[..., FlowDefinition],
    play_to: Callable[..., Mediation],
    drive: Callable[..., Mediation],
    step: Callable[..., Transition],
) -> None:
    d = variant(reflection={"order": "simultaneous"})
    m = drive(play_to("intake_saved_both", d), [c.ChooseSharing(actor=ALICE, shares=alice_shares)], d)
    t = step(m, c.ChooseSharing(actor=BOB, shares=bob_shares), d)
    assert t.effects == expected_effects
    assert statuses(t.mediation) == expected_statuses


def test_sequential_skips_the_second_direction_when_it_comes_up(
    play_to: Callable[..., Mediation], drive: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    m = drive(play_to("intake_done_initiator"), [c.SaveIntake(actor=BOB, answers={k: "x" for k in ALL})])
    m = drive(m, [c.ChooseSharing(actor=BOB, shares={}), c.SubmitReflection(actor=BOB, text="You felt...")])
    t = step(m, c.AnswerReflection(actor=ALICE, confirmed=True))
    assert t.effects == [
        *loop_pair(Notice.LOOP_CONFIRMED, INI),
        *loop_pair(Notice.LOOP_SKIPPED, RES),
        to(INI, Notice.CHECK_IN),
        to(RES, Notice.CHECK_IN),
        HOME,
    ]
    assert t.mediation.stage is Stage.ALLIANCE


def test_a_summary_share_is_what_the_listener_reflects(
    play_to: Callable[..., Mediation], drive: Callable[..., Mediation]
) -> None:
    m = drive(
        play_to("intake_saved_initiator"),
        [
            c.ChooseSharing(
                actor=ALICE, shares={"needs": Share.SUMMARY}, summaries={"needs": "To be asked first."}
            )
        ],
    )
    assert m.initiator.shared_answers() == {"needs": "To be asked first."}
