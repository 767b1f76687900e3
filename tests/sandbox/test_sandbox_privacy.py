"""Each persona's page and developer drawer carry only what their own Slack client would: Ann's
private answer is in her own drawer, and nowhere in what the sandbox sends Bob, Maya or Ada; closed
modals (the prepare text the screen says is not saved) are not written to workspace.json."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.sandbox.attribution import current_request
from bot.sandbox.server import Sandbox
from bot.sandbox.webapi import SlackStandIn
from tests.sandbox.test_sandbox_server import Client

ANN_HOPES = "zq-ann-private-hopes-7b2f"
PREPARE_WORDS = "zq-ann-prepare-words-93ac, you never listen"


async def everything_sent_to(client: Client, who: str) -> str:
    """Every state the page can ask for as `who`, drawer open: App Home and each of their conversations."""
    first = await client.state(who, drawer=True)
    answers = [first] + [await client.state(who, c["id"], drawer=True) for c in first["conversations"]]
    return json.dumps(answers)


async def plant_ann_hopes(client: Client, sandbox: Sandbox) -> None:
    """Ann starts a mediation with Bob; her hopes are a private note (DESIGN §2.1), Bob is invited."""
    status, body = await client.post("command", "ann", text="/mediate @bob the release rota")
    assert status == 200 and body["ok"], body
    view_id = sandbox.standin.open_views(client.uid("ann"))[-1].id
    status, body = await client.post(
        "submit", "ann", view_id=view_id, values={"hopes": {"value": f"I hope {ANN_HOPES}."}}
    )
    assert status == 200 and body["ok"], body
    bob_dm = sandbox.standin.im_with(client.uid("bob"))
    await sandbox.standin.wait_until(
        lambda: any("cg_invite_accept" in str(m.blocks) for m in sandbox.standin.messages(bob_dm)), within=5
    )


def drawer(state: dict[str, Any]) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = state["devlog"]
    return log


async def test_a_private_answer_reaches_only_its_authors_page_and_drawer(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    client = Client(sandbox, session)
    await plant_ann_hopes(client, sandbox)
    # Maya and Ada do something of their own, so their drawers are not empty by chance.
    for who in ("maya", "ada"):
        status, _ = await client.post("home", who)
        assert status == 200
    await sandbox.standin.wait_until(
        lambda: all(sandbox.standin.home(client.uid(who)) is not None for who in ("maya", "ada")), within=5
    )

    # The check can fail: Ann's own drawer holds her submission, hopes included.
    ann_log = drawer(await client.state("ann", drawer=True))
    assert any(e["kind"] == "request" and ANN_HOPES in e["detail"] for e in ann_log)

    for who in ("bob", "maya", "ada"):
        assert ANN_HOPES not in await everything_sent_to(client, who), who
        log = drawer(await client.state(who, drawer=True))
        assert log, f"{who}'s drawer is empty"
        assert all(e["kind"] == "call" or client.uid(who) in e["detail"] for e in log)

    # Bob's drawer has the invitation: a call made in answer to Ann's request, into his DM...
    bob_dm = sandbox.standin.im_with(client.uid("bob"))
    bob_log = drawer(await client.state("bob", drawer=True))
    assert any("chat.postMessage" in e["title"] and bob_dm in e["detail"] for e in bob_log)
    # ...but none of Ann's requests, and nothing of Maya's or Ada's App Home.
    assert not [e for e in bob_log if e["kind"] == "request"]
    assert not any(client.uid(p) in e["detail"] for e in bob_log for p in ("maya", "ada"))
    # Ann's drawer does not have the invitation Bob's client shows, nor Maya's or Ada's requests.
    assert not any(bob_dm in e["detail"] for e in ann_log)
    assert not any(client.uid(p) in e["detail"] for e in ann_log for p in ("maya", "ada"))


async def test_background_calls_show_only_to_the_person_they_target(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    client = Client(sandbox, session)
    bob_dm = sandbox.standin.im_with(client.uid("bob"))
    # Work outside any request (a reminder, say): a message into Bob's DM, and a look-up for nobody.
    assert sandbox.standin.call("chat.postMessage", {"channel": bob_dm, "text": "zq-reminder"})["ok"]
    assert sandbox.standin.call("users.info", {"user": client.uid("ann")})["ok"]
    assert "zq-reminder" in json.dumps(drawer(await client.state("bob", drawer=True)))
    for who in ("ann", "maya", "ada"):
        log = drawer(await client.state(who, drawer=True))
        assert "zq-reminder" not in json.dumps(log) and not any("users.info" in e["title"] for e in log)
    assert not any("users.info" in e["title"] for e in drawer(await client.state("bob", drawer=True)))


async def test_the_drawer_log_is_sent_only_when_asked_for(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    client = Client(sandbox, session)
    await plant_ann_hopes(client, sandbox)
    closed = await client.state("ann", sandbox.standin.im_with(client.uid("ann")))
    assert "devlog" not in closed and ANN_HOPES not in json.dumps(closed)


async def test_a_persona_cannot_read_a_conversation_they_are_not_in(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    client = Client(sandbox, session)
    bob_dm = sandbox.standin.im_with(client.uid("bob"))
    for params in (
        {"as": client.uid("ann"), "conv": bob_dm},
        {"as": client.uid("ann"), "conv": "C-none"},
        {"as": sandbox.standin.bot_user_id},
        {"as": "U-nobody"},
    ):
        async with session.get(f"{client.base}/sandbox/state", params=params) as r:
            assert r.status == 400, params


async def test_a_closed_prepare_modal_is_not_written_to_the_workspace_file(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    client = Client(sandbox, session)
    ann = client.uid("ann")
    status, body = await client.post("command", "ann", text="/mediate prepare")
    assert status == 200 and body["ok"], body
    view_id = sandbox.standin.open_views(ann)[-1].id
    status, body = await client.post(
        "submit", "ann", view_id=view_id, values={"prepare_statement": {"value": PREPARE_WORDS}}
    )
    assert status == 200 and body["ok"], body
    file = sandbox.data_dir / "workspace.json"
    # The check can fail: while the modal is on screen, the words are in it, and in the file.
    assert sandbox.saver.flush()
    assert PREPARE_WORDS.split(",")[0] in file.read_text()

    on_screen = sandbox.standin.open_views(ann)[-1].id
    status, body = await client.post("close", "ann", view_id=on_screen)
    assert status == 200 and body["ok"], body
    assert not sandbox.standin.open_views(ann)
    assert PREPARE_WORDS.split(",")[0] not in json.dumps([v.to_api() for v in sandbox.standin.views.values()])
    assert sandbox.saver.flush()
    assert PREPARE_WORDS.split(",")[0] not in file.read_text()


def test_each_call_is_recorded_for_the_people_whose_client_shows_its_result() -> None:
    standin = SlackStandIn()
    standin.base_url = "http://127.0.0.1:9"
    ann, bob, cat = (standin.add_user(n) for n in ("ann", "bob", "cat"))
    group = standin.mpim_with([ann, bob])
    section = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": section}
    token = current_request.set("r7")  # as while the app handles request r7
    try:
        calls = [
            ("chat.postMessage", {"channel": group, "text": "hi"}),
            ("chat.postMessage", {"channel": bob, "text": "to Bob's DM by user id"}),
            ("chat.postEphemeral", {"channel": group, "user": ann, "text": "psst"}),
            ("views.open", {"trigger_id": standin.issue_trigger(cat), "view": modal}),
            ("views.publish", {"user_id": bob, "view": {"type": "home", "blocks": section}}),
            ("conversations.open", {"users": f"{ann},{cat}"}),
            ("users.info", {"user": ann}),
            ("chat.postMessage", {"channel": "C-nope", "text": "x"}),
        ]
        for method, args in calls:
            standin.call(method, args)
    finally:
        current_request.reset(token)
    standin.call("chat.postMessage", {"channel": ann, "text": "later"})  # background work
    recorded = [(c.method, sorted(c.audience), c.request_id) for c in standin.calls]
    assert recorded == [
        ("chat.postMessage", sorted([ann, bob]), "r7"),
        ("chat.postMessage", [bob], "r7"),
        ("chat.postEphemeral", [ann], "r7"),
        ("views.open", [cat], "r7"),
        ("views.publish", [bob], "r7"),
        ("conversations.open", sorted([ann, cat]), "r7"),
        ("users.info", [], "r7"),
        ("chat.postMessage", [], "r7"),
        ("chat.postMessage", [ann], None),
    ]
    assert len({c.id for c in standin.calls}) == len(standin.calls)
