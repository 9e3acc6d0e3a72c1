"""How every source talks HTTP: politely spaced, retried with backoff, failures made SourceErrors.

Timeouts, connection errors, 429 and 5xx are retried with exponential backoff; a
``Retry-After`` header is honoured (when it asks for longer than ``max_retry_after`` the source
gives up at once instead of stalling the digest). Everything else, and what is still failing
after the last attempt, becomes ``SourceError(source, reason)``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from bot.errors import SourceError
from bot.polite import Gate

Params = Mapping[str, str | int]
Sleep = Callable[[float], Awaitable[None]]

ATTEMPTS = 3
BACKOFF_S = 1.0
MAX_RETRY_AFTER_S = 60.0


class _RetryableError(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def retry_after(response: httpx.Response, now: dt.datetime) -> float | None:
    """Seconds to wait according to a Retry-After header (delta-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How often a request is tried, the first backoff (doubling), the longest Retry-After."""

    attempts: int = ATTEMPTS
    backoff: float = BACKOFF_S
    max_retry_after: float = MAX_RETRY_AFTER_S


DEFAULT_RETRY = RetryPolicy()


class Fetcher:
    """One source's HTTP: a gate between its requests and retries around each of them."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        source: str,
        *,
        interval: float = 0.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.source = source
        self.gate = Gate(interval, sleep=sleep)
        self.attempts = retry.attempts
        self.backoff = retry.backoff
        self.max_retry_after = retry.max_retry_after
        self.sleep = sleep

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _RetryableError) and error.retry_after is not None:
            return error.retry_after
        return float(self.backoff * 2 ** (state.attempt_number - 1))

    async def _once(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            async with self.gate.slot():
                response = await self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise _RetryableError("timed out") from exc
        except httpx.TransportError as exc:
            raise _RetryableError(f"unreachable ({type(exc).__name__})") from exc
        status = response.status_code
        if status == 429 or status >= 500:
            wait = retry_after(response, dt.datetime.now(dt.UTC))
            reason = f"HTTP {status}"
            if wait is not None and wait > self.max_retry_after:
                raise SourceError(self.source, f"{reason}, retry after {wait:.0f} s")
            raise _RetryableError(reason, wait)
        if status in (401, 403):
            raise SourceError(self.source, f"HTTP {status}: credentials refused")
        if status != 200:
            raise SourceError(self.source, f"HTTP {status}")
        try:
            return json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SourceError(self.source, "answered with malformed JSON") from exc

    async def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """The decoded JSON of a request, after retries; SourceError when it cannot be had."""
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.attempts),
                wait=self._wait,
                retry=retry_if_exception_type(_RetryableError),
                sleep=self.sleep,
                reraise=True,
            ):
                with attempt:
                    return await self._once(method, url, **kwargs)
        except _RetryableError as exc:
            raise SourceError(self.source, exc.reason) from exc
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    async def get(
        self, url: str, *, params: Params | None = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        return await self.json("GET", url, params=params, headers=headers)
