"""SlackDelivery against a tiny real slack-bolt AsyncApp, served over HTTP, using the stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltRequest, AsyncRespond
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.delivery import SlackDelivery
from bot.sandbox.models import ScreenError
from bot.sandbox.webapi import SlackStandIn

SECRET = "sandbox-signing-secret"


def pt(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def start_modal(title: str = "Start", *, notify: bool = False) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "start",
        "title": pt(title),
        "submit": pt("Next"),
        "close": pt("Cancel"),
        "notify_on_close": notify,
        "private_metadata": "m-1",
        "blocks": [
            {
                "type": "input",
                "block_id": "topic",
                "label": pt("Topic"),
                "element": {"type": "plain_text_input", "action_id": "topic", "max_length": 100},
            },
            {
                "type": "input",
                "block_id": "how",
                "label": pt("How to meet"),
                "element": {
                    "type": "static_select",
                    "action_id": "how",
                    "options": [
                        {"text": pt("Group DM"), "value": "mpim"},
                        {"text": pt("Private channel"), "value": "channel"},
                    ],
                    "initial_option": {"text": pt("Group DM"), "value": "mpim"},
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": pt("Private note"),
                "element": {"type": "plain_text_input", "action_id": "note", "multiline": True},
            },
            {
                "type": "input",
                "block_id": "who",
                "optional": True,
                "label": pt("Colleague"),
                "element": {"type": "users_select", "action_id": "who"},
            },
        ],
    }


CONFIRM_MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "confirm",
    "title": pt("Confirm"),
    "submit": pt("Yes"),
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Sure?"}}],
}
INVITE_BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Alice invites you"}},
    {
        "type": "actions",
        "block_id": "answer",
        "elements": [
            {
                "type": "button",
                "action_id": "accept",
                "text": pt("Accept"),
                "value": "m-1",
                "style": "primary",
            },
            {
                "type": "static_select",
                "action_id": "later",
                "placeholder": pt("Remind me"),
                "options": [
                    {"text": pt("Tomorrow"), "value": "1d"},
                    {"text": pt("Next week"), "value": "7d"},
                ],
            },
        ],
    },
]


@dataclass
class Env:
    standin: SlackStandIn
    slack: SlackDelivery
    url: str
    seen: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def bodies(self, kind: str) -> list[dict[str, Any]]:
        return [body for k, body in self.seen if k == kind]


def build_app(standin: SlackStandIn, env: Env) -> AsyncApp:
    client = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)

    async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=None,
            team_id=standin.team_id,
            bot_token=standin.bot_token,
            bot_id="B0BOT",
            bot_user_id=standin.bot_user_id,
        )

    app = AsyncApp(signing_secret=SECRET, authorize=authorize, client=client)

    @app.command("/mediate")
    async def mediate(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        env.seen.append(("command", body))
        if body["text"] == "help":
            await ack(text="Use /mediate @colleague topic")
            return
        if body["text"] == "slow":
            await asyncio.sleep(0.5)
            await ack()
            return
        await client.views_open(
            trigger_id=body["trigger_id"], view=start_modal(notify="notify" in body["text"])
        )
        await ack()

    @app.action("accept")
    async def accept(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        env.seen.append(("accept", body))
        if body["container"]["type"] == "message":
            await respond(text="Accepted", replace_original=True)

    @app.action("later")
    async def later(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        env.seen.append(("later", body))

    @app.action("home_start")
    async def home_start(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        env.seen.append(("home_start", body))
        await client.views_open(trigger_id=body["trigger_id"], view=start_modal())
        await ack()

    @app.shortcut("start_mediation")
    async def start_shortcut(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        env.seen.append(("shortcut", body))
        await client.views_open(trigger_id=body["trigger_id"], view=start_modal())
        await ack()

    @app.shortcut("facilitate")
    async def message_shortcut(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        env.seen.append(("message_action", body))

    @app.view("start")
    async def submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        env.seen.append(("submit", body))
        topic = view["state"]["values"]["topic"]["topic"]["value"]
        if topic == "bad":
            await ack(response_action="errors", errors={"topic": "Say a little more"})
        elif topic == "update":
            await ack(response_action="update", view=start_modal("Updated"))
        elif topic == "push":
            await ack(response_action="push", view=CONFIRM_MODAL)
        elif topic == "clear":
            await ack(response_action="clear")
        elif topic == "invalid":
            await ack(response_action="update", view=start_modal("This title is far too long"))
        else:
            await ack()

    @app.view("confirm")
    async def confirmed(ack: AsyncAck) -> None:
        await ack()

    @app.view_closed("start")
    async def closed(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        env.seen.append(("closed", body))

    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], client: AsyncWebClient, request: AsyncBoltRequest) -> None:
        env.seen.append(("app_home_opened", event))
        home_button = {"type": "button", "action_id": "home_start", "text": pt("Start")}
        await client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}, "accessory": home_button}
                ],
            },
        )

    @app.event("message")
    async def message(event: dict[str, Any], body: dict[str, Any], request: AsyncBoltRequest) -> None:
        env.seen.append(("message", body))
        env.headers.append({k.lower(): v[0] for k, v in request.headers.items()})

    return app


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    standin = SlackStandIn()
    await standin.start()
    slack_env = Env(standin=standin, slack=None, url="")  # type: ignore[arg-type]
    runner = web.AppRunner(build_app(standin, slack_env).web_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    slack_env.url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    slack_env.slack = SlackDelivery(slack_env.url, SECRET, standin)
    yield slack_env
    await slack_env.slack.close()
    await runner.cleanup()
    await standin.stop()


@pytest.fixture
def alice(env: Env) -> str:
    return env.standin.add_user("alice")


async def open_start_modal(env: Env, user: str, text: str = "<@U0SB99999|bob> deadlines") -> str:
    result = await env.slack.command(user, text)
    assert result.status == 200 and result.error is None
    return env.standin.open_views(user)[-1].id


# ---------------------------------------------------------------- signatures


async def test_wrong_secret_gets_401(env: Env, alice: str) -> None:
    async with SlackDelivery(env.url, "not-the-secret", env.standin) as impostor:
        result = await impostor.command(alice, "help")
    assert result.status == 401 and result.error == "dispatch_failed"
    assert env.seen == []


async def test_signed_headers_are_sent_and_logged(env: Env, alice: str) -> None:
    await env.slack.command(alice, "help")
    [record] = env.slack.log
    assert record.kind == "command" and record.status == 200
    assert record.headers["X-Slack-Signature"].startswith("v0=")
    assert record.headers["X-Slack-Request-Timestamp"].isdigit()
    assert "command=%2Fmediate" in record.body and "Use /mediate" in record.response


# ---------------------------------------------------------------- commands


async def test_command_reaches_the_listener_and_opens_a_modal(env: Env, alice: str) -> None:
    result = await env.slack.command(alice, "<@U0SB99999|bob> deadlines")
    assert result.status == 200 and result.body == "" and result.error is None
    [body] = env.bodies("command")
    im = env.standin.im_with(alice)
    assert body["user_id"] == alice and body["user_name"] == "alice" and body["channel_id"] == im
    assert body["command"] == "/mediate" and body["text"] == "<@U0SB99999|bob> deadlines"
    assert body["team_id"] == "T0SANDBOX" and body["api_app_id"] == env.standin.app_id
    assert body["is_enterprise_install"] == "false" and body["channel_name"] == "directmessage"
    assert body["trigger_id"] == result.trigger_id and body["response_url"] == result.response_url
    [modal] = env.standin.open_views(alice)
    assert modal.callback_id == "start" and modal.private_metadata == "m-1"
    env.standin.assert_no_rejections()


async def test_command_ack_message_becomes_ephemeral(env: Env, alice: str) -> None:
    result = await env.slack.command(alice, "help")
    assert result.body == "Use /mediate @colleague topic"  # Bolt acks a bare text as text/plain
    [shown] = env.standin.ephemerals(alice, env.standin.im_with(alice))
    assert shown.text == "Use /mediate @colleague topic"


async def test_a_slow_ack_times_out_like_slack(env: Env, alice: str) -> None:
    async with SlackDelivery(env.url, SECRET, env.standin, timeout=0.2) as impatient:
        result = await impatient.command(alice, "slow")
    assert result.timed_out and result.status == 0 and result.error == "operation_timeout"
    assert impatient.log[0].timed_out


# ---------------------------------------------------------------- clicks


async def test_click_in_a_message(env: Env, alice: str) -> None:
    client = AsyncWebClient(token=env.standin.bot_token, base_url=env.standin.api_url)
    posted = await client.chat_postMessage(channel=alice, text="Invitation", blocks=INVITE_BLOCKS)
    result = await env.slack.click(alice, action_id="accept", message=(posted["channel"], posted["ts"]))
    assert result.status == 200
    await env.standin.wait_until(lambda: bool(env.bodies("accept")))
    [body] = env.bodies("accept")
    assert body["type"] == "block_actions" and body["user"]["id"] == alice
    assert body["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": posted["channel"],
        "is_ephemeral": False,
    }
    assert body["message"]["blocks"][1]["block_id"] == "answer" and body["channel"]["id"] == posted["channel"]
    [action] = body["actions"]
    assert (action["action_id"], action["block_id"], action["value"]) == ("accept", "answer", "m-1")
    assert body["trigger_id"] == result.trigger_id and body["response_url"] == result.response_url
    # the listener's respond(replace_original=True) went through the stand-in's response_url
    await env.standin.wait_until(
        lambda: env.standin.message(posted["channel"], posted["ts"]).text == "Accepted"
    )
    env.standin.assert_no_rejections()


async def test_select_in_a_message(env: Env, alice: str) -> None:
    client = AsyncWebClient(token=env.standin.bot_token, base_url=env.standin.api_url)
    posted = await client.chat_postMessage(channel=alice, text="Invitation", blocks=INVITE_BLOCKS)
    await env.slack.click(
        alice, action_id="later", message=(posted["channel"], posted["ts"]), selected_option="7d"
    )
    await env.standin.wait_until(lambda: bool(env.bodies("later")))
    [action] = env.bodies("later")[0]["actions"]
    assert action["selected_option"] == {"text": pt("Next week"), "value": "7d"}
    with pytest.raises(ScreenError, match="not offered"):
        await env.slack.click(
            alice, action_id="later", message=(posted["channel"], posted["ts"]), selected_option="x"
        )


async def test_click_in_an_ephemeral_message(env: Env, alice: str) -> None:
    im = env.standin.im_with(alice)
    client = AsyncWebClient(token=env.standin.bot_token, base_url=env.standin.api_url)
    ts = (await client.chat_postEphemeral(channel=im, user=alice, text="Invitation", blocks=INVITE_BLOCKS))[
        "message_ts"
    ]
    await env.slack.click(alice, action_id="accept", message=(im, ts))
    await env.standin.wait_until(lambda: bool(env.bodies("accept")))
    body = env.bodies("accept")[0]
    assert body["container"]["is_ephemeral"] is True and "message" not in body
    await env.standin.wait_until(lambda: env.standin.ephemerals(alice)[0].text == "Accepted")


async def test_cannot_click_what_is_not_on_screen(env: Env, alice: str) -> None:
    client = AsyncWebClient(token=env.standin.bot_token, base_url=env.standin.api_url)
    posted = await client.chat_postMessage(channel=alice, text="Invitation", blocks=INVITE_BLOCKS)
    with pytest.raises(ScreenError, match="no element with action_id='decline'"):
        await env.slack.click(alice, action_id="decline", message=(posted["channel"], posted["ts"]))
    with pytest.raises(ScreenError, match="is a button"):
        await env.slack.click(
            alice, action_id="accept", message=(posted["channel"], posted["ts"]), selected_user="U1"
        )
    bob = env.standin.add_user("bob")
    with pytest.raises(ScreenError, match="not in"):
        await env.slack.click(bob, action_id="accept", message=(posted["channel"], posted["ts"]))
    assert env.slack.log == []


async def test_home_opened_publishes_and_home_button_opens_a_modal(env: Env, alice: str) -> None:
    assert await env.slack.app_home_opened(alice) == 200
    await env.standin.wait_until(lambda: env.standin.home(alice) is not None)
    [event] = env.bodies("app_home_opened")
    assert event["tab"] == "home" and event["channel"] == env.standin.im_with(alice)
    home = env.standin.home(alice)
    assert home is not None
    await env.slack.click(alice, action_id="home_start", view_id=home.id)
    [body] = env.bodies("home_start")
    assert body["container"] == {"type": "view", "view_id": home.id} and body["view"]["type"] == "home"
    assert "response_url" not in body and "channel" not in body
    assert [v.callback_id for v in env.standin.open_views(alice)] == ["start"]


async def test_view_clicks_follow_slack_rules(env: Env, alice: str) -> None:
    view_id = await open_start_modal(env, alice)
    with pytest.raises(ScreenError, match="without dispatch_action"):
        await env.slack.click(alice, action_id="how", view_id=view_id, selected_option="channel")
    with pytest.raises(ScreenError, match="not on"):
        await env.slack.click(alice, action_id="how", view_id="V404", selected_option="channel")
    with pytest.raises(ValueError, match="exactly one"):
        await env.slack.click(alice, action_id="how")


async def test_shortcuts(env: Env, alice: str) -> None:
    await env.slack.shortcut(alice, "start_mediation")
    [body] = env.bodies("shortcut")
    assert body["type"] == "shortcut" and body["user"]["id"] == alice
    assert [v.callback_id for v in env.standin.open_views(alice)] == ["start"]
    im = env.standin.im_with(alice)
    ts = env.standin.post_user_message(alice, im, "we disagree").ts
    result = await env.slack.message_shortcut(alice, "facilitate", (im, ts))
    assert result.status == 200
    await env.standin.wait_until(lambda: bool(env.bodies("message_action")))
    action = env.bodies("message_action")[0]
    assert action["message"]["text"] == "we disagree" and action["channel"]["id"] == im
    env.standin.assert_no_rejections()


# ---------------------------------------------------------------- submissions


async def test_submission_payload_is_typed_from_the_view(env: Env, alice: str) -> None:
    view_id = await open_start_modal(env, alice)
    bob = env.standin.add_user("bob")
    result = await env.slack.submit(alice, view_id, {"topic": {"topic": "deadlines"}, "who": {"who": bob}})
    assert result.status == 200 and result.response_action == "close" and result.view_id is None
    [body] = env.bodies("submit")
    values = body["view"]["state"]["values"]
    assert values["topic"]["topic"] == {"type": "plain_text_input", "value": "deadlines"}
    assert values["how"]["how"] == {
        "type": "static_select",
        "selected_option": {"text": pt("Group DM"), "value": "mpim"},
    }
    assert values["note"]["note"] == {"type": "plain_text_input", "value": None}
    assert values["who"]["who"] == {"type": "users_select", "selected_user": bob}
    assert body["view"]["private_metadata"] == "m-1" and body["user"]["id"] == alice and body["trigger_id"]
    assert view_id not in env.standin.views and not env.standin.open_views(alice)  # closed: forgotten
    env.standin.assert_no_rejections()


async def test_response_action_errors_keeps_the_view(env: Env, alice: str) -> None:
    view_id = await open_start_modal(env, alice)
    result = await env.slack.submit(alice, view_id, {"topic": {"topic": "bad"}})
    assert result.response_action == "errors" and result.errors == {"topic": "Say a little more"}
    assert result.view_id == view_id and env.standin.view(view_id).errors == {"topic": "Say a little more"}
    # the user fixes it; the other fields kept what they had
    again = await env.slack.submit(alice, view_id, {"topic": {"topic": "fine"}})
    assert again.response_action == "close" and env.standin.open_views(alice) == []


async def test_response_action_update_push_and_clear(env: Env, alice: str) -> None:
    view_id = await open_start_modal(env, alice)
    old_hash = env.standin.view(view_id).hash
    updated = await env.slack.submit(alice, view_id, {"topic": {"topic": "update"}})
    assert updated.response_action == "update" and updated.view_id == view_id
    assert env.standin.view(view_id).title == pt("Updated") and env.standin.view(view_id).hash != old_hash

    pushed = await env.slack.submit(alice, view_id, {"topic": {"topic": "push"}})
    stack = env.standin.open_views(alice)
    assert pushed.response_action == "push" and [v.callback_id for v in stack] == ["start", "confirm"]
    assert pushed.view_id == stack[1].id

    back = await env.slack.submit(alice, stack[1].id)  # empty ack: back to the previous view
    assert back.response_action == "close" and back.view_id == view_id

    cleared = await env.slack.submit(alice, view_id, {"topic": {"topic": "clear"}})
    assert cleared.response_action == "clear" and env.standin.open_views(alice) == []
    env.standin.assert_no_rejections()


async def test_an_invalid_update_is_a_rejection(env: Env, alice: str) -> None:
    view_id = await open_start_modal(env, alice)
    result = await env.slack.submit(alice, view_id, {"topic": {"topic": "invalid"}})
    assert result.response_action == "failed" and result.view_id == view_id
    assert [c.method for c in env.standin.rejected] == ["view_submission"]
    assert "/view/title/text" in env.standin.rejected[0].messages[0]


async def test_client_side_checks_block_the_submission(env: Env, alice: str) -> None:
    view_id = await open_start_modal(env, alice)
    with pytest.raises(ScreenError, match="topic/topic is required"):
        await env.slack.submit(alice, view_id)
    with pytest.raises(ScreenError, match="longer than 100"):
        await env.slack.submit(alice, view_id, {"topic": {"topic": "x" * 101}})
    with pytest.raises(ScreenError, match="no input"):
        await env.slack.submit(alice, view_id, {"topic": {"typo": "x"}})
    with pytest.raises(ScreenError, match="not offered"):
        await env.slack.submit(alice, view_id, {"topic": {"topic": "x"}, "how": {"how": "carrier-pigeon"}})
    bob = env.standin.add_user("bob")
    with pytest.raises(ScreenError, match="not on"):
        await env.slack.submit(bob, view_id, {"topic": {"topic": "x"}})
    assert env.bodies("submit") == []


async def test_close_sends_view_closed_only_when_asked(env: Env, alice: str) -> None:
    quiet = await open_start_modal(env, alice)
    assert await env.slack.close_view(alice, quiet) is None
    assert env.standin.open_views(alice) == [] and env.bodies("closed") == []
    loud = await open_start_modal(env, alice, "notify")
    assert await env.slack.close(alice, loud) == 200
    [body] = env.bodies("closed")
    assert body["type"] == "view_closed" and body["view"]["id"] == loud and body["is_cleared"] is False
    assert "trigger_id" not in body


# ---------------------------------------------------------------- events, retries, duplicates


async def test_message_event_and_retry_headers(env: Env, alice: str) -> None:
    im = env.standin.im_with(alice)
    assert await env.slack.post_message(alice, im, "I felt unheard") == 200
    await env.standin.wait_until(lambda: len(env.bodies("message")) == 1)
    first = env.bodies("message")[0]
    assert first["type"] == "event_callback" and first["event"]["channel_type"] == "im"
    assert first["event"]["text"] == "I felt unheard" and first["event"]["user"] == alice
    assert first["authorizations"][0]["user_id"] == env.standin.bot_user_id
    assert [m.text for m in env.standin.messages(im)] == ["I felt unheard"]
    assert "x-slack-retry-num" not in env.headers[0]

    assert await env.slack.retry(1) == 200
    await env.standin.wait_until(lambda: len(env.bodies("message")) == 2)
    assert env.bodies("message")[1]["event_id"] == first["event_id"]
    assert (
        env.headers[1]["x-slack-retry-num"] == "1"
        and env.headers[1]["x-slack-retry-reason"] == "http_timeout"
    )

    assert (
        await env.slack.event({"type": "message", "channel": im, "user": alice, "text": "x"}, retry_num=2)
        == 200
    )
    await env.standin.wait_until(lambda: len(env.bodies("message")) == 3)
    assert env.headers[2]["x-slack-retry-num"] == "2"
    assert env.bodies("message")[2]["event_id"] != first["event_id"]


async def test_resend_last_is_an_exact_duplicate(env: Env, alice: str) -> None:
    await env.slack.command(alice, "help")
    again = await env.slack.resend_last()
    assert again.status == 200
    first, second = env.slack.log
    assert first.body == second.body and first.headers == second.headers
    assert len(env.bodies("command")) == 2
