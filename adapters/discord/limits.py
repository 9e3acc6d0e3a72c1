"""Discord's documented rate limits for a bot posting to channels, as paces.

docs.discord.com/developers/topics/rate-limits and Discord's developer support ("My Bot is
Being Rate Limited"): 50 requests a second for the bot as a whole (the global limit), and
per-route buckets whose size every answer announces — a channel's message route has been 5
every 5 seconds per channel. The publisher also follows the announced buckets themselves
(``adapters.discord.publisher.Buckets``). No SDK is imported here.
"""

from __future__ import annotations

from bot.ports import Pace

BOT_PER_SECOND = 50
CHANNEL_MESSAGES_PER_5_S = 5


def discord_paces(channel: str) -> tuple[Pace, ...]:
    """The bot's global limit and the channel's message route (one bot token a process)."""
    return (
        Pace(key="discord-bot", rate=BOT_PER_SECOND, per=1.0, shared=True),
        Pace(key=f"discord:channel:{channel}", rate=CHANNEL_MESSAGES_PER_5_S, per=5.0),
    )
