"""The daily direct messages of follows: for each person whose DM time has come today, the
latest announcement's papers that match their follows and were never sent to them, in one
message.

Run it as often as you like (``hotpapers follows send`` from cron): a person gets at most one
message per local day, each paper at most once. The message and its papers are claimed in the
store before sending (``FollowStore.claim``): two processes never both send; a refusal
releases them for the next run (a person who takes no direct messages is tried again the next
day); a message that may have gone out stays sent (``uncertain``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.errors import DeliveryError, DestinationGone, MaybePosted
from bot.follows.match import SIMILARITY_THRESHOLD, DayIndex, match_day
from bot.follows.model import DmTime, Follow, FollowDigest, Match, Person
from bot.follows.store import FollowStore
from bot.insight import short_authors
from bot.ports import DirectMessenger, SnapshotProvider
from bot.render.common import one_line

MAX_DM_PAPERS = 10  # papers in one message: Discord takes 10 embeds a message


def local_day(dm: DmTime, at: dt.datetime) -> dt.date | None:
    """The person's local date when their DM time has come by ``at`` on it, else None."""
    local = at.astimezone(ZoneInfo(dm.zone))
    return local.date() if local.time().replace(tzinfo=None) >= dm.at else None


def compose(
    person: Person,
    day: dt.date,
    matches: Sequence[Match],
    sent: set[str],
    *,
    announced: dt.date | None = None,
) -> FollowDigest | None:
    """The person's message of ``day`` on the papers announced on ``announced``: the first
    ``MAX_DM_PAPERS`` matches not sent before (and how many more there were); None when
    nothing is new."""
    new = [m for m in matches if m.paper.arxiv_id not in sent]
    if not new:
        return None
    shown = tuple(new[:MAX_DM_PAPERS])
    return FollowDigest(
        person=person, day=day, matches=shown, more=len(new) - len(shown), announced=announced
    )


def why(match: Match) -> str:
    """ "author “Yann LeCun” · keyword “diffusion”": the follows a paper matched."""
    return "matches " + " · ".join(match.reasons)


def render_text(message: FollowDigest) -> str:
    """The message as plain text (the console, and the notification text of chat platforms)."""
    count = len(message.matches)
    lines = [
        f"hotpapers: {count} new paper{'s' if count != 1 else ''} for what you follow "
        f"({message.dated})"
    ]
    for n, match in enumerate(message.matches, start=1):
        paper = match.paper
        lines += [
            f"{n}. {one_line(paper.title)} — {paper.abs_url}",
            f"   {one_line(short_authors(paper.authors))}",
            f"   {one_line(why(match))}",
        ]
    if message.more:
        lines.append(more_line(message))
    return "\n".join(lines)


def more_line(message: FollowDigest) -> str:
    return (
        f"… and {message.more} more matched: narrower follows show them all (/hotpapers follows)."
    )


@dataclass(slots=True)
class DmReport:
    """What one run did: messages per outcome, papers sent, and what went wrong."""

    outcomes: Counter[str] = field(default_factory=Counter)
    papers: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{n} {state}" for state, n in sorted(self.outcomes.items()) if n]
        return (", ".join(parts) or "nothing due") + f"; {self.papers} papers sent"


class FollowDigests:
    """The DM job: ``run(at)`` sends every message due at ``at``."""

    def __init__(
        self,
        store: FollowStore,
        snapshots: SnapshotProvider,
        messengers: Mapping[str, DirectMessenger],
        *,
        threshold: float = SIMILARITY_THRESHOLD,
    ) -> None:
        self.store = store
        self.snapshots = snapshots
        self.messengers = messengers
        self.threshold = threshold

    async def _due(self, at: dt.datetime) -> list[tuple[Person, list[Follow], dt.date]]:
        done: dict[dt.date, set[Person]] = {}
        due = []
        for person, follows, dm in await self.store.everyone():
            day = local_day(dm, at)
            if day is None:
                continue
            if day not in done:
                done[day] = await self.store.messaged(day)
            if person not in done[day]:
                due.append((person, follows, day))
        return due

    async def run(self, at: dt.datetime) -> DmReport:
        """Send the messages due at ``at``; FeedError when the day's papers cannot be read."""
        report = DmReport()
        due = await self._due(at)
        if not due:
            return report
        snapshot = await self.snapshots.snapshot(None, ())
        if snapshot is None or not snapshot.papers:
            report.outcomes["waiting for papers"] += len(due)
            return report
        index = DayIndex(snapshot.papers)
        for person, follows, day in due:
            messenger = self.messengers.get(person.platform)
            if messenger is None:
                report.outcomes["no messenger"] += 1
                report.problems.append(
                    f"{person.label()}: no {person.platform} direct messages configured here"
                )
                continue
            matches = match_day(index, follows, threshold=self.threshold)
            sent = await self.store.sent_papers(person)
            message = compose(person, day, matches, sent, announced=snapshot.date)
            if message is None:
                report.outcomes["nothing new"] += 1
                continue
            await self._send(messenger, message, at, report)
        return report

    async def _send(
        self, messenger: DirectMessenger, message: FollowDigest, at: dt.datetime, report: DmReport
    ) -> None:
        person = message.person
        ids = [m.paper.arxiv_id for m in message.matches]
        row = await self.store.claim(person, message.day, ids, now=at)
        if row is None:
            report.outcomes["sent elsewhere"] += 1
            return
        try:
            message_id = await messenger.send_dm(person, message)
        except MaybePosted as exc:
            await self.store.in_doubt(row, str(exc), now=at)
            report.outcomes["in doubt"] += 1
            report.problems.append(f"{person.label()}: {exc} (not sent again)")
            return
        except DestinationGone as exc:
            # A person who takes no direct messages: once a day is enough to find out again.
            await self.store.refused(row, str(exc), now=at)
            report.outcomes["refused"] += 1
            report.problems.append(f"{person.label()}: {exc} (tried again tomorrow)")
            return
        except DeliveryError as exc:
            await self.store.release(row)
            report.outcomes["failed"] += 1
            report.problems.append(f"{person.label()}: {exc} (retried by the next run)")
            return
        await self.store.sent(row, message_id, now=at)
        report.outcomes["sent"] += 1
        report.papers += len(ids)
