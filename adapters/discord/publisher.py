"""Posting digests to Discord channels through the REST API with the bot token.

Every message carries a ``nonce`` with ``enforce_nonce``: within a few minutes Discord returns
the message already created with that nonce instead of posting it again. After a crash or a
lost answer, ``find`` reads the channel's recent messages and matches the nonce (or, where
Discord leaves it out, the same embeds by a bot — the deliverer never takes a message that the
ledger already records for another delivery), so a retry never duplicates a message.
403/404 mean the channel is gone or forbidden, and the subscription is paused. A posted
message is refreshed in place with a PATCH.

Rate limits: ``paces`` declares Discord's (``adapters.discord.limits``: 50 requests a second
for the bot, 5 every 5 seconds per channel), and the publisher itself reads the buckets from
the headers (``X-RateLimit-Bucket``, ``-Remaining``, ``-Reset-After``): a bucket that is empty
holds back the next request to that route and channel only, until it resets; only a global 429
(``X-RateLimit-Global``) holds back every channel, as Discord then refuses them all. On a
scheduled post, an empty bucket or a 429 comes back at once as RateLimited with how long to
wait, for the Deliverer to wait out without holding its place; ``post`` (outside the ledger)
waits it out itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.discord.embeds import to_messages
from adapters.discord.limits import discord_paces
from adapters.webhooks import edit_message, message_id, send_once
from bot.delivery import message_key
from bot.errors import DeliveryError, DestinationGone, MaybePosted, RateLimited
from bot.models import Digest
from bot.ports import Pace
from bot.subscriptions import Subscription

API_BASE = "https://discord.com/api/v10"
TRIES = 3
MAX_WAIT_S = 60.0
HISTORY = 50
POST_MESSAGE = "POST /channels/{channel_id}/messages"


def post_key(channel: str, digest: Digest) -> str:
    """The idempotency key of a one-off post: the same channel, day and filters, the same key."""
    f = digest.filters
    what = (
        f"{channel}:{digest.date}:{digest.view}:{f.categories}:{f.keywords}:{f.min_score}:{f.top}"
    )
    if f.all_keywords or f.exclude or f.authors:  # absent: the keys of before stay the same
        what += f":{f.all_keywords}:{f.exclude}:{f.authors}"
    return hashlib.sha256(what.encode()).hexdigest()[:25]


def _shape(m: Mapping[str, Any]) -> tuple[object, ...]:
    embeds = m.get("embeds")
    return (
        str(m.get("content") or ""),
        tuple(
            (str(e.get("title", "")), str(e.get("description", "")))
            for e in (embeds if isinstance(embeds, list) else [])
            if isinstance(e, dict)
        ),
    )


def _same(found: Mapping[str, Any], message: Mapping[str, Any]) -> bool:
    """A bot's message with the same content and embeds (history shapes are untrusted)."""
    author = found.get("author")
    return isinstance(author, dict) and bool(author.get("bot")) and _shape(found) == _shape(message)


@dataclass(slots=True, kw_only=True)
class _Bucket:
    remaining: int
    reset_at: float


class Buckets:
    """Discord's rate-limit buckets as its answers describe them, per route and channel.

    A route's bucket is named by ``X-RateLimit-Bucket`` (routes may share one); its state is
    kept per top-level resource (the channel), as Discord counts it. It says how long to wait
    (``delay``); the caller waits. Time is injected so that tests run without waiting.
    """

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self.names: dict[str, str] = {}
        self.state: dict[str, _Bucket] = {}
        self.global_until = 0.0

    def _key(self, route: str, major: str) -> str:
        return f"{self.names.get(route, route)}:{major}"

    def delay(self, route: str, major: str) -> float:
        """Seconds until a request to ``route`` for ``major`` may go: its bucket is not empty
        (or has reset) and no global limit is in force; 0 for one that may go now, which takes
        one from the bucket's count, so that concurrent ones do not all spend the same last
        request."""
        key = self._key(route, major)
        now = self.monotonic()
        until = self.global_until
        bucket = self.state.get(key)
        if bucket is not None:
            if bucket.reset_at <= now:
                del self.state[key]  # reset: full again, as the next answer will say
            elif bucket.remaining > 0:
                bucket.remaining -= 1
            else:
                until = max(until, bucket.reset_at)
        return max(0.0, until - now)

    def learn(self, route: str, major: str, response: httpx.Response) -> None:
        """Record what an answer says of its bucket (headers that are missing or odd: nothing)."""
        headers = response.headers
        now = self.monotonic()
        if response.status_code == 429 and headers.get("X-RateLimit-Global", "").lower() == "true":
            self.global_until = max(self.global_until, now + _retry_after(response))
            return
        if name := headers.get("X-RateLimit-Bucket", ""):
            self.names[route] = name
        try:
            remaining = int(headers["X-RateLimit-Remaining"])
            reset_after = float(headers["X-RateLimit-Reset-After"])
        except (KeyError, ValueError):
            return
        if reset_after >= 0:
            self.state[self._key(route, major)] = _Bucket(
                remaining=remaining, reset_at=now + min(reset_after, MAX_WAIT_S)
            )


