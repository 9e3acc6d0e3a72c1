"""Posting digests through incoming webhooks (Slack, Discord): no bot to host at all.

A webhook URL is used as given (any host: proxies and local fakes work) and never shown in
full. 404/403/410 mean the webhook is gone; 429 is waited out (``Retry-After``) a few times.
Webhooks offer no idempotency and no way to look a post up, so a message that may have gone
out — a timeout or a dropped connection after the request was sent, a 5xx — raises
MaybePosted, and the ledger leaves it ``uncertain`` for an operator instead of posting it again.
Discord webhooks are called with ``?wait=true`` so that a 200 carries the message and its id,
which lets a refresh edit it later (``PATCH …/messages/ID``); Slack's incoming webhooks give no
id and cannot edit.

Rate limits (``paces``), keyed by a hash of the URL (the URL is a secret: never a key, never
logged): Slack's incoming webhooks take 1 message a second, short bursts allowed
(docs.slack.dev/apis/web-api/rate-limits); Discord's take about 5 requests every 2 seconds per
webhook, and 30 messages a minute per channel (Discord's rate-limit headers on webhook
executions; the per-channel cap is the one its developer support states for webhooks). A
webhook counts alone against the minute cap: the channel behind it is not known.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx

from adapters.slack.limits import MARGIN_S
from bot.errors import DeliveryError, DestinationGone, InputError, MaybePosted, RateLimited
from bot.models import Digest
from bot.ports import Pace
from bot.subscriptions import Subscription

GONE = frozenset({401, 403, 404, 410})
RATE_LIMIT_TRIES = 3
MAX_WAIT_S = 60.0
# Failures that happen before the request leaves: nothing can have been posted.
NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.ProxyError,
)
log = logging.getLogger("hotpapers.webhooks")


def hook_id(url: str) -> str:
    """A name for a webhook that does not give its secret away: a hash of its URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:20]


def webhook_paces(platform: str, url: str) -> tuple[Pace, ...]:
    """What one post to an incoming webhook counts against."""
    hook = hook_id(url)
    if platform == "discord":
        return (
            Pace(key=f"webhook:{hook}", rate=5, per=2.0),
            Pace(key=f"webhook-minute:{hook}", rate=30, per=60.0),
        )
    # Slack's one a second per hook, with the margin of Slack's channel posts (``MARGIN_S``).
    return (Pace(key=f"webhook:{hook}", rate=1, per=1.0 + MARGIN_S),)


