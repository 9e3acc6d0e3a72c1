"""Buttons and reactions on Discord: what a server's channel says about the papers we post.

The buttons are message components whose ``custom_id`` carries the paper
(``hp:like:<id>``), so a press is dispatched on its ``custom_id`` alone (``on_interaction``),
never on a view kept in memory: buttons keep working after a restart. 👍, 👎 and 🔖 are
recorded per guild, channel and person in ``store.feedback`` and answered only to the presser
(the same button again takes the word back); 🧵 creates a thread on the message, seeded with
the paper's links (a standalone thread of the channel when the message already has one: a
message holds a single thread). Raw reaction events (``on_raw_reaction_add``/``remove``,
which need no message cache) on a message we posted, or in a paper's thread, count for the
paper they can be tied to (``bot.feedback.actions.reacted_paper``).

Every message is sent with no allowed mentions; upstream text is escaped.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import discord

from adapters.discord.embeds import _SAFE_URL, _label, carried, escape
from adapters.feedback import FeedbackRecorder
from bot.feedback import Channel
from bot.feedback.actions import ThreadSeed, acknowledgement, parse_custom_id, seed
from bot.models import Digest
from bot.store.feedback import FeedbackStore

THREAD_NAME = 100
NONE = discord.AllowedMentions.none()
_MASKED = re.compile(r"\[([^\]\n]*)\]\((https?://[^)\s]+)\)")
log = logging.getLogger("hotpapers.discord")


def view_of(message: Mapping[str, Any]) -> discord.ui.View | None:
    """The rendered message's rows of buttons as a view discord.py can send. It is stopped at
    once: presses are dispatched by ``custom_id`` (``DiscordFeedback.interacted``), so nothing
    is kept in memory and a restart loses nothing."""
    rows = message.get("components") or []
    if not rows:
        return None
    view = discord.ui.View(timeout=None)
    for n, row in enumerate(rows):
        for button in row.get("components") or []:
            view.add_item(
                discord.ui.Button(
                    style=discord.ButtonStyle.secondary,
                    label=button["label"],
                    emoji=button["emoji"]["name"],
                    custom_id=button["custom_id"],
                    row=n,
                )
            )
    view.stop()
    return view


def shown_seed(arxiv_id: str, embeds: Sequence[discord.Embed]) -> ThreadSeed:
    """The seed of a paper from the message it was pressed in: its embed's title and the
    links of its line of links (ours, from checked URLs)."""
    abs_url = f"https://arxiv.org/abs/{arxiv_id}"
    for embed in embeds:
        if embed.url != abs_url:
            continue
        title = re.sub(r"\\(.)", r"\1", str(embed.title or "").partition(". ")[2])
        line = next(
            (x for x in str(embed.description or "").splitlines() if x.startswith("[abs](")), ""
        )
        return seed(arxiv_id, title, [(label, url) for label, url in _MASKED.findall(line)])
    return seed(arxiv_id, "")


def seed_text(thread: ThreadSeed) -> str:
    """A paper's thread seed as Discord markdown: its title, then its links; escaped."""
    links = " · ".join(
        f"[{_label(x.label)}]({x.url})" for x in thread.links if _SAFE_URL.match(x.url)
    )
    return f"🧵 **{escape(thread.title or thread.arxiv_id)}**\n{links}"[:2000]


class DiscordFeedback:
    """Reads Discord's presses and raw reaction events; records through ``FeedbackRecorder``."""

    def __init__(
        self,
        feedback: FeedbackStore,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.recorder = FeedbackRecorder(feedback, clock=clock)

    @staticmethod
    def _where(guild: str, channel: str) -> Channel:
        return Channel(platform="discord", channel=channel, scope=guild)

    async def posted(
        self, guild: str, channel: str, message_id: str, message: Mapping[str, Any]
    ) -> None:
        """Remember the papers a posted message carries (from its buttons)."""
        if message_id:
            await self.recorder.posted(self._where(guild, channel), message_id, carried(message))

    async def own(self, guild: str, channel: str, digest: Digest) -> Digest:
        """The digest with the channel's own count on each paper it has one for."""
        return await self.recorder.own(self._where(guild, channel), digest)

    async def interacted(self, interaction: discord.Interaction) -> None:
        """A press of one of our buttons; any other interaction is left to discord.py."""
        if interaction.type is not discord.InteractionType.component:
            return
        data: Mapping[str, Any] = interaction.data or {}
        what = parse_custom_id(str(data.get("custom_id", "")))
        if what is None:
            return
        # First: Discord wants an answer within 3 s.
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild, channel = str(interaction.guild_id or ""), str(interaction.channel_id or "")
        shown = f"<#{channel}>" if channel.isdigit() else "this channel"
        text: str | None
        if what.action == "discuss":
            text = await self._discuss(interaction, what.arxiv_id, guild, channel)
        else:
            user = str(interaction.user.id)
            where = self._where(guild, channel)
            text = await self.recorder.pressed(where, user, what.action, what.arxiv_id, shown=shown)
        if text is not None:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NONE)

    async def _discuss(
        self, interaction: discord.Interaction, arxiv_id: str, guild: str, channel: str
    ) -> str:
        message = interaction.message
        if message is None or message.flags.ephemeral:
            return "🧵 A thread needs the digest posted in the channel: ask again with public."
        thread_seed = shown_seed(arxiv_id, message.embeds)
        name = f"🧵 {thread_seed.title or arxiv_id}"[:THREAD_NAME]
        try:
            try:
                thread = await message.create_thread(name=name)
            except discord.HTTPException:
                # A message holds one thread: another paper of it has it. A thread of its own.
                parent = interaction.channel
                if not isinstance(parent, discord.TextChannel):
                    raise
                thread = await parent.create_thread(
                    name=name, type=discord.ChannelType.public_thread
                )
            await thread.send(seed_text(thread_seed), allowed_mentions=NONE, suppress_embeds=True)
        except discord.HTTPException as exc:
            log.warning("the 🧵 thread of %s was not opened: %s", arxiv_id, exc)
            return "🧵 Discord refused to open a thread here (may the bot create threads?)."
        where = self._where(guild, str(thread.id))
        await self.recorder.posted(where, "", [(0, arxiv_id)], home=channel)
        return acknowledgement("discuss", channel="")

    async def reacted(
        self, payload: discord.RawReactionActionEvent, *, added: bool, me: int | None
    ) -> None:
        """A reaction added or removed: recorded when it can be tied to a paper."""
        if payload.user_id == me or not payload.emoji.name:
            return
        where = self._where(str(payload.guild_id or ""), str(payload.channel_id))
        await self.recorder.reacted(
            where, str(payload.message_id), str(payload.user_id), payload.emoji.name, added=added
        )
