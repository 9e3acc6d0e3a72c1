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
from bot.commands import (
    USAGE,
    CommandError,
    DigestRequest,
    Me,
    Pause,
    Picks,
    Simple,
    Subscribe,
    Unsubscribe,
    parse,
)
from bot.digests import DigestService
from bot.errors import HotPapersError, InputError
from bot.feedback import Channel
from bot.feedback.picks import nothing_picked, picks_digest, picks_window
from bot.follows.commands import USAGE as PERSONAL_USAGE
from bot.follows.commands import ForgetMe, is_personal
from bot.follows.commands import parse as parse_personal
from bot.follows.handler import FollowHandler, forgotten, person
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
# The channel's commands, then the personal ones, then help itself.
HELP = USAGE.replace("\n/hotpapers help", f"\n{PERSONAL_USAGE}\n/hotpapers help")
# How much a person's own taste counts in ``/hotpapers me`` unless they say.
ME_MIX = 0.5


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
    """A text answer. A ``confirmation`` (a change to the channel's subscriptions) is
    announced in the channel, naming who made it; every other kind goes only to who asked,
    ``done`` too: a change of the asker's own (a follow, ``forget me``)."""

    kind: Literal["help", "confirmation", "done", "list", "error"]
    text: str


Reply = DigestReply | TextReply


def announcement(text: str, who: str) -> str:
    """A change to a channel's subscriptions as posted for everyone in it: who, then what.

    ``who`` is already in the platform's markup (escaped, unable to ping); ``text`` is not.
    """
    return f"{who} changed this channel's subscriptions. {text}"


def describe(sub: Subscription) -> str:
    """One subscription in a line, with its number (``#12``) that the commands take."""
    number = f"#{sub.id} " if sub.id is not None else ""
    cats = _what(sub)
    state = (
        f" — paused ({sub.paused_reason})"
        if sub.paused and sub.paused_reason
        else (" — paused" if sub.paused else "")
    )
    refresh = f", refreshed after {sub.refresh_after} h" if sub.refresh_after else ""
    mix = f", mix {sub.mix:g}" if sub.mix != DEFAULT_MIX else ""
    return (
        f"{number}{cats}: top {sub.top} at {sub.post_time:%H:%M} {sub.timezone}, "
        f"{cadence_phrase(sub)}{refresh}{mix}{filters_words(sub)}{state}"
    )


def filters_words(sub: Subscription | DigestRequest) -> str:
    """The word and author filters as the command language writes them, after a comma."""
    parts = [
        ("keywords", sub.keywords),
        ("all", sub.all_keywords),
        ("not", sub.exclude),
        ("authors", tuple(f"“{name}”" for name in sub.authors or ())),
    ]
    return "".join(f", {label} {' '.join(words)}" for label, words in parts if words)


def _what(sub: Subscription) -> str:
    """What a subscription posts, in a few words: its categories, or lab picks."""
    if sub.content == "picks":
        return "lab picks"
    return " ".join(sub.categories) or "all categories"


def _numbers(subs: list[Subscription]) -> str:
    return ", ".join(f"#{s.id} ({_what(s)})" for s in subs)


