"""Admins shape the flows: every admin view and setting through signed requests against the stand-in,
the authority checks (forged payloads included), validation with field errors, audit, definition
versions of running mediations, YAML export and import in App Home and on the command line, and the
anonymous outcomes report."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import yaml
from slack_sdk.signature import SignatureVerifier

from bot import texts as t
from bot.admin import AdminForm, bounds, export_config
from bot.sandbox import payloads
from bot.sandbox.elements import typed_state
from bot.sandbox.models import View
from bot.views.admin import action_id, yaml_chunks
from flows import commands as c
from flows.config import WorkspaceConfig
from flows.definition import FlowDefinition, load_builtin
from flows.models import Outcome
from tests.e2e import play
from tests.support.forge import as_user
from tests.support.harness import SIGNING_SECRET, Harness

ROOT = Path(__file__).resolve().parents[2]
ALL_FORMS = [(form, "") for form in AdminForm if not form.per_flow] + [
    (form, flow) for form in AdminForm if form.per_flow for flow in ("peer", "facilitated")
]
EDIT_FORMS = [(form, flow) for form, flow in ALL_FORMS if form.edits]


# --- helpers ------------------------------------------------------------------------------------------


def add_admin(h: Harness, name: str = "ada", *, is_owner: bool = False) -> str:
    return h.standin.add_user(
        name, real_name=f"{name.title()} Admin", is_admin=not is_owner, is_owner=is_owner
    )


async def home(h: Harness, user: str) -> View:
    await h.slack.app_home_opened(user)
    await h.settle()
    view = h.standin.home(user)
    assert view is not None
    return view


def home_actions(view: View) -> list[str]:
    return [
        element["action_id"]
        for block in view.blocks
        if block.get("type") == "actions"
        for element in block["elements"]
    ]


async def open_form(h: Harness, user: str, form: AdminForm, flow: str = "") -> View:
    await home(h, user)
    await h.click_home(user, action_id(form, flow))
    return h.top_view(user)


async def config(h: Harness) -> WorkspaceConfig:
    return await h.configs.get(h.team)


async def post_payload(h: Harness, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """A validly signed interactivity request, as anyone holding the signing secret could send; the
    status and the JSON the app answered with."""
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = str(int(time.time()))
    signature = str(SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{h.app_url}/slack/events", data=body, headers=headers) as response,
    ):
        text = await response.text()
        status = response.status
    await h.settle()
    return status, (json.loads(text) if text.strip().startswith("{") else {})


async def raw_submit(h: Harness, user: str, values: dict[str, object]) -> dict[str, Any]:
    """Submit the modal on screen with values Slack's client would refuse to send (a too long text,
    a number out of range): the request a modified client or a replay sends. The app's answer."""
    view = h.top_view(user)
    refs = {b["block_id"]: b["element"] for b in view.blocks if b.get("type") == "input"}
    for block_id, raw in values.items():
        h.standin.set_view_state(view.id, block_id, "value", typed_state(refs[block_id], raw))
    payload = payloads.view_submission(
        h.standin,
        h.standin.user(user),
        h.standin.views[view.id],
        api_app_id=h.slack.api_app_id,
        trigger_id=h.standin.issue_trigger(user),
    )
    status, answer = await post_payload(h, payload)
    assert status == 200
    return answer


def view_text(view: View | dict[str, Any]) -> str:
    blocks = view.blocks if isinstance(view, View) else view["blocks"]
    return json.dumps(blocks, ensure_ascii=False)


def refused_attempts(entries: list[Any], actor: str) -> list[Any]:
    return [e for e in entries if e.actor == actor and not e.ok]


# --- who sees and may use the admin section ------------------------------------------------------------


async def test_only_admins_see_the_admin_section(h: Harness) -> None:
    ada = add_admin(h)
    olga = add_admin(h, "olga", is_owner=True)
    for admin in (ada, olga):
        view = await home(h, admin)
        assert t.ADMIN_HEADER in view_text(view)
        assert action_id(AdminForm.PROMPTS, "peer") in home_actions(view)
        assert action_id(AdminForm.OUTCOMES) in home_actions(view)
    for person in (h.ann, h.cat):
        view = await home(h, person)
        assert t.ADMIN_HEADER not in view_text(view)
        assert not [a for a in home_actions(view) if a.startswith("cg_admin_")]


