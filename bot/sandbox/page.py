"""The sandbox page and its JSON API. The page acts as Slack's client: every click, submission,
command and message goes to the app through `SlackDelivery`, signed, exactly as Slack sends it."""

from __future__ import annotations

import html
import json
import re
import time
from importlib import resources
from typing import Any

from aiohttp import web

from bot.sandbox import installs
from bot.sandbox.delivery import SlackDelivery
from bot.sandbox.hosted import SandboxWorkspaces
from bot.sandbox.models import Conversation, ScreenError
from bot.sandbox.render import render_home, render_message, render_modal
from bot.sandbox.timekeeper import Advanced, SandboxTime
from bot.sandbox.webapi import SlackStandIn
from bot.store import StoreUnavailable
from bot.views.ids import Shortcut

HOME = "home"
MESSAGE_SHORTCUT = Shortcut.HOST.value  # the app's message shortcut (manifest.json)
MESSAGE_SHORTCUT_NAME = "Host a mediation about this"
DEVLOG_LIMIT = 120
NEW_PERSON_TZ = "UTC"  # the time zone of a person added on the page
MAX_ADVANCE_SECONDS = 366 * 24 * 3600
"""The furthest one `POST /sandbox/clock` moves the clock (a year; "to the next timer" has no limit)."""
CLOCK_USAGE = 'Send {"advance_seconds": 3600} to move the clock an hour, or {"to_next_timer": true}.'
CLOCK_SECONDS = "advance_seconds must be a whole number of seconds above 0, like 3600 for an hour."
CLOCK_TOO_FAR = f"advance_seconds can be at most {MAX_ADVANCE_SECONDS} (a year) at a time."
CLOCK_NO_TIMER = "No timer is waiting, so the clock stayed where it is."
CLOCK_NO_REDIS = "The sandbox's Redis did not answer; the timers were not run. Please try again."
_MENTION = re.compile(r"(?<![<\w])@([a-z0-9._-]+)", re.IGNORECASE)


def clock_request(data: object) -> int | None:
    """What a `POST /sandbox/clock` body asks for: the seconds to move the clock, or None for "to
    the next timer". Raises `ValueError` with the sentence the page shows when it asks for neither,
    both, or something out of bounds (other keys, such as the persona `as`, are ignored)."""
    if not isinstance(data, dict) or ("advance_seconds" in data) == ("to_next_timer" in data):
        raise ValueError(CLOCK_USAGE)
    if "to_next_timer" in data:
        if data["to_next_timer"] is not True:
            raise ValueError(CLOCK_USAGE)
        return None
    seconds = data["advance_seconds"]
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds <= 0:
        raise ValueError(CLOCK_SECONDS)
    if seconds > MAX_ADVANCE_SECONDS:
        raise ValueError(CLOCK_TOO_FAR)
    return seconds


def _static(name: str) -> str:
    return resources.files("bot.sandbox").joinpath("static", name).read_text(encoding="utf-8")


