"""Saving and restoring the Slack stand-in's state (bot.sandbox.persistence)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import persistence
from bot.sandbox.models import JSON, ManualClock
from bot.sandbox.persistence import (
    FORMAT_VERSION,
    AutoSaver,
    PersistenceError,
    dump_workspace,
    encode,
    load,
    load_workspace,
    save,
)
from bot.sandbox.webapi import SlackStandIn
from bot.sandbox.workspace import Workspace


def pt(text: str) -> JSON:
    return {"type": "plain_text", "text": text}


def section(text: str) -> JSON:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(title: str, block_id: str = "topic") -> JSON:
    return {
        "type": "modal",
        "callback_id": f"cb-{block_id}",
        "external_id": f"ext-{block_id}",
        "private_metadata": f"meta-{block_id}",
        "title": pt(title),
        "submit": pt("Next"),
        "close": pt("Cancel"),
        "notify_on_close": True,
        "blocks": [
            {
                "type": "input",
                "block_id": block_id,
                "label": pt("Topic"),
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }


def ok(standin: SlackStandIn, method: str, **args: Any) -> JSON:
    answer = standin.call(method, args)
    assert answer["ok"], answer
    return answer


def populated() -> SlackStandIn:
    """A stand-in with a bit of everything that must survive a restart."""
    ws = SlackStandIn(clock=ManualClock())
    ann = ws.add_user("ann", real_name="Ann Okafor", is_admin=True, tz="Europe/Paris")
    bob = ws.add_user("bob")
    ws.add_user("gone", deleted=True)
    ws.add_user("helper", is_bot=True)
    im = ws.im_with(ann)
    mpim = ws.mpim_with([ann, bob])
    private = ok(ws, "conversations.create", name="mediation-1", is_private=True)["channel"]["id"]
    ok(ws, "conversations.invite", channel=private, users=f"{ann},{bob}")
    ws.add_channel("general", members=[ann, bob])

    root = ok(ws, "chat.postMessage", channel=im, text="Hello", blocks=[section("*Hello* Ann")])["ts"]
    ok(ws, "chat.postMessage", channel=im, text="In thread", thread_ts=root)
    ws.post_user_message(ann, im, "a reply", thread_ts=root)
    edited = ok(ws, "chat.postMessage", channel=mpim, text="draft")["ts"]
    ok(ws, "chat.update", channel=mpim, ts=edited, text="final", blocks=[section("final")])
    gone = ok(ws, "chat.postMessage", channel=private, text="oops")["ts"]
    ok(ws, "chat.delete", channel=private, ts=gone)
    ok(ws, "chat.postMessage", channel=private, text="welcome")
    ok(ws, "chat.postEphemeral", channel=private, user=bob, text="only for Bob", blocks=[section("psst")])

    first = ok(ws, "views.open", trigger_id=ws.issue_trigger(ann), view=modal("Start"))["view"]
    ok(ws, "views.push", trigger_id=ws.issue_trigger(ann), view=modal("More", "detail"))
    top = ws.open_views(ann)[-1]
    ws.set_view_state(top.id, "detail", "value", {"type": "plain_text_input", "value": "typed"})
    top.errors = {"detail": "Please say a little more"}
    ok(ws, "views.update", view_id=first["id"], view=modal("Start again"))
    ok(ws, "views.publish", user_id=ann, view={"type": "home", "blocks": [section("Welcome home")]})
    # a closed modal of Bob's: forgotten, as Slack forgets it
    closed = ok(ws, "views.open", trigger_id=ws.issue_trigger(bob), view=modal("Bye", "bye"))["view"]
    ws.close_view(bob, closed["id"])
    ws.set_error("chat.postMessage", "ratelimited")
    return ws


def public_state(ws: Workspace) -> JSON:
    """Everything the public accessors show."""
    user_ids = list(ws.users)
    return {
        "users": [ws.user(u) for u in user_ids],
        "users_api": [ws.user(u).to_api() for u in user_ids],
        "user_names": {ws.user(u).name: ws.user_id(ws.user(u).name) for u in user_ids},
        "conversations": [ws.conversation(c) for c in ws.conversations],
        "conversations_api": [ws.conversation(c).to_api(ws.bot_user_id) for c in ws.conversations],
        "of": {u: [c.id for c in ws.conversations_of(u)] for u in user_ids},
        "messages": {c: ws.messages(c, include_deleted=True) for c in ws.conversations},
        "visible": {c: [m.to_api() for m in ws.messages(c)] for c in ws.conversations},
        "ephemerals": {u: ws.ephemerals(u) for u in user_ids},
        "open_views": {u: ws.open_views(u) for u in user_ids},
        "homes": {u: ws.home(u) for u in user_ids},
        "views": {v: ws.view(v).to_api() for v in ws.views},
        "views_raw": {v: ws.view(v) for v in ws.views},
    }


def restore(data: JSON) -> SlackStandIn:
    fresh = SlackStandIn(clock=ManualClock())
    load_workspace(fresh, json.loads(json.dumps(data)))
    return fresh


# ---------------------------------------------------------------- round trip


def test_round_trip_keeps_everything_the_accessors_show() -> None:
    ws = populated()
    data = dump_workspace(ws)
    assert data["version"] == FORMAT_VERSION
    restored = restore(data)
    assert public_state(restored) == public_state(ws)
    # a second trip changes nothing but the change count
    again = dump_workspace(restored)
    assert {**again, "counters": None} == {**data, "counters": None}
    assert again["counters"]["next_serial"] == data["counters"]["next_serial"]


def test_the_sample_covers_what_the_brief_lists() -> None:
    ws = populated()
    kinds = sorted(c.kind for c in ws.conversations.values())
    assert kinds == ["im", "mpim", "private_channel", "public_channel"]
    users = list(ws.users.values())
    assert any(u.deleted for u in users) and sum(u.is_bot for u in users) == 2
    messages = [m for c in ws.conversations for m in ws.messages(c, include_deleted=True)]
    assert any(m.blocks for m in messages) and any(m.thread_ts for m in messages)
    assert any(m.deleted for m in messages) and any(m.edited_ts for m in messages)
    ann = ws.user_id("ann")
    stack = ws.open_views(ann)
    assert len(stack) == 2 and stack[1].state and stack[1].errors and ws.home(ann) is not None
    assert ws.ephemerals(ws.user_id("bob"))


def test_closed_modals_and_what_was_typed_in_them_are_neither_kept_nor_written(tmp_path: Path) -> None:
    ws = SlackStandIn(clock=ManualClock())
    ann = ws.add_user("ann")
    typed = "zq-closed-modal-words-5d1e"
    opened = ok(ws, "views.open", trigger_id=ws.issue_trigger(ann), view=modal("Practise"))["view"]
    ws.set_view_state(opened["id"], "topic", "value", {"type": "plain_text_input", "value": typed})
    pushed = ok(ws, "views.push", trigger_id=ws.issue_trigger(ann), view=modal("More", "detail"))["view"]
    ws.close_view(ann, pushed["id"])  # back to the first view: it is still on screen, and saved
    assert typed in encode(ws).decode()
    ws.close_view(ann, opened["id"])
    # a modal replaced by a new views.open is closed as well
    ok(ws, "views.open", trigger_id=ws.issue_trigger(ann), view=modal("Other"))
    replacing = ok(ws, "views.open", trigger_id=ws.issue_trigger(ann), view=modal("Third"))["view"]
    assert list(ws.views) == [replacing["id"]]
    assert not {opened["id"], pushed["id"]} & set(ws.views)
    save(ws, tmp_path / "workspace.json")
    written = (tmp_path / "workspace.json").read_text()
    assert typed not in written and "Practise" not in written and "Other" not in written
    assert [v["id"] for v in json.loads(written)["views"]] == [replacing["id"]]


def test_a_file_written_before_keeps_no_closed_modal_once_loaded() -> None:
    ws = populated()
    data = dump_workspace(ws)
    old = json.loads(json.dumps(data["views"][0]))
    old.update(
        id="V0SB09999", user_id=ws.user_id("bob"), closed=True, title={"type": "plain_text", "text": "x"}
    )
    data["views"].append(old)  # what older versions wrote
    restored = restore(data)
    assert "V0SB09999" not in restored.views
    assert public_state(restored) == public_state(ws)


def test_restored_objects_are_independent_copies() -> None:
    ws = populated()
    data = dump_workspace(ws)
    restored = SlackStandIn(clock=ManualClock())
    load_workspace(restored, data)
    channel = next(iter(restored.conversations))
    restored.messages(channel)[0].blocks.append(section("changed"))
    restored.conversation(channel).members.append("U0X")
    assert public_state(ws) == public_state(restore(data))


def test_not_kept_triggers_response_urls_calls_and_faults() -> None:
    ws = populated()
    ws.base_url = "http://127.0.0.1:9"
    ann = ws.user_id("ann")
    trigger = ws.issue_trigger(ann)
    ws.issue_response_url(ann, ws.im_with(ann))
    text = json.dumps(dump_workspace(ws))
    assert trigger not in text and "response_url" not in text and "ratelimited" not in text
    restored = restore(dump_workspace(ws))
    assert restored.calls == [] and restored.take_fault("chat.postMessage") is None
    assert restored.call("views.open", {"trigger_id": trigger, "view": modal("x")})["error"] == (
        "invalid_trigger_id"
    )


def test_new_ids_and_ts_after_a_restore_are_unique_and_later() -> None:
    ws = populated()
    data = dump_workspace(ws)
    restored = restore(data)  # its ManualClock starts where the original's did
    old_ids = {i for i in [*restored.users, *restored.conversations, *restored.views] if "0SB" in i}
    assert len(old_ids) > 10
    old_ts = [m.ts for c in restored.conversations for m in restored.messages(c, include_deleted=True)]
    old_ts += [e.ts for e in restored._ephemerals]

    def serial(any_id: str) -> int:
        return int(any_id[4:])

    new_user = restored.add_user("zoe", is_bot=True)
    new_channel = restored.add_channel("fresh")
    new_view = restored.publish_home(new_user, {"type": "home", "blocks": [section("hi")]}).id
    new_ids = [new_user, new_channel, new_view, restored.user(new_user).bot_id or ""]
    assert not old_ids & set(new_ids)
    assert min(map(serial, new_ids)) > max(map(serial, old_ids))
    message = restored.post_user_message(
        restored.user_id("ann"), restored.im_with(restored.user_id("ann")), "hi"
    )
    assert all(float(message.ts) > float(ts) for ts in old_ts) and message.ts not in old_ts
    assert restored.version > ws.version


def test_counters_edited_down_by_hand_still_give_fresh_ids() -> None:
    data = dump_workspace(populated())
    data["counters"] = {"next_serial": 1, "last_ts_us": 0, "changes": 0}
    restored = restore(data)
    assert restored.add_user("zoe") not in data["users"]
    latest = max(m["ts"] for m in data["messages"])
    assert float(restored.next_ts()) > float(latest)


def test_load_replaces_state_and_counts_as_a_change() -> None:
    ws = populated()
    target = SlackStandIn(clock=ManualClock())
    target.add_user("someone-else")
    before = target.version
    load_workspace(target, dump_workspace(ws))
    assert public_state(target) == public_state(ws)
    assert target.version > before


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(version=FORMAT_VERSION + 1), "format version"),
        (lambda d: d.update(format="other"), "not a saved sandbox workspace"),
        (lambda d: d["identity"].update(team_id="T0OTHER"), "team_id"),
        (lambda d: d["identity"].update(bot_user_id="U0OTHER"), "bot_user_id"),
        (lambda d: d.pop("users"), "'users'"),
        (lambda d: d["users"][1].update(deleted="no"), "users[1] has an invalid 'deleted': 'no'"),
        (lambda d: d["users"][1].pop("id"), "users[1] has no 'id'"),
        (lambda d: d["conversations"][0].update(kind="forum"), "conversations[0] has an invalid 'kind'"),
        (lambda d: d["conversations"][0].update(members=[1, 2]), "'members'"),
        (lambda d: d["messages"][0].update(blocks="nope"), "messages[0]"),
        (lambda d: d["views"].pop(0), "unknown view"),
        (lambda d: d["users"].append(d["users"][0]), "appears twice"),
        (lambda d: d["counters"].update(next_serial=-1), "next_serial"),
        (lambda d: d["homes"].update({"U0X": 7}), "App Home"),
    ],
)
def test_incompatible_data_is_refused_and_leaves_the_workspace_alone(change: Any, reason: str) -> None:
    data = dump_workspace(populated())
    change(data)
    target = SlackStandIn(clock=ManualClock())
    target.add_user("kept")
    before = dump_workspace(target)
    with pytest.raises(PersistenceError, match=re.escape(reason)):
        load_workspace(target, data)
    assert dump_workspace(target) == before


def test_another_team_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "workspace.json"
    save(populated(), path)
    with pytest.raises(PersistenceError, match="T0OTHER"):
        load(SlackStandIn(team_id="T0OTHER"), path)


# ---------------------------------------------------------------- files


def test_save_and_load_a_file(tmp_path: Path) -> None:
    ws = populated()
    path = tmp_path / "nested" / "workspace.json"
    save(ws, path)
    assert json.loads(path.read_text())["version"] == FORMAT_VERSION
    restored = SlackStandIn(clock=ManualClock())
    assert load(restored, path) is True
    assert public_state(restored) == public_state(ws)
    assert [p.name for p in path.parent.iterdir()] == ["workspace.json"]


def test_absent_file_is_false(tmp_path: Path) -> None:
    ws = SlackStandIn()
    before = dump_workspace(ws)
    assert load(ws, tmp_path / "missing.json") is False
    assert dump_workspace(ws) == before


@pytest.mark.parametrize("content", [b"", b"{not json", b"\xff\xfe", b"[]", b'{"format": 1}'])
def test_corrupt_file_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "workspace.json"
    path.write_bytes(content)
    with pytest.raises(PersistenceError) as caught:
        load(SlackStandIn(), path)
    message = str(caught.value)
    assert str(path) in message and "--reset" in message
    assert caught.value.path == path


def test_a_file_of_another_version_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "workspace.json"
    data = dump_workspace(populated())
    data["version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(PersistenceError, match=r"format version 99.*--reset") as caught:
        load(SlackStandIn(), path)
    assert str(path) in str(caught.value)


def test_a_crash_mid_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = populated()
    path = tmp_path / "workspace.json"
    save(ws, path)
    old = path.read_bytes()
    ws.add_user("newcomer")

    def crash(fd: int, payload: bytes) -> None:
        os.write(fd, payload[: len(payload) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persistence, "_write_all", crash)
    with pytest.raises(OSError, match="No space left"):
        save(ws, path)
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["workspace.json"]  # the temp file is gone
    monkeypatch.undo()
    save(ws, path)
    restored = SlackStandIn(clock=ManualClock())
    assert load(restored, path) and restored.user_id("newcomer")


# ---------------------------------------------------------------- AutoSaver


async def wait_for(predicate: Any, within: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


def saved_names(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {u["name"] for u in json.loads(path.read_text())["users"]}


async def test_autosaver_saves_after_a_change_and_on_stop(tmp_path: Path) -> None:
    ws = SlackStandIn()
    path = tmp_path / "workspace.json"
    saver = AutoSaver(ws, path, delay=0.01)
    saver.start()
    saver.start()  # idempotent
    await wait_for(path.exists)
    ws.add_user("ann")
    await wait_for(lambda: "ann" in saved_names(path))
    assert not saver.dirty
    ws.add_user("bob")
    await saver.stop()  # at once: the final save catches it
    assert "bob" in saved_names(path) and not saver.dirty
    restored = SlackStandIn()
    assert load(restored, path) and restored.user_id("bob")


async def test_autosaver_is_debounced(tmp_path: Path) -> None:
    ws = SlackStandIn()
    path = tmp_path / "workspace.json"
    saver = AutoSaver(ws, path, delay=0.05)
    saver.start()
    await wait_for(lambda: saver.saves == 1)
    for i in range(5):
        ws.add_user(f"user{i}")
        await asyncio.sleep(0.005)
    await wait_for(lambda: not saver.dirty)
    assert saver.saves == 2
    await saver.stop()
    assert saver.saves == 2  # nothing changed since


async def test_autosaver_without_start_saves_on_stop(tmp_path: Path) -> None:
    ws = SlackStandIn()
    ws.add_user("ann")
    saver = AutoSaver(ws, tmp_path / "workspace.json")
    await saver.stop()
    assert "ann" in saved_names(tmp_path / "workspace.json")


async def test_autosaver_logs_failures_and_keeps_going(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ws = SlackStandIn()
    path = tmp_path / "workspace.json"
    path.mkdir()  # os.replace onto a folder fails
    saver = AutoSaver(ws, path, delay=0.01)
    with caplog.at_level(logging.ERROR, logger="bot.sandbox.persistence"):
        saver.start()
        await wait_for(lambda: any("could not save" in r.message for r in caplog.records))
        await asyncio.sleep(0.05)
        assert len([r for r in caplog.records if "could not save" in r.message]) == 1  # not once a poll
        assert saver._task is not None and not saver._task.done()
        path.rmdir()
        ws.add_user("ann")
        await wait_for(lambda: "ann" in saved_names(path))
    await saver.stop()


async def test_autosaver_run_saves_when_cancelled(tmp_path: Path) -> None:
    ws = SlackStandIn()
    path = tmp_path / "workspace.json"
    saver = AutoSaver(ws, path, delay=10)
    task = asyncio.create_task(saver.run())
    await asyncio.sleep(0)
    ws.add_user("ann")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "ann" in saved_names(path)


# ---------------------------------------------------------------- through HTTP


async def test_a_message_posted_over_http_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "workspace.json"
    first = SlackStandIn()
    await first.start()
    try:
        ann = first.add_user("ann", real_name="Ann Okafor")
        client = AsyncWebClient(base_url=first.api_url, token=first.bot_token)
        channel = (await client.conversations_open(users=ann))["channel"]["id"]
        posted = await client.chat_postMessage(channel=channel, text="Welcome", blocks=[section("*Welcome*")])
        info_before = (await client.conversations_info(channel=channel))["channel"]
        first.assert_no_rejections()
        save(first, path)
    finally:
        await first.stop()

    second = SlackStandIn()
    assert load(second, path)
    await second.start()
    try:
        client = AsyncWebClient(base_url=second.api_url, token=second.bot_token)
        info = (await client.conversations_info(channel=channel))["channel"]
        assert info == info_before and info["is_im"] and info["user"] == ann
        assert (await client.users_info(user=ann))["user"]["real_name"] == "Ann Okafor"
        message = second.message(channel, posted["ts"])
        assert message.text == "Welcome" and message.to_api() == posted["message"]
        reply = await client.chat_postMessage(channel=channel, text="Again", thread_ts=posted["ts"])
        assert float(reply["ts"]) > float(posted["ts"])
        await client.chat_update(channel=channel, ts=posted["ts"], text="Welcome back")
        assert second.message(channel, posted["ts"]).text == "Welcome back"
        second.assert_no_rejections()
    finally:
        await second.stop()
