"""Helpers for the engine tables: a fixed clock, the peer definition, and mediations driven by real commands.

Test modules do not import from this file (several test folders have a `conftest.py`, and the name
`conftest` is shared); everything reaches them as fixtures. The user ids below are repeated as literals
in the test modules; `test_engine_start.py` checks that they agree.

A *point* names a place in the peer flow. `play_to(point)` starts a mediation and applies the real
commands that lead there, so a table can say "from point X, command Y → expectations".
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from flows import commands as c
from flows.definition import FlowDefinition, load_builtin
from flows.engine import Transition, apply, start
from flows.models import JointKind, Mediation, Outcome, Role, Share, Stage

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ALICE = "UALICE"  # the initiator
BOB = "UBOB"  # the respondent
MALLORY = "UMALLORY"  # not a party

ANSWERS = {
    "happened": "In Monday's stand-up my design was dropped without a word to me.",
    "feelings": "I felt hurt and a bit embarrassed.",
    "needs": "I need to be consulted about changes to my work.",
    "requests": "Would you tell me before the meeting next time?",
}
ALL = dict.fromkeys(ANSWERS, Share.ALL)
# Answers whose words the safety screening notices (harassment): a safety choice waits on their author.
SIGNALLING = dict(ANSWERS, happened="He keeps making sexual comments about me in stand-up.")
HIGH = [10, 9, 9, 10]  # a check-in that is not low
LOW = [10, 10, 10, 8]  # one item under low_item (9)

# point -> (the point it continues from, the commands that lead from there to here)
POINTS: dict[str, tuple[str | None, tuple[c.Command, ...]]] = {
    "invitation": (None, ()),
    "postponed": ("invitation", (c.Postpone(actor=BOB),)),
    "ground_rules": ("invitation", (c.Accept(actor=BOB),)),
    "ground_rules_initiator": ("ground_rules", (c.AgreeGroundRules(actor=ALICE),)),
    "intake": ("ground_rules_initiator", (c.AgreeGroundRules(actor=BOB),)),
    "intake_saved_initiator": ("intake", (c.SaveIntake(actor=ALICE, answers=ANSWERS),)),
    "intake_done_initiator": ("intake_saved_initiator", (c.ChooseSharing(actor=ALICE, shares=ALL),)),
    "intake_signalled": ("intake", (c.SaveIntake(actor=ALICE, answers=SIGNALLING),)),
    "intake_saved_both": ("intake_done_initiator", (c.SaveIntake(actor=BOB, answers=ANSWERS),)),
    # sequential, first_speaker initiator: Bob (respondent) reflects Alice first
    "reflection": ("intake_saved_both", (c.ChooseSharing(actor=BOB, shares=ALL),)),
    "reflection_answer": ("reflection", (c.SubmitReflection(actor=BOB, text="You felt left out."),)),
    "reflection_partly": (
        "reflection_answer",
        (c.AnswerReflection(actor=ALICE, confirmed=False, missing="That I was embarrassed."),),
    ),
    "reflection_second": ("reflection_answer", (c.AnswerReflection(actor=ALICE, confirmed=True),)),
    "reflection_second_answer": (
        "reflection_second",
        (c.SubmitReflection(actor=ALICE, text="You did not expect it to matter."),),
    ),
    "alliance": ("reflection_second_answer", (c.AnswerReflection(actor=BOB, confirmed=True),)),
    "alliance_initiator_ready": ("alliance", (c.SubmitCheckIn(actor=ALICE, scores=HIGH),)),
    "alliance_initiator_low": ("alliance", (c.SubmitCheckIn(actor=ALICE, scores=LOW),)),
    "alliance_low_other_ready": ("alliance_initiator_low", (c.SubmitCheckIn(actor=BOB, scores=HIGH),)),
    "alliance_repair_paused": (
        "alliance_initiator_low",
        (c.ChooseRepair(actor=ALICE, choice=c.Repair.PAUSE),),
    ),
    "joint_opening": ("alliance_initiator_ready", (c.SubmitCheckIn(actor=BOB, scores=HIGH),)),
    "joint": ("joint_opening", (c.JointSpaceOpened(channel_id="GJOINT", kind=JointKind.GROUP_DM),)),
    "joint_item": ("joint", (c.ProposeItem(actor=ALICE, who="Bob", what="Share the agenda a day early."),)),
    "joint_agreed": ("joint_item", (c.AcceptItem(actor=BOB, item_id="i1"),)),
    "joint_finish_proposed": ("joint_agreed", (c.ProposeFinish(actor=ALICE, outcome=Outcome.AGREED),)),
    # closed, each in its own way
    "declined": ("invitation", (c.Decline(actor=BOB),)),
    "expired": ("invitation", (c.Expire(),)),
    "cancelled": ("intake", (c.Cancel(actor=ALICE),)),
    "unreachable": ("reflection", (c.PartyUnreachable(role=Role.RESPONDENT, error="user_not_found"),)),
    "stopped": ("alliance_initiator_low", (c.ChooseRepair(actor=ALICE, choice=c.Repair.STOP),)),
    "finished": ("joint_finish_proposed", (c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=True),)),
}

OPEN_POINTS = [
    p for p in POINTS if p not in {"declined", "expired", "cancelled", "unreachable", "stopped", "finished"}
]
CLOSED_POINTS = [p for p in POINTS if p not in OPEN_POINTS]

_cache: dict[tuple[str, str], Mediation] = {}


@functools.cache
def _peer() -> FlowDefinition:
    """The built-in peer definition (parsed once: a FlowDefinition is frozen), without the timers that
    watch the flow from outside its stages (stalled steps, check-ins during the conversation), so the
    tables here say what each stage does; tests/flows/test_engine_timers.py covers those timers with
    the definition as built in."""
    builtin = load_builtin("peer")
    stages = [
        s.model_copy(update={"check_in_days": 0}) if s.type is Stage.JOINT else s for s in builtin.stages
    ]
    return builtin.model_copy(update={"stall_hours": 0, "stages": stages})


def make_started(definition: FlowDefinition | None = None) -> Mediation:
    """A fresh mediation: Alice invited Bob."""
    definition = definition or _peer()
    command = c.Start(
        actor=ALICE, respondent=BOB, topic="The stand-up on Monday", hopes="To work well again."
    )
    return start(command, definition, NOW, mediation_id="M1", team="T1").mediation


def run(
    mediation: Mediation, commands: Sequence[c.Command], definition: FlowDefinition | None = None
) -> Mediation:
    """Apply commands one after the other (at NOW) and return the resulting mediation."""
    definition = definition or _peer()
    for command in commands:
        mediation = apply(mediation, command, definition, NOW).mediation
    return mediation


def _key(definition: FlowDefinition) -> str:
    return definition.model_dump_json()


def make_play_to(point: str, definition: FlowDefinition | None = None) -> Mediation:
    """A mediation driven to `point` through real commands (cached; each call returns a fresh copy)."""
    definition = definition or _peer()
    key = (point, _key(definition))
    if key not in _cache:
        base, commands = POINTS[point]
        before = make_started(definition) if base is None else make_play_to(base, definition)
        _cache[key] = run(before, commands, definition)
    return _cache[key].model_copy(deep=True)


def make_variant(**stages: dict[str, Any]) -> FlowDefinition:
    """The peer definition with some stage parameters changed, validated like a YAML override.

    `make_variant(reflection={"order": "simultaneous"})`; a stage mapped to None is left out.
    """
    data = _peer().model_dump(mode="json")
    kept = []
    for stage in data["stages"]:
        if stage["type"] in stages:
            if stages[stage["type"]] is None:
                continue
            stage.update(stages[stage["type"]])
        kept.append(stage)
    data["stages"] = kept
    return FlowDefinition.model_validate(data)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def peer() -> FlowDefinition:
    return _peer()


@pytest.fixture
def started() -> Callable[..., Mediation]:
    return make_started


@pytest.fixture
def play_to() -> Callable[..., Mediation]:
    return make_play_to


@pytest.fixture
def drive() -> Callable[..., Mediation]:
    return run


@pytest.fixture
def variant() -> Callable[..., FlowDefinition]:
    return make_variant


@pytest.fixture
def step() -> Callable[..., Transition]:
    """Apply one command at NOW with the peer definition (or the one given)."""

    def _step(
        mediation: Mediation, command: c.Command, definition: FlowDefinition | None = None
    ) -> Transition:
        return apply(mediation, command, definition or _peer(), NOW)

    return _step


@pytest.fixture
def points() -> dict[str, list[str]]:
    return {"open": list(OPEN_POINTS), "closed": list(CLOSED_POINTS), "all": list(POINTS)}


def resolve(obj: Any, path: str) -> Any:
    """Follow a dotted path through attributes, mapping keys and list indexes: "loops.0.status"."""
    for part in path.split("."):
        if isinstance(obj, dict):
            obj = obj[part]
        elif isinstance(obj, list):
            obj = obj[int(part)]
        else:
            obj = getattr(obj, part)
    return obj


@pytest.fixture
def check() -> Callable[[Mediation, dict[str, Any]], None]:
    """Assert that each dotted path of the mediation has the expected value."""

    def _check(mediation: Mediation, expected: dict[str, Any]) -> None:
        actual = {path: resolve(mediation, path) for path in expected}
        assert actual == expected

    return _check


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `open_point`, `closed_point` and `any_point` arguments over the points above."""
    for name, values in (
        ("open_point", OPEN_POINTS),
        ("closed_point", CLOSED_POINTS),
        ("any_point", list(POINTS)),
    ):
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, values)
