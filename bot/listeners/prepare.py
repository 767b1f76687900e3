"""`/mediate prepare`: one person practises a hard conversation in a modal that moves step by step.

Nothing is ever sent to anyone and nothing is stored: no message is posted, nothing is written to
Redis, and no text is logged. Each step answers its submission with `response_action: update`, and
what the next step needs travels in the view itself, which only its author sees.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.listeners.common import Deps
from bot.payloads import PAYLOAD_KEY, BlockActions, View, ViewSubmission, of
from bot.submitted import Values, text
from bot.views import prepare as v
from bot.views.prepare import Input, PrepareAction, PrepareCallback
from bot.webclient import slack_error
from flows.errors import FieldProblem
from flows.prepare import (
    IMAGINED_MAX,
    PRACTICE_MAX,
    STATEMENT_MAX,
    WORDS_MAX,
    coach_statement,
    practice_feedback,
    text_problem,
)

log = logging.getLogger("commonground.prepare")


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the prepare flow's submissions and buttons. The flow keeps nothing, so it needs none of
    `deps` (no store, no effects): there is no way for it to save or send what the person writes."""
    app.view(PrepareCallback.WRITE.value)(_write)
    app.view(PrepareCallback.WORDS.value)(_words)
    app.view(PrepareCallback.IMAGINE.value)(_imagine)
    app.view(PrepareCallback.PRACTICE.value)(_practice)
    app.action(PrepareAction.KEEP.value)(_keep)
    app.action(PrepareAction.FINISH.value)(_finish)


def _text(values: Values, block_id: str) -> str:
    return text(values, block_id)


def _problem(text: str, block_id: str, limit: int) -> dict[str, str] | None:
    """Field errors for a blank or over-long answer, or None."""
    problem = text_problem(text, limit)
    return {block_id: t.field_problem(problem, limit)} if problem else None


def _too_long_together(meta: str, block_id: str, text: str) -> dict[str, str] | None:
    """Field errors when what the next step carries (`meta`) would not fit in the view, or None. Rare
    (long answers full of quotes or line breaks): the person is asked for a little less, never cut off."""
    if v.fits(meta):
        return None
    over = len(meta) - (v.METADATA_MAX - v.METADATA_SPARE)
    limit = max(10, (len(text) - over) // 10 * 10)
    return {block_id: t.field_problem(FieldProblem.TOO_LONG, limit)}


def _meta(context: AsyncBoltContext) -> dict[str, str]:
    view = getattr(context.get(PAYLOAD_KEY), "view", None)
    return v.unpack(view.private_metadata if isinstance(view, View) else None)


def _values(context: AsyncBoltContext) -> Values:
    return of(context, ViewSubmission).view.values()


async def _write(ack: AsyncAck, context: AsyncBoltContext) -> None:
    """Step 1 submitted: the coach reviews what happened; on to shaping the words (or, when the coach
    has nothing to suggest, straight on to the other side)."""
    statement = _text(_values(context), Input.STATEMENT)
    if errors := _problem(statement, Input.STATEMENT, STATEMENT_MAX):
        await ack(response_action="errors", errors=errors)
        return
    statement = statement.strip()
    coaching = coach_statement(statement, t.PREPARE_SCAFFOLD)
    meta = v.imagine_meta(statement) if coaching.clean else v.words_meta(statement)
    if errors := _too_long_together(meta, Input.STATEMENT, statement):
        await ack(response_action="errors", errors=errors)
        return
    view = v.imagine_modal(statement, clean=True) if coaching.clean else v.words_modal(statement, coaching)
    await ack(response_action="update", view=view)


async def _words(ack: AsyncAck, context: AsyncBoltContext) -> None:
    """Step 2 submitted with the words they shaped: on to imagining the other side."""
    words = _text(_values(context), Input.WORDS)
    if errors := _problem(words, Input.WORDS, WORDS_MAX):
        await ack(response_action="errors", errors=errors)
        return
    words = words.strip()
    if errors := _too_long_together(v.imagine_meta(words), Input.WORDS, words):
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=v.imagine_modal(words))


async def _imagine(ack: AsyncAck, context: AsyncBoltContext) -> None:
    """Step 3 submitted with the account they imagine: on to practising listening to it."""
    imagined = _text(_values(context), Input.IMAGINED)
    if errors := _problem(imagined, Input.IMAGINED, IMAGINED_MAX):
        await ack(response_action="errors", errors=errors)
        return
    words, imagined = _meta(context).get("w", ""), imagined.strip()
    if errors := _too_long_together(v.practice_meta(words, imagined, 0), Input.IMAGINED, imagined):
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=v.practice_modal(words, imagined))


def _round(meta: dict[str, str]) -> int:
    try:
        return max(0, min(int(meta.get("r", "0")), 999))
    except ValueError:
        return 0


async def _practice(ack: AsyncAck, context: AsyncBoltContext) -> None:
    """Step 4 submitted with a practice reflection: the coach's feedback, and the attempt ready to try
    again (or finish)."""
    values: Values = _values(context)
    meta = _meta(context)
    round_ = _round(meta)
    block_id = next((b for b in values if b.startswith(Input.PRACTICE.value)), v.practice_block(round_))
    practice = _text(values, block_id)
    if errors := _problem(practice, block_id, PRACTICE_MAX):
        await ack(response_action="errors", errors=errors)
        return
    words, imagined, practice = meta.get("w", ""), meta.get("i", ""), practice.strip()
    if not v.fits(v.practice_meta(words, imagined, round_ + 1)):
        # Only a forged view carries more than fits; start the practice afresh rather than fail.
        words, imagined = "", ""
    feedback = practice_feedback(imagined, practice)
    await ack(
        response_action="update", view=v.practice_modal(words, imagined, round_ + 1, feedback, practice)
    )


async def _update(client: AsyncWebClient, context: AsyncBoltContext, view: dict[str, Any]) -> None:
    """Move the modal a button was clicked in on to `view` (unless it has changed since the click)."""
    current = of(context, BlockActions).view
    if current is None:  # only a forged click comes from outside the modal
        return
    try:
        await client.views_update(view_id=current.id, hash=current.hash, view=view)
    except SlackApiError as exc:
        log.info("prepare view not updated", extra={"error": slack_error(exc)})


async def _keep(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """ "Keep my words": what they first wrote stands; on to imagining the other side."""
    await ack()
    statement = _meta(context).get("s", "")
    if not v.fits(v.imagine_meta(statement)):
        statement = ""  # only a forged view carries more than fits
    await _update(client, context, v.imagine_modal(statement))


async def _finish(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """ "Finish": the closing view with their words."""
    await ack()
    await _update(client, context, v.done_modal(_meta(context).get("w", "")))
