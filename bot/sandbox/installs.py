"""Installing the app into the stand-in: Slack's side of the OAuth v2 flow, and the tokens it issues.

What Slack does, for one workspace:

- `GET /oauth/v2/authorize?client_id&scope&user_scope&state&redirect_uri[&team]` is the page where an
  installer approves the app: in a browser, a consent page (which workspace, **Allow** or **Cancel**);
  given a decision (`approve=1`, `deny=1`, or the installer `as` and the `team`), the stand-in
  approves as the person named by `as` (a user id; default: the workspace's first admin) and
  redirects to `redirect_uri?code=…&state=…` (or `?error=access_denied&state=…` with `deny=1`). A
  redirect URL that is a path (the sandbox's: the app and Slack share one origin there) is completed
  with the origin the browser asked on;
- `oauth.v2.access` exchanges that code (once, within ten minutes, with the app's client id and
  secret, in the form or as HTTP Basic auth) for a bot token (and a user token when user scopes were
  asked for), or with `grant_type=refresh_token` rotates a token when token rotation is on;
- every issued token is checked by every method, and `auth.test` answers for the token it is given;
- `revoke` and `uninstall` take tokens back, as revoking or uninstalling in Slack does.

Several workspaces can be served by one stand-in (`Installs.host`): a call goes to the workspace
whose token it carries, an exchange to the workspace that issued the code.
"""

from __future__ import annotations

import base64
import html
import secrets
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from aiohttp import web

from bot.sandbox.models import JSON, SlackError
from bot.sandbox.workspace import Workspace

if TYPE_CHECKING:
    from bot.sandbox.webapi import SlackStandIn

CODE_TTL = 600.0
ROTATED_TOKEN_SECONDS = 12 * 3600  # Slack's rotating tokens last twelve hours


@dataclass
class Grant:
    """An installer's approval, waiting to be exchanged for tokens."""

    user_id: str
    scopes: list[str]
    user_scopes: list[str]
    redirect_uri: str | None
    issued: float


@dataclass
class Issued:
    """A token the stand-in handed out: whose it is, and what refreshes it (token rotation)."""

    kind: str  # "bot" or "user"
    user_id: str
    scopes: list[str]
    refresh_token: str | None = None


@dataclass
class Installs:
    """The OAuth state of one workspace: the app's credentials, pending codes, issued tokens."""

    client_id: str = "111.222"
    client_secret: str = "sandbox-client-secret"
    token_rotation: bool = False
    redirect_uri: str | None = None  # the app's configured redirect URL (used when a link names none)
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Issued] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> access token
    hosted: list[SlackStandIn] = field(default_factory=list)  # other workspaces on this server

    @staticmethod
    def _split(value: object) -> list[str]:
        return [s.strip() for s in str(value or "").split(",") if s.strip()]


_STATE: weakref.WeakKeyDictionary[Workspace, Installs] = weakref.WeakKeyDictionary()


def installs(standin: Workspace) -> Installs:
    """The stand-in's OAuth state (made on first use)."""
    found = _STATE.get(standin)
    if found is None:
        found = _STATE[standin] = Installs()
    return found


def host(standin: SlackStandIn, other: SlackStandIn) -> None:
    """Serve `other` (another workspace, not started) from `standin`'s server: its calls, codes and
    response URLs are routed by token."""
    installs(standin).hosted.append(other)
    other.base_url = standin.base_url


def workspaces(standin: SlackStandIn) -> list[SlackStandIn]:
    """`standin` and every workspace it hosts."""
    return [standin, *installs(standin).hosted]


def for_token(standin: SlackStandIn, token: str) -> SlackStandIn:
    """The workspace a token belongs to (`standin` when none does: it answers `invalid_auth`)."""
    for ws in workspaces(standin):
        if token == ws.bot_token or token in installs(ws).tokens:
            return ws
    return standin


