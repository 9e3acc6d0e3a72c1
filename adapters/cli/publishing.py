"""The publishers of ``deliver`` and ``run``: one place builds them from the settings, so a
subscription is served the same way from cron and from the bot.

Imported when delivering only (not by ``--help``): it loads the ports and the store's types.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from adapters.cli.live import USER_AGENT
from bot.models import Digest
from bot.ports import Editor, Pace, Paced, Publisher, Reconciler
from bot.subscriptions import Subscription

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store import SqlStore

DELIVERY_CONNECTIONS = 100
DISCORD_CREDENTIALS = "DISCORD_TOKEN (the bot's token; posts go over REST, no gateway needed)"


class ChannelPublisher(Publisher, Reconciler, Editor, Paced, Protocol):
    """A chat platform's channel publisher: it posts, finds, edits and declares its limits."""


class LazyPublisher:
    """A channel publisher built on first use, so that a run with nothing to post never loads
    the platform's SDK; its rate limits are declared without it."""

    def __init__(
        self,
        build: Callable[[], ChannelPublisher],
        paces: Callable[[Subscription], Sequence[Pace]],
    ) -> None:
        self._build = build
        self._paces = paces
        self._made: ChannelPublisher | None = None

    @property
    def made(self) -> ChannelPublisher:
        if self._made is None:
            self._made = self._build()
        return self._made

    def paces(self, sub: Subscription) -> Sequence[Pace]:
        return self._paces(sub)

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        return self.made.render(digest)

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        return await self.made.send(sub, message, key=key, thread=thread)

    async def find(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str | None:
        return await self.made.find(sub, message, key=key, thread=thread)

    def editable(self, sub: Subscription) -> bool:
        return self.made.editable(sub)

    async def edit(
        self, sub: Subscription, message_id: str, message: Mapping[str, Any], *, key: str
    ) -> None:
        await self.made.edit(sub, message_id, message, key=key)


@dataclass(frozen=True, slots=True, kw_only=True)
class Publishers:
    """Every publisher this process can post with, by (platform, kind), and for each kind it
    cannot serve, the settings it needs."""

    table: dict[tuple[str, str], Publisher]
    missing: dict[tuple[str, str], str] = field(default_factory=dict)


@asynccontextmanager
async def publishers(
    settings: Settings, store: SqlStore, *, console: TextIO | None
) -> AsyncIterator[Publishers]:
    """The publishers of ``deliver`` and ``run`` alike: webhooks always; Slack channels with
    the bot token or the OAuth installations; Discord channels with DISCORD_TOKEN over REST;
    the console's channels on ``console`` when given. Slack's and Discord's are built when
    first used.

    They share HTTP clients of their own, with room for DELIVERY_CONNECTIONS connections: the
    upstreams' client keeps to a few (politeness), while a fan-out to thousands of channels
    is bounded by the platforms' rate limits, not by connections. Closed on leaving."""
    import httpx

    from adapters.discord.limits import discord_paces
    from adapters.slack import channels as slack
    from adapters.slack.limits import slack_paces
    from adapters.webhooks import WebhookPublisher

    room = httpx.Limits(
        max_connections=DELIVERY_CONNECTIONS, max_keepalive_connections=DELIVERY_CONNECTIONS
    )
    async with contextlib.AsyncExitStack() as stack:
        client = await stack.enter_async_context(
            httpx.AsyncClient(
                timeout=settings.http_timeout_s, headers={"User-Agent": USER_AGENT}, limits=room
            )
        )
        table: dict[tuple[str, str], Publisher] = {
            ("slack", "webhook"): WebhookPublisher(client, "slack"),
            ("discord", "webhook"): WebhookPublisher(client, "discord"),
        }
        missing: dict[tuple[str, str], str] = {}

        def slack_channels() -> ChannelPublisher:
            import aiohttp

            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=DELIVERY_CONNECTIONS)
            )
            stack.push_async_callback(session.close)
            return slack.channel_publisher(settings, store, session=session)

        def discord_channels() -> ChannelPublisher:
            from adapters.discord.publisher import DiscordPublisher

            assert settings.discord_token is not None
            token = settings.discord_token.get_secret_value()
            return DiscordPublisher(client, token, api_base=settings.discord_api_base)

        if slack.configured(settings):
            table[("slack", "channel")] = LazyPublisher(
                slack_channels, lambda sub: slack_paces(sub.workspace, sub.destination)
            )
        else:
            missing[("slack", "channel")] = f"Slack channels need {slack.CREDENTIALS}"
        if settings.discord_token is not None:
            table[("discord", "channel")] = LazyPublisher(
                discord_channels, lambda sub: discord_paces(sub.destination)
            )
        else:
            missing[("discord", "channel")] = f"Discord channels need {DISCORD_CREDENTIALS}"
        if console is not None:
            from adapters.console.publisher import ConsolePublisher

            table[("console", "channel")] = ConsolePublisher(console)
        yield Publishers(table=table, missing=missing)


async def unserved(store: SqlStore, publishing: Publishers) -> list[str]:
    """One line per kind of active subscription that this process cannot post to, with the
    settings it needs (nothing when every subscription can be served)."""
    lines = []
    for (platform, kind), needs in publishing.missing.items():
        subs = await store.subscriptions(platform=platform, active_only=True)
        count = sum(sub.kind == kind for sub in subs)
        if count:
            what = f"{count} {platform} {kind} subscription{'s' if count > 1 else ''}"
            lines.append(f"{what} cannot be served: {needs}.")
    return lines