async def test_a_person_listed_in_the_configuration_is_an_admin(h: Harness) -> None:
    ada = add_admin(h)
    view = await open_form(h, ada, AdminForm.PEOPLE)
    result = await h.submit(ada, {"admins": {"value": [h.cat]}})
    assert result.response_action == "update", result.errors
    assert (await config(h)).admins == [h.cat]
    assert t.ADMIN_HEADER in view_text(await home(h, h.cat))
    await open_form(h, h.cat, AdminForm.RETENTION)
    result = await h.submit(h.cat, {"retention_days": {"value": "30"}})
    assert result.response_action == "update", result.errors
    assert (await config(h)).retention_days == 30
    assert view.callback_id == "cg_admin"


async def test_a_non_admin_opening_any_admin_view_is_refused_and_audited(h: Harness) -> None:
    ada = add_admin(h)
    await home(h, ada)
    await home(h, h.cat)
    for form, flow in ALL_FORMS:
        legit = await h.click_home(ada, action_id(form, flow))
        # Cat has no admin buttons; she replays Ada's click as herself, validly signed.
        forged = as_user(legit.payload, h.cat, h.standin.issue_trigger(h.cat))
        status, _ = await post_payload(h, forged)
        assert status == 200
        top = h.top_view(h.cat)
        assert top.callback_id == "cg_info" and t.ADMIN_REFUSED in view_text(top), (form, flow)
        assert top.submit is None
    entries = await h.configs.audit(h.team)
    assert len(refused_attempts(entries, h.cat)) == len(ALL_FORMS)
    assert {e.action for e in refused_attempts(entries, h.cat)} == {
        f"open:{form.value}" + (f":{flow}" if flow else "") for form, flow in ALL_FORMS
    }


async def test_a_forged_submission_of_every_admin_form_is_refused_and_audited(h: Harness) -> None:
    ada = add_admin(h)
    before = await config(h)
    for form, flow in EDIT_FORMS:
        await open_form(h, ada, form, flow)
        view = h.top_view(ada)
        payload = payloads.view_submission(
            h.standin,
            h.standin.user(ada),
            h.standin.views[view.id],
            api_app_id=h.slack.api_app_id,
            trigger_id=h.standin.issue_trigger(ada),
        )
        forged = as_user(payload, h.cat, h.standin.issue_trigger(h.cat))
        if form is AdminForm.RETENTION:
            forged["view"]["state"]["values"]["retention_days"]["value"]["value"] = "7"
        if form is AdminForm.IMPORT:
            forged["view"]["state"]["values"]["yaml"]["value"]["value"] = f"admins: [{h.cat}]"
        status, answer = await post_payload(h, forged)
        assert status == 200
        assert answer["response_action"] == "update", (form, answer)
        assert t.ADMIN_REFUSED in json.dumps(answer["view"])
    after = await config(h)
    assert after == before
    entries = refused_attempts(await h.configs.audit(h.team), h.cat)
    assert len(entries) == len(EDIT_FORMS)


async def test_an_admin_demoted_while_editing_is_refused(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.RETENTION)
    h.standin.users[ada].is_admin = False
    result = await h.submit(ada, {"retention_days": {"value": "30"}})
    assert result.response_action == "update"
    assert t.ADMIN_REFUSED in view_text(h.top_view(ada))
    assert (await config(h)).retention_days == 180
    assert refused_attempts(await h.configs.audit(h.team), ada)[0].action == "retention"


async def test_a_made_up_form_is_refused_even_for_an_admin(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.RETENTION)
    view = h.top_view(ada)
    payload = payloads.view_submission(
        h.standin,
        h.standin.user(ada),
        h.standin.views[view.id],
        api_app_id=h.slack.api_app_id,
        trigger_id=h.standin.issue_trigger(ada),
    )
    payload["view"]["private_metadata"] = json.dumps({"k": "export", "f": "", "h": ""})
    status, answer = await post_payload(h, payload)
    assert status == 200 and answer["response_action"] == "update"
    assert (await config(h)).version == 0


# --- every setting ----------------------------------------------------------------------------------


