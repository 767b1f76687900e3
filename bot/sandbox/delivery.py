"""Slack's side of the HTTP conversation with the app: signed commands, clicks, submissions, events.

Usage::

    async with SlackStandIn() as standin, SlackDelivery(app_url, secret, standin) as slack:
        alice = standin.add_user("alice")
        result = await slack.command(alice, "@bob we keep missing each other")
        modal = standin.open_views(alice)[-1]
        outcome = await slack.submit(alice, modal.id, {"topic": {"topic": "Deadlines"}})

Every request carries ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` as Slack signs them.
What the user cannot do on screen (click a button that is not there, submit an empty required field)
raises :class:`~bot.sandbox.models.ScreenError`. Answers are applied to the stand-in as Slack would:
a command's ack message becomes an ephemeral message, a submission's ``response_action`` changes the
modal stack.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from urllib.parse import parse_qs, urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.sandbox import elements, payloads
from bot.sandbox.attribution import REQUEST_HEADER
from bot.sandbox.models import JSON, ScreenError, SlackError, View
from bot.sandbox.responses import apply_submission_response, deliver_response
from bot.sandbox.results import ActionResult, CommandResult, DeliveryRecord, DeliveryResult, SubmitResult
from bot.sandbox.webapi import SlackStandIn

FORM = "application/x-www-form-urlencoded"


class SlackDelivery:
    """Sends the app what Slack sends, signed with ``signing_secret``, to ``app_url`` (``…/slack/events``)."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        standin: SlackStandIn,
        *,
        team_id: str | None = None,
        api_app_id: str | None = None,
        timeout: float = 3.0,
    ) -> None:
        """Prepare; the HTTP session is created on first use, inside the running loop.

        ``team_id`` / ``api_app_id`` default to the stand-in's; ``timeout`` is how long Slack waits
        for an answer (3 s), after which the result has ``timed_out`` and status 0.
        """
        self.app_url = app_url
        self.standin = standin
        self.team_id = team_id or standin.team_id
        self.api_app_id = api_app_id or standin.app_id
        self.timeout = timeout
        self.log: list[DeliveryRecord] = []
        self._ids = itertools.count(1)
        self._verifier = SignatureVerifier(signing_secret)
        self._session: aiohttp.ClientSession | None = None
        self._last: tuple[str, dict[str, str], str] | None = None
        self._last_event_body: str | None = None

    async def __aenter__(self) -> SlackDelivery:
        """Open the HTTP session."""
        self._ensure_session()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the HTTP session."""
        await self.close()

    async def close(self, user_id: str | None = None, view_id: str | None = None) -> int | None:
        """Without arguments: close the HTTP session. With both: same as :meth:`close_view`."""
        if user_id is not None and view_id is not None:
            return await self.close_view(user_id, view_id)
        if self._session is not None:
            await self._session.close()
            self._session = None
        return None

    # ------------------------------------------------------------------ transport

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    def _headers(self, body: str, content_type: str) -> dict[str, str]:
        timestamp = str(int(time.time()))
        signature = self._verifier.generate_signature(timestamp=timestamp, body=body) or ""
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }

    async def _post(self, kind: str, headers: dict[str, str], raw: str | bytes) -> DeliveryResult:
        session = self._ensure_session()
        body = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        self._last = (kind, dict(headers), body)
        request_id = f"r{next(self._ids)}"
        sent_headers = {**headers, REQUEST_HEADER: request_id}  # the sandbox's own: see attribution.py
        started = time.monotonic()
        status, text, timed_out = 0, "", False
        try:
            async with session.post(
                self.app_url,
                data=raw.encode("utf-8") if isinstance(raw, str) else raw,
                headers=sent_headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                status, text = response.status, await response.text()
        except TimeoutError:
            timed_out = True
        except aiohttp.ClientError as exc:
            text = f"{type(exc).__name__}: {exc}"
        elapsed = time.monotonic() - started
        self.log.append(
            DeliveryRecord(
                kind,
                self.app_url,
                dict(headers),
                body,
                status,
                text,
                elapsed,
                timed_out,
                time.time(),
                id=request_id,
                user_id=sender(body),
            )
        )
        return DeliveryResult(status=status, body=text, elapsed=elapsed, timed_out=timed_out)

    async def _send(
        self, kind: str, body: str, content_type: str, extra: dict[str, str] | None = None
    ) -> DeliveryResult:
        headers = self._headers(body, content_type)
        headers.update(extra or {})
        return await self._post(kind, headers, body)

    async def _send_payload(self, payload: JSON) -> DeliveryResult:
        return await self._send(str(payload["type"]), urlencode({"payload": json.dumps(payload)}), FORM)

    async def send_signed(
        self, kind: str, body: str | bytes, content_type: str = FORM, *, headers: dict[str, str] | None = None
    ) -> DeliveryResult:
        """Send any body, signed as Slack signs requests (for tests that send what Slack never would:
        malformed payloads, junk fields); ``headers`` override the signed ones."""
        signed = self._headers(body if isinstance(body, str) else "", content_type)
        if isinstance(body, bytes):  # sign the bytes themselves, whatever their encoding
            timestamp = signed["X-Slack-Request-Timestamp"]
            base = b"v0:" + timestamp.encode() + b":" + body
            digest = hmac.new(self._verifier.signing_secret.encode(), base, hashlib.sha256).hexdigest()
            signed["X-Slack-Signature"] = f"v0={digest}"
        signed.update(headers or {})
        return await self._post(kind, signed, body)

    async def resend_last(self) -> DeliveryResult:
        """Resend the exact last request: same body, same timestamp and signature (a duplicate delivery)."""
        if self._last is None:
            raise RuntimeError("nothing was sent yet")
        kind, headers, body = self._last
        return await self._post(kind, headers, body)

    # ------------------------------------------------------------------ slash commands

    async def command(
        self, user_id: str, text: str, *, command: str = "/mediate", channel_id: str | None = None
    ) -> CommandResult:
        """Send a slash command typed by ``user_id`` (default channel: their IM with the bot).

        A message in the ack body is shown as Slack does (ephemeral unless ``in_channel``).
        """
        ws = self.standin
        user = ws.user(user_id)
        conv = ws.conversation(channel_id or ws.im_with(user_id))
        if user_id not in conv.members:
            raise ScreenError(f"{user_id} is not in {conv.id}: they cannot type a command there")
        trigger_id = ws.issue_trigger(user_id)
        response_url = ws.issue_response_url(user_id, conv.id)
        fields = payloads.command_fields(
            ws,
            user,
            conv,
            command=command,
            text=text,
            api_app_id=self.api_app_id,
            team_id=self.team_id,
            trigger_id=trigger_id,
            response_url=response_url,
        )
        sent = await self._send("command", urlencode(fields), FORM)
        error: str | None = None
        if sent.timed_out:
            error = "operation_timeout"
        elif sent.status != 200:
            error = "dispatch_failed"
        elif sent.body.strip():
            ack = sent.json if sent.json is not None else {"text": sent.body}
            failure = deliver_response(ws, user_id, conv.id, ack, message_ts=None, method="command_ack")
            error = failure.error if failure else None
        return CommandResult(
            status=sent.status,
            body=sent.body,
            elapsed=sent.elapsed,
            timed_out=sent.timed_out,
            channel_id=conv.id,
            trigger_id=trigger_id,
            response_url=response_url,
            error=error,
        )

    # ------------------------------------------------------------------ clicks

    async def click(
        self,
        user_id: str,
        *,
        action_id: str,
        message: tuple[str, str] | None = None,
        view_id: str | None = None,
        value: str | None = None,
        block_id: str | None = None,
        selected_option: str | None = None,
        selected_options: list[str] | None = None,
        selected_user: str | None = None,
        selected_users: list[str] | None = None,
        selected_conversation: str | None = None,
        selected_channel: str | None = None,
        selected_date: str | None = None,
        selected_time: str | None = None,
    ) -> ActionResult:
        """Click (or choose in) the element ``action_id`` of a message ``(channel, ts)`` or a view.

        The message may be an ephemeral one of ``user_id``; the view must be on their screen (the top
        of their modal stack, or their App Home). ``value`` / ``block_id`` pick one of several
        elements sharing the action_id. For selects and pickers pass one of ``selected_option``
        (an option value), ``selected_options`` (values), ``selected_user``, ``selected_users``,
        ``selected_conversation``, ``selected_channel``, ``selected_date``, ``selected_time``.
        """
        if (message is None) == (view_id is None):
            raise ValueError("give exactly one of message=(channel, ts) or view_id=")
        ws = self.standin
        user = ws.user(user_id)
        picked = elements.selection_from(
            {
                "selected_option": selected_option,
                "selected_options": selected_options,
                "selected_user": selected_user,
                "selected_users": selected_users,
                "selected_conversation": selected_conversation,
                "selected_channel": selected_channel,
                "selected_date": selected_date,
                "selected_time": selected_time,
            }
        )
        trigger_id = ws.issue_trigger(user_id)
        action_ts = ws.next_ts()
        if message is not None:
            channel, ts = message
            return await self._click_message(
                user_id, channel, ts, action_id, block_id, value, picked, trigger_id, action_ts
            )
        assert view_id is not None
        view = self._view_on_screen(user_id, view_id)
        ref = elements.find_element(
            view.blocks, action_id, block_id=block_id, value=value, where=f"view {view_id}"
        )
        if ref.block_type == "input" and not ref.dispatch_action:
            raise ScreenError(
                f"{action_id!r} is in an input block without dispatch_action: Slack sends nothing"
            )
        entry = self._entry(ref, picked)
        if entry is not None and elements.is_stateful(ref.element):
            ws.set_view_state(view.id, ref.block_id, ref.action_id, entry)
        payload = payloads.block_actions(
            ws,
            user,
            api_app_id=self.api_app_id,
            container={"type": "view", "view_id": view.id},
            trigger_id=trigger_id,
            actions=[elements.action_payload(ref, entry, action_ts)],
            state=view.state,
            view=view,
        )
        sent = await self._send_payload(payload)
        return ActionResult(sent.status, sent.body, sent.elapsed, sent.timed_out, trigger_id, None, payload)

    async def _click_message(
        self,
        user_id: str,
        channel: str,
        ts: str,
        action_id: str,
        block_id: str | None,
        value: str | None,
        picked: tuple[str, object] | None,
        trigger_id: str,
        action_ts: str,
    ) -> ActionResult:
        ws = self.standin
        conv = ws.conversation(channel)
        if user_id not in conv.members:
            raise ScreenError(f"{user_id} is not in {channel}: they cannot see message {ts}")
        message_json: JSON | None
        try:
            found = ws.message(channel, ts)
            blocks, message_json, ephemeral = found.blocks, found.to_api(), False
        except KeyError:
            try:
                blocks, message_json, ephemeral = ws.ephemeral(user_id, ts).blocks, None, True
            except KeyError:
                raise ScreenError(f"{user_id} sees no message {ts} in {channel}") from None
        ref = elements.find_element(blocks, action_id, block_id=block_id, value=value, where=f"message {ts}")
        entry = self._entry(ref, picked)
        state = elements.state_of(blocks)
        if entry is not None and elements.is_stateful(ref.element):
            state.setdefault(ref.block_id, {})[ref.action_id] = entry
        response_url = ws.issue_response_url(user_id, channel, message_ts=ts)
        container = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral}
        payload = payloads.block_actions(
            ws,
            ws.user(user_id),
            api_app_id=self.api_app_id,
            container=container,
            trigger_id=trigger_id,
            actions=[elements.action_payload(ref, entry, action_ts)],
            state=state,
            conv=conv,
            message=message_json,
            response_url=response_url,
        )
        sent = await self._send_payload(payload)
        return ActionResult(
            sent.status, sent.body, sent.elapsed, sent.timed_out, trigger_id, response_url, payload
        )

    @staticmethod
    def _entry(ref: elements.ElementRef, picked: tuple[str, object] | None) -> JSON | None:
        if ref.type == "button":
            if picked is not None:
                raise ScreenError(f"{ref.action_id!r} is a button: nothing to select")
            return None
        key = elements.state_key(ref.element)
        if picked is None:
            raise ScreenError(f"{ref.action_id!r} is a {ref.type}: pass {key}=...")
        if picked[0] != key:
            raise ScreenError(f"{ref.action_id!r} is a {ref.type}: pass {key}=, not {picked[0]}=")
        return elements.typed_state(ref.element, picked[1])

    def _view_on_screen(self, user_id: str, view_id: str) -> View:
        ws = self.standin
        stack = ws.open_views(user_id)
        home = ws.home(user_id)
        if stack and stack[-1].id == view_id:
            return stack[-1]
        if home is not None and home.id == view_id:
            return home
        raise ScreenError(
            f"view {view_id} is not on {user_id}'s screen (modal stack: {[v.id for v in stack]})"
        )

    # ------------------------------------------------------------------ shortcuts

    async def shortcut(self, user_id: str, callback_id: str) -> ActionResult:
        """Run a global shortcut (type ``shortcut``) as ``user_id``."""
        ws = self.standin
        trigger_id = ws.issue_trigger(user_id)
        payload = payloads.interaction_base(ws, ws.user(user_id), "shortcut", api_app_id=self.api_app_id)
        payload.update({"callback_id": callback_id, "trigger_id": trigger_id, "action_ts": ws.next_ts()})
        sent = await self._send_payload(payload)
        return ActionResult(sent.status, sent.body, sent.elapsed, sent.timed_out, trigger_id, None, payload)

    async def message_shortcut(
        self, user_id: str, callback_id: str, message: tuple[str, str]
    ) -> ActionResult:
        """Run a message shortcut (type ``message_action``) on message ``(channel, ts)``."""
        ws = self.standin
        channel, ts = message
        conv = ws.conversation(channel)
        found = ws.message(channel, ts)
        trigger_id = ws.issue_trigger(user_id)
        response_url = ws.issue_response_url(user_id, channel)
        payload = payloads.interaction_base(
            ws, ws.user(user_id), "message_action", api_app_id=self.api_app_id
        )
        payload.update(
            {
                "callback_id": callback_id,
                "trigger_id": trigger_id,
                "action_ts": ws.next_ts(),
                "message_ts": ts,
                "channel": {"id": conv.id, "name": payloads.channel_name(conv)},
                "message": found.to_api(),
                "response_url": response_url,
            }
        )
        sent = await self._send_payload(payload)
        return ActionResult(
            sent.status, sent.body, sent.elapsed, sent.timed_out, trigger_id, response_url, payload
        )

    # ------------------------------------------------------------------ modals

    async def submit(
        self, user_id: str, view_id: str, values: dict[str, dict[str, object]] | None = None
    ) -> SubmitResult:
        """Submit the modal on screen with ``values[block_id][action_id]`` (raw values, typed from the
        elements: text, option value(s), user id(s), ``YYYY-MM-DD``…; ``None`` empties a field); inputs
        not given keep their current or initial values. Then apply the app's answer to the stack."""
        ws = self.standin
        view = self._view_on_screen(user_id, view_id)
        if view.type != "modal" or view.submit is None:
            raise ScreenError(f"view {view_id} has no submit button")
        inputs = {
            (r.block_id, r.action_id): r
            for r in elements.iter_elements(view.blocks)
            if r.block_type == "input"
        }
        for block_id, actions in (values or {}).items():
            for action_id, raw in actions.items():
                ref = inputs.get((block_id, action_id))
                if ref is None:
                    raise ScreenError(
                        f"no input {block_id}/{action_id} in view {view_id}; inputs: {sorted(inputs)}"
                    )
                ws.set_view_state(view.id, block_id, action_id, elements.typed_state(ref.element, raw))
        problems = [
            p
            for (block_id, action_id), ref in inputs.items()
            if elements.is_stateful(ref.element)
            for p in elements.client_side_problems(ref, view.state.get(block_id, {}).get(action_id, {}))
        ]
        if problems:
            raise ScreenError("Slack's client would not submit: " + "; ".join(problems))
        trigger_id = ws.issue_trigger(user_id)
        payload = payloads.view_submission(
            ws, ws.user(user_id), view, api_app_id=self.api_app_id, trigger_id=trigger_id
        )
        sent = await self._send_payload(payload)
        parsed: JSON = {}
        if sent.timed_out:
            ws.record("view_submission", {}, SlackError("operation_timeout"), audience=[user_id])
            action = "failed"
        else:
            action, parsed = apply_submission_response(ws, user_id, view.id, sent.status, sent.body)
        stack = ws.open_views(user_id)
        errors = parsed.get("errors") if action == "errors" else None
        return SubmitResult(
            status=sent.status,
            body=sent.body,
            elapsed=sent.elapsed,
            timed_out=sent.timed_out,
            response_action=action,
            errors=dict(errors) if isinstance(errors, dict) else {},
            view_id=stack[-1].id if stack else None,
            payload=payload,
        )

    async def close_view(self, user_id: str, view_id: str) -> int | None:
        """Press the modal's Close button: the view closes (the whole modal with ``clear_on_close``);
        a ``view_closed`` is sent only when the view has ``notify_on_close``. Returns its status."""
        ws = self.standin
        view = self._view_on_screen(user_id, view_id)
        if view.type != "modal":
            raise ScreenError("App Home cannot be closed")
        ws.close_view(user_id, view.id, clear=view.clear_on_close)
        if not view.notify_on_close:
            return None
        payload = payloads.view_closed(
            ws, ws.user(user_id), view, api_app_id=self.api_app_id, is_cleared=view.clear_on_close
        )
        return (await self._send_payload(payload)).status

    # ------------------------------------------------------------------ events

    async def event(
        self,
        event: JSON,
        *,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        event_id: str | None = None,
    ) -> int:
        """Send ``event`` in an ``event_callback`` envelope (new ``event_id``); return the HTTP status.

        ``retry_num`` adds ``X-Slack-Retry-Num`` / ``X-Slack-Retry-Reason`` as on a redelivery.
        """
        envelope = payloads.event_envelope(
            self.standin, event, api_app_id=self.api_app_id, team_id=self.team_id, event_id=event_id
        )
        body = json.dumps(envelope)
        self._last_event_body = body
        return (
            await self._send("event", body, "application/json", _retry_headers(retry_num, retry_reason))
        ).status

    async def retry(self, retry_num: int = 1, reason: str = "http_timeout") -> int:
        """Redeliver the last event (same body and event_id, freshly signed) with retry headers."""
        if self._last_event_body is None:
            raise RuntimeError("no event was sent yet")
        headers = _retry_headers(retry_num, reason)
        return (await self._send("event", self._last_event_body, "application/json", headers)).status

    async def app_home_opened(self, user_id: str, tab: str = "home") -> int:
        """Send ``app_home_opened`` for ``user_id`` (with their current home view, if any)."""
        ws = self.standin
        event: JSON = {"type": "app_home_opened", "user": user_id, "channel": ws.im_with(user_id), "tab": tab}
        home = ws.home(user_id)
        if home is not None and tab == "home":
            event["view"] = home.to_api()
        return await self.event(event)

    async def post_message(
        self, user_id: str, channel: str, text: str, *, thread_ts: str | None = None
    ) -> int:
        """``user_id`` writes ``text`` in ``channel``: stored, then sent as a ``message`` event."""
        ws = self.standin
        message = ws.post_user_message(user_id, channel, text, thread_ts=thread_ts)
        event = payloads.user_message_event(
            ws, ws.conversation(channel), user_id, text, message.ts, thread_ts
        )
        return await self.event(event)


def sender(body: str) -> str | None:
    """The user whose Slack client a request to the app comes from, read from its body: a slash
    command's ``user_id``, an interaction's ``user.id``, an event's ``user`` (None if none is named)."""
    try:
        if body.startswith("{"):
            event = json.loads(body).get("event")
            user = event.get("user") if isinstance(event, dict) else None
            return user if isinstance(user, str) else None
        fields = parse_qs(body)
        if "payload" in fields:
            payload = json.loads(fields["payload"][0])
            person = payload.get("user") if isinstance(payload, dict) else None
            user = person.get("id") if isinstance(person, dict) else None
            return user if isinstance(user, str) else None
        return fields.get("user_id", [None])[0]
    except (ValueError, AttributeError):
        return None


def _retry_headers(retry_num: int | None, reason: str) -> dict[str, str]:
    if retry_num is None:
        return {}
    return {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason}
