"""Installations and OAuth state in Redis, for installing the app from a link into many workspaces.

slack-sdk ships installation stores for files, SQL and S3, none for Redis; these two implement its
`AsyncInstallationStore` and `AsyncOAuthStateStore`, so Bolt's OAuth flow and its authorize step use
them as they would the SDK's own.

Every key of one installation shares the hash tag of its workspace, the same tag as the workspace's
mediations (`bot.store.team_key`: `E….T…`, `-.T…` outside Enterprise Grid, `E….-` for an org-wide
install), so each script touches one Redis Cluster slot:

- `{prefix}:{ws}:inst:bot`: the bot token and its scopes (a `Bot`), the newest one saved;
- `{prefix}:{ws}:inst:user`: each installing user's record (an `Installation` without any bot token:
  the user token and user scopes, who installed and when), by user id;
- `{prefix}:{ws}:inst:order`: the same user ids by installation time, so that the workspace's latest
  installation is the newest one still stored.

Bot and user tokens are kept apart: a user's record never carries the bot token, and
`async_find_installation` joins the current bot to it, so revoking the bot token (or rotating it)
takes effect for every installation at once. Every value is encrypted with the app's key
(`bot.crypto.Cipher`), like private text.

OAuth state: a random value signed with `SLACK_STATE_SECRET` (a forged or altered state is refused
without a Redis round trip), stored under its own key with an expiry, and consumed by deleting it:
valid once, and only for `expiration_seconds`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from logging import Logger
from typing import Any, cast

import redis.asyncio as aioredis
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.crypto import Cipher
from bot.store import UNREADABLE_ERRORS, team_key, unavailable

log = logging.getLogger("commonground.installations")

NO_USER = "-"
"""The field of an installation that names no installing user."""

# Fields of an `Installation` that belong to the bot: never stored in a user's record.
BOT_FIELDS = (
    "bot_token",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_refresh_token",
    "bot_token_expires_at",
)

# KEYS: 1 bot, 2 user records, 3 order. ARGV: 1 bot ("" to keep the stored one), 2 user field,
# 3 user record, 4 installed at.
_SAVE = """
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
return 1
"""

# KEYS: 1 bot, 2 user records, 3 order. ARGV: 1 user field ("" for the latest installation).
# Returns {bot or false, user record or false}.
_FIND = """
local field = ARGV[1]
if field == '' then
  local newest = redis.call('ZREVRANGE', KEYS[3], 0, 0)
  if #newest == 0 then return {redis.call('GET', KEYS[1]), false} end
  field = newest[1]
end
return {redis.call('GET', KEYS[1]), redis.call('HGET', KEYS[2], field)}
"""

# KEYS: 1 user records, 2 order. ARGV: user fields to delete (none: every one).
_DELETE_USERS = """
if #ARGV == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
for _, field in ipairs(ARGV) do
  redis.call('HDEL', KEYS[1], field)
  redis.call('ZREM', KEYS[2], field)
