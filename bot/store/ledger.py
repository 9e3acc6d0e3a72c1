"""The delivery ledger: what makes daily posts exactly-once under crashes, retries and replicas.

A worker claims a (subscription, digest date) row before posting — the unique constraint lets
only one insert win, and taking over an expired claim is a compare-and-set under ``SELECT … FOR
UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers itself). The digest's messages are
rendered once and kept, one row each: ``pending`` → ``sending`` just before the platform call →
``posted`` with the platform's id after it. A retry resumes at the first message not posted; a
message left ``sending`` may have gone out, so it is reconciled with the platform or left
``uncertain`` for an operator to resolve.

Delivery states: claimed → sending → posted; failed (retried within the grace window); skipped;
gone; uncertain (until resolved); retry (resolved by an operator: the next run posts what is
left, whatever the grace window). A posted delivery whose subscription asks for it is refreshed
later: each message is edited in place and marked ``refreshed_at`` (with its new body), then the
delivery itself, so a second run does nothing and a run that stopped half-way resumes at the
first message not edited.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import Table, Text, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.batch import Batch
from bot.store.retry import retried
from bot.store.tables import DeliveryRow, MessageRow

FINAL_STATES = frozenset({"posted", "skipped", "uncertain", "gone"})
# What retention may forget: settled deliveries. One in doubt waits for an operator, however old.
PRUNABLE = frozenset({"posted", "skipped", "gone", "failed"})
UNSURE = frozenset({"sending", "uncertain"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """The right to post one subscription's digest of one day; ``resumed_sending`` says that an
    earlier worker died after it may have posted."""

    delivery_id: int
    subscription_id: int
    digest_date: dt.date
    owner: str
    attempts: int
    resumed_sending: bool = False
    # What a taken-over delivery was before (state, owner); "" for a claim that made the row.
    was: str = ""
    was_owner: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    id: int
    subscription_id: int
    digest_date: dt.date
    state: str
    attempts: int
    message_id: str
    last_error: str
    scheduled_for: dt.datetime
    updated_at: dt.datetime
    messages: int = 0
    messages_posted: int = 0
    refreshed_at: dt.datetime | None = None  # edited with settled counts (refresh_after)


@dataclass(frozen=True, slots=True, kw_only=True)
class Part:
    """One message of a delivery: its place, state, platform id and rendered body."""

    position: int
    state: str
    message_id: str
    body: Mapping[str, Any]
    refreshed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Posted:
    """A posted delivery not refreshed yet, with its messages in order."""

    id: int
    subscription_id: int
    digest_date: dt.date
    scheduled_for: dt.datetime
    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """What resolving a delivery did: its state before and after, and the messages left."""

    was: str
    state: str
    left: int


@dataclass(frozen=True, slots=True, kw_only=True)
class _NewClaim:
    """A claim's new delivery row (``Ledger.claim``), waiting for its transaction."""

    subscription_id: int
    digest_date: dt.date
    scheduled_for: dt.datetime
    owner: str
    lease_until: dt.datetime
    now: dt.datetime
    max_attempts: int


@dataclass(frozen=True, slots=True, kw_only=True)
class _Mark:
    """One message moved on (``Ledger.mark_part``), waiting for its transaction."""

    claim: Claim
    position: int
    state: str
    now: dt.datetime
    lease: dt.timedelta
    message_id: str
    keep: tuple[Mapping[str, Any], ...]
    done: str | None


# The marks' statements, built once: each runs for a whole batch (executemany).
_MARK_DELIVERY = (
    update(DeliveryRow)
    .where(DeliveryRow.id == bindparam("d"))
    .values(
        state=bindparam("s"),
        lease_until=bindparam("lease"),
        updated_at=bindparam("at"),
        message_id=func.coalesce(bindparam("mid", type_=Text), DeliveryRow.message_id),
    )
)
_MARK_MESSAGE = (
    update(MessageRow)
    .where(MessageRow.delivery_id == bindparam("d"), MessageRow.position == bindparam("p"))
    .values(
        state=bindparam("s"),
        updated_at=bindparam("at"),
        message_id=func.coalesce(bindparam("mid", type_=Text), MessageRow.message_id),
    )
)


Verdict = Literal["ours", "refused", "take over"]


