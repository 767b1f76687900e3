"""`start`: a new mediation, its first effects, and what it refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from flows import commands as c
from flows.definition import FlowDefinition
from flows.effects import Notice, Notify, RefreshHome, Schedule
from flows.engine import HOPES_MAX, TOPIC_MAX, start
from flows.errors import FieldProblem, RefusalCode, Refused
from flows.models import Mediation, Role, Stage, StageEntry

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ALICE, BOB = "UALICE", "UBOB"
INI, RES = Role.INITIATOR, Role.RESPONDENT


def _start(definition: FlowDefinition, **fields: object) -> object:
    command = c.Start(**{"actor": ALICE, "respondent": BOB, "topic": "The stand-up", **fields})
    return start(command, definition, NOW, mediation_id="M1", team="T1")


def test_start_creates_the_mediation_in_the_invitation_stage(peer: FlowDefinition) -> None:
    command = c.Start(actor=ALICE, respondent=BOB, topic="  The stand-up  ", hopes="  To work well.  ")
    t = start(command, peer, NOW, mediation_id="M1", team="T1")
    m = t.mediation
    assert (m.id, m.team, m.flow, m.definition_version, m.version) == ("M1", "T1", "peer", 1, 0)
    assert (m.created_at, m.updated_at) == (NOW, NOW)
    assert m.stage is Stage.INVITATION
    assert (m.topic, m.hopes) == ("The stand-up", "To work well.")
    assert (m.initiator.user_id, m.initiator.role, m.initiator.accepted_at) == (ALICE, INI, NOW)
    assert (m.respondent.user_id, m.respondent.role, m.respondent.accepted_at) == (BOB, RES, None)
    assert (m.paused, m.postponed, m.outcome, m.closed_reason) == (False, False, None, None)
    assert (m.loops, m.agreement, m.joint) == ([], [], None)
    assert m.history == [StageEntry(stage=Stage.INVITATION, at=NOW)]


def test_start_effects_invite_tell_the_initiator_schedule_and_refresh(peer: FlowDefinition) -> None:
    t = start(c.Start(actor=ALICE, respondent=BOB, topic="x"), peer, NOW, mediation_id="M1", team="T1")
    assert t.effects == [
        Notify(role=RES, notice=Notice.INVITATION),
        Notify(role=INI, notice=Notice.INVITATION_SENT),
        Schedule(timer="reminder", at=NOW + timedelta(hours=24)),
        Schedule(timer="expire", at=NOW + timedelta(days=7)),
        Schedule(timer="expiry_warning", at=NOW + timedelta(days=6)),  # its last day, announced
        RefreshHome(),
    ]


def test_start_schedules_follow_the_definition(variant: Callable[..., FlowDefinition]) -> None:
    d = variant(invitation={"reminder_hours": 3, "expire_days": 2})
    t = start(c.Start(actor=ALICE, respondent=BOB, topic="x"), d, NOW, mediation_id="M1", team="T1")
    assert [e for e in t.effects if isinstance(e, Schedule)] == [
        Schedule(timer="reminder", at=NOW + timedelta(hours=3)),
        Schedule(timer="expire", at=NOW + timedelta(days=2)),
        Schedule(timer="expiry_warning", at=NOW + timedelta(days=1)),
    ]
    assert t.mediation.expires_at == NOW + timedelta(days=2)
    # an invitation that lasts a day has no day-before announcement
    one_day = variant(invitation={"expire_days": 1})
    t = start(c.Start(actor=ALICE, respondent=BOB, topic="x"), one_day, NOW, mediation_id="M1", team="T1")
    assert [e.timer for e in t.effects if isinstance(e, Schedule)] == ["reminder", "expire"]


def test_start_without_an_invitation_stage_announces_the_first_stage(
    variant: Callable[..., FlowDefinition],
) -> None:
    d = variant(invitation=None)
    t = start(c.Start(actor=ALICE, respondent=BOB, topic="x"), d, NOW, mediation_id="M1", team="T1")
    assert t.mediation.stage is Stage.GROUND_RULES
    assert t.mediation.respondent.accepted_at == NOW
    assert t.effects == [
        Notify(role=INI, notice=Notice.GROUND_RULES),
        Notify(role=RES, notice=Notice.GROUND_RULES),
        RefreshHome(),
    ]


def test_blank_hopes_are_stored_as_none(peer: FlowDefinition) -> None:
    t = start(
        c.Start(actor=ALICE, respondent=BOB, topic="x", hopes="   "), peer, NOW, mediation_id="M", team="T"
    )
    assert t.mediation.hopes is None


def test_limits_are_inclusive(peer: FlowDefinition) -> None:
    command = c.Start(actor=ALICE, respondent=BOB, topic="t" * TOPIC_MAX, hopes="h" * HOPES_MAX)
    m = start(command, peer, NOW, mediation_id="M", team="T").mediation
    assert (len(m.topic), len(m.hopes or "")) == (TOPIC_MAX, HOPES_MAX)


START_REFUSALS = [
    pytest.param({"respondent": ALICE}, RefusalCode.SELF, {}, id="mediating-yourself"),
    pytest.param(
        {"respondent": ALICE, "topic": ""}, RefusalCode.SELF, {}, id="yourself-wins-over-an-empty-topic"
    ),
    pytest.param({"topic": ""}, RefusalCode.INVALID_INPUT, {"topic": FieldProblem.EMPTY}, id="empty-topic"),
    pytest.param(
        {"topic": " \n\t "}, RefusalCode.INVALID_INPUT, {"topic": FieldProblem.EMPTY}, id="blank-topic"
    ),
    pytest.param(
        {"topic": "t" * (TOPIC_MAX + 1)},
        RefusalCode.INVALID_INPUT,
        {"topic": FieldProblem.TOO_LONG},
        id="topic-too-long",
    ),
    pytest.param(
        {"hopes": "h" * (HOPES_MAX + 1)},
        RefusalCode.INVALID_INPUT,
        {"hopes": FieldProblem.TOO_LONG},
        id="hopes-too-long",
    ),
    pytest.param(
        {"topic": "", "hopes": "h" * (HOPES_MAX + 1)},
        RefusalCode.INVALID_INPUT,
        {"topic": FieldProblem.EMPTY, "hopes": FieldProblem.TOO_LONG},
        id="every-problem-at-once",
    ),
]


@pytest.mark.parametrize(("fields", "code", "problems"), START_REFUSALS)
def test_start_refusals(
    peer: FlowDefinition, fields: dict[str, object], code: RefusalCode, problems: dict[str, FieldProblem]
) -> None:
    with pytest.raises(Refused) as caught:
        _start(peer, **fields)
    assert (caught.value.code, caught.value.fields) == (code, problems)


def test_conftest_ids_agree_with_the_literals_here(play_to: Callable[..., Mediation]) -> None:
    m = play_to("invitation")
    assert m.user_ids == [ALICE, BOB]
    assert m.created_at == NOW
