"""Modals. Private text appears only here (and in App Home), and only to whom it may be shown."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    UserSelectElement,
)

from bot import texts as t
from bot.coach_words import nudge_message
from bot.views.common import actions, button, clip, context, esc, modal, section, split_at_word
from bot.views.ids import Action, Callback
from flows.coach import Nudge
from flows.definition import FlowDefinition
from flows.engine import HOPES_MAX, ITEM_WHAT_MAX, ITEM_WHO_MAX, MISSING_MAX, TOPIC_MAX
from flows.models import Mediation, Role, Share, Verdict

TITLE_MAX = 24


def metadata(**values: str) -> str:
    """`private_metadata` for a modal: ids only, never text."""
    return json.dumps(values, separators=(",", ":"))


def read_metadata(raw: str | None) -> dict[str, str]:
    """Parse `private_metadata` written by `metadata` (an empty dict for anything else, a value that
    is not a string included)."""
    try:
        data = json.loads(raw or "{}")
    except (TypeError, ValueError, RecursionError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _modal(
    callback: Callback, title: str, blocks: list[Block], *, submit: str | None, meta: str = "{}"
) -> dict[str, Any]:
    return modal(
        callback.value, title, blocks, submit=submit, close=t.CLOSE if submit is None else t.CANCEL, meta=meta
    )


def info_modal(text: str) -> dict[str, Any]:
    """A modal that only says something (used for refusals where there is no channel)."""
    return _modal(Callback.INFO, t.NOTICE_TITLE, [section(text)], submit=None)


def person_input(block_id: str, label: str, initial: str | None) -> InputBlock:
    """Choose a person (users select)."""
    return InputBlock(
        block_id=block_id, label=label, element=UserSelectElement(action_id="value", initial_user=initial)
    )


def topic_input(topic: str) -> InputBlock:
    """What a mediation is about (the invited see it), prefilled with at most its limit."""
    return InputBlock(
        block_id="topic",
        label=t.START_TOPIC,
        hint=t.START_TOPIC_HINT,
        element=PlainTextInputElement(action_id="value", initial_value=topic or None, max_length=TOPIC_MAX),
    )


def start_modal(colleague: str | None, topic: str) -> dict[str, Any]:
    """Who, what about, and a private note of what the initiator hopes for. A topic typed after
    `/mediate` that is too long is shortened at a word boundary, says so, and keeps the rest in the
    private note, where nothing is lost and nobody else reads it."""
    short, rest = split_at_word(topic, TOPIC_MAX)
    blocks: list[Block] = [section(t.START_INTRO), person_input("colleague", t.START_COLLEAGUE, colleague)]
    if rest:
        blocks.append(context(t.TOPIC_SHORTENED.format(limit=TOPIC_MAX)))
    blocks += [
        topic_input(short),
        InputBlock(
            block_id="hopes",
            label=t.START_HOPES,
            hint=t.START_HOPES_HINT,
            optional=True,
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                max_length=HOPES_MAX,
                initial_value=rest[:HOPES_MAX] or None,
            ),
        ),
    ]
    return _modal(Callback.START, t.START_TITLE, blocks, submit=t.START_SUBMIT)


def intake_modal(m: Mediation, role: Role, d: FlowDefinition) -> dict[str, Any]:
    """The four private prompts, prefilled with the author's saved answers."""
    other = m.party(role.other).user_id
    saved = m.party(role).answers
    blocks: list[Block] = [section(t.INTAKE_INTRO.format(other=other))]
    for question in d.intake().questions:
        previous = saved.get(question.key)
        blocks.append(
            InputBlock(
                block_id=f"q_{question.key}",
                label=question.label,
                hint=question.hint or None,
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=question.max_length,
                    initial_value=previous.text if previous else None,
                ),
            )
        )
    return _modal(Callback.INTAKE, t.INTAKE_TITLE, blocks, submit=t.INTAKE_SUBMIT, meta=metadata(m=m.id))


_SHARE_LABELS = {Share.ALL: t.SHARE_ALL, Share.SUMMARY: t.SHARE_SUMMARY, Share.NONE: t.SHARE_NONE}