def token_owner(standin: SlackStandIn, token: str) -> Issued | None:
    """Who a token of this workspace belongs to; None when it is not (or no longer) valid."""
    if token and token == standin.bot_token:
        return Issued(kind="bot", user_id=standin.bot_user_id, scopes=[])
    return installs(standin).tokens.get(token)


def grant(
    standin: SlackStandIn,
    user_id: str,
    *,
    scopes: list[str],
    user_scopes: list[str] | None = None,
    redirect_uri: str | None = None,
) -> str:
    """An installer approves the app: a code for `oauth.v2.access`."""
    if user_id not in standin.users:
        raise SlackError("user_not_found")
    code = f"{standin.team_id}.{secrets.token_hex(12)}"
    installs(standin).codes[code] = Grant(user_id, scopes, user_scopes or [], redirect_uri, time.time())
    return code


def _new_token(standin: SlackStandIn, kind: str, user_id: str, scopes: list[str]) -> tuple[str, Issued]:
    state = installs(standin)
    prefix = "xoxb" if kind == "bot" else "xoxp"
    token = f"{prefix}-{standin.team_id}-{secrets.token_hex(10)}"
    issued = Issued(kind=kind, user_id=user_id, scopes=scopes)
    if state.token_rotation:
        token = "xoxe." + token
        issued.refresh_token = f"xoxe-1-{secrets.token_hex(12)}"
        state.refresh_tokens[issued.refresh_token] = token
    state.tokens[token] = issued
    standin.mark_changed()  # Slack keeps what it issued (the sandbox saves it with the workspace)
    return token, issued


def _expiry(issued: Issued) -> JSON:
    if issued.refresh_token is None:
        return {}
    return {"refresh_token": issued.refresh_token, "expires_in": ROTATED_TOKEN_SECONDS}


def _credentials(args: JSON, authorization: str) -> tuple[str, str]:
    if authorization.startswith("Basic "):
        try:
            pair = base64.b64decode(authorization[6:]).decode()
        except ValueError as exc:
            raise SlackError("invalid_client_id") from exc
        client_id, _, secret = pair.partition(":")
        return client_id, secret
    return str(args.get("client_id") or ""), str(args.get("client_secret") or "")


def oauth_v2_access(standin: SlackStandIn, args: JSON, authorization: str) -> JSON:
    """`oauth.v2.access`: a code (or a refresh token) for tokens, answered as Slack does."""
    client_id, secret = _credentials(args, authorization)
    if args.get("grant_type") == "refresh_token":
        refresh = str(args.get("refresh_token") or "")
        for ws in workspaces(standin):
            if refresh in installs(ws).refresh_tokens:
                return _refresh(ws, refresh, client_id, secret)
        raise SlackError("invalid_refresh_token")
    code = str(args.get("code") or "")
    for ws in workspaces(standin):
        if code in installs(ws).codes:
            return _exchange(ws, code, client_id, secret, args.get("redirect_uri"))
    raise SlackError("invalid_code")


def _check_client(standin: SlackStandIn, client_id: str, secret: str) -> None:
    state = installs(standin)
    if client_id != state.client_id:
        raise SlackError("invalid_client_id")
    if secret != state.client_secret:
        raise SlackError("bad_client_secret")


def _exchange(standin: SlackStandIn, code: str, client_id: str, secret: str, redirect_uri: object) -> JSON:
    _check_client(standin, client_id, secret)
    found = installs(standin).codes.pop(code)  # a code works once, even when the exchange fails
    if time.time() - found.issued > CODE_TTL:
        raise SlackError("invalid_code")
    if found.redirect_uri and redirect_uri and redirect_uri != found.redirect_uri:
        raise SlackError("bad_redirect_uri")
    bot_token, bot = _new_token(standin, "bot", standin.bot_user_id, found.scopes)
    answer: JSON = {
        "access_token": bot_token,
        "token_type": "bot",
        "scope": ",".join(found.scopes),
        "bot_user_id": standin.bot_user_id,
        "app_id": standin.app_id,
        "team": {"id": standin.team_id, "name": standin.team_domain.title()},
        "enterprise": None,
        "is_enterprise_install": False,
        "authed_user": {"id": found.user_id},
        **_expiry(bot),
    }
    if found.user_scopes:
        user_token, user = _new_token(standin, "user", found.user_id, found.user_scopes)
        answer["authed_user"] = {
            "id": found.user_id,
            "scope": ",".join(found.user_scopes),
            "access_token": user_token,
            "token_type": "user",
            **_expiry(user),
        }
    return answer


