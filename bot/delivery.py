"""Delivering due digests exactly once: claim in the ledger, post, record.

``Deliverer.run(at)`` performs every delivery due at ``at`` and returns what it did. A digest
is computed once per (date, categories, keywords, top) and shared by every subscription that
asks for the same thing. A destination that is gone (404/403) pauses its subscription with the
reason; a failed post is retried by a later run, up to ``max_attempts``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.cache import utcnow
from bot.engine import build_digest
from bot.errors import DeliveryError, DestinationGone, HotPapersError
from bot.models import Digest, Filters
from bot.ports import Publisher, SnapshotProvider
from bot.ranking import MAX_POST_SHARE, RANK_PRIOR
from bot.schedule import GRACE, Due, due
from bot.store import Claim, SqlStore
from bot.subscriptions import Subscription

LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
NoAnnouncement = Literal["skip", "notice"]


def delivery_key(sub: Subscription, day: dt.date) -> str:
    """A stable idempotency key of one delivery (a Discord nonce is at most 25 characters)."""
    return hashlib.sha256(f"{sub.id}:{day}".encode()).hexdigest()[:25]


@dataclass
class Report:
    """What one run did, counted by outcome, with a line per problem."""

    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

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
        fixed_date: dt.date | None = None,
        weights: Mapping[str, float] | None = None,
        max_post_share: float = MAX_POST_SHARE,
        rank_prior: float = RANK_PRIOR,
    ) -> None:
        self.store = store
        self.snapshots = snapshots
        self.publishers = publishers
        self.clock = clock
        self.owner = owner or uuid.uuid4().hex[:16]
        self.grace = grace
        self.lease = lease
        self.max_attempts = max_attempts
        self.no_announcement = no_announcement
        self.fixed_date = fixed_date
        self.weights = weights
        self.max_post_share = max_post_share
        self.rank_prior = rank_prior
        self._digests: dict[tuple[object, ...], Digest | None] = {}

    async def run(self, at: dt.datetime) -> Report:
        """Every delivery due at ``at``: posted, skipped or failed, each at most once."""
        report = Report()
        for sub in await self.store.subscriptions(active_only=True):
            for item in due(sub, at, grace=self.grace):
                if self.fixed_date is not None:
                    item = Due(
                        subscription=sub,
                        scheduled_for=item.scheduled_for,
                        digest_date=self.fixed_date,
                    )
                await self._deliver(item, report)
        return report

    async def _digest(self, sub: Subscription, day: dt.date) -> Digest | None:
        key = (day, sub.categories, sub.keywords, sub.top)
        if key not in self._digests:
            snapshot = await self.snapshots.snapshot(day, sub.categories)
            filters = Filters(categories=sub.categories, keywords=sub.keywords, top=sub.top)
            self._digests[key] = (
                None
                if snapshot is None
                else build_digest(
                    snapshot,
                    filters,
                    weights=self.weights,
                    max_post_share=self.max_post_share,
                    rank_prior=self.rank_prior,
                    generated_at=self.clock(),
                )
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
            report.outcomes["waiting"] += 1
            report.problems.append(
                f"subscription {sub.id}: the digest of {item.digest_date} is not available ({exc})"
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
        if claim.resumed_sending and not publisher.idempotent:
            await self.store.mark(
                claim,
                "uncertain",
                now=now,
                error="a worker stopped while posting; not retried to avoid a duplicate",
            )
            report.outcomes["uncertain"] += 1
            report.problems.append(
                f"subscription {sub.id}: a post of {item.digest_date} may or may not have gone out"
            )
            return
        if not digest.announced and self.no_announcement == "skip":
            await self.store.mark(claim, "skipped", now=now, error="no announcement")
            report.outcomes["skipped (no announcement)"] += 1
            return
        await self._post(claim, sub, digest, publisher, report)

    async def _post(
        self, claim: Claim, sub: Subscription, digest: Digest, publisher: Publisher, report: Report
    ) -> None:
        assert sub.id is not None
        if not await self.store.mark(claim, "sending", now=self.clock()):
            report.outcomes["already handled"] += 1
            return
        try:
            message_id = await publisher.publish(
                sub, digest, key=delivery_key(sub, claim.digest_date)
            )
        except DestinationGone as exc:
            await self.store.mark(claim, "gone", now=self.clock(), error=str(exc))
            await self.store.update(sub.id, paused=True, paused_reason=str(exc))
            report.outcomes["paused (destination gone)"] += 1
            report.problems.append(f"subscription {sub.id} paused: {exc}")
            return
        except DeliveryError as exc:
            final = claim.attempts >= self.max_attempts
            await self.store.mark(claim, "failed", now=self.clock(), error=str(exc))
            report.outcomes["failed"] += 1
            report.problems.append(
                f"subscription {sub.id}: {exc}"
                + (" (giving up)" if final else " (will be retried)")
            )
            return
        await self.store.mark(claim, "posted", now=self.clock(), message_id=message_id)
        report.outcomes["posted"] += 1