end
return 1
"""


def workspace_of(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> str:
    """The namespace an installation is kept under: an org-wide install by its enterprise alone."""
    return team_key(enterprise_id, None if is_enterprise_install else team_id)


class RedisInstallationStore(AsyncInstallationStore):
    """Bolt's installation store on Redis: save, find by team, by enterprise, org-wide, the latest
    installation, and delete (the bot, a user's installation, or everything of a workspace)."""

    def __init__(
        self, redis: aioredis.Redis, cipher: Cipher, *, prefix: str = "cg", logger: Logger | None = None
    ) -> None:
        self._redis = self.redis = redis
        self._cipher = cipher
        self._prefix = self.prefix = prefix
        self._logger = logger or log
        self._save = redis.register_script(_SAVE)
        self._find = redis.register_script(_FIND)
        self._delete_users = redis.register_script(_DELETE_USERS)

    @property
    def logger(self) -> Logger:
        """The logger Bolt and the SDK expect a store to have."""
        return self._logger

    def _keys(self, workspace: str) -> list[str]:
        base = f"{self._prefix}:{{{workspace}}}:inst"
        return [f"{base}:bot", f"{base}:user", f"{base}:order"]

    def _seal(self, fields: dict[str, Any]) -> bytes:
        return self._cipher.pack(json.dumps(fields, separators=(",", ":")).encode())

    def _open(self, blob: bytes | None) -> dict[str, Any] | None:
        if blob is None:
            return None
        try:
            found = json.loads(self._cipher.unpack(blob))
        except UNREADABLE_ERRORS:
            self._logger.warning("an installation cannot be read (another key, or damaged)")
            return None
        return cast(dict[str, Any], found) if isinstance(found, dict) else None

    # saving -----------------------------------------------------------------------------------

    async def async_save(self, installation: Installation) -> None:
        """Keep an installation: its bot (when it has a bot token) and its user's record."""
        workspace = workspace_of(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        user = dict(installation.__dict__)
        for name in BOT_FIELDS:
            user[name] = None
        bot = self._seal(installation.to_bot().__dict__) if installation.bot_token else b""
        field = installation.user_id or NO_USER

        async def call() -> None:
            await self._save(
                keys=self._keys(workspace),
                args=[bot, field, self._seal(user), repr(float(installation.installed_at))],
            )

        await unavailable(call)()

    async def async_save_bot(self, bot: Bot) -> None:
        """Keep a bot (a token rotation of the bot alone)."""
        if not bot.bot_token:
            return
        workspace = workspace_of(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        key = self._keys(workspace)[0]
        sealed = self._seal(bot.__dict__)

        async def call() -> None:
            await self._redis.set(key, sealed)

        await unavailable(call)()

    # finding ----------------------------------------------------------------------------------

    async def _records(
        self, workspace: str, user_id: str | None
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        async def call() -> list[bytes | None]:
            return cast(
                list[bytes | None], await self._find(keys=self._keys(workspace), args=[user_id or ""])
            )

        bot, user = await unavailable(call)()
        return self._open(bot), self._open(user)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The workspace's (or, org-wide, the org's) bot, or None."""
        workspace = workspace_of(enterprise_id, team_id, is_enterprise_install)
        key = self._keys(workspace)[0]

        async def call() -> bytes | None:
            return cast(bytes | None, await self._redis.get(key))

        found = self._open(await unavailable(call)())
        return Bot(**found) if found else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """This user's installation, or (no user) the latest one of the workspace or org, with the
        current bot joined to it; None when there is none."""
        workspace = workspace_of(enterprise_id, team_id, is_enterprise_install)
        bot, user = await self._records(workspace, user_id)
        if user is None:
            return None
        if bot is not None:
            for name in BOT_FIELDS:
                user[name] = bot.get(name)
        return Installation(**user)

    # deleting ---------------------------------------------------------------------------------

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the bot token of a workspace (or, with no team, of an org-wide install)."""
        key = self._keys(team_key(enterprise_id, team_id))[0]

        async def call() -> None:
            await self._redis.delete(key)

        await unavailable(call)()

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget one user's installation (their user token), or with no user every one."""
        await self.delete_users(
            enterprise_id=enterprise_id, team_id=team_id, user_ids=[user_id] if user_id else []
        )

    async def delete_users(
        self, *, enterprise_id: str | None, team_id: str | None, user_ids: list[str]
    ) -> None:
        """Forget these users' installations (their user tokens) in one step; no ids: every one."""
        keys = self._keys(team_key(enterprise_id, team_id))[1:]

        async def call() -> None:
            await self._delete_users(keys=keys, args=user_ids)

        await unavailable(call)()

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget every token of a workspace (or org-wide install): the bot and every user's."""
        keys = self._keys(team_key(enterprise_id, team_id))

        async def call() -> None:
            await self._redis.delete(*keys)

        await unavailable(call)()


class RedisOAuthStateStore(AsyncOAuthStateStore):
    """OAuth `state` values: signed, single use and expiring."""

    def __init__(
        self,
        redis: aioredis.Redis,
        secret: str,
        *,
        expiration_seconds: int,
        prefix: str = "cg",
        logger: Logger | None = None,
    ) -> None:
        if not secret:
            raise ValueError("the OAuth state secret must not be empty")
        self._redis = redis
        self._secret = secret.encode()
        self.expiration_seconds = expiration_seconds
        self._prefix = prefix
        self._logger = logger or log

    @property
    def logger(self) -> Logger:
        """The logger the SDK expects a state store to have."""
        return self._logger

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def _key(self, nonce: str) -> str:
        return f"{self._prefix}:oauthstate:{{{nonce}}}"

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state value, valid once for `expiration_seconds`."""
        nonce = secrets.token_urlsafe(24)
        key = self._key(nonce)

        async def call() -> None:
            await self._redis.set(key, "1", ex=self.expiration_seconds)

        await unavailable(call)()
        return f"{nonce}.{self._sign(nonce)}"

    async def async_consume(self, state: str) -> bool:
        """True once for a state this store issued and that has not expired; False otherwise."""
        nonce, _, signature = (state or "").partition(".")
        if not nonce or not hmac.compare_digest(signature.encode(), self._sign(nonce).encode()):
            return False
        key = self._key(nonce)

        async def call() -> int:
            return int(await self._redis.delete(key))

        return await unavailable(call)() == 1
