"""The prepare flow's modal: one view, updated step by step, seen only by the person preparing.

Nothing is stored anywhere: what a later step needs (their chosen words, the account they imagined)
travels in the view's `private_metadata`, which Slack shows to no one and caps at 3000 characters.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement, DividerBlock, InputBlock, PlainTextInputElement

from bot import texts as t
from bot.coach_words import nudge_message, reason_text
from bot.views.common import actions, clip, context, esc, modal, section
from flows.prepare import (
    IMAGINED_MAX,
    NUDGES_SHOWN,
    PRACTICE_MAX,
    STATEMENT_MAX,
    WORDS_MAX,
    PracticeFeedback,
    StatementCoaching,
)

TITLE_MAX = 24
METADATA_MAX = 3000
METADATA_SPARE = 20  # room for the round counter to grow


class PrepareCallback(StrEnum):
    """`callback_id`s of the prepare modal's steps."""

    WRITE = "cg_prepare_write"
    WORDS = "cg_prepare_words"
    IMAGINE = "cg_prepare_imagine"
    PRACTICE = "cg_prepare_practice"
    DONE = "cg_prepare_done"


class PrepareAction(StrEnum):
    """`action_id`s of the prepare modal's buttons."""

    KEEP = "cg_prepare_keep"
    FINISH = "cg_prepare_finish"


class Input(StrEnum):
    """`block_id`s of the prepare modal's inputs (a practice round adds its number)."""

    STATEMENT = "prepare_statement"
    WORDS = "prepare_words"
    IMAGINED = "prepare_imagined"
    PRACTICE = "prepare_practice"


def practice_block(round_: int) -> str:
    """The block id of the practice input of one round: a new id each round, so that Slack shows
    the prefilled attempt rather than keeping the old field's state."""
    return f"{Input.PRACTICE.value}_{round_}"


def pack(**values: str | int) -> str:
    """`private_metadata` carrying what the next steps need."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def fits(meta: str) -> bool:
    """True when `meta` leaves room under Slack's private_metadata limit."""
    return len(meta) <= METADATA_MAX - METADATA_SPARE


def unpack(raw: str | None) -> dict[str, str]:
    """Read `pack`ed metadata; anything unexpected (a forged payload) reads as empty."""
    try:
        data = json.loads(raw or "{}")
    except (TypeError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int)}


def words_meta(statement: str) -> str:
    """The metadata of the words step: what they first wrote, should they keep it."""
    return pack(s=statement)


def imagine_meta(words: str) -> str:
    """The metadata of the step imagining the other side: their chosen words."""
    return pack(w=words)


def practice_meta(words: str, imagined: str, round_: int) -> str:
    """The metadata of a practice step: their words, the account they imagined, and the round."""
    return pack(w=words, i=imagined, r=round_)


def _quote(text: str) -> str:
    return ">" + esc(clip(text, 2800)).replace("\n", "\n>")


def _modal(
    callback: PrepareCallback, title: str, blocks: list[Block], *, submit: str | None, meta: str = "{}"
) -> dict[str, Any]:
    return modal(
        callback.value, title, blocks, submit=submit, close=t.CLOSE if submit is None else t.CANCEL, meta=meta
    )


def _text_input(block_id: str, label: str, hint: str, limit: int, initial: str | None = None) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        element=PlainTextInputElement(
            action_id="value",
            multiline=True,
            max_length=limit,
            initial_value=clip(initial, limit) if initial else None,
        ),
    )


def write_modal() -> dict[str, Any]:
    """Step 1: what happened, and how it affected them."""
    blocks: list[Block] = [
        section(t.PREPARE_INTRO),
        _text_input(Input.STATEMENT, t.PREPARE_STATEMENT_LABEL, t.PREPARE_STATEMENT_HINT, STATEMENT_MAX),
    ]
    return _modal(PrepareCallback.WRITE, t.PREPARE_TITLE, blocks, submit=t.PREPARE_NEXT)


