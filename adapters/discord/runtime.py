"""Running the Discord bot inside ``hotpapers run`` (with ``DISCORD_TOKEN``): its slash
commands over the gateway. Scheduled posts need no gateway: they go over REST
(``adapters.discord.publisher``), from ``run`` and ``deliver`` alike."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp
import discord

from adapters.discord.bot import HotPapersBot, manage_channels
from adapters.discord.feedback import DiscordFeedback
from adapters.discord.invite import invite_url
from bot.chat import CommandHandler
from bot.errors import ConfigError, DeliveryError
from bot.settings import Settings
from bot.store import SqlStore

log = logging.getLogger(__name__)


def configured(settings: Settings) -> bool:
    return settings.discord_token is not None


def point_at(api_base: str) -> None:
    """discord.py's REST base URL (``DISCORD_API_BASE``): Discord's own, a proxy or a fake."""
    discord.http.Route.BASE = api_base.rstrip("/")


@dataclass
class DiscordRuntime:
    client: HotPapersBot
    mode: str
    stop: Callable[[], Awaitable[None]]
    gateway: asyncio.Task[None]


async def start_discord(
    settings: Settings,
    handler: CommandHandler,
    *,
    admins: Callable[[str], bool] | None = None,
    store: SqlStore | None = None,
) -> DiscordRuntime:
    """Log in, sync the commands if they changed, and connect the shards in the background."""
    assert settings.discord_token is not None
    token = settings.discord_token.get_secret_value()
    point_at(settings.discord_api_base)

    def policy(interaction: discord.Interaction) -> bool:
        if settings.subscription_policy == "admins" and admins is not None:
            return admins(str(interaction.user.id))
        return manage_channels(interaction)

    guild = settings.discord_dev_guild
    client = HotPapersBot(
        handler,
        marker=settings.data_dir / f"discord-commands-{guild or 'global'}.sha256",
        dev_guild=guild,
        shard_ids=list(settings.discord_shard_ids) if settings.discord_shard_ids else None,
        shard_count=settings.discord_shard_count,
        policy=policy,
        feedback=None if store is None else DiscordFeedback(store.feedback),
    )
    try:
        await client.login(token)
    except discord.LoginFailure as exc:
        await client.close()
        raise ConfigError("Discord refused DISCORD_TOKEN: check the bot token.") from exc
    except (discord.HTTPException, aiohttp.ClientError) as exc:
        await client.close()
        raise DeliveryError(  # unavailable, not bad input: exit code 3
            f"Discord could not be reached at {settings.discord_api_base} ({exc})."
        ) from exc
    if client.application is not None and client.application.approximate_guild_count == 0:
        log.warning(
            "The Discord bot is in no server yet; add it with %s", invite_url(client.application.id)
        )
    gateway = asyncio.create_task(client.connect(reconnect=True))

    async def stop() -> None:
        await client.close()
        gateway.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await gateway

    shards = (
        f"shards {list(settings.discord_shard_ids)}"
        if settings.discord_shard_ids
        else "auto-sharded"
    )
    return DiscordRuntime(client=client, mode=shards, stop=stop, gateway=gateway)
