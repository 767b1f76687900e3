"""Flow definitions: peer.yaml loads, invalid definitions are rejected, stages keep their order."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from flows.definition import (
    AllianceStage,
    FlowDefinition,
    GroundRulesStage,
    IntakeStage,
    InvitationStage,
    JointStage,
    ReflectionStage,
    load_builtin,
    parse_definition,
)
from flows.models import JointKind, Role, Share, Stage

ORDER = [Stage.INVITATION, Stage.GROUND_RULES, Stage.INTAKE, Stage.REFLECTION, Stage.ALLIANCE, Stage.JOINT]


@functools.cache
def _peer_json() -> str:
    return json.dumps(load_builtin("peer").model_dump(mode="json"))


def peer_data() -> dict[str, Any]:
    """The peer definition as plain data, a fresh copy each call."""
    data: dict[str, Any] = json.loads(_peer_json())
    return data


def stage_data(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(s for s in data["stages"] if s["type"] == kind)


# --- the built-in peer flow --------------------------------------------------------------------------


def test_peer_yaml_loads_with_its_parameters() -> None:
    d = load_builtin("peer")
    assert (d.id, d.version, d.name) == ("peer", 1, "Peer mediation")
    assert [s.type for s in d.stages] == ORDER
    assert d.first_stage() is Stage.INVITATION
    invitation = d.stage(Stage.INVITATION)
    assert isinstance(invitation, InvitationStage)
    assert (invitation.reminder_hours, invitation.expire_days) == (24, 7)
    rules = d.ground_rules()
    assert isinstance(rules, GroundRulesStage) and len(rules.rules) == 4
    intake = d.intake()
    assert [q.key for q in intake.questions] == ["happened", "feelings", "needs", "requests"]
    assert intake.default_share is Share.NONE
    assert all(q.max_length == 1500 for q in intake.questions)
    reflection = d.reflection()
    assert (reflection.max_rounds, reflection.order, reflection.first_speaker) == (
        3,
        "sequential",
        Role.INITIATOR,
    )
    alliance = d.alliance()
    assert alliance is not None and (len(alliance.items), alliance.low_total, alliance.low_item) == (4, 36, 9)
    joint = d.joint()
    assert joint is not None and (joint.space, len(joint.agenda)) == (JointKind.GROUP_DM, 3)


def test_peer_round_trips_through_yaml() -> None:
    d = load_builtin("peer")
    assert parse_definition(yaml.safe_dump(d.model_dump(mode="json"))) == d


def test_definitions_are_frozen() -> None:
    d = load_builtin("peer")
    with pytest.raises(ValidationError):
        d.version = 2  # type: ignore[misc]


def test_unknown_builtin() -> None:
    with pytest.raises(LookupError, match="no built-in flow named 'nope'"):
        load_builtin("nope")


@pytest.mark.parametrize(
    "text", ["", "- a\n- b\n", "just text", "42"], ids=["empty", "list", "scalar", "number"]
)
def test_yaml_that_is_not_a_mapping(text: str) -> None:
    with pytest.raises(ValueError, match="a flow definition is a YAML mapping"):
        parse_definition(text)


# --- invalid definitions -----------------------------------------------------------------------------


def _drop(kind: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["stages"] = [s for s in data["stages"] if s["type"] != kind]

    return change


def _set(kind: str, **values: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        stage_data(data, kind).update(values)

    return change


def _swap(a: int, b: int) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["stages"][a], data["stages"][b] = data["stages"][b], data["stages"][a]

    return change


def _top(**values: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        data.update(values)

    return change


def _append(stage: dict[str, Any]) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["stages"].append(stage)

    return change


def _question(index: int, **values: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        stage_data(data, "intake")["questions"][index].update(values)

    return change


INVALID = [
    pytest.param(_top(stages=[]), "stages", id="no-stages"),
    pytest.param(_top(stages=None), "stages", id="stages-null"),
    pytest.param(
        _append({"type": "joint", "agenda": ["Again"]}),
        "each stage type may appear once",
        id="duplicate-stage",
    ),
    pytest.param(_swap(1, 2), "stages must keep the order", id="intake-before-ground-rules"),
    pytest.param(_swap(0, 5), "stages must keep the order", id="joint-first"),
    pytest.param(
        _drop("intake"), "a reflection stage needs an intake stage before it", id="reflection-without-intake"
    ),
    pytest.param(_set("invitation", reminder_hours=0), "reminder_hours", id="zero-reminder-hours"),
    pytest.param(_set("invitation", reminder_hours=-1), "reminder_hours", id="negative-reminder-hours"),
    pytest.param(
        _set("invitation", reminder_hours=24 * 14 + 1), "reminder_hours", id="reminder-after-two-weeks"
    ),
    pytest.param(_set("invitation", expire_days=0), "expire_days", id="zero-expire-days"),
    pytest.param(_set("invitation", expire_days=-7), "expire_days", id="negative-expire-days"),
    pytest.param(_set("invitation", expire_days=61), "expire_days", id="expire-days-too-long"),
    pytest.param(_set("reflection", max_rounds=0), "max_rounds", id="zero-rounds"),
    pytest.param(_set("reflection", max_rounds=11), "max_rounds", id="too-many-rounds"),
    pytest.param(_set("reflection", order="random"), "order", id="unknown-order"),
    pytest.param(
        _set("reflection", first_speaker="facilitator"), "first_speaker", id="unknown-first-speaker"
    ),
    pytest.param(_set("alliance", low_item=11), "low_item", id="low-item-over-ten"),
    pytest.param(_set("alliance", low_total=-1), "low_total", id="negative-low-total"),
    pytest.param(_set("alliance", items=[]), "items", id="no-check-in-items"),
    pytest.param(_set("joint", space="email"), "space", id="unknown-joint-space"),
    pytest.param(_set("joint", agenda=[]), "agenda", id="empty-agenda"),
    pytest.param(_set("ground_rules", rules=[]), "rules", id="no-ground-rules"),
    pytest.param(_set("ground_rules", rules=[""]), "rules", id="empty-ground-rule"),
    pytest.param(_set("ground_rules", rules=["r"] * 11), "rules", id="too-many-ground-rules"),
    pytest.param(_append({"type": "party"}), "party", id="unknown-stage-type"),
    pytest.param(_append({"reminder_hours": 3}), "type", id="stage-without-type"),
    pytest.param(_question(0, label="L" * 151), "label", id="label-over-150"),
    pytest.param(_question(0, label=""), "label", id="empty-label"),
    pytest.param(_question(0, hint="H" * 151), "hint", id="hint-over-150"),
    pytest.param(
        _question(1, key="happened"), "each intake question key may appear once", id="duplicate-question"
    ),
    pytest.param(_question(1, key="mood"), "key", id="unknown-question-key"),
    pytest.param(_question(2, max_length=49), "max_length", id="answer-limit-too-small"),
    pytest.param(_set("intake", questions=[]), "questions", id="no-questions"),
    pytest.param(_set("intake", default_share="everything"), "default_share", id="unknown-default-share"),
    pytest.param(_top(colour="blue"), "colour", id="unknown-top-level-field"),
    pytest.param(_set("invitation", snooze=True), "snooze", id="unknown-stage-field"),
    pytest.param(_question(0, placeholder="x"), "placeholder", id="unknown-question-field"),
    pytest.param(_top(id="Peer Flow"), "id", id="bad-id"),
    pytest.param(_top(version=0), "version", id="version-zero"),
    pytest.param(_top(name=""), "name", id="empty-name"),
    pytest.param(_top(name="n" * 76), "name", id="name-too-long"),
]


@pytest.mark.parametrize(("change", "mentions"), INVALID)
def test_invalid_definitions_are_rejected(change: Any, mentions: str) -> None:
    data = peer_data()
    change(data)
    with pytest.raises(ValueError, match=mentions):  # a pydantic ValidationError is a ValueError
        FlowDefinition.model_validate(data)
    # and the same through the YAML loader
    with pytest.raises(ValueError, match=mentions):
        parse_definition(yaml.safe_dump(data))


# --- valid variants ------------------------------------------------------------------------------------

VALID = [
    pytest.param([{"type": "joint", "agenda": ["Talk"]}], id="joint-only"),
    pytest.param(
        [
            {"type": "intake", "questions": [{"key": "needs", "label": "What matters?"}]},
            {"type": "reflection"},
        ],
        id="prepare-like",
    ),
    pytest.param([{"type": "invitation"}, {"type": "ground_rules", "rules": ["Be kind."]}], id="no-joint"),
]


@pytest.mark.parametrize("stages", VALID)
def test_smaller_flows_are_valid(stages: list[dict[str, Any]]) -> None:
    d = FlowDefinition.model_validate({"id": "small", "version": 1, "name": "Small", "stages": stages})
    assert [s.type.value for s in d.stages] == [s["type"] for s in stages]


def test_stage_defaults() -> None:
    assert (InvitationStage().reminder_hours, InvitationStage().expire_days) == (24, 7)
    r = ReflectionStage()
    assert (r.max_rounds, r.order, r.first_speaker, r.max_length) == (3, "sequential", Role.INITIATOR, 1500)
    a = AllianceStage(items=["x"])
    assert (a.low_total, a.low_item) == (36, 9)
    assert JointStage(agenda=["x"]).space is JointKind.GROUP_DM
    assert IntakeStage(questions=[{"key": "needs", "label": "x"}]).default_share is Share.NONE  # type: ignore[list-item]


def test_accessors_when_a_stage_is_missing() -> None:
    d = FlowDefinition.model_validate(
        {"id": "small", "version": 1, "name": "Small", "stages": [{"type": "joint", "agenda": ["x"]}]}
    )
    assert d.stage(Stage.INTAKE) is None
    assert (d.alliance(), d.ground_rules()) == (None, None)
    assert d.reflection() == ReflectionStage()  # defaulted
    assert d.joint() == JointStage(agenda=["x"])
    with pytest.raises(LookupError, match="has no intake stage"):
        d.intake()


# --- next_stage ----------------------------------------------------------------------------------------

PEER_NEXT = [
    (Stage.INVITATION, Stage.GROUND_RULES),
    (Stage.GROUND_RULES, Stage.INTAKE),
    (Stage.INTAKE, Stage.REFLECTION),
    (Stage.REFLECTION, Stage.ALLIANCE),
    (Stage.ALLIANCE, Stage.JOINT),
    (Stage.JOINT, Stage.CLOSED),
]


@pytest.mark.parametrize(("current", "following"), PEER_NEXT, ids=[f"{a}-{b}" for a, b in PEER_NEXT])
def test_next_stage_in_the_peer_flow(current: Stage, following: Stage) -> None:
    assert load_builtin("peer").next_stage(current) is following


SKIPPING = [
    ("ground_rules", Stage.INVITATION, Stage.INTAKE),
    ("alliance", Stage.REFLECTION, Stage.JOINT),
    ("joint", Stage.ALLIANCE, Stage.CLOSED),
]


@pytest.mark.parametrize(
    ("dropped", "current", "following"), SKIPPING, ids=[f"without-{s[0]}" for s in SKIPPING]
)
def test_next_stage_skips_what_the_flow_leaves_out(dropped: str, current: Stage, following: Stage) -> None:
    data = peer_data()
    _drop(dropped)(data)
    assert FlowDefinition.model_validate(data).next_stage(current) is following


@pytest.mark.parametrize("missing", [Stage.CLOSED, Stage.GROUND_RULES])
def test_next_stage_of_a_stage_not_in_the_flow(missing: Stage) -> None:
    data = peer_data()
    _drop("ground_rules")(data)
    with pytest.raises(ValueError, match=f"stage {missing} is not part of flow peer"):
        FlowDefinition.model_validate(data).next_stage(missing)
