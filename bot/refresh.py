"""Refreshing posted digests with settled counts: each message edited in place, once.

A subscription with ``refresh_after`` (hours) has each of its posts rebuilt once that many
hours have passed since the post was scheduled (a daily post at 09:00 with 24 is refreshed by
the run that posts the next one): the same day, the same filters, from the snapshot
provider's latest data, rendered by the subscription's publisher and edited message by message
(Slack ``chat.update``, Discord PATCH) — never posted anew. The ledger keeps each edited
message (its new body and ``refreshed_at``), then marks the delivery refreshed, so a second
run does nothing and a run that stopped half-way resumes at the first message not edited (an
edit is harmless to repeat). A worker holds a delivery's refresh for a lease (like a delivery's
claim), so replicas sharing the store do not edit the same post at the same time; a worker that
died is taken over when its lease runs out.

A new rendering with more messages than were posted edits those that exist and logs what was
left out; one with fewer leaves the extra old messages as they were (blanking them would leave
empty messages in a thread). Publishers that cannot edit (a Slack incoming webhook, the
console) have their deliveries marked refreshed with a note, once. Posts older than
``refresh_after`` + ``window`` are left alone: turning refresh on does not edit a channel's
history, and a refresh that keeps failing stops being tried.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping

from bot.cache import utcnow
from bot.cadence import Blender, filters_of
from bot.delivery import LEASE, PostedHook, Report, delivery_key, message_key
from bot.engine import build_digest
from bot.errors import DeliveryError, DestinationGone, HotPapersError
from bot.models import Digest
from bot.ports import Editor, Publisher, SnapshotProvider
from bot.ranking import MAX_POST_SHARE, RANK_PRIOR
from bot.store import SqlStore
from bot.store.ledger import Posted
from bot.subscriptions import Subscription

WINDOW = dt.timedelta(days=2)
log = logging.getLogger("hotpapers.refresh")


class Refresher:
    def __init__(
        self,
        store: SqlStore,
        snapshots: SnapshotProvider,
        publishers: Mapping[tuple[str, str], Publisher],
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        window: dt.timedelta = WINDOW,
        lease: dt.timedelta = LEASE,
        weights: Mapping[str, float] | None = None,
        max_post_share: float = MAX_POST_SHARE,
        rank_prior: float = RANK_PRIOR,
        blend: Blender | None = None,
        posted: PostedHook | None = None,
    ) -> None:
        self.posted = posted  # told of each message edited: the papers it carries now
        self.store = store
        self.snapshots = snapshots
        self.publishers = publishers
        # As the Deliverer's: a refreshed post is the channel's blend too (its taste as it is now).
        self.blend = blend
        self.clock = clock
        self.window = window
        self.lease = lease
        self.weights = weights
        self.max_post_share = max_post_share
        self.rank_prior = rank_prior

    async def run(self, report: Report | None = None) -> Report:
        """Refresh every post that is due; what was done is added to ``report``."""
        report = report if report is not None else Report()
        now = self.clock()
        digests: dict[tuple[object, ...], Digest | None] = {}
        # Only the subscriptions that ask for it: an idle run of 10,000 read them all (1.2 s).
        for sub in await self.store.subscriptions(active_only=True, refreshing=True):
            if sub.refresh_after is None or sub.id is None:
                continue
            publisher = self.publishers.get((sub.platform, sub.kind))
            if publisher is None:
                continue  # another process (``hotpapers run``) has this platform
            after = dt.timedelta(hours=sub.refresh_after)
            due = await self.store.to_refresh(
                sub.id, scheduled_after=now - after - self.window, scheduled_before=now - after
            )
            if not due:
                continue
            if not isinstance(publisher, Editor) or not publisher.editable(sub):
                note = f"not refreshed: a {sub.platform} {sub.kind} cannot edit its messages"
                for posted in due:
                    await self.store.mark_refreshed(posted.id, now=now, note=note)
                log.info("subscription %s: %s", sub.id, note)
                report.outcomes["not refreshable"] += len(due)
                continue
            for posted in due:
                await self._refresh(sub, posted, publisher, publisher, digests, report)
        return report

    async def _digest(
        self, sub: Subscription, day: dt.date, digests: dict[tuple[object, ...], Digest | None]
    ) -> Digest | None:
        blended = self.blend is not None and sub.mix > 0
        key: tuple[object, ...] = (day, filters_of(sub))
        if blended:
            key += (sub.platform, sub.kind, sub.destination, sub.mix)
        if key not in digests:
            snapshot = await self.snapshots.snapshot(day, sub.categories)
            digests[key] = (
                None
                if snapshot is None
                else build_digest(
                    snapshot,
                    filters_of(sub, blended=blended),
                    weights=self.weights,
                    max_post_share=self.max_post_share,
                    rank_prior=self.rank_prior,
                    generated_at=self.clock(),
                )
            )
            if blended and (found := digests[key]) is not None and self.blend is not None:
                digests[key] = await self.blend(sub, found)
        return digests[key]

    async def _refresh(
        self,
        sub: Subscription,
        posted: Posted,
        publisher: Publisher,
        editor: Editor,
        digests: dict[tuple[object, ...], Digest | None],
        report: Report,
    ) -> None:
        where = f"subscription {sub.id}: the post of {posted.digest_date}"
        try:
            digest = await self._digest(sub, posted.digest_date, digests)
        except HotPapersError as exc:
            report.outcomes["refresh waiting"] += 1
            report.problems.append(f"{where} is not refreshed yet: {exc}")
            return
        if digest is None:
            report.outcomes["refresh waiting"] += 1
            return
        if not await self.store.hold_refresh(posted.id, now=self.clock(), lease=self.lease):
            report.outcomes["refresh already handled"] += 1  # by another worker, just now
            return
        bodies = publisher.render(digest)
        if len(bodies) > len(posted.parts):
            log.warning(
                "%s: the refreshed digest has %d messages, %d were posted; only those are edited",
                where,
                len(bodies),
                len(posted.parts),
            )
        key = delivery_key(sub, posted.digest_date)
        for part, body in zip(posted.parts, bodies, strict=False):
            if part.refreshed or part.state != "posted" or not part.message_id:
                continue  # edited by an earlier run, or never known to the platform by an id
            try:
                await editor.edit(sub, part.message_id, body, key=message_key(key, part.position))
                if self.posted is not None:
                    await self.posted(sub, part.message_id, body)
            except DestinationGone as exc:
                await self.store.mark_refreshed(
                    posted.id, now=self.clock(), note=f"refresh given up: {exc}"
                )
                report.outcomes["refresh given up"] += 1
                report.problems.append(f"{where} cannot be refreshed: {exc}")
                return
            except DeliveryError as exc:
                await self.store.release_refresh(posted.id)
                report.outcomes["refresh failed"] += 1
                report.problems.append(f"{where} was not refreshed ({exc}); the next run retries")
                return
            except Exception as exc:
                # One destination's odd answer is its own problem; an edit is safe to repeat.
                log.warning("%s: %s: %s", where, type(exc).__name__, exc)
                await self.store.release_refresh(posted.id)
                report.outcomes["refresh failed"] += 1
                report.problems.append(
                    f"{where} was not refreshed ({type(exc).__name__}); the next run retries"
                )
                return
            await self.store.refresh_part(posted.id, part.position, body, now=self.clock())
        await self.store.mark_refreshed(posted.id, now=self.clock())
        report.outcomes["refreshed"] += 1
