"""The sandbox installs too: a second workspace added on the page, the app installed into it through
the real install flow over HTTP (the app's install page, the stand-in's consent page, the app's
redirect with its state cookie), a mediation there, invisible from the first workspace; both
workspaces and the app's tokens survive a restart, and `--reset` starts clean."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot import texts as t
from bot.sandbox import installs
from bot.sandbox.hosted import NEW_PERSONAS
from bot.sandbox.server import PERSONAS, Sandbox, reset
from bot.sandbox.webapi import SlackStandIn
from bot.store import team_key
from flows.models import Stage
from tests.support.sandbox import started

TOPIC = "zq-the-night-rota-5d1e"
HOPES = "zq-kofi-hopes-0b7a"
_HREF = re.compile(r'href="([^"]+)"')


class Page:
    """The sandbox page's HTTP API and a browser's visits, as a person at one sandbox."""

    def __init__(self, sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
        self.sandbox = sandbox
        self.session = session
        self.base = f"http://127.0.0.1:{sandbox.port}"

    def ws(self, team_id: str) -> SlackStandIn:
        found = self.sandbox.workspaces.of_team(team_id)
        assert found is not None, team_id
        return found

    def uid(self, name: str, team_id: str) -> str:
        return self.ws(team_id).user_id(name)

    async def state(self, user_id: str, conv: str = "home", **extra: str) -> dict[str, Any]:
        params = {"as": user_id, "conv": conv, "drawer": "1", **extra}
        async with self.session.get(f"{self.base}/sandbox/state", params=params) as r:
            assert r.status == 200, await r.text()
            data: dict[str, Any] = await r.json()
            return data

    async def post(self, path: str, user_id: str, **body: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.post(f"{self.base}/sandbox/{path}", json={"as": user_id, **body}) as r:
            return r.status, await r.json()

    async def get(self, url: str, cookie: str = "") -> tuple[int, str, dict[str, str]]:
        headers = {"Cookie": cookie} if cookie else {}
        target = url if url.startswith("http") else self.base + url
        async with self.session.get(target, headers=headers, allow_redirects=False) as r:
            return r.status, await r.text(), dict(r.headers)

    async def everything(self, user_id: str) -> str:
        """Every state the page can show this person, drawer open."""
        first = await self.state(user_id)
        return json.dumps([first] + [await self.state(user_id, c["id"]) for c in first["conversations"]])


async def install_in_browser(page: Page, team_id: str) -> str:
    """What the page's "Add and install" leads the browser through; the "Open Slack" link at the end."""
    status, text, headers = await page.get("/slack/install")
    cookie = str(headers.get("Set-Cookie", "")).split(";", 1)[0]
    assert status == 200 and t.INSTALL_BUTTON in text and cookie
    consent_link = unescape(_HREF.search(text).group(1))  # type: ignore[union-attr]
    assert consent_link.startswith("/_slack/oauth/v2/authorize?")
    status, consent, _ = await page.get(consent_link)  # Slack's consent page
    assert status == 200 and installs.CONSENT_ALLOW in consent
    assert f'<option value="{team_id}" selected>' in consent  # the new workspace, offered first
    status, _, headers = await page.get(f"{consent_link}&team={team_id}&approve=1")  # Allow
    back = str(headers.get("Location", ""))
    assert status == 302 and back.startswith(f"{page.base}/slack/oauth_redirect?code="), back
    status, done, _ = await page.get(back, cookie=cookie)
    assert status == 200 and t.INSTALLED_TITLE in done, done
    return unescape(_HREF.search(done).group(1))  # type: ignore[union-attr]


