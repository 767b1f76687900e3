"""The bot speaks as it asks people to speak: its user-facing texts (bot/texts.py and the built-in flow's
prompts) pass the coach's statement review.

The coach is a learned model now, so a few of the bot's several hundred texts earn a nudge on its
reading alone; the test bounds that share (13 of 490 texts when it was set; 20 of 747, 2.7 %, with
the model of 065eab5) and lists every text that earns one. Instructions to the reader ("Start with
/mediate …") are imperatives by design: the demand nudge for a bare imperative is not counted here.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

import pytest

from bot import texts
from flows.coach import NudgeKind, review_statement, rulebook
from flows.coach.text import normalise
from flows.definition import load_builtin

FILL = {
    "other": "<@U0BOB>",
    "initiator": "<@U0ANN>",
    "respondent": "<@U0BOB>",
    "speaker": "<@U0ANN>",
    "listener": "<@U0BOB>",
    "user": "<@U0BOB>",
    "me": "<@U0ANN>",
    "a": "<@U0ANN>",
    "b": "<@U0BOB>",
    "proposer": "<@U0ANN>",
    "other_name": "bob",
    "topic": "the release dates",
    "rounds": "3",
    "outcome": "you reached an agreement",
    "answer": "accepted",
    "limit": "150",
    "count": "4",
    "what": "write your private answers",
    "stage": "Private answers",
    "since": "01 Dec 2026",
    "status": "understood",
    "needs": "clarity, respect",
    "who": "Bob",
    "when": "",
    "date": "2026-12-15",
    "reasons": "Try naming how it felt for them.",
    "tips": "Try naming how it felt for them.",
    "quote": "always",
    # what a live nudge's message is: one of texts.NUDGE_MESSAGES
    "message": "This puts the fault on them, which usually makes people defend rather than listen.",
    "suggestion": "Name one specific time.",
    # admin
    "flows": "Peer mediation, Prepare on your own",
    "facilitators": "everyone",
    "days": "180",
    "name": "Peer mediation",
    "version": "2",
    "key": "what happened",
    "number": "1",
    "problem": "The YAML is not valid at line 3, column 1: could not find expected ':'.",
    "actor": "<@U0ANN>",
    "action": "Prompts (Peer mediation)",
    "min": "5",
    "label": "Reached an agreement",
    "value": "7",
    "n": "7",
    "low": "1",
    "high": "10",
}


def _strings(value: object, name: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{name}[{key}]")


def _all_texts() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in dir(texts):
        if name.isupper():
            found += list(_strings(getattr(texts, name), name))
    peer = load_builtin("peer")
    for stage in peer.stages:
        data = stage.model_dump()
        for rule in data.get("rules", []):
            found.append(("peer.rules", rule))
        for item in data.get("items", []) + data.get("agenda", []):
            found.append((f"peer.{stage.type.value}", item))
        for question in data.get("questions", []):
            found += [("peer.label", question["label"]), ("peer.hint", question["hint"])]
    return found


def _fill(text: str) -> str:
    names = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    filled = text.format(**{n: FILL.get(n, "x") for n in names}) if names else text
    filled = re.sub(r"<@U0[A-Z]+>", "Ann", filled)  # the coach reads names, not Slack mentions
    return filled.replace("*", "").replace("_", " ").replace("`", "")


# at most this share of the bot's texts may earn a nudge
# (13 of 490, 2.7 %, when set; 20 of 747 at 065eab5; 22 at a6cf4bd; 18 of 756 after 3ec0854)
NUDGED_SHARE_MAX = 0.03
_IMPERATIVE = next(r for r in rulebook.rules("statement") if r.id == "demand.imperative")


def _counted(text: str) -> list[tuple[str, str]]:
    review = review_statement(_fill(text))
    return [
        (n.kind.value, n.quote)
        for n in review.nudges
        if not (n.kind.value == "demand" and _IMPERATIVE.hits(normalise(n.quote).strip()))
    ]


def test_the_bots_texts_rarely_earn_a_nudge() -> None:
    texts_ = _all_texts()
    nudged = [(name, found) for name, text in texts_ if (found := _counted(text))]
    assert len(texts_) > 300
    assert len(nudged) / len(texts_) <= NUDGED_SHARE_MAX, nudged


@pytest.mark.parametrize(
    "name",
    [
        "REVIEW_TITLE",
        "REFLECTION_NOT_YET",
        "REFLECTION_TIPS",
        "LIVE_NUDGE",
        "PREPARE_BANDS",
        "COACH_REASONS",
    ],  # not NUDGE_MESSAGES: they quote the words they are about ("'I feel that/like…' introduces…")
)
def test_the_coachs_own_words_earn_no_nudge(name: str) -> None:
    for label, text in _strings(getattr(texts, name), name):
        if label in KNOWN_FALSE_ALARMS:
            continue
        assert _counted(text) == [], label


# The coach's own words it still misreads, each with what it reads. Listed so the rest stay checked; the
# test below fails once one is read right, so the entry is removed then. None today: the statement
# encoder of 2026-12-06 read praise of what "you" did as blame ("COACH_REASONS[facts_covered]"), until the
# heads learned from the `credit` rows (praise of what "you" did beside backhanded twins) in 2026-12-07.
KNOWN_FALSE_ALARMS: dict[str, str] = {}


@pytest.mark.parametrize(("label", "kind"), sorted(KNOWN_FALSE_ALARMS.items()))
def test_the_known_false_alarms_are_still_there(label: str, kind: str) -> None:
    found = {
        lab: _counted(text)
        for name in ("COACH_REASONS", "REFLECTION_TIPS", "REVIEW_TITLE", "REFLECTION_NOT_YET", "LIVE_NUDGE")
        for lab, text in _strings(getattr(texts, name), name)
    }
    assert [k for k, _quote in found[label]] == [kind], "read right now: remove it from KNOWN_FALSE_ALARMS"


def test_every_nudge_kind_has_its_message() -> None:
    assert set(texts.NUDGE_MESSAGES) == {k.value for k in NudgeKind}
    assert FILL["message"] in texts.NUDGE_MESSAGES.values()  # the live nudge is checked with a real one
