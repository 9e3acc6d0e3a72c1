"""Posting digests to Slack channels with the bot token (``chat.postMessage``).

A long digest continues in the thread of its first message, about one message a second per
channel. Each message of a scheduled post carries its key as message metadata; only after a
crash or a lost answer is the channel's history (or the thread) read to find it, so a retry
never posts twice. A refusal (``ok: false``) or no connection means not posted; a timeout, a
dropped connection or a 5xx after the request went out means it may have been (MaybePosted).
``channel_not_found``, ``not_in_channel`` and ``is_archived`` mean the channel is gone: the
subscriber is told, and the subscription paused. A posted message is refreshed in place with
``chat.update``, keeping its metadata.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import escape, to_messages
from bot.delivery import message_key
from bot.errors import DeliveryError, DestinationGone, MaybePosted, RateLimited
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
    """A Web API client that waits out 429s (Retry-After) a few times before giving up.

    It retries a failed connection only when nothing was sent: slack_sdk's default also retries
    a connection dropped after the request, which can post a message twice.
    """
    return AsyncWebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(error_types=[aiohttp.ClientConnectorError]),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


def translate(exc: SlackApiError, what: str) -> DeliveryError:
    error = str(exc.response.get("error", "") or "")
    status = exc.response.status_code
    if error in GONE:
        return DestinationGone(f"Slack refused {what}: {error}")
    if status == 429:
        return RateLimited(
            f"Slack rate-limited {what}", float(exc.response.headers.get("Retry-After", 1))
        )
    if status == 200 and error:
        return DeliveryError(f"Slack refused {what}: {error}")
    return MaybePosted(f"Slack failed on {what} (HTTP {status})")


class SlackPublisher:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.gates: defaultdict[str, Gate] = defaultdict(lambda: Gate(PER_CHANNEL_S))

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        return to_messages(digest)

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        """Post one message (in ``thread`` when given) with its key as metadata; its ts."""
        channel = sub.destination
        try:
            return await self._post_message(channel, message, key=key, thread=thread)
        except SlackApiError as exc:
            error = translate(exc, f"a post to {channel}")
            if isinstance(error, DestinationGone) and sub.created_by.startswith(("U", "W")):
                await self._tell(
                    sub.created_by,
                    f"Your hotpapers subscription for {channel} is paused: {error}.",
                )
            raise error from exc
        except aiohttp.ClientConnectorError as exc:
            raise DeliveryError(f"Slack could not be reached ({type(exc).__name__})") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise MaybePosted(
                f"Slack did not answer after a post to {channel} was sent ({type(exc).__name__})"
            ) from exc

    async def find(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str | None:
        """The ts of the message posted with this key (in the channel, or in ``thread``)."""
        channel = sub.destination
        try:
            if thread:
                found = await self.client.conversations_replies(
                    channel=channel, ts=thread, limit=200, include_all_metadata=True
                )
            else:
                found = await self.client.conversations_history(
                    channel=channel, limit=HISTORY, include_all_metadata=True
                )
        except SlackApiError as exc:
            error = translate(exc, f"reading {channel}'s history")
            if isinstance(error, DestinationGone):
                raise error from exc
            raise DeliveryError(str(error)) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(
                f"Slack could not be asked for {channel}'s history ({type(exc).__name__})"
            ) from exc
        messages = found.get("messages")
        for posted in messages if isinstance(messages, list) else []:
            # The history's shapes are untrusted: anything odd is simply not our message.
            metadata = posted.get("metadata") if isinstance(posted, dict) else None
            payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
            if (
                isinstance(payload, dict)
                and metadata.get("event_type") == EVENT  # type: ignore[union-attr]
                and payload.get("key") == key
                and posted.get("ts")
            ):
                return str(posted["ts"])
        return None

    def editable(self, sub: Subscription) -> bool:
        return True

    async def edit(
        self, sub: Subscription, message_id: str, message: Mapping[str, Any], *, key: str
    ) -> None:
        """Replace the message ``message_id`` (its ts) with ``message``, with the same metadata."""
        channel = sub.destination
        extra: dict[str, Any] = {}
        if key:
            extra["metadata"] = {"event_type": EVENT, "event_payload": {"key": key}}
        try:
            async with self.gates[channel].slot():
                await self.client.chat_update(
                    channel=channel,
                    ts=message_id,
                    text=message["text"],
                    blocks=message["blocks"],
                    **extra,
                )
        except SlackApiError as exc:
            error = translate(exc, f"an edit in {channel}")
            if str(exc.response.get("error", "")) in ("message_not_found", "cant_update_message"):
                raise DestinationGone(str(error)) from exc
            if isinstance(error, DestinationGone | RateLimited):
                raise error from exc
            raise DeliveryError(str(error)) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(
                f"Slack did not confirm an edit in {channel} ({type(exc).__name__})"
            ) from exc

    async def post(self, channel: str, digest: Digest, *, key: str = "") -> str:
        """Post a digest outside the ledger (first message in the channel, the rest in its
        thread); the first one's ts. SlackApiError as the SDK raises it."""
        first_ts = ""
        for n, message in enumerate(self.render(digest)):
            ts = await self._post_message(
                channel, message, key=message_key(key, n) if key else "", thread=first_ts
            )
            first_ts = first_ts or ts
        return first_ts

    async def _post_message(
        self, channel: str, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        extra: dict[str, Any] = {}
        if thread:
            extra["thread_ts"] = thread
        if key:
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
        return str(response["ts"])

    async def _tell(self, user: str, text: str) -> None:
        with contextlib.suppress(SlackApiError):  # a courtesy: the pause is recorded either way
            await self.client.chat_postMessage(channel=user, text=escape(text))
