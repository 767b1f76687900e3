"""Upgrading in place: mediations an earlier release stored are missing from App Home, `/mediate status`
and "delete my data" until `commonground migrate` runs; then a person sees them and can erase them."""

from __future__ import annotations

from bot import texts as t
from bot.crypto import Cipher
from bot.migrate import migrate
from flows.retention import PURGED
from tests.support.harness import Harness
from tests.support.old_release import lived, write_old


async def test_old_mediations_appear_in_app_home_status_and_delete_my_data_once_migrated(h: Harness) -> None:
    cipher = Cipher(h.encryption_key)
    opened = lived("intake", h.ann, h.bob, 0, team=h.team, mediation_id="mold1")
    closed = lived("cancelled", h.ann, h.cat, 1, team=h.team, mediation_id="mold2")
    for m in (opened, closed):
        await write_old(h.store.redis, cipher, h.key_prefix, m)

    await h.command(h.ann, "status")
    assert t.STATUS_NONE in h.ephemeral_texts(h.ann)  # before: the new indexes miss them

    summary = await migrate(h.store)
    assert (summary.mediations, summary.reencoded, summary.skipped) == (2, 2, 0)

    await h.command(h.ann, "status")
    status = str(h.standin.ephemerals(h.ann)[-1].blocks)
    assert "the release dates 0" in status and "the release dates 1" in status
    assert await h.slack.app_home_opened(h.ann) == 200
    await h.settle()
    home = h.standin.home(h.ann)
    assert home is not None
    shown = str(home.blocks)
    assert f"<@{h.bob}>" in shown and f"<@{h.cat}>" in shown and t.HOME_EMPTY not in shown

    await h.command(h.ann, "delete-my-data")
    prompt = h.standin.ephemerals(h.ann)[-1]
    await h.slack.click(h.ann, action_id="cg_delete_my_data", message=(prompt.channel, prompt.ts))
    await h.settle()
    receipt = h.standin.ephemerals(h.ann)[-1].text
    assert "From 2 mediation(s)" in receipt and "1 open mediation(s) closed" in receipt
    erased = await h.store.get(h.team, "mold1")
    assert erased is not None and not erased.is_open
    assert erased.initiator.answers and all(a.text == PURGED for a in erased.initiator.answers.values())
