"""Reflection scoring: the form gate, each reason code, roles, distortions, determinism."""

from __future__ import annotations

import pytest

from bot.coach_words import reason_text
from flows.coach import ReasonCode, ReflectionScore, score_reflection
from flows.coach.decide import SCORE_FLOOR, SCORE_GOOD_WEIGHT, score_of
from flows.coach.reflections import analyse

R = ReasonCode

ORIGINAL = (
    "On Tuesday you moved my delivery route after I had already loaded the van, so I had to unload and "
    "reload it twice and I was late picking up my kids. I'm stressed and exhausted. I need routes to be "
    "confirmed the evening before."
)
GOOD = (
    "On Tuesday your route got changed by me after the van was already loaded, so you unloaded and "
    "reloaded it twice and ended up late for your kids. You're stressed and worn out, and you need the "
    "route settled the night before. Did I get that right?"
)


def codes(res: ReflectionScore) -> set[ReasonCode]:
    return {r.code for r in res.reasons}


def test_a_good_reflection_is_forwarded_with_a_high_score() -> None:
    res = score_reflection(ORIGINAL, GOOD)
    assert res.gate_passed and res.forward
    assert res.score >= 80
    assert {R.FACTS_COVERED, R.FEELING_NAMED, R.NEED_NAMED, R.OWN_WORDS} <= codes(res)
    assert res.facts > 20 and res.feelings == 20 and res.needs == 20 and res.own_words > 10
    assert res.neutrality == 10


@pytest.mark.parametrize(
    ("reflection", "code"),
    [
        (
            "I hear you, but the depot sent me the new route at 7 and I had no choice.",
            R.NOT_A_REFLECTION_REBUTTAL,
        ),
        (
            "I get that it was stressful. The thing is, the customers change their orders last minute.",
            R.NOT_A_REFLECTION_REBUTTAL,
        ),
        ("I know the reload was a pain. I did text you about it, though.", R.NOT_A_REFLECTION_REBUTTAL),
        ("You should load the van after eight, once routes are final.", R.NOT_A_REFLECTION_ADVICE),
        ("Next time just check the app before you load.", R.NOT_A_REFLECTION_ADVICE),
        ("Have you tried asking the depot for the route earlier?", R.NOT_A_REFLECTION_ADVICE),
        ("Which Tuesday do you mean?", R.NOT_A_REFLECTION_QUESTION),
        ("Are you sure it was my change? Dispatch edits routes too.", R.NOT_A_REFLECTION_QUESTION),
    ],
)
def test_the_form_gate(reflection: str, code: ReasonCode) -> None:
    res = score_reflection(ORIGINAL, reflection)
    assert not res.gate_passed
    assert not res.forward
    assert code in codes(res)
    assert res.score < 50


def test_a_closing_check_in_question_is_welcome() -> None:
    res = score_reflection(ORIGINAL, GOOD)
    assert R.NOT_A_REFLECTION_QUESTION not in codes(res)


@pytest.mark.parametrize("ack", ["", "Okay. ", "Mm-hmm. ", "Right. ", "I see. ", "Okay, "])
def test_an_acknowledgement_before_a_question_does_not_make_it_a_reflection(ack: str) -> None:
    # a listener's turn often opens with one; it is not a sentence of reflection
    question = f"{ack}How did you feel after you reloaded the van?"
    assert analyse(ORIGINAL, question).declaratives == 0
    res = score_reflection(ORIGINAL, question)
    assert not res.gate_passed
    assert R.NOT_A_REFLECTION_QUESTION in codes(res)


def test_an_acknowledgement_before_a_reflection_keeps_it_one() -> None:
    res = score_reflection(ORIGINAL, "Okay. " + GOOD)
    assert res.gate_passed and R.NOT_A_REFLECTION_QUESTION not in codes(res)


def test_a_but_that_belongs_to_their_story_is_not_a_rebuttal() -> None:
    refl = (
        "You'd loaded the van on Tuesday, but then I changed the route, so you reloaded twice and were "
        "late for your kids. You're stressed and exhausted, and you need routes fixed the evening before."
    )
    res = score_reflection(ORIGINAL, refl)
    # forward too up to 6896c1c; the model retrained with the spoken rows reads it as getting a detail
    # wrong (0.74 against 0.61 for good), so it goes through with a tip: a known limit (README)
    assert res.gate_passed and R.NOT_A_REFLECTION_REBUTTAL not in codes(res)


