"""Follow-up: some days after an agreement both are asked whether it holds; "no" reopens the joint
stage, two "yes" close it for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows import commands as c
from flows import engine
from flows.definition import FlowDefinition, load_builtin
from flows.effects import Notice, Notify, Schedule, Timer
from flows.errors import RefusalCode, Refused
from flows.models import JointKind, Mediation, Outcome, Role, Share, Stage

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PEER = load_builtin("peer")
A, B = "UANN", "UBOB"
ANSWERS = {"happened": "It happened.", "feelings": "Hurt.", "needs": "Respect.", "requests": "Ask me."}


def agreed(
    definition: FlowDefinition = PEER, outcome_items: int = 1, pending_items: int = 0
) -> tuple[Mediation, list[object]]:
    m = engine.start(
        c.Start(actor=A, respondent=B, topic="t"), definition, NOW, mediation_id="m", team="-.T"
    ).mediation
    steps: list[c.Command] = [c.Accept(actor=B), c.AgreeGroundRules(actor=A), c.AgreeGroundRules(actor=B)]
    for who in (A, B):
        steps += [
            c.SaveIntake(actor=who, answers=ANSWERS),
            c.ChooseSharing(actor=who, shares=dict.fromkeys(ANSWERS, Share.ALL)),
        ]
    steps += [
        c.SubmitReflection(actor=B, text="You felt hurt."),
        c.AnswerReflection(actor=A, confirmed=True),
        c.SubmitReflection(actor=A, text="Respect matters to you."),
        c.AnswerReflection(actor=B, confirmed=True),
        c.SubmitCheckIn(actor=A, scores=[10] * 4),
        c.SubmitCheckIn(actor=B, scores=[10] * 4),
        c.JointSpaceOpened(channel_id="G1", kind=JointKind.GROUP_DM),
    ]
    for i in range(outcome_items):
        steps += [
            c.ProposeItem(actor=A, who="Bob", what="Send notes."),
            c.AcceptItem(actor=B, item_id=f"i{i + 1}"),
        ]
    steps += [c.ProposeItem(actor=B, who="Ann", what="Ask first.") for _ in range(pending_items)]
    for step in steps:
        m = engine.apply(m, step, definition, NOW).mediation
    m = engine.apply(
        m, c.ProposeFinish(actor=A, outcome=engine.agreement_outcome(m)), definition, NOW
    ).mediation
    t = engine.apply(m, c.AnswerFinish(actor=B, proposal_id="f1", confirmed=True), definition, NOW)
    return t.mediation, list(t.effects)


def test_an_agreement_schedules_the_follow_up() -> None:
    m, effects = agreed()
    assert m.outcome is Outcome.AGREED
    assert Schedule(timer="follow_up", at=NOW + timedelta(days=14)) in effects


def test_no_agreement_means_no_follow_up() -> None:
    m, effects = agreed(outcome_items=0)
    assert m.outcome is Outcome.NO_AGREEMENT
    assert not any(isinstance(e, Schedule) and e.timer is Timer.FOLLOW_UP for e in effects)


def test_follow_up_days_zero_turns_it_off() -> None:
    data = PEER.model_dump()
    data["stages"][-1]["follow_up_days"] = 0
    _, effects = agreed(FlowDefinition.model_validate(data))
    assert not any(isinstance(e, Schedule) and e.timer is Timer.FOLLOW_UP for e in effects)


def test_both_holding_keeps_it_closed() -> None:
    m, _ = agreed()
    t = engine.apply(m, c.FollowUp(), PEER, NOW)
    assert t.effects[:2] == [
        Notify(role=Role.INITIATOR, notice=Notice.FOLLOW_UP),
        Notify(role=Role.RESPONDENT, notice=Notice.FOLLOW_UP),
    ]
    m = engine.apply(t.mediation, c.AnswerFollowUp(actor=A, holding=True), PEER, NOW).mediation
    assert m.follow_up_open
    t = engine.apply(m, c.AnswerFollowUp(actor=B, holding=True), PEER, NOW)
    assert t.mediation.stage is Stage.CLOSED and not t.mediation.follow_up_open
    assert Notify(role=Role.INITIATOR, notice=Notice.HOLDING) in t.effects


def test_not_holding_reopens_the_joint_stage() -> None:
    m, _ = agreed()
    m = engine.apply(m, c.FollowUp(), PEER, NOW).mediation
    t = engine.apply(m, c.AnswerFollowUp(actor=B, holding=False), PEER, NOW)
    assert t.mediation.stage is Stage.JOINT and t.mediation.outcome is None and t.mediation.is_open
    assert Notify(role=Role.INITIATOR, notice=Notice.REOPENED) in t.effects
    # and the conversation goes on where it was
    t = engine.apply(t.mediation, c.ProposeItem(actor=B, who="Ann", what="Check in weekly."), PEER, NOW)
    assert len(t.mediation.agreement) == 2


@pytest.mark.parametrize(
    ("setup", "command", "code"),
    [
        ("not_asked", c.AnswerFollowUp(actor=A, holding=True), RefusalCode.ALREADY_DONE),
        ("asked", c.AnswerFollowUp(actor="UMALLORY", holding=True), RefusalCode.NOT_A_PARTY),
        ("answered", c.AnswerFollowUp(actor=A, holding=False), RefusalCode.ALREADY_DONE),
        ("asked", c.FollowUp(), RefusalCode.ALREADY_DONE),
    ],
)
def test_follow_up_refusals(setup: str, command: c.Command, code: RefusalCode) -> None:
    m, _ = agreed()
    if setup != "not_asked":
        m = engine.apply(m, c.FollowUp(), PEER, NOW).mediation
    if setup == "answered":
        m = engine.apply(m, c.AnswerFollowUp(actor=A, holding=True), PEER, NOW).mediation
    with pytest.raises(Refused) as refused:
        engine.apply(m, command, PEER, NOW)
    assert refused.value.code is code


def test_other_commands_stay_refused_after_close() -> None:
    m, _ = agreed()
    with pytest.raises(Refused) as refused:
        engine.apply(m, c.ProposeItem(actor=A, who="x", what="y"), PEER, NOW)
    assert refused.value.code is RefusalCode.CLOSED


def test_items_withdrawn_at_the_close_stay_withdrawn_when_it_reopens() -> None:
    m, _ = agreed(pending_items=1)
    assert m.outcome is Outcome.PARTLY_AGREED and m.agreement[1].withdrawn_at == NOW
    m = engine.apply(m, c.FollowUp(), PEER, NOW).mediation
    m = engine.apply(m, c.AnswerFollowUp(actor=A, holding=False), PEER, NOW).mediation
    assert m.stage is Stage.JOINT
    with pytest.raises(Refused) as refused:
        engine.apply(m, c.AcceptItem(actor=A, item_id="i2"), PEER, NOW)
    assert refused.value.code is RefusalCode.ITEM_WITHDRAWN
    # The withdrawn item no longer counts: the one accepted item is the whole agreement.
    assert engine.agreement_outcome(m) is Outcome.AGREED
    assert engine.fitting_outcomes(m) == [Outcome.AGREED, Outcome.PARTLY_AGREED, Outcome.NO_AGREEMENT]