async def test_flows_on_and_off(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.FLOWS)
    result = await h.submit(ada, {"enabled_flows": {"value": ["peer", "prepare"]}})
    assert result.response_action == "update", result.errors
    assert (await config(h)).enabled_flows == ["peer", "prepare"]
    # A value no checkbox offers (a forged request) is refused under the field.
    await open_form(h, ada, AdminForm.FLOWS)
    view = h.top_view(ada)
    h.standin.set_view_state(
        view.id, "enabled_flows", "value", {"type": "checkboxes", "selected_options": [{"value": "chat"}]}
    )
    payload = payloads.view_submission(
        h.standin,
        h.standin.user(ada),
        h.standin.views[view.id],
        api_app_id=h.slack.api_app_id,
        trigger_id=h.standin.issue_trigger(ada),
    )
    _, answer = await post_payload(h, payload)
    assert answer["response_action"] == "errors" and "enabled_flows" in answer["errors"]
    assert (await config(h)).enabled_flows == ["peer", "prepare"]


async def test_admins_and_facilitators(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.PEOPLE)
    result = await h.submit(ada, {"facilitator_policy": {"value": "usergroup"}})
    assert result.response_action == "errors"
    assert set(result.errors) == {"facilitator_group"}
    result = await h.submit(ada, {"facilitator_group": {"value": "not a group"}})
    assert result.errors == {"facilitator_group": t.ADMIN_FIELD_USER_GROUP}
    result = await h.submit(ada, {"facilitator_group": {"value": "S0123ABCD"}})
    assert result.response_action == "update", result.errors
    saved = await config(h)
    assert saved.facilitator_policy.value == "usergroup" and saved.facilitator_group == "S0123ABCD"

    await open_form(h, ada, AdminForm.PEOPLE)
    result = await h.submit(ada, {"facilitator_policy": {"value": "listed"}})
    assert result.errors == {"facilitators": t.ADMIN_PEOPLE_NEED_LISTED}
    result = await h.submit(ada, {"facilitators": {"value": [h.cat, h.ann]}})
    assert result.response_action == "update", result.errors
    saved = await config(h)
    assert saved.facilitator_policy.value == "listed"
    assert saved.facilitators == sorted([h.cat, h.ann])


async def test_safety_text_and_escalation_contacts(h: Harness) -> None:
    ada = add_admin(h)
    hr = h.standin.add_user("hana", real_name="Hana HR")
    await open_form(h, ada, AdminForm.SAFETY)
    result = await h.submit(ada, {"contact1_user": {"value": hr}})
    assert result.errors == {"contact1_label": t.ADMIN_CONTACT_NEEDS_LABEL}
    result = await h.submit(
        ada,
        {
            "safety_text": {"value": "If this is about harassment, please talk with HR first."},
            "contact1_label": {"value": "HR"},
            "contact2_label": {"value": "Employee Assistance Programme"},
            "contact2_details": {"value": "0800 123 456, any time, free and confidential"},
        },
    )
    assert result.response_action == "update", result.errors
    saved = await config(h)
    assert saved.safety_text.startswith("If this is about harassment")
    assert [(c.label, c.user_id) for c in saved.escalation_contacts] == [
        ("HR", hr),
        ("Employee Assistance Programme", None),
    ]
    # The form shows them again, in their slots.
    view = await open_form(h, ada, AdminForm.SAFETY)
    assert "Employee Assistance Programme" in view_text(view) and hr in view_text(view)


async def test_retention_days(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.RETENTION)
    low, high = bounds("retention_days")
    answer = await raw_submit(h, ada, {"retention_days": "3"})
    assert answer == {
        "response_action": "errors",
        "errors": {"retention_days": t.ADMIN_FIELD_RANGE.format(low=low, high=high)},
    }
    result = await h.submit(ada, {"retention_days": {"value": "90"}})
    assert result.response_action == "update", result.errors
    assert (await config(h)).retention_days == 90


async def test_working_hours(h: Harness) -> None:
    ada = add_admin(h)
    view = await open_form(h, ada, AdminForm.HOURS)
    inputs = [b["block_id"] for b in view.blocks if b.get("type") == "input"]
    assert inputs == ["quiet_start", "quiet_end", "working_days", "default_timezone"]
    answer = await raw_submit(h, ada, {"default_timezone": "Atlantis/Lost"})
    assert answer["response_action"] == "errors" and "default_timezone" in answer["errors"]
    result = await h.submit(
        ada,
        {
            "quiet_start": {"value": "21:30"},
            "quiet_end": {"value": "07:00"},
            "working_days": {"value": ["0", "1", "2", "3"]},
            "default_timezone": {"value": "Europe/Berlin"},
        },
    )
    assert result.response_action == "update", result.errors
    saved = await config(h)
    hours = saved.working_hours
    assert (hours.quiet_start.isoformat(), hours.quiet_end.isoformat(), hours.working_days) == (
        "21:30:00",
        "07:00:00",
        [0, 1, 2, 3],
    )
    assert saved.default_timezone == "Europe/Berlin"
    shown = view_text(h.top_view(ada))
    assert "21:30" in shown and "Thursday" in shown and "Europe/Berlin" in shown