def _refresh(standin: SlackStandIn, refresh: str, client_id: str, secret: str) -> JSON:
    _check_client(standin, client_id, secret)
    state = installs(standin)
    old = state.tokens.get(state.refresh_tokens.pop(refresh))
    if old is None:
        raise SlackError("invalid_refresh_token")
    token, issued = _new_token(standin, old.kind, old.user_id, old.scopes)
    return {
        "access_token": token,
        "token_type": old.kind,
        "scope": ",".join(old.scopes),
        "team": {"id": standin.team_id},
        "enterprise": None,
        **_expiry(issued),
    }


def auth_test(standin: SlackStandIn, token: str) -> JSON:
    """`auth.test` for this token: the bot, or the user a user token belongs to."""
    owner = token_owner(standin, token)
    if owner is None:
        raise SlackError("invalid_auth")
    user = standin.users[owner.user_id]
    answer: JSON = {
        "url": f"https://{standin.team_domain}.slack.com/",
        "team": standin.team_domain.title(),
        "user": user.name,
        "team_id": standin.team_id,
        "user_id": owner.user_id,
        "is_enterprise_install": False,
    }
    if owner.kind == "bot":
        answer["bot_id"] = standin.bot_id
    return answer


def revoke(standin: SlackStandIn, token: str) -> None:
    """Take one token back (`auth.revoke`, or an admin revoking it)."""
    issued = installs(standin).tokens.pop(token, None)
    if issued is not None and issued.refresh_token:
        installs(standin).refresh_tokens.pop(issued.refresh_token, None)
    if issued is not None:
        standin.mark_changed()


def uninstall(standin: SlackStandIn) -> None:
    """The workspace uninstalls the app: every token it issued stops working."""
    for token in list(installs(standin).tokens):
        revoke(standin, token)


async def handle_authorize(standin: SlackStandIn, request: web.Request) -> web.Response:
    """`GET /oauth/v2/authorize`: the consent page; then the installer approves (or with `deny=1`
    cancels), and the browser goes back to the app's redirect URL with a code and the app's state."""
    query = request.query
    target = for_team(standin, query.get("team"))
    state = installs(target)
    redirect_uri = query.get("redirect_uri") or installs(standin).redirect_uri or ""
    if redirect_uri.startswith("/"):
        redirect_uri = f"{request.scheme}://{request.host}{redirect_uri}"
    if query.get("client_id") != state.client_id or not redirect_uri.startswith(("http://", "https://")):
        return web.Response(status=400, text="invalid_client_id or redirect_uri")
    if not any(query.get(k) for k in ("approve", "deny", "as", "team")):
        return consent_page(standin, request)
    back = {"state": query.get("state", "")}
    if query.get("deny"):
        raise web.HTTPFound(f"{redirect_uri}?{urlencode({'error': 'access_denied', **back})}")
    people = [u for u in target.users.values() if not u.is_bot and not u.deleted]
    admins = [u for u in people if u.is_admin or u.is_owner]
    installer = query.get("as") or next((u.id for u in admins + people), target.bot_user_id)
    try:
        code = grant(
            target,
            installer,
            scopes=Installs._split(query.get("scope")),
            user_scopes=Installs._split(query.get("user_scope")),
            redirect_uri=redirect_uri,
        )
    except SlackError as exc:
        return web.Response(status=400, text=exc.error)
    raise web.HTTPFound(f"{redirect_uri}?{urlencode({'code': code, **back})}")