@pytest.mark.parametrize(
    ("reflection", "code"),
    [
        ("I think you're being a bit dramatic about one reload.", R.JUDGEMENT),
        ("It sounds like you're quite rigid about your routes.", R.JUDGEMENT),
        ("It was only one morning, so it's not a big deal.", R.MINIMISING),
        ("Everyone gets late routes sometimes, it's totally normal.", R.MINIMISING),
    ],
)
def test_judgement_and_minimising_veto(reflection: str, code: ReasonCode) -> None:
    res = score_reflection(ORIGINAL, reflection)
    assert code in codes(res)
    assert res.neutrality == 0
    assert not res.forward and res.score < 50  # under the rubric's 50: coached privately first


def test_off_topic_turns_to_the_listeners_own_troubles() -> None:
    res = score_reflection(ORIGINAL, "Dispatch is a nightmare for me too. My printer jammed all week.")
    assert not res.gate_passed and not res.forward and res.score < 30.5  # 30 or less, as whole numbers
    # the model reads it as off topic or as the listener's counter-story: either way it is held back
    assert codes(res) & {R.OFF_TOPIC, R.NOT_A_REFLECTION_REBUTTAL}


def test_partial_facts_without_feeling_or_need_passes_with_tips() -> None:
    res = score_reflection(
        ORIGINAL, "I changed your route on Tuesday after you'd loaded, and you reloaded twice."
    )
    assert {R.FEELING_MISSING, R.NEED_MISSING} <= codes(res)
    assert res.gate_passed and not res.forward
    assert res.label == "partial"
    assert res.score < score_reflection(ORIGINAL, GOOD).score


def test_parroting_with_i_and_you_swapped_is_caught() -> None:
    refl = (
        "On Tuesday I moved your delivery route after you had already loaded the van, so you had to "
        "unload and reload it twice and you were late picking up your kids. You're stressed and exhausted."
    )
    res = score_reflection(ORIGINAL, refl)
    assert R.PARROTING in codes(res)
    assert res.own_words == 0
    assert not res.forward


@pytest.mark.parametrize(
    "reflection",
    [
        # wrong day
        "On Thursday I changed your route after the van was loaded, so you reloaded twice and were late for "
        "your kids. You're stressed and exhausted, and you need routes confirmed the evening before.",
        # wrong number
        "On Tuesday I changed your route after the van was loaded, so you reloaded it five times and were "
        "late for your kids. You're stressed and exhausted, and you need routes confirmed the evening "
        "before.",
    ],
)
def test_distorted_facts_are_not_forwarded(reflection: str) -> None:
    res = score_reflection(ORIGINAL, reflection)
    assert R.FACTS_DISTORTED in codes(res)
    assert not res.forward


def test_a_faux_feeling_attributed_to_them_is_not_credited() -> None:
    refl = (
        "On Tuesday I changed your route after you'd loaded the van, so you reloaded it twice and were "
        "late for your kids. You feel attacked by me, and you need routes confirmed the evening before."
    )
    res = score_reflection(ORIGINAL, refl)
    assert R.FEELING_MISSING in codes(res)
    assert res.feelings == 0
    assert not res.forward


def test_the_listeners_own_feelings_are_not_credited_as_theirs() -> None:
    refl = (
        "On Tuesday I changed your route after you'd loaded the van and you reloaded twice. I was "
        "stressed too. You need routes confirmed the evening before."
    )
    res = score_reflection(ORIGINAL, refl)
    assert res.feelings == 0


def test_reasons_are_warm_and_never_shaming() -> None:
    for refl in ("Whatever, it was only one route.", "You should just relax.", "Which van?"):
        res = score_reflection(ORIGINAL, refl)
        assert res.reasons
        for r in res.reasons:
            text = reason_text(r)
            assert text and text[0].isupper()
            low = text.lower()
            assert "wrong" not in low and "bad" not in low and "fail" not in low


def test_scores_are_bounded_deterministic_and_ordered() -> None:
    a = score_reflection(ORIGINAL, GOOD)
    b = score_reflection(ORIGINAL, GOOD)
    assert a == b
    partial = score_reflection(ORIGINAL, "I changed your route on Tuesday after you'd loaded.")
    advice = score_reflection(ORIGINAL, "You should load later.")
    assert 0 <= advice.score < partial.score < a.score <= 100