async def test_steps_and_timings(h: Harness) -> None:
    ada = add_admin(h)
    view = await open_form(h, ada, AdminForm.PROCESS, "peer")
    inputs = [b["block_id"] for b in view.blocks if b.get("type") == "input"]
    assert inputs == [
        "reminder_hours",
        "expire_days",
        "extend_days",
        "default_share",
        "max_rounds",
        "order",
        "first_speaker",
        "space",
        "follow_up_days",
        "check_in_days",
        "stall_hours",
    ]
    result = await h.submit(
        ada,
        {
            "reminder_hours": {"value": "48"},
            "expire_days": {"value": "10"},
            "default_share": {"value": "summary"},
            "max_rounds": {"value": "5"},
            "order": {"value": "simultaneous"},
            "first_speaker": {"value": "respondent"},
            "space": {"value": "private_channel"},
            "follow_up_days": {"value": "30"},
            "extend_days": {"value": "3"},
            "check_in_days": {"value": "10"},
            "stall_hours": {"value": "24"},
        },
    )
    assert result.response_action == "update", result.errors
    assert "version 2" in view_text(h.top_view(ada))
    peer = (await config(h)).definition("peer")
    assert peer.version == 2
    invitation = peer.stages[0]
    assert (invitation.reminder_hours, invitation.expire_days) == (48, 10)  # type: ignore[union-attr]
    assert peer.intake().default_share.value == "summary"
    reflection = peer.reflection()
    assert (reflection.max_rounds, reflection.order, reflection.first_speaker.value) == (
        5,
        "simultaneous",
        "respondent",
    )
    joint = peer.joint()
    assert joint is not None and joint.space.value == "private_channel" and joint.follow_up_days == 30
    assert (invitation.extend_days, joint.check_in_days, peer.stall_hours) == (3, 10, 24)  # type: ignore[union-attr]
    # The facilitated flow is shaped on its own.
    assert (await config(h)).definition("facilitated").version == 1


async def test_saving_the_same_settings_changes_nothing(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.PROCESS, "peer")
    result = await h.submit(ada, {})
    assert result.response_action == "update"
    assert t.ADMIN_UNCHANGED in view_text(h.top_view(ada))
    saved = await config(h)
    assert saved.version == 0 and saved.definition("peer").version == 1
    assert await h.configs.audit(h.team) == []


# --- invalid settings: field errors, and the old configuration stays ---------------------------------


async def test_a_negative_timing_is_refused_under_its_field(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.PROCESS, "peer")
    answer = await raw_submit(h, ada, {"reminder_hours": "-3", "max_rounds": "0"})
    low, high = bounds("reminder_hours")
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "reminder_hours": t.ADMIN_FIELD_RANGE.format(low=low, high=high),
        "max_rounds": t.ADMIN_FIELD_RANGE.format(low=1, high=bounds("max_rounds")[1]),
    }
    assert (await config(h)).definition("peer").version == 1
    refused = refused_attempts(await h.configs.audit(h.team), ada)
    assert refused[0].action == "process:peer" and refused[0].fields == ["max_rounds", "reminder_hours"]


async def test_a_prompt_over_slacks_label_limit_is_refused_under_its_field(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.PROMPTS, "peer")
    answer = await raw_submit(h, ada, {"q_feelings_label": "How did it feel? " * 10, "rules": " \n \n"})
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "q_feelings_label": t.ADMIN_FIELD_TOO_LONG.format(limit=150),
        "rules": t.ADMIN_FIELD_EMPTY,
    }
    assert (await config(h)).version == 0


async def test_too_many_ground_rules_are_refused(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.PROMPTS, "peer")
    rules = "\n".join(f"Rule number {i}." for i in range(12))
    result = await h.submit(ada, {"rules": {"value": rules}})
    assert result.errors == {"rules": t.ADMIN_FIELD_TOO_MANY.format(limit=10)}


# --- running mediations keep their version ---------------------------------------------------------------


