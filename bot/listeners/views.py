"""Modal submissions. Input is checked before the ack, so problems show under the right field
(`response_action=errors`) and nothing the person typed is lost."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.coach_words import reasons_text
from bot.listeners.common import Deps, Problem, attempt, error_text, flow_enabled, person_problem, team_of
from bot.payloads import ViewSubmission, of
from bot.store import PairTaken, StoreUnavailable
from bot.submitted import Values, choice, text
from bot.views import modals
from bot.views.ids import Callback
from bot.views.safety import safety_blocks, started_with_concern
from flows import commands as c
from flows.coaching import check_reflection, intake_nudges
from flows.config import WorkspaceConfig
from flows.engine import (
    HOPES_MAX,
    ITEM_WHAT_MAX,
    ITEM_WHO_MAX,
    MISSING_MAX,
    MOVE_ON_REASON_MAX,
    TOPIC_MAX,
    Transition,
)
from flows.errors import FieldProblem, RefusalCode, Refused
from flows.models import Outcome, Share, Verdict
from flows.safety import concerns

log = logging.getLogger("commonground.views")


class Unreadable(ValueError):
    """A submitted field Slack's input could not have sent (a forged date, say): shown under it."""

    def __init__(self, block_id: str) -> None:
        super().__init__(block_id)
        self.block_id = block_id


def _block_for(callback: Callback, field: str) -> str:
    if callback is Callback.INTAKE:
        return f"q_{field}"
    if field.startswith("summary:"):
        return "summary_" + field.split(":", 1)[1]
    return field


# The length limits the engine enforces, for "please keep this under N characters".
FIELD_LIMITS = {
    "topic": TOPIC_MAX,
    "hopes": HOPES_MAX,
    "who": ITEM_WHO_MAX,
    "what": ITEM_WHAT_MAX,
    "missing": MISSING_MAX,
    "reason": MOVE_ON_REASON_MAX,
}


def field_errors(
    callback: Callback, refused: Refused, fallback_block: str, limits: dict[str, int] | None = None
) -> dict[str, str]:
    """Modal field errors for a refusal; a refusal without fields shows under `fallback_block`."""
    if not refused.fields:
        return {fallback_block: error_text(refused)}
    limits = {**FIELD_LIMITS, **(limits or {})}
    errors: dict[str, str] = {}
    for field, problem in refused.fields.items():
        if callback is Callback.ANSWER and field == "missing" and problem is FieldProblem.EMPTY:
            text = t.MISSING_NEEDED
        else:
            text = t.field_problem(problem, limits.get(field))
        errors[_block_for(callback, field)] = text
    return errors


def problem_answer(
    problem: Problem, callback: Callback, fallback_block: str, limits: dict[str, int] | None = None
) -> dict[str, Any]:
    """How a modal answers a command that did not happen: errors under the fields for bad input or a
    storage problem (nothing typed is lost), a kind notice in place of the modal for any other refusal."""
    refused = problem.refused
    if refused is None:
        return {"response_action": "errors", "errors": {fallback_block: problem.text}}
    if refused.fields or refused.code is RefusalCode.INVALID_INPUT:
        return {
            "response_action": "errors",
            "errors": field_errors(callback, refused, fallback_block, limits),
        }
    return {"response_action": "update", "view": modals.info_modal(problem.text)}


