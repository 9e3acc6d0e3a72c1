"""Posting digests through incoming webhooks (Slack, Discord): no bot to host at all.

A webhook URL is used as given (any host: proxies and local fakes work) and never shown in
full. 404/403/410 mean the webhook is gone; 429 is waited out (``Retry-After``) a few times.
Webhooks offer no idempotency, so a post interrupted by a crash is not retried blindly (the
ledger marks it uncertain).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bot.errors import DeliveryError, DestinationGone, RateLimited
from bot.models import Digest
from bot.subscriptions import Subscription

GONE = frozenset({401, 403, 404, 410})
RATE_LIMIT_TRIES = 3
MAX_WAIT_S = 60.0


def platform_of(url: str) -> str | None:
    """``slack`` or ``discord`` for their webhook URLs; None for any other host."""
    host = httpx.URL(url).host
    if host == "hooks.slack.com":
        return "slack"
    if host in ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"):
        return "discord"
    return None


class WebhookPublisher:
    idempotent = False

    def __init__(
        self,
        client: httpx.AsyncClient,
        platform: str,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.platform = platform
        self.sleep = sleep

    async def _post(self, url: str, payload: dict[str, Any]) -> httpx.Response:
        for _ in range(RATE_LIMIT_TRIES):
            try:
                response = await self.client.post(url, json=payload)
            except httpx.HTTPError as exc:
                raise DeliveryError(
                    f"the {self.platform} webhook could not be reached ({type(exc).__name__})"
                ) from exc
            if response.status_code in GONE:
                status = response.status_code
                raise DestinationGone(
                    f"the {self.platform} webhook answered HTTP {status}: gone or forbidden"
                )
            if response.status_code != 429:
                break
            wait = _retry_after(response)
            if wait > MAX_WAIT_S:
                raise RateLimited(
                    f"the {self.platform} webhook is rate limited for {wait:.0f} s", wait
                )
            await self.sleep(wait)
        if response.status_code == 429:
            raise RateLimited(
                f"the {self.platform} webhook stayed rate limited", _retry_after(response)
            )
        if response.status_code >= 300:
            raise DeliveryError(f"the {self.platform} webhook answered HTTP {response.status_code}")
        return response

    async def publish(self, sub: Subscription, digest: Digest, *, key: str) -> str:
        from adapters.discord.embeds import to_messages as discord_messages
        from adapters.slack.blocks import to_messages as slack_messages

        if self.platform == "discord":
            url = str(httpx.URL(sub.destination).copy_merge_params({"wait": "true"}))
            ids = []
            for message in discord_messages(digest):
                response = await self._post(url, message)
                ids.append(str(response.json().get("id", "")) if response.content else "")
            return ids[0] if ids else ""
        sent = 0
        for message in slack_messages(digest):
            await self._post(
                sub.destination, {**message, "unfurl_links": False, "unfurl_media": False}
            )
            sent += 1
        return f"webhook:{sent}"


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After") or response.json().get("retry_after", 1.0))
    except (ValueError, AttributeError):
        return 1.0
