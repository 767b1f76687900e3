"""Safety: words that signal harassment, violence, discrimination or a threat get a plain word and the
workspace's escalation contacts; a declined invitation offers them too; App Home always shows them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import texts as t
from flows.config import AuditEntry, EscalationContact
from flows.safety import Concern, concerns
from tests.e2e import play
from tests.support.harness import Harness


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He keeps making sexual comments about me in meetings.", [Concern.HARASSMENT]),
        ("She pushed me against the wall.", [Concern.VIOLENCE]),
        ("There were racist jokes about my accent.", [Concern.DISCRIMINATION]),
        ("He threatened to have me fired.", [Concern.THREAT]),
        ("We need to push back on the client's dates.", []),
        ("I felt anxious when the release date moved.", []),
    ],
)
def test_concerns(text: str, expected: list[Concern]) -> None:
    assert concerns(text) == expected


async def with_contacts(h: Harness) -> None:
    config = await h.configs.get(h.team)
    contacts = [EscalationContact(label="HR", user_id=h.cat, details="Confidential, any weekday.")]
    entry = AuditEntry(actor="UADMIN", at=datetime(2026, 12, 1, tzinfo=UTC), action="safety")
    await h.configs.save(h.team, config.model_copy(update={"escalation_contacts": contacts}), entry)


async def test_intake_that_signals_harassment_shows_the_contacts(h: Harness) -> None:
    await with_contacts(h)
    await play.start(h)
    await play.accept_and_agree(h)
    await h.click_dm(h.ann, "cg_intake_open")
    answers = dict(play.ANN_ANSWERS, happened="He keeps making sexual comments about me in stand-up.")
    await h.submit(h.ann, play.intake_values(answers))
    view = str(h.top_view(h.ann).blocks)
    assert "harassment" in view and "Confidential, any weekday." in view and h.cat in view
    await h.slack.click(h.ann, action_id="cg_keep_words", view_id=h.top_view(h.ann).id)
    await h.settle()
    assert h.top_view(h.ann).callback_id == "cg_sharing"  # nothing is blocked: it is her choice


async def test_a_start_that_signals_a_threat_says_so_after_sending(h: Harness) -> None:
    await with_contacts(h)
    await h.command(h.ann, f"<@{h.bob}|bob> he threatened me after the review")
    result = await h.submit(h.ann, {})
    assert result.response_action == "update"
    assert "a threat" in str(h.top_view(h.ann).blocks) and "HR" in str(h.top_view(h.ann).blocks)


async def test_a_declined_invitation_offers_the_contacts(h: Harness) -> None:
    await with_contacts(h)
    await play.start(h)
    await h.click_dm(h.bob, "cg_invite_decline")
    assert "Confidential, any weekday." in str(h.last_dm(h.ann).blocks)


async def test_app_home_shows_the_safety_text_and_contacts(h: Harness) -> None:
    await h.slack.app_home_opened(h.ann)
    await h.settle()
    home = h.standin.home(h.ann)
    assert home is not None
    assert t.SAFETY_HEADER in str(home.blocks) and t.SAFETY_NO_CONTACTS in str(home.blocks)
