"""Feedback: what a channel or a person said about papers (👍, 👎, 🔖, reactions), as values.

The values and their pure checks live here; they are kept by ``bot.store.feedback`` and read
by ``bot.relevance`` (a channel's model) and by "lab picks". ``actions``: the buttons on a
paper in chat, how a reaction is tied to a paper, and a group's own count. It may import the
core's values only; never the store, a chat SDK or ``adapters``.
"""

from bot.feedback.values import (
    KINDS,
    PLATFORMS,
    Channel,
    Feedback,
    Interest,
    Kind,
    Tally,
    parse_channel,
)

__all__ = [
    "KINDS",
    "PLATFORMS",
    "Channel",
    "Feedback",
    "Interest",
    "Kind",
    "Tally",
    "parse_channel",
]
