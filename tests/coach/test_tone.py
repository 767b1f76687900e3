"""Tone features: praise and grievance in one sentence is sarcasm's shape; sincere praise is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.coach.tone import TONE_NAMES, tone_vectors


def _named(text: str) -> dict[str, float]:
    return dict(zip(TONE_NAMES, tone_vectors(text, [text])[0], strict=True))


def test_one_value_per_name() -> None:
    assert len(tone_vectors("Thanks for covering.", ["Thanks for covering."])[0]) == len(TONE_NAMES)


@pytest.mark.parametrize(
    ("sarcastic", "sincere"),
    [
        ("Great job losing the keys again, really impressive.", "Great job on the audit, really impressive."),
        ("Thanks so much for the broken printer and the angry client.", "Thanks so much for the flowers."),
    ],
)
def test_praise_with_grievance_scores_higher_than_praise_alone(sarcastic: str, sincere: str) -> None:
    assert _named(sarcastic)["tone.incongruity"] > _named(sincere)["tone.incongruity"]
    assert _named(sarcastic)["tone.mixed_you"] >= _named(sincere)["tone.mixed_you"]


def test_sentences_are_read_one_by_one() -> None:
    text = "Lovely to see you. The van was left on empty and we lost the slot."
    sentences = ["Lovely to see you.", "The van was left on empty and we lost the slot."]
    whole = dict(zip(TONE_NAMES, tone_vectors(text, sentences)[0], strict=True))
    assert whole["tone.sentence_pos"] > 0 and whole["tone.sentence_neg"] > 0
    assert whole["tone.mixed"] == pytest.approx(whole["tone.sentence_pos"] * whole["tone.sentence_neg"])


def test_second_person_gates_the_you_features() -> None:
    assert _named("Great, the order failed again.")["tone.mixed_you"] == 0.0
    assert _named("Great, your order failed again.")["tone.mixed_you"] > 0.0


def test_the_windowed_analyser_scores_exactly_as_vader_does() -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from flows.coach.tone import _analyzer

    plain = SentimentIntensityAnalyzer()
    texts = [
        "It was not so bad, but honestly never this good either.",
        "Without doubt the kind of day I'd rather forget. At least nobody got hurt.",
        "I am NOT happy, the back handed compliment was the least helpful thing you could say.",
        "Great job, really. Yeah right, cut the mustard next time.",
        "Never so proud, not very good, hardly great.",
        "no",
        "Kind of sort of good but not bad at all, without doubt the best.",
    ]
    for text in texts * 2 + [" ".join(texts) * 3] + _training_texts():
        assert _analyzer().polarity_scores(text) == plain.polarity_scores(text)


def _training_texts() -> list[str]:
    train = Path(__file__).parent / "data" / "train"
    return [
        json.loads(line)["text"]
        for name in ("statements.intake.jsonl", "statements.chat.jsonl")
        for line in (train / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
