"""Safety: words that signal harassment, violence, discrimination or a threat get a plain word and the
workspace's escalation contacts; a declined invitation offers them too; App Home always shows them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import texts as t
from flows.config import AuditEntry, EscalationContact
from flows.errors import RefusalCode
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


# --- after a safety signal nobody is pushed ------------------------------------------------------------

SIGNAL = "He keeps making sexual comments about me in stand-up."
KEEP_HAPPENED = dict(play.ALL, happened="none")  # what she wrote of it stays hers


def assert_told_nothing_of_it(h: Harness, user: str) -> None:
    """`user` was never shown Ann's words, the kind of concern, or her choice (App Home's footer, with
    the workspace's safety text and contacts, is everyone's and names kinds in general)."""
    seen = " ".join(h.shown_to(user))
    assert "sexual" not in seen and "may involve" not in seen and "contact first" not in seen
    for message in h.dm(user):
        shown = message.text + str(message.blocks)
        assert "harassment" not in shown and "Confidential, any weekday." not in shown


async def test_a_concern_in_anns_intake_holds_the_joint_space_until_she_goes_on(h: Harness) -> None:
    await with_contacts(h)
    await play.start(h)
    await play.accept_and_agree(h)
    await play.intake(h, h.ann, dict(play.ANN_ANSWERS, happened=SIGNAL), shares=KEEP_HAPPENED)
    choice = h.dm_with_action(h.ann, "cg_safety_go_on")  # her private choice, with three buttons
    assert "harassment" in choice.text
    assert {"cg_safety_contact_first", "cg_safety_pause"} <= {
        e["action_id"] for b in choice.blocks if b["type"] == "actions" for e in b["elements"]
    }
    # The rest of the mediation goes on privately; the joint space does not open while she has not chosen.
    await play.intake(h, h.bob, play.BOB_ANSWERS)
    await play.reflect(h, h.bob, "You felt uneasy about the comments in stand-up, and you need respect.")
    await play.answer(h, h.ann, confirmed=True)
    await play.reflect(h, h.ann, "You felt pressured and alone, and you need support and clarity.")
    await play.answer(h, h.bob, confirmed=True)
    await play.check_in(h, h.ann, [10, 9, 9, 10])
    await play.check_in(h, h.bob, [9, 10, 9, 9])
    m = await h.mediation()
    assert m.joint is None and m.joint_held
    assert not [c for c in h.standin.calls if c.method == "conversations.open" and "," in str(c.args)]
    # Bob learns only that it is paused at a participant's request: no kind of concern, no name.
    assert "paused at a participant" in h.last_dm(h.bob).text
    assert h.ann not in h.last_dm(h.bob).text
    bob_home = h.standin.home(h.bob)
    assert bob_home is not None and t.HOME_HELD in str(bob_home.blocks)
    assert_told_nothing_of_it(h, h.bob)
    ann_home = h.standin.home(h.ann)
    assert ann_home is not None and t.HOME_SAFETY_PENDING in str(ann_home.blocks)
    assert f"Waiting on <@{h.bob}>" not in str(ann_home.blocks)
    # Ann is asked again, and her choice opens the joint space.
    assert "cg_safety_go_on" in str(h.last_dm(h.ann).blocks)
    await h.click_dm(h.ann, "cg_safety_go_on")
    m = await h.mediation()
    assert m.joint is not None and not m.joint_held
    assert "goes on" in h.last_dm(h.bob).text
    assert "You chose to go on with the mediation" in str(h.dm(h.ann))  # her clicked message says so


async def test_a_pause_tells_bob_and_the_host_only_that_it_is_paused_at_a_participants_request(
    h: Harness,
) -> None:
    await with_contacts(h)
    maya = h.standin.add_user("maya", real_name="Maya Chen")
    await h.command(maya, f"facilitate <@{h.ann}|ann> <@{h.bob}|bob> the rota")
    await h.submit(maya, {})
    for person in (h.ann, h.bob):
        await h.click_dm(person, "cg_invite_accept")
    for person in (h.ann, h.bob):
        await h.click_dm(person, "cg_rules_agree")
    await play.intake(h, h.ann, dict(play.ANN_ANSWERS, happened=SIGNAL), shares=KEEP_HAPPENED)

    await h.click_dm(h.ann, "cg_safety_contact_first")
    m = (await h.store.for_facilitator(h.team, maya))[0]
    assert m.paused
    contacts = h.last_dm(h.ann)  # the workspace's contacts, and a way to go on
    assert "Confidential, any weekday." in str(contacts.blocks) and "cg_safety_go_on" in str(contacts.blocks)
    for other in (h.bob, maya):
        assert "paused at a participant" in h.last_dm(other).text
        assert_told_nothing_of_it(h, other)

    # Neither Bob nor the host can resume it for her; the refusal names no one and no reason.
    await h.click_home(maya, "cg_fac_resume")
    assert (await h.mediation(m.id)).paused
    assert t.REFUSALS[RefusalCode.HELD_BY_REQUEST] in str(h.top_view(maya).blocks)
    # Her App Home offers the choice again; going on resumes it for everyone.
    await h.click_home(h.ann, "cg_safety_go_on")
    assert not (await h.mediation(m.id)).paused
    assert "goes on" in h.last_dm(h.bob).text and "goes on" in h.last_dm(maya).text