def label_of(view: View, block_id: str) -> str:
    block = next(b for b in view.blocks if b.get("block_id") == block_id)
    return str(block["label"]["text"])


async def test_a_running_mediation_keeps_its_prompts_and_a_new_one_takes_the_new(h: Harness) -> None:
    ada = add_admin(h)
    first = await play.start(h)
    await play.accept_and_agree(h)

    await open_form(h, ada, AdminForm.PROMPTS, "peer")
    result = await h.submit(
        ada,
        {
            "q_happened_label": {"value": "What took place, as a camera would have seen it?"},
            "intro": {"value": "At Example Corp we talk things through with care."},
            "rules": {"value": "We listen to each other.\nWe take breaks when we need them."},
        },
    )
    assert result.response_action == "update", result.errors
    assert (await config(h)).definition("peer").version == 2

    # The running mediation still shows the prompt it started with.
    await h.click_dm(h.ann, "cg_intake_open")
    assert label_of(h.top_view(h.ann), "q_happened") == "What happened?"
    assert (await h.mediation(first)).definition_version == 1

    # A new one uses the new words: the invitation's intro, the working agreement, the prompt.
    await h.command(h.ann, f"<@{h.cat}|cat> the rota")
    await h.submit(h.ann, {})
    second = next(m for m in await h.store.for_user(h.team, h.cat))
    assert second.definition_version == 2
    invitation = h.dm_with_action(h.cat, "cg_invite_accept")
    assert "At Example Corp we talk things through with care." in str(invitation.blocks)
    await h.click_dm(h.cat, "cg_invite_accept")
    rules = h.dm_with_action(h.cat, "cg_rules_agree")
    assert "We take breaks when we need them." in str(rules.blocks)
    assert "We assume the other person means well" not in str(rules.blocks)
    await h.click_dm(h.cat, "cg_rules_agree")
    await h.click_message(h.ann, h.dm_with_action(h.ann, "cg_rules_agree"), "cg_rules_agree")
    await h.click_dm(h.cat, "cg_intake_open")
    assert label_of(h.top_view(h.cat), "q_happened") == "What took place, as a camera would have seen it?"
    # The first mediation's invitation had no intro.
    assert not [m for m in h.dm(h.bob) if "Example Corp" in str(m.blocks)]


async def test_someone_elses_change_meanwhile_is_not_overwritten(h: Harness) -> None:
    ada = add_admin(h)
    olga = add_admin(h, "olga", is_owner=True)
    await open_form(h, ada, AdminForm.PROMPTS, "peer")
    await open_form(h, olga, AdminForm.PROMPTS, "peer")
    result = await h.submit(olga, {"q_needs_label": {"value": "What matters most to you?"}})
    assert result.response_action == "update", result.errors
    result = await h.submit(ada, {"q_needs_label": {"value": "What do you need?"}})
    assert result.response_action == "errors"
    assert t.ADMIN_CHANGED_MEANWHILE in result.errors.values()
    assert (await config(h)).definition("peer").question_labels()["needs"] == "What matters most to you?"
    # A change to another part of the settings does not get in the way.
    await open_form(h, ada, AdminForm.RETENTION)
    await open_form(h, olga, AdminForm.FLOWS)
    assert (await h.submit(olga, {"enabled_flows": {"value": ["peer"]}})).response_action == "update"
    assert (await h.submit(ada, {"retention_days": {"value": "60"}})).response_action == "update"
    saved = await config(h)
    assert saved.enabled_flows == ["peer"] and saved.retention_days == 60


# --- audit -----------------------------------------------------------------------------------------------


async def test_every_change_and_refusal_is_audited_and_shown(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.RETENTION)
    await h.submit(ada, {"retention_days": {"value": "45"}})
    await open_form(h, ada, AdminForm.PROMPTS, "peer")
    await h.submit(ada, {"q_requests_label": {"value": "What would help?"}})
    await open_form(h, ada, AdminForm.RETENTION)
    await raw_submit(h, ada, {"retention_days": "1"})
    entries = await h.configs.audit(h.team)
    assert [(e.actor, e.action, e.fields, e.ok) for e in entries] == [
        (ada, "retention", ["retention_days"], False),
        (ada, "prompts:peer", ["flows.peer.intake.questions.3.label", "flows.peer.version"], True),
        (ada, "retention", ["retention_days"], True),
    ]
    assert entries[0].at == h.clock.now
    log = await open_form(h, ada, AdminForm.AUDIT)
    text = view_text(log)
    assert f"<@{ada}>" in text and t.ADMIN_AUDIT_REFUSED in text
    assert "Prompts (Peer mediation)" in text
    # Settings in words, with the value they took; never a dotted key.
    assert "Retention: 45 days" in text and "Peer mediation — Question 4: “What would help?”" in text
    assert "retention_days" not in text and "flows.peer" not in text


