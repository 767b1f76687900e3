"""Statement review: each nudge kind, the false alarms, spans, suggestions and determinism."""

from __future__ import annotations

import pytest

from flows.coach import NudgeKind, StatementReview, review_statement

K = NudgeKind


def kinds(text: str) -> set[str]:
    return {k.value for k in review_statement(text).kinds}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # blame
        ("Because of you I had to redo the whole deck.", {"blame"}),
        ("It's your fault the order went out late.", {"blame"}),
        ("You made me look like a fool in front of the client.", {"blame"}),
        ("You wrecked the demo with your last-minute changes.", {"blame"}),
        ("You don't care about anyone on nights.", {"blame"}),
        ("If you had told me earlier, we would have made the deadline.", {"blame"}),
        # absolute (+ blame when it is about "you")
        ("You always book the meeting room without asking.", {"absolute", "blame"}),
        ("You never answer the phone on Fridays.", {"absolute", "blame"}),
        ("Every time I raise it, you change the subject.", {"absolute", "blame"}),
        ("She constantly forgets to sign the log.", {"absolute"}),
        # contempt
        ("What an idiot move that was.", {"contempt"}),
        ("Oh sure, because that worked so well last time.", {"contempt"}),
        ("Great plan, launching on a bank holiday.", {"contempt"}),
        ("Thanks for the 'help' with the rota. Really helpful.", {"contempt"}),
        # defensiveness
        ("That's not my fault, the vendor was late.", {"defensiveness"}),
        ("Yes, but nobody told me the date had moved.", {"defensiveness"}),
        ("You're the one who approved the budget.", {"defensiveness"}),
        ("I was just following the checklist.", {"defensiveness"}),
        # stonewalling
        ("Whatever.", {"stonewalling"}),
        ("Forget it, I'll do it myself.", {"stonewalling"}),
        ("I'm done talking about this.", {"stonewalling"}),
        ("Fine. Have it your way.", {"stonewalling"}),
        # faux feelings
        ("I feel ignored in the planning channel.", {"faux_feeling"}),
        ("I felt betrayed when the email was forwarded.", {"faux_feeling"}),
        ("I'm feeling so unappreciated lately.", {"faux_feeling"}),
        ("Honestly I feel manipulated and used.", {"faux_feeling"}),
        # thought dressed as a feeling
        ("I feel like you don't trust me.", {"thought_as_feeling"}),
        ("I feel that the decision was already made.", {"thought_as_feeling"}),
        ("It feels like nobody reads the handover notes.", {"thought_as_feeling"}),
        # demand
        ("You need to reply within the hour.", {"demand"}),
        ("You must tell me before you move my shifts.", {"demand"}),
        ("You should apologise to the team.", {"demand"}),
        ("Stop changing my slides without asking.", {"demand"}),
        # evaluation
        ("Your comments were rude and unprofessional.", {"evaluation"}),
        ("That was careless.", {"evaluation"}),
        ("He is so lazy about the washing up.", {"evaluation"}),
    ],
)
def test_each_kind_is_flagged(text: str, expected: set[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We always ship on Friday, and this week the release slipped to Monday. I was worried, because I "
        "need customers to get the fix. Could we check the release checklist together tomorrow?",
        "Our pipeline always runs the full test suite.",
        "I don't think you're lazy. I think you're overloaded, and I'm worried about you.",
        "I'm not saying the report was careless; I'd just like a second pair of eyes on it.",
        'He wrote "you\'re lazy" in the chat, and I felt hurt reading it. Could we talk about it?',
        "Could you tell me when the new rota starts? I'm a bit nervous about childcare.",
        "Do you always run the tests before lunch?",
        "I should have flagged the risk earlier, and I'm sorry.",
        "I'm done with the slides, and I'd love your eyes on them. Could you look by Wednesday?",
        "You should have seen the queue this morning: it went out the door. I was anxious for the "
        "patients waiting in the cold. Could we open the second till when it gets busy?",
        "I feel sad that the farewell lunch was planned without me. Could you add me next time?",
        "Monday is fine for me. Could we go through the open tickets before you leave?",
        "When the sprint scope changed on Wednesday without a message, I felt anxious, because I need "
        "time to plan testing. Would you be willing to post scope changes before they happen?",
        "I felt hurt and lonely when lunch was planned in a thread I'm not in. Belonging matters to me.",
        "You don't have to apologise; I just want us to agree on a plan.",
        "If you need to leave early on Friday, that's fine with me.",
        "Thanks for the update. Really helpful.",
        "Thanks to your help, we finished early.",
        "It was really kind of you to stay late.",
        "You should be proud of the launch.",
        "You must be exhausted after that week.",
        "Fine by me, let's do Thursday.",
        "Whatever works for you is fine.",
        "You need to know that I'm struggling, and I'd like to talk about it.",
    ],
)
def test_false_alarms_stay_quiet(text: str) -> None:
    review = review_statement(text)
    assert review.nudges == [], [(n.kind.value, n.quote) for n in review.nudges]


