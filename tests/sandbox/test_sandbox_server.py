"""The sandbox server: one process with the real app, the stand-in, Redis and the page's API; state
that survives a restart; `--reset`; the developer drawer's log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from bot.sandbox.server import PERSONAS, Sandbox, reset
from tests.support.sandbox import started


class Client:
    def __init__(self, sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
        self.sandbox = sandbox
        self.session = session
        self.base = f"http://127.0.0.1:{sandbox.port}"

    def uid(self, name: str) -> str:
        return self.sandbox.standin.user_id(name)

    async def state(self, who: str, conv: str = "home", *, drawer: bool = False) -> dict[str, Any]:
        params = {"as": self.uid(who), "conv": conv, **({"drawer": "1"} if drawer else {})}
        async with self.session.get(f"{self.base}/sandbox/state", params=params) as r:
            assert r.status == 200, await r.text()
            data: dict[str, Any] = await r.json()
            return data

    async def post(self, path: str, who: str | None, **body: Any) -> tuple[int, dict[str, Any]]:
        if who is not None:
            body["as"] = self.uid(who)
        async with self.session.post(f"{self.base}/sandbox/{path}", json=body) as r:
            return r.status, await r.json()


async def test_page_and_personas(tmp_path: Path, session: aiohttp.ClientSession) -> None:
    sandbox = await started(tmp_path / "sb")
    try:
        client = Client(sandbox, session)
        async with session.get(client.base + "/") as r:
            assert r.status == 200 and "Common Ground sandbox" in await r.text()
        async with session.get(client.base + "/static/sandbox.css") as r:
            assert r.status == 200
        async with session.get(client.base + "/static/../server.py") as r:
            assert r.status == 404
        async with session.get(client.base + "/healthz") as r:
            assert r.status == 200
        state = await client.state("ann")
        assert [p["name"] for p in state["people"]] == [persona[0] for persona in PERSONAS]
        assert state["conversations"][0]["label"] == "Common Ground"
    finally:
        await sandbox.stop()


async def test_composer_mentions_become_slack_mentions(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    sandbox = await started(tmp_path / "sb")
    try:
        client = Client(sandbox, session)
        assert (
            sandbox.page.mentions("/mediate @bob and @nobody")
            == f"/mediate <@{client.uid('bob')}|bob> and @nobody"
        )
        status, body = await client.post("command", "ann", text="/mediate @bob the rota")
        assert status == 200 and body["ok"]
        views = sandbox.standin.open_views(client.uid("ann"))
        assert views and views[-1].callback_id == "cg_start"
        status, body = await client.post("command", "ann", text="/giphy cats")
        assert body["ok"] is False and "not a command" in body["error"]
    finally:
        await sandbox.stop()


async def test_add_a_person(tmp_path: Path, session: aiohttp.ClientSession) -> None:
    sandbox = await started(tmp_path / "sb")
    try:
        client = Client(sandbox, session)
        status, body = await client.post("people", None, name="Sam")
        assert status == 200 and body["ok"]
        assert "sam" in [p["name"] for p in (await client.state("sam"))["people"]]
        status, body = await client.post("people", None, name="sam")
        assert status == 400 and "already" in body["error"]
        status, body = await client.post("people", None, name="!!!")
        assert status == 400
    finally:
        await sandbox.stop()


async def test_state_survives_a_restart_and_reset_starts_clean(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    folder = tmp_path / "sb"
    sandbox = await started(folder)
    client = Client(sandbox, session)
    await client.post("command", "ann", text="/mediate @bob the rota")
    view_id = sandbox.standin.open_views(client.uid("ann"))[-1].id
    status, body = await client.post("submit", "ann", view_id=view_id, values={})
    assert status == 200 and body["ok"]
    await sandbox.stop()

    again = await started(folder)
    try:
        client = Client(again, session)
        state = await client.state("bob", again.standin.im_with(client.uid("bob")))
        assert "the rota" in state["pane"] and "cg_invite_accept" in state["pane"]
        # The app's Redis data came back too: Bob can accept the invitation sent before the restart.
        message = [
            m
            for m in again.standin.messages(again.standin.im_with(client.uid("bob")))
            if "cg_invite_accept" in str(m.blocks)
        ][-1]
        status, body = await client.post(
            "click", "bob", action_id="cg_invite_accept", channel=message.channel, ts=message.ts, value=None
        )
        assert status == 200 and body["ok"]
        await again.standin.wait_until(
            lambda: any(
                "accepted your invitation" in m.text
                for m in again.standin.messages(again.standin.im_with(client.uid("ann")))
            ),
            within=5,
        )
    finally:
        await again.stop()

    reset(folder)
    fresh = await started(folder)
    try:
        client = Client(fresh, session)
        state = await client.state("bob", fresh.standin.im_with(client.uid("bob")))
        assert "the rota" not in state["pane"]
    finally:
        await fresh.stop()


async def test_drawer_shows_requests_and_flags_rejected_calls(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    sandbox = await started(tmp_path / "sb")
    try:
        client = Client(sandbox, session)
        await client.post("command", "ann", text="/mediate help")
        # A call Slack would refuse is flagged (the page draws it in red), in the drawer of the person
        # it was for; one for nobody's client (an unknown channel) is in nobody's drawer.
        ann_dm = sandbox.standin.im_with(client.uid("ann"))
        for channel in (ann_dm, "C-nope"):
            bad = sandbox.standin.call(
                "chat.postMessage", {"channel": channel, "blocks": [{"type": "nope"}]}, token=None
            )
            assert bad["ok"] is False
        assert "devlog" not in await client.state("ann")  # sent only while the drawer is open
        log = (await client.state("ann", drawer=True))["devlog"]
        kinds = {e["kind"] for e in log}
        assert kinds == {"request", "call"}
        assert any(e["kind"] == "request" and "/mediate" in e["detail"] for e in log)
        rejected = [e for e in log if not e["ok"]]
        assert len(rejected) == 1 and "invalid_blocks" in rejected[0]["title"]
        assert ann_dm in rejected[0]["detail"] and "C-nope" not in str(log)
        assert len({e["id"] for e in log}) == len(log)  # the page keeps opened entries open by id
    finally:
        await sandbox.stop()