async def test_saved_and_the_change_log_say_each_setting_in_words(h: Harness) -> None:
    """Through App Home: what *Saved* and the change log say is what the forms call each setting,
    with the value it took: a nested flow question included, and never a dotted key."""
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.FLOWS)
    await h.submit(ada, {"enabled_flows": {"value": ["peer", "facilitated"]}})
    saved = h.top_view(ada)
    assert saved.title["text"] == t.ADMIN_SAVED_TITLE  # type: ignore[index]
    assert "Flows switched on: Peer mediation, Facilitated mediation" in view_text(saved)

    await open_form(h, ada, AdminForm.PROMPTS, "peer")
    result = await h.submit(ada, {"q_happened_label": {"value": "What took place, <in short>?"}})
    assert result.response_action == "update", result.errors
    saved_text = view_text(h.top_view(ada))
    assert "• Peer mediation — Question 1: “What took place, &lt;in short&gt;?”" in saved_text
    assert t.ADMIN_SAVED_DEFINITION.format(version=2) in saved_text

    await open_form(h, ada, AdminForm.RETENTION)
    await h.submit(ada, {"retention_days": {"value": "90"}})
    assert "• Retention: 90 days" in view_text(h.top_view(ada))

    log = await open_form(h, ada, AdminForm.AUDIT)
    lines = [line for b in log.blocks if b.get("type") == "section" for line in b["text"]["text"].split("\n")]
    assert [line.split(" · ", 2)[2] for line in lines] == [
        "Retention · Retention: 90 days",
        "Prompts (Peer mediation) · Peer mediation — Question 1: “What took place, &lt;in short&gt;?”; "
        "Peer mediation — Version: 2",
        "Flows · Flows switched on: Peer mediation, Facilitated mediation",
    ]
    for text in (saved_text, view_text(log)):
        assert "flows.peer" not in text and "retention_days" not in text and "enabled_flows" not in text
    # The entries keep the setting's path for machines, and the value it took for people.
    entry = (await h.configs.audit(h.team))[1]
    assert entry.values["flows.peer.intake.questions.0.label"] == "What took place, <in short>?"


# --- export and import --------------------------------------------------------------------------------


def code_of(view: View) -> str:
    sections = [b["text"]["text"] for b in view.blocks if b.get("type") == "section"]
    for text in sections:
        assert len(text) <= 3000
    return "\n".join(unescape(s.removeprefix("```\n").removesuffix("\n```")) for s in sections)


async def test_export_in_app_home_is_the_whole_configuration(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.SAFETY)
    await h.submit(ada, {"safety_text": {"value": "Talk with HR <hr@example.com> & EAP. " * 25}})
    view = await open_form(h, ada, AdminForm.EXPORT)
    assert view.submit is None
    exported = yaml.safe_load(code_of(view))
    assert exported == yaml.safe_load(export_config(await config(h)))
    assert set(exported["flows"]) == {"peer", "facilitated"}
    assert exported["safety_text"].startswith("Talk with HR <hr@example.com> & EAP.")


def test_yaml_chunks_respect_the_section_limit() -> None:
    text = "\n".join(f"line_{i}: '{'&<>' * 40}'" for i in range(200)) + "\nlong: " + "x&" * 4000
    chunks = yaml_chunks(text)
    assert len(chunks) > 10
    assert all(len(chunk) <= 3000 for chunk in chunks)
    joined = "".join(unescape(c.removeprefix("```\n").removesuffix("```")) for c in chunks)
    assert joined.replace("\n", "") == text.replace("\n", "")


