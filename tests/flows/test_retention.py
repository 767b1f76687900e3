"""Retention purge: every private text goes; what aggregates need stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows import commands as c
from flows import engine
from flows.definition import load_builtin
from flows.models import Share
from flows.retention import PURGED, closed_at, purge

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PEER = load_builtin("peer")
SECRET = "zq-secret-7f1"


def closed_mediation():  # type: ignore[no-untyped-def]
    m = engine.start(
        c.Start(actor="UA", respondent="UB", topic=SECRET, hopes=SECRET),
        PEER,
        NOW,
        mediation_id="m",
        team="-.T",
    ).mediation
    answers = {k: f"{SECRET} {k}" for k in ("happened", "feelings", "needs", "requests")}
    steps: list[c.Command] = [
        c.Accept(actor="UB"),
        c.AgreeGroundRules(actor="UA"),
        c.AgreeGroundRules(actor="UB"),
    ]
    for who in ("UA", "UB"):
        steps += [
            c.SaveIntake(actor=who, answers=answers),
            c.ChooseSharing(actor=who, shares=dict.fromkeys(answers, Share.ALL)),
        ]
    steps += [
        c.SubmitReflection(actor="UB", text=SECRET),
        c.AnswerReflection(actor="UA", confirmed=False, missing=SECRET),
        c.SubmitReflection(actor="UB", text=SECRET),
        c.AnswerReflection(actor="UA", confirmed=True),
        c.Cancel(actor="UA"),
    ]
    for step in steps:
        m = engine.apply(m, step, PEER, NOW).mediation
    return m


def test_purge_removes_every_private_text_and_keeps_the_numbers() -> None:
    m = closed_mediation()
    assert SECRET in m.model_dump_json()
    p = purge(m, NOW + timedelta(days=200))
    assert SECRET not in p.model_dump_json()
    assert p.topic == PURGED and p.hopes is None and p.purged_at == NOW + timedelta(days=200)
    assert p.outcome == m.outcome and p.history == m.history
    assert [len(lp.rounds) for lp in p.loops] == [len(lp.rounds) for lp in m.loops]
    assert closed_at(p) == closed_at(m) == NOW


def test_an_open_mediation_is_not_purged() -> None:
    m = engine.start(
        c.Start(actor="UA", respondent="UB", topic="t"), PEER, NOW, mediation_id="m", team="-.T"
    ).mediation
    assert closed_at(m) is None
    with pytest.raises(ValueError):
        purge(m, NOW)
