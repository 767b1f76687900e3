"""The sandbox's workspaces: the first (Ann, Bob, Maya and Ada) and each one added on the page, all
served by the one Slack stand-in, each with people of its own and its own state file; and the app
installed into each through the real install flow (`/slack/install`, the stand-in's consent page,
`/slack/oauth_redirect`), as an admin installs it from a link.

Files under the sandbox's folder: `workspace.json` (the first workspace), `workspace-<team id>.json`
(each added one) and `workspaces.json` (which workspaces were added, and their ids).
"""

from __future__ import annotations

import html
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot.installations import RedisInstallationStore
from bot.sandbox import installs
from bot.sandbox.persistence import AutoSaver, PersistenceError, load, write_atomically
from bot.sandbox.webapi import SlackStandIn

REGISTRY_FILE = "workspaces.json"
REGISTRY_FORMAT = "commonground-sandbox-workspaces"
ID_BLOCK = 100_000
"""The ids (people, conversations, views) of the n-th added workspace start at n × this: Slack's ids
are unique across workspaces, so a persona's id names its workspace."""
MAX_WORKSPACES = 8
"""Workspaces added on the page, at most (the first one not counted)."""

NEW_PERSONAS = (
    # name, real name, workspace admin, time zone: the people of a workspace added on the page
    ("kofi", "Kofi Mensah", False, "Africa/Accra"),
    ("mei", "Mei Tanaka", False, "Asia/Tokyo"),
    ("raj", "Raj Patel (manager)", False, "Asia/Kolkata"),
    ("lena", "Lena Vogel (admin)", True, "America/Sao_Paulo"),
)

NAME_NEEDED = "Please give the workspace a short name, like “Riverside Clinic”."
NAME_TAKEN = "There is already a workspace called {name}."
TOO_MANY = f"The sandbox holds at most {MAX_WORKSPACES} added workspaces; --reset starts clean."
_HREF = re.compile(r'href="([^"]+)"')


def domain_of(name: str) -> str:
    """A workspace's Slack domain from the name given on the page ("Riverside Clinic" → riverside-clinic)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:30].strip("-")


@dataclass(frozen=True)
class Identity:
    """What makes an added workspace itself: its team, domain and its bot user (saved in the registry)."""

    team_id: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    bot_token: str
    serial: int

    def standin(self, base: SlackStandIn) -> SlackStandIn:
        """The workspace, empty, served by `base`'s stand-in on its clock."""
        ws = SlackStandIn(
            team_id=self.team_id,
            team_domain=self.team_domain,
            bot_token=self.bot_token,
            bot_user_id=self.bot_user_id,
            bot_id=self.bot_id,
            app_id=base.app_id,
            clock=base.clock,
        )
        ws._counter = itertools.count(self.serial * ID_BLOCK)
        installs.host(base, ws)
        return ws