async def test_import_in_app_home_merges_a_partial_yaml(h: Harness) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.PEOPLE)
    await h.submit(ada, {"admins": {"value": [h.cat]}})
    view = await open_form(h, ada, AdminForm.IMPORT)
    assert t.ADMIN_IMPORT_INTRO in view_text(view)
    partial = "retention_days: 90\nflows:\n  peer:\n    name: Talking it through\n"
    result = await h.submit(ada, {"yaml": {"value": partial}})
    assert result.response_action == "update", result.errors
    saved = await config(h)
    assert saved.retention_days == 90 and saved.admins == [h.cat]
    assert saved.definition("peer").name == "Talking it through" and saved.definition("peer").version == 2
    assert "facilitated" not in saved.flows  # untouched flows stay built-in
    entry = (await h.configs.audit(h.team))[0]
    assert entry.action == "import"
    assert entry.fields == ["flows.peer.name", "flows.peer.version", "retention_days"]


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("retention_days: 90\n  admins: [\n", "line 2"),
        ("flows:\n  peer:\n    stages: []\n", "flows.peer.stages"),
        ("flows:\n  peer:\n    stages:\n      - type: karaoke\n", "karaoke"),
        ("flows:\n  prepare:\n    name: x\n", "flows.prepare"),
        ("retention_days: -1\n", "retention_days"),
        ("enabled_flows: [peer, chat]\n", "chat"),
        ("- just\n- a list\n", "mapping"),
    ],
)
async def test_a_bad_import_names_the_problem_and_changes_nothing(
    h: Harness, yaml_text: str, expected: str
) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.IMPORT)
    result = await h.submit(ada, {"yaml": {"value": yaml_text}})
    assert result.response_action == "errors"
    assert set(result.errors) == {"yaml"} and expected in result.errors["yaml"], result.errors
    assert result.errors["yaml"].startswith("Nothing was changed.")
    assert (await config(h)) == WorkspaceConfig()
    assert refused_attempts(await h.configs.audit(h.team), ada)[0].action == "import"