def checked_url(url: str) -> httpx.URL:
    """A webhook URL that can be posted to: http(s) with a host; InputError in one sentence."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise InputError(f"The webhook URL is not a valid URL ({exc}).") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InputError("A webhook URL is an http(s) URL that names a host.")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise InputError(f"A webhook URL's port is a number from 1 to 65535, not {parsed.port}.")
    return parsed


def platform_of(url: str) -> str | None:
    """``slack`` or ``discord`` for their webhook URLs; None for any other host; InputError for
    a URL that is not one."""
    host = checked_url(url).host
    if host == "hooks.slack.com":
        return "slack"
    if host in ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"):
        return "discord"
    return None


async def send_once(
    client: httpx.AsyncClient, what: str, method: str, url: str, **options: Any
) -> httpx.Response:
    """One HTTP request whose failure says whether it may have reached ``what``.

    DeliveryError when it certainly did not (no connection), MaybePosted when it may have.
    """
    try:
        return await client.request(method, url, **options)
    except NOT_SENT as exc:
        raise DeliveryError(f"{what} could not be reached ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise MaybePosted(
            f"{what} did not answer after the request was sent ({type(exc).__name__})"
        ) from exc


class WebhookPublisher:
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

    def paces(self, sub: Subscription) -> Sequence[Pace]:
        return webhook_paces(self.platform, sub.destination)

    async def _post(self, url: str, payload: Mapping[str, Any]) -> httpx.Response:
        what = f"the {self.platform} webhook"
        for _ in range(RATE_LIMIT_TRIES):
            response = await send_once(self.client, what, "POST", url, json=payload)
            if response.status_code in GONE:
                status = response.status_code
                raise DestinationGone(f"{what} answered HTTP {status}: gone or forbidden")
            if response.status_code != 429:
                break
            wait = _retry_after(response)
            if wait > MAX_WAIT_S:
                raise RateLimited(f"{what} is rate limited for {wait:.0f} s", wait)
            await self.sleep(wait)
        if response.status_code == 429:
            raise RateLimited(f"{what} stayed rate limited", _retry_after(response))
        if response.status_code >= 500:
            raise MaybePosted(f"{what} answered HTTP {response.status_code}")
        if response.status_code >= 300:
            raise DeliveryError(f"{what} answered HTTP {response.status_code}")
        return response

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        from adapters.discord.embeds import to_messages as discord_messages
        from adapters.slack.blocks import to_messages as slack_messages

        # No buttons: an incoming webhook cannot receive the interactions they send (Slack), and
        # a webhook no application owns cannot carry components (Discord).
        if self.platform == "discord":
            return discord_messages(digest)
        return [
            {**message, "unfurl_links": False, "unfurl_media": False}
            for message in slack_messages(digest)
        ]

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        """Post one message; Discord's message id ('' for Slack, whose webhooks give none)."""
        if self.platform != "discord":
            await self._post(sub.destination, message)
            return ""
        url = str(httpx.URL(sub.destination).copy_merge_params({"wait": "true"}))
        return message_id(await self._post(url, message), f"the {self.platform} webhook")

    def editable(self, sub: Subscription) -> bool:
        """Only Discord's webhooks can edit their messages (Slack's give no message id)."""
        return self.platform == "discord"

    async def edit(
        self, sub: Subscription, message_id: str, message: Mapping[str, Any], *, key: str
    ) -> None:
        """Replace the webhook's message ``message_id`` with ``message`` (Discord only)."""
        if self.platform != "discord":
            raise DeliveryError(f"a {self.platform} webhook cannot edit its messages")
        url = httpx.URL(sub.destination)
        url = url.copy_with(path=url.path.rstrip("/") + f"/messages/{message_id}")
        await edit_message(self.client, f"the {self.platform} webhook", str(url), message)

    async def publish(self, sub: Subscription, digest: Digest) -> str:
        """Post every message of a digest (no ledger: ``hotpapers post``); the first one's id."""
        ids = [await self.send(sub, m, key="", thread="") for m in self.render(digest)]
        return ids[0] if ids else ""


async def edit_message(
    client: httpx.AsyncClient,
    what: str,
    url: str,
    message: Mapping[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
) -> None:
    """PATCH a Discord message (a channel's or a webhook's) to ``message``.

    An edit is safe to repeat, so any failure is a DeliveryError (tried again later);
    DestinationGone when the message or its channel is gone or forbidden.
    """
    options: dict[str, Any] = {"json": dict(message)}
    if headers:
        options["headers"] = dict(headers)
    try:
        response = await client.request("PATCH", url, **options)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{what} did not confirm an edit ({type(exc).__name__})") from exc
    status = response.status_code
    if status in GONE:
        raise DestinationGone(f"{what} answered HTTP {status} to an edit: gone or forbidden")
    if status == 429:
        raise RateLimited(f"{what} rate limited an edit", _retry_after(response))
    if status >= 300:
        raise DeliveryError(f"{what} answered HTTP {status} to an edit")


def message_id(response: httpx.Response, what: str) -> str:
    """The id in a 2xx answer; '' when the body is not the message (it was posted all the same)."""
    try:
        found = response.json().get("id", "")
    except (ValueError, AttributeError):
        found = ""
    if not isinstance(found, str | int) or not found:
        log.info("%s answered HTTP %s without a message id", what, response.status_code)
        return ""
    return str(found)


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After") or response.json().get("retry_after", 1.0))
    except (ValueError, AttributeError):
        return 1.0