CONSENT_TITLE = "Common Ground is requesting permission to access a Slack workspace"
CONSENT_WORKSPACE = "Workspace"
CONSENT_SCOPES = "It will be able to use these permissions:"
CONSENT_ALLOW = "Allow"
CONSENT_CANCEL = "Cancel"


def workspace_name(ws: Workspace) -> str:
    """A workspace's name as Slack shows it (from its domain: `riverside-clinic` → "Riverside Clinic")."""
    return ws.team_domain.replace("-", " ").title()


def newest_uninstalled(standin: SlackStandIn) -> SlackStandIn:
    """The workspace a consent page offers first: the newest with no token of the app yet."""
    waiting = [ws for ws in workspaces(standin) if not installs(ws).tokens]
    return waiting[-1] if waiting else standin


def consent_page(standin: SlackStandIn, request: web.Request) -> web.Response:
    """Slack's consent screen: which workspace to install into, the permissions, Allow or Cancel. The
    form sends the browser back here with the choice (and every parameter of the app's link)."""
    chosen = newest_uninstalled(standin)
    options = "".join(
        f'<option value="{html.escape(ws.team_id)}"{" selected" if ws is chosen else ""}>'
        f"{html.escape(workspace_name(ws))}</option>"
        for ws in workspaces(standin)
    )
    kept = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in request.query.items()
        if k not in ("team", "approve", "deny", "as")
    )
    asked = Installs._split(request.query.get("scope"))
    scopes = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in asked)
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Slack</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;"
        "color:#1d1c1d}label{display:block;margin:1rem 0}select{font:inherit;padding:.3rem}"
        "ul{columns:2;font-size:13px}.allow{background:#007a5a;color:#fff;border:0;border-radius:4px;"
        "padding:.6rem 1.4rem;font:inherit;font-weight:700}.cancel{background:#fff;border:1px solid #bbb;"
        "border-radius:4px;padding:.6rem 1.2rem;font:inherit;margin-right:.5rem}</style></head><body>"
        f"<h1>{html.escape(CONSENT_TITLE)}</h1>"
        f'<form method="get" action="{html.escape(request.path)}" id="consent">{kept}'
        f"<label>{html.escape(CONSENT_WORKSPACE)} "
        f'<select name="team" id="consent-team">{options}</select></label>'
        f"<p>{html.escape(CONSENT_SCOPES)}</p><ul>{scopes}</ul>"
        f'<button class="cancel" name="deny" value="1">{html.escape(CONSENT_CANCEL)}</button>'
        f'<button class="allow" name="approve" value="1" id="consent-allow">'
        f"{html.escape(CONSENT_ALLOW)}</button>"
        "</form></body></html>"
    )
    return web.Response(text=page, content_type="text/html")


def dump_tokens(ws: Workspace) -> list[JSON]:
    """The tokens this workspace issued and still honours (the sandbox saves them with it)."""
    return [{"token": token, **vars(issued)} for token, issued in installs(ws).tokens.items()]


def load_tokens(ws: Workspace, saved: list[JSON]) -> None:
    """Honour the saved tokens again (see :func:`dump_tokens`)."""
    state = installs(ws)
    for entry in saved:
        issued = Issued(
            kind=str(entry["kind"]),
            user_id=str(entry["user_id"]),
            scopes=[str(s) for s in entry.get("scopes") or []],
            refresh_token=entry.get("refresh_token") or None,
        )
        state.tokens[str(entry["token"])] = issued
        if issued.refresh_token:
            state.refresh_tokens[issued.refresh_token] = str(entry["token"])


def for_team(standin: SlackStandIn, team_id: str | None) -> SlackStandIn:
    """The workspace with this team id (`standin` when none is given or known)."""
    return next((ws for ws in workspaces(standin) if ws.team_id == team_id), standin)


__all__ = [
    "Installs",
    "auth_test",
    "consent_page",
    "dump_tokens",
    "grant",
    "host",
    "installs",
    "load_tokens",
    "oauth_v2_access",
    "revoke",
    "uninstall",
    "workspace_name",
]