async def _act(
    deps: Deps, context: AsyncBoltContext, body: dict[str, Any], command: c.Command
) -> Transition | Problem:
    mediation_id = modals.read_metadata(of(context, ViewSubmission).view.private_metadata).get("m", "")
    return await attempt(deps, team_of(context), mediation_id, command)


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the view submission listeners."""
    app.view(Callback.START.value)(_start_handler(deps))
    simple: dict[Callback, tuple[Callable[[str, Values], c.Command], str]] = {
        Callback.SHARING: (_sharing_command, "share_happened"),
        Callback.ANSWER: (_answer_command, "verdict"),
        Callback.CHECK_IN: (_check_in_command, "item0"),
        Callback.PROPOSE: (_propose_command, "what"),
    }
    for callback, (build, fallback) in simple.items():
        app.view(callback.value)(submit_handler(deps, callback, build, fallback))
    app.view(Callback.FINISH.value)(
        submit_handler(deps, Callback.FINISH, _finish_command, "outcome", OUTCOME_REFUSALS)
    )
    app.view(Callback.INTAKE.value)(_intake_handler(deps))
    app.view(Callback.INTAKE_REVIEW.value)(_intake_handler(deps))
    app.view(Callback.REFLECT.value)(_reflect_handler(deps))


# Outcomes that do not fit the agreement items: said under the outcome choice, where it can be changed.
OUTCOME_REFUSALS = {
    code: "outcome"
    for code in (
        RefusalCode.OUTCOME_NOT_ALLOWED,
        RefusalCode.OUTCOME_NEEDS_ALL_ACCEPTED,
        RefusalCode.OUTCOME_NEEDS_ACCEPTED_ITEM,
    )
}


def chosen_outcome(values: Values) -> Outcome:
    """The outcome chosen in a modal; anything unknown becomes one the engine refuses ("please
    choose…"), so nothing is assumed for the person."""
    try:
        return Outcome(choice(values, "outcome") or "")
    except ValueError:
        return Outcome.ESCALATED


def _finish_command(user: str, values: Values) -> c.Command:
    return c.ProposeFinish(actor=user, outcome=chosen_outcome(values))


def _sharing_command(user: str, values: Values) -> c.Command:
    shares: dict[str, Share] = {}
    summaries: dict[str, str] = {}
    for block_id in values:
        if block_id.startswith("share_"):
            key = block_id.removeprefix("share_")
            try:
                shares[key] = Share(choice(values, block_id) or Share.NONE.value)
            except ValueError:
                shares[key] = Share.NONE  # an unreadable choice shares nothing
            summaries[key] = text(values, f"summary_{key}")
    return c.ChooseSharing(actor=user, shares=shares, summaries=summaries)


def _answer_command(user: str, values: Values) -> c.Command:
    verdict = choice(values, "verdict")
    return c.AnswerReflection(
        actor=user, confirmed=verdict == Verdict.CONFIRMED.value, missing=text(values, "missing") or None
    )


def _check_in_command(user: str, values: Values) -> c.Command:
    scores: list[int] = []
    for i in range(len([b for b in values if b.startswith("item")])):
        raw = choice(values, f"item{i}")
        try:
            scores.append(int(raw or ""))
        except ValueError:
            scores.append(-1)
    return c.SubmitCheckIn(actor=user, scores=scores)


def _propose_command(user: str, values: Values) -> c.Command:
    raw_date = choice(values, "by_when")
    try:
        by_when = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise Unreadable("by_when") from None
    return c.ProposeItem(actor=user, who=text(values, "who"), what=text(values, "what"), by_when=by_when)


def submit_handler(
    deps: Deps,
    callback: Callback,
    build: Callable[[str, Values], c.Command],
    fallback: str,
    under_field: dict[RefusalCode, str] | None = None,
) -> Callable[..., Any]:
    """A modal whose submission is one command. Refusals named in `under_field` show under that
    block (e.g. an outcome that does not fit, under the outcome choice); others as `problem_answer`."""

    async def handler(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        sent = of(context, ViewSubmission)
        values: Values = sent.view.values()
        try:
            command = build(sent.user_id, values)
        except Unreadable as unreadable:
            await ack(response_action="errors", errors={unreadable.block_id: t.INPUT_UNREADABLE})
            return
        result = await _act(deps, context, body, command)
        if isinstance(result, Problem) and not result.silent:
            refused = result.refused
            if refused is not None and refused.code in (under_field or {}):
                await ack(response_action="errors", errors={(under_field or {})[refused.code]: result.text})
                return
            await ack(**problem_answer(result, callback, fallback))
            return
        await _done(ack, callback)
        if not isinstance(result, Problem):
            await deps.runner.run(result)

    return handler


async def _done(ack: AsyncAck, callback: Callback) -> None:
    """Close the modal (what it did shows elsewhere), or thank the person for private writing that
    leaves no trace on screen."""
    if callback in (Callback.PROPOSE, Callback.MOVE_ON, Callback.END, Callback.FINISH):
        await ack()  # the proposal appears in the joint space itself
    else:
        await ack(response_action="update", view=modals.saved_modal())


def _intake_handler(deps: Deps) -> Callable[..., Any]:
    """Private intake answers. The coach's review is shown once: saving the reviewed words again,
    unchanged, moves on to choosing what to share (as *Keep my words* does), so the check never loops."""

    async def handler(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        sent = of(context, ViewSubmission)
        values: Values = sent.view.values()
        answers = {b.removeprefix("q_"): text(values, b) for b in values if b.startswith("q_")}
        user = sent.user_id
        team = team_of(context)
        mediation_id = modals.read_metadata(sent.view.private_metadata).get("m", "")
        reviewed = sent.view.callback_id == Callback.INTAKE_REVIEW.value
        before = await _answers_before(deps, team, mediation_id, user) if reviewed else None
        result = await _act(deps, context, body, c.SaveIntake(actor=user, answers=answers))
        if isinstance(result, Problem):
            first = next(iter(values), "q_happened")
            limits = await _intake_limits(deps, team, mediation_id) if result.refused else {}
            await ack(**problem_answer(result, Callback.INTAKE, first, limits))
            return
        m = result.mediation
        party = m.party_of(user)
        assert party is not None  # the engine accepted the command, so the user is a party
        definition = await deps.service.definitions.for_mediation(m)
        texts = {key: answer.text for key, answer in party.answers.items()}
        unchanged = before is not None and before == texts
        nudges = {} if unchanged else intake_nudges(texts)
        signalled = [] if unchanged else concerns(*texts.values())
        if nudges or signalled:
            safety = safety_blocks(await _config(deps, m.team), signalled) if signalled else None
            view = modals.intake_review_modal(m, party.role, definition, nudges, safety)
        else:
            view = modals.sharing_modal(m, party.role, definition)
        await ack(response_action="update", view=view)
        await deps.runner.run(result)

    return handler


async def _answers_before(deps: Deps, team: str, mediation_id: str, user: str) -> dict[str, str] | None:
    """The person's saved answers as the coach reviewed them, or None when they cannot be read."""
    try:
        m = await deps.service.store.get(team, mediation_id)
    except StoreUnavailable:
        return None
    party = m.party_of(user) if m else None
    return {key: a.text for key, a in party.answers.items()} if party else None


async def _intake_limits(deps: Deps, team: str, mediation_id: str) -> dict[str, int]:
    """The length limit of each intake question of this mediation's flow."""
    try:
        found = await deps.service.store.get(team, mediation_id)
        definition = (
            await deps.service.definitions.for_mediation(found)
            if found
            else await deps.service.definitions.current(team, "peer")
        )
    except StoreUnavailable:
        return {}
    return {q.key: q.max_length for q in definition.intake().questions}


def _start_handler(deps: Deps) -> Callable[..., Any]:
    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        sent = of(context, ViewSubmission)
        values: Values = sent.view.values()
        user = sent.user_id
        colleague = choice(values, "colleague") or ""
        try:
            enabled = await flow_enabled(deps, team_of(context), "peer")
        except StoreUnavailable:
            enabled = True  # the start below says that storage is down
        if not enabled:
            await ack(response_action="errors", errors={"colleague": t.FLOW_OFF})
            return
        problem = await _colleague_problem(client, user, colleague)
        if problem:
            await ack(response_action="errors", errors={"colleague": problem})
            return
        command = c.Start(
            actor=user, respondent=colleague, topic=text(values, "topic"), hopes=text(values, "hopes") or None
        )
        try:
            transition = await deps.service.start(team_of(context), command)
        except Refused as refused:
            await ack(
                response_action="errors",
                errors=field_errors(Callback.START, refused, "colleague", {"topic": 150, "hopes": 1000}),
            )
            return
        except PairTaken:
            await ack(response_action="errors", errors={"colleague": t.ALREADY_OPEN_FIELD})
            return
        except StoreUnavailable as exc:
            await ack(response_action="errors", errors={"topic": error_text(exc)})
            return
        found = concerns(transition.mediation.topic, transition.mediation.hopes or "")
        if found:
            await ack(
                response_action="update",
                view=started_with_concern(await _config(deps, team_of(context)), found),
            )
        else:
            await ack()
        await deps.runner.run(transition)

    return handler


async def _config(deps: Deps, team: str) -> WorkspaceConfig:
    return await deps.service.configs.get(team) if deps.service.configs else WorkspaceConfig()


async def _colleague_problem(client: AsyncWebClient, user: str, colleague: str) -> str | None:
    """Why this colleague cannot be invited, or None."""
    if not colleague:
        return t.USER_UNKNOWN
    if colleague == user:
        return t.SELF
    return await person_problem(client, colleague)


def _reflect_handler(deps: Deps) -> Callable[..., Any]:
    """A reflection is checked by the coach first: one that is not a reflection at all (a rebuttal,
    advice, a bare question) stays in the modal with the reason; any other goes to the speaker, with
    a private tip for the writer where something could be added."""

    async def handler(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        sent = of(context, ViewSubmission)
        values: Values = sent.view.values()
        written = text(values, "reflection")
        user = sent.user_id
        team = team_of(context)
        mediation_id = modals.read_metadata(sent.view.private_metadata).get("m", "")
        tips = ""
        try:
            m = await deps.service.store.get(team, mediation_id)
        except StoreUnavailable as exc:
            await ack(response_action="errors", errors={"reflection": error_text(exc)})
            return
        party = m.party_of(user) if m else None
        if m is not None and party is not None and written.strip():
            speaker = m.party(party.role.other)
            check = check_reflection(speaker.shared_answers(), written)
            if not check.passed:
                reasons = reasons_text(check.reasons)
                await ack(
                    response_action="errors",
                    errors={"reflection": t.REFLECTION_NOT_YET.format(reasons=reasons)},
                )
                return
            tips = reasons_text(check.reasons, f"<@{speaker.user_id}>", mrkdwn=True)
        result = await attempt(deps, team, mediation_id, c.SubmitReflection(actor=user, text=written))
        if isinstance(result, Problem):
            if result.silent:
                await ack(response_action="update", view=modals.saved_modal())
            else:
                await ack(**problem_answer(result, Callback.REFLECT, "reflection"))
            return
        note = t.REFLECTION_TIPS.format(tips=tips) if tips else None
        await ack(response_action="update", view=modals.saved_modal(note))
        await deps.runner.run(result)

    return handler
