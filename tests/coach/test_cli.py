"""`commonground coach`: plain and --json output, both modes, usage errors."""

from __future__ import annotations

import json

import pytest

from bot.coach_cli import main
from bot.texts import COACH_CLI_CLEAN as CLEAN_MESSAGE

ORIGINAL = (
    "On Friday you moved my shift without telling me, and I had already arranged childcare. "
    "I was anxious and frustrated. I need a few days' notice for changes."
)
GOOD = (
    "You found on Friday that I'd moved your shift without a word, after you'd sorted childcare. "
    "You were anxious and frustrated, and you need a few days' notice. Did I get that right?"
)


def test_statement_plain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["I feel ignored. You never reply."]) == 0
    out = capsys.readouterr().out
    assert "faux_feeling" in out and '"ignored"' in out
    assert "absolute" in out and "blame" in out
    assert "Suggestion:" in out and "hurt" in out


def test_statement_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["I felt anxious when the plan changed, because I need time to prepare. Could we talk?"]) == 0
    assert capsys.readouterr().out.strip() == CLEAN_MESSAGE


def test_statement_json(capsys: pytest.CaptureFixture[str]) -> None:
    text = "You must fix this."
    assert main(["--json", text]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kinds"] == ["demand"]
    (nudge,) = data["nudges"]
    assert nudge["kind"] == "demand"
    start, end = nudge["span"]
    assert text[start:end] == "You must fix this"
    assert "Would you be willing to fix this?" in nudge["suggestion"]


def test_reflection_plain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--original", ORIGINAL, "--reflection", GOOD]) == 0
    out = capsys.readouterr().out
    assert "Score:" in out and "Passed on to them: yes" in out and "complete reflection: yes" in out
    assert "[feeling_named]" in out and "[need_named]" in out


def test_reflection_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--original", ORIGINAL, "--reflection", "You should get a sitter.", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["forward"] is False and data["gate_passed"] is False
    assert "not_a_reflection_advice" in [r["code"] for r in data["reasons"]]
    assert 0 <= data["score"] <= 100


@pytest.mark.parametrize("argv", [[], ["--original", "only one side"], ["--reflection", "x"]])
def test_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "commonground coach" in capsys.readouterr().err