def test_empty_reflection() -> None:
    res = score_reflection(ORIGINAL, "")
    assert not res.forward and res.score < 30.5  # 30 or less, as whole numbers


def test_a_wrong_name_is_a_distortion_only_when_people_are_named() -> None:
    def named_detail(original: str, reflection: str) -> set[str]:
        return {d.kind for d in analyse(original, reflection).distortions}

    named = "On Friday you put Ana on my shift without asking. I was angry. I need to be asked first."
    wrong = (
        "On Friday I put Maria on your shift without asking. You were angry, and you need to be asked first."
    )
    right = (
        "On Friday I put Ana on your shift without asking. You were angry, and you need to be asked first."
    )
    assert "name" in named_detail(named, wrong)
    res = score_reflection(named, wrong)
    assert R.FACTS_DISTORTED in codes(res) and not res.forward
    assert "name" not in named_detail(named, right)
    unnamed = "On Friday you moved my shift without asking. I was angry. I need to be asked first."
    zoom = (
        "On Friday I moved your shift on Zoom without asking. You were angry, and you need to be asked first."
    )
    assert "name" not in named_detail(unnamed, zoom)


def test_temporal_only_is_not_minimising() -> None:
    orig = (
        "I only found out about the cut from the spreadsheet on Monday. I was shocked. "
        "I need to be told directly."
    )
    refl = (
        "It was only when you opened the spreadsheet on Monday that you found out about the cut. You were "
        "shocked, and you need to be told directly."
    )
    res = score_reflection(orig, refl)
    assert R.MINIMISING not in codes(res)
    assert (
        res.gate_passed
    )  # forwarded; whether it counts as complete is the model's call (it reuses many words)


def test_a_number_moved_to_another_count_is_a_distortion() -> None:
    orig = (
        "Over the past six weeks I've covered the Friday late four times because you swapped out at the "
        "last minute. I'm worn down. I need swaps agreed 48 hours ahead."
    )
    wrong = (
        "Over the past six weeks you've covered my Friday late six times because I swapped at the last "
        "minute. You're worn down, and you need swaps agreed 48 hours ahead."
    )
    right = (
        "Four Fridays in six weeks you've ended up doing my late shift when I pulled out at short notice. "
        "It's worn you down, and two days' warning before any swap is what you need."
    )
    assert R.FACTS_DISTORTED in codes(score_reflection(orig, wrong))
    assert R.FACTS_DISTORTED not in codes(score_reflection(orig, right))
    assert score_reflection(orig, right).forward


def test_text_that_grows_when_lower_cased_does_not_crash() -> None:
    # "İ" lower-cases to two characters, so normalised offsets run past the raw text.
    result = score_reflection("İİİİİİİİİİİİ and then Bob left.", "You felt left out when Bob left.")
    assert 0 <= result.score <= 100


@pytest.mark.parametrize(
    "reply",
    [
        "So you were late for your kids?",
        "You had to reload it twice?",
        "And that was stressful?",
        "So the van was loaded already.",
        "You need routes confirmed.",
    ],
)
def test_the_score_keeps_the_decimals_of_what_the_model_reads(reply: str) -> None:
    # rounded to whole numbers, replies the model ranks apart tied (a third of a transcript sample at 0)
    res = score_reflection(ORIGINAL, reply)
    p = res.probabilities
    mix = SCORE_GOOD_WEIGHT * p["good"] + (1.0 - SCORE_GOOD_WEIGHT) * (1.0 - p["held"])
    floored = SCORE_FLOOR + (1.0 - SCORE_FLOOR) * mix
    assert res.score == pytest.approx(100.0 * floored * (1.0 - p["label.question"]), abs=0.02)


def test_a_reply_that_is_no_question_outranks_a_question_however_weak_a_reflection() -> None:
    # on transcripts, a question reusing the speaker's words (some "good", little "held") outranked a short
    # spoken reflection the model read as advice or a judgement (nothing "good", all "held")
    question = {"good": 0.3, "held": 0.2, "label.question": 0.9}
    spoken = {"good": 0.0, "held": 1.0, "label.question": 0.05}
    assert score_of(spoken) > score_of(question)
    # and among replies that are no question, the reading still orders them
    partial = {"good": 0.2, "held": 0.1, "label.question": 0.0}
    good = {"good": 0.95, "held": 0.0, "label.question": 0.0}
    assert score_of(spoken) < score_of(partial) < score_of(good) <= 100.0