async def test_a_second_workspace_installs_runs_a_mediation_apart_and_survives_a_restart(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    folder = tmp_path / "sb"
    sandbox = await started(folder)
    try:
        page = Page(sandbox, session)
        first = sandbox.standin.team_id
        ann = page.uid("ann", first)
        installations = sandbox.services.installations
        assert installations is not None
        # the first workspace was installed through the same flow at first start, by Ada, encrypted
        bot = await installations.async_find_bot(enterprise_id=None, team_id=first)
        assert bot is not None and bot.bot_token and bot.bot_token != sandbox.standin.bot_token
        redis = installations.redis
        kept = [k async for k in redis.scan_iter(match="*:inst:*")]
        assert kept
        for key in kept:  # every value of the installation: the token only encrypted
            kind = await redis.type(key)
            values: list[Any] = [await redis.get(key)] if kind in (b"string", "string") else []
            values += list((await redis.hgetall(key)).values()) if kind in (b"hash", "hash") else []
            values += list(await redis.zrange(key, 0, -1)) if kind in (b"zset", "zset") else []
            assert not any(bot.bot_token in str(v) for v in values), key

        status, added = await page.post("workspaces", ann, name="Riverside Clinic")
        assert status == 200 and added["ok"] and added["install"] == "/slack/install", added
        second = added["team_id"]
        listed = {w["team_id"]: w for w in (await page.state(ann))["workspaces"]}
        assert listed[first]["installed"] and not listed[second]["installed"]
        assert listed[second]["name"] == "Riverside Clinic"
        status, again = await page.post("workspaces", ann, name="riverside clinic")
        assert status == 400 and not again["ok"]

        open_slack = await install_in_browser(page, second)
        assert parse_qs(urlsplit(open_slack).query)["team"] == [second] and open_slack.startswith("/?")
        bot2 = await installations.async_find_bot(enterprise_id=None, team_id=second)
        assert bot2 is not None and bot2.bot_token not in (bot.bot_token, None)

        # "Open Slack" leads back to the page in the new workspace, as its first person
        async with session.get(f"{page.base}/sandbox/state", params={"team": second}) as r:
            landed = await r.json()
        kofi, mei = page.uid("kofi", second), page.uid("mei", second)
        assert landed["me"] == kofi and landed["workspace"] == second
        assert [p["name"] for p in landed["people"]] == [p[0] for p in NEW_PERSONAS]
        assert all(w["installed"] for w in landed["workspaces"])
        assert kofi not in sandbox.standin.users and ann not in page.ws(second).users

        # a mediation in the second workspace, through its page
        status, body = await page.post("command", kofi, text=f"/mediate @mei {TOPIC}")
        assert status == 200 and body["ok"], body
        view_id = page.ws(second).open_views(kofi)[-1].id
        status, body = await page.post(
            "submit", kofi, view_id=view_id, values={"hopes": {"value": f"I hope {HOPES}."}}
        )
        assert status == 200 and body["ok"], body
        mei_dm = page.ws(second).im_with(mei)
        await page.ws(second).wait_until(
            lambda: any("cg_invite_accept" in str(m.blocks) for m in page.ws(second).messages(mei_dm)),
            within=5,
        )
        (mediation,) = await sandbox.services.service.store.for_user(team_key(None, second), kofi)
        assert mediation.stage is Stage.INVITATION
        assert await sandbox.services.service.store.for_user(team_key(None, first), kofi) == []
        assert TOPIC in await page.everything(mei)
        # ... and invisible from the first workspace: nobody there sees any of it
        for name, *_ in PERSONAS:
            seen = await page.everything(page.uid(name, first))
            assert TOPIC not in seen and HOPES not in seen, name
        assert not sandbox.standin.rejected and not page.ws(second).rejected
    finally:
        await sandbox.stop()

    # a restart keeps both workspaces, their people and the app's installation in each
    sandbox = await started(folder)
    try:
        page = Page(sandbox, session)
        assert [ws.team_id for ws in sandbox.workspaces.all] == [first, second]
        mei = page.uid("mei", second)
        assert TOPIC in json.dumps(await page.state(mei, page.ws(second).im_with(mei)))
        invitation = next(m for m in page.ws(second).messages(mei_dm) if "cg_invite_accept" in str(m.blocks))
        status, body = await page.post(
            "click", mei, action_id="cg_invite_accept", channel=mei_dm, ts=invitation.ts
        )
        assert status == 200 and body["ok"], body
        store = sandbox.services.service.store
        await page.ws(second).wait_until(lambda: page.ws(second).home(mei) is not None, within=5)
        assert (await store.get(team_key(None, second), mediation.id)).stage is not Stage.INVITATION  # type: ignore[union-attr]
        assert not page.ws(second).rejected
    finally:
        await sandbox.stop()

    # --reset starts clean: one workspace again
    reset(folder)
    sandbox = await started(folder)
    try:
        assert [ws.team_id for ws in sandbox.workspaces.all] == [first]
    finally:
        await sandbox.stop()
