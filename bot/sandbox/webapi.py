"""An emulated Slack Web API on aiohttp: point ``AsyncWebClient(base_url=standin.api_url)`` at it.

Usage::

    standin = SlackStandIn()
    await standin.start()                      # 127.0.0.1, ephemeral port
    client = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)
    ...
    standin.assert_no_rejections()
    await standin.stop()

``POST|GET /api/{method}`` answers like https://slack.com/api/ (always HTTP 200, ``{"ok": false,
"error": ...}`` on failure); ``POST /response_url/{token}`` plays Slack's ``response_url``.
Slack's bad moments are injected with :meth:`SlackStandIn.inject_fault` (or ``POST /_faults``):
HTTP 429 with ``Retry-After``, or a 5xx with a JSON, HTML or broken body, for N seconds or N calls.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from bot.sandbox import installs
from bot.sandbox.attribution import request_scope
from bot.sandbox.blockkit import parse_message, parse_view
from bot.sandbox.models import JSON, Conversation, Ephemeral, SlackError
from bot.sandbox.responses import deliver_response
from bot.sandbox.workspace import Workspace

Handler = Callable[[JSON], JSON]
_CHANNEL_NAME = re.compile(r"^[a-z0-9_-]+$")
_JSON_ARGS = ("blocks", "view", "attachments")


FAULT_BODIES = ("json", "html", "broken")


@dataclass
class HttpFault:
    """Slack having a bad moment: matching calls are answered with HTTP `status` instead of being
    run, for `seconds` (wall clock) or the next `calls` calls, whichever ends first (neither: until
    cleared). `body`: "json" (Slack's own `{"ok": false, "error": …}`), "html" (a proxy's error
    page) or "broken" (a JSON content type with a body that is not JSON)."""

    methods: frozenset[str] | None = None  # None: every method
    status: int = 429
    retry_after: int | None = 1  # sent as Retry-After (with any status)
    body: str = "json"
    until: float | None = None  # time.monotonic()
    calls: int | None = None
    channel: str | None = None  # only calls to this conversation (or user)
    hits: int = 0

    def matches(self, method: str, args: JSON) -> bool:
        """Whether this fault answers a call (and is still on)."""
        if self.until is not None and time.monotonic() >= self.until:
            return False
        if self.calls is not None and self.hits >= self.calls:
            return False
        if self.methods is not None and method not in self.methods:
            return False
        if self.channel is not None:
            targets = {str(args.get(k) or "") for k in ("channel", "user_id", "user")}
            targets |= set(_split_ids(args.get("users")))
            return self.channel in targets
        return True

    @property
    def error(self) -> str:
        """Slack's error code for this fault's answer."""
        return "ratelimited" if self.status == 429 else "internal_error"

    def response(self) -> web.Response:
        """The HTTP answer."""
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        if self.body == "html":
            page = f"<html><body><h1>{self.status}</h1>Something went wrong.</body></html>"
            return web.Response(status=self.status, text=page, content_type="text/html", headers=headers)
        if self.body == "broken":
            return web.Response(
                status=self.status, text="{not json", content_type="application/json", headers=headers
            )
        return web.json_response({"ok": False, "error": self.error}, status=self.status, headers=headers)


def _truthy(value: object) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _required(args: JSON, name: str) -> str:
    value = args.get(name)
    if value in (None, ""):
        raise SlackError("invalid_arguments", [f"[ERROR] missing required field: {name}"])
    return str(value)


def _split_ids(value: object) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in str(value or "").split(",") if part.strip()))


class SlackStandIn(Workspace):
    """A local Slack: the workspace state of :class:`Workspace` served over HTTP as the Web API.

    Methods: auth.test, users.info, conversations.open/create/invite/members/info, chat.postMessage,
    chat.postEphemeral, chat.update, chat.delete, views.open/push/update/publish. Every call is
    recorded in ``calls``; failing ones (except injected faults) in ``rejected``.
    """

    _runner: web.AppRunner | None = None
    _http_faults: list[HttpFault] | None = None

    # ------------------------------------------------------------------ fault injection

    def inject_fault(
        self,
        method: str | list[str] | None = None,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        body: str = "json",
        seconds: float | None = None,
        calls: int | None = None,
        channel: str | None = None,
    ) -> HttpFault:
        """Make Slack have a bad moment: calls of `method` (a name, names, or None for every method)
        are answered with HTTP `status` (429 with `Retry-After`, or a 5xx, with `body` "json", "html"
        or "broken") for `seconds` or `calls` calls. Recorded as injected, not as rejections."""
        if body not in FAULT_BODIES:
            raise ValueError(f"body must be one of {FAULT_BODIES}")
        methods = None if method is None else frozenset([method] if isinstance(method, str) else method)
        fault = HttpFault(
            methods=methods,
            status=status,
            retry_after=retry_after,
            body=body,
            until=time.monotonic() + seconds if seconds is not None else None,
            calls=calls,
            channel=channel,
        )
        if self._http_faults is None:
            self._http_faults = []
        self._http_faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Slack is well again."""
        self._http_faults = []

    def _http_fault(self, method: str, args: JSON) -> HttpFault | None:
        for fault in self._http_faults or []:
            if fault.matches(method, args):
                fault.hits += 1
                return fault
        return None

    async def _handle_faults(self, request: web.Request) -> web.Response:
        """`POST /_faults` with the arguments of `inject_fault` as JSON; `DELETE /_faults` clears."""
        if request.method == "DELETE":
            self.clear_faults()
            return web.json_response({"ok": True})
        try:
            spec = await request.json()
            fault = self.inject_fault(
                spec.get("method"),
                status=int(spec.get("status", 429)),
                retry_after=spec.get("retry_after", 1),
                body=str(spec.get("body", "json")),
                seconds=spec.get("seconds"),
                calls=spec.get("calls"),
                channel=spec.get("channel"),
            )
        except (ValueError, TypeError, AttributeError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": True, "status": fault.status})

    @property
    def _handlers(self) -> dict[str, Handler]:
        return {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.create": self._conversations_create,
            "conversations.invite": self._conversations_invite,
            "conversations.members": self._conversations_members,
            "conversations.info": self._conversations_info,
            "conversations.list": self._conversations_list,
            "usergroups.users.list": self._usergroups_users_list,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }

    # ------------------------------------------------------------------ serving

    def make_app(self) -> web.Application:
        """Return an aiohttp application serving ``/api/{method}`` and ``/response_url/{token}``.

        When you serve it yourself, set ``standin.base_url`` to its root URL (for response_urls).
        """
        app = web.Application(middlewares=[request_scope])
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response_url/{token}", self._handle_response_url)
        app.router.add_get("/oauth/v2/authorize", self._handle_authorize)
        app.router.add_route("POST", "/_faults", self._handle_faults)
        app.router.add_route("DELETE", "/_faults", self._handle_faults)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: an ephemeral port); set and return ``base_url``."""
        runner = web.AppRunner(self.make_app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        """Stop serving (when started with :meth:`start`)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackStandIn:
        """Start on an ephemeral port."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop serving."""
        await self.stop()

    @property
    def url(self) -> str:
        """The root URL, e.g. ``http://127.0.0.1:PORT``."""
        if self.base_url is None:
            raise RuntimeError("the stand-in is not started")
        return self.base_url

    @property
    def api_url(self) -> str:
        """The Web API base URL for ``AsyncWebClient(base_url=...)``: ``http://127.0.0.1:PORT/api/``."""
        return f"{self.url}/api/"

    # ------------------------------------------------------------------ HTTP

    async def _read_args(self, request: web.Request) -> JSON:
        args: JSON = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError as exc:
                    raise SlackError("invalid_json") from exc
                if not isinstance(body, dict):
                    raise SlackError("invalid_json")
                args.update(body)
            else:
                form = await request.post()
                args.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in _JSON_ARGS:
            if isinstance(args.get(key), str) and args[key].strip()[:1] in ("[", "{"):
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
        return args

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            args = await self._read_args(request)
        except SlackError as exc:
            self.record(method, {}, exc)
            return web.json_response({"ok": False, "error": exc.error})
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else str(args.pop("token", "") or "")
        args.pop("token", None)
        fault = self._http_fault(method, args)
        if fault is not None:
            self.record(method, args, SlackError(fault.error), injected=True)
            return fault.response()
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_v2_access(args, header))
        return web.json_response(installs.for_token(self, token).call(method, args, token=token))

    def _oauth_v2_access(self, args: JSON, authorization: str) -> JSON:
        """`oauth.v2.access` (bot.sandbox.installs), recorded without the client secret."""
        shown = {k: v for k, v in args.items() if k not in ("client_secret", "code", "refresh_token")}
        try:
            answer = installs.oauth_v2_access(self, args, authorization)
        except SlackError as exc:
            self.record("oauth.v2.access", shown, exc)
            return {"ok": False, "error": exc.error}
        self.record("oauth.v2.access", shown)
        return {"ok": True, **answer}

    async def _handle_authorize(self, request: web.Request) -> web.Response:
        return await installs.handle_authorize(self, request)

    def call(self, method: str, args: JSON, *, token: str | None = None) -> JSON:
        """Run one Web API method in-process and return Slack's JSON answer (``token`` None: the bot's)."""
        token = self.bot_token if token is None else token
        fault = self.take_fault(method)
        try:
            if fault is not None:
                self.record(method, args, SlackError(fault), injected=True)
                return {"ok": False, "error": fault}
            handler = self._handlers.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            if not token:
                raise SlackError("not_authed")
            if installs.token_owner(self, token) is None:
                raise SlackError("invalid_auth")
            result = installs.auth_test(self, token) if method == "auth.test" else handler(args)
        except SlackError as exc:
            self.record(method, args, exc)
            answer: JSON = {"ok": False, "error": exc.error}
            if exc.messages:
                answer["response_metadata"] = {"messages": exc.messages}
            return answer
        self.record(method, args)
        return {"ok": True, **result}

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self.record("response_url", {}, SlackError("invalid_payload"))
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        target = self
        for workspace in installs.workspaces(self):  # the workspace that issued this response URL
            try:
                entry = workspace.use_response_url(request.match_info["token"])
            except SlackError as exc:
                error_found = exc
                continue
            target = workspace
            break
        else:
            self.record("response_url", body, error_found)
            return web.json_response({"ok": False, "error": error_found.error}, status=404)
        error = deliver_response(
            target, entry.user_id, entry.channel_id, body, message_ts=entry.message_ts, method="response_url"
        )
        if error is not None:
            return web.json_response({"ok": False, "error": error.error}, status=400)
        return web.json_response({"ok": True})

    # ------------------------------------------------------------------ helpers

    def _conversation(self, channel: object) -> Conversation:
        """Resolve a channel argument: a conversation id, a user id (the bot's IM) or a channel name."""
        value = str(channel or "")
        if not value:
            raise SlackError("channel_not_found")
        if value in self.conversations:
            return self.conversations[value]
        if value in self.users:
            return self.conversations[self.im_with(value)]
        name = value.removeprefix("#")
        for conv in self.conversations.values():
            if conv.kind.endswith("channel") and conv.name == name:
                return conv
        raise SlackError("channel_not_found")

    def _visible(self, channel: object) -> Conversation:
        conv = self._conversation(channel)
        if conv.is_private and self.bot_user_id not in conv.members:
            raise SlackError("channel_not_found")
        return conv

    def _known_user(self, user_id: str) -> None:
        if user_id not in self.users:
            raise SlackError("user_not_found")

    # ------------------------------------------------------------------ auth, users

    def _auth_test(self, args: JSON) -> JSON:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_domain.title(),
            "user": self.users[self.bot_user_id].name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: JSON) -> JSON:
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user.to_api(self.clock())}

    # ------------------------------------------------------------------ conversations

    def _conversations_open(self, args: JSON) -> JSON:
        if args.get("channel"):
            conv = self.conversations.get(str(args["channel"]))
            if conv is None or self.bot_user_id not in conv.members:
                raise SlackError("channel_not_found")
            if conv.kind not in ("im", "mpim"):
                raise SlackError("method_not_supported_for_channel_type")
            return {"no_op": True, "already_open": True, "channel": {"id": conv.id}}
        if not args.get("users"):
            raise SlackError("users_list_not_supplied")
        ids = [u for u in _split_ids(args["users"]) if u != self.bot_user_id]
        if len(ids) > 8:
            raise SlackError("too_many_users")
        if not ids:
            raise SlackError("not_enough_users")
        for user_id in ids:
            self._known_user(user_id)
            if self.users[user_id].deleted:
                raise SlackError("user_disabled")
        before = len(self.conversations)
        channel_id = self.im_with(ids[0]) if len(ids) == 1 else self.mpim_with(ids)
        if len(self.conversations) == before:  # found, not created
            return {"no_op": True, "already_open": True, "channel": {"id": channel_id}}
        return {"channel": {"id": channel_id}}

    def _conversations_create(self, args: JSON) -> JSON:
        name = str(args.get("name") or "")
        if not name:
            raise SlackError("invalid_name_required")
        if len(name) > 80:
            raise SlackError("invalid_name_maxlength")
        if not _CHANNEL_NAME.match(name):
            raise SlackError("invalid_name_specials")
        if any(c.name == name and c.kind.endswith("channel") for c in self.conversations.values()):
            raise SlackError("name_taken")
        channel_id = self.add_channel(name, is_private=_truthy(args.get("is_private")))
        conv = self.conversations[channel_id]
        conv.creator = self.bot_user_id
        return {"channel": conv.to_api(self.bot_user_id)}

    def _conversations_invite(self, args: JSON) -> JSON:
        conv = self._visible(args.get("channel"))
        if conv.kind in ("im", "mpim"):
            raise SlackError("method_not_supported_for_channel_type")
        if self.bot_user_id not in conv.members:
            raise SlackError("not_in_channel")
        ids = _split_ids(args.get("users"))
        if not ids:
            raise SlackError("no_user")
        for user_id in ids:
            if user_id == self.bot_user_id:
                raise SlackError("cant_invite_self")
            self._known_user(user_id)
            if self.users[user_id].deleted:
                raise SlackError("cant_invite")
            if user_id in conv.members:
                raise SlackError("already_in_channel")
        conv.members.extend(ids)
        self.mark_changed()
        return {"channel": conv.to_api(self.bot_user_id)}

    def _conversations_members(self, args: JSON) -> JSON:
        conv = self._visible(args.get("channel"))
        return {"members": list(conv.members), "response_metadata": {"next_cursor": ""}}

    def _conversations_info(self, args: JSON) -> JSON:
        return {"channel": self._visible(args.get("channel")).to_api(self.bot_user_id)}

    def _conversations_list(self, args: JSON) -> JSON:
        """The conversations the bot is in, of the requested types (as a bot token sees them)."""
        kinds = {
            "public_channel": "public_channel",
            "private_channel": "private_channel",
            "mpim": "mpim",
            "im": "im",
        }
        wanted = {kinds[t] for t in str(args.get("types") or "public_channel").split(",") if t in kinds}
        found = [
            c.to_api(self.bot_user_id)
            for c in self.conversations.values()
            if c.kind in wanted and self.bot_user_id in c.members
        ]
        return {"channels": found, "response_metadata": {"next_cursor": ""}}

    def _usergroups_users_list(self, args: JSON) -> JSON:
        group = _required(args, "usergroup")
        if group not in self.usergroups:
            raise SlackError("no_such_subteam")
        return {"users": list(self.usergroups[group])}

    # ------------------------------------------------------------------ chat

    def _chat_post_message(self, args: JSON) -> JSON:
        conv = self._visible(args.get("channel"))
        if self.bot_user_id not in conv.members:
            raise SlackError("not_in_channel")
        blocks = parse_message(args.get("text"), args.get("blocks"))
        thread_ts = args.get("thread_ts")
        if thread_ts and not any(m.ts == thread_ts for m in self.messages(conv.id)):
            raise SlackError("thread_not_found")
        message = self.bot_message(conv.id, args.get("text"), blocks, thread_ts)
        self.store_message(message)
        return {"channel": conv.id, "ts": message.ts, "message": message.to_api()}

    def _chat_post_ephemeral(self, args: JSON) -> JSON:
        conv = self._visible(args.get("channel"))
        if self.bot_user_id not in conv.members:
            raise SlackError("not_in_channel")
        user_id = _required(args, "user")
        self._known_user(user_id)
        if user_id not in conv.members:
            raise SlackError("user_not_in_channel")
        blocks = parse_message(args.get("text"), args.get("blocks"))
        ephemeral = Ephemeral(
            channel=conv.id,
            user=user_id,
            ts=self.next_ts(),
            text=str(args.get("text") or ""),
            blocks=blocks or [],
        )
        self.store_ephemeral(ephemeral)
        return {"message_ts": ephemeral.ts}

    def _chat_update(self, args: JSON) -> JSON:
        conv = self._visible(args.get("channel"))
        ts = str(args.get("ts") or "")
        try:
            message = self.message(conv.id, ts)
        except KeyError as exc:
            raise SlackError("message_not_found") from exc
        if message.user != self.bot_user_id:
            raise SlackError("cant_update_message")
        text, blocks = args.get("text"), args.get("blocks")
        if not text and not blocks and "blocks" not in args:
            raise SlackError("no_text")
        checked = parse_message(text, blocks, required=False)
        if text is not None:
            message.text = str(text)
        if "blocks" in args:
            message.blocks = checked or []
        message.edited_ts = self.next_ts()
        self.mark_changed()
        return {"channel": conv.id, "ts": message.ts, "text": message.text, "message": message.to_api()}

    def _chat_delete(self, args: JSON) -> JSON:
        conv = self._visible(args.get("channel"))
        try:
            message = self.message(conv.id, str(args.get("ts") or ""))
        except KeyError as exc:
            raise SlackError("message_not_found") from exc
        if message.user != self.bot_user_id:
            raise SlackError("cant_delete_message")
        message.deleted = True
        self.mark_changed()
        return {"channel": conv.id, "ts": message.ts}

    # ------------------------------------------------------------------ views

    def _views_open(self, args: JSON) -> JSON:
        _required(args, "trigger_id")
        data = parse_view(args.get("view"), "modal")
        trigger = self.consume_trigger(args.get("trigger_id"))
        return {"view": self.open_modal(trigger.user_id, data).to_api()}

    def _views_push(self, args: JSON) -> JSON:
        _required(args, "trigger_id")
        data = parse_view(args.get("view"), "modal")
        trigger = self.consume_trigger(args.get("trigger_id"))
        return {"view": self.push_modal(trigger.user_id, data).to_api()}

    def _views_update(self, args: JSON) -> JSON:
        view_id, external_id = args.get("view_id"), args.get("external_id")
        if not view_id and not external_id:
            raise SlackError("invalid_arguments", ["[ERROR] view_id or external_id is required"])
        matches = [
            v
            for v in self.views.values()
            if not v.closed and (v.id == view_id if view_id else v.external_id == external_id)
        ]
        if not matches:
            raise SlackError("not_found")
        existing = matches[0]
        if args.get("hash") and args["hash"] != existing.hash:
            raise SlackError("hash_conflict")
        data = parse_view(args.get("view"), existing.type)
        return {"view": self.build_view(data, existing.user_id, existing=existing).to_api()}

    def _views_publish(self, args: JSON) -> JSON:
        user_id = _required(args, "user_id")
        self._known_user(user_id)
        current = self.home(user_id)
        if args.get("hash") and (current is None or args["hash"] != current.hash):
            raise SlackError("hash_conflict")
        data = parse_view(args.get("view"), "home")
        return {"view": self.publish_home(user_id, data).to_api()}


__all__ = ["SlackStandIn"]
