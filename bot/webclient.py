"""The Web API client the app and the worker share, with bounded retries, and how a failed call is
read: Slack's error code (guarded: a 500 with an HTML or broken JSON body has none), and whether
trying again later may help."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

# Bounded, so that a call never waits long in the process that serves clicks: what still fails
# goes back to the outbox, which retries later (bot/outbox.py).
RETRIES = 2
RETRY_AFTER_CAP_SECONDS = 5.0
SERVER_ERRORS = frozenset({500, 502, 503, 504})
# `ok: false` answers that mean Slack itself had a bad moment, not that the call was wrong.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def _status(response: Any) -> int:
    """The HTTP status of a Web API response, whichever object the SDK attached."""
    for name in ("status_code", "status"):
        value = getattr(response, name, None)
        if isinstance(value, int):
            return value
    return 0


def _header(response: Any, name: str) -> str | None:
    headers = getattr(response, "headers", None) or {}
    try:
        for key, value in headers.items():
            if str(key).lower() == name:
                return str(value[0] if isinstance(value, list) and value else value)
    except (AttributeError, TypeError):
        return None
    return None


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code for a failed call ("ratelimited", "user_not_found"…), or `http_<status>`
    when the answer had no readable JSON body. Never raises, whatever the SDK attached."""
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    status = _status(exc.response)
    return f"http_{status}" if status else "unknown"


def retry_after(exc: BaseException) -> float | None:
    """Seconds Slack asked us to wait (`Retry-After`), when it did."""
    if not isinstance(exc, SlackApiError):
        return None
    value = _header(exc.response, "retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def is_transient(exc: BaseException) -> bool:
    """True when trying again later may help: rate limited, a server error, a connection problem."""
    if isinstance(exc, SlackApiError):
        return _status(exc.response) in SERVER_ERRORS | {429} or slack_error(exc) in TRANSIENT_ERRORS
    return isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | SlackRequestError | OSError)


class RateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Waits out a 429 for as long as `Retry-After` says, when that is at most `max_wait` seconds; a
    longer wait is left to the outbox, which honours it too (a request never holds on for a minute)."""

    def __init__(self, max_retry_count: int, max_wait: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = _header(response, "retry-after")
        try:
            return wait is None or float(wait) <= self.max_wait
        except ValueError:
            return True


class ServerErrorRetry(AsyncServerErrorRetryHandler):
    """Retries a 5xx, including one whose body is not JSON (the SDK then raises `SlackApiError`
    carrying the raw HTTP response instead of returning one)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code in SERVER_ERRORS:
            return True
        return isinstance(error, SlackApiError) and _status(error.response) in SERVER_ERRORS


def retry_handlers(*, patient: bool = True) -> list[AsyncRetryHandler]:
    """Connection errors, 5xx and 429 (honouring `Retry-After`), each retried a bounded number of
    times with exponential backoff and jitter. Patient (effects, after the ack): `RETRIES` times,
    waiting up to `RETRY_AFTER_CAP_SECONDS`. Not patient (listeners, which may call before their
    ack or hold a trigger_id that expires in 3 s): once, quickly, a 429 only if it asks for ≤ 1 s."""
    retries, factor, max_wait = (RETRIES, 0.25, RETRY_AFTER_CAP_SECONDS) if patient else (1, 0.1, 1.0)
    backoff = BackoffRetryIntervalCalculator(backoff_factor=factor)
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=retries, interval_calculator=backoff),
        ServerErrorRetry(max_retry_count=retries, interval_calculator=backoff),
        RateLimitRetry(max_retry_count=retries, max_wait=max_wait),
    ]


def web_client(
    token: str, base_url: str, session: aiohttp.ClientSession | None = None, *, patient: bool = True
) -> AsyncWebClient:
    """The Web API client, with `retry_handlers` (see there for `patient`)."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        session=session,
        logger=logging.getLogger("slack_sdk.web"),
        retry_handlers=retry_handlers(patient=patient),
    )
