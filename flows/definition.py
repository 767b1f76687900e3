"""Flow definitions: which stages a flow has and their parameters, loaded from YAML."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from flows.models import JointKind, Role, Share, Stage

QUESTION_KEYS = ("happened", "feelings", "needs", "requests")


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InvitationStage(_Params):
    """The colleague is invited and may accept, postpone or decline."""

    type: Literal[Stage.INVITATION] = Stage.INVITATION
    reminder_hours: int = Field(default=24, ge=1, le=24 * 14)
    expire_days: int = Field(default=7, ge=1, le=60)
    # Days the one who invited may add, once, when the invitation's last day is announced.
    extend_days: int = Field(default=7, ge=1, le=60)
    # The workspace's own words, shown in the invitation above how it works (mrkdwn, never a mention).
    intro: str | None = Field(default=None, min_length=1, max_length=1000)


class GroundRulesStage(_Params):
    """Both parties agree to a short working agreement."""

    type: Literal[Stage.GROUND_RULES] = Stage.GROUND_RULES
    rules: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(min_length=1, max_length=10)


class IntakeQuestion(_Params):
    """One private intake prompt."""

    key: Literal["happened", "feelings", "needs", "requests"]
    label: str = Field(min_length=1, max_length=150)
    hint: str = Field(default="", max_length=150)
    max_length: int = Field(default=1500, ge=50, le=3000)


class IntakeStage(_Params):
    """Each party answers the four prompts privately, then chooses what the other may see."""

    type: Literal[Stage.INTAKE] = Stage.INTAKE
    questions: list[IntakeQuestion] = Field(min_length=1, max_length=4)
    default_share: Share = Share.NONE

    @field_validator("questions")
    @classmethod
    def _unique_keys(cls, questions: list[IntakeQuestion]) -> list[IntakeQuestion]:
        keys = [q.key for q in questions]
        if len(set(keys)) != len(keys):
            raise ValueError("each intake question key may appear once")
        return questions


class ReflectionStage(_Params):
    """Reflective listening in both directions."""

    type: Literal[Stage.REFLECTION] = Stage.REFLECTION
    max_rounds: int = Field(default=3, ge=1, le=10)
    order: Literal["sequential", "simultaneous"] = "sequential"
    first_speaker: Role = Role.INITIATOR
    max_length: int = Field(default=1500, ge=50, le=3000)


class AllianceStage(_Params):
    """A four-item check-in on how the process is going, 0-10 each."""

    type: Literal[Stage.ALLIANCE] = Stage.ALLIANCE
    items: list[Annotated[str, Field(min_length=1, max_length=150)]] = Field(min_length=1, max_length=6)
    low_total: int = Field(default=36, ge=0)
    low_item: int = Field(default=9, ge=0, le=10)


class JointStage(_Params):
    """The joint discussion and the agreement made there."""

    type: Literal[Stage.JOINT] = Stage.JOINT
    space: JointKind = JointKind.GROUP_DM
    agenda: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=1, max_length=10)
    # Days after an agreement when both are asked whether it holds (0: no follow-up).
    follow_up_days: int = Field(default=14, ge=0, le=365)
    # Days after the conversation opens (and again after each) when each person is asked how it is
    # going, with the alliance check-in's questions (0: never).
    check_in_days: int = Field(default=7, ge=0, le=90)


StageDefinition = Annotated[
    InvitationStage | GroundRulesStage | IntakeStage | ReflectionStage | AllianceStage | JointStage,
    Field(discriminator="type"),
]

_ORDER = [Stage.INVITATION, Stage.GROUND_RULES, Stage.INTAKE, Stage.REFLECTION, Stage.ALLIANCE, Stage.JOINT]


class FlowDefinition(BaseModel):
    """A flow: its id, version and ordered stages with their parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,40}$")
    version: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=75)
    description: str = Field(default="", max_length=300)
    stages: list[StageDefinition] = Field(min_length=1)
    # Hours a step may wait on one person before they get one kind reminder and the other a note that
    # nothing is needed of them (0: never).
    stall_hours: int = Field(default=48, ge=0, le=24 * 30)

    @model_validator(mode="after")
    def _stages_in_order(self) -> FlowDefinition:
        types = [s.type for s in self.stages]
        if len(set(types)) != len(types):
            raise ValueError("each stage type may appear once")
        if types != sorted(types, key=_ORDER.index):
            raise ValueError("stages must keep the order " + " → ".join(s.value for s in _ORDER))
        if Stage.REFLECTION in types and Stage.INTAKE not in types:
            raise ValueError("a reflection stage needs an intake stage before it")
        return self

    def stage(self, stage: Stage) -> StageDefinition | None:
        """The parameters of this stage, or None when the flow skips it."""
        return next((s for s in self.stages if s.type is stage), None)

    def first_stage(self) -> Stage:
        """The stage a new mediation starts in."""
        return self.stages[0].type

    def next_stage(self, current: Stage) -> Stage:
        """The stage after `current`, or `closed` after the last one."""
        types = [s.type for s in self.stages]
        if current not in types:
            raise ValueError(f"stage {current} is not part of flow {self.id}")
        index = types.index(current)
        return types[index + 1] if index + 1 < len(types) else Stage.CLOSED

    def intake(self) -> IntakeStage:
        """The intake parameters (a flow without an intake stage has none)."""
        stage = self.stage(Stage.INTAKE)
        if not isinstance(stage, IntakeStage):
            raise LookupError(f"flow {self.id} has no intake stage")
        return stage

    def question_labels(self) -> dict[str, str]:
        """Intake question labels by key."""
        return {q.key: q.label for q in self.intake().questions}

    def reflection(self) -> ReflectionStage:
        """The reflection parameters, defaulted when the flow has none."""
        stage = self.stage(Stage.REFLECTION)
        return stage if isinstance(stage, ReflectionStage) else ReflectionStage()

    def alliance(self) -> AllianceStage | None:
        """The alliance check-in parameters, or None."""
        stage = self.stage(Stage.ALLIANCE)
        return stage if isinstance(stage, AllianceStage) else None

    def joint(self) -> JointStage | None:
        """The joint-stage parameters, or None."""
        stage = self.stage(Stage.JOINT)
        return stage if isinstance(stage, JointStage) else None

    def ground_rules(self) -> GroundRulesStage | None:
        """The ground rules, or None."""
        stage = self.stage(Stage.GROUND_RULES)
        return stage if isinstance(stage, GroundRulesStage) else None


def parse_definition(text: str) -> FlowDefinition:
    """Parse and validate a flow definition from YAML text (raises ValueError or ValidationError)."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("a flow definition is a YAML mapping")
    return FlowDefinition.model_validate(data)


@functools.cache
def load_builtin(flow_id: str) -> FlowDefinition:
    """Load one of the built-in flow definitions shipped in `flows/definitions/` (read and parsed once
    per process: they ship with the code, and a `FlowDefinition` is frozen)."""
    path = resources.files("flows").joinpath("definitions", f"{flow_id}.yaml")
    if not path.is_file():
        raise LookupError(f"no built-in flow named {flow_id!r}")
    return parse_definition(path.read_text(encoding="utf-8"))
