"""Delivering due digests exactly once: claim in the ledger, post message by message, record.

``Deliverer.run(at)`` performs every delivery due at ``at`` and returns what it did. A digest
is computed once per (date, filters, cadence, lag) and shared by every
subscription that asks for the same thing (``bot.cadence`` makes weekly and lagged ones). Its
messages are rendered once and kept in the ledger; each is marked
``sending`` before the platform call and ``posted`` after it, so a retry resumes at the first
message not confirmed. A message that may have gone out (a crash, a timeout after sending, a
5xx) is never posted again blindly: it is looked up on platforms that allow it, and otherwise
left ``uncertain`` — reported by every run until an operator resolves it. A destination that is
gone (404/403) pauses its subscription with the reason; a failed post is retried by a later
run, up to ``max_attempts``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.cache import utcnow
from bot.cadence import Blender, filters_of, subscription_digest
from bot.errors import DeliveryError, DestinationGone, FeedError, HotPapersError, MaybePosted
from bot.models import Digest
from bot.ports import Publisher, Reconciler, SnapshotProvider
from bot.ranking import MAX_POST_SHARE, RANK_PRIOR
from bot.schedule import GRACE, Due, due
from bot.store import Claim, Part, SqlStore
from bot.subscriptions import Subscription

LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
NoAnnouncement = Literal["skip", "notice"]
EmptyPosts = Literal["skip", "post"]
RESOLVE = "hotpapers deliveries list --state uncertain, then hotpapers deliveries resolve ID"
log = logging.getLogger("hotpapers.delivery")


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

    def summary(self) -> str:
        if not self.outcomes:
            return "nothing was due"
        return ", ".join(f"{n} {what}" for what, n in sorted(self.outcomes.items()))


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
    ) -> None:
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
        self._digests: dict[tuple[object, ...], Digest | None] = {}

    async def run(self, at: dt.datetime) -> Report:
        """Every delivery due at ``at``: posted, skipped or failed, each at most once."""
        report = Report()
        self._digests = {}  # shared within a run only: a later run sees newer data
        active = await self.store.subscriptions(active_only=True)
        for sub in active:
            for item in due(sub, at, grace=self.grace):
                if self.fixed_date is not None:
                    item = Due(
                        subscription=sub,
                        scheduled_for=item.scheduled_for,
                        digest_date=self.fixed_date,
                    )
                await self._deliver(item, report)
        await self._retry(active, report)
        await self._settle_stopped(at, report)
        # Reported by every run, not only the one that noticed, until an operator decides.
        report.uncertain = await self.store.count("uncertain")
        if report.uncertain:
            report.problems.append(
                f"{report.uncertain} deliver{'y' if report.uncertain == 1 else 'ies'} may or may "
                f"not have been posted and will not be retried: see {RESOLVE} --posted|--retry"
            )
        return report

    async def _retry(self, active: list[Subscription], report: Report) -> None:
        """Deliveries an operator resolved for a retry: posted now, whatever the grace window."""
        subs = {sub.id: sub for sub in active if not sub.paused}
        for row in await self.store.deliveries(state="retry"):
            sub = subs.get(row.subscription_id)
            if sub is not None:  # a paused or removed subscription waits, still listed
                item = Due(
                    subscription=sub, scheduled_for=row.scheduled_for, digest_date=row.digest_date
                )
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

    async def _digest(self, sub: Subscription, day: dt.date) -> Digest | None:
        key: tuple[object, ...] = (day, filters_of(sub), sub.cadence, sub.lag)
        if (self.blend is not None and sub.mix > 0) or sub.content == "picks":
            key += (sub.platform, sub.kind, sub.destination, sub.mix, sub.content)  # its own
        if key not in self._digests:
            self._digests[key] = await subscription_digest(
                sub,
                day,
                snapshots=self.snapshots,
                readings=self.store.readings,
                weights=self.weights,
                max_post_share=self.max_post_share,
                rank_prior=self.rank_prior,
                generated_at=self.clock(),
                blend=self.blend,
                feedback=self.store.feedback,
            )
        return self._digests[key]

    async def _deliver(self, item: Due, report: Report) -> None:
        sub = item.subscription
        assert sub.id is not None
        publisher = self.publishers.get((sub.platform, sub.kind))
        if publisher is None:
            report.outcomes["without a publisher"] += 1
            report.problems.append(
                f"subscription {sub.id}: no {sub.platform} {sub.kind} publisher is running"
            )
            return
        try:
            digest = await self._digest(sub, item.digest_date)
        except HotPapersError as exc:
            # arXiv (or the store) could not be read: an outage to report, not a quiet wait.
            report.outcomes["unavailable" if isinstance(exc, FeedError) else "waiting"] += 1
            reason = str(exc).rstrip(".")
            report.problems.append(
                f"subscription {sub.id}: the digest of {item.digest_date} is not available "
                f"({reason})"
            )
            return
        if digest is None:
            report.outcomes["waiting"] += 1
            return
        now = self.clock()
        claim = await self.store.claim(
            sub.id,
            item.digest_date,
            scheduled_for=item.scheduled_for,
            owner=self.owner,
            now=now,
            lease=self.lease,
            max_attempts=self.max_attempts,
        )
        if claim is None:
            report.outcomes["already handled"] += 1
            return
        if not digest.announced and self.no_announcement == "skip":
            await self.store.mark(claim, "skipped", now=now, error="no announcement")
            report.outcomes["skipped (no announcement)"] += 1
            return
        if digest.announced and not digest.items and self.empty_posts == "skip":
            # The subscription's filters match none of the day's papers: no "None of the …"
            # post every day; the ledger keeps the day as skipped.
            await self.store.mark(claim, "skipped", now=now, error="nothing matched")
            report.outcomes["skipped (nothing matched)"] += 1
            return
        try:
            await self._post(claim, sub, digest, publisher, report)
        except _ClaimLost:
            report.outcomes["already handled"] += 1

    async def _post(
        self, claim: Claim, sub: Subscription, digest: Digest, publisher: Publisher, report: Report
    ) -> None:
        assert sub.id is not None
        parts = await self.store.parts(claim)
        if not parts:
            # A worker that died while sending before messages were kept (an older version)
            # may have posted any of them: each is looked up, or left uncertain.
            prepared = await self.store.prepare(
                claim,
                publisher.render(digest),
                now=self.clock(),
                state="sending" if claim.resumed_sending else "pending",
            )
            if prepared is None:
                raise _ClaimLost
            parts = prepared
        key = delivery_key(sub, claim.digest_date)
        thread = ""
        for part in parts:
            where = f"message {part.position + 1} of {len(parts)}" if len(parts) > 1 else "the post"
            try:
                message_id = await self._settle(
                    claim, sub, publisher, part, key=message_key(key, part.position), thread=thread
                )
            except DestinationGone as exc:
                await self.store.mark(claim, "gone", now=self.clock(), error=str(exc))
                await self.store.update(sub.id, paused=True, paused_reason=str(exc))
                report.outcomes["paused (destination gone)"] += 1
                report.problems.append(f"subscription {sub.id} paused: {exc}")
                return
            except MaybePosted as exc:
                await self._unsure(claim, sub, publisher, part, where, exc, report)
                return
            except DeliveryError as exc:
                final = claim.attempts >= self.max_attempts
                await self.store.mark(claim, "failed", now=self.clock(), error=f"{where}: {exc}")
                report.outcomes["failed"] += 1
                report.problems.append(
                    f"subscription {sub.id}: {where} of {claim.digest_date}: {exc}"
                    + (" (giving up)" if final else " (will be retried)")
                )
                return
            thread = thread or message_id
        await self.store.mark(claim, "posted", now=self.clock(), message_id=thread)
        report.outcomes["posted"] += 1

    async def _settle(
        self,
        claim: Claim,
        sub: Subscription,
        publisher: Publisher,
        part: Part,
        *,
        key: str,
        thread: str,
    ) -> str:
        """Make sure one message is posted once: its platform id."""
        if part.state == "posted":
            return part.message_id
        if part.state != "pending":
            # An earlier attempt may have posted it: ask the platform, never re-send blindly.
            if not isinstance(publisher, Reconciler):
                raise MaybePosted(
                    "a worker stopped while posting, or the platform's answer was lost"
                )
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
                # A look-alike posted by another delivery (same channel, same digest): not ours.
                found = None
            if found is not None:
                await self._mark_part(claim, part, "posted", message_id=found)
                return found
        await self._mark_part(claim, part, "sending")
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
        await self._mark_part(claim, part, "posted", message_id=message_id)
        return message_id

    async def _mark_part(
        self, claim: Claim, part: Part, state: str, *, message_id: str = ""
    ) -> None:
        if not await self.store.mark_part(
            claim,
            part.position,
            state,
            now=self.clock(),
            lease=self.lease,
            message_id=message_id,
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
    ) -> None:
        """A message that may have gone out: looked up by a later run, or left to an operator."""
        if isinstance(publisher, Reconciler) and claim.attempts < self.max_attempts:
            await self.store.mark(claim, "failed", now=self.clock(), error=f"{where}: {exc}")
            report.outcomes["failed"] += 1
            report.problems.append(
                f"subscription {sub.id}: {where} of {claim.digest_date} may have gone out ({exc});"
                " the next run looks it up before posting"
            )
            return
        # No way to look it up, or no attempt left to do so: an operator decides.
        await self._mark_part(claim, part, "uncertain")
        await self.store.mark(claim, "uncertain", now=self.clock(), error=f"{where}: {exc}")
        report.outcomes["uncertain"] += 1
        report.problems.append(
            f"subscription {sub.id}: {where} of {claim.digest_date} may or may not have gone out"
            f" ({exc}); not retried to avoid a duplicate"
        )
