"""Attention now: which of a signal's counts say something about a paper today.

Two rules keep old attention out of a day's ranking; both are pure and the ranking applies
them before it weighs anything (the raw counts are still shown, with the reason they changed).

Stars. A repository's star count is its whole life. Stars count as the stars gained since the
earliest earlier reading of that repository (``stars_before``, from the readings store); with
no earlier reading they count in full only when the repository was created on or after the
paper's first version, and not at all otherwise (or when the repository's age is unknown).

Old papers. A paper announced as ``cross``, ``replace`` or ``replace-cross`` whose first
version is more than ``OLD_AFTER`` before the announcement is *old*: only posts dated inside
the announcement window count for it. Aggregate counts (upvotes, a post's lifetime totals
without a date, lifetime stars) cannot be dated and do not count; star gains do when the
earlier reading was itself taken inside the window.

The first version is ``Paper.published``; when unknown, the arXiv id's month bounds it (any day
of that month): a repository created in that month counts as created after the paper, and a
paper is old only when the month's last day is more than ``OLD_AFTER`` before.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.models import Paper, Signal

OLD_AFTER = dt.timedelta(days=30)
# The window the sources search for posts about a day's papers starts the day before it.
WINDOW_LEAD = dt.timedelta(days=1)
STARS = "stars"

# The earliest earlier reading of a repository's stars: (stars, taken at).
StarReading = tuple[int, dt.datetime]

_NEW_ID = re.compile(r"^(\d\d)(\d\d)\.\d{4,5}$")
_OLD_ID = re.compile(r"/(\d\d)(\d\d)\d{3}$")
_OLD_LABELS = {"cross": "cross-listed", "replace": "replaced", "replace-cross": "replaced"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Counted:
    """The counts of one signal that count, and why they differ from its raw counts ("")."""

    counts: Mapping[str, int]
    note: str = ""


def first_version(paper: Paper) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest day the paper's first version can be from, if known at all."""
    if paper.published is not None:
        return paper.published, paper.published
    match = _NEW_ID.match(paper.arxiv_id) or _OLD_ID.search(paper.arxiv_id)
    if match is None:
        return None
    yy, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    year = 2000 + yy if _NEW_ID.match(paper.arxiv_id) or yy < 91 else 1900 + yy
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def old_label(paper: Paper, day: dt.date | None) -> str:
    """``cross-listed`` or ``replaced`` for an old paper announced again on ``day``, else ""."""
    label = _OLD_LABELS.get(paper.announce_type, "")
    announced = paper.announced or day
    if not label or announced is None:
        return ""
    bounds = first_version(paper)
    if bounds is None:
        return ""
    return label if bounds[1] < announced - OLD_AFTER else ""


def window_start(day: dt.date) -> dt.datetime:
    """Where the announcement window of ``day`` starts: midnight UTC the day before."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - WINDOW_LEAD


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def counted(
    signal: Signal,
    paper: Paper,
    *,
    stars_before: Mapping[str, StarReading],
    since: dt.datetime | None = None,
) -> Counted:
    """What of ``signal`` counts for ``paper``; ``since`` is the window start of an old paper.

    ``stars_before`` is keyed by the repository's ``owner/name`` in lower case.
    """
    if since is not None and signal.post is not None:
        posted = signal.post.posted_at
        if posted is not None and _aware(posted) >= since:
            return Counted(counts=signal.counts)
        return Counted(
            counts=dict.fromkeys(signal.counts, 0),
            note="old paper: a post from before the announcement window does not count",
        )
    if STARS not in signal.counts:
        if since is None:
            return Counted(counts=signal.counts)
        return Counted(
            counts=dict.fromkeys(signal.counts, 0),
            note="old paper: counts that cannot be dated do not count",
        )
    reading = stars_before.get(signal.repo.lower()) if signal.repo else None
    taken = _aware(signal.taken_at) if signal.taken_at is not None else None
    if reading is not None and (taken is None or _aware(reading[1]) <= taken):
        when = _aware(reading[1])
        if since is None or when >= since:
            gained = max(0, signal.counts[STARS] - reading[0])
            counts = {
                m: gained if m == STARS else (n if since is None else 0)
                for m, n in signal.counts.items()
            }
            return Counted(counts=counts, note=f"stars gained since {when:%Y-%m-%d}: {gained}")
    if since is not None:
        return Counted(
            counts=dict.fromkeys(signal.counts, 0),
            note="old paper: lifetime stars and undated counts do not count",
        )
    bounds = first_version(paper)
    created = signal.repo_created_at
    if created is not None and bounds is not None and _aware(created).date() >= bounds[0]:
        return Counted(counts=signal.counts)
    why = "older than the paper" if created is not None and bounds is not None else "of unknown age"
    return Counted(
        counts={m: 0 if m == STARS else n for m, n in signal.counts.items()},
        note=f"lifetime stars of a repository {why} do not count",
    )
