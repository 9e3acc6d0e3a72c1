"""The rules of attention: a paper's first version, old papers, and stars gained."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.attention import counted, first_version, old_label, window_start
from bot.models import Paper, Post, Signal
from bot.ranking import metric_weight

DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)


def paper(arxiv_id: str, **fields: object) -> Paper:
    return Paper(arxiv_id=arxiv_id, title="t", announced=DAY, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arxiv_id", "bounds"),
    [
        ("2103.09742", (dt.date(2021, 3, 1), dt.date(2021, 3, 31))),
        ("0902.1234", (dt.date(2009, 2, 1), dt.date(2009, 2, 28))),
        ("hep-th/9901001", (dt.date(1999, 1, 1), dt.date(1999, 1, 31))),
        ("math.GT/0309136", (dt.date(2003, 9, 1), dt.date(2003, 9, 30))),
        ("2113.00001", None),  # no 13th month
        ("not-an-id", None),
    ],
)
def test_the_first_version_is_bounded_by_the_ids_month(
    arxiv_id: str, bounds: tuple[dt.date, dt.date] | None
) -> None:
    assert first_version(paper(arxiv_id)) == bounds
    assert first_version(paper(arxiv_id, published=dt.date(2020, 5, 6))) == (
        dt.date(2020, 5, 6),
        dt.date(2020, 5, 6),
    )


def test_only_cross_lists_and_replacements_of_papers_older_than_30_days_are_old() -> None:
    assert old_label(paper("2609.00001", announce_type="cross"), None) == "cross-listed"
    assert old_label(paper("2609.00001", announce_type="replace-cross"), None) == "replaced"
    assert old_label(paper("2609.00001"), None) == ""  # a new paper is never old
    # October ends 24 days before the announcement: it may be that recent, so it is not old.
    assert old_label(paper("2610.00001", announce_type="replace"), None) == ""
    assert old_label(paper("bogus", announce_type="replace"), None) == ""
    undated = Paper(arxiv_id="2301.00001", title="t", announce_type="cross")
    assert old_label(undated, None) == ""
    assert old_label(undated, DAY) == "cross-listed"


def test_the_window_starts_at_midnight_utc_the_day_before() -> None:
    assert window_start(DAY) == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def stars(count: int, **fields: object) -> Signal:
    return Signal(
        source="github",
        arxiv_id="2611.00001",
        counts={"stars": count},
        repo="Lab/Code",
        taken_at=NOW,
        **fields,  # type: ignore[arg-type]
    )


def test_a_reading_taken_after_the_signal_is_not_an_earlier_reading() -> None:
    later = {"lab/code": (10, NOW + dt.timedelta(hours=1))}
    result = counted(stars(50), paper("2611.00001"), stars_before=later)
    assert (result.counts, result.note) == (
        {"stars": 0},
        "lifetime stars of a repository of unknown age do not count",
    )
    naive = {"lab/code": (60, dt.datetime(2026, 11, 23, 12))}  # no zone: read as UTC
    result = counted(stars(50), paper("2611.00001"), stars_before=naive)
    assert (result.counts, result.note) == ({"stars": 0}, "stars gained since 2026-11-23: 0")


def test_an_old_paper_counts_star_gains_measured_inside_its_window_only() -> None:
    old = paper("2301.00001", announce_type="cross")
    since = window_start(DAY)
    signal = Signal(
        source="huggingface",
        arxiv_id=old.arxiv_id,
        counts={"upvotes": 30, "stars": 500},
        repo="lab/code",
        taken_at=NOW,
    )
    inside = {"lab/code": (480, since + dt.timedelta(hours=2))}
    result = counted(signal, old, stars_before=inside, since=since)
    assert result.counts == {"upvotes": 0, "stars": 20}
    before = {"lab/code": (100, since - dt.timedelta(days=9))}
    result = counted(signal, old, stars_before=before, since=since)
    assert (result.counts, result.note) == (
        {"upvotes": 0, "stars": 0},
        "old paper: lifetime stars and undated counts do not count",
    )
    undated_post = Signal(
        source="hackernews",
        arxiv_id=old.arxiv_id,
        counts={"points": 9},
        post=Post(url="https://hn.test/1"),
    )
    assert counted(undated_post, old, stars_before={}, since=since).counts == {"points": 0}


def test_metric_weights_the_configured_first_then_any_source_then_the_defaults() -> None:
    assert metric_weight({}, "reddit", "num_comments") == 0.5
    assert metric_weight({}, "huggingface", "stars") == 0.1
    assert metric_weight({}, "github", "stars") == 1
    assert metric_weight({"*.replies": 0}, "bluesky", "replies") == 0
    assert metric_weight({"*.replies": 0, "bluesky.replies": 2}, "bluesky", "replies") == 2