class SandboxWorkspaces:
    """Every workspace of the sandbox, the first included, and their autosavers."""

    def __init__(self, data_dir: Path, first: SlackStandIn) -> None:
        self.data_dir = data_dir
        self.first = first
        self.added: list[tuple[Identity, SlackStandIn]] = []
        self.savers: list[AutoSaver] = []

    @property
    def all(self) -> list[SlackStandIn]:
        """The first workspace, then the added ones in the order they were added."""
        return [self.first, *(ws for _, ws in self.added)]

    def of_user(self, user_id: object) -> SlackStandIn | None:
        """The workspace a person belongs to (ids are unique across workspaces)."""
        return next((ws for ws in self.all if isinstance(user_id, str) and user_id in ws.users), None)

    def of_team(self, team_id: object) -> SlackStandIn | None:
        """The workspace with this team id."""
        return next((ws for ws in self.all if ws.team_id == team_id), None)

    def _file(self, identity: Identity) -> Path:
        return self.data_dir / f"workspace-{identity.team_id}.json"

    def load(self) -> None:
        """Bring back the workspaces added before a restart, each with its saved state."""
        path = self.data_dir / REGISTRY_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            raise PersistenceError(f"it cannot be read ({exc})", path) from exc
        if not isinstance(data, dict) or data.get("format") != REGISTRY_FORMAT:
            raise PersistenceError("it is not the sandbox's list of workspaces", path)
        try:
            identities = [Identity(**entry) for entry in data.get("workspaces", [])]
        except TypeError as exc:
            raise PersistenceError(f"it holds invalid data ({exc})", path) from exc
        for identity in identities:
            ws = identity.standin(self.first)
            if not load(ws, self._file(identity)):
                seed_people(ws)
            self.added.append((identity, ws))

    def _save_registry(self) -> None:
        payload = {
            "format": REGISTRY_FORMAT,
            "version": 1,
            "workspaces": [vars(identity) for identity, _ in self.added],
        }
        write_atomically(self.data_dir / REGISTRY_FILE, json.dumps(payload, indent=1).encode())

    def add(self, name: str) -> SlackStandIn:
        """A new Slack workspace called `name`, with people of its own (the app not installed yet).
        Raises `ValueError` with the sentence the page shows."""
        domain = domain_of(name)
        if not domain:
            raise ValueError(NAME_NEEDED)
        if any(ws.team_domain == domain for ws in self.all):
            raise ValueError(NAME_TAKEN.format(name=installs.workspace_name(self.of_domain(domain))))
        if len(self.added) >= MAX_WORKSPACES:
            raise ValueError(TOO_MANY)
        serial = len(self.added) + 1
        identity = Identity(
            team_id=f"T0SB{serial:04d}",
            team_domain=domain,
            bot_user_id=f"U0BOT{serial}",
            bot_id=f"B0BOT{serial}",
            bot_token=f"xoxb-unused-{serial}",  # the app uses only the token it is given on install
            serial=serial,
        )
        ws = identity.standin(self.first)
        seed_people(ws)
        self.added.append((identity, ws))
        self._save_registry()
        saver = AutoSaver(ws, self._file(identity))
        saver.flush()
        saver.start()
        self.savers.append(saver)
        return ws

    def of_domain(self, domain: str) -> SlackStandIn:
        """The workspace with this domain."""
        return next(ws for ws in self.all if ws.team_domain == domain)

    def start(self) -> None:
        """Save each added workspace shortly after it changes."""
        for identity, ws in self.added:
            saver = AutoSaver(ws, self._file(identity))
            saver.start()
            self.savers.append(saver)

    async def stop(self) -> None:
        """Stop saving, after a last save."""
        for saver in self.savers:
            await saver.stop()
        self.savers.clear()


def seed_people(ws: SlackStandIn) -> None:
    """The people of a workspace added on the page."""
    for name, real_name, admin, tz in NEW_PERSONAS:
        ws.add_user(name, real_name=real_name, is_admin=admin, tz=tz)


def installer_of(ws: SlackStandIn) -> str:
    """Who installs the app: the workspace's first admin (else its first person)."""
    people = [u for u in ws.users.values() if not u.is_bot and not u.deleted]
    admins = [u for u in people if u.is_admin or u.is_owner]
    return (admins + people)[0].id


async def is_installed(store: RedisInstallationStore, ws: SlackStandIn) -> bool:
    """Whether the app holds a bot token for `ws` that the workspace still honours."""
    bot = await store.async_find_bot(enterprise_id=None, team_id=ws.team_id)
    return bot is not None and installs.token_owner(ws, bot.bot_token or "") is not None


async def install(app_url: str, ws: SlackStandIn) -> None:
    """Install the app into `ws` as its admin would from a browser: the app's install page, the
    consent page (approved), the app's redirect with the state cookie. Raises `RuntimeError` when a
    step does not answer as it should."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{app_url}/slack/install") as page:
            text = await page.text()
            cookie = page.headers.get("Set-Cookie", "").split(";", 1)[0]
        link = _HREF.search(text)
        if page.status != 200 or link is None or not cookie:
            raise RuntimeError(f"the install page answered {page.status}")
        approve = {"team": ws.team_id, "as": installer_of(ws), "approve": "1"}
        consent_url = html.unescape(link.group(1))
        consent_url = consent_url if consent_url.startswith("http") else app_url + consent_url
        params = _merged(consent_url, approve)
        async with http.get(consent_url.split("?", 1)[0], params=params, allow_redirects=False) as consent:
            back = consent.headers.get("Location", "")
        if consent.status != 302 or "code=" not in back:
            raise RuntimeError(f"the consent page answered {consent.status}")
        async with http.get(back, headers={"Cookie": cookie}, allow_redirects=False) as done:
            if done.status != 200:
                raise RuntimeError(f"the app's redirect answered {done.status}")


def _merged(url: str, extra: dict[str, str]) -> dict[str, Any]:
    from urllib.parse import parse_qsl, urlsplit

    return {**dict(parse_qsl(urlsplit(url).query)), **extra}