def words_modal(statement: str, coaching: StatementCoaching) -> dict[str, Any]:
    """Step 2: the coach's notes on what they wrote, and an I-statement to shape (or keep their words)."""
    blocks: list[Block] = [
        section(t.PREPARE_WORDS_INTRO),
        section(f"{t.PREPARE_WROTE}\n{_quote(statement)}"),
    ]
    for nudge in coaching.nudges[:NUDGES_SHOWN]:
        note = t.REVIEW_NOTE.format(
            quote=esc(clip(nudge.quote or "", 200)),
            message=esc(nudge_message(nudge)),
            suggestion=esc(nudge.suggestion),
        )
        blocks.append(context(clip(note, 2000)))
    blocks += [
        _text_input(Input.WORDS, t.PREPARE_WORDS_LABEL, t.PREPARE_WORDS_HINT, WORDS_MAX, coaching.scaffold),
        actions(ButtonElement(text=t.PREPARE_KEEP, action_id=PrepareAction.KEEP.value), block_id="keep"),
    ]
    return _modal(
        PrepareCallback.WORDS,
        t.PREPARE_WORDS_TITLE,
        blocks,
        submit=t.PREPARE_USE_WORDS,
        meta=words_meta(statement),
    )


def imagine_modal(words: str, *, clean: bool = False) -> dict[str, Any]:
    """Step 3: what might the other person say about it?"""
    blocks: list[Block] = []
    if clean:
        blocks.append(context(t.PREPARE_CLEAN))
    blocks += [
        section(t.PREPARE_IMAGINE_INTRO),
        _text_input(Input.IMAGINED, t.PREPARE_IMAGINE_LABEL, t.PREPARE_IMAGINE_HINT, IMAGINED_MAX),
    ]
    return _modal(
        PrepareCallback.IMAGINE,
        t.PREPARE_IMAGINE_TITLE,
        blocks,
        submit=t.PREPARE_NEXT,
        meta=imagine_meta(words),
    )


def practice_modal(
    words: str,
    imagined: str,
    round_: int = 0,
    feedback: PracticeFeedback | None = None,
    attempt: str | None = None,
) -> dict[str, Any]:
    """Step 4, a loop: say back what they imagine the other would want understood. After an attempt,
    the coach's feedback, the attempt ready to change and try again, and a way to finish."""
    blocks: list[Block] = []
    if feedback is not None:
        blocks += [
            section(f"*{t.PREPARE_BANDS[feedback.band]}*"),
            context(t.PREPARE_SCORE.format(score=feedback.score)),
        ]
        if feedback.landed:
            lines = "\n".join(f"• {esc(reason_text(r))}" for r in feedback.landed)
            blocks.append(section(f"{t.PREPARE_LANDED}\n{lines}"))
        if feedback.to_try:
            lines = "\n".join(f"• {esc(reason_text(r))}" for r in feedback.to_try)
            blocks.append(section(f"{t.PREPARE_TO_TRY}\n{lines}"))
        blocks.append(DividerBlock())
    blocks += [
        section(f"{t.PREPARE_IMAGINED}\n{_quote(imagined)}"),
        _text_input(
            practice_block(round_),
            t.PREPARE_PRACTICE_LABEL,
            t.PREPARE_AGAIN_HINT if feedback is not None else t.PREPARE_PRACTICE_HINT,
            PRACTICE_MAX,
            attempt,
        ),
    ]
    if feedback is not None:
        blocks.append(
            actions(
                ButtonElement(text=t.PREPARE_FINISH, action_id=PrepareAction.FINISH.value, style="primary"),
                block_id="finish",
            )
        )
    return _modal(
        PrepareCallback.PRACTICE,
        t.PREPARE_PRACTICE_TITLE,
        blocks,
        submit=t.PREPARE_TRY_AGAIN if feedback is not None else t.PREPARE_CHECK,
        meta=practice_meta(words, imagined, round_),
    )


def done_modal(words: str) -> dict[str, Any]:
    """The close: their words to take into the conversation; nothing was sent; how to start a mediation."""
    blocks: list[Block] = []
    if words.strip():
        blocks.append(section(f"{t.PREPARE_DONE_WORDS}\n{_quote(words)}"))
    blocks += [section(t.PREPARE_DONE_PRIVATE), section(t.PREPARE_DONE_NEXT)]
    return _modal(PrepareCallback.DONE, t.PREPARE_DONE_TITLE, blocks, submit=None)