def cli_env(h: Harness, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REDIS_", "COMMONGROUND_"))}
    env.update(
        SLACK_BOT_TOKEN=h.standin.bot_token,
        SLACK_SIGNING_SECRET="cli-secret",
        SLACK_API_URL=h.standin.api_url,
        REDIS_URL=redis_url,
        COMMONGROUND_ENCRYPTION_KEY=h.encryption_key,
        COMMONGROUND_KEY_PREFIX=h.key_prefix,
    )
    return env


async def cli(h: Harness, redis_url: str, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "config",
        *args,
        cwd=ROOT,
        env=cli_env(h, redis_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_the_command_line_exports_and_imports(h: Harness, redis_url: str, tmp_path: Path) -> None:
    ada = add_admin(h)
    await open_form(h, ada, AdminForm.RETENTION)
    await h.submit(ada, {"retention_days": {"value": "60"}})

    # Export: the team comes from auth.test.
    file = tmp_path / "config.yaml"
    code, _, err = await cli(h, redis_url, "export", "--file", str(file))
    assert code == 0, err
    exported = yaml.safe_load(file.read_text())
    assert exported["retention_days"] == 60 and set(exported["flows"]) == {"peer", "facilitated"}

    # Import the edited file: a whole configuration, validated, audited as the command line.
    exported["retention_days"] = 365
    exported["flows"]["peer"]["stages"][2]["questions"][0]["label"] = "What happened, in a few words?"
    file.write_text(yaml.safe_dump(exported, sort_keys=False))
    code, out, err = await cli(h, redis_url, "import", str(file))
    assert code == 0, err
    assert "retention_days" in out
    saved = await config(h)
    assert saved.retention_days == 365
    assert saved.definition("peer").question_labels()["happened"] == "What happened, in a few words?"
    assert saved.definition("peer").version == 2 and "facilitated" not in saved.flows
    assert (await h.configs.audit(h.team))[0].actor == "cli"

    # A malformed file names its line and changes nothing.
    file.write_text("retention_days: 30\nadmins: [U1\nsafety_text: x\n")
    code, _, err = await cli(h, redis_url, "import", str(file))
    assert code == 1 and "line 3" in err, err
    assert (await config(h)) == saved

    # --merge changes only what the file gives; --team names the workspace.
    file.write_text("retention_days: 30\n")
    code, _, err = await cli(h, redis_url, "import", str(file), "--merge", "--team", h.standin.team_id)
    assert code == 0, err
    merged = await config(h)
    assert merged.retention_days == 30 and merged.definition("peer").version == 2

    # Several teams export as several YAML documents; an unknown one has the defaults.
    code, out, err = await cli(h, redis_url, "export", "--team", h.standin.team_id, "--team", "E9.T9")
    assert code == 0, err
    documents = list(yaml.safe_load_all(out))
    assert [d["retention_days"] for d in documents] == [30, 180]


# --- aggregate outcomes -------------------------------------------------------------------------------


async def test_outcomes_show_counts_and_hide_small_groups(h: Harness) -> None:
    ada = add_admin(h)
    for i in range(6):
        person = h.standin.add_user(f"person{i}")
        started = await h.service.start(h.team, c.Start(actor=h.ann, respondent=person, topic="the rota"))
        await h.service.act(h.team, started.mediation.id, c.Cancel(actor=h.ann))
    for i in range(2):
        person = h.standin.add_user(f"other{i}")
        started = await h.service.start(h.team, c.Start(actor=h.bob, respondent=person, topic="the rota"))
        await h.service.act(h.team, started.mediation.id, c.Decline(actor=person))
    assert await h.store.open_in_team(h.team) == []  # all 8 closed: counted, not listed

    view = await open_form(h, ada, AdminForm.OUTCOMES)
    text = view_text(view)
    assert view.title["text"] == t.ADMIN_TITLES["outcomes"]  # type: ignore[index]
    cancelled = t.ADMIN_OUTCOME_LABELS[Outcome.CANCELLED.value]
    declined = t.ADMIN_OUTCOME_LABELS[Outcome.DECLINED.value]
    assert f"{cancelled}: 6" in text
    # The small groups are named together on one line, not one "fewer than 5" line each.
    assert text.count("fewer than") == 1 and f"{declined}:" not in text  # once: in the introduction
    hidden = [line for line in text.split("\\n") if t.ADMIN_OUTCOMES_HIDDEN_SOME.split(":")[0] in line]
    assert hidden and declined in hidden[0]
    assert "Peer mediation" in text and "Facilitated mediation" in text
    # Counts only: no topic, no person.
    assert "the rota" not in text and h.ann not in text and h.bob not in text


async def test_each_flow_has_its_own_invitation_words(h: Harness) -> None:
    ada = add_admin(h)
    maya = h.standin.add_user("maya", real_name="Maya Chen")
    await open_form(h, ada, AdminForm.PROMPTS, "facilitated")
    result = await h.submit(ada, {"intro": {"value": "Your manager can help you both *be heard*."}})
    assert result.response_action == "update", result.errors
    saved = await config(h)
    assert saved.definition("facilitated").version == 2 and "peer" not in saved.flows

    await h.command(maya, f"facilitate <@{h.ann}|ann> <@{h.bob}|bob> the rota")
    assert (await h.submit(maya, {})).response_action in ("close", "clear")
    for person in (h.ann, h.bob):
        invitation = h.dm_with_action(person, "cg_invite_accept")
        assert "Your manager can help you both *be heard*." in str(invitation.blocks)
    await h.command(h.cat, f"<@{h.standin.add_user('dan')}|dan> the rota")
    await h.submit(h.cat, {})
    peer_invitation = h.dm(h.standin.user_id("dan"))[-1]
    assert "Your manager can help" not in str(peer_invitation.blocks)


async def test_a_version_number_always_names_one_definition(h: Harness) -> None:
    """A save that lost its compare-and-set may have stored a definition version already; the next
    change is numbered after it instead of claiming the same number for other words."""
    ada = add_admin(h)
    orphan = relabelled_peer("Words nobody saved")
    await h.configs.keep_definition(h.team, orphan.model_copy(update={"version": 2}))
    await open_form(h, ada, AdminForm.PROMPTS, "peer")
    result = await h.submit(ada, {"q_happened_label": {"value": "What took place?"}})
    assert result.response_action == "update", result.errors
    peer = (await config(h)).definition("peer")
    assert peer.version == 3
    stored = await h.configs.definition(h.team, "peer", 3)
    assert stored is not None and stored.question_labels()["happened"] == "What took place?"


def relabelled_peer(label: str) -> FlowDefinition:
    data = load_builtin("peer").model_dump(mode="json")
    data["stages"][2]["questions"][0]["label"] = label
    return FlowDefinition.model_validate(data)


async def test_the_command_line_asks_for_a_team_when_slack_cannot_say(h: Harness, redis_url: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "config",
        "export",
        cwd=ROOT,
        env={**cli_env(h, redis_url), "SLACK_API_URL": "http://127.0.0.1:9/api/"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 1 and "--team" in err.decode(), err
