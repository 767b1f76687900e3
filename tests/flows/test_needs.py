"""Need words: each person's needs are named in our own words, even when said without a stock word."""

from __future__ import annotations

import pytest

from flows.needs import named_needs, shared_needs

SAID = [
    ("Clarity and being consulted before dates change matter to me.", {"clarity", "being consulted"}),
    ("I need to know I can count on you to keep your word.", {"trust"}),
    ("Having my side heard before anything is decided.", {"being heard"}),
    ("Some breathing room in the evenings.", {"rest"}),
    ("I want us to feel like one team again.", {"collaboration"}),
    ("Being kept in the loop and asked before my work is reassigned.", {"being consulted"}),
    ("Not being micromanaged; room to do it my own way.", {"autonomy"}),
    ("Feeling part of the team, not left out of the planning.", {"belonging", "predictability"}),
    ("That you're straight with me, even when it's bad news.", {"honesty"}),
    ("Being told off in private, not in front of the whole team.", {"privacy"}),
]


@pytest.mark.parametrize(("text", "needs"), SAID)
def test_needs_said_in_many_ways_are_named(text: str, needs: set[str]) -> None:
    assert needs <= set(named_needs(text))


@pytest.mark.parametrize(
    ("text", "needs"),
    [("I'm thinking about my career.", ["growth"]), ("We met at the restaurant.", []), ("It was fine.", [])],
)
def test_words_that_only_look_like_needs_are_not(text: str, needs: list[str]) -> None:
    assert named_needs(text) == needs  # "career" is growth, not care; "restaurant" is not rest


def test_shared_needs_are_what_both_name() -> None:
    assert shared_needs("I need support and clarity.", "Clarity about who decides.") == ["clarity"]
    assert shared_needs("Rest at weekends.", "Being heard.") == []
