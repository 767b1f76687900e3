"""Every refusal of the engine: from a point, a command → Refused(code, fields), and nothing changes.

Also ownership (strangers, the wrong party, the wrong turn), stale commands (wrong stage), what a paused
mediation refuses, and that a closed mediation refuses everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flows import commands as c
from flows.definition import FlowDefinition
from flows.engine import ITEM_WHAT_MAX, ITEM_WHO_MAX, ITEMS_MAX, MISSING_MAX, Transition
from flows.errors import FieldProblem, RefusalCode, Refused
from flows.models import JointKind, Mediation, Outcome, Role, SafetyOption, Share

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
ALICE, BOB, MALLORY = "UALICE", "UBOB", "UMALLORY"
ANSWERS = {
    "happened": "In Monday's stand-up my design was dropped without a word to me.",
    "feelings": "I felt hurt and a bit embarrassed.",
    "needs": "I need to be consulted about changes to my work.",
    "requests": "Would you tell me before the meeting next time?",
}
ALL = dict.fromkeys(ANSWERS, Share.ALL)
HIGH = [10, 9, 9, 10]
LONG = "x" * 1501  # one over the peer flow's 1500-character answers and reflections

P = FieldProblem
X = RefusalCode
AGREED, PARTLY, NONE = Outcome.AGREED, Outcome.PARTLY_AGREED, Outcome.NO_AGREEMENT


@dataclass(frozen=True)
class Case:
    id: str
    point: str
    command: c.Command
    code: RefusalCode
    fields: dict[str, FieldProblem] = field(default_factory=dict)
    given: tuple[c.Command, ...] = ()
    defn: dict[str, Any] = field(default_factory=dict)


def _items(n: int) -> tuple[c.Command, ...]:
    return tuple(c.ProposeItem(actor=ALICE if i % 2 else BOB, who="Bob", what=f"Step {i}") for i in range(n))


CASES = [
    # --- invitation ------------------------------------------------------------------------------
    Case("initiator-accepts", "invitation", c.Accept(actor=ALICE), X.NOT_YOUR_STEP),
    Case("initiator-postpones", "invitation", c.Postpone(actor=ALICE), X.NOT_YOUR_STEP),
    Case("initiator-declines", "invitation", c.Decline(actor=ALICE), X.NOT_YOUR_STEP),
    Case("postpone-twice", "postponed", c.Postpone(actor=BOB), X.ALREADY_DONE),
    Case("accept-again", "ground_rules", c.Accept(actor=BOB), X.WRONG_STAGE),
    Case("postpone-after-accepting", "ground_rules", c.Postpone(actor=BOB), X.WRONG_STAGE),
    Case("decline-after-accepting", "intake", c.Decline(actor=BOB), X.WRONG_STAGE),
    Case("expire-after-accepting", "ground_rules", c.Expire(), X.ALREADY_DONE),
    Case("expire-in-joint", "joint", c.Expire(), X.ALREADY_DONE),
    Case("pause-an-invitation", "invitation", c.Pause(actor=ALICE), X.WRONG_STAGE),
    Case("respondent-pauses-an-invitation", "postponed", c.Pause(actor=BOB), X.WRONG_STAGE),
    Case("resume-an-invitation", "invitation", c.Resume(actor=BOB), X.ALREADY_DONE),
    # --- ground rules ----------------------------------------------------------------------------
    Case("ground-rules-twice", "ground_rules_initiator", c.AgreeGroundRules(actor=ALICE), X.ALREADY_DONE),
    Case("ground-rules-before-accepting", "invitation", c.AgreeGroundRules(actor=ALICE), X.WRONG_STAGE),
    Case("ground-rules-in-intake", "intake", c.AgreeGroundRules(actor=BOB), X.WRONG_STAGE),
    # --- intake ----------------------------------------------------------------------------------
    Case(
        "intake-empty-answer",
        "intake",
        c.SaveIntake(actor=ALICE, answers={**ANSWERS, "happened": ""}),
        X.INVALID_INPUT,
        {"happened": P.EMPTY},
    ),
    Case(
        "intake-blank-answer",
        "intake",
        c.SaveIntake(actor=ALICE, answers={**ANSWERS, "feelings": " \n "}),
        X.INVALID_INPUT,
        {"feelings": P.EMPTY},
    ),
    Case(
        "intake-missing-answer",
        "intake",
        c.SaveIntake(actor=BOB, answers={k: v for k, v in ANSWERS.items() if k != "requests"}),
        X.INVALID_INPUT,
        {"requests": P.EMPTY},
    ),
    Case(
        "intake-answer-too-long",
        "intake",
        c.SaveIntake(actor=ALICE, answers={**ANSWERS, "needs": LONG}),
        X.INVALID_INPUT,
        {"needs": P.TOO_LONG},
    ),
    Case(
        "intake-limit-follows-the-definition",
        "intake",
        c.SaveIntake(actor=ALICE, answers={**ANSWERS, "needs": "n" * 51}),
        X.INVALID_INPUT,
        {"needs": P.TOO_LONG},
        defn={
            "intake": {
                "questions": [
                    {"key": "happened", "label": "What happened?"},
                    {"key": "feelings", "label": "How did it feel?"},
                    {"key": "needs", "label": "What matters?", "max_length": 50},
                    {"key": "requests", "label": "What would you like?"},
                ]
            }
        },
    ),
    Case(
        "intake-unknown-key",
        "intake",
        c.SaveIntake(actor=ALICE, answers={**ANSWERS, "mood": "grumpy"}),
        X.INVALID_INPUT,
        {"mood": P.UNKNOWN},
    ),
    Case(
        "intake-every-problem-at-once",
        "intake",
        c.SaveIntake(actor=ALICE, answers={"happened": "", "feelings": LONG, "needs": "ok", "x": "y"}),
        X.INVALID_INPUT,
        {"happened": P.EMPTY, "feelings": P.TOO_LONG, "requests": P.EMPTY, "x": P.UNKNOWN},
    ),
    Case(
        "intake-before-ground-rules",
        "ground_rules_initiator",
        c.SaveIntake(actor=ALICE, answers=ANSWERS),
        X.WRONG_STAGE,
    ),
    Case("intake-during-reflection", "reflection", c.SaveIntake(actor=ALICE, answers=ANSWERS), X.WRONG_STAGE),
    Case(
        "share-before-saving",
        "intake_saved_initiator",
        c.ChooseSharing(actor=BOB, shares=ALL),
        X.NOT_YOUR_TURN,
    ),
    Case(
        "share-summary-without-text",
        "intake_saved_initiator",
        c.ChooseSharing(actor=ALICE, shares={"happened": Share.SUMMARY}),
        X.INVALID_INPUT,
        {"summary:happened": P.EMPTY},
    ),
    Case(
        "share-summary-blank",
        "intake_saved_initiator",
        c.ChooseSharing(actor=ALICE, shares={"needs": Share.SUMMARY}, summaries={"needs": "   "}),
        X.INVALID_INPUT,
        {"summary:needs": P.EMPTY},
    ),
    Case(
        "share-summary-too-long",
        "intake_saved_initiator",
        c.ChooseSharing(actor=ALICE, shares={"needs": Share.SUMMARY}, summaries={"needs": LONG}),
        X.INVALID_INPUT,
        {"summary:needs": P.TOO_LONG},
    ),
    Case(
        "share-unknown-key",
        "intake_saved_initiator",
        c.ChooseSharing(actor=ALICE, shares={**ALL, "mood": Share.ALL}),
        X.INVALID_INPUT,
        {"mood": P.UNKNOWN},
    ),
    Case("share-during-reflection", "reflection", c.ChooseSharing(actor=ALICE, shares=ALL), X.WRONG_STAGE),
    Case("share-before-intake", "ground_rules", c.ChooseSharing(actor=ALICE, shares=ALL), X.WRONG_STAGE),
    # --- reflection (sequential, initiator speaks first: Bob listens first) ------------------------
    Case("speaker-reflects", "reflection", c.SubmitReflection(actor=ALICE, text="You..."), X.NOT_YOUR_TURN),
    Case(
        "listener-answers",
        "reflection_answer",
        c.AnswerReflection(actor=BOB, confirmed=True),
        X.NOT_YOUR_TURN,
    ),
    Case(
        "speaker-answers-before-a-reflection",
        "reflection",
        c.AnswerReflection(actor=ALICE, confirmed=True),
        X.NOT_YOUR_TURN,
    ),
    Case(
        "speaker-answers-while-the-listener-tries-again",
        "reflection_partly",
        c.AnswerReflection(actor=ALICE, confirmed=True),
        X.NOT_YOUR_TURN,
    ),
    Case(
        "reflection-empty",
        "reflection",
        c.SubmitReflection(actor=BOB, text=" "),
        X.INVALID_INPUT,
        {"reflection": P.EMPTY},
    ),
    Case(
        "reflection-too-long",
        "reflection",
        c.SubmitReflection(actor=BOB, text=LONG),
        X.INVALID_INPUT,
        {"reflection": P.TOO_LONG},
    ),
    Case(
        "reflection-limit-follows-the-definition",
        "reflection",
        c.SubmitReflection(actor=BOB, text="r" * 51),
        X.INVALID_INPUT,
        {"reflection": P.TOO_LONG},
        defn={"reflection": {"max_length": 50}},
    ),
    Case(
        "reflect-twice-before-an-answer",
        "reflection_answer",
        c.SubmitReflection(actor=BOB, text="Again"),
        X.ALREADY_DONE,
    ),
    Case(
        "reflect-again-after-confirmation",
        "reflection_second",
        c.SubmitReflection(actor=BOB, text="Again"),
        X.ALREADY_DONE,
    ),
    Case(
        "answer-again-after-confirming",
        "reflection_second",
        c.AnswerReflection(actor=ALICE, confirmed=True),
        X.ALREADY_DONE,
    ),
    Case(
        "partly-without-what-is-missing",
        "reflection_answer",
        c.AnswerReflection(actor=ALICE, confirmed=False),
        X.INVALID_INPUT,
        {"missing": P.EMPTY},
    ),
    Case(
        "partly-with-blank-missing",
        "reflection_answer",
        c.AnswerReflection(actor=ALICE, confirmed=False, missing="  "),
        X.INVALID_INPUT,
        {"missing": P.EMPTY},
    ),
    Case(
        "partly-missing-too-long",
        "reflection_answer",
        c.AnswerReflection(actor=ALICE, confirmed=False, missing="m" * (MISSING_MAX + 1)),
        X.INVALID_INPUT,
        {"missing": P.TOO_LONG},
    ),
    Case("reflect-in-intake", "intake_saved_both", c.SubmitReflection(actor=BOB, text="t"), X.WRONG_STAGE),
    Case("reflect-in-alliance", "alliance", c.SubmitReflection(actor=BOB, text="t"), X.WRONG_STAGE),
    Case(
        "answer-in-alliance",
        "alliance",
        c.AnswerReflection(actor=ALICE, confirmed=True),
        X.WRONG_STAGE,
    ),
    Case(
        "listener-of-a-skipped-direction-reflects",
        "intake_saved_both",
        c.SubmitReflection(actor=BOB, text="t"),
        X.ALREADY_DONE,
        given=(c.ChooseSharing(actor=ALICE, shares={}), c.ChooseSharing(actor=BOB, shares=ALL)),
    ),
    # --- alliance --------------------------------------------------------------------------------
    Case(
        "check-in-too-few-scores",
        "alliance",
        c.SubmitCheckIn(actor=ALICE, scores=[10, 10, 10]),
        X.INVALID_INPUT,
        {"scores": P.EMPTY},
    ),
    Case(
        "check-in-too-many-scores",
        "alliance",
        c.SubmitCheckIn(actor=ALICE, scores=[10, 10, 10, 10, 10]),
        X.INVALID_INPUT,
        {"scores": P.EMPTY},
    ),
    Case(
        "check-in-no-scores",
        "alliance",
        c.SubmitCheckIn(actor=ALICE, scores=[]),
        X.INVALID_INPUT,
        {"scores": P.EMPTY},
    ),
    Case(
        "check-in-out-of-range",
        "alliance",
        c.SubmitCheckIn(actor=BOB, scores=[11, 10, -1, 10]),
        X.INVALID_INPUT,
        {"item0": P.OUT_OF_RANGE, "item2": P.OUT_OF_RANGE},
    ),
    Case(
        "check-in-twice",
        "alliance_initiator_ready",
        c.SubmitCheckIn(actor=ALICE, scores=HIGH),
        X.ALREADY_DONE,
    ),
    Case(
        "check-in-twice-after-low",
        "alliance_initiator_low",
        c.SubmitCheckIn(actor=ALICE, scores=HIGH),
        X.ALREADY_DONE,
    ),
    Case("check-in-in-reflection", "reflection", c.SubmitCheckIn(actor=ALICE, scores=HIGH), X.WRONG_STAGE),
    # in the conversation a check-in is answered only once one was asked (test_engine_timers.py)
    Case("check-in-in-joint", "joint", c.SubmitCheckIn(actor=ALICE, scores=HIGH), X.NOT_YOUR_TURN),
    Case(
        "repair-before-checking-in",
        "alliance",
        c.ChooseRepair(actor=ALICE, choice=c.Repair.CONTINUE),
        X.NOT_YOUR_TURN,
    ),
    Case(
        "repair-after-a-high-check-in",
        "alliance_initiator_ready",
        c.ChooseRepair(actor=ALICE, choice=c.Repair.STOP),
        X.ALREADY_DONE,
    ),
    Case(
        "repair-twice",
        "alliance_initiator_low",
        c.ChooseRepair(actor=ALICE, choice=c.Repair.PAUSE),
        X.ALREADY_DONE,
        given=(c.ChooseRepair(actor=ALICE, choice=c.Repair.CONTINUE),),
    ),
    Case(
        "repair-by-the-party-who-was-not-low",
        "alliance_initiator_low",
        c.ChooseRepair(actor=BOB, choice=c.Repair.CONTINUE),
        X.NOT_YOUR_TURN,
    ),
    Case("repair-in-joint", "joint", c.ChooseRepair(actor=ALICE, choice=c.Repair.STOP), X.WRONG_STAGE),
    # --- pause / resume ----------------------------------------------------------------------------
    Case("pause-twice", "intake", c.Pause(actor=BOB), X.ALREADY_DONE, given=(c.Pause(actor=ALICE),)),
    Case("resume-when-running", "reflection", c.Resume(actor=ALICE), X.ALREADY_DONE),
    Case("pause-after-repair-pause", "alliance_repair_paused", c.Pause(actor=BOB), X.ALREADY_DONE),
    # --- joint -----------------------------------------------------------------------------------
    Case(
        "joint-space-before-joint",
        "alliance_initiator_ready",
        c.JointSpaceOpened(channel_id="G1", kind=JointKind.GROUP_DM),
        X.WRONG_STAGE,
    ),
    Case(
        "joint-space-twice",
        "joint",
        c.JointSpaceOpened(channel_id="G2", kind=JointKind.GROUP_DM),
        X.ALREADY_DONE,
    ),
    Case(
        "item-empty",
        "joint",
        c.ProposeItem(actor=ALICE, who=" ", what=""),
        X.INVALID_INPUT,
        {"who": P.EMPTY, "what": P.EMPTY},
    ),
    Case(
        "item-too-long",
        "joint",
        c.ProposeItem(actor=ALICE, who="w" * (ITEM_WHO_MAX + 1), what="x" * (ITEM_WHAT_MAX + 1)),
        X.INVALID_INPUT,
        {"who": P.TOO_LONG, "what": P.TOO_LONG},
    ),
    Case(
        "item-by-when-in-the-past",
        "joint",
        c.ProposeItem(actor=BOB, who="Bob", what="Send it", by_when=TODAY - timedelta(days=1)),
        X.INVALID_INPUT,
        {"by_when": P.IN_THE_PAST},
    ),
    Case(
        "item-every-problem-at-once",
        "joint",
        c.ProposeItem(actor=BOB, who="", what="x" * (ITEM_WHAT_MAX + 1), by_when=TODAY - timedelta(days=30)),
        X.INVALID_INPUT,
        {"who": P.EMPTY, "what": P.TOO_LONG, "by_when": P.IN_THE_PAST},
    ),
    Case(
        "too-many-items",
        "joint",
        c.ProposeItem(actor=ALICE, who="Bob", what="One more"),
        X.TOO_MANY_ITEMS,
        given=_items(ITEMS_MAX),
    ),
    Case("item-in-alliance", "alliance", c.ProposeItem(actor=ALICE, who="Bob", what="x"), X.WRONG_STAGE),
    Case("accept-own-item", "joint_item", c.AcceptItem(actor=ALICE, item_id="i1"), X.OWN_ITEM),
    Case("accept-unknown-item", "joint_item", c.AcceptItem(actor=BOB, item_id="i9"), X.ITEM_NOT_FOUND),
    Case("accept-item-twice", "joint_agreed", c.AcceptItem(actor=BOB, item_id="i1"), X.ALREADY_DONE),
    Case(
        "proposer-accepts-an-agreed-item",
        "joint_agreed",
        c.AcceptItem(actor=ALICE, item_id="i1"),
        X.ALREADY_DONE,
    ),
    Case("accept-item-in-alliance", "alliance", c.AcceptItem(actor=BOB, item_id="i1"), X.WRONG_STAGE),
    # --- finishing together ----------------------------------------------------------------------
    Case(
        "finish-in-alliance",
        "alliance_initiator_ready",
        c.ProposeFinish(actor=ALICE, outcome=NONE),
        X.WRONG_STAGE,
    ),
    Case("finish-in-intake", "intake", c.ProposeFinish(actor=BOB, outcome=NONE), X.WRONG_STAGE),
    Case(
        "agreed-with-a-pending-item",
        "joint_item",
        c.ProposeFinish(actor=ALICE, outcome=AGREED),
        X.OUTCOME_NEEDS_ALL_ACCEPTED,
    ),
    Case(
        "agreed-with-one-item-of-two-accepted",
        "joint_agreed",
        c.ProposeFinish(actor=BOB, outcome=AGREED),
        X.OUTCOME_NEEDS_ALL_ACCEPTED,
        given=(c.ProposeItem(actor=BOB, who="Alice", what="Flag concerns early."),),
    ),
    Case(
        "agreed-without-items",
        "joint",
        c.ProposeFinish(actor=BOB, outcome=AGREED),
        X.OUTCOME_NEEDS_ALL_ACCEPTED,
    ),
    Case(
        "partly-without-an-accepted-item",
        "joint_item",
        c.ProposeFinish(actor=BOB, outcome=PARTLY),
        X.OUTCOME_NEEDS_ACCEPTED_ITEM,
    ),
    Case(
        "partly-without-items",
        "joint",
        c.ProposeFinish(actor=ALICE, outcome=PARTLY),
        X.OUTCOME_NEEDS_ACCEPTED_ITEM,
    ),
    Case(
        "finish-as-declined",
        "joint",
        c.ProposeFinish(actor=ALICE, outcome=Outcome.DECLINED),
        X.OUTCOME_NOT_ALLOWED,
    ),
    Case(
        "finish-as-cancelled",
        "joint",
        c.ProposeFinish(actor=ALICE, outcome=Outcome.CANCELLED),
        X.OUTCOME_NOT_ALLOWED,
    ),
    Case(
        "finish-as-escalated",
        "joint",
        c.ProposeFinish(actor=BOB, outcome=Outcome.ESCALATED),
        X.OUTCOME_NOT_ALLOWED,
    ),
    Case(
        "propose-while-the-other-proposed",
        "joint_finish_proposed",
        c.ProposeFinish(actor=BOB, outcome=AGREED),
        X.FINISH_AWAITS_YOU,
    ),
    Case(
        "confirm-ones-own-proposal",
        "joint_finish_proposed",
        c.AnswerFinish(actor=ALICE, proposal_id="f1", confirmed=True),
        X.OWN_FINISH,
    ),
    Case(
        "not-yet-to-ones-own-proposal",
        "joint_finish_proposed",
        c.AnswerFinish(actor=ALICE, proposal_id="f1", confirmed=False),
        X.OWN_FINISH,
    ),
    Case(
        "confirm-without-a-proposal",
        "joint",
        c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=True),
        X.FINISH_NOT_OPEN,
    ),
    Case(
        "confirm-an-unknown-proposal",
        "joint_finish_proposed",
        c.AnswerFinish(actor=BOB, proposal_id="f9", confirmed=True),
        X.FINISH_NOT_OPEN,
    ),
    Case(
        "confirm-a-replaced-proposal",
        "joint_finish_proposed",
        c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=True),
        X.FINISH_NOT_OPEN,
        given=(c.ProposeFinish(actor=ALICE, outcome=PARTLY),),
    ),
    Case(
        "confirm-after-not-yet",
        "joint_finish_proposed",
        c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=True),
        X.FINISH_NOT_OPEN,
        given=(c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=False),),
    ),
    Case(
        "confirm-after-the-items-changed",
        "joint_finish_proposed",
        c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=True),
        X.FINISH_NOT_OPEN,
        given=(c.ProposeItem(actor=BOB, who="Alice", what="Flag concerns early."),),
    ),
    Case(
        "withdraw-someone-elses-proposal",
        "joint_finish_proposed",
        c.WithdrawFinish(actor=BOB, proposal_id="f1"),
        X.NOT_YOUR_STEP,
    ),
    Case(
        "withdraw-twice",
        "joint_finish_proposed",
        c.WithdrawFinish(actor=ALICE, proposal_id="f1"),
        X.FINISH_NOT_OPEN,
        given=(c.WithdrawFinish(actor=ALICE, proposal_id="f1"),),
    ),
]


def _before(
    case_point: str,
    given: tuple[c.Command, ...],
    defn: dict[str, Any],
    peer: FlowDefinition,
    variant: Callable[..., FlowDefinition],
    play_to: Callable[..., Mediation],
    drive: Callable[..., Mediation],
) -> tuple[Mediation, FlowDefinition]:
    d = variant(**defn) if defn else peer
    return drive(play_to(case_point, d), given, d), d


def assert_refused(
    step: Callable[..., Transition],
    m: Mediation,
    command: c.Command,
    code: RefusalCode,
    fields: dict[str, FieldProblem] | None = None,
    definition: FlowDefinition | None = None,
) -> None:
    """The command is refused with exactly this code and these field problems, and `m` is untouched."""
    snapshot = m.model_dump()
    with pytest.raises(Refused) as caught:
        step(m, command, definition)
    assert (caught.value.code, caught.value.fields) == (code, fields or {})
    assert caught.value.silent is (code is RefusalCode.ALREADY_DONE)
    assert m.model_dump() == snapshot


@pytest.mark.parametrize("case", CASES, ids=[k.id for k in CASES])
def test_refusal(
    case: Case,
    peer: FlowDefinition,
    variant: Callable[..., FlowDefinition],
    play_to: Callable[..., Mediation],
    drive: Callable[..., Mediation],
    step: Callable[..., Transition],
) -> None:
    m, d = _before(case.point, case.given, case.defn, peer, variant, play_to, drive)
    assert_refused(step, m, case.command, case.code, case.fields, d)


# --- ownership: a stranger is refused everything, wherever the mediation stands -----------------------

STRANGER_COMMANDS = [
    c.Accept(actor=MALLORY),
    c.Postpone(actor=MALLORY),
    c.Decline(actor=MALLORY),
    c.AgreeGroundRules(actor=MALLORY),
    c.SaveIntake(actor=MALLORY, answers=ANSWERS),
    c.ChooseSharing(actor=MALLORY, shares=ALL),
    c.SubmitReflection(actor=MALLORY, text="You felt left out."),
    c.AnswerReflection(actor=MALLORY, confirmed=True),
    c.SubmitCheckIn(actor=MALLORY, scores=HIGH),
    c.ChooseRepair(actor=MALLORY, choice=c.Repair.STOP),
    c.Pause(actor=MALLORY),
    c.Resume(actor=MALLORY),
    c.ProposeItem(actor=MALLORY, who="Bob", what="Quit"),
    c.AcceptItem(actor=MALLORY, item_id="i1"),
    c.ProposeFinish(actor=MALLORY, outcome=Outcome.NO_AGREEMENT),
    c.AnswerFinish(actor=MALLORY, proposal_id="f1", confirmed=True),
    c.WithdrawFinish(actor=MALLORY, proposal_id="f1"),
    c.Cancel(actor=MALLORY),
    c.ChooseSafety(actor=MALLORY, choice=SafetyOption.PAUSE),
    c.ExtendInvitation(actor=MALLORY),
]


# Facilitator-only commands have their own table in test_engine_facilitated.py.
FACILITATOR_ONLY = {c.NudgeParty, c.MoveOn, c.ChooseJointSpace, c.EndWithOutcome}
# Commands that go through after the mediation closed: the follow-up answer (test_engine_follow_up.py)
# and deleting one's data (test_engine_safety.py).
AFTER_CLOSE = {c.AnswerFollowUp, c.EraseMyData}


def test_every_command_with_an_actor_is_in_the_stranger_table() -> None:
    with_actor = {t for t in c.Command.__args__ if "actor" in t.model_fields}  # type: ignore[attr-defined]
    assert {type(cmd) for cmd in STRANGER_COMMANDS} == with_actor - FACILITATOR_ONLY - AFTER_CLOSE


# where each command would otherwise go through, so only ownership can refuse it
NATURAL_POINT = {
    c.Accept: "invitation",
    c.Postpone: "invitation",
    c.Decline: "invitation",
    c.AgreeGroundRules: "ground_rules",
    c.SaveIntake: "intake",
    c.ChooseSharing: "intake_saved_both",
    c.SubmitReflection: "reflection",
    c.AnswerReflection: "reflection_answer",
    c.SubmitCheckIn: "alliance",
    c.ChooseRepair: "alliance_initiator_low",
    c.Pause: "intake",
    c.Resume: "alliance_repair_paused",
    c.ProposeItem: "joint",
    c.AcceptItem: "joint_item",
    c.ProposeFinish: "joint",
    c.AnswerFinish: "joint_finish_proposed",
    c.WithdrawFinish: "joint_finish_proposed",
    c.Cancel: "reflection",
    c.ChooseSafety: "intake_signalled",
    c.ExtendInvitation: "invitation",
}


@pytest.mark.parametrize("command", STRANGER_COMMANDS, ids=lambda cmd: type(cmd).__name__)
def test_a_stranger_is_not_a_party_where_the_command_would_go_through(
    command: c.Command, play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    m = play_to(NATURAL_POINT[type(command)])
    # the same command by the right party would be carried out
    rightful = command.model_copy(update={"actor": BOB if type(command) in _BOBS_STEP else ALICE})
    step(m, rightful)
    assert_refused(step, m, command, X.NOT_A_PARTY)


_BOBS_STEP = {c.Accept, c.Postpone, c.Decline, c.AcceptItem, c.SubmitReflection, c.AnswerFinish}


def refusals(
    step: Callable[..., Transition], m: Mediation, commands: list[c.Command]
) -> dict[str, tuple[RefusalCode, dict[str, FieldProblem]] | str]:
    """What each command gets from `m`, by a readable name: (code, fields), or "carried out"."""
    snapshot = m.model_dump()
    got: dict[str, tuple[RefusalCode, dict[str, FieldProblem]] | str] = {}
    for command in commands:
        name = f"{type(command).__name__}({getattr(command, 'actor', 'system')})"
        try:
            step(m, command)
            got[name] = "carried out"
        except Refused as refused:
            got[name] = (refused.code, refused.fields)
        assert m.model_dump() == snapshot
    return got


def test_a_stranger_is_not_a_party_anywhere(
    any_point: str, play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    """Paused or closed, a stranger learns nothing about the mediation: always `not_a_party`."""
    got = refusals(step, play_to(any_point), STRANGER_COMMANDS)
    assert got == dict.fromkeys(got, (X.NOT_A_PARTY, {}))
    assert len(got) == len(STRANGER_COMMANDS)


# --- stale commands: anything sent in the wrong stage ---------------------------------------------------

# each staged command, and the stage in which it is accepted
STAGED: list[tuple[c.Command, str]] = [
    (c.Accept(actor=BOB), "invitation"),
    (c.Postpone(actor=BOB), "invitation"),
    (c.Decline(actor=BOB), "invitation"),
    (c.AgreeGroundRules(actor=BOB), "ground_rules"),
    (c.SaveIntake(actor=BOB, answers=ANSWERS), "intake"),
    (c.ChooseSharing(actor=BOB, shares=ALL), "intake"),
    (c.SubmitReflection(actor=BOB, text="t"), "reflection"),
    (c.AnswerReflection(actor=BOB, confirmed=True), "reflection"),
    (c.SubmitCheckIn(actor=BOB, scores=HIGH), "alliance"),
    (c.ChooseRepair(actor=BOB, choice=c.Repair.CONTINUE), "alliance"),
    (c.JointSpaceOpened(channel_id="G9", kind=JointKind.GROUP_DM), "joint"),
    (c.ProposeItem(actor=BOB, who="Bob", what="x"), "joint"),
    (c.AcceptItem(actor=BOB, item_id="i1"), "joint"),
    (c.ProposeFinish(actor=BOB, outcome=Outcome.NO_AGREEMENT), "joint"),
    (c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=True), "joint"),
    (c.WithdrawFinish(actor=BOB, proposal_id="f1"), "joint"),
]
# one running point per stage: point -> its stage
RUNNING = {
    "invitation": "invitation",
    "ground_rules": "ground_rules",
    "intake": "intake",
    "reflection": "reflection",
    "alliance": "alliance",
    "joint_opening": "joint",
}
STALE = [
    pytest.param(command, point, id=f"{type(command).__name__}-in-{point}")
    for command, stage in STAGED
    for point, at in RUNNING.items()
    if at != stage
    # a check-in is answered during the conversation too, once asked (test_engine_timers.py)
    and not (isinstance(command, c.SubmitCheckIn) and at == "joint")
]


@pytest.mark.parametrize(("command", "point"), STALE)
def test_stale_commands_are_wrong_stage(
    command: c.Command, point: str, play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    m = play_to(point)
    assert m.stage.value == RUNNING[point]
    assert_refused(step, m, command, X.WRONG_STAGE)


# --- paused: only resume, cancel, pause (already done), unreachable and expire go through -------------

REFUSED_WHILE_PAUSED = [
    c.Accept(actor=BOB),
    c.Postpone(actor=BOB),
    c.Decline(actor=BOB),
    c.AgreeGroundRules(actor=BOB),
    c.SaveIntake(actor=BOB, answers=ANSWERS),
    c.ChooseSharing(actor=BOB, shares=ALL),
    c.SubmitReflection(actor=BOB, text="You felt left out."),
    c.AnswerReflection(actor=ALICE, confirmed=True),
    c.SubmitCheckIn(actor=BOB, scores=HIGH),
    c.ChooseRepair(actor=ALICE, choice=c.Repair.CONTINUE),
    c.ProposeItem(actor=BOB, who="Bob", what="x"),
    c.AcceptItem(actor=BOB, item_id="i1"),
    c.ProposeFinish(actor=ALICE, outcome=Outcome.NO_AGREEMENT),
    c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=False),
    c.WithdrawFinish(actor=ALICE, proposal_id="f1"),
]
PAUSED_AT = [
    "ground_rules",
    "intake_saved_both",
    "reflection",
    "reflection_answer",
    "alliance_initiator_low",
    "joint_item",
]


@pytest.mark.parametrize("point", PAUSED_AT)
@pytest.mark.parametrize("command", REFUSED_WHILE_PAUSED, ids=lambda cmd: type(cmd).__name__)
def test_paused_refuses_the_flow(
    point: str,
    command: c.Command,
    play_to: Callable[..., Mediation],
    drive: Callable[..., Mediation],
    step: Callable[..., Transition],
) -> None:
    m = drive(play_to(point), [c.Pause(actor=ALICE)])
    assert_refused(step, m, command, X.PAUSED)


@pytest.mark.parametrize("point", PAUSED_AT)
def test_paused_allows_resume_cancel_and_unreachable_and_expire_is_already_done(
    point: str,
    play_to: Callable[..., Mediation],
    drive: Callable[..., Mediation],
    step: Callable[..., Transition],
) -> None:
    m = drive(play_to(point), [c.Pause(actor=BOB)])
    assert step(m, c.Resume(actor=ALICE)).mediation.paused is False
    assert step(m, c.Cancel(actor=ALICE)).mediation.is_open is False
    assert step(m, c.PartyUnreachable(role=Role.INITIATOR, error="x")).mediation.is_open is False
    assert_refused(step, m, c.Pause(actor=ALICE), X.ALREADY_DONE)
    assert_refused(step, m, c.Expire(), X.ALREADY_DONE)


# --- closed: everything is refused; a late expiry timer is silently already done ---------------------

CLOSED_COMMANDS = [
    *[cmd.model_copy(update={"actor": ALICE}) for cmd in STRANGER_COMMANDS],
    *[cmd.model_copy(update={"actor": BOB}) for cmd in STRANGER_COMMANDS],
    c.JointSpaceOpened(channel_id="G9", kind=JointKind.GROUP_DM),
    c.PartyUnreachable(role=Role.RESPONDENT, error="user_not_found"),
]


def test_closed_refuses_everything(
    closed_point: str, play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    got = refusals(step, play_to(closed_point), CLOSED_COMMANDS)
    assert got == dict.fromkeys(got, (X.CLOSED, {}))
    assert len(got) == len(CLOSED_COMMANDS)


def test_closed_expire_is_already_done(
    closed_point: str, play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    assert_refused(step, play_to(closed_point), c.Expire(), X.ALREADY_DONE)