def test_clean_i_statement_has_no_nudges() -> None:
    review = review_statement(
        "When my shift changed on the board without a call, I was worried, because I have childcare on "
        "Saturdays. Could you text me when my shifts move?"
    )
    assert review.clean
    assert review.kinds == []


@pytest.mark.parametrize(
    ("text", "kind", "quote"),
    [
        ("I feel ignored when I post in the channel.", K.FAUX_FEELING, "ignored"),
        ("You always change the plan.", K.ABSOLUTE, "always"),
        ("Your review was sloppy.", K.EVALUATION, "sloppy"),
        ("Whatever. Do it your way.", K.STONEWALLING, "Whatever"),
        ("It's not my fault, really.", K.DEFENSIVENESS, "not my fault"),
        ("Seriously, you need to reply to my messages.", K.DEMAND, "you need to reply to my messages"),
        ("I feel like you don't trust me.", K.THOUGHT_AS_FEELING, "I feel like you don't trust me"),
    ],
)
def test_spans_point_at_the_flagged_words(text: str, kind: NudgeKind, quote: str) -> None:
    review = review_statement(text)
    found = [n for n in review.nudges if n.kind is kind]
    assert found, review.kinds
    start, end = found[0].span
    assert text[start:end] == quote
    assert found[0].quote == quote


def test_spans_are_valid_offsets_for_every_nudge() -> None:
    text = "Typical. You never listen, and your notes were sloppy. I feel attacked. You must stop."
    review = review_statement(text)
    assert len(review.nudges) >= 4
    for n in review.nudges:
        start, end = n.span
        assert 0 <= start < end <= len(text)
        assert text[start:end].strip() == text[start:end]


def test_faux_feeling_suggestion_names_feelings_and_needs_underneath() -> None:
    review = review_statement("I feel ignored when I post in the team channel.")
    (nudge,) = review.nudges
    assert nudge.kind is K.FAUX_FEELING
    assert "hurt" in nudge.suggestion and "lonely" in nudge.suggestion
    assert "included" in nudge.suggestion


def test_blame_suggestion_is_an_i_statement_from_their_own_words() -> None:
    review = review_statement("You always change the plan at the last minute.")
    blame = next(n for n in review.nudges if n.kind is K.BLAME)
    s = blame.suggestion
    assert "When you change the plan at the last minute" in s
    assert "I felt" in s and "because I need" in s and "Would you be willing to" in s


def test_blame_suggestion_reuses_feelings_and_needs_they_already_named() -> None:
    text = "Because of you I had to cancel my holiday. I'm exhausted and I need the rota to be fair."
    blame = next(n for n in review_statement(text).nudges if n.kind is K.BLAME)
    assert "When I had to cancel my holiday" in blame.suggestion
    assert "I felt exhausted" in blame.suggestion


def test_demand_suggestion_turns_it_into_a_request() -> None:
    nudge = review_statement("You need to reply to my messages within the hour.").nudges[0]
    assert nudge.kind is K.DEMAND
    assert "Would you be willing to reply to my messages within the hour?" in nudge.suggestion


def test_every_nudge_explains_itself() -> None:
    text = (
        "You always do this. I feel that you're sabotaging me. You're an idiot. Whatever. "
        "Not my fault. I feel used. You must stop. Your work is sloppy."
    )
    review = review_statement(text)
    assert {k.value for k in review.kinds} >= {
        "absolute",
        "blame",
        "thought_as_feeling",
        "contempt",
        "stonewalling",
        "defensiveness",
        "faux_feeling",
        "demand",
        "evaluation",
    }
    for n in review.nudges:
        assert n.suggestion
        assert "stupid" not in n.suggestion.lower()


def test_review_is_deterministic_and_serialisable() -> None:
    text = "You never listen. I feel ignored. You have to change."
    a, b = review_statement(text), review_statement(text)
    assert a == b
    assert a.model_dump_json() == b.model_dump_json()
    again = StatementReview.model_validate_json(a.model_dump_json())
    assert again.nudges == a.nudges


def test_models_are_frozen() -> None:
    review = review_statement("You never listen.")
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError on frozen models
        review.nudges[0].kind = K.DEMAND  # type: ignore[misc]


def test_empty_and_odd_input() -> None:
    assert review_statement("").nudges == []
    assert review_statement("   \n ").nudges == []
    assert review_statement("…!?").nudges == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("If you had checked the order, we wouldn't have lost the customer.", "When we lost the customer"),
        ("If you had checked the order, we wouldn't have lost the customer.", "willing to check the order"),
        ("Every time I ask for help you act like I'm bothering you.", "When I ask for help [on one specific"),
        ("You don't listen to anyone in standup.", "because I need to be heard"),
        ("You ruined the launch with your sloppy testing.", "When the launch went wrong"),
    ],
)
def test_blame_suggestions_are_shaped_from_the_words_used(text: str, fragment: str) -> None:
    blame = next(n for n in review_statement(text).nudges if n.kind is K.BLAME)
    assert fragment in blame.suggestion
