"""The edge's form decoding gives exactly what the standard library gives, on any text."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.payloads import form_fields, read_body, unquote_form

# Text made of the characters that matter to form decoding, plus anything at all.
_tricky = st.text(alphabet=st.sampled_from(list("%+&=\\xX0123456789aAfFgé€ \n")), max_size=40)
_anything = st.text(max_size=40)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_tricky, _anything))
def test_unquote_matches_the_standard_library(text: str) -> None:
    from urllib.parse import unquote_plus

    assert unquote_form(text) == unquote_plus(text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_tricky, _anything))
def test_form_fields_match_parse_qsl(text: str) -> None:
    assert form_fields(text) == dict(parse_qsl(text, keep_blank_values=True))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=5))
def test_an_encoded_payload_round_trips(payload: dict[str, str]) -> None:
    for encode in (quote_plus, quote):
        body = f"payload={encode(json.dumps(payload))}&ssl_check=".encode()
        assert read_body(body, "application/x-www-form-urlencoded") == payload


def test_a_slash_commands_fields() -> None:
    body = b"command=%2Fmediate&text=status+now&user_id=U1&response_url=https%3A%2F%2Fhooks.slack.com%2Fx"
    assert read_body(body, "application/x-www-form-urlencoded") == {
        "command": "/mediate",
        "text": "status now",
        "user_id": "U1",
        "response_url": "https://hooks.slack.com/x",
    }
