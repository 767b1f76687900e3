"""What every listener shares: one way to run a command and tell a person kindly why it did not
happen, an apology for anything unexpected (logged without text), and ids from the enums."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot import texts as t
from bot.views import modals
from flows.models import Mediation, Role
from tests.e2e import play
from tests.support.harness import Harness

SECRET = "the-secret-words-nobody-may-log"


async def test_an_unexpected_error_is_answered_with_an_apology_and_logged_without_text(
    h: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await play.start(h)

    def broken(m: Mediation, role: Role, definition: object) -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(modals, "answers_modal", broken)
    await play.accept_and_agree(h)
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        await h.click_home(h.ann, "cg_answers_view")
    assert t.SOMETHING_WRONG in str(h.top_view(h.ann).blocks)
    assert SECRET not in caplog.text
    assert any(getattr(r, "error", None) == "RuntimeError" for r in caplog.records)


def test_every_action_id_comes_from_the_enums() -> None:
    """No listener or view names an action, shortcut or callback with a string of its own."""
    root = Path(__file__).resolve().parents[2] / "bot"
    literal = re.compile(r"[\"']cg_[a-z_]+[\"']")
    offenders = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("*.py")
        if path.name not in ("ids.py",) and path.parent.name != "sandbox"
        for match in literal.finditer(path.read_text(encoding="utf-8"))
    ]
    allowed = {"views/admin.py", "views/prepare.py"}  # their own enums and prefixes
    assert [o for o in offenders if o.split(":")[0] not in allowed] == []
