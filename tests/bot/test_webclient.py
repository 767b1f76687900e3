"""The Web API client's retries against the stand-in having a bad moment, and how a failure is read."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError

from bot.sandbox.webapi import SlackStandIn
from bot.webclient import RETRIES, is_transient, retry_after, slack_error, web_client


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as running:
        running.add_user("ann")
        yield running


async def test_a_429_is_retried_after_the_time_slack_asked_for(standin: SlackStandIn) -> None:
    client = web_client(standin.bot_token, standin.api_url)
    standin.inject_fault("auth.test", status=429, retry_after=1, calls=1)
    started = time.monotonic()
    response = await client.auth_test()
    assert response["ok"] is True
    assert time.monotonic() - started >= 1.0
    assert [c.ok for c in standin.calls_to("auth.test")] == [False, True]


@pytest.mark.parametrize("body", ["json", "html", "broken"])
async def test_a_server_error_is_retried_a_bounded_number_of_times_and_read_safely(
    standin: SlackStandIn, body: str
) -> None:
    client = web_client(standin.bot_token, standin.api_url)
    standin.inject_fault("auth.test", status=500, body=body, retry_after=None)
    with pytest.raises(SlackApiError) as raised:
        await client.auth_test()
    assert len(standin.calls_to("auth.test")) == 1 + RETRIES
    assert slack_error(raised.value) in ("internal_error", "http_500")
    assert is_transient(raised.value)


async def test_a_long_retry_after_is_left_to_the_outbox(standin: SlackStandIn) -> None:
    client = web_client(standin.bot_token, standin.api_url)
    standin.inject_fault("auth.test", status=429, retry_after=30)
    with pytest.raises(SlackApiError) as raised:
        await client.auth_test()
    assert len(standin.calls_to("auth.test")) == 1
    assert slack_error(raised.value) == "ratelimited"
    assert retry_after(raised.value) == 30
    assert is_transient(raised.value)


async def test_a_refusal_is_not_worth_retrying(standin: SlackStandIn) -> None:
    client = web_client(standin.bot_token, standin.api_url)
    standin.set_error("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C0NOPE", text="hello")
    assert slack_error(raised.value) == "channel_not_found"
    assert not is_transient(raised.value)
    assert retry_after(raised.value) is None


async def test_faults_can_be_injected_and_cleared_over_http(standin: SlackStandIn) -> None:
    import aiohttp

    client = web_client(standin.bot_token, standin.api_url)
    async with aiohttp.ClientSession() as http:
        spec = {"method": "auth.test", "status": 503, "body": "html", "retry_after": None}
        async with http.post(f"{standin.url}/_faults", json=spec) as answer:
            assert answer.status == 200
        with pytest.raises(SlackApiError):
            await client.auth_test()
        async with http.delete(f"{standin.url}/_faults") as answer:
            assert answer.status == 200
    assert (await client.auth_test())["ok"] is True
    assert not standin.rejected  # injected faults are not the app's mistakes


async def test_the_listeners_client_never_waits_long(standin: SlackStandIn) -> None:
    client = web_client(standin.bot_token, standin.api_url, patient=False)
    standin.inject_fault("auth.test", status=429, retry_after=3)
    started = time.monotonic()
    with pytest.raises(SlackApiError):
        await client.auth_test()
    assert time.monotonic() - started < 1.0  # a trigger_id lives 3 s: no waiting out a 3 s Retry-After
    assert len(standin.calls_to("auth.test")) == 1