class DiscordPublisher:
    def __init__(
        self,
        client: httpx.AsyncClient,
        token: str,
        *,
        api_base: str = API_BASE,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bot {token}"}
        self.api_base = api_base.rstrip("/")
        self.sleep = sleep
        self.buckets = Buckets(monotonic=monotonic)

    def paces(self, sub: Subscription) -> Sequence[Pace]:
        return discord_paces(sub.destination)

    def _gone(self, response: httpx.Response, channel: str) -> None:
        if response.status_code in (403, 404):
            status = response.status_code
            raise DestinationGone(
                f"Discord answered HTTP {status} for {channel}: gone or forbidden"
            )

    async def _send(self, channel: str, payload: Mapping[str, Any]) -> str:
        """Post once. An empty bucket or a 429 is raised at once as RateLimited, with how long
        to wait: the Deliverer waits it out without holding its place (``Slots``)."""
        url = f"{self.api_base}/channels/{channel}/messages"
        if (ahead := self.buckets.delay(POST_MESSAGE, channel)) > 0:
            raise RateLimited(f"Discord's bucket for channel {channel} is empty", ahead)
        response = await send_once(
            self.client, "Discord", "POST", url, json=payload, headers=self.headers
        )
        self.buckets.learn(POST_MESSAGE, channel, response)
        self._gone(response, channel)
        if response.status_code == 429:
            wait = _retry_after(response)
            raise RateLimited(f"Discord is rate limiting channel {channel} for {wait:.1f} s", wait)
        detail = f"HTTP {response.status_code} {response.text[:200]}"
        if response.status_code >= 500:
            raise MaybePosted(f"Discord failed on the post to {channel}: {detail}")
        if response.status_code >= 300:
            raise DeliveryError(f"Discord refused the post to {channel}: {detail}")
        return message_id(response, "Discord")

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        return to_messages(digest, with_buttons=True)

    def editable(self, sub: Subscription) -> bool:
        return True

    async def edit(
        self, sub: Subscription, message_id: str, message: Mapping[str, Any], *, key: str
    ) -> None:
        """Replace the message ``message_id`` of the channel with ``message``."""
        channel = sub.destination
        url = f"{self.api_base}/channels/{channel}/messages/{message_id}"
        await edit_message(
            self.client, f"Discord channel {channel}", url, message, headers=self.headers
        )

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        payload = {**message, "nonce": key, "enforce_nonce": True} if key else message
        return await self._send(sub.destination, payload)

    async def find(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str | None:
        """The id of the recent message with this nonce (or these embeds by a bot); None."""
        channel = sub.destination
        try:
            response = await self.client.get(
                f"{self.api_base}/channels/{channel}/messages",
                params={"limit": HISTORY},
                headers=self.headers,
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(
                f"Discord could not be asked for channel {channel}'s messages "
                f"({type(exc).__name__})"
            ) from exc
        self._gone(response, channel)
        try:
            recent = response.json() if response.status_code == 200 else None
        except ValueError:
            recent = None
        if not isinstance(recent, list):
            raise DeliveryError(
                f"Discord did not list channel {channel}'s messages (HTTP {response.status_code})"
            )
        listed = [found for found in recent if isinstance(found, dict) and found.get("id")]
        # The nonce first: a look-alike by the same bot is only a fallback.
        for found in listed:
            if key and str(found.get("nonce") or "") == key:
                return str(found["id"])
        for found in listed:
            if _same(found, message):
                return str(found["id"])
        return None

    async def post(self, channel: str, digest: Digest, *, key: str = "") -> str:
        """Post every message of a digest outside the ledger (``hotpapers post``); the first id."""
        sub = Subscription(platform="discord", destination=channel)
        ids = []
        for n, message in enumerate(self.render(digest)):
            nonce = message_key(key, n) if key else ""
            for attempt in range(1, TRIES + 1):  # no Deliverer here: rate limits waited out
                try:
                    ids.append(await self.send(sub, message, key=nonce, thread=""))
                    break
                except RateLimited as exc:
                    if attempt == TRIES or exc.retry_after > MAX_WAIT_S:
                        raise
                    await self.sleep(exc.retry_after)
        return ids[0]


def _retry_after(response: httpx.Response) -> float:
    try:
        return float((response.json() or {}).get("retry_after", 1.0))
    except (ValueError, AttributeError, TypeError):
        return 1.0
