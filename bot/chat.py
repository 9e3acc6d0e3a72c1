"""Answering ``/hotpapers``: one handler that every platform calls, returning a neutral reply.

The adapter says who asked, where, and whether that person may change the channel's
subscriptions (its policy: anyone, channel managers, listed admins); the reply is a digest or
a text that the adapter renders in its own way.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from bot.cache import utcnow
from bot.commands import USAGE, CommandError, DigestRequest, Simple, Subscribe, Unsubscribe, parse
from bot.digests import DigestService
from bot.errors import HotPapersError, InputError
from bot.history.views import rising_digest, span_digest
from bot.limits import REPLY_LIMITS, fit
from bot.models import Digest, Filters
from bot.ports import SnapshotProvider
from bot.ranking import MAX_POST_SHARE, RANK_PRIOR
from bot.schedule import announcement_date
from bot.store import SqlStore
from bot.subscriptions import DEFAULT_MIX, Platform, Subscription, cadence_phrase

log = logging.getLogger("hotpapers.chat")
DEFAULT_TOP = 10
MORE_HELP = "`/hotpapers help` for more."


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    platform: Platform
    workspace: str = ""
    channel: str
    user: str = ""
    may_manage: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestReply:
    digest: Digest
    public: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TextReply:
    kind: Literal["help", "confirmation", "list", "error"]
    text: str


Reply = DigestReply | TextReply


def describe(sub: Subscription) -> str:
    cats = " ".join(sub.categories) or "all categories"
    words = f", keywords {' '.join(sub.keywords)}" if sub.keywords else ""
    state = (
        f" — paused ({sub.paused_reason})"
        if sub.paused and sub.paused_reason
        else (" — paused" if sub.paused else "")
    )
    refresh = f", refreshed after {sub.refresh_after} h" if sub.refresh_after else ""
    mix = f", mix {sub.mix:g}" if sub.mix != DEFAULT_MIX else ""
    return (
        f"{cats}: top {sub.top} at {sub.post_time:%H:%M} {sub.timezone}, "
        f"{cadence_phrase(sub)}{refresh}{mix}{words}{state}"
    )


class CommandHandler:
    def __init__(
        self,
        store: SqlStore,
        snapshots: SnapshotProvider,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        weights: Mapping[str, float] | None = None,
        max_post_share: float = MAX_POST_SHARE,
        rank_prior: float = RANK_PRIOR,
        digests: DigestService | None = None,
    ) -> None:
        self.store = store
        self.snapshots = snapshots
        self.clock = clock
        self.weights = weights
        self.max_post_share = max_post_share
        self.rank_prior = rank_prior
        # Digests are ranked off the event loop, cached and computed once per filter set.
        self.digests = digests or DigestService(
            snapshots,
            clock=clock,
            weights=weights,
            max_post_share=max_post_share,
            rank_prior=rank_prior,
        )

    async def handle(self, text: str, ctx: Context) -> Reply:
        """The reply to ``/hotpapers text``; never raises for bad input.

        A text reply is never longer than the platform shows in one message: a longer one is
        cut with a note that says so.
        """
        try:
            reply = await self._answer(text, ctx)
        except HotPapersError as exc:
            reply = TextReply(kind="error", text=f"That cannot be answered right now: {exc}")
        except Exception:
            # A bug must not end the bot for every channel: this one gets a sentence, the log
            # the traceback (the fuzz tests fail on any such log line).
            log.exception("answering %r failed", text[:200])
            reply = TextReply(
                kind="error", text="Something went wrong answering that; the error was logged."
            )
        if isinstance(reply, TextReply):
            limit = REPLY_LIMITS[ctx.platform]
            if len(reply.text) > limit:
                return TextReply(kind=reply.kind, text=fit(reply.text, limit))
        return reply

    async def _answer(self, text: str, ctx: Context) -> Reply:
        now = self.clock()
        try:
            command = parse(text, today=now.date())
        except CommandError as exc:
            # One sentence with the closest fix, never the whole usage block.
            return TextReply(kind="error", text=f"{exc} {MORE_HELP}")
        if isinstance(command, Simple) and command.action == "help":
            return TextReply(kind="help", text=USAGE)
        if isinstance(command, DigestRequest):
            return await self._digest(command, ctx, now)
        if isinstance(command, Simple) and command.action == "subscriptions":
            return await self._list(ctx)
        if not ctx.may_manage:
            return TextReply(
                kind="error", text="Only the channel's managers may change its subscriptions here."
            )
        if isinstance(command, Subscribe):
            return await self._subscribe(command, ctx)
        if isinstance(command, Unsubscribe):
            return await self._unsubscribe(command, ctx)
        return await self._pause(ctx, command.action == "pause")

    async def _mine(self, ctx: Context) -> list[Subscription]:
        return await self.store.subscriptions(
            platform=ctx.platform, workspace=ctx.workspace, destination=ctx.channel
        )

    async def _digest(self, command: DigestRequest, ctx: Context, now: dt.datetime) -> Reply:
        categories = command.categories
        if not categories:
            # The channel's subscription: its categories, and its keywords unless others are
            # given (a keyword matches when any one does, so several subscriptions' add up).
            mine = await self._mine(ctx)
            categories = tuple(dict.fromkeys(c for s in mine for c in s.categories))
            if not command.keywords:
                keywords = tuple(dict.fromkeys(k for s in mine for k in s.keywords))
                command = replace(command, keywords=keywords)
        if command.view != "day":
            return await self._history(command, categories, now)
        try:
            snapshot = await self.digests.snapshot(command.date, categories)
        except HotPapersError as exc:
            return TextReply(kind="error", text=f"The digest cannot be made right now: {exc}")
        if snapshot is None:
            day = command.date or announcement_date(now)
            return TextReply(
                kind="error",
                text=f"The papers of {day} are not available yet; try again in a few minutes.",
            )
        filters = Filters(
            categories=categories, keywords=command.keywords, top=command.top or DEFAULT_TOP
        )
        digest = await self.digests.digest(
            snapshot, filters, generated_at=now, categories=categories
        )
        return DigestReply(digest=digest, public=command.public)

    async def _history(
        self, command: DigestRequest, categories: tuple[str, ...], now: dt.datetime
    ) -> Reply:
        """Rising, or the best of a week or month, from the readings in the store."""
        filters = Filters(
            categories=categories, keywords=command.keywords, top=command.top or DEFAULT_TOP
        )
        try:
            if command.view == "rising":
                digest = await rising_digest(
                    self.store.readings,
                    filters,
                    until=command.date,
                    weights=self.weights,
                    max_post_share=self.max_post_share,
                    rank_prior=self.rank_prior,
                    generated_at=now,
                )
            else:
                digest = await span_digest(
                    self.store.readings,
                    "week" if command.view == "week" else "month",
                    filters,
                    end=command.date,
                    weights=self.weights,
                    max_post_share=self.max_post_share,
                    rank_prior=self.rank_prior,
                    generated_at=now,
                )
        except InputError as exc:
            return TextReply(kind="error", text=str(exc))
        except HotPapersError as exc:
            return TextReply(kind="error", text=f"The digest cannot be made right now: {exc}")
        return DigestReply(digest=digest, public=command.public)

    async def _list(self, ctx: Context) -> Reply:
        mine = await self._mine(ctx)
        if not mine:
            return TextReply(
                kind="list",
                text="This channel has no subscription. Try /hotpapers subscribe cs.LG at 09:00.",
            )
        return TextReply(
            kind="list", text="This channel gets:\n" + "\n".join(f"• {describe(s)}" for s in mine)
        )

    async def _subscribe(self, command: Subscribe, ctx: Context) -> Reply:
        mine = await self._mine(ctx)
        if not mine and not command.categories:
            # A new subscription without categories would get all of arXiv: ask instead.
            return TextReply(
                kind="error",
                text="Which categories? Name at least one, like /hotpapers subscribe cs.LG "
                f"at 09:00 (cs.* for all of computer science). {MORE_HELP}",
            )
        changes: dict[str, object] = {
            key: value
            for key, value in {
                "keywords": command.keywords,
                "top": command.top,
                "post_time": command.at,
                "timezone": command.timezone,
                "weekdays": command.weekdays,
                "cadence": command.cadence,
                "lag": command.lag,
                "mix": command.mix,
            }.items()
            if value is not None
        }
        if command.refresh_after is not None:
            changes["refresh_after"] = command.refresh_after or None  # 0: off
        problem = _cadence_changes(mine[0] if mine else None, command, changes)
        if problem:
            return TextReply(kind="error", text=problem)
        if mine:
            current = mine[0]
            assert current.id is not None
            categories = tuple(dict.fromkeys((*current.categories, *command.categories)))
            updated = await self.store.update(
                current.id, categories=categories, paused=False, paused_reason="", **changes
            )
            assert updated is not None
            return TextReply(kind="confirmation", text=f"Updated: {describe(updated)}.")
        sub = Subscription.model_validate(
            {
                "platform": ctx.platform,
                "workspace": ctx.workspace,
                "destination": ctx.channel,
                "categories": command.categories,
                "created_by": ctx.user,
                **changes,
            }
        )
        created = await self.store.add(sub, now=self.clock())
        return TextReply(kind="confirmation", text=f"Subscribed: {describe(created)}.")

    async def _unsubscribe(self, command: Unsubscribe, ctx: Context) -> Reply:
        mine = await self._mine(ctx)
        if not mine:
            return TextReply(kind="error", text="This channel has no subscription to change.")
        if command.categories and any(not s.categories for s in mine):
            return TextReply(
                kind="error",
                text="This channel gets every category; /hotpapers unsubscribe alone stops it, "
                "or subscribe to the categories you want instead.",
            )
        for sub in mine:
            assert sub.id is not None
            left = tuple(c for c in sub.categories if c not in command.categories)
            if not command.categories or not left:
                await self.store.remove(sub.id)
            else:
                await self.store.update(sub.id, categories=left)
        if not command.categories:
            return TextReply(
                kind="confirmation", text="Unsubscribed: this channel gets no more digests."
            )
        return TextReply(
            kind="confirmation", text=f"Unsubscribed from {' '.join(command.categories)}."
        )

    async def _pause(self, ctx: Context, pause: bool) -> Reply:
        mine = await self._mine(ctx)
        if not mine:
            return TextReply(
                kind="error", text="This channel has no subscription to pause or resume."
            )
        for sub in mine:
            assert sub.id is not None
            await self.store.update(
                sub.id, paused=pause, paused_reason="paused by a user" if pause else ""
            )
        return TextReply(kind="confirmation", text="Paused." if pause else "Resumed.")


def _cadence_changes(
    current: Subscription | None, command: Subscribe, changes: dict[str, object]
) -> str:
    """Complete ``changes`` so that the cadence, weekdays and lag agree; or say why they cannot.

    A weekly subscription told a lag or several weekdays (or ``daily``) becomes daily again,
    on mon-fri unless weekdays are given; ``weekly DAY`` drops the lag.
    """
    was = current.cadence if current is not None else "daily"
    several = command.weekdays is not None and len(command.weekdays) > 1
    cadence = command.cadence or (
        "daily" if was == "weekly" and (command.lag is not None or several) else was
    )
    changes["cadence"] = cadence
    if cadence == "weekly":
        days = command.weekdays or (current.weekdays if current is not None else ())
        if len(days) != 1:
            return (
                "A weekly subscription posts on one weekday: "
                "/hotpapers subscribe weekly fri at 16:00."
            )
        changes["lag"] = 0
    elif was == "weekly" and command.weekdays is None:
        changes["weekdays"] = Subscription.model_fields["weekdays"].default
    return ""
