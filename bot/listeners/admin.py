"""Admin listeners: the App Home section, the buttons that open admin views, and their submissions.

Every open and every submission asks whether the person is an admin (a forged, validly signed payload
included); a refusal is told kindly and audited, and so is a submission that does not validate.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.admin import (
    CLI_ACTOR,
    AdminForm,
    AdminGate,
    ChangedMeanwhile,
    FormErrors,
    action_name,
    apply_form,
    export_config,
    refuse,
    save_change,
    scope,
    shapeable_flows,
)
from bot.config_store import ConfigStore
from bot.listeners.common import Deps, Where, action_value, open_modal, team_of, update_modal
from bot.payloads import BlockActions, ViewSubmission, of
from bot.store import StoreUnavailable, VersionConflict
from bot.submitted import Values
from bot.views import admin as views
from flows.aggregates import aggregate_counted
from flows.config import AuditEntry, WorkspaceConfig

log = logging.getLogger("commonground.admin")


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the admin listeners and the App Home section (only when configurations are stored)."""
    configs = deps.service.configs
    if configs is None:
        return
    # the listeners' client: it may be asked before an ack
    gate = AdminGate(deps.listener_clients or app.client, configs)
    deps.runner.home_sections.append(_home_section(gate, configs))
    app.action(re.compile("^" + re.escape(views.ACTION_PREFIX)))(_open_handler(deps, gate, configs))
    app.view(views.ADMIN_CALLBACK)(_submit_handler(deps, gate, configs))


def _home_section(gate: AdminGate, configs: ConfigStore) -> Callable[[str, str], Awaitable[list[Block]]]:
    async def provider(team: str, user_id: str) -> list[Block]:
        try:
            config = await configs.get(team)
            if not await gate.shows_section(team, user_id, config):
                return []
        except StoreUnavailable:
            return []
        return views.home_blocks(config)

    return provider


def _open_handler(deps: Deps, gate: AdminGate, configs: ConfigStore) -> Callable[..., Any]:
    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        sent = of(context, BlockActions)
        user, team, trigger = sent.user_id, team_of(context), _Trigger(deps, client, sent)
        form, flow = views.parse_action_value(action_value(body))
        now = deps.service.clock()
        try:
            config = await configs.get(team)
            if not await gate.is_admin(team, user, config):
                await _show(client, trigger, views.refused_modal())
                await refuse(configs, team, user, "open:" + (action_name(form, flow) if form else "?"), now)
                return
            if form is None:
                await _show(client, trigger, views.info(t.NOTICE_TITLE, t.SOMETHING_WRONG))
            elif form is AdminForm.OUTCOMES:
                await _outcomes(deps, client, trigger, team)
            else:
                await _show(client, trigger, _view(form, flow, config, await _audit(configs, team, form)))
        except StoreUnavailable:
            await _show(client, trigger, views.info(t.NOTICE_TITLE, t.STORE_DOWN))

    return handler


async def _audit(configs: ConfigStore, team: str, form: AdminForm) -> list[AuditEntry]:
    return await configs.audit(team, views.AUDIT_SHOWN) if form is AdminForm.AUDIT else []


def _view(form: AdminForm, flow: str, config: WorkspaceConfig, entries: list[AuditEntry]) -> dict[str, Any]:
    if form is AdminForm.EXPORT:
        return views.export_modal(export_config(config))
    if form is AdminForm.AUDIT:
        return views.audit_modal(entries, CLI_ACTOR)
    return views.form_modal(form, flow, config, scope(config, form, flow))


class _Trigger:
    """Where an admin clicked: the trigger to open a modal with, and where to say it could not."""

    def __init__(self, deps: Deps, client: AsyncWebClient, where: Where) -> None:
        self.deps, self.client, self.where = deps, client, where


async def _show(client: AsyncWebClient, trigger: _Trigger, view: dict[str, Any]) -> dict[str, Any] | None:
    return await open_modal(trigger.deps, client, trigger.where, view)


async def _outcomes(deps: Deps, client: AsyncWebClient, trigger: _Trigger, team: str) -> None:
    """Open a modal at once (the trigger lasts three seconds), then count and fill it in."""
    opened = await _show(client, trigger, views.loading_modal())
    if not opened:
        return
    try:
        counters, runs = await deps.service.store.outcome_inputs(team)
        report = aggregate_counted(counters, runs, now=deps.service.clock(), flows=shapeable_flows())
        view = views.outcomes_modal(report)
    except StoreUnavailable:
        view = views.info(t.NOTICE_TITLE, t.STORE_DOWN)
    if isinstance(opened.get("id"), str):
        await update_modal(deps, client, trigger.where, opened["id"], view)


def _submit_handler(deps: Deps, gate: AdminGate, configs: ConfigStore) -> Callable[..., Any]:
    async def handler(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        sent = of(context, ViewSubmission)
        user, team = sent.user_id, team_of(context)
        values: Values = sent.view.values()
        first = next(iter(values), "value")
        form, flow, fingerprint = views.read_metadata(sent.view.private_metadata)
        action = action_name(form, flow) if form else "?"
        now = deps.service.clock()
        try:
            allowed = await gate.is_admin(team, user)
        except StoreUnavailable:
            await ack(response_action="errors", errors={first: t.STORE_DOWN})
            return
        if not allowed or form is None or not form.edits:
            await ack(response_action="update", view=views.refused_modal())
            await _record(configs, team, AuditEntry(actor=user, at=now, action=action, ok=False))
            return
        still = None if form is AdminForm.IMPORT else (lambda c: scope(c, form, flow) == fingerprint)
        try:
            saved = await save_change(
                configs,
                team,
                actor=user,
                action=action,
                at=now,
                change=lambda c: apply_form(c, form, flow, values),
                still=still,
            )
        except FormErrors as exc:
            await ack(response_action="errors", errors=exc.errors)
            entry = AuditEntry(actor=user, at=now, action=action, fields=sorted(exc.errors), ok=False)
            await _record(configs, team, entry)
            return
        except ChangedMeanwhile:
            await ack(response_action="errors", errors={first: t.ADMIN_CHANGED_MEANWHILE})
            return
        except StoreUnavailable:
            await ack(response_action="errors", errors={first: t.STORE_DOWN})
            return
        except VersionConflict:
            await ack(response_action="errors", errors={first: t.SOMETHING_WRONG})
            return
        versions = {
            f: saved.after.definition(f).version
            for f in shapeable_flows()
            if saved.after.definition(f).version != saved.before.definition(f).version
        }
        await ack(response_action="update", view=views.saved_modal(saved.fields, saved.values, versions))
        if saved.fields:
            try:
                await deps.runner.publish_home(team, user)
            except StoreUnavailable:
                return

    return handler


async def _record(configs: ConfigStore, team: str, entry: AuditEntry) -> None:
    try:
        await configs.record(team, entry)
    except StoreUnavailable:
        log.error("could not audit a refused attempt", extra={"team": team, "action": entry.action})
