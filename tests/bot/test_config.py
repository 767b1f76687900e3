"""The workspace configuration (flows/config.py) and the admin's import helpers (bot/admin.py):
validation, definition versions, changed fields, YAML export and import (whole and partial)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml
from pydantic import ValidationError

from bot.admin import (
    AdminForm,
    FormErrors,
    apply_form,
    audit_fields,
    export_config,
    field_label,
    import_config,
    scope,
    settle_versions,
)
from flows.config import (
    DEFAULT_SAFETY_TEXT,
    AuditEntry,
    ConfigImportError,
    EscalationContact,
    FacilitatorPolicy,
    WorkspaceConfig,
    changed_fields,
    describe_errors,
    export_yaml,
    import_yaml,
)
from flows.definition import FlowDefinition, InvitationStage, load_builtin


def peer_with(**changes: object) -> FlowDefinition:
    """The built-in peer definition with top-level fields changed."""
    return load_builtin("peer").model_copy(update=changes)


def relabelled(definition: FlowDefinition, label: str) -> FlowDefinition:
    data = definition.model_dump(mode="json")
    data["stages"][2]["questions"][0]["label"] = label
    return FlowDefinition.model_validate(data)


# --- the model ----------------------------------------------------------------------------------------


def test_defaults_are_valid_and_use_the_builtin_definitions() -> None:
    config = WorkspaceConfig()
    assert config.enabled_flows == ["peer", "facilitated", "prepare"]
    assert config.facilitator_policy is FacilitatorPolicy.EVERYONE
    assert config.safety_text == DEFAULT_SAFETY_TEXT and config.retention_days == 180
    assert config.definition("peer") == load_builtin("peer")
    with pytest.raises(LookupError):
        config.definition("karaoke")


def test_enabled_flows_are_known_deduplicated_and_in_order() -> None:
    assert WorkspaceConfig(enabled_flows=["prepare", "peer", "peer"]).enabled_flows == ["peer", "prepare"]
    assert WorkspaceConfig(enabled_flows=[]).enabled_flows == []
    with pytest.raises(ValidationError, match="unknown flows: chat"):
        WorkspaceConfig(enabled_flows=["peer", "chat"])


def test_people_are_slack_user_ids() -> None:
    config = WorkspaceConfig(admins=["U02", "W01", "U02"], facilitators=["U09"])
    assert config.admins == ["U02", "W01"]
    for bad in (["u02"], ["C0123"], ["U-1"], [""]):
        with pytest.raises(ValidationError, match="not Slack user ids"):
            WorkspaceConfig(admins=bad)


def test_a_usergroup_policy_needs_a_group() -> None:
    with pytest.raises(ValidationError, match="facilitator_group: name the user group"):
        WorkspaceConfig(facilitator_policy=FacilitatorPolicy.USERGROUP)
    with pytest.raises(ValidationError):
        WorkspaceConfig(facilitator_policy=FacilitatorPolicy.USERGROUP, facilitator_group="not-a-group")
    ok = WorkspaceConfig(facilitator_policy=FacilitatorPolicy.USERGROUP, facilitator_group="S0123ABC")
    assert ok.facilitator_group == "S0123ABC"


def test_contacts_safety_text_and_retention_have_limits() -> None:
    contact = EscalationContact(label="HR", user_id="U0HR", details="Ask for Hana")
    assert WorkspaceConfig(escalation_contacts=[contact]).escalation_contacts == [contact]
    with pytest.raises(ValidationError):
        WorkspaceConfig(escalation_contacts=[contact] * 6)
    with pytest.raises(ValidationError):
        EscalationContact(label="")
    with pytest.raises(ValidationError):
        EscalationContact(label="HR", user_id="C0123")
    with pytest.raises(ValidationError):
        WorkspaceConfig(safety_text="")
    with pytest.raises(ValidationError):
        WorkspaceConfig(safety_text="x" * 1001)
    for days in (6, 3651, -1):
        with pytest.raises(ValidationError):
            WorkspaceConfig(retention_days=days)
    with pytest.raises(ValidationError):
        WorkspaceConfig(surprise=True)  # type: ignore[call-arg]


def test_only_builtin_flows_can_be_shaped_under_their_own_id() -> None:
    with pytest.raises(ValidationError, match=r"flows\.prepare: only peer, facilitated can be shaped"):
        WorkspaceConfig(flows={"prepare": peer_with(id="prepare")})
    with pytest.raises(ValidationError, match=r"flows\.facilitated: the definition's id is 'peer'"):
        WorkspaceConfig(flows={"facilitated": load_builtin("peer")})


def test_the_invitation_intro_is_optional_and_bounded() -> None:
    assert InvitationStage().intro is None
    assert InvitationStage(intro="At Example Corp we talk things through.").intro
    for bad in ("", "x" * 1001):
        with pytest.raises(ValidationError):
            InvitationStage(intro=bad)


# --- definition versions ------------------------------------------------------------------------------


def test_with_definition_numbers_the_new_version_after_the_current_one() -> None:
    config = WorkspaceConfig()
    first = config.with_definition(relabelled(load_builtin("peer"), "What took place?"))
    assert first.definition("peer").version == 2
    assert first.definition("peer").question_labels()["happened"] == "What took place?"
    second = first.with_definition(relabelled(first.definition("peer"), "What happened, briefly?"))
    assert second.definition("peer").version == 3
    assert config.definition("peer").version == 1  # the original is untouched


def test_with_definition_validates() -> None:
    invalid = load_builtin("peer").model_copy(update={"stages": []})
    with pytest.raises(ValidationError):
        WorkspaceConfig().with_definition(invalid)


def test_settle_versions_never_goes_back() -> None:
    shaped = WorkspaceConfig().with_definition(relabelled(load_builtin("peer"), "What took place?"))
    assert shaped.definition("peer").version == 2
    # An import that leaves the shaped flow out asks for the built-in words: as a new version, 3.
    reverted = settle_versions(shaped.model_copy(update={"flows": {}}), shaped)
    assert reverted.definition("peer").version == 3
    assert reverted.definition("peer").question_labels()["happened"] == "What happened?"
    # Unchanged: the same version, and a built-in flow stays implicit.
    assert settle_versions(shaped, shaped).flows == shaped.flows
    assert settle_versions(WorkspaceConfig(), WorkspaceConfig()).flows == {}


# --- changed fields and audit entries ---------------------------------------------------------------------


def test_changed_fields_are_dotted_names() -> None:
    before = WorkspaceConfig()
    after = before.model_copy(update={"retention_days": 30, "admins": ["U01"]})
    assert changed_fields(before, after) == ["admins", "retention_days"]
    assert changed_fields(before, before.model_copy(update={"version": 9})) == []
    shaped = before.with_definition(relabelled(load_builtin("peer"), "What took place?"))
    assert changed_fields(before, shaped) == ["flows.peer"]
    again = shaped.with_definition(relabelled(shaped.definition("peer"), "What happened, briefly?"))
    assert changed_fields(shaped, again) == ["flows.peer.stages", "flows.peer.version"]


def test_audit_fields_name_the_changed_item() -> None:
    before = WorkspaceConfig()
    shaped = before.with_definition(relabelled(load_builtin("peer"), "What took place?"))
    assert audit_fields(before, shaped) == ["flows.peer.intake.questions.0.label", "flows.peer.version"]
    assert audit_fields(shaped, shaped) == []
    stages = list(shaped.definition("peer").stages)
    fewer = shaped.with_definition(shaped.definition("peer").model_copy(update={"stages": stages[1:]}))
    assert audit_fields(shaped, fewer) == ["flows.peer.stages", "flows.peer.version"]
    more = before.model_copy(update={"admins": ["U01"], "retention_days": 30})
    assert audit_fields(before, more) == ["admins", "retention_days"]
    assert (
        field_label("flows.peer.stages.2.questions.0.label", before) == "flows.peer.intake.questions.0.label"
    )
    assert field_label("retention_days", before) == "retention_days"


def test_an_audit_entry_holds_names_only() -> None:
    entry = AuditEntry(actor="U01", at=datetime(2026, 12, 1, tzinfo=UTC), action="retention", fields=["x"])
    assert entry.ok and AuditEntry.model_validate_json(entry.model_dump_json()) == entry


# --- YAML ---------------------------------------------------------------------------------------------------


def test_export_and_import_round_trip() -> None:
    config = WorkspaceConfig(
        admins=["U01"],
        retention_days=90,
        escalation_contacts=[EscalationContact(label="HR", details="Ask for Hana")],
    ).with_definition(relabelled(load_builtin("peer"), "What took place?"))
    text = export_yaml(config)
    assert text.startswith("# Common Ground workspace configuration\n")
    assert "version: 0" not in text.splitlines()[1:3]
    again = import_yaml(text, config)
    assert again == config
    assert changed_fields(config, again) == []


def test_export_config_writes_out_every_shapeable_flow() -> None:
    exported = yaml.safe_load(export_config(WorkspaceConfig()))
    assert set(exported["flows"]) == {"peer", "facilitated"}
    assert exported["flows"]["peer"]["stages"][0]["type"] == "invitation"
    # Importing the export as it is changes nothing, and built-in flows stay implicit.
    assert (
        import_config(export_config(WorkspaceConfig()), WorkspaceConfig(), merge=False) == WorkspaceConfig()
    )


def test_import_yaml_names_the_line_of_a_malformed_file() -> None:
    with pytest.raises(ConfigImportError, match="line 3, column"):
        import_yaml("retention_days: 30\nadmins: [U01\nsafety_text: x\n", WorkspaceConfig())
    with pytest.raises(ConfigImportError, match="line 2"):
        import_yaml("retention_days: 30\n  admins: x\n", WorkspaceConfig())
    with pytest.raises(ConfigImportError, match="mapping"):
        import_yaml("- a\n- b\n", WorkspaceConfig())
    with pytest.raises(ConfigImportError, match="mapping"):
        import_yaml("", WorkspaceConfig())


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("flows:\n  peer: {id: peer, version: 1, name: Peer, stages: []}\n", "flows.peer.stages"),
        ("flows:\n  peer: {id: peer, version: 1, name: Peer, stages: [{type: karaoke}]}\n", "karaoke"),
        ("retention_days: -5\n", "retention_days"),
        ("enabled_flows: [peer, chat]\n", "unknown flows: chat"),
        ("surprise: true\n", "surprise"),
    ],
)
def test_import_yaml_names_the_field_that_does_not_validate(text: str, where: str) -> None:
    with pytest.raises(ConfigImportError, match=where):
        import_yaml(text, WorkspaceConfig())


def test_import_yaml_keeps_the_version_of_an_unchanged_definition_and_bumps_a_changed_one() -> None:
    current = WorkspaceConfig().with_definition(relabelled(load_builtin("peer"), "What took place?"))
    same = import_yaml(export_yaml(current), current)
    assert same.definition("peer").version == 2
    data = yaml.safe_load(export_yaml(current))
    data["flows"]["peer"]["stages"][2]["questions"][0]["label"] = "What happened, briefly?"
    data["flows"]["peer"]["version"] = 1  # a stale number in the file does not matter
    changed = import_yaml(yaml.safe_dump(data), current)
    assert changed.definition("peer").version == 3
    assert changed.version == current.version


def test_describe_errors_names_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        WorkspaceConfig.model_validate({"retention_days": 1, "admins": ["nope"]})
    text = describe_errors(caught.value)
    assert "retention_days:" in text and "admins: not Slack user ids: nope" in text


# --- partial import (App Home) ---------------------------------------------------------------------------


def test_a_partial_import_changes_only_the_keys_it_gives() -> None:
    current = WorkspaceConfig(admins=["U01"], retention_days=60)
    merged = import_config("retention_days: 90\n", current, merge=True)
    assert merged.retention_days == 90 and merged.admins == ["U01"] and merged.flows == {}


def test_a_partial_import_merges_into_a_flow_and_a_list_replaces_the_whole_list() -> None:
    text = "flows:\n  peer:\n    description: Our way of talking it through.\n"
    merged = import_config(text, WorkspaceConfig(), merge=True)
    assert merged.definition("peer").description == "Our way of talking it through."
    assert merged.definition("peer").version == 2
    assert merged.definition("peer").stages == load_builtin("peer").stages
    assert "facilitated" not in merged.flows
    merged = import_config("enabled_flows: [peer]\n", WorkspaceConfig(), merge=True)
    assert merged.enabled_flows == ["peer"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("retention_days: 30\n  admins: [\n", "line 2"),
        ("flows:\n  peer:\n    stages: []\n", "flows.peer.stages"),
        ("flows:\n  peer:\n    stages: [{type: karaoke}]\n", "karaoke"),
        ("flows:\n  prepare:\n    name: Practice\n", "flows.prepare"),
        ("42\n", "mapping"),
    ],
)
def test_a_bad_partial_import_says_why(text: str, where: str) -> None:
    with pytest.raises(ConfigImportError, match=where):
        import_config(text, WorkspaceConfig(), merge=True)


# --- forms --------------------------------------------------------------------------------------------------


def field(value: object) -> dict[str, dict[str, object]]:
    if isinstance(value, list):
        return {"value": {"type": "checkboxes", "selected_options": [{"value": v} for v in value]}}
    return {"value": {"type": "plain_text_input", "value": value}}


def test_a_form_that_does_not_validate_raises_field_errors() -> None:
    with pytest.raises(FormErrors) as caught:
        apply_form(WorkspaceConfig(), AdminForm.RETENTION, "", {"retention_days": field("abc")})
    assert set(caught.value.errors) == {"retention_days"}
    with pytest.raises(FormErrors) as caught:
        apply_form(WorkspaceConfig(), AdminForm.FLOWS, "", {"enabled_flows": field(["peer", "chat"])})
    assert set(caught.value.errors) == {"enabled_flows"}


def test_the_scope_of_a_form_notices_only_its_own_settings() -> None:
    config = WorkspaceConfig()
    retention = scope(config, AdminForm.RETENTION, "")
    assert scope(config.model_copy(update={"admins": ["U01"]}), AdminForm.RETENTION, "") == retention
    assert scope(config.model_copy(update={"retention_days": 9}), AdminForm.RETENTION, "") != retention
    prompts = scope(config, AdminForm.PROMPTS, "peer")
    shaped = config.with_definition(relabelled(load_builtin("peer"), "What took place?"))
    assert scope(shaped, AdminForm.PROMPTS, "peer") != prompts
    assert scope(shaped, AdminForm.PROMPTS, "facilitated") == scope(config, AdminForm.PROMPTS, "facilitated")