def verdict(row: Any, *, owner: str, now: dt.datetime, max_attempts: int) -> Verdict:
    """What a claim by ``owner`` at ``now`` may do with a delivery row that exists (its
    ``state``, ``owner``, ``lease_until`` and ``attempts``): nothing when it is settled, given
    up, or held under a live lease; take it over otherwise — or find it already ours, when our
    own insert went through before its answer was lost."""
    if row.state in FINAL_STATES:
        return "refused"
    if row.owner == owner and row.state == "claimed":
        return "ours"
    if row.attempts >= max_attempts:
        return "refused"
    if row.state in ("claimed", "sending") and aware(row.lease_until) > now:
        return "refused"
    return "take over"


def aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _part(row: MessageRow) -> Part:
    return Part(
        position=row.position,
        state=row.state,
        message_id=row.message_id,
        body=json.loads(row.body),
        refreshed=row.refreshed_at is not None,
    )


class Ledger:
    """The ledger's half of the store (the store's session factory is ``sessions``)."""

    sessions: async_sessionmaker[AsyncSession]
    engine: AsyncEngine
    _marks: Batch[_Mark, bool] | None = None
    _claims: Batch[_NewClaim, int | bool | None] | None = None

    @retried
    async def claim(
        self,
        subscription_id: int,
        digest_date: dt.date,
        *,
        scheduled_for: dt.datetime,
        owner: str,
        now: dt.datetime,
        lease: dt.timedelta,
        max_attempts: int,
    ) -> Claim | None:
        """Claim a delivery, or None when it is done, in someone else's hands, or given up.

        The common case — nobody claimed it yet — is one insert that does nothing when the row
        exists (then the row is read to see whether it can be taken over), shared with the
        claims of concurrent deliveries (``Batch``).
        """
        if self._claims is None:
            self._claims = Batch(self._apply_claims)
        made = await self._claims.submit(
            _NewClaim(
                subscription_id=subscription_id,
                digest_date=digest_date,
                scheduled_for=scheduled_for,
                owner=owner,
                lease_until=now + lease,
                now=now,
                max_attempts=max_attempts,
            )
        )
        if made is False:  # done, in someone else's hands, or given up: seen in the batch
            return None
        if made is not None:
            return Claim(
                delivery_id=made,
                subscription_id=subscription_id,
                digest_date=digest_date,
                owner=owner,
                attempts=1,
            )
        # The row exists: someone claimed it before; see whether it can be taken over.
        async with self.sessions.begin() as session:
            found = (
                await session.scalars(
                    select(DeliveryRow)
                    .where(
                        DeliveryRow.subscription_id == subscription_id,
                        DeliveryRow.digest_date == digest_date,
                    )
                    .with_for_update(skip_locked=True)
                )
            ).one_or_none()
            if found is None:
                return None
            allowed = verdict(found, owner=owner, now=now, max_attempts=max_attempts)
            if allowed == "refused":
                return None
            if allowed == "ours":
                # Our own insert went through before the connection dropped: it is ours.
                return Claim(
                    delivery_id=found.id,
                    subscription_id=subscription_id,
                    digest_date=digest_date,
                    owner=owner,
                    attempts=found.attempts,
                )
            # Read before the update, which the session applies to ``found`` as well.
            was, was_owner, attempts = found.state, found.owner, found.attempts + 1
            taken = await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id == found.id,
                    DeliveryRow.state == was,
                    DeliveryRow.owner == was_owner,
                )
                .values(
                    state="claimed",
                    owner=owner,
                    lease_until=now + lease,
                    attempts=attempts,
                    updated_at=now,
                )
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return Claim(
                delivery_id=found.id,
                subscription_id=subscription_id,
                digest_date=digest_date,
                owner=owner,
                attempts=attempts,
                resumed_sending=was == "sending",
                was=was,
                was_owner=was_owner,
            )

    async def _apply_claims(self, claims: Sequence[_NewClaim]) -> list[int | bool | None]:
        """New delivery rows for several claims in one statement; for each claim its new row's
        id, False when the row existed and cannot be claimed now (settled, given up, or held
        under a live lease by another owner), None when it needs a closer look."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        table = cast(Table, DeliveryRow.__table__)
        async with self.engine.begin() as connection:
            rows = await connection.execute(
                dialect.insert(table)
                .on_conflict_do_nothing(index_elements=["subscription_id", "digest_date"])
                .returning(table.c.id, table.c.subscription_id, table.c.digest_date),
                [
                    {
                        "subscription_id": c.subscription_id,
                        "digest_date": c.digest_date,
                        "scheduled_for": c.scheduled_for,
                        "state": "claimed",
                        "owner": c.owner,
                        "lease_until": c.lease_until,
                        "attempts": 1,
                        "message_id": "",
                        "last_error": "",
                        "updated_at": c.now,
                    }
                    for c in claims
                ],
            )
            made = {(row.subscription_id, row.digest_date): row.id for row in rows}
            # The rows that existed, read in the same transaction: most (another replica's,
            # or settled) need no closer look.
            held = [
                (c.subscription_id, c.digest_date)
                for c in claims
                if (c.subscription_id, c.digest_date) not in made
            ]
            existing = {}
            if held:
                found = await connection.execute(
                    select(
                        table.c.subscription_id,
                        table.c.digest_date,
                        table.c.state,
                        table.c.owner,
                        table.c.lease_until,
                        table.c.attempts,
                    ).where(tuple_(table.c.subscription_id, table.c.digest_date).in_(held))
                )
                existing = {(row.subscription_id, row.digest_date): row for row in found}
        results: list[int | bool | None] = []
        for c in claims:
            key = (c.subscription_id, c.digest_date)
            row = existing.get(key)
            if key in made:
                results.append(made.pop(key))
            elif (
                row is not None
                and verdict(row, owner=c.owner, now=c.now, max_attempts=c.max_attempts) == "refused"
            ):
                results.append(False)
            else:
                results.append(None)  # a closer look: perhaps ours, perhaps to take over
        return results

    @retried
    async def renew(self, claims: Sequence[Claim], *, now: dt.datetime, lease: dt.timedelta) -> int:
        """Keep these claims (of one owner or several) ours for ``lease`` more, those still
        held (``claimed`` or ``sending`` under their owner); how many were renewed."""
        renewed = 0
        async with self.engine.begin() as connection:
            for owner in sorted({c.owner for c in claims}):
                ids = sorted(c.delivery_id for c in claims if c.owner == owner)
                for start in range(0, len(ids), 1000):
                    result = await connection.execute(
                        update(DeliveryRow)
                        .where(
                            DeliveryRow.id.in_(ids[start : start + 1000]),
                            DeliveryRow.owner == owner,
                            DeliveryRow.state.in_(("claimed", "sending")),
                        )
                        .values(lease_until=now + lease)
                    )
                    renewed += max(result.rowcount, 0)
        return renewed

    @retried
    async def release(self, claim: Claim, *, now: dt.datetime) -> bool:
        """Give back a claim nothing was done with (its digest is not available yet), as if it
        had never been made: a new row is removed, a taken-over one gets its state, owner and
        attempts back. False when the claim was lost meanwhile."""
        held = (
            DeliveryRow.id == claim.delivery_id,
            DeliveryRow.owner == claim.owner,
            DeliveryRow.state == "claimed",
        )
        async with self.sessions.begin() as session:
            if not claim.was:
                result = await session.execute(delete(DeliveryRow).where(*held))
            else:
                result = await session.execute(
                    update(DeliveryRow)
                    .where(*held)
                    .values(
                        state=claim.was,
                        owner=claim.was_owner,
                        attempts=claim.attempts - 1,
                        lease_until=now,
                    )
                )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    @retried
    async def stale(
        self, *, now: dt.datetime, scheduled_before: dt.datetime, max_attempts: int
    ) -> list[int]:
        """Deliveries a worker stopped working on (``claimed``/``sending``, lease expired) that
        no claim will ever take over again: past their grace window, or out of attempts."""
        async with self.sessions() as session:
            found = await session.scalars(
                select(DeliveryRow.id)
                .where(
                    DeliveryRow.state.in_(("claimed", "sending")),
                    DeliveryRow.lease_until < now,
                    (DeliveryRow.scheduled_for < scheduled_before)
                    | (DeliveryRow.attempts >= max_attempts),
                )
                .order_by(DeliveryRow.id)
            )
            return list(found.all())

    @retried
    async def take_over(
        self, delivery_id: int, *, owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> Claim | None:
        """Take a stopped delivery over to settle it (whatever its attempts); None when it is
        no longer stopped (someone else got it, or its lease was renewed)."""
        async with self.sessions.begin() as session:
            row = await session.get(DeliveryRow, delivery_id, with_for_update=True)
            if (
                row is None
                or row.state not in ("claimed", "sending")
                or aware(row.lease_until) >= now
            ):
                return None
            was = row.state
            row.state, row.owner = "claimed", owner
            row.lease_until, row.updated_at = now + lease, now
            return Claim(
                delivery_id=row.id,
                subscription_id=row.subscription_id,
                digest_date=row.digest_date,
                owner=owner,
                attempts=row.attempts,
                resumed_sending=was == "sending",
            )

    @retried
    async def mark(
        self, claim: Claim, state: str, *, now: dt.datetime, message_id: str = "", error: str = ""
    ) -> bool:
        """Move a claimed delivery on; False when the claim was lost to another worker."""
        values: dict[str, Any] = {"state": state, "updated_at": now}
        if message_id:
            values["message_id"] = message_id
        if error:
            values["last_error"] = error[:2000]
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == claim.delivery_id, DeliveryRow.owner == claim.owner)
                .values(**values)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    @retried
    async def parts(self, claim: Claim) -> list[Part]:
        """The messages of a delivery, in order; empty before they were rendered."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(MessageRow)
                .where(MessageRow.delivery_id == claim.delivery_id)
                .order_by(MessageRow.position)
            )
            return [_part(row) for row in rows.all()]

    @retried
    async def prepare(
        self,
        claim: Claim,
        bodies: Sequence[Mapping[str, Any]],
        *,
        now: dt.datetime,
        state: str = "pending",
    ) -> list[Part] | None:
        """Keep a delivery's rendered messages (once: the first rendering wins); None when the
        claim was lost."""
        async with self.engine.begin() as connection:
            owner = await connection.scalar(
                select(DeliveryRow.owner).where(DeliveryRow.id == claim.delivery_id)
            )
            if owner != claim.owner:
                return None
            kept = await self._keep(connection, {claim.delivery_id: bodies}, now=now, state=state)
        if kept:  # what was just kept, as it reads back: no need to read it
            return [
                Part(position=n, state=state, message_id="", body=json.loads(json.dumps(body)))
                for n, body in enumerate(bodies)
            ]
        return await self.parts(claim)

    @retried
    async def mark_part(
        self,
        claim: Claim,
        position: int,
        state: str,
        *,
        now: dt.datetime,
        lease: dt.timedelta,
        message_id: str = "",
        keep: Sequence[Mapping[str, Any]] = (),
        done: str | None = None,
    ) -> bool:
        """Move one message on, keeping the delivery ``sending`` and its lease fresh; False when
        the claim was lost to another worker. In the same transaction: ``keep``, the delivery's
        rendered messages, are kept first (all ``pending``, unless kept before — the first
        rendering wins); ``done`` (the thread's message id, "" for none) settles the delivery as
        posted. The marks of concurrent deliveries share one transaction (``Batch``); each is
        committed before its caller goes on."""
        mark = _Mark(
            claim=claim,
            position=position,
            state=state,
            now=now,
            lease=lease,
            message_id=message_id,
            keep=tuple(keep),
            done=done,
        )
        if self._marks is None:
            self._marks = Batch(self._apply_marks)
        return await self._marks.submit(mark)

    async def _apply_marks(self, marks: Sequence[_Mark]) -> list[bool]:
        """Several deliveries' marks in one transaction (each delivery at most once): the
        rows are locked in id order, and only those still held by their claim's owner move."""
        async with self.engine.begin() as connection:
            ids = sorted({m.claim.delivery_id for m in marks})
            owners: dict[int, str] = {
                row.id: row.owner
                for row in await connection.execute(
                    select(DeliveryRow.id, DeliveryRow.owner)
                    .where(DeliveryRow.id.in_(ids))
                    .order_by(DeliveryRow.id)
                    .with_for_update()
                )
            }
            held = [m for m in marks if owners.get(m.claim.delivery_id) == m.claim.owner]
            if not held:
                return [False] * len(marks)
            await connection.execute(
                _MARK_DELIVERY,
                [
                    {
                        "d": m.claim.delivery_id,
                        "s": "sending" if m.done is None else "posted",
                        "lease": m.now + m.lease,
                        "at": m.now,
                        "mid": m.done,
                    }
                    for m in held
                ],
            )
            keeping = {m.claim.delivery_id: m.keep for m in held if m.keep}
            if keeping:
                await self._keep(connection, keeping, now=marks[0].now)
            await connection.execute(
                _MARK_MESSAGE,
                [
                    {
                        "d": m.claim.delivery_id,
                        "p": m.position,
                        "s": m.state,
                        "at": m.now,
                        "mid": m.message_id or None,
                    }
                    for m in held
                ],
            )
        kept = {id(m) for m in held}
        return [id(m) in kept for m in marks]

    @staticmethod
    async def _keep(
        connection: AsyncConnection,
        deliveries: Mapping[int, Sequence[Mapping[str, Any]]],
        *,
        now: dt.datetime,
        state: str = "pending",
    ) -> set[int]:
        """Keep the rendered messages of each delivery that has none yet, in ``state``; the
        ids of those kept now (the others keep their first rendering)."""
        have = set(
            await connection.scalars(
                select(MessageRow.delivery_id)
                .where(MessageRow.delivery_id.in_(list(deliveries)))
                .distinct()
            )
        )
        rows = [
            {
                "delivery_id": delivery_id,
                "position": n,
                "state": state,
                "message_id": "",
                "body": json.dumps(body, ensure_ascii=False),
                "updated_at": now,
            }
            for delivery_id, bodies in deliveries.items()
            if delivery_id not in have
            for n, body in enumerate(bodies)
        ]
        if rows:
            await connection.execute(insert(cast(Table, MessageRow.__table__)), rows)
        return set(deliveries) - have

    @retried
    async def recorded_elsewhere(self, claim: Claim, message_id: str) -> bool:
        """Whether another delivery already recorded this platform message as its own."""
        async with self.sessions() as session:
            found = await session.scalar(
                select(func.count())
                .select_from(MessageRow)
                .where(
                    MessageRow.message_id == message_id,
                    MessageRow.delivery_id != claim.delivery_id,
                )
            )
            if found:
                return True
            found = await session.scalar(
                select(func.count())
                .select_from(DeliveryRow)
                .where(DeliveryRow.message_id == message_id, DeliveryRow.id != claim.delivery_id)
            )
            return bool(found)

    @retried
    async def deliveries(
        self,
        subscription_id: int | None = None,
        *,
        state: str | None = None,
        limit: int | None = None,
    ) -> list[Delivery]:
        """Deliveries, oldest day first (with ``limit``: the latest ``limit`` of them)."""
        query = select(DeliveryRow)
        if subscription_id is not None:
            query = query.where(DeliveryRow.subscription_id == subscription_id)
        if state is not None:
            query = query.where(DeliveryRow.state == state)
        if limit is not None:
            query = query.order_by(DeliveryRow.digest_date.desc(), DeliveryRow.id.desc()).limit(
                limit
            )
        async with self.sessions() as session:
            rows = list((await session.scalars(query)).all())
            counted = await session.execute(
                select(
                    MessageRow.delivery_id,
                    func.count(),
                    func.count().filter(MessageRow.state == "posted"),
                )
                .where(MessageRow.delivery_id.in_([r.id for r in rows]))
                .group_by(MessageRow.delivery_id)
            )
            counts = {d: (int(total), int(posted)) for d, total, posted in counted.all()}
        rows.sort(key=lambda r: (r.digest_date, r.subscription_id, r.id))
        return [
            Delivery(
                id=r.id,
                subscription_id=r.subscription_id,
                digest_date=r.digest_date,
                state=r.state,
                attempts=r.attempts,
                message_id=r.message_id,
                last_error=r.last_error,
                scheduled_for=aware(r.scheduled_for),
                updated_at=aware(r.updated_at),
                messages=counts.get(r.id, (0, 0))[0],
                messages_posted=counts.get(r.id, (0, 0))[1],
                refreshed_at=aware(r.refreshed_at) if r.refreshed_at else None,
            )
            for r in rows
        ]

    @retried
    async def prune_deliveries(self, keep_days: int, *, now: dt.datetime) -> int:
        """Forget settled deliveries (and their messages) last changed more than ``keep_days``
        before ``now`` (0 keeps all); returns how many were forgotten.

        By when they were settled, not by digest day: a delivery of an old day (a replayed
        snapshot) that was just posted must stay, or the next run would post it again.
        """
        if keep_days <= 0:
            return 0
        cutoff = now - dt.timedelta(days=keep_days)
        settled = (DeliveryRow.updated_at < cutoff, DeliveryRow.state.in_(sorted(PRUNABLE)))
        old = select(DeliveryRow.id).where(*settled)
        async with self.sessions.begin() as session:
            await session.execute(delete(MessageRow).where(MessageRow.delivery_id.in_(old)))
            result = await session.execute(delete(DeliveryRow).where(*settled))
            return int(result.rowcount)  # type: ignore[attr-defined]

    @retried
    async def count(self, state: str) -> int:
        """How many deliveries are in ``state``."""
        async with self.sessions() as session:
            found = await session.scalar(
                select(func.count()).select_from(DeliveryRow).where(DeliveryRow.state == state)
            )
            return int(found or 0)

    @retried
    async def resolve(
        self, delivery_id: int, *, posted: bool, now: dt.datetime
    ) -> Resolution | None:
        """An operator's decision on an uncertain delivery: its messages in doubt went out
        (``posted``) or did not (to be posted again); None when there is no such delivery. A
        delivery that is not uncertain is left as it is."""
        async with self.sessions.begin() as session:
            row = await session.get(DeliveryRow, delivery_id, with_for_update=True)
            if row is None:
                return None
            was = row.state
            if was == "uncertain":
                await session.execute(
                    update(MessageRow)
                    .where(MessageRow.delivery_id == delivery_id, MessageRow.state.in_(UNSURE))
                    .values(state="posted" if posted else "pending", updated_at=now)
                )
            left = int(
                await session.scalar(
                    select(func.count())
                    .select_from(MessageRow)
                    .where(MessageRow.delivery_id == delivery_id, MessageRow.state != "posted")
                )
                or 0
            )
            if was == "uncertain":
                # What is left goes out with fresh attempts at the next run, whatever the grace
                # window: an operator asked for it.
                row.state = "posted" if posted and not left else "retry"
                row.attempts = 0
                row.owner = ""
                row.updated_at = now
                row.last_error = f"resolved by an operator: {'posted' if posted else 'not posted'}"
            return Resolution(was=was, state=row.state, left=left)

    @retried
    async def to_refresh(
        self,
        subscription_id: int,
        *,
        scheduled_after: dt.datetime,
        scheduled_before: dt.datetime,
        include_refreshed: bool = False,
    ) -> list[Posted]:
        """The subscription's posted deliveries scheduled in [``scheduled_after``,
        ``scheduled_before``] and not refreshed yet (or all: ``include_refreshed``), oldest
        first."""
        query = select(DeliveryRow).where(
            DeliveryRow.subscription_id == subscription_id,
            DeliveryRow.state == "posted",
            DeliveryRow.scheduled_for >= scheduled_after,
            DeliveryRow.scheduled_for <= scheduled_before,
        )
        if not include_refreshed:
            query = query.where(DeliveryRow.refreshed_at.is_(None))
        async with self.sessions() as session:
            rows = list(
                (
                    await session.scalars(query.order_by(DeliveryRow.digest_date, DeliveryRow.id))
                ).all()
            )
            messages = list(
                (
                    await session.scalars(
                        select(MessageRow)
                        .where(MessageRow.delivery_id.in_([r.id for r in rows]))
                        .order_by(MessageRow.delivery_id, MessageRow.position)
                    )
                ).all()
            )
        return [
            Posted(
                id=r.id,
                subscription_id=r.subscription_id,
                digest_date=r.digest_date,
                scheduled_for=aware(r.scheduled_for),
                parts=tuple(_part(m) for m in messages if m.delivery_id == r.id),
            )
            for r in rows
        ]

    @retried
    async def hold_refresh(
        self, delivery_id: int, *, now: dt.datetime, lease: dt.timedelta
    ) -> bool:
        """Take (or renew) the right to refresh a delivery until ``now + lease``; False when it
        is refreshed already or another worker holds it (several replicas never edit twice)."""
        async with self.sessions.begin() as session:
            taken = await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id == delivery_id,
                    DeliveryRow.refreshed_at.is_(None),
                    (DeliveryRow.refresh_lease_until.is_(None))
                    | (DeliveryRow.refresh_lease_until < now),
                )
                .values(refresh_lease_until=now + lease)
            )
            return bool(taken.rowcount)  # type: ignore[attr-defined]

    @retried
    async def release_refresh(self, delivery_id: int) -> None:
        """Let the next run try a refresh that failed at once, without waiting for the lease."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(refresh_lease_until=None)
            )

    @retried
    async def refresh_part(
        self, delivery_id: int, position: int, body: Mapping[str, Any], *, now: dt.datetime
    ) -> None:
        """One message was edited to ``body``: kept, so that a resumed refresh skips it."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(MessageRow)
                .where(MessageRow.delivery_id == delivery_id, MessageRow.position == position)
                .values(body=json.dumps(body, ensure_ascii=False), refreshed_at=now, updated_at=now)
            )

    @retried
    async def mark_refreshed(self, delivery_id: int, *, now: dt.datetime, note: str = "") -> None:
        """The delivery's refresh is over (done, or given up with ``note``): never again."""
        values: dict[str, Any] = {"refreshed_at": now}
        if note:
            values["last_error"] = note[:2000]
        async with self.sessions.begin() as session:
            await session.execute(
                update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values)
            )
