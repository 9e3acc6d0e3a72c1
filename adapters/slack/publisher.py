"""Posting digests to Slack channels with the bot token (``chat.postMessage``).

A long digest continues in the thread of its first message, about one message a second per
channel. Each message of a scheduled post carries its key as message metadata; only after a
crash or a lost answer is the channel's history (or the thread) read to find it, so a retry
never posts twice. A refusal (``ok: false``) or no connection means not posted; a timeout, a
dropped connection or a 5xx after the request went out means it may have been (MaybePosted).
``channel_not_found``, ``not_in_channel`` and ``is_archived`` mean the channel is gone: the
subscriber is told, and the subscription paused. A posted message is refreshed in place with
``chat.update``, keeping its metadata.

Rate limits: ``paces`` declares Slack's (``adapters.slack.limits``: 1 message a second per
channel, 300 a minute per workspace), which the Deliverer waits for. A 429 on a scheduled post
comes back as RateLimited with its Retry-After, for the Deliverer to wait out without holding
its place; posts outside the ledger and edits have it waited out inside the call (slack_sdk's
AsyncRateLimitErrorRetryHandler), so it holds back that message only.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import escape, to_messages
from adapters.slack.limits import PER_CHANNEL_S, slack_paces
from bot.delivery import message_key
from bot.errors import DeliveryError, DestinationGone, MaybePosted, RateLimited
from bot.models import Digest
from bot.polite import Gate
from bot.ports import Pace
from bot.subscriptions import Subscription

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store.async_installation_store import (
        AsyncInstallationStore,
    )
    from slack_sdk.oauth.installation_store.models.bot import Bot
    from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator

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
INSTALLATION_TTL_S = 60.0
log = logging.getLogger("hotpapers.slack")


def web_client(
    token: str | None, base_url: str, *, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """A Web API client that waits out 429s (Retry-After) a few times before giving up.

    It retries a failed connection only when nothing was sent: slack_sdk's default also retries
    a connection dropped after the request, which can post a message twice. ``session``: one
    whose connections every request shares (else slack_sdk opens one per request).
    """
    return AsyncWebClient(
        token=token,
        session=session,
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
    """Posts with one bot token, that of the workspace ``workspace`` ('' when not known: a
    subscription's own workspace then names it in the rate limits)."""

    def __init__(self, client: AsyncWebClient, *, workspace: str = "") -> None:
        self.client = client
        self.workspace = workspace
        # The Deliverer's sends: a 429 comes back as RateLimited, to be waited out by the
        # Deliverer without holding its place, not slept out by the SDK inside the call.
        self.impatient = AsyncWebClient(
            token=client.token,
            base_url=client.base_url,
            session=client.session,
            timeout=client.timeout,
            retry_handlers=[
                h
                for h in client.retry_handlers
                if not isinstance(h, AsyncRateLimitErrorRetryHandler)
            ],
        )
        self.gates: defaultdict[str, Gate] = defaultdict(lambda: Gate(PER_CHANNEL_S))

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        return to_messages(digest, with_buttons=True)

    def paces(self, sub: Subscription) -> Sequence[Pace]:
        return slack_paces(self.workspace or sub.workspace, sub.destination)

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        """Post one message (in ``thread`` when given) with its key as metadata; its ts."""
        channel = sub.destination
        try:
            # Paced by the Deliverer (``paces``): no gate of its own, which would hold the
            # delivery's slot while sleeping.
            return await self._post_message(channel, message, key=key, thread=thread, gated=False)
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

    async def post(
        self,
        channel: str,
        digest: Digest,
        *,
        key: str = "",
        posted: Callable[[str, Mapping[str, Any]], Awaitable[None]] | None = None,
    ) -> str:
        """Post a digest outside the ledger (first message in the channel, the rest in its
        thread); the first one's ts. ``posted`` hears of each message (its ts and body).
        SlackApiError as the SDK raises it."""
        first_ts = ""
        for n, message in enumerate(self.render(digest)):
            ts = await self._post_message(
                channel, message, key=message_key(key, n) if key else "", thread=first_ts
            )
            if posted is not None:
                await posted(ts, message)
            first_ts = first_ts or ts
        return first_ts

    async def _post_message(
        self,
        channel: str,
        message: Mapping[str, Any],
        *,
        key: str,
        thread: str,
        gated: bool = True,
    ) -> str:
        """Post one message; ``gated``: at most one a second per channel (posts no Deliverer
        paces: ``post``)."""
        extra: dict[str, Any] = {}
        if thread:
            extra["thread_ts"] = thread
        if key:
            extra["metadata"] = {"event_type": EVENT, "event_payload": {"key": key}}
        client = self.client if gated else self.impatient
        async with self.gates[channel].slot() if gated else contextlib.nullcontext():
            response = await client.chat_postMessage(
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


class WorkspacePublisher:
    """Scheduled posts in many workspaces, each with the bot token its OAuth installation saved
    (slack_sdk's installation store, looked up by the subscription's workspace). A token that
    rotates is refreshed shortly before it expires, when the app's secret is given."""

    def __init__(
        self,
        installations: AsyncInstallationStore,
        base_url: str,
        *,
        rotator: AsyncTokenRotator | None = None,
        session: aiohttp.ClientSession | None = None,
        prepare: Callable[[], Awaitable[None]] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.installations = installations
        self.base_url = base_url
        self.rotator = rotator
        self.session = session
        self.prepare = prepare  # run once before the first look-up (creating the tables)
        self.monotonic = monotonic
        self._publishers: dict[str, SlackPublisher] = {}
        self._bots: dict[str, tuple[float, Bot | None]] = {}

    async def _bot(self, workspace: str) -> Bot | None:
        """The workspace's installation, asked again after INSTALLATION_TTL_S (one query per
        workspace and minute, not one per message)."""
        held = self._bots.get(workspace)
        if held is not None and self.monotonic() - held[0] < INSTALLATION_TTL_S:
            return held[1]
        if self.prepare is not None:
            await self.prepare()
            self.prepare = None
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=workspace or None)
        if bot is not None and bot.bot_refresh_token and self.rotator is not None:
            try:
                rotated = await self.rotator.perform_bot_token_rotation(bot=bot)
            except (SlackTokenRotationError, aiohttp.ClientError, TimeoutError) as exc:
                log.warning("the bot token of %s was not rotated: %s", workspace, exc)
            else:
                if rotated is not None:
                    await self.installations.async_save_bot(rotated)
                    bot = rotated
        self._bots[workspace] = (self.monotonic(), bot)
        return bot

    async def _publisher(self, sub: Subscription) -> SlackPublisher:
        bot = await self._bot(sub.workspace)
        if bot is None or not bot.bot_token:
            where = sub.workspace or "(none given)"
            raise DeliveryError(f"hotpapers is not installed in the Slack workspace {where}")
        if bot.bot_token not in self._publishers:
            self._publishers[bot.bot_token] = SlackPublisher(
                web_client(bot.bot_token, self.base_url, session=self.session),
                workspace=sub.workspace,
            )
        return self._publishers[bot.bot_token]

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        return to_messages(digest, with_buttons=True)

    def paces(self, sub: Subscription) -> Sequence[Pace]:
        return slack_paces(sub.workspace, sub.destination)

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        publisher = await self._publisher(sub)
        return await publisher.send(sub, message, key=key, thread=thread)

    async def find(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str | None:
        publisher = await self._publisher(sub)
        return await publisher.find(sub, message, key=key, thread=thread)

    def editable(self, sub: Subscription) -> bool:
        return True

    async def edit(
        self, sub: Subscription, message_id: str, message: Mapping[str, Any], *, key: str
    ) -> None:
        publisher = await self._publisher(sub)
        await publisher.edit(sub, message_id, message, key=key)
