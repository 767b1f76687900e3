"""The facilitated flow: a facilitator hosts, both parties are invited, and only the facilitator may
nudge, move on, choose the joint space or end with an outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows import commands as c
from flows import engine
from flows.definition import load_builtin
from flows.effects import (
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
)
from flows.errors import FieldProblem, RefusalCode, Refused
from flows.models import FinishStatus, JointKind, LoopStatus, Mediation, Outcome, Role, Share, Stage

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
FAC = "UMAYA"
A, B, X = "UANN", "UBOB", "UMALLORY"
FLOW = load_builtin("facilitated")
ANSWERS = {"happened": "It happened.", "feelings": "Hurt.", "needs": "Respect.", "requests": "Ask me."}


def started() -> Mediation:
    cmd = c.StartFacilitated(actor=FAC, first=A, second=B, topic="the rota")
    return engine.start_facilitated(cmd, FLOW, NOW, mediation_id="m1", team="-.T").mediation


def run(m: Mediation, *commands: c.Command) -> Mediation:
    for command in commands:
        m = engine.apply(m, command, FLOW, NOW).mediation
    return m


def at(point: str) -> Mediation:
    m = started()
    steps: list[c.Command] = [c.Accept(actor=A), c.Accept(actor=B)]
    if point == "ground_rules":
        return run(m, *steps)
    steps += [c.AgreeGroundRules(actor=A), c.AgreeGroundRules(actor=B)]
    for who in (A, B):
        steps += [
            c.SaveIntake(actor=who, answers=ANSWERS),
            c.ChooseSharing(actor=who, shares=dict.fromkeys(ANSWERS, Share.ALL)),
        ]
    if point == "reflection":
        return run(m, *steps)
    steps += [
        c.SubmitReflection(actor=B, text="You felt hurt."),
        c.AnswerReflection(actor=A, confirmed=True),
        c.SubmitReflection(actor=A, text="You need respect."),
        c.AnswerReflection(actor=B, confirmed=True),
    ]
    if point == "alliance":
        return run(m, *steps)
    steps += [c.SubmitCheckIn(actor=A, scores=[10] * 4), c.SubmitCheckIn(actor=B, scores=[10] * 4)]
    return run(m, *steps)  # "joint"


@pytest.mark.parametrize(
    ("first", "second", "topic", "code", "fields"),
    [
        (FAC, B, "the rota", RefusalCode.FACILITATOR_IS_PARTY, {}),
        (A, FAC, "the rota", RefusalCode.FACILITATOR_IS_PARTY, {}),
        (A, A, "the rota", RefusalCode.SELF, {}),
        (A, B, "  ", RefusalCode.INVALID_INPUT, {"topic": FieldProblem.EMPTY}),
        (A, B, "t" * 151, RefusalCode.INVALID_INPUT, {"topic": FieldProblem.TOO_LONG}),
    ],
    ids=["facilitator-first", "facilitator-second", "same-person", "blank-topic", "long-topic"],
)
def test_start_refusals(
    first: str, second: str, topic: str, code: RefusalCode, fields: dict[str, FieldProblem]
) -> None:
    cmd = c.StartFacilitated(actor=FAC, first=first, second=second, topic=topic)
    with pytest.raises(Refused) as refused:
        engine.start_facilitated(cmd, FLOW, NOW, mediation_id="m1", team="-.T")
    assert (refused.value.code, refused.value.fields) == (code, fields)


def test_start_invites_both_and_tells_the_facilitator() -> None:
    cmd = c.StartFacilitated(actor=FAC, first=A, second=B, topic="the rota")
    t = engine.start_facilitated(cmd, FLOW, NOW, mediation_id="m1", team="-.T")
    assert t.mediation.facilitator == FAC and t.mediation.flow == "facilitated"
    assert t.effects[:3] == [
        Notify(role=Role.INITIATOR, notice=Notice.INVITATION),
        Notify(role=Role.RESPONDENT, notice=Notice.INVITATION),
        NotifyFacilitator(notice=Notice.INVITATION_SENT),
    ]
    assert all(p.accepted_at is None for p in t.mediation.parties)


def test_both_parties_must_accept() -> None:
    m = run(started(), c.Accept(actor=B))
    assert m.stage is Stage.INVITATION
    with pytest.raises(Refused) as again:
        engine.apply(m, c.Accept(actor=B), FLOW, NOW)
    assert again.value.code is RefusalCode.ALREADY_DONE
    t = engine.apply(m, c.Accept(actor=A), FLOW, NOW)
    assert t.mediation.stage is Stage.GROUND_RULES
    assert NotifyFacilitator(notice=Notice.ACCEPTED, by=A) in t.effects  # the host reads who accepted


@pytest.mark.parametrize("who", [A, B])
def test_either_may_decline(who: str) -> None:
    t = engine.apply(started(), c.Decline(actor=who), FLOW, NOW)
    assert t.mediation.outcome is Outcome.DECLINED
    other = Role.RESPONDENT if who == A else Role.INITIATOR
    assert Notify(role=other, notice=Notice.DECLINED, by=who) in t.effects
    assert NotifyFacilitator(notice=Notice.DECLINED, by=who) in t.effects


FACILITATOR_COMMANDS = [
    c.NudgeParty(actor=FAC, role=Role.RESPONDENT),
    c.MoveOn(actor=FAC, reason="Three tries; let's keep going."),
    c.ChooseJointSpace(actor=FAC, kind=JointKind.PRIVATE_CHANNEL),
    c.EndWithOutcome(actor=FAC, outcome=Outcome.NO_AGREEMENT),
]


@pytest.mark.parametrize("command", FACILITATOR_COMMANDS, ids=lambda cmd: type(cmd).__name__)
@pytest.mark.parametrize("who", [A, B, X])
def test_only_the_facilitator_may_use_facilitator_commands(command: c.Command, who: str) -> None:
    with pytest.raises(Refused) as refused:
        engine.apply(at("reflection"), command.model_copy(update={"actor": who}), FLOW, NOW)
    assert refused.value.code is RefusalCode.NOT_THE_FACILITATOR


@pytest.mark.parametrize(
    "command",
    [
        c.AgreeGroundRules(actor=FAC),
        c.Cancel(actor=FAC),
        c.SubmitReflection(actor=FAC, text="x"),
        c.Accept(actor=FAC),
    ],
    ids=lambda cmd: type(cmd).__name__,
)
def test_the_facilitator_cannot_act_for_a_party(command: c.Command) -> None:
    with pytest.raises(Refused) as refused:
        engine.apply(at("ground_rules"), command, FLOW, NOW)
    assert refused.value.code is RefusalCode.NOT_A_PARTY


def test_facilitator_commands_in_a_peer_mediation_are_refused() -> None:
    peer = load_builtin("peer")
    m = engine.start(
        c.Start(actor=A, respondent=B, topic="x"), peer, NOW, mediation_id="m2", team="-.T"
    ).mediation
    with pytest.raises(Refused) as refused:
        engine.apply(m, c.NudgeParty(actor=A, role=Role.RESPONDENT), peer, NOW)
    assert refused.value.code is RefusalCode.NOT_THE_FACILITATOR


def test_nudge_reminds_the_party() -> None:
    t = engine.apply(at("ground_rules"), c.NudgeParty(actor=FAC, role=Role.RESPONDENT), FLOW, NOW)
    assert t.effects[0] == Notify(role=Role.RESPONDENT, notice=Notice.NUDGED)
    assert t.mediation.stage is Stage.GROUND_RULES


def test_facilitator_pauses_and_resumes_and_both_parties_are_told() -> None:
    t = engine.apply(at("reflection"), c.Pause(actor=FAC), FLOW, NOW)
    assert t.mediation.paused
    assert [e for e in t.effects if isinstance(e, Notify)] == [
        Notify(role=Role.INITIATOR, notice=Notice.PAUSED, by=FAC),
        Notify(role=Role.RESPONDENT, notice=Notice.PAUSED, by=FAC),
    ]
    t = engine.apply(t.mediation, c.Resume(actor=FAC), FLOW, NOW)
    assert not t.mediation.paused
    assert [e for e in t.effects if isinstance(e, Notify)] == [
        Notify(role=Role.INITIATOR, notice=Notice.RESUMED, by=FAC),
        Notify(role=Role.RESPONDENT, notice=Notice.RESUMED, by=FAC),
    ]


def test_a_party_pausing_tells_the_other_and_the_facilitator() -> None:
    t = engine.apply(at("reflection"), c.Pause(actor=A), FLOW, NOW)
    assert Notify(role=Role.RESPONDENT, notice=Notice.PAUSED, by=A) in t.effects
    assert Notify(role=Role.INITIATOR, notice=Notice.PAUSED, by=A) in t.effects  # with a Resume button
    assert NotifyFacilitator(notice=Notice.PAUSED, by=A) in t.effects


def test_move_on_from_a_stuck_loop_with_a_reason() -> None:
    m = run(at("reflection"), c.SubmitReflection(actor=B, text="You felt hurt."))
    t = engine.apply(m, c.MoveOn(actor=FAC, reason="We have tried; let's keep going."), FLOW, NOW)
    loops = t.mediation.loops
    assert loops[0].status is LoopStatus.NOT_YET and loops[0].moved_on == "We have tried; let's keep going."
    assert Notify(role=Role.INITIATOR, notice=Notice.MOVED_ON) in t.effects
    # The move applies to every direction still running; the stage moves on when all have ended.
    assert t.mediation.stage is Stage.ALLIANCE


@pytest.mark.parametrize(
    ("point", "reason", "code"),
    [("reflection", " ", RefusalCode.INVALID_INPUT), ("ground_rules", "ok", RefusalCode.WRONG_STAGE)],
)
def test_move_on_refusals(point: str, reason: str, code: RefusalCode) -> None:
    with pytest.raises(Refused) as refused:
        engine.apply(at(point), c.MoveOn(actor=FAC, reason=reason), FLOW, NOW)
    assert refused.value.code is code


@pytest.mark.parametrize(
    ("kind", "channel", "expected"),
    [
        (JointKind.GROUP_DM, None, OpenJointSpace(kind=JointKind.GROUP_DM)),
        (JointKind.PRIVATE_CHANNEL, "CIGNORED", OpenJointSpace(kind=JointKind.PRIVATE_CHANNEL)),
        (JointKind.THREAD, "C123", OpenJointSpace(kind=JointKind.THREAD, channel_id="C123")),
    ],
)
def test_the_chosen_joint_space_opens(kind: JointKind, channel: str | None, expected: OpenJointSpace) -> None:
    m = run(at("alliance"), c.ChooseJointSpace(actor=FAC, kind=kind, channel_id=channel))
    t = engine.apply(m, c.SubmitCheckIn(actor=A, scores=[10] * 4), FLOW, NOW)
    t = engine.apply(t.mediation, c.SubmitCheckIn(actor=B, scores=[10] * 4), FLOW, NOW)
    assert expected in t.effects


def test_thread_needs_a_channel() -> None:
    with pytest.raises(Refused) as refused:
        engine.apply(at("alliance"), c.ChooseJointSpace(actor=FAC, kind=JointKind.THREAD), FLOW, NOW)
    assert refused.value.fields == {"channel": FieldProblem.EMPTY}


def test_joint_space_opened_in_a_thread_keeps_its_root() -> None:
    m = at("joint")
    t = engine.apply(
        m, c.JointSpaceOpened(channel_id="C1", kind=JointKind.THREAD, thread_ts="1.2"), FLOW, NOW
    )
    assert t.mediation.joint is not None and t.mediation.joint.thread_ts == "1.2"
    assert t.effects[0] == PostToJoint(post=JointPost.SUMMARY)


# --- the host's End: only outcomes that fit the stage and the agreement items ---------------------

REASON = "They both asked for more time apart first."


def joint_with(items: str) -> Mediation:
    """The joint stage, its space open, with agreement items: none, pending, accepted or mixed."""
    m = run(at("joint"), c.JointSpaceOpened(channel_id="G1", kind=JointKind.GROUP_DM))
    if items in ("pending", "accepted", "mixed"):
        m = run(m, c.ProposeItem(actor=A, who="Bob", what="Send the rota on Fridays."))
    if items in ("accepted", "mixed"):
        m = run(m, c.AcceptItem(actor=B, item_id="i1"))
    if items == "mixed":
        m = run(m, c.ProposeItem(actor=B, who="Ann", what="Ask before swapping shifts."))
    return m


def end_from(point: str) -> Mediation:
    if point == "invitation":
        return started()
    if point.startswith("joint:"):
        return joint_with(point.removeprefix("joint:"))
    return at(point)


EARLY = ["invitation", "ground_rules", "reflection", "alliance"]
ALL_ACCEPTED, ONE_ACCEPTED = RefusalCode.OUTCOME_NEEDS_ALL_ACCEPTED, RefusalCode.OUTCOME_NEEDS_ACCEPTED_ITEM
AGREED, PARTLY, NONE = Outcome.AGREED, Outcome.PARTLY_AGREED, Outcome.NO_AGREEMENT

# (where, outcome, reason) -> the outcome recorded, or the refusal (code, fields)
END_CASES: list[tuple[str, Outcome, str | None, Outcome | tuple[RefusalCode, dict[str, FieldProblem]]]] = [
    *[(p, NONE, REASON, NONE) for p in EARLY],
    *[(p, NONE, None, (RefusalCode.INVALID_INPUT, {"reason": FieldProblem.EMPTY})) for p in EARLY],
    ("reflection", NONE, "   ", (RefusalCode.INVALID_INPUT, {"reason": FieldProblem.EMPTY})),
    ("alliance", NONE, "x" * 501, (RefusalCode.INVALID_INPUT, {"reason": FieldProblem.TOO_LONG})),
    *[(p, AGREED, REASON, (ALL_ACCEPTED, {})) for p in EARLY],
    *[(p, PARTLY, REASON, (ONE_ACCEPTED, {})) for p in EARLY],
    *[
        (p, o, REASON, (RefusalCode.OUTCOME_NOT_ALLOWED, {}))
        for p in ("reflection", "joint:accepted")
        for o in (Outcome.CANCELLED, Outcome.DECLINED, Outcome.EXPIRED, Outcome.ESCALATED)
    ],
    ("joint:none", AGREED, None, (ALL_ACCEPTED, {})),
    ("joint:none", PARTLY, None, (ONE_ACCEPTED, {})),
    ("joint:none", NONE, None, NONE),
    ("joint:pending", AGREED, None, (ALL_ACCEPTED, {})),
    ("joint:pending", PARTLY, None, (ONE_ACCEPTED, {})),
    ("joint:pending", NONE, None, NONE),
    ("joint:accepted", AGREED, None, AGREED),
    ("joint:accepted", PARTLY, REASON, PARTLY),
    ("joint:accepted", NONE, None, NONE),
    ("joint:mixed", AGREED, None, (ALL_ACCEPTED, {})),
    ("joint:mixed", PARTLY, None, PARTLY),
    ("joint:mixed", NONE, None, NONE),
    ("joint:none", NONE, "x" * 501, (RefusalCode.INVALID_INPUT, {"reason": FieldProblem.TOO_LONG})),
]


@pytest.mark.parametrize(
    ("point", "outcome", "reason", "expected"),
    END_CASES,
    ids=[
        f"{p}-{o.value}-{'reason' if r and r.strip() else 'no-reason'}-{i}"
        for i, (p, o, r, _) in enumerate(END_CASES)
    ],
)
def test_end_by_stage(
    point: str,
    outcome: Outcome,
    reason: str | None,
    expected: Outcome | tuple[RefusalCode, dict[str, FieldProblem]],
) -> None:
    m = end_from(point)
    command = c.EndWithOutcome(actor=FAC, outcome=outcome, reason=reason)
    if isinstance(expected, tuple):
        snapshot = m.model_dump()
        with pytest.raises(Refused) as refused:
            engine.apply(m, command, FLOW, NOW)
        assert (refused.value.code, refused.value.fields) == expected
        assert m.model_dump() == snapshot
        return
    t = engine.apply(m, command, FLOW, NOW)
    assert (t.mediation.stage, t.mediation.outcome, t.mediation.closed_reason) == (
        Stage.CLOSED,
        expected,
        "ended_by_facilitator",
    )
    assert t.mediation.end_reason == (reason.strip() if reason else None)
    assert [i.withdrawn_at for i in t.mediation.agreement] == [
        None if i.accepted else NOW for i in m.agreement
    ]
    closed = [Notify(role=r, notice=Notice.CLOSED) for r in (Role.INITIATOR, Role.RESPONDENT)]
    final = [PostToJoint(post=JointPost.FINAL)] if m.joint else []
    withdrawn = [UpdatePosted(ref=f"item:{i.id}") for i in m.agreement if i.pending]
    follow_up = (
        [Schedule(timer="follow_up", at=NOW + timedelta(days=14))] if expected in (AGREED, PARTLY) else []
    )
    purge = Schedule(timer=Timer.PURGE, at=NOW + timedelta(days=180))
    assert t.effects == [*withdrawn, *final, *closed, *follow_up, purge, RefreshHome()]


def test_end_settles_an_open_proposal_to_finish() -> None:
    m = run(joint_with("accepted"), c.ProposeFinish(actor=A, outcome=AGREED))
    t = engine.apply(m, c.EndWithOutcome(actor=FAC, outcome=PARTLY), FLOW, NOW)
    assert t.mediation.finish_proposals[0].status is FinishStatus.CLOSED
    assert t.effects[0] == UpdatePosted(ref="finish:f1")


def test_finishing_together_tells_the_host() -> None:
    m = run(joint_with("accepted"), c.ProposeFinish(actor=B, outcome=AGREED))
    t = engine.apply(m, c.AnswerFinish(actor=A, proposal_id="f1", confirmed=True), FLOW, NOW)
    assert t.mediation.outcome is AGREED
    assert NotifyFacilitator(notice=Notice.CLOSED) in t.effects


def test_the_host_cannot_propose_or_confirm_a_finish() -> None:
    m = run(joint_with("accepted"), c.ProposeFinish(actor=B, outcome=AGREED))
    for command in (
        c.ProposeFinish(actor=FAC, outcome=AGREED),
        c.AnswerFinish(actor=FAC, proposal_id="f1", confirmed=True),
        c.WithdrawFinish(actor=FAC, proposal_id="f1"),
    ):
        with pytest.raises(Refused) as refused:
            engine.apply(m, command, FLOW, NOW)
        assert refused.value.code is RefusalCode.NOT_A_PARTY
