"""Delivering due digests exactly once: claim in the ledger, post message by message, record.

``Deliverer.run(at)`` performs every delivery due at ``at`` and returns what it did. It reads
only the subscriptions that may be due (each keeps its next post moment, indexed, worked out
by the run that settled its last one); deliveries run concurrently, at most ``concurrency``
store or platform calls at a time, and before each platform call a delivery waits for the rate
limits its publisher names (``Paced``) — outside its slot, so a busy destination or a 429
delays only itself. The messages of one delivery go out in order. A digest is computed only
after a claim is won, once per ``bot.digests.subscription_key`` (through ``DigestService``:
off the event loop, single-flight, and kept in the store for its TTL when given a shared
service), and shared by every subscription that asks for the same thing. Its
messages are rendered once and kept in the ledger; each is marked
``sending`` before the platform call and ``posted`` after it, so a retry resumes at the first
message not confirmed. A message that may have gone out (a crash, a timeout after sending, a
5xx) is never posted again blindly: it is looked up on platforms that allow it, and otherwise
left ``uncertain`` — reported by every run until an operator resolves it. A destination that is
gone (404/403) pauses its subscription with the reason; a failed post is retried by a later
run, up to ``max_attempts``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.cache import utcnow
from bot.cadence import Blender, picks_of, quiet_key
from bot.digests import DigestService
from bot.errors import (
    DeliveryError,
    DestinationGone,
    FeedError,
    HotPapersError,
    InputError,
    MaybePosted,
    RateLimited,
)
from bot.feedback import Channel
from bot.feedback.actions import with_channel_counts
from bot.models import Digest
from bot.pacing import RANK, Pacer, Slots
from bot.ports import Publisher, Reconciler, SnapshotProvider
from bot.ranking import MAX_POST_SHARE, RANK_PRIOR
from bot.schedule import GRACE, Due, due, next_due
from bot.store import Claim, Part, SqlStore
from bot.store.sql import NextDue, Scheduled
from bot.subscriptions import Subscription

LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
CONCURRENCY = 16  # deliveries in progress at once (the PostgreSQL pool keeps 16 connections)
RATE_LIMIT_TRIES = 3  # a 429 is waited out this many times per message, then the post fails
MAX_RATE_LIMIT_WAIT_S = 60.0
# What leaves a delivery settled: the subscription is not read again until its next post.
SETTLED = frozenset(
    {
        "posted",
        "skipped (no announcement)",
        "skipped (nothing matched)",
        "paused (destination gone)",
        "uncertain",
    }
)
NoAnnouncement = Literal["skip", "notice"]
EmptyPosts = Literal["skip", "post"]
RESOLVE = "hotpapers deliveries list --state uncertain, then hotpapers deliveries resolve ID"
log = logging.getLogger("hotpapers.delivery")


# Told of each message posted (its platform id and body): which papers it carries, for reactions.
PostedHook = Callable[[Subscription, str, Mapping[str, Any]], Awaitable[None]]


def delivery_key(sub: Subscription, day: dt.date) -> str:
    """A stable idempotency key of one delivery (a Discord nonce is at most 25 characters)."""
    return hashlib.sha256(f"{sub.id}:{day}".encode()).hexdigest()[:25]


def message_key(key: str, position: int) -> str:
    """The idempotency key of one message of a delivery (a Discord nonce: 25 characters)."""
    return hashlib.sha256(f"{key}:{position}".encode()).hexdigest()[:25]


class _ClaimLost(Exception):
    """Another worker took the delivery over (our lease ran out): leave it to them."""


@dataclass
class Report:
    """What one run did, counted by outcome, with a line per problem."""

    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    uncertain: int = 0  # deliveries in the ledger waiting for an operator's decision
    # Subscriptions whose kind has no publisher running, by "platform kind" (one line each).
    unserved: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        if not self.outcomes:
            return "nothing was due"
        return ", ".join(f"{n} {what}" for what, n in sorted(self.outcomes.items()))

    def add(self, other: Report) -> None:
        """Count ``other``'s outcomes and problems here too (a delivery's own report)."""
        self.outcomes.update(other.outcomes)
        self.problems.extend(other.problems)
        self.unserved.update(other.unserved)


class Deliverer:
    def __init__(
        self,
        store: SqlStore,
        snapshots: SnapshotProvider,
        publishers: Mapping[tuple[str, str], Publisher],
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        owner: str | None = None,
        grace: dt.timedelta = GRACE,
        lease: dt.timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
        no_announcement: NoAnnouncement = "skip",
        empty_posts: EmptyPosts = "skip",
        fixed_date: dt.date | None = None,
        weights: Mapping[str, float] | None = None,
        max_post_share: float = MAX_POST_SHARE,
        rank_prior: float = RANK_PRIOR,
        blend: Blender | None = None,
        digests: DigestService | None = None,
        concurrency: int = CONCURRENCY,
        pacer: Pacer | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        stagger: bool = False,
        posted: PostedHook | None = None,
    ) -> None:
        """``digests``: a service shared with other runs (and, through its shelf, processes);
        without one, each run computes its digests afresh. ``concurrency``: deliveries in
        progress at once (none holds its place while waiting for a rate limit); ``pacer``: the
        rate limiters (kept across runs). ``stagger``: start at a place of the list of due
        subscriptions that depends on ``owner``, so that several processes begin on different
        deliveries instead of racing for the same claims (otherwise subscription order).
        ``posted``: told of each message posted (which papers it carries, for reactions)."""
        self.posted = posted
        self.store = store
        self.snapshots = snapshots
        self.publishers = publishers
        # Each channel's taste blended in (``mix``); None: every subscription the hot order.
        self.blend = blend
        self.clock = clock
        self.owner = owner or uuid.uuid4().hex[:16]
        self.grace = grace
        self.lease = lease
        self.max_attempts = max_attempts
        self.no_announcement = no_announcement
        self.empty_posts = empty_posts
        self.fixed_date = fixed_date
        self.weights = weights
        self.max_post_share = max_post_share
        self.rank_prior = rank_prior
        self.shared_digests = digests
        self.digests = digests if digests is not None else self._fresh_digests()
        self.pacer = pacer if pacer is not None else Pacer()
        self.sleep = sleep
        self._slots = Slots(concurrency)
        self.stagger = stagger
        self._renders: dict[tuple[int, int], tuple[Digest, list[dict[str, Any]]]] = {}
        self._held: dict[int, Claim] = {}  # the claims of deliveries in progress, by id
        # Per run: the channels that said anything (feedback, interests), read once for all
        # due subscriptions; and the blends of silent channels, shared by equal subscriptions.
        self._asked: set[tuple[str, str]] = set()
        self._heard: set[tuple[str, str]] = set()
        self._quiet: dict[tuple[object, ...], tuple[Digest, Digest]] = {}
        # One run at a time: a run's claims are this owner's, and a claim in state "claimed"
        # under our own name is taken as ours (an insert whose answer was lost), so a second
        # run at once would post the same delivery again; the per-run state is shared too.
        self._running = asyncio.Lock()

    def _fresh_digests(self) -> DigestService:
        return DigestService(
            self.snapshots,
            clock=self.clock,
            weights=self.weights,
            max_post_share=self.max_post_share,
            rank_prior=self.rank_prior,
            readings=self.store.readings,
        )

    async def run(self, at: dt.datetime) -> Report:
        """Every delivery due at ``at``: posted, skipped or failed, each at most once. Runs of
        one deliverer go one after another. The leases of the claims it holds are renewed
        while it runs (a delivery may wait its turn at a rate limit longer than a lease)."""
        async with self._running:
            keeper = asyncio.ensure_future(self._keep_leases())
            try:
                return await self._run(at)
            finally:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper

    async def _keep_leases(self) -> None:
        """Every third of a lease, renew every claim held (one statement for all of them); a
        claim lost meanwhile is found out by its delivery's next mark."""
        while True:
            await asyncio.sleep(max(self.lease.total_seconds() / 3, 0.1))
            if self._held:
                try:
                    await self.store.renew(
                        list(self._held.values()), now=self.clock(), lease=self.lease
                    )
                except HotPapersError as exc:  # the next renewal tries again
                    log.warning("the leases of %d deliveries: %s", len(self._held), exc)

    async def _run(self, at: dt.datetime) -> Report:
        report = Report()
        self._renders = {}
        if self.shared_digests is None:
            self.digests = self._fresh_digests()  # within a run only: a later run sees newer data
        scheduled = await self.store.maybe_due(at)
        self._quiet = {}
        self._asked, self._heard = await self._channels_heard(scheduled)
        if self.stagger and scheduled:
            start = int(hashlib.sha256(self.owner.encode()).hexdigest(), 16) % len(scheduled)
            scheduled = scheduled[start:] + scheduled[:start]
        # The deliveries of the subscriptions not read (settled until a later post) count as
        # handled, as they would if they were claimed again.
        handled = await self.store.settled_since(at - self.grace, at)
        if handled:
            report.outcomes["already handled"] += handled
        # Every delivery runs to its end even when another fails (a store error, a bug): none
        # is cancelled half-way through its messages. The first error is raised after.
        tasks = [
            asyncio.ensure_future(self._subscription(item, at, rank))
            for rank, item in enumerate(scheduled)
        ]
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        settled, errors = [], []
        ids = [item.subscription.id or 0 for item in scheduled]
        for _, outcome in sorted(zip(ids, outcomes, strict=True), key=lambda pair: pair[0]):
            if isinstance(outcome, BaseException):
                errors.append(outcome)
                continue
            own, moment = outcome
            report.add(own)  # in subscription order, whatever order they finished in
            if moment is not None:
                settled.append(moment)
        await self.store.reschedule(settled)
        if errors:
            raise errors[0]
        await self._retry(report)
        await self._settle_stopped(at, report)
        for kind, n in sorted(report.unserved.items()):
            report.problems.append(
                f"{n} {kind} subscription{'s' if n != 1 else ''}: no {kind} publisher is running"
            )
        # Reported by every run, not only the one that noticed, until an operator decides.
        report.uncertain = await self.store.count("uncertain")
        if report.uncertain:
            report.problems.append(
                f"{report.uncertain} deliver{'y' if report.uncertain == 1 else 'ies'} may or may "
                f"not have been posted and will not be retried: see {RESOLVE} --posted|--retry"
            )
        return report

    async def _subscription(
        self, scheduled: Scheduled, at: dt.datetime, rank: int
    ) -> tuple[Report, NextDue | None]:
        """One subscription's deliveries due at ``at``, and its next post moment when they are
        all settled (else the next run reads it again). ``rank``: its turn for the slots."""
        RANK.set(rank)  # this task's own context
        sub, report = scheduled.subscription, Report()
        assert sub.id is not None
        settled = True
        for item in due(sub, at, grace=self.grace):
            if self.fixed_date is not None:
                item = Due(
                    subscription=sub, scheduled_for=item.scheduled_for, digest_date=self.fixed_date
                )
            async with self._slots:  # given up only while waiting for a rate limit
                settled = await self._deliver(item, report) in SETTLED and settled
        if not settled:
            return report, None
        moment = NextDue(
            subscription_id=sub.id,
            rev=scheduled.rev,
            next_due_at=next_due(sub, at),
            checked_at=at,
        )
        return report, moment

    async def _retry(self, report: Report) -> None:
        """Deliveries an operator resolved for a retry: posted now, whatever the grace window."""
        for row in await self.store.deliveries(state="retry"):
            sub = await self.store.get(row.subscription_id)
            if sub is not None and not sub.paused:  # a paused or removed one waits, still listed
                item = Due(
                    subscription=sub, scheduled_for=row.scheduled_for, digest_date=row.digest_date
                )
                async with self._slots:
                    await self._deliver(item, report)

    async def _settle_stopped(self, at: dt.datetime, report: Report) -> None:
        """Deliveries whose worker stopped while posting and that no run will claim again (past
        their grace window, or out of attempts): looked up where the platform allows, otherwise
        left ``uncertain`` for an operator — never silently stuck."""
        stopped = await self.store.stale(
            now=self.clock(), scheduled_before=at - self.grace, max_attempts=self.max_attempts
        )
        if not stopped:
            return
        subs = {sub.id: sub for sub in await self.store.subscriptions()}
        for delivery_id in stopped:
            claim = await self.store.take_over(
                delivery_id, owner=self.owner, now=self.clock(), lease=self.lease
            )
            if claim is None:
                continue  # someone else is on it
            try:
                await self._settle_one_stopped(claim, subs.get(claim.subscription_id), report)
            except _ClaimLost:
                continue

    async def _settle_one_stopped(
        self, claim: Claim, sub: Subscription | None, report: Report
    ) -> None:
        publisher = self.publishers.get((sub.platform, sub.kind)) if sub is not None else None
        parts = await self.store.parts(claim)
        thread = ""
        for part in parts:
            if part.state == "posted":
                thread = thread or part.message_id
                continue
            if part.state == "pending" or not isinstance(publisher, Reconciler):
                break
            assert sub is not None
            key = message_key(delivery_key(sub, claim.digest_date), part.position)
            await self.pacer.before_call(publisher, sub)
            try:
                found = await publisher.find(sub, part.body, key=key, thread=thread)
            except Exception as exc:  # not found yet: an operator decides
                log.warning("subscription %s: lookup: %s: %s", sub.id, type(exc).__name__, exc)
                found = None
            if found and await self.store.recorded_elsewhere(claim, found):
                found = None
            if not found:
                break
            await self._mark_part(claim, part, "posted", message_id=found)
            thread = thread or found
        parts = await self.store.parts(claim)
        posted = sum(part.state == "posted" for part in parts)
        name = f"subscription {claim.subscription_id}: the post of {claim.digest_date}"
        if parts and posted == len(parts):
            await self.store.mark(claim, "posted", now=self.clock(), message_id=thread)
            report.outcomes["posted"] += 1
            return
        in_doubt = claim.resumed_sending or any(part.state != "pending" for part in parts)
        if not in_doubt:
            # Nothing went out: a missed post, like any other past its window.
            error = "stopped before posting; not caught up after its grace window or attempts"
            await self.store.mark(claim, "failed", now=self.clock(), error=error)
            report.outcomes["failed"] += 1
            report.problems.append(f"{name} {error}")
            return
        for part in parts:
            if part.state == "sending":
                await self._mark_part(claim, part, "uncertain")
        error = (
            f"a worker stopped while posting it ({posted} of {len(parts)} messages confirmed);"
            " past its grace window or out of attempts"
        )
        await self.store.mark(claim, "uncertain", now=self.clock(), error=error)
        report.outcomes["uncertain"] += 1
        report.problems.append(f"{name} may or may not have gone out ({error}); not retried")

    async def _channels_heard(
        self, scheduled: list[Scheduled]
    ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """The due channels, and those of them with feedback or interests (one read for the
        whole run, instead of one per channel)."""
        channels = []
        for item in scheduled:
            sub = item.subscription
            if sub.kind == "channel" and sub.content == "hot":
                with contextlib.suppress(InputError):  # a console name with spaces: none
                    channels.append(Channel(platform=sub.platform, channel=sub.destination))
        heard = await self.store.feedback.heard(channels) if channels else set()
        return {(c.platform, c.channel) for c in channels}, heard

    def _silent(self, sub: Subscription) -> bool:
        """Whether the subscription's channel had said nothing when this run began (one not
        asked about, such as a delivery an operator resolved for a retry, is read in full)."""
        where = (sub.platform, sub.destination)
        return where in self._asked and where not in self._heard

    async def _blended(self, sub: Subscription, digest: Digest, blend: Blender) -> Digest:
        """The shared candidates in the order of this channel's own taste; a silent channel's
        blend depends only on its subscription's profile, so equal ones share it."""
        if not self._silent(sub):
            return await blend(sub, digest)
        key = (id(digest), *quiet_key(sub))
        kept = self._quiet.get(key)
        if kept is None or kept[0] is not digest:
            kept = self._quiet[key] = (digest, await blend(sub, digest, quiet=True))
        return kept[1]

    async def _with_own(self, sub: Subscription, digest: Digest) -> Digest:
        """The channel's own count (its people's 👍, 👎, 🔖 and reactions) on each paper it has
        one for: a line apart from the public signals, never in the score."""
        if self._silent(sub):
            return digest
        try:
            where = Channel(platform=sub.platform, channel=sub.destination, scope=sub.workspace)
        except InputError:  # a destination no feedback can name (a console name with spaces)
            return digest
        return with_channel_counts(digest, await self.store.feedback.of_channel(where))

    async def _deliver(self, item: Due, report: Report) -> str:
        """Claim, compute the digest, post; the outcome it counted."""
        sub = item.subscription
        assert sub.id is not None
        publisher = self.publishers.get((sub.platform, sub.kind))
        if publisher is None:
            report.outcomes["without a publisher"] += 1
            report.unserved[f"{sub.platform} {sub.kind}"] += 1  # one line per kind, at the end
            return "without a publisher"
        claim = await self.store.claim(
            sub.id,
            item.digest_date,
            scheduled_for=item.scheduled_for,
            owner=self.owner,
            now=self.clock(),
            lease=self.lease,
            max_attempts=self.max_attempts,
        )
        if claim is None:
            report.outcomes["already handled"] += 1
            return "already handled"
        self._held[claim.delivery_id] = claim
        try:
            return await self._claimed(item, claim, publisher, report)
        finally:
            self._held.pop(claim.delivery_id, None)

    async def _claimed(self, item: Due, claim: Claim, publisher: Publisher, report: Report) -> str:
        """A claimed delivery: its digest computed (only now), then posted, skipped or given
        back."""
        sub = item.subscription
        assert sub.id is not None
        try:
            blended = self.blend is not None and sub.mix > 0 and sub.content == "hot"
            if sub.content == "picks":
                # The channel's own week of likes and saves: nothing to share with others.
                digest: Digest | None = await picks_of(
                    sub, self.store.feedback, now=item.scheduled_for
                )
            else:
                digest = await self.digests.for_subscription(
                    sub, item.digest_date, generated_at=self.clock(), blended=blended
                )
            if blended and digest is not None and self.blend is not None:
                digest = await self._blended(sub, digest, self.blend)
            if digest is not None and sub.kind == "channel" and sub.content == "hot":
                digest = await self._with_own(sub, digest)
        except HotPapersError as exc:
            # arXiv (or the store) could not be read: an outage to report, not a quiet wait.
            await self._give_back(claim)
            outcome = "unavailable" if isinstance(exc, FeedError) else "waiting"
            report.outcomes[outcome] += 1
            reason = str(exc).rstrip(".")
            report.problems.append(
                f"subscription {sub.id}: the digest of {item.digest_date} is not available "
                f"({reason})"
            )
            return outcome
        if digest is None:
            await self._give_back(claim)
            report.outcomes["waiting"] += 1
            return "waiting"
        now = self.clock()
        if not digest.announced and self.no_announcement == "skip":
            await self.store.mark(claim, "skipped", now=now, error="no announcement")
            report.outcomes["skipped (no announcement)"] += 1
            return "skipped (no announcement)"
        if digest.announced and not digest.items and self.empty_posts == "skip":
            # The subscription's filters match none of the day's papers: no "None of the …"
            # post every day; the ledger keeps the day as skipped.
            await self.store.mark(claim, "skipped", now=now, error="nothing matched")
            report.outcomes["skipped (nothing matched)"] += 1
            return "skipped (nothing matched)"
        try:
            return await self._post(claim, sub, digest, publisher, report)
        except _ClaimLost:
            report.outcomes["already handled"] += 1
            return "already handled"

    async def _give_back(self, claim: Claim) -> None:
        """The digest is not available yet: the claim is undone, as if never made."""
        await self.store.release(claim, now=self.clock())

    async def _post(
        self, claim: Claim, sub: Subscription, digest: Digest, publisher: Publisher, report: Report
    ) -> str:
        assert sub.id is not None
        # A claim that made its row has no messages yet; a taken-over one may.
        fresh = not claim.was and not claim.resumed_sending
        parts = [] if fresh else await self.store.parts(claim)
        keep: list[dict[str, Any]] = []
        if not parts and claim.resumed_sending:
            # A worker that died while sending before messages were kept (an older version)
            # may have posted any of them: each is looked up, or left uncertain.
            prepared = await self.store.prepare(
                claim, self._render(publisher, digest), now=self.clock(), state="sending"
            )
            if prepared is None:
                raise _ClaimLost
            parts = prepared
        elif not parts:
            # Kept in the ledger with the first message's "sending" mark, in one transaction.
            keep = self._render(publisher, digest)
            parts = [
                Part(position=n, state="pending", message_id="", body=body)
                for n, body in enumerate(keep)
            ]
        key = delivery_key(sub, claim.digest_date)
        thread = ""
        for part in parts:
            where = f"message {part.position + 1} of {len(parts)}" if len(parts) > 1 else "the post"
            try:
                message_id = await self._settle_paced(
                    claim,
                    sub,
                    publisher,
                    part,
                    key=message_key(key, part.position),
                    thread=thread,
                    keep=keep,
                    last=part is parts[-1],
                )
                keep = []
            except DestinationGone as exc:
                await self.store.mark(claim, "gone", now=self.clock(), error=str(exc))
                await self.store.update(sub.id, paused=True, paused_reason=str(exc))
                report.outcomes["paused (destination gone)"] += 1
                report.problems.append(f"subscription {sub.id} paused: {exc}")
                return "paused (destination gone)"
            except MaybePosted as exc:
                return await self._unsure(claim, sub, publisher, part, where, exc, report)
            except DeliveryError as exc:
                final = claim.attempts >= self.max_attempts
                await self.store.mark(claim, "failed", now=self.clock(), error=f"{where}: {exc}")
                report.outcomes["failed"] += 1
                report.problems.append(
                    f"subscription {sub.id}: {where} of {claim.digest_date}: {exc}"
                    + (" (giving up)" if final else " (will be retried)")
                )
                return "failed"
            if self.posted is not None:
                await self.posted(sub, message_id, part.body)
            thread = thread or message_id
        if not parts or parts[-1].state == "posted":  # else its last message's mark settled it
            await self.store.mark(claim, "posted", now=self.clock(), message_id=thread)
        report.outcomes["posted"] += 1
        return "posted"

    def _render(self, publisher: Publisher, digest: Digest) -> list[dict[str, Any]]:
        """The publisher's messages of a digest, rendered once per run (rendering is pure, and
        every subscription that shares the digest posts the same messages)."""
        key = (id(publisher), id(digest))
        kept = self._renders.get(key)
        if kept is None or kept[0] is not digest:
            kept = self._renders[key] = (digest, publisher.render(digest))
        return kept[1]

    async def _settle_paced(
        self,
        claim: Claim,
        sub: Subscription,
        publisher: Publisher,
        part: Part,
        *,
        key: str,
        thread: str,
        keep: Sequence[Mapping[str, Any]] = (),
        last: bool = False,
    ) -> str:
        """``_settle`` with a 429 waited out a few times — asleep without a slot, so that only
        this delivery waits; then it fails like any refused post (retried by a later run)."""
        for attempt in range(1, RATE_LIMIT_TRIES + 1):
            try:
                return await self._settle(
                    claim, sub, publisher, part, key=key, thread=thread, keep=keep, last=last
                )
            except RateLimited as exc:
                keep = ()  # kept by the attempt's "sending" mark
                if attempt == RATE_LIMIT_TRIES or exc.retry_after > MAX_RATE_LIMIT_WAIT_S:
                    raise
                log.info("subscription %s: rate limited; waiting %.1f s", sub.id, exc.retry_after)
                async with self._slots.released():
                    await self.sleep(exc.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _settle(
        self,
        claim: Claim,
        sub: Subscription,
        publisher: Publisher,
        part: Part,
        *,
        key: str,
        thread: str,
        keep: Sequence[Mapping[str, Any]] = (),
        last: bool = False,
    ) -> str:
        """Make sure one message is posted once: its platform id. Each platform call waits for
        the publisher's rate limits first, its slot given up meanwhile. ``keep``: the
        delivery's messages, not in the ledger yet (kept with this one's "sending" mark);
        ``last``: the delivery's last message, whose "posted" mark settles the delivery."""
        if part.state == "posted":
            return part.message_id
        if part.state != "pending":
            # An earlier attempt may have posted it: ask the platform, never re-send blindly.
            if not isinstance(publisher, Reconciler):
                raise MaybePosted(
                    "a worker stopped while posting, or the platform's answer was lost"
                )
            async with self._slots.released():
                await self.pacer.before_call(publisher, sub)
            try:
                found = await publisher.find(sub, part.body, key=key, thread=thread)
            except DestinationGone:
                raise
            except DeliveryError as exc:
                raise MaybePosted(f"it could not be looked up: {exc}") from exc
            except Exception as exc:
                # An odd history is this delivery's problem only: not found yet, the run goes on.
                log.warning("subscription %s: lookup: %s: %s", sub.id, type(exc).__name__, exc)
                log.debug("the lookup's failure", exc_info=True)
                raise MaybePosted(
                    f"it could not be looked up (the {sub.platform} {sub.kind} answered"
                    f" unexpectedly: {type(exc).__name__})"
                ) from exc
            if found and await self.store.recorded_elsewhere(claim, found):
                # A look-alike posted by another delivery (same channel, same digest).
                found = None
            if found is not None:
                done = (thread or found) if last else None
                await self._mark_part(claim, part, "posted", message_id=found, done=done)
                return found
        async with self._slots.released():
            await self.pacer.before_call(publisher, sub)
        await self._mark_part(claim, part, "sending", keep=keep)
        try:
            message_id = await publisher.send(sub, part.body, key=key, thread=thread)
        except MaybePosted:
            raise
        except DeliveryError:
            await self._mark_part(claim, part, "pending")
            raise
        except Exception as exc:
            # One destination's odd answer is its own problem: the run goes on.
            log.warning("subscription %s: %s: %s", sub.id, type(exc).__name__, exc)
            log.debug("the publisher's failure", exc_info=True)
            raise MaybePosted(
                f"the {sub.platform} {sub.kind} answered unexpectedly ({type(exc).__name__})"
            ) from exc
        done = (thread or message_id) if last else None
        await self._mark_part(claim, part, "posted", message_id=message_id, done=done)
        return message_id

    async def _mark_part(
        self,
        claim: Claim,
        part: Part,
        state: str,
        *,
        message_id: str = "",
        keep: Sequence[Mapping[str, Any]] = (),
        done: str | None = None,
    ) -> None:
        if not await self.store.mark_part(
            claim,
            part.position,
            state,
            now=self.clock(),
            lease=self.lease,
            message_id=message_id,
            keep=keep,
            done=done,
        ):
            raise _ClaimLost

    async def _unsure(
        self,
        claim: Claim,
        sub: Subscription,
        publisher: Publisher,
        part: Part,
        where: str,
        exc: MaybePosted,
        report: Report,
    ) -> str:
        """A message that may have gone out: looked up by a later run, or left to an operator."""
        if isinstance(publisher, Reconciler) and claim.attempts < self.max_attempts:
            await self.store.mark(claim, "failed", now=self.clock(), error=f"{where}: {exc}")
            report.outcomes["failed"] += 1
            report.problems.append(
                f"subscription {sub.id}: {where} of {claim.digest_date} may have gone out ({exc});"
                " the next run looks it up before posting"
            )
            return "failed"
        # No way to look it up, or no attempt left to do so: an operator decides.
        await self._mark_part(claim, part, "uncertain")
        await self.store.mark(claim, "uncertain", now=self.clock(), error=f"{where}: {exc}")
        report.outcomes["uncertain"] += 1
        report.problems.append(
            f"subscription {sub.id}: {where} of {claim.digest_date} may or may not have gone out"
            f" ({exc}); not retried to avoid a duplicate"
        )
        return "uncertain"