def sharing_modal(m: Mediation, role: Role, d: FlowDefinition) -> dict[str, Any]:
    """Per answer: share all, a summary, or nothing."""
    party = m.party(role)
    labels = d.question_labels()
    options = [Option(value=s.value, text=_SHARE_LABELS[s]) for s in Share]
    blocks: list[Block] = [section(t.SHARING_INTRO.format(other=m.party(role.other).user_id))]
    for key, answer in party.answers.items():
        initial = next(o for o in options if o.value == answer.share.value)
        blocks += [
            DividerBlock(),
            section(f"*{esc(labels.get(key, key))}*\n{esc(clip(answer.text, 2900))}"),
            InputBlock(
                block_id=f"share_{key}",
                label=t.SHARING_TITLE,
                element=RadioButtonsElement(action_id="value", options=options, initial_option=initial),
            ),
            InputBlock(
                block_id=f"summary_{key}",
                label=t.SUMMARY_LABEL,
                optional=True,
                element=PlainTextInputElement(
                    action_id="value", multiline=True, initial_value=answer.summary, max_length=1500
                ),
            ),
        ]
    return _modal(Callback.SHARING, t.SHARING_TITLE, blocks, submit=t.SHARING_SUBMIT, meta=metadata(m=m.id))


def saved_modal(note: str | None = None) -> dict[str, Any]:
    """Shown after a successful submission, with an optional private note from the coach."""
    blocks: list[Block] = [section(t.SAVED)]
    if note:
        blocks.append(context(note))
    return _modal(Callback.INFO, t.SAVED_TITLE, blocks, submit=None)


def intake_review_modal(
    m: Mediation,
    role: Role,
    d: FlowDefinition,
    nudges: dict[str, list[Nudge]],
    safety: list[Block] | None = None,
) -> dict[str, Any]:
    """The saved answers with the coach's suggestions (and, when the words signal something
    mediation is wrong for, the safety note and contacts first): revise any, or keep them."""
    other = m.party(role.other).user_id
    saved = m.party(role).answers
    blocks: list[Block] = [
        *(safety or []),
        section(t.REVIEW_INTRO.format(other=other)),
        actions(button(t.REVIEW_KEEP, Action.KEEP_WORDS, m.id), block_id="keep"),
    ]
    for question in d.intake().questions:
        answer = saved.get(question.key)
        blocks.append(
            InputBlock(
                block_id=f"q_{question.key}",
                label=question.label,
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=question.max_length,
                    initial_value=answer.text if answer else None,
                ),
            )
        )
        for nudge in nudges.get(question.key, [])[:3]:
            note = t.REVIEW_NOTE.format(
                quote=esc(clip(nudge.quote or "", 200)),
                message=esc(nudge_message(nudge)),
                suggestion=esc(nudge.suggestion),
            )
            blocks.append(context(clip(note, 2000)))
    return _modal(
        Callback.INTAKE_REVIEW, t.REVIEW_TITLE, blocks, submit=t.REVIEW_SUBMIT, meta=metadata(m=m.id)
    )


def answers_modal(m: Mediation, role: Role, d: FlowDefinition) -> dict[str, Any]:
    """The author's own answers, with what they share. Only ever opened for the author."""
    party = m.party(role)
    labels = d.question_labels()
    blocks: list[Block] = [context(t.ANSWERS_INTRO.format(other=m.party(role.other).user_id))]
    if m.hopes and role is Role.INITIATOR:
        blocks += [section(f"*{t.START_HOPES}*\n{esc(clip(m.hopes, 2900))}")]
    for key, answer in party.answers.items():
        shared = t.ANSWER_SHARED[answer.share.value]
        blocks += [
            DividerBlock(),
            section(f"*{esc(labels.get(key, key))}* ({shared})\n{esc(clip(answer.text, 2800))}"),
        ]
        if answer.share is Share.SUMMARY and answer.summary:
            blocks.append(context(f"{t.SHARE_SUMMARY}: {esc(clip(answer.summary, 2800))}"))
    return _modal(Callback.INFO, t.ANSWERS_TITLE, blocks[:100], submit=None)


