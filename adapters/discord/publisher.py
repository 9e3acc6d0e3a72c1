"""Posting digests to Discord channels through the REST API with the bot token.

Every scheduled message carries a ``nonce`` with ``enforce_nonce``: Discord returns the
message already created with that nonce instead of posting it again, so a retry after a crash
cannot duplicate it. A 429 is waited out (``retry_after``); 403/404 mean the channel is gone
or forbidden, and the subscription is paused.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from adapters.discord.embeds import to_messages
from bot.errors import DeliveryError, DestinationGone, RateLimited
from bot.models import Digest
from bot.subscriptions import Subscription

API_BASE = "https://discord.com/api/v10"
TRIES = 3
MAX_WAIT_S = 60.0


def nonce(key: str, part: int) -> str:
    """A nonce per message of a delivery: at most 25 characters, as Discord requires."""
    return hashlib.sha256(f"{key}:{part}".encode()).hexdigest()[:25]


class DiscordPublisher:
    idempotent = True

    def __init__(
        self,
        client: httpx.AsyncClient,
        token: str,
        *,
        api_base: str = API_BASE,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bot {token}"}
        self.api_base = api_base.rstrip("/")
        self.sleep = sleep

    async def _send(self, channel: str, payload: dict[str, Any]) -> str:
        url = f"{self.api_base}/channels/{channel}/messages"
        for _ in range(TRIES):
            try:
                response = await self.client.post(url, json=payload, headers=self.headers)
            except httpx.HTTPError as exc:
                raise DeliveryError(f"Discord could not be reached ({type(exc).__name__})") from exc
            if response.status_code in (403, 404):
                status = response.status_code
                raise DestinationGone(
                    f"Discord answered HTTP {status} for {channel}: gone or forbidden"
                )
            if response.status_code != 429:
                break
            wait = float((response.json() or {}).get("retry_after", 1.0))
            if wait > MAX_WAIT_S:
                raise RateLimited(
                    f"Discord is rate limiting channel {channel} for {wait:.0f} s", wait
                )
            await self.sleep(wait)
        if response.status_code == 429:
            raise RateLimited(f"Discord kept rate limiting channel {channel}", 1.0)
        if response.status_code >= 300:
            detail = f"HTTP {response.status_code} {response.text[:200]}"
            raise DeliveryError(f"Discord refused the post to {channel}: {detail}")
        return str(response.json()["id"])

    async def post(self, channel: str, digest: Digest, *, key: str = "") -> str:
        """Post every message of a digest; the id of the first one."""
        ids = []
        for part, message in enumerate(to_messages(digest)):
            payload = dict(message)
            if key:
                payload |= {"nonce": nonce(key, part), "enforce_nonce": True}
            ids.append(await self._send(channel, payload))
        return ids[0]

    async def publish(self, sub: Subscription, digest: Digest, *, key: str) -> str:
        return await self.post(sub.destination, digest, key=key)
