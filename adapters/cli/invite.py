"""``hotpapers discord invite``: the link that adds the bot to a server."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from adapters.cli.common import handled, settings_and_logs
from bot.errors import ConfigError

discord_app = typer.Typer(help="Discord set-up: the invite link.", no_args_is_help=True)


@discord_app.command("invite")
def invite(
    application: Annotated[
        int | None,
        typer.Option(
            "--application-id",
            min=1,
            help="The application id (Developer Portal → General Information); "
            "by default it is read with DISCORD_TOKEN.",
        ),
    ] = None,
) -> None:
    """Print the link that adds the bot to a server, with the scopes and permissions it needs."""
    import aiohttp
    import discord

    from adapters.discord.invite import application_id, invite_url
    from adapters.discord.runtime import point_at

    with handled():
        if application is None:
            settings = settings_and_logs()
            if settings.discord_token is None:
                raise ConfigError("Give --application-id, or set DISCORD_TOKEN to read it.")
            point_at(settings.discord_api_base)
            token = settings.discord_token.get_secret_value()
            try:
                application, _ = asyncio.run(application_id(token))
            except discord.LoginFailure as exc:
                raise ConfigError("Discord refused DISCORD_TOKEN: check the bot token.") from exc
            except (discord.HTTPException, aiohttp.ClientError) as exc:
                raise ConfigError(
                    f"Discord could not be reached at {settings.discord_api_base} ({exc})."
                ) from exc
        typer.echo(invite_url(application))
