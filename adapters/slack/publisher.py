"""Posting digests to Slack channels with the bot token (``chat.postMessage``).

A long digest continues in the thread of its first message, about one message a second per
channel. Each scheduled post carries its delivery key as message metadata, and the channel's
recent history is checked for that key first, so a retry after a crash never posts twice.
``channel_not_found``, ``not_in_channel`` and ``is_archived`` mean the channel is gone: the
subscriber is told, and the subscription paused.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import escape, to_messages
from bot.errors import DeliveryError, DestinationGone, RateLimited
from bot.models import Digest
from bot.polite import Gate
from bot.subscriptions import Subscription

GONE = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "team_access_not_granted",
    }
)
EVENT = "hotpapers_digest"
HISTORY = 30
PER_CHANNEL_S = 1.0


def web_client(token: str | None, base_url: str) -> AsyncWebClient:
    """A Web API client that waits out 429s (Retry-After) a few times before giving up."""
    client = AsyncWebClient(
        token=token, base_url=base_url if base_url.endswith("/") else base_url + "/"
    )
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def translate(exc: SlackApiError, what: str) -> DeliveryError:
    error = str(exc.response.get("error", "unknown_error"))
    if error in GONE:
        return DestinationGone(f"Slack refused {what}: {error}")
    if exc.response.status_code == 429:
        return RateLimited(
            f"Slack rate-limited {what}", float(exc.response.headers.get("Retry-After", 1))
        )
    return DeliveryError(f"Slack refused {what}: {error}")


class SlackPublisher:
    idempotent = True

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.gates: defaultdict[str, Gate] = defaultdict(lambda: Gate(PER_CHANNEL_S))

    async def _already_posted(self, channel: str, key: str) -> str | None:
        history = await self.client.conversations_history(
            channel=channel, limit=HISTORY, include_all_metadata=True
        )
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == EVENT
                and (metadata.get("event_payload") or {}).get("key") == key
            ):
                return str(message.get("ts"))
        return None

    async def post(self, channel: str, digest: Digest, *, key: str | None = None) -> str:
        """Post a digest (first message in the channel, the rest in its thread); its ts."""
        first_ts = ""
        for n, message in enumerate(to_messages(digest)):
            extra: dict[str, Any] = {}
            if first_ts:
                extra["thread_ts"] = first_ts
            if key and n == 0:
                extra["metadata"] = {"event_type": EVENT, "event_payload": {"key": key}}
            async with self.gates[channel].slot():
                response = await self.client.chat_postMessage(
                    channel=channel,
                    text=message["text"],
                    blocks=message["blocks"],
                    unfurl_links=False,
                    unfurl_media=False,
                    **extra,
                )
            first_ts = first_ts or str(response["ts"])
        return first_ts

    async def publish(self, sub: Subscription, digest: Digest, *, key: str) -> str:
        try:
            if (ts := await self._already_posted(sub.destination, key)) is not None:
                return ts
            return await self.post(sub.destination, digest, key=key)
        except SlackApiError as exc:
            error = translate(exc, f"a post to {sub.destination}")
            if isinstance(error, DestinationGone) and sub.created_by.startswith(("U", "W")):
                await self._tell(
                    sub.created_by,
                    f"Your hotpapers subscription for {sub.destination} is paused: {error}.",
                )
            raise error from exc

    async def _tell(self, user: str, text: str) -> None:
        with contextlib.suppress(SlackApiError):  # a courtesy: the pause is recorded either way
            await self.client.chat_postMessage(channel=user, text=escape(text))