def _same_filters(sub: Subscription, command: Subscribe) -> bool:
    """Whether ``sub`` gets what ``command`` names: its categories and word and author
    filters, in any order and case (then a new subscription would be a duplicate)."""

    def folded(words: tuple[str, ...] | None) -> set[str]:
        return {w.casefold() for w in words or ()}

    return (
        sub.content == (command.content or "hot")
        and folded(sub.categories) == folded(command.categories)
        and folded(sub.keywords) == folded(command.keywords)
        and folded(sub.all_keywords) == folded(command.all_keywords)
        and folded(sub.exclude) == folded(command.exclude)
        and folded(sub.authors) == folded(command.authors)
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
        follows: FollowHandler | None = None,
    ) -> None:
        self.store = store
        # The personal commands (follow, follows, unfollow, dm); without it they are refused.
        self.follows = follows
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
        if is_personal(text):
            return await self._personal(text, ctx)
        try:
            command = parse(text, today=now.date())
        except CommandError as exc:
            # One sentence with the closest fix, never the whole usage block.
            return TextReply(kind="error", text=f"{exc} {MORE_HELP}")
        if isinstance(command, Simple) and command.action == "help":
            return TextReply(kind="help", text=HELP)
        if isinstance(command, DigestRequest):
            return await self._digest(command, ctx, now)
        if isinstance(command, Simple) and command.action == "subscriptions":
            return await self._list(ctx)
        if isinstance(command, Picks):
            return await self._picks(command, ctx, now)
        if isinstance(command, Me):
            return await self._me(command, ctx, now)
        if not ctx.may_manage:
            return TextReply(
                kind="error", text="Only the channel's managers may change its subscriptions here."
            )
        if isinstance(command, Subscribe):
            return await self._subscribe(command, ctx)
        if isinstance(command, Unsubscribe):
            return await self._unsubscribe(command, ctx)
        if isinstance(command, Pause):
            return await self._pause(command, ctx)
        return TextReply(kind="help", text=HELP)  # pragma: no cover - every command is above

    async def _personal(self, text: str, ctx: Context) -> Reply:
        """follow, follows, unfollow, dm and forget me: the asker's own, answered to them only."""
        if not ctx.user:
            return TextReply(
                kind="error", text="Personal commands need to know who you are; none was given."
            )
        try:
            forget = isinstance(parse_personal(text), ForgetMe)
        except CommandError:
            forget = False
        if forget:
            return await self._forget(ctx)
        if self.follows is None:
            return TextReply(kind="error", text="Personal follows are not set up on this bot.")
        reply = await self.follows.handle(text, person(ctx))
        assert reply is not None  # is_personal said it is one
        kind = "done" if reply.kind == "confirmation" else reply.kind
        return TextReply(kind=kind, text=reply.text)

    async def _forget(self, ctx: Context) -> Reply:
        """``forget me``: the person's follows, DM time and sent record, their feedback, and
        their name on the subscriptions they made (which stay: they are the channel's)."""
        who = person(ctx)
        follows = papers = rows = 0
        if self.follows is not None:
            follows = len(await self.follows.store.follows(who))
            papers = len(await self.follows.store.sent_papers(who))
            rows = await self.follows.store.forget(who)
        feedback = await self.store.feedback.forget(ctx.platform, ctx.user, scope=ctx.workspace)
        made = [
            s
            for s in await self.store.subscriptions(
                platform=ctx.platform, workspace=ctx.workspace or None
            )
            if s.created_by == ctx.user
        ]
        for sub in made:
            assert sub.id is not None
            await self.store.update(sub.id, created_by="")
        if not (rows or feedback or made):
            return TextReply(kind="done", text="Nothing was stored about you here.")
        parts = []
        if rows:
            parts.append(forgotten(follows, papers))
        if feedback:
            parts.append(
                f"your {_count(feedback, 'piece')} of feedback (👍 👎 🔖 and reactions) "
                f"{'is' if feedback == 1 else 'are'} deleted"
            )
        if made:
            parts.append(
                f"your name is taken off the {_count(len(made), 'subscription')} you made "
                f"({', '.join(f'#{s.id}' for s in made)}; they stay, as the channel's)"
            )
        return TextReply(kind="done", text=f"Forgotten: {'; '.join(parts)}.")

    async def _me_mix(self, command: Me, ctx: Context) -> float:
        """The mix given (then remembered for the next ``me``), else the one the person last
        gave, else ``ME_MIX``."""
        if self.follows is None:
            return ME_MIX if command.mix is None else command.mix
        who = person(ctx)
        if command.mix is not None:
            await self.follows.store.set_me_mix(who, command.mix)
            return command.mix
        chosen = await self.follows.store.me_mix(who)
        return ME_MIX if chosen is None else chosen

    async def _picks(self, command: Picks, ctx: Context, now: dt.datetime) -> Reply:
        """Lab picks: what this channel liked and saved most over the span."""
        try:
            where = Channel(platform=ctx.platform, channel=ctx.channel, scope=ctx.workspace)
        except InputError as exc:
            return TextReply(kind="error", text=str(exc))
        since, until = picks_window(command.span, now)
        tallies = await self.store.feedback.tallies(where, since=since, until=until)
        if not any(t.picked or t.reactions for t in tallies):
            return TextReply(kind="list", text=nothing_picked(command.span))
        papers = await self.store.feedback.papers(t.arxiv_id for t in tallies)
        digest = picks_digest(tallies, papers, since=since, until=until, generated_at=now)
        return DigestReply(digest=digest)

    async def _me(self, command: Me, ctx: Context, now: dt.datetime) -> Reply:
        """The latest day (this channel's categories and filters) ordered by hotness blended
        with the asker's own taste: their 👍 and 🔖 wherever they gave them."""
        # scikit-learn loads on first use: a bot that is never asked "me" starts without it.
        from bot.relevance.blend import channel_digest
        from bot.relevance.model import score
        from bot.relevance.taste import person_taste, recent_papers

        if not ctx.user:
            return TextReply(kind="error", text="“me” needs to know who you are; none was given.")
        taste = await person_taste(self.store, ctx.platform, ctx.user, scope=ctx.workspace)
        if not taste.liked:
            return TextReply(
                kind="list",
                text="Nothing teaches your own order yet: press 👍 (for us) or 🔖 (save) on "
                "papers in a digest, or react with them, and /hotpapers me orders the day by "
                'what you liked. /hotpapers follow author "Name" sends you new papers too.',
            )
        request, categories = await self._channels(DigestRequest(), ctx)
        try:
            snapshot = await self.digests.snapshot(None, categories)
        except HotPapersError as exc:
            return TextReply(kind="error", text=f"The digest cannot be made right now: {exc}")
        if snapshot is None:
            return TextReply(
                kind="error",
                text=f"The papers of {announcement_date(now)} are not available yet; try again "
                "in a few minutes.",
            )
        # Every paper of the channel's categories is a candidate: one nobody discussed yet
        # may still be yours.
        candidates = await self.digests.digest(
            snapshot,
            filters_of(request, categories).model_copy(update={"top": None, "min_score": 0.0}),
            generated_at=now,
            categories=categories,
        )
        papers = [r.paper for r in candidates.items]
        pool = await recent_papers(self.store, candidates.date)
        relevance = await self.digests.offload(lambda: score(taste, papers, pool=pool))
        mix = await self._me_mix(command, ctx)
        return DigestReply(digest=channel_digest(candidates, relevance, mix=mix, top=DEFAULT_TOP))

    async def _mine(self, ctx: Context) -> list[Subscription]:
        return await self.store.subscriptions(
            platform=ctx.platform, workspace=ctx.workspace, destination=ctx.channel
        )

    async def _hot(self, ctx: Context) -> list[Subscription]:
        """The channel's subscriptions of hot papers (not its lab picks): what a digest asked
        for without categories takes its categories and filters from."""
        return [s for s in await self._mine(ctx) if s.content == "hot"]

    async def _digest(self, command: DigestRequest, ctx: Context, now: dt.datetime) -> Reply:
        command, categories = await self._channels(command, ctx)
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
        filters = filters_of(command, categories)
        digest = await self.digests.digest(
            snapshot, filters, generated_at=now, categories=categories
        )
        return DigestReply(digest=digest, public=command.public)

    async def _channels(
        self, command: DigestRequest, ctx: Context
    ) -> tuple[DigestRequest, tuple[str, ...]]:
        """The command completed with what the channel subscribes to, and its categories."""
        categories = command.categories
        if not categories:
            # The channel's subscriptions: their categories, and their word and author filters
            # unless the command gives some (with several subscriptions, only when they all have
            # the same ones: one digest cannot apply each subscription's own).
            mine = await self._hot(ctx)
            categories = tuple(dict.fromkeys(c for s in mine for c in s.categories))
            shared = {(s.keywords, s.all_keywords, s.exclude, s.authors) for s in mine}
            given = command.keywords or command.all_keywords or command.exclude or command.authors
            if len(shared) == 1 and not given:
                keywords, all_keywords, exclude, authors = shared.pop()
                command = replace(
                    command,
                    keywords=keywords,
                    all_keywords=all_keywords,
                    exclude=exclude,
                    authors=authors,
                )
        return command, categories

    async def _history(
        self, command: DigestRequest, categories: tuple[str, ...], now: dt.datetime
    ) -> Reply:
        """Rising, or the best of a week or month, from the readings in the store."""
        filters = filters_of(command, categories)
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
        lines = "\n".join(f"• {describe(s)}" for s in mine)
        example = mine[0].id
        return TextReply(
            kind="list",
            text=f"This channel gets:\n{lines}\nOne by its number: /hotpapers pause {example}, "
            f"resume {example}, unsubscribe {example}, subscribe {example} at 10:00.",
        )

    async def _subscribe(self, command: Subscribe, ctx: Context) -> Reply:
        """A new subscription, or a change to the one named by its number or by its
        categories and filters; a repeat that changes nothing says so and adds nothing."""
        mine = await self._mine(ctx)
        if command.content == "picks" and command.target is None:
            return await self._subscribe_picks(command, ctx, mine)
        if command.target is not None:
            target = next((s for s in mine if s.id == command.target), None)
            if target is None:
                return _not_here(command.target, mine)
            return await self._change(target, command, replace_filters=True)
        named = command.categories or any(
            words is not None
            for words in (command.keywords, command.all_keywords, command.exclude, command.authors)
        )
        if not command.categories:
            if not mine:
                # A new subscription without categories would get all of arXiv: ask instead.
                return TextReply(
                    kind="error",
                    text="Which categories? Name at least one, like /hotpapers subscribe cs.LG "
                    f"at 09:00 (cs.* for all of computer science). {MORE_HELP}",
                )
            if len(mine) > 1:
                return TextReply(
                    kind="error",
                    text=f"This channel has {len(mine)} subscriptions ({_numbers(mine)}): say "
                    f"which, like /hotpapers subscribe {mine[0].id} at 10:00, or name "
                    f"categories for a new one. {MORE_HELP}",
                )
            # The channel's one subscription: options change it, filters given replace its own.
            return await self._change(mine[0], command, replace_filters=bool(named))
        same = next((s for s in mine if _same_filters(s, command)), None)
        if same is not None:
            return await self._change(same, command, replace_filters=False)
        changes = _changes(command)
        problem = _cadence_changes(None, command, changes)
        if problem:
            return TextReply(kind="error", text=problem)
        sub = Subscription.model_validate(
            {
                "platform": ctx.platform,
                "workspace": ctx.workspace,
                "destination": ctx.channel,
                "categories": command.categories,
                "created_by": ctx.user,
                **{
                    key: words
                    for key in ("keywords", "all_keywords", "exclude", "authors")
                    if (words := getattr(command, key)) is not None
                },
                **changes,
            }
        )
        created = await self.store.add(sub, now=self.clock())
        text = f"Subscribed: {describe(created)}."
        if mine:
            shared = [c for c in created.categories if any(c in s.categories for s in mine)]
            overlap = (
                f" It shares {' '.join(shared)} with another: such papers may come twice."
                if shared
                else ""
            )
            text += (
                f" This channel now has {len(mine) + 1} subscriptions, each posted on its own: "
                f"{_numbers([*mine, created])}.{overlap} /hotpapers unsubscribe {created.id} "
                "stops this one."
            )
        return TextReply(kind="confirmation", text=text)

    async def _subscribe_picks(
        self, command: Subscribe, ctx: Context, mine: list[Subscription]
    ) -> Reply:
        """The channel's weekly lab picks: a new subscription, or a change to the one it has."""
        current = next((s for s in mine if s.content == "picks"), None)
        if current is not None:
            return await self._change(current, command, replace_filters=False)
        if command.cadence != "weekly":
            return TextReply(
                kind="error",
                text="Lab picks come once a week: /hotpapers subscribe picks weekly fri at 16:00.",
            )
        changes = _changes(command)
        if "refresh_after" in changes:
            return TextReply(kind="error", text="Lab picks have no counts to refresh.")
        problem = _cadence_changes(None, command, changes)
        if problem:
            return TextReply(kind="error", text=problem)
        sub = Subscription.model_validate(
            {
                "platform": ctx.platform,
                "workspace": ctx.workspace,
                "destination": ctx.channel,
                "created_by": ctx.user,
                "content": "picks",
                **changes,
            }
        )
        created = await self.store.add(sub, now=self.clock())
        return TextReply(
            kind="confirmation",
            text=f"Subscribed: {describe(created)}: what this channel liked 👍 and saved 🔖 "
            f"most over the week. /hotpapers unsubscribe {created.id} stops it.",
        )

    async def _change(
        self, current: Subscription, command: Subscribe, *, replace_filters: bool
    ) -> Reply:
        """Change ``current`` as ``command`` says (and resume it); say when nothing changes."""
        if current.content == "picks" and (
            command.categories
            or any(getattr(command, k) for k in ("keywords", "all_keywords", "exclude", "authors"))
            or command.refresh_after
            or command.lag
        ):
            return TextReply(
                kind="error",
                text=f"#{current.id} is this channel's lab picks: it takes a day, a time and "
                "top, not categories, filters, lag or refresh.",
            )
        changes = _changes(command)
        if replace_filters:
            if command.categories:
                changes["categories"] = command.categories
            for key in ("keywords", "all_keywords", "exclude", "authors"):
                if getattr(command, key) is not None:
                    changes[key] = getattr(command, key)
        problem = _cadence_changes(current, command, changes)
        if problem:
            return TextReply(kind="error", text=problem)
        changes.update(paused=False, paused_reason="")
        if all(getattr(current, key) == value for key, value in changes.items()):
            return TextReply(
                kind="list",
                text=f"Already subscribed: {describe(current)}. Nothing changed, and no "
                "second subscription was added.",
            )
        assert current.id is not None
        updated = await self.store.update(current.id, **changes)
        if updated is None:  # removed meanwhile
            return _not_here(current.id, [])
        return TextReply(kind="confirmation", text=f"Updated: {describe(updated)}.")

    async def _unsubscribe(self, command: Unsubscribe, ctx: Context) -> Reply:
        mine = await self._mine(ctx)
        if not mine:
            return TextReply(kind="error", text="This channel has no subscription to change.")
        if command.ids:
            chosen = [s for s in mine if s.id in command.ids]
            missing = next((i for i in command.ids if i not in {s.id for s in chosen}), None)
            if missing is not None:
                return _not_here(missing, mine)
            return await self._remove(chosen, mine)
        if not command.categories:
            return await self._remove(mine, mine)
        having = [s for s in mine if set(command.categories) & set(s.categories)]
        if not having:
            if any(not s.categories for s in mine):
                return TextReply(
                    kind="error",
                    text="This channel gets every category; /hotpapers unsubscribe alone stops "
                    "it, or subscribe to the categories you want instead.",
                )
            return TextReply(
                kind="error",
                text=f"No subscription here has {' '.join(command.categories)}; this channel "
                f"gets {_numbers(mine)}.",
            )
        done = []
        for sub in having:
            assert sub.id is not None
            left = tuple(c for c in sub.categories if c not in command.categories)
            if left:
                await self.store.update(sub.id, categories=left)
                done.append(f"#{sub.id} now gets {' '.join(left)}")
            else:
                await self.store.remove(sub.id)
                done.append(f"removed #{sub.id}")
        return TextReply(
            kind="confirmation",
            text=f"Unsubscribed from {' '.join(command.categories)}: {'; '.join(done)}.",
        )

    async def _remove(self, chosen: list[Subscription], mine: list[Subscription]) -> Reply:
        for sub in chosen:
            assert sub.id is not None
            await self.store.remove(sub.id)
        left = [s for s in mine if s not in chosen]
        after = (
            f"this channel still gets {_numbers(left)}."
            if left
            else "this channel gets no more digests."
        )
        removed = "; ".join(describe(s) for s in chosen)
        return TextReply(kind="confirmation", text=f"Unsubscribed: removed {removed}; {after}")

    async def _pause(self, command: Pause, ctx: Context) -> Reply:
        mine = await self._mine(ctx)
        if not mine:
            return TextReply(
                kind="error", text="This channel has no subscription to pause or resume."
            )
        chosen = [s for s in mine if s.id in command.ids] if command.ids else mine
        missing = next((i for i in command.ids if i not in {s.id for s in chosen}), None)
        if missing is not None:
            return _not_here(missing, mine)
        pause = not command.resume
        verb = "Paused" if pause else "Resumed"
        if all(s.paused == pause for s in chosen):
            return TextReply(
                kind="list",
                text=f"Already {verb.lower()}: {_numbers(chosen)}. Nothing changed.",
            )
        for sub in chosen:
            assert sub.id is not None
            await self.store.update(
                sub.id, paused=pause, paused_reason="paused by a user" if pause else ""
            )
        return TextReply(kind="confirmation", text=f"{verb}: {_numbers(chosen)}.")


def filters_of(command: DigestRequest, categories: tuple[str, ...]) -> Filters:
    """The filters of a digest the command asks for, over ``categories``."""
    return Filters(
        categories=categories,
        keywords=command.keywords,
        all_keywords=command.all_keywords,
        exclude=command.exclude,
        authors=command.authors,
        top=command.top or DEFAULT_TOP,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _not_here(number: int, mine: list[Subscription]) -> TextReply:
    """A number that is not one of this channel's subscriptions: another channel's is never
    acted on, nor said to exist."""
    listing = f"; this channel has {_numbers(mine)}" if mine else ""
    return TextReply(
        kind="error",
        text=f"This channel has no subscription #{number}{listing}. "
        "/hotpapers subscriptions lists them.",
    )


def _changes(command: Subscribe) -> dict[str, object]:
    """The options a subscribe command gives (not its categories and filters)."""
    changes: dict[str, object] = {
        key: value
        for key, value in {
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
    return changes


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
