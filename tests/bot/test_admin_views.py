"""The admin views in words: the Outcomes screen below, at and above the privacy threshold, and how
*Saved* and the change log name a setting and its value (never a dotted key). Every view is valid
Block Kit."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot import texts as t
from bot.admin import CLI_ACTOR, audit_changes
from bot.sandbox.blockkit import validate_view
from bot.setting_words import describe, setting_name
from bot.views.admin import audit_modal, outcomes_modal, saved_modal
from flows.aggregates import MIN_GROUP, aggregate
from flows.config import AuditEntry, EscalationContact, SettingValue, WorkspaceConfig
from flows.definition import FlowDefinition
from tests.flows.test_aggregates import (
    AGREED,
    DECLINED,
    FACILITATED,
    NOW,
    OPEN_INTAKE,
    Journey,
    group,
    played,
)

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DOTTED = re.compile(r"\b[a-z_]+\.[a-z_0-9.]+\b")  # retention_days.x, flows.peer.intake…


def text_of(view: dict[str, Any]) -> str:
    assert validate_view(view, expected_type="modal") == []
    return json.dumps(view["blocks"], ensure_ascii=False)


def sections(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]


def report(journeys: list[Journey], *, flows: tuple[str, ...] = ("peer", "facilitated")) -> dict[str, Any]:
    return outcomes_modal(aggregate(played(journeys), now=NOW, flows=flows))


# --- outcomes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("closed", [0, 1, MIN_GROUP - 1])
def test_below_the_threshold_one_kind_sentence_and_no_figure(closed: int) -> None:
    # Plenty of open mediations, but fewer than MIN_GROUP closed: nothing is shown, not even how many.
    view = report(group((closed, AGREED), (12, OPEN_INTAKE)))
    assert sections(view) == [t.ADMIN_OUTCOMES_NOT_YET.format(min=MIN_GROUP)]
    assert "Figures appear once 5 mediations have closed" in sections(view)[0]
    text = text_of(view)
    assert "header" not in text and "•" not in text
    assert str(closed) not in text.replace(str(MIN_GROUP), "")  # the count so far is not told


def test_the_sentence_names_the_threshold_the_report_uses() -> None:
    view = outcomes_modal(aggregate(played(group((2, AGREED))), now=NOW, min_group=3))
    assert sections(view) == [t.ADMIN_OUTCOMES_NOT_YET.format(min=3)]


def test_at_the_threshold_the_figures_appear() -> None:
    view = report(group((MIN_GROUP, AGREED)), flows=("peer",))
    text = text_of(view)
    assert t.ADMIN_OUTCOMES_NOT_YET.format(min=MIN_GROUP) not in text
    agreed = t.ADMIN_OUTCOME_LABELS["agreed"]
    assert f"• {agreed}: {MIN_GROUP}" in sections(view)[0]
    # The other outcomes (zero each) are one line, not seven.
    all_flows = sections(view)[0].split("\n")
    assert len(all_flows) == 3  # agreed, the total, and one line for the hidden ones
    hidden = all_flows[-1]
    assert hidden == "• " + t.ADMIN_OUTCOMES_HIDDEN_SOME.format(
        labels=", ".join(t.ADMIN_OUTCOME_LABELS[k] for k in ("open", "partly_agreed", "no_agreement"))
        + ", "
        + ", ".join(t.ADMIN_OUTCOME_LABELS[k] for k in ("declined", "expired", "cancelled", "escalated"))
    )


def test_above_the_threshold_small_groups_collapse_into_one_line() -> None:
    journeys = group((6, AGREED), (2, DECLINED), (5, Journey("finished", flow=FACILITATED)))
    view = report(journeys)
    text = text_of(view)
    assert "fewer than" not in "".join(sections(view))  # only the introduction says it
    for body in sections(view):
        lines = body.split("\n")
        hidden = [line for line in lines if line.startswith("• _")]
        assert len(hidden) <= 1, body  # one line for the hidden figures of a section, at most
    declined = t.ADMIN_OUTCOME_LABELS["declined"]
    assert f"{declined}:" not in text and declined in text
    assert "Peer mediation" in text and "Facilitated mediation" in text


def test_a_flow_with_nothing_to_show_says_so_once() -> None:
    view = report(group((7, AGREED)), flows=("peer", "facilitated"))
    blocks = view["blocks"]
    header = next(i for i, b in enumerate(blocks) if b.get("text", {}).get("text") == "Facilitated mediation")
    assert blocks[header + 1]["text"]["text"] == t.ADMIN_OUTCOMES_FLOW_HIDDEN
    assert header + 2 == len(blocks)
    text_of(view)


def test_a_section_with_every_figure_hidden_is_one_line() -> None:
    # Six declined: the counts and the invitation's days show; nobody checked in or listened, so
    # those sections are one line each.
    view = report(group((6, DECLINED)), flows=("peer",))
    peer = sections(view)[1:]
    assert (
        peer[0].startswith(t.ADMIN_OUTCOMES_COUNTS) and f"{t.ADMIN_OUTCOME_LABELS['declined']}: 6" in peer[0]
    )
    assert peer[1].startswith(t.ADMIN_OUTCOMES_DAYS) and f"{t.ADMIN_STAGE_LABELS['invitation']}: " in peer[1]
    assert peer[2] == f"{t.ADMIN_OUTCOMES_ALLIANCE}\n{t.ADMIN_OUTCOMES_HIDDEN_ALL}"
    assert peer[3] == f"{t.ADMIN_OUTCOMES_ROUNDS}\n{t.ADMIN_OUTCOMES_HIDDEN_ALL}"
    text_of(view)


def kept(changes: dict[str, object]) -> dict[str, SettingValue]:
    """The values a change keeps (every change in these tests has a plain value)."""
    assert all(isinstance(v, str | int | list) for v in changes.values())
    return {k: v for k, v in changes.items() if isinstance(v, str | int | list)}


# --- settings in words ---------------------------------------------------------------------------------


def relabelled(definition: FlowDefinition, label: str) -> FlowDefinition:
    data = definition.model_dump(mode="json")
    for stage in data["stages"]:
        if stage["type"] == "intake":
            stage["questions"][0]["label"] = label
    return FlowDefinition.model_validate(data)


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("retention_days", 90, "Retention: 90 days"),
        (
            "enabled_flows",
            ["peer", "facilitated"],
            "Flows switched on: Peer mediation, Facilitated mediation",
        ),
        ("enabled_flows", [], f"Flows switched on: {t.ADMIN_NO_FLOWS}"),
        ("admins", ["U0ADA", "U0CAT"], f"{t.ADMIN_PEOPLE_ADMINS}: <@U0ADA>, <@U0CAT>"),
        ("facilitator_policy", "listed", f"Who may host: {t.ADMIN_POLICIES['listed']}"),
        ("facilitator_group", None, f"{t.ADMIN_PEOPLE_GROUP}: {t.ADMIN_SETTING_EMPTY}"),
        ("escalation_contacts", ["HR", "EAP"], "Escalation contacts: “HR”, “EAP”"),
        ("escalation_contacts.1.user_id", "U0HR", "Contact 2, person on Slack: <@U0HR>"),
        ("escalation_contacts.0.label", "HR", "Contact 1, name: “HR”"),
        (
            "flows.peer.intake.questions.0.label",
            "What took place?",
            "Peer mediation — Question 1: “What took place?”",
        ),
        (
            "flows.peer.intake.questions.2.hint",
            "Clarity",
            "Peer mediation — Question 3, hint under it: “Clarity”",
        ),
        ("flows.facilitated.reflection.max_rounds", 4, f"Facilitated mediation — {t.ADMIN_ROUNDS_LABEL}: 4"),
        (
            "flows.peer.reflection.order",
            "simultaneous",
            f"Peer mediation — {t.ADMIN_ORDER_LABEL}: {t.ADMIN_ORDERS['simultaneous']}",
        ),
        (
            "flows.peer.joint.space",
            "private_channel",
            f"Peer mediation — {t.ADMIN_SPACE_LABEL}: A new private channel",
        ),
        (
            "flows.peer.ground_rules.rules.1",
            "We listen.",
            "Peer mediation — Working agreement, point 2: “We listen.”",
        ),
        (
            "flows.peer.invitation.intro",
            "Hi <!channel> & all",
            "Peer mediation — Your own words in the invitation: “Hi &lt;!channel&gt; &amp; all”",
        ),
        ("flows.peer.version", 2, "Peer mediation — Version: 2"),
        # paths no form shows (YAML only, or new): still words, never a dotted key
        ("flows.peer.alliance.low_total", 30, "Peer mediation — Check-in, low total: 30"),
        (
            "flows.peer.alliance.items.0",
            "I felt heard.",
            "Peer mediation — Check-in question 1: “I felt heard.”",
        ),
        ("some_new_switch", True, "Some new switch: On"),
        ("some_new_switch", False, "Some new switch: Off"),
        ("flows.peer.some_stage.some_list.3", 1, "Peer mediation — Some stage, some list, item 4: 1"),
    ],
)
def test_a_setting_is_named_as_its_form_names_it(path: str, value: SettingValue, words: str) -> None:
    assert describe(path, value) == words
    assert not DOTTED.search(setting_name(path))


def test_a_structure_is_named_without_a_value() -> None:
    assert describe("flows.peer.stages", with_value=False) == "Peer mediation — Steps"


def test_saved_names_each_change_with_its_value() -> None:
    before = WorkspaceConfig()
    after = before.model_copy(update={"retention_days": 90, "enabled_flows": ["peer", "facilitated"]})
    after = after.with_definition(relabelled(after.definition("peer"), "What took place?"))
    changes = audit_changes(before, after)
    assert list(changes) == [
        "enabled_flows",
        "flows.peer.intake.questions.0.label",
        "flows.peer.version",
        "retention_days",
    ]
    view = saved_modal(list(changes), kept(dict(changes)), {"peer": 2})
    text = text_of(view)
    body = sections(view)[0]
    assert body.split("\n") == [
        t.ADMIN_SAVED,
        "• Flows switched on: Peer mediation, Facilitated mediation",
        "• Peer mediation — Question 1: “What took place?”",
        "• Retention: 90 days",
    ]  # the version is said once, in the sentence below
    assert t.ADMIN_SAVED_DEFINITION.format(version=2) in text
    assert not DOTTED.search(body) and "`" not in body


def test_the_change_log_keeps_the_values_and_says_them() -> None:
    before = WorkspaceConfig()
    contacts = [EscalationContact(label="HR", user_id="U0HR"), EscalationContact(label="EAP")]
    after = before.model_copy(update={"escalation_contacts": contacts, "safety_text": "s" * 1000})
    changes = audit_changes(before, after)
    assert changes == {"escalation_contacts": ["HR", "EAP"], "safety_text": "s" * 299 + "…"}
    entries = [
        AuditEntry(actor="U0ADA", at=AT, action="safety", fields=list(changes), values=kept(dict(changes))),
        AuditEntry(actor="U0CAT", at=AT, action="retention", fields=["retention_days"], ok=False),
        # an entry written before values were kept: named, without a value
        AuditEntry(
            actor=CLI_ACTOR, at=AT, action="cli:import", fields=["flows.peer.intake.questions.3.label"]
        ),
    ]
    text = text_of(audit_modal(entries, CLI_ACTOR))
    assert "Escalation contacts: “HR”, “EAP”" in text
    assert f"{t.ADMIN_SAFETY_TEXT}: “{'s' * 199}…”" in text  # shown clipped
    assert f"· {t.ADMIN_AUDIT_REFUSED}" in text
    assert "command line · Import · Peer mediation — Question 4" in text
    assert not DOTTED.search(text.replace("09:00", ""))
