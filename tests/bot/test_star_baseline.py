"""Stars mean attention now, end to end: a snapshot carries the earlier star readings of its
repositories from the store, and the digest counts only the stars gained since."""

from __future__ import annotations

import datetime as dt

from bot.engine import build_digest
from bot.history.readings import with_star_baseline
from bot.models import Filters, Paper, Signal
from bot.snapshot import Snapshot, dumps, loads
from bot.store import SqlStore

DAY = dt.date(2021, 3, 18)
FIRST = dt.datetime(2021, 3, 18, 6, 0, tzinfo=dt.UTC)
LATER = FIRST + dt.timedelta(days=1)
PAPER = Paper(arxiv_id="2103.09742", title="A paper", announced=DAY, categories=("cs.LG",))
OTHER = Paper(arxiv_id="2103.09743", title="Another", announced=DAY, categories=("cs.LG",))


def day_with(stars: int, taken_at: dt.datetime) -> Snapshot:
    signals = (
        Signal(
            source="github",
            arxiv_id=PAPER.arxiv_id,
            counts={"stars": stars},
            repo="lab/old-repo",
            taken_at=taken_at,
        ),
        Signal(
            source="hackernews", arxiv_id=OTHER.arxiv_id, counts={"points": 10}, taken_at=taken_at
        ),
    )
    return Snapshot(date=DAY, papers=(PAPER, OTHER), signals=signals, taken_at=taken_at)


def github_part(snapshot: Snapshot) -> tuple[dict[str, int] | None, float]:
    digest = build_digest(snapshot, Filters(min_score=0), generated_at=LATER)
    item = next(i for i in digest.items if i.paper.arxiv_id == PAPER.arxiv_id)
    part = next(p for p in item.breakdown if p.source == "github")
    return part.counted, part.score


async def test_stars_count_as_gained_since_the_earliest_stored_reading(store: SqlStore) -> None:
    first = await with_star_baseline(store.readings, day_with(1234, FIRST))
    assert first.stars_before == {}  # nothing stored yet: lifetime stars of an old repo count 0
    assert github_part(first)[0] == {"stars": 0}
    await store.readings.record(first)

    later = await with_star_baseline(store.readings, day_with(1300, LATER))
    assert later.stars_before == {"lab/old-repo": (1234, FIRST)}
    counted, score = github_part(later)
    assert counted == {"stars": 66}
    assert score > 0
    # The baseline travels with the snapshot: a replay ranks the same.
    assert github_part(loads(dumps(later))) == (counted, score)


async def test_a_best_of_counts_the_stars_gained_over_the_stored_readings(store: SqlStore) -> None:
    from bot.history.views import span_digest

    await store.readings.record(day_with(5000, FIRST))
    await store.readings.record(day_with(5100, LATER))
    digest = await span_digest(store.readings, "week", Filters(min_score=0), generated_at=LATER)
    item = next(i for i in digest.items if i.paper.arxiv_id == PAPER.arxiv_id)
    (part,) = (p for p in item.breakdown if p.source == "github")
    assert part.counted == {"stars": 100}
    assert item.why == "GitHub, 100 stars gained"
