"""The link that adds the bot to a Discord server, with exactly the permissions it uses."""

from __future__ import annotations

import discord

SCOPES = ("bot", "applications.commands")
# View channels, send messages and embeds (also in threads), read recent messages, which
# reconciling a post that may have been cut off needs, and start a paper's 🧵 thread.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
    create_public_threads=True,
)


def invite_url(application_id: int | str) -> str:
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)


async def application_id(token: str) -> tuple[int, int]:
    """The bot's application id and the approximate number of servers it is in."""
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(token)
        app = client.application
        assert app is not None  # login reads it
        return app.id, app.approximate_guild_count
    finally:
        await client.close()
