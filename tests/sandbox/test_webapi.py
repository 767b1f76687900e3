"""The Web API stand-in, driven over real HTTP by slack_sdk's AsyncWebClient."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.sandbox.blockkit import validate_message, validate_message_blocks, validate_view
from bot.sandbox.models import ManualClock
from bot.sandbox.webapi import SlackStandIn


def pt(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": md(text), **extra}


def button(action_id: str = "go", value: str = "v") -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": pt("Go"), "value": value}


def modal(title: str = "Start", **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": "start",
        "title": pt(title),
        "submit": pt("Next"),
        "blocks": [
            {
                "type": "input",
                "block_id": "topic",
                "label": pt("Topic"),
                "element": {"type": "plain_text_input", "action_id": "topic"},
            }
        ],
    }
    view.update(extra)
    return view


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def standin(clock: ManualClock) -> AsyncIterator[SlackStandIn]:
    stand_in = SlackStandIn(clock=clock)
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
def client(standin: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)


@pytest.fixture
def alice(standin: SlackStandIn) -> str:
    return standin.add_user("alice", real_name="Alice Archer")


@pytest.fixture
def bob(standin: SlackStandIn) -> str:
    return standin.add_user("bob")


async def slack_error(call: Any) -> tuple[str, list[str]]:
    """Await a client call that must fail; return (error, response_metadata.messages)."""
    with pytest.raises(SlackApiError) as caught:
        await call
    data = caught.value.response.data
    assert isinstance(data, dict) and data["ok"] is False
    return data["error"], data.get("response_metadata", {}).get("messages", [])


# ---------------------------------------------------------------- transport, auth, recording


async def test_auth_test_names_the_bot(client: AsyncWebClient, standin: SlackStandIn) -> None:
    answer = await client.auth_test()
    assert answer["team_id"] == "T0SANDBOX"
    assert answer["user_id"] == standin.bot_user_id == "U0BOT"
    assert answer["bot_id"] == "B0BOT"
    assert standin.users[standin.bot_user_id].is_bot


@pytest.mark.parametrize(("token", "error"), [(None, "not_authed"), ("xoxb-wrong", "invalid_auth")])
async def test_bad_tokens_are_refused(standin: SlackStandIn, token: str | None, error: str) -> None:
    bad = AsyncWebClient(token=token, base_url=standin.api_url)
    assert (await slack_error(bad.auth_test()))[0] == error
    assert [c.error for c in standin.rejected] == [error]


async def test_token_may_come_as_an_argument(standin: SlackStandIn) -> None:
    async with aiohttp.ClientSession() as http:
        answer = await (
            await http.post(f"{standin.api_url}auth.test", data={"token": standin.bot_token})
        ).json()
    assert answer["ok"] is True


async def test_unknown_method(client: AsyncWebClient) -> None:
    assert (await slack_error(client.api_call("chat.frobnicate")))[0] == "unknown_method"


@pytest.mark.parametrize("style", ["query", "form", "json"])
async def test_arguments_as_query_form_or_json(standin: SlackStandIn, alice: str, style: str) -> None:
    url = f"{standin.api_url}users.info"
    headers = {"Authorization": f"Bearer {standin.bot_token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        if style == "query":
            response = await http.get(url, params={"user": alice})
        elif style == "form":
            response = await http.post(url, data={"user": alice})
        else:
            response = await http.post(url, json={"user": alice})
        assert response.status == 200
        answer = await response.json()
    assert answer["ok"] is True and answer["user"]["id"] == alice


async def test_errors_are_http_200(standin: SlackStandIn) -> None:
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            f"{standin.api_url}users.info",
            json={"user": "UNOBODY"},
            headers={"Authorization": f"Bearer {standin.bot_token}"},
        )
        assert response.status == 200
        assert await response.json() == {"ok": False, "error": "user_not_found"}


async def test_every_call_is_recorded(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    await client.chat_postMessage(channel=alice, text="hi", blocks=[section()])
    await slack_error(client.users_info(user="UNOBODY"))
    assert [(c.method, c.ok, c.error) for c in standin.calls] == [
        ("chat.postMessage", True, None),
        ("users.info", False, "user_not_found"),
    ]
    assert standin.calls[0].args["blocks"][0]["type"] == "section"
    assert "token" not in standin.calls[0].args
    assert [c.method for c in standin.rejected] == ["users.info"]
    with pytest.raises(AssertionError, match=r"users\.info: user_not_found"):
        standin.assert_no_rejections()


async def test_set_error_injects_faults(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    standin.set_error("conversations.open", "user_not_found", times=2)
    for _ in range(2):
        assert (await slack_error(client.conversations_open(users=alice)))[0] == "user_not_found"
    assert (await client.conversations_open(users=alice))["ok"]
    assert [c.injected for c in standin.calls_to("conversations.open")] == [True, True, False]
    standin.assert_no_rejections()


# ---------------------------------------------------------------- users, conversations


async def test_users_info(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    user = (await client.users_info(user=alice))["user"]
    assert user["name"] == "alice" and user["real_name"] == "Alice Archer"
    assert user["deleted"] is False and user["is_bot"] is False
    assert standin.user_id("alice") == alice


async def test_deleted_users_are_returned_as_deleted(client: AsyncWebClient, standin: SlackStandIn) -> None:
    gone = standin.add_user("gone", deleted=True)
    assert (await client.users_info(user=gone))["user"]["deleted"] is True


async def test_unknown_user(client: AsyncWebClient) -> None:
    assert (await slack_error(client.users_info(user="U404")))[0] == "user_not_found"


async def test_open_im_is_stable(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    first = (await client.conversations_open(users=alice))["channel"]["id"]
    again = await client.conversations_open(users=[alice])
    assert first.startswith("D") and again["channel"]["id"] == first == standin.im_with(alice)
    assert standin.conversation(first).members == [alice, standin.bot_user_id]


async def test_open_mpim_includes_the_bot(
    client: AsyncWebClient, standin: SlackStandIn, alice: str, bob: str
) -> None:
    first = (await client.conversations_open(users=[alice, bob]))["channel"]["id"]
    again = (await client.conversations_open(users=f"{bob},{alice}"))["channel"]["id"]
    assert first.startswith("G") and again == first
    assert set(standin.conversation(first).members) == {alice, bob, standin.bot_user_id}
    assert standin.conversation(first).kind == "mpim"
    assert [c.id for c in standin.conversations_of(bob)] == [first]


async def test_open_by_channel(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    im = standin.im_with(alice)
    assert (await client.conversations_open(channel=im))["channel"]["id"] == im


@pytest.mark.parametrize(
    ("users", "error"),
    [
        ("gone", "user_disabled"),
        ("U404", "user_not_found"),
        ("nine", "too_many_users"),
        ("", "users_list_not_supplied"),
    ],
)
async def test_open_refusals(
    client: AsyncWebClient, standin: SlackStandIn, alice: str, users: str, error: str
) -> None:
    gone = standin.add_user("gone", deleted=True)
    arg = {
        "gone": f"{alice},{gone}",
        "U404": "U404",
        "nine": ",".join(standin.add_user(f"p{i}") for i in range(9)),
        "": "",
    }[users]
    call = client.conversations_open(users=arg) if arg else client.api_call("conversations.open")
    assert (await slack_error(call))[0] == error


async def test_create_private_channel(client: AsyncWebClient, standin: SlackStandIn) -> None:
    channel = (await client.conversations_create(name="cg-alice-bob", is_private=True))["channel"]
    assert channel["is_private"] is True and channel["name"] == "cg-alice-bob"
    assert (await client.conversations_members(channel=channel["id"]))["members"] == [standin.bot_user_id]
    info = (await client.conversations_info(channel=channel["id"]))["channel"]
    assert info["is_member"] is True and info["is_group"] is True


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Has Caps", "invalid_name_specials"),
        ("space here", "invalid_name_specials"),
        ("émile", "invalid_name_specials"),
        ("x" * 81, "invalid_name_maxlength"),
        ("taken", "name_taken"),
    ],
)
async def test_create_refusals(client: AsyncWebClient, standin: SlackStandIn, name: str, error: str) -> None:
    standin.add_channel("taken", is_private=True, bot_member=False)
    assert (await slack_error(client.conversations_create(name=name)))[0] == error


async def test_invite(client: AsyncWebClient, standin: SlackStandIn, alice: str, bob: str) -> None:
    channel = (await client.conversations_create(name="joint", is_private=True))["channel"]["id"]
    await client.conversations_invite(channel=channel, users=[alice, bob])
    assert (await client.conversations_members(channel=channel))["members"] == [
        standin.bot_user_id,
        alice,
        bob,
    ]
    assert standin.conversation(channel) in standin.conversations_of(alice)


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("already", "already_in_channel"),
        ("unknown", "user_not_found"),
        ("deleted", "cant_invite"),
        ("bot_outside", "not_in_channel"),
        ("no_channel", "channel_not_found"),
    ],
)
async def test_invite_refusals(
    client: AsyncWebClient, standin: SlackStandIn, alice: str, case: str, error: str
) -> None:
    channel = standin.add_channel("joint", members=[alice], is_private=True)
    outside = standin.add_channel("public", members=[alice], bot_member=False)
    gone = standin.add_user("gone", deleted=True)
    channel_arg, users = {
        "already": (channel, alice),
        "unknown": (channel, "U404"),
        "deleted": (channel, gone),
        "bot_outside": (outside, alice),
        "no_channel": ("C404", alice),
    }[case]
    assert (await slack_error(client.conversations_invite(channel=channel_arg, users=users)))[0] == error


# ---------------------------------------------------------------- chat


async def test_post_to_a_user_id_lands_in_the_im(
    client: AsyncWebClient, standin: SlackStandIn, alice: str
) -> None:
    answer = await client.chat_postMessage(
        channel=alice, text="hello", blocks=[section("*hi*"), {"type": "divider"}]
    )
    im = standin.im_with(alice)
    assert answer["channel"] == im
    [message] = standin.messages(im)
    assert message.ts == answer["ts"] and message.user == standin.bot_user_id and message.bot_id == "B0BOT"
    assert [b["block_id"] for b in message.blocks] == [b["block_id"] for b in answer["message"]["blocks"]]
    assert all(b["block_id"] for b in message.blocks)


async def test_ts_are_unique_and_increasing(
    client: AsyncWebClient, standin: SlackStandIn, alice: str
) -> None:
    stamps = [(await client.chat_postMessage(channel=alice, text=str(i)))["ts"] for i in range(5)]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 5
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)


async def test_thread_reply(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    parent = (await client.chat_postMessage(channel=alice, text="parent"))["ts"]
    reply = await client.chat_postMessage(channel=alice, text="reply", thread_ts=parent)
    assert reply["message"]["thread_ts"] == parent
    assert standin.messages(standin.im_with(alice))[1].thread_ts == parent


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("not_member", "not_in_channel"),
        ("unknown_channel", "channel_not_found"),
        ("no_text", "no_text"),
        ("too_long", "msg_too_long"),
    ],
)
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_post_refusals(
    client: AsyncWebClient, standin: SlackStandIn, alice: str, case: str, error: str
) -> None:
    public = standin.add_channel("general", members=[alice], bot_member=False)
    kwargs: dict[str, Any] = {
        "not_member": {"channel": public, "text": "hi"},
        "unknown_channel": {"channel": "C404", "text": "hi"},
        "no_text": {"channel": alice},
        "too_long": {"channel": alice, "text": "x" * 40_001},
    }[case]
    assert (await slack_error(client.chat_postMessage(**kwargs)))[0] == error


BAD_BLOCKS: list[tuple[str, list[dict[str, Any]], str]] = [
    ("unknown block type", [{"type": "bogus"}], "unsupported block type"),
    ("51 blocks", [{"type": "divider"}] * 51, "no more than 50"),
    ("section text 3001", [section("x" * 3001)], "/blocks/0/text"),
    ("header 151", [{"type": "header", "text": pt("x" * 151)}], "/blocks/0/text"),
    ("mrkdwn button", [section(accessory={**button(), "text": md("Go")})], "plain_text"),
    ("unknown field", [section(colour="red")], "unsupported field 'colour'"),
    ("bare string text", [{"type": "section", "text": "hello"}], "must be an object"),
    (
        "unknown element",
        [{"type": "actions", "elements": [{"type": "buttonz", "action_id": "a"}]}],
        "elements/0",
    ),
    ("empty actions", [{"type": "actions", "elements": []}], "must not be empty"),
    ("long action_id", [{"type": "actions", "elements": [button("a" * 256)]}], "255"),
    ("long block_id", [section(block_id="b" * 256)], "255"),
    ("duplicate block_id", [section(block_id="x"), section(block_id="x")], "duplicate block_id"),
    (
        "11 checkboxes",
        [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "checkboxes",
                        "action_id": "c",
                        "options": [{"text": pt(str(i)), "value": str(i)} for i in range(11)],
                    }
                ],
            }
        ],
        "no more than 10",
    ),
    ("null field", [section(accessory=None)], "must not be null"),
]


@pytest.mark.parametrize(("name", "blocks", "expected"), BAD_BLOCKS, ids=[b[0] for b in BAD_BLOCKS])
async def test_invalid_blocks_are_refused(
    client: AsyncWebClient,
    standin: SlackStandIn,
    alice: str,
    name: str,
    blocks: list[dict[str, Any]],
    expected: str,
) -> None:
    error, messages = await slack_error(client.chat_postMessage(channel=alice, text="t", blocks=blocks))
    assert error == "invalid_blocks"
    assert any(expected in m for m in messages), messages
    assert all(m.startswith("[ERROR]") for m in messages)
    assert standin.rejected[-1].messages == messages
    assert validate_message_blocks(blocks) == messages


async def test_fifty_blocks_are_fine(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    await client.chat_postMessage(channel=alice, text="t", blocks=[{"type": "divider"}] * 50)
    standin.assert_no_rejections()


def test_validators_accept_a_rich_message() -> None:
    options = [{"text": pt("A"), "value": "a"}, {"text": pt("B"), "value": "b"}]
    blocks = [
        {"type": "header", "text": pt("Mediation")},
        section("*You*", accessory=button()),
        {"type": "section", "fields": [md("a"), pt("b")]},
        {"type": "context", "elements": [md("ctx")]},
        {
            "type": "actions",
            "elements": [
                button("yes", "1"),
                {**button("no", "0"), "style": "danger"},
                {"type": "static_select", "action_id": "pick", "placeholder": pt("Pick"), "options": options},
                {"type": "users_select", "action_id": "who", "placeholder": pt("Who")},
                {"type": "datepicker", "action_id": "when", "initial_date": "2024-05-01"},
            ],
        },
        {
            "type": "rich_text",
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "x"}]}],
        },
    ]
    assert validate_message_blocks(blocks) == []
    assert validate_message("fallback", blocks) == []
    assert validate_message("", None) != []
    assert validate_view(modal(blocks=blocks[:5] + modal()["blocks"]), expected_type="modal") == []


async def test_post_ephemeral(client: AsyncWebClient, standin: SlackStandIn, alice: str, bob: str) -> None:
    im = standin.im_with(alice)
    answer = await client.chat_postEphemeral(channel=im, user=alice, text="only you", blocks=[section()])
    [ephemeral] = standin.ephemerals(alice)
    assert ephemeral.ts == answer["message_ts"] and ephemeral.channel == im and ephemeral.text == "only you"
    assert standin.ephemerals(alice, channel="C404") == [] and standin.messages(im) == []
    error, _ = await slack_error(client.chat_postEphemeral(channel=im, user=bob, text="x"))
    assert error == "user_not_in_channel"


async def test_chat_update(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    posted = await client.chat_postMessage(channel=alice, text="v1", blocks=[section("one")])
    await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="v2")
    message = standin.message(posted["channel"], posted["ts"])
    assert message.text == "v2" and message.blocks[0]["text"]["text"] == "one" and message.edited_ts
    await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="v3", blocks=[section("three")])
    assert standin.message(posted["channel"], posted["ts"]).blocks[0]["text"]["text"] == "three"
    error, _ = await slack_error(client.chat_update(channel=posted["channel"], ts="1.000000", text="x"))
    assert error == "message_not_found"


async def test_ephemeral_messages_cannot_be_updated(
    client: AsyncWebClient, standin: SlackStandIn, alice: str
) -> None:
    im = standin.im_with(alice)
    ts = (await client.chat_postEphemeral(channel=im, user=alice, text="x"))["message_ts"]
    assert (await slack_error(client.chat_update(channel=im, ts=ts, text="y")))[0] == "message_not_found"


async def test_chat_update_refuses_invalid_blocks(client: AsyncWebClient, alice: str) -> None:
    posted = await client.chat_postMessage(channel=alice, text="v1")
    error, _ = await slack_error(
        client.chat_update(channel=posted["channel"], ts=posted["ts"], text="t", blocks=[{"type": "x"}])
    )
    assert error == "invalid_blocks"


# ---------------------------------------------------------------- views


async def test_views_open(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    view = (
        await client.views_open(trigger_id=standin.issue_trigger(alice), view=modal(private_metadata="m1"))
    )["view"]
    [opened] = standin.open_views(alice)
    assert view["id"] == opened.id and view["id"].startswith("V") and view["hash"] == opened.hash
    assert (
        view["private_metadata"] == "m1"
        and view["callback_id"] == "start"
        and view["root_view_id"] == view["id"]
    )
    assert view["state"] == {"values": {"topic": {"topic": {"type": "plain_text_input", "value": None}}}}
    assert standin.view(view["id"]) is opened


@pytest.mark.parametrize(
    ("trigger", "error"),
    [("used", "exchanged_trigger_id"), ("expired", "expired_trigger_id"), ("bogus", "invalid_trigger_id")],
)
async def test_trigger_checks(
    client: AsyncWebClient, standin: SlackStandIn, clock: ManualClock, alice: str, trigger: str, error: str
) -> None:
    trigger_id = standin.issue_trigger(alice)
    if trigger == "used":
        await client.views_open(trigger_id=trigger_id, view=modal())
    elif trigger == "expired":
        clock.advance(3.01)
    else:
        trigger_id = "123.456.abc"
    assert (await slack_error(client.views_open(trigger_id=trigger_id, view=modal())))[0] == error


async def test_trigger_is_fine_just_before_expiry(
    client: AsyncWebClient, standin: SlackStandIn, clock: ManualClock, alice: str
) -> None:
    trigger_id = standin.issue_trigger(alice)
    clock.advance(2.9)
    await client.views_open(trigger_id=trigger_id, view=modal())
    standin.assert_no_rejections()


BAD_VIEWS: list[tuple[str, dict[str, Any], str, str]] = [
    ("title 25", modal("x" * 25), "invalid_arguments", "/view/title/text"),
    (
        "private_metadata 3001",
        modal(private_metadata="x" * 3001),
        "invalid_arguments",
        "/view/private_metadata",
    ),
    ("callback_id 256", modal(callback_id="c" * 256), "invalid_arguments", "/view/callback_id"),
    ("home in views.open", {"type": "home", "blocks": [section()]}, "invalid_arguments", "/view/type"),
    ("101 blocks", modal(blocks=[{"type": "divider"}] * 101), "invalid_arguments", "no more than 100"),
    ("bad block", modal(blocks=[{"type": "bogus"}]), "invalid_arguments", "/view/blocks/0/type"),
    (
        "no submit with inputs",
        {k: v for k, v in modal().items() if k != "submit"},
        "invalid_arguments",
        "submit",
    ),
    ("too large", modal(blocks=[section("x" * 2900)] * 90), "view_too_large", ""),
]


@pytest.mark.parametrize(("name", "view", "error", "expected"), BAD_VIEWS, ids=[v[0] for v in BAD_VIEWS])
async def test_invalid_views_are_refused(
    client: AsyncWebClient,
    standin: SlackStandIn,
    alice: str,
    name: str,
    view: dict[str, Any],
    error: str,
    expected: str,
) -> None:
    trigger_id = standin.issue_trigger(alice)
    got, messages = await slack_error(client.views_open(trigger_id=trigger_id, view=view))
    assert got == error
    assert any(expected in m for m in messages) or not expected, messages
    assert standin.open_views(alice) == []
    # a refused view does not burn the trigger
    await client.views_open(trigger_id=trigger_id, view=modal())


async def test_push_limit(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    await client.views_open(trigger_id=standin.issue_trigger(alice), view=modal("One"))
    await client.views_push(trigger_id=standin.issue_trigger(alice), view=modal("Two"))
    pushed = (await client.views_push(trigger_id=standin.issue_trigger(alice), view=modal("Three")))["view"]
    stack = standin.open_views(alice)
    assert [v.title["text"] for v in stack if v.title] == ["One", "Two", "Three"]
    assert pushed["root_view_id"] == stack[0].id and pushed["previous_view_id"] == stack[1].id
    error, _ = await slack_error(
        client.views_push(trigger_id=standin.issue_trigger(alice), view=modal("Four"))
    )
    assert error == "push_limit_reached"


async def test_push_needs_an_open_modal(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    assert (await slack_error(client.views_push(trigger_id=standin.issue_trigger(alice), view=modal())))[
        0
    ] == "not_found"


async def test_views_update_and_hash(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    opened = (
        await client.views_open(trigger_id=standin.issue_trigger(alice), view=modal(external_id="ext-1"))
    )["view"]
    standin.set_view_state(opened["id"], "topic", "topic", {"type": "plain_text_input", "value": "typed"})
    updated = (
        await client.views_update(
            view_id=opened["id"], hash=opened["hash"], view=modal("Loaded", external_id="ext-1")
        )
    )["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert updated["state"]["values"]["topic"]["topic"]["value"] == "typed"  # Slack keeps input state
    error, _ = await slack_error(client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal()))
    assert error == "hash_conflict"
    by_external = (await client.views_update(external_id="ext-1", view=modal("Again", external_id="ext-1")))[
        "view"
    ]
    assert by_external["id"] == opened["id"] and standin.open_views(alice)[0].title == pt("Again")
    assert (await slack_error(client.views_update(view_id="V404", view=modal())))[0] == "not_found"


async def test_views_publish(client: AsyncWebClient, standin: SlackStandIn, alice: str) -> None:
    home = {"type": "home", "blocks": [section("Welcome", accessory=button("start"))]}
    first = (await client.views_publish(user_id=alice, view=home))["view"]
    assert standin.home(alice) is not None and standin.home(alice).id == first["id"]  # type: ignore[union-attr]
    second = (await client.views_publish(user_id=alice, view=home, hash=first["hash"]))["view"]
    assert second["id"] == first["id"] and second["hash"] != first["hash"]
    assert (await slack_error(client.views_publish(user_id=alice, view=home, hash=first["hash"])))[
        0
    ] == "hash_conflict"
    assert (await slack_error(client.views_publish(user_id=alice, view=modal())))[0] == "invalid_arguments"
    assert (await slack_error(client.views_publish(user_id="U404", view=home)))[0] == "user_not_found"


# ---------------------------------------------------------------- response_url


async def test_response_url_ephemeral_and_in_channel(standin: SlackStandIn, alice: str) -> None:
    im = standin.im_with(alice)
    hook = AsyncWebhookClient(standin.issue_response_url(alice, im))
    assert (await hook.send(text="just you", blocks=[section()])).status_code == 200
    assert [e.text for e in standin.ephemerals(alice, im)] == ["just you"]
    assert (await hook.send(text="everyone", response_type="in_channel")).status_code == 200
    assert [m.text for m in standin.messages(im)] == ["everyone"]
    standin.assert_no_rejections()


async def test_response_url_replace_and_delete_original(
    client: AsyncWebClient, standin: SlackStandIn, alice: str
) -> None:
    posted = await client.chat_postMessage(
        channel=alice, text="Accept?", blocks=[section(accessory=button())]
    )
    hook = AsyncWebhookClient(standin.issue_response_url(alice, posted["channel"], message_ts=posted["ts"]))
    await hook.send(text="Accepted", replace_original=True)
    assert standin.message(posted["channel"], posted["ts"]).text == "Accepted"
    await hook.send(delete_original=True)
    assert standin.messages(posted["channel"]) == []


async def test_response_url_refusals(standin: SlackStandIn, alice: str) -> None:
    im = standin.im_with(alice)
    hook = AsyncWebhookClient(standin.issue_response_url(alice, im))
    bad = await hook.send(text="x", blocks=[{"type": "bogus"}])
    assert bad.status_code == 400 and "invalid_blocks" in bad.body
    assert standin.rejected[-1].method == "response_url"
    for _ in range(4):
        assert (await hook.send(text="ok")).status_code == 200
    assert (await hook.send(text="sixth")).status_code == 404  # 5 uses, like Slack
    unknown = AsyncWebhookClient(f"{standin.url}/response_url/nope")
    assert (await unknown.send(text="x")).status_code == 404