class SandboxPage:
    """Serves the page and turns what a person does on it into what Slack would send the app."""

    def __init__(
        self,
        workspaces: SandboxWorkspaces,
        app_url: str,
        signing_secret: str,
        time: SandboxTime,
        install_url: str,
    ) -> None:
        self.workspaces = workspaces
        self.standin = workspaces.first
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.time = time
        self.install_url = install_url
        self._deliveries: dict[str, SlackDelivery] = {}

    def delivery(self, ws: SlackStandIn) -> SlackDelivery:
        """Slack's deliveries to the app from this workspace (its own requests log, signed as Slack)."""
        found = self._deliveries.get(ws.team_id)
        if found is None:
            found = self._deliveries[ws.team_id] = SlackDelivery(self.app_url, self.signing_secret, ws)
        return found

    async def close_deliveries(self) -> None:
        """Close every workspace's HTTP session to the app."""
        for delivery in self._deliveries.values():
            await delivery.close()

    def workspace_of(self, user_id: object) -> SlackStandIn:
        """The workspace of the person acting on the page (HTTP 400 for someone of none)."""
        ws = self.workspaces.of_user(user_id)
        if ws is None:
            raise web.HTTPBadRequest(text="unknown persona")
        return ws

    def add_routes(self, app: web.Application) -> None:
        """Attach the page and its API to the sandbox's aiohttp app."""
        app.router.add_get("/", self.index)
        app.router.add_get("/static/{name}", self.static)
        app.router.add_get("/sandbox/state", self.state)
        app.router.add_post("/sandbox/command", self.command)
        app.router.add_post("/sandbox/click", self.click)
        app.router.add_post("/sandbox/submit", self.submit)
        app.router.add_post("/sandbox/close", self.close)
        app.router.add_post("/sandbox/home", self.home_opened)
        app.router.add_post("/sandbox/people", self.add_person)
        app.router.add_post("/sandbox/workspaces", self.add_workspace)
        app.router.add_post("/sandbox/shortcut", self.shortcut)
        app.router.add_get("/sandbox/clock", self.clock)
        app.router.add_post("/sandbox/clock", self.move_clock)

    # --- reading ---------------------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.Response:
        """The page."""
        return web.Response(text=_static("index.html"), content_type="text/html")

    async def static(self, request: web.Request) -> web.Response:
        """The page's script and style."""
        name = request.match_info["name"]
        types = {"sandbox.js": "application/javascript", "sandbox.css": "text/css"}
        if name not in types:
            raise web.HTTPNotFound()
        return web.Response(text=_static(name), content_type=types[name])

    @staticmethod
    def _name(ws: SlackStandIn, user_id: str) -> str:
        try:
            user = ws.user(user_id)
        except KeyError:
            return user_id
        return user.real_name or user.name

    @staticmethod
    def _people(ws: SlackStandIn) -> list[dict[str, Any]]:
        return [
            {"id": u.id, "name": u.name, "real_name": u.real_name}
            for u in ws.users.values()
            if not u.is_bot and not u.deleted
        ]

    @staticmethod
    def _zones(ws: SlackStandIn) -> list[tuple[str, str]]:
        """Each person's name and time zone (of one workspace), for the clock control."""
        return [(u.real_name or u.name, u.tz) for u in ws.users.values() if not u.is_bot and not u.deleted]

    def _label(self, ws: SlackStandIn, conv: Conversation, me: str) -> str:
        if conv.kind == "im":
            return "Common Ground"
        if conv.kind == "mpim":
            others = [self._name(ws, m) for m in conv.members if m not in (me, ws.bot_user_id)]
            return ", ".join(others) + " + Common Ground"
        return "#" + conv.name

    async def state(self, request: web.Request) -> web.Response:
        """What persona `as` sees, and only what their own Slack client would carry: their
        conversations, the open one (or their App Home), their modal, and with `drawer=1` their
        developer log (see :meth:`devlog`)."""
        chosen = self.workspaces.of_team(request.query.get("team"))  # a workspace, from its first person
        me = request.query.get("as") or self._people(chosen or self.standin)[0]["id"]
        ws = self.workspace_of(me)
        user = ws.users[me]
        if user.is_bot:
            raise web.HTTPBadRequest(text="unknown persona")
        ws.im_with(me)
        tz, now = user.tz, ws.clock()  # dates show in the reader's time zone
        convs = sorted(
            (c for c in ws.conversations_of(me) if me in c.members),
            key=lambda c: (c.kind != "im", c.created),
        )
        selected = request.query.get("conv") or HOME

        def users(user_id: str) -> str:
            return self._name(ws, user_id)

        all_users = [(p["id"], p["real_name"] or p["name"]) for p in self._people(ws)]
        if selected == HOME:
            home = ws.home(me)
            pane = (
                render_home(home.to_api(), users=users, all_users=all_users, tz=tz, now=now) if home else ""
            )
            title = "Home"
        else:
            conv = ws.conversations.get(selected)
            if conv is None or me not in conv.members:
                raise web.HTTPBadRequest(text="not a member")
            messages = [m.to_api() for m in ws.messages(selected)]
            messages += [
                {
                    "ts": e.ts,
                    "user": ws.bot_user_id,
                    "text": e.text,
                    "blocks": e.blocks,
                    "ephemeral": True,
                }
                for e in ws.ephemerals(me, selected)
            ]
            messages.sort(key=lambda m: float(m["ts"]))
            pane = "\n".join(
                self._with_shortcuts(m, render_message(m, users=users, all_users=all_users, tz=tz, now=now))
                for m in messages
            )
            title = self._label(ws, conv, me)
        views = ws.open_views(me)
        top = views[-1] if views else None
        body: dict[str, Any] = {
            "me": me,
            "people": self._people(ws),
            "workspace": ws.team_id,
            "workspaces": [self._workspace_entry(other) for other in self.workspaces.all],
            "conversations": [{"id": c.id, "label": self._label(ws, c, me), "kind": c.kind} for c in convs],
            "conv": selected,
            "title": title,
            "pane": pane,
            "modal": render_modal(
                {**top.to_api(), "errors": top.errors}, users=users, all_users=all_users, tz=tz, now=now
            )
            if top
            else None,
            "modal_key": f"{top.id}:{top.hash}:{json.dumps(top.errors, sort_keys=True)}" if top else None,
        }
        body["clock"] = await self.time.summary(self._zones(ws))  # no private text: the clock, the zones
        if request.query.get("drawer") == "1":  # the log travels only while the drawer is open
            body["devlog"] = self.devlog(me)
        return web.json_response(body)

    def _workspace_entry(self, ws: SlackStandIn) -> dict[str, Any]:
        """A workspace as the page's switcher shows it: its name, whether the app is installed (Slack
        honours a token it issued), and the person the page shows first there."""
        people = self._people(ws)
        return {
            "team_id": ws.team_id,
            "name": installs.workspace_name(ws),
            "installed": bool(installs.installs(ws).tokens),
            "first": people[0]["id"] if people else None,
        }

    @staticmethod
    def _with_shortcuts(message: dict[str, Any], rendered: str) -> str:
        """A message with its shortcut menu, as Slack's ⋯ menu offers the app's message shortcuts."""
        if message.get("ephemeral"):
            return rendered
        ts = html.escape(str(message["ts"]), quote=True)
        menu = (
            '<div class="sb-msg-actions"><button type="button" class="sb-shortcut" '
            f'data-shortcut="{MESSAGE_SHORTCUT}" data-ts="{ts}" title="Message shortcuts">'
            f"⋯ {html.escape(MESSAGE_SHORTCUT_NAME)}</button></div>"
        )
        return f'<div class="sb-msg-wrap">{rendered}{menu}</div>'

    def devlog(self, me: str) -> list[dict[str, Any]]:
        """The developer drawer of `me`, oldest first: the requests their Slack client sent the app,
        and the Web API calls whose result their client shows (a message in a conversation they are
        in, their modal, App Home or ephemeral message). A call whose result nobody's client shows (a
        look-up such as `users.info`) is theirs when it answered one of their requests. Everything
        else, other people's requests and bodies included, never leaves the server."""
        entries: list[dict[str, Any]] = []
        mine: set[str] = set()
        ws = self.workspace_of(me)
        for record in self.delivery(ws).log:
            if record.user_id != me:
                continue
            mine.add(record.id)
            entries.append(
                {
                    "id": record.id,
                    "time": record.sent_at,
                    "kind": "request",
                    "title": f"→ app: {record.kind} ({record.status}, {record.elapsed * 1000:.0f} ms)",
                    "ok": record.status == 200 and not record.timed_out,
                    "detail": _pretty_body(record.body),
                    "response": record.response[:4000],
                }
            )
        for call in ws.calls:
            if not (me in call.audience or (not call.audience and call.request_id in mine)):
                continue
            entries.append(
                {
                    "id": call.id,
                    "time": call.time,
                    "kind": "call",
                    "title": f"app → {call.method}" + ("" if call.ok else f": {call.error}"),
                    "ok": call.ok or call.injected,
                    "detail": json.dumps(call.args, indent=1, default=str)[:6000],
                    "response": "\n".join(call.messages),
                }
            )
        entries.sort(key=lambda e: float(e["time"]))
        return entries[-DEVLOG_LIMIT:]

    async def clock(self, request: web.Request) -> web.Response:
        """The sandbox clock: its time, each person's local time (of the workspace of `as`, or the
        first) and the next timer."""
        ws = self.workspaces.of_user(request.query.get("as")) or self.standin
        return web.json_response(await self.time.summary(self._zones(ws)))

    # --- acting ----------------------------------------------------------------------------------

    async def _json(self, request: web.Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="expected JSON") from None
        known = isinstance(data, dict) and self.workspaces.of_user(data.get("as")) is not None
        if not isinstance(data, dict) or not (known or "name" in data):
            raise web.HTTPBadRequest(text="unknown persona")
        return data

    def _acting(self, data: dict[str, Any]) -> tuple[SlackStandIn, SlackDelivery]:
        """The workspace of the person acting, and its deliveries to the app."""
        ws = self.workspace_of(data["as"])
        return ws, self.delivery(ws)

    def mentions(self, text: str, ws: SlackStandIn | None = None) -> str:
        """`@ann` → `<@U…|ann>` for people in the workspace, as Slack escapes a slash command's text."""
        ws = ws or self.standin
        handles = {u.name.lower(): u.id for u in ws.users.values() if not u.deleted}

        def swap(match: re.Match[str]) -> str:
            user_id = handles.get(match.group(1).lower())
            return f"<@{user_id}|{match.group(1)}>" if user_id else match.group(0)

        return _MENTION.sub(swap, text)

    async def command(self, request: web.Request) -> web.Response:
        """The composer: a slash command, or a message into the open conversation."""
        data = await self._json(request)
        ws, delivery = self._acting(data)
        me, text = data["as"], str(data.get("text", "")).strip()
        conv = data.get("conv") or ws.im_with(me)
        if conv == HOME:
            conv = ws.im_with(me)
        if not text:
            return web.json_response({"ok": True})
        try:
            if text.startswith("/"):
                command, _, rest = text.partition(" ")
                if command != "/mediate":
                    return web.json_response({"ok": False, "error": f"{command} is not a command here"})
                result = await delivery.command(me, self.mentions(rest, ws), command=command, channel_id=conv)
                return web.json_response({"ok": result.status == 200, "status": result.status})
            status = await delivery.post_message(me, conv, text)
        except ScreenError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": status == 200, "status": status})

    async def click(self, request: web.Request) -> web.Response:
        """A click on a button, or a choice in a select, in a message, App Home or a modal."""
        data = await self._json(request)
        _, delivery = self._acting(data)
        selection = {k: v for k, v in data.items() if k.startswith("selected_") and v not in (None, "", [])}
        target: dict[str, Any] = {}
        if data.get("view_id"):
            target["view_id"] = data["view_id"]
        else:
            target["message"] = (data["channel"], data["ts"])
        try:
            result = await delivery.click(
                data["as"],
                action_id=data["action_id"],
                value=data.get("value"),
                block_id=data.get("block_id"),
                **target,
                **selection,
            )
        except (ScreenError, KeyError, ValueError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": result.status == 200, "status": result.status})

    async def submit(self, request: web.Request) -> web.Response:
        """The modal's submit button."""
        data = await self._json(request)
        try:
            result = await self._acting(data)[1].submit(data["as"], data["view_id"], data.get("values") or {})
        except (ScreenError, KeyError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": result.status == 200, "response_action": result.response_action})

    async def close(self, request: web.Request) -> web.Response:
        """The modal's close button."""
        data = await self._json(request)
        try:
            await self._acting(data)[1].close_view(data["as"], data["view_id"])
        except (ScreenError, KeyError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": True})

    async def home_opened(self, request: web.Request) -> web.Response:
        """The persona opened App Home: Slack sends `app_home_opened`."""
        data = await self._json(request)
        status = await self._acting(data)[1].app_home_opened(data["as"])
        return web.json_response({"ok": status == 200})

    async def shortcut(self, request: web.Request) -> web.Response:
        """A global shortcut (from the composer) or a message shortcut (from a message's ⋯ menu)."""
        data = await self._json(request)
        callback_id = str(data.get("callback_id", ""))
        _, delivery = self._acting(data)
        try:
            if data.get("ts"):
                result = await delivery.message_shortcut(
                    data["as"], callback_id, (data["channel"], data["ts"])
                )
            else:
                result = await delivery.shortcut(data["as"], callback_id)
        except (ScreenError, KeyError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": result.status == 200})

    async def move_clock(self, request: web.Request) -> web.Response:
        """The clock control: `{"advance_seconds": N}` or `{"to_next_timer": true}` moves the sandbox
        clock, then the worker delivers everything due at the new time. Answers with the new time and
        the kinds of the timers that fired (never what anyone wrote)."""
        try:
            data = await request.json()
        except ValueError:
            data = None
        ws = self.workspaces.of_user(data.get("as") if isinstance(data, dict) else None) or self.standin
        try:
            seconds = clock_request(data)
        except ValueError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        try:
            moved = await (self.time.advance(seconds) if seconds else self.time.to_next_timer())
        except StoreUnavailable:
            return web.json_response({"ok": False, "error": CLOCK_NO_REDIS}, status=503)
        waited = moved is not None
        moved = moved or Advanced(self.time.clock.now(), 0)
        return web.json_response(
            {
                "ok": True,
                "now": moved.now.isoformat(),
                "advanced_seconds": round(moved.seconds),
                "fired": moved.fired,
                "outbox": moved.outbox,
                "message": moved.message() if waited else CLOCK_NO_TIMER,
                "clock": await self.time.summary(self._zones(ws)),
            }
        )

    async def add_person(self, request: web.Request) -> web.Response:
        """ "Add a person": a new member of the workspace."""
        data = await self._json(request)
        ws = self.workspaces.of_user(data.get("as")) or self.standin
        name = re.sub(r"[^a-z0-9._-]", "", str(data.get("name", "")).strip().lower())[:30]
        if not name:
            return web.json_response(
                {"ok": False, "error": "Please give a short name, like “sam”."}, status=400
            )
        if any(u.name == name for u in ws.users.values()):
            return web.json_response(
                {"ok": False, "error": f"There is already someone called {name}."}, status=400
            )
        real_name = str(data.get("name", "")).strip()[:60] or name
        user_id = ws.add_user(name, real_name=real_name.title(), tz=NEW_PERSON_TZ)
        return web.json_response({"ok": True, "id": user_id, "at": time.time()})

    async def add_workspace(self, request: web.Request) -> web.Response:
        """ "Add a workspace": a new Slack workspace with people of its own. The page then sends the
        browser through the app's install flow (`install`), which ends back on the page in the new
        workspace once the app is installed."""
        data = await self._json(request)
        try:
            ws = self.workspaces.add(str(data.get("name", "")).strip()[:60])
        except ValueError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        name = installs.workspace_name(ws)
        answer = {"ok": True, "team_id": ws.team_id, "name": name, "install": self.install_url}
        return web.json_response(answer)


def _pretty_body(body: str) -> str:
    """A request body for the drawer: the JSON payload of interactions pretty-printed."""
    from urllib.parse import parse_qs

    if body.startswith("{"):
        try:
            return json.dumps(json.loads(body), indent=1)[:6000]
        except ValueError:
            return body[:6000]
    fields = parse_qs(body)
    if "payload" in fields:
        try:
            return json.dumps(json.loads(fields["payload"][0]), indent=1)[:6000]
        except ValueError:
            pass
    return json.dumps({k: v[0] for k, v in fields.items()}, indent=1)[:6000]