def reflect_modal(m: Mediation, role: Role, d: FlowDefinition) -> dict[str, Any]:
    """For the listener: what the speaker shared, their corrections so far, and the reflection box."""
    speaker_role = role.other
    speaker = m.party(speaker_role)
    labels = d.question_labels()
    blocks: list[Block] = [section("*" + t.REFLECT_SHARED_HEADER.format(other=speaker.user_id) + "*")]
    for key, text in speaker.shared_answers().items():
        blocks.append(section(f"*{esc(labels.get(key, key))}*\n{esc(clip(text, 2800))}"))
    loop = m.loop_for_listener(role)
    if loop and loop.rounds:
        last = loop.rounds[-1]
        blocks += [DividerBlock(), section(f"*{t.REFLECT_PREVIOUS}*\n{esc(clip(last.reflection, 2800))}")]
        corrections = loop.corrections()
        if corrections:
            lines = "\n".join(f"• {esc(c)}" for c in corrections)
            blocks.append(
                section(f"*{t.REFLECT_CORRECTIONS.format(other=speaker.user_id)}*\n{clip(lines, 2800)}")
            )
    blocks.append(
        InputBlock(
            block_id="reflection",
            label=t.REFLECT_LABEL,
            hint=t.REFLECT_HINT,
            element=PlainTextInputElement(
                action_id="value", multiline=True, max_length=d.reflection().max_length
            ),
        )
    )
    return _modal(Callback.REFLECT, t.REFLECT_TITLE, blocks, submit=t.REFLECT_SUBMIT, meta=metadata(m=m.id))


def answer_modal(m: Mediation, role: Role) -> dict[str, Any]:
    """For the speaker: the listener's latest reflection, and yes / partly with what is missing."""
    loop = m.loop_for_speaker(role)
    listener = m.party(role.other).user_id
    reflection = loop.rounds[-1].reflection if loop and loop.rounds else ""
    options = [
        Option(value=Verdict.CONFIRMED.value, text=t.ANSWER_YES),
        Option(value=Verdict.PARTLY.value, text=t.ANSWER_PARTLY),
    ]
    blocks: list[Block] = [
        section(t.ANSWER_INTRO.format(other=listener)),
        section(">" + esc(clip(reflection, 2800)).replace("\n", "\n>")),
        InputBlock(
            block_id="verdict",
            label=t.ANSWER_CHOICE,
            element=RadioButtonsElement(action_id="value", options=options),
        ),
        InputBlock(
            block_id="missing",
            label=t.ANSWER_MISSING,
            hint=t.ANSWER_MISSING_HINT,
            optional=True,
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=MISSING_MAX),
        ),
    ]
    return _modal(Callback.ANSWER, t.ANSWER_TITLE, blocks, submit=t.ANSWER_SUBMIT, meta=metadata(m=m.id))


def check_in_modal(m: Mediation, d: FlowDefinition) -> dict[str, Any]:
    """The alliance check-in: one 0-10 number per item."""
    params = d.alliance()
    items = params.items if params else []
    blocks: list[Block] = [context(t.CHECK_IN_INTRO)]
    for i, item in enumerate(items):
        blocks.append(
            InputBlock(
                block_id=f"item{i}",
                label=item,
                element=NumberInputElement(
                    action_id="value", is_decimal_allowed=False, min_value="0", max_value="10"
                ),
            )
        )
    return _modal(
        Callback.CHECK_IN, t.CHECK_IN_TITLE, blocks, submit=t.CHECK_IN_SUBMIT, meta=metadata(m=m.id)
    )


def propose_modal(m: Mediation) -> dict[str, Any]:
    """Who does what by when."""
    blocks: list[Block] = [
        InputBlock(
            block_id="who",
            label=t.PROPOSE_WHO,
            element=PlainTextInputElement(action_id="value", max_length=ITEM_WHO_MAX),
        ),
        InputBlock(
            block_id="what",
            label=t.PROPOSE_WHAT,
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=ITEM_WHAT_MAX),
        ),
        InputBlock(
            block_id="by_when",
            label=t.PROPOSE_WHEN,
            optional=True,
            element=DatePickerElement(action_id="value"),
        ),
    ]
    return _modal(Callback.PROPOSE, t.PROPOSE_TITLE, blocks, submit=t.PROPOSE_SUBMIT, meta=metadata(m=m.id))


def understood_modal(m: Mediation) -> dict[str, Any]:
    """What each listener said back and the speaker confirmed; only for the two parties."""
    blocks: list[Block] = []
    for loop in m.loops:
        confirmed = loop.confirmed_reflection
        heading = t.JOINT_DIRECTION.format(
            listener=m.party(loop.listener).user_id,
            speaker=m.party(loop.speaker).user_id,
            status=t.LOOP_STATUS[loop.status],
        )
        blocks.append(section(heading))
        if confirmed:
            blocks.append(section(">" + esc(clip(confirmed, 2800)).replace("\n", "\n>")))
    if not blocks:
        blocks = [section(t.LOOP_STATUS[m.loops[0].status] if m.loops else "—")]
    return _modal(Callback.INFO, t.UNDERSTOOD_TITLE, blocks, submit=None)
