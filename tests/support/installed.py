"""The app installed from a link (SLACK_CLIENT_ID set) into one or more stand-in workspaces, each
install done over HTTP as a browser and Slack would: `/slack/install`, Slack's consent page (the
stand-in's), `/slack/oauth_redirect`."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlencode

from bot.app import Services
from bot.crypto import Cipher
from bot.installations import RedisInstallationStore
from bot.sandbox import installs
from bot.sandbox.delivery import SlackDelivery
from bot.sandbox.webapi import SlackStandIn
from bot.settings import Settings, load_settings
from tests.support.harness import SIGNING_SECRET, Harness

STATE_SECRET = "test-state-secret-51c0"
_HREF = re.compile(r'href="([^"]+)"')


@dataclass
class Page:
    """An HTML page the browser was shown."""

    status: int
    text: str
    cookie: str | None = None

    @property
    def link(self) -> str:
        found = _HREF.search(self.text)
        assert found, self.text
        return unescape(found.group(1))


class InstalledHarness(Harness):
    """The app in OAuth mode; `workspace()` adds another stand-in workspace on the same Slack,
    `install()` installs the app into one over HTTP."""

    user_scopes = ""

    async def start(self) -> InstalledHarness:
        await super().start()
        installs.installs(self.standin).redirect_uri = f"{self.app_url}/slack/oauth_redirect"
        return self

    def app_settings(self) -> Settings:
        state = installs.installs(self.standin)
        return load_settings(
            slack_client_id=state.client_id,
            slack_client_secret=state.client_secret,
            slack_state_secret=STATE_SECRET,
            slack_user_scopes=self.user_scopes,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=self.standin.api_url,
            slack_authorize_url=f"{self.standin.url}/oauth/v2/authorize",
            redis_url=self.redis_url,
            encryption_key=self.encryption_key,
            key_prefix=self.key_prefix,
        )

    def app_services(self) -> Services:
        self.installations = RedisInstallationStore(
            self.store.redis, Cipher(self.encryption_key), prefix=self.key_prefix
        )
        return Services(service=self.service, http=self.http, installations=self.installations)

    def workspace(self, team_id: str, domain: str) -> Harness:
        """Another workspace on the same Slack (served by the same stand-in), seen through a harness
        that shares this one's app, store and clock: ann, bob and cat of its own."""
        other = SlackStandIn(team_id=team_id, team_domain=domain, bot_token=f"xoxb-never-{team_id}")
        installs.host(self.standin, other)
        view = copy.copy(self)
        view.standin = other
        view.ann = other.add_user("ann", real_name="Ann Other")
        view.bob = other.add_user("bob", real_name="Bob Other")
        view.cat = other.add_user("cat", real_name="Cat Other")
        view.slack = SlackDelivery(f"{self.app_url}/slack/events", SIGNING_SECRET, other)
        return view

    async def browse(self, url: str, cookie: str | None = None) -> Page:
        """A browser's GET, without following redirects (the Location is the page's link)."""
        headers = {"Cookie": cookie} if cookie else {}
        async with self.http.get(url, headers=headers, allow_redirects=False) as response:
            text = await response.text()
            set_cookie = response.headers.get("Set-Cookie")
            if response.status == 302:
                text = f'<a href="{response.headers["Location"]}">redirect</a>'
        return Page(response.status, text, set_cookie.split(";", 1)[0] if set_cookie else None)

    async def install(self, where: Harness, installer: str | None = None, *, deny: bool = False) -> Page:
        """An admin of `where` installs the app from the link; the page they end on."""
        page = await self.browse(f"{self.app_url}/slack/install")
        assert page.status == 200 and page.cookie, page
        extra = {"team": where.standin.team_id, "as": installer or where.ann}
        if deny:
            extra["deny"] = "1"
        consent = await self.browse(f"{page.link}&{urlencode(extra)}")
        assert consent.status == 302, consent
        return await self.browse(consent.link, cookie=page.cookie)
