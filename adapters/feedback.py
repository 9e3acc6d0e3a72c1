"""What every chat platform does with a press or a reaction, once it has read the payload.

Slack's and Discord's handlers (``adapters.slack.feedback``, ``adapters.discord.feedback``) and
the console read their own payloads, then record through this: a press toggles the person's
word on a paper, a reaction counts for the paper its message can be tied to, a digest gets the
channel's own count, and a posted message's papers are remembered.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from bot.errors import InputError
from bot.feedback import Channel, Feedback, Kind
from bot.feedback.actions import (
    Action,
    acknowledgement,
    reacted_paper,
    undone,
    with_channel_counts,
)
from bot.models import Digest
from bot.store.feedback import FeedbackStore

log = logging.getLogger("hotpapers.feedback")


class FeedbackRecorder:
    """Records presses and reactions in ``store.feedback``, and the papers our posts carry."""

    def __init__(
        self,
        feedback: FeedbackStore,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.feedback = feedback
        self.clock = clock

    def _said(
        self, where: Channel, user: str, arxiv_id: str, kind: Kind, emoji: str = ""
    ) -> Feedback | None:
        try:
            return Feedback(
                platform=where.platform,
                scope=where.scope,
                channel=where.channel,
                user=user,
                arxiv_id=arxiv_id,
                kind=kind,
                emoji=emoji,
                at=self.clock(),
            )
        except InputError as exc:
            log.info("ignored %s feedback: %s", where.platform, exc)
            return None

    async def pressed(
        self, where: Channel, user: str, action: Action, arxiv_id: str, *, shown: str
    ) -> str | None:
        """👍, 👎 or 🔖 pressed: recorded, or taken back when it was already given; what the
        presser is told (``shown``: the channel as the platform shows it). None: not valid."""
        if action == "discuss":
            raise ValueError("🧵 opens a thread: it records nothing")
        said = self._said(where, user, arxiv_id, action)
        if said is None:
            return None
        if await self.feedback.add([said]):
            return acknowledgement(action, channel=shown)
        await self.feedback.remove([said])
        return undone(action)

    async def reacted(
        self, where: Channel, message_id: str, user: str, emoji: str, *, added: bool
    ) -> None:
        """A reaction added or removed on a message: recorded when it can be tied to a paper,
        in the channel the message's feedback counts in (a thread's: its parent's)."""
        papers, home = await self.feedback.carried(where, message_id)
        arxiv_id = reacted_paper(papers, emoji)
        if arxiv_id is None:
            return
        channel = Channel(platform=where.platform, channel=home, scope=where.scope)
        said = self._said(channel, user, arxiv_id, "reaction", emoji)
        if said is not None:
            await (self.feedback.add if added else self.feedback.remove)([said])

    async def own(self, where: Channel, digest: Digest) -> Digest:
        """The digest with the channel's own count on each paper it has one for."""
        return with_channel_counts(digest, await self.feedback.of_channel(where))

    async def posted(
        self, where: Channel, message_id: str, papers: Sequence[tuple[int, str]], *, home: str = ""
    ) -> None:
        """Remember the papers a posted message (or, ``message_id`` "", a thread) carries."""
        if papers:
            await self.feedback.posted(where, message_id, papers, at=self.clock(), home=home)
