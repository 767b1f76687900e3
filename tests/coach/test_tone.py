"""Tone features: praise and grievance in one sentence is sarcasm's shape; sincere praise is not."""

from __future__ import annotations

import pytest

from flows.coach.tone import TONE_NAMES, tone_features


def _named(text: str) -> dict[str, float]:
    return dict(zip(TONE_NAMES, tone_features(text, [text]), strict=True))


def test_one_value_per_name() -> None:
    assert len(tone_features("Thanks for covering.", ["Thanks for covering."])) == len(TONE_NAMES)


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
    whole = dict(zip(TONE_NAMES, tone_features(text, sentences), strict=True))
    assert whole["tone.sentence_pos"] > 0 and whole["tone.sentence_neg"] > 0
    assert whole["tone.mixed"] == pytest.approx(whole["tone.sentence_pos"] * whole["tone.sentence_neg"])


def test_second_person_gates_the_you_features() -> None:
    assert _named("Great, the order failed again.")["tone.mixed_you"] == 0.0
    assert _named("Great, your order failed again.")["tone.mixed_you"] > 0.0
