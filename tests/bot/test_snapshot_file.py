"""Reading a big snapshot file: a block at a time, the same values as reading it whole."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.errors import SnapshotError
from bot.models import Paper, Post, Signal
from bot.snapshot import Snapshot, _in_chunks, dumps, loads, read_snapshot

DAY = dt.date(2026, 11, 24)
TAKEN = dt.datetime(2026, 11, 25, 6, tzinfo=dt.UTC)


def big_day(signals: int = 6000) -> Snapshot:
    """A day whose file is several blocks long, with texts that are not ASCII."""
    papers = tuple(Paper(arxiv_id=f"2611.{n:05d}", title=f"Paper {n}") for n in range(1, 301))
    found = []
    for n in range(signals):
        counts = {"likes": n % 97, "reposts": n % 7}
        post = Post(
            url=f"https://bsky.app/profile/x/post/{n}",
            author=f"user{n % 50}",
            text=f"Lisez ça 📄 — {n} }},\n  {{ not structure",
            posted_at=TAKEN - dt.timedelta(minutes=n),
            counts=counts,
        )
        found.append(
            Signal(
                source="bluesky",
                arxiv_id=f"2611.{n % 300 + 1:05d}",
                counts=counts,
                post=post,
                taken_at=TAKEN,
                share=0.5 if n % 5 == 0 else 1.0,
            )
        )
    found.append(Signal(source="huggingface", arxiv_id="2611.00001", counts={"upvotes": 9}))
    return Snapshot(
        date=DAY,
        papers=papers,
        signals=tuple(found),
        sources_used=("bluesky", "huggingface"),
        taken_at=TAKEN,
        origin="live",
        stars_before={"o/r": (5, TAKEN)},
    )


def test_a_file_of_many_blocks_reads_as_the_snapshot_written(tmp_path: Path) -> None:
    day = big_day()
    path = tmp_path / "day.json"
    path.write_text(dumps(day), encoding="utf-8")
    assert path.stat().st_size > 2 * 1024 * 1024
    assert read_snapshot(path) == day
    with path.open("rb") as file:  # read by blocks indeed, not whole after a failed try
        assert _in_chunks(file) == day


def test_the_same_json_laid_out_otherwise_reads_the_same(tmp_path: Path) -> None:
    day = big_day(500)
    compact = json.dumps(day.model_dump(mode="json"), separators=(",", ":"))
    (tmp_path / "compact.json").write_text(compact, encoding="utf-8")
    assert read_snapshot(tmp_path / "compact.json") == day
    with (tmp_path / "compact.json").open("rb") as file:
        assert _in_chunks(file) is None
    assert loads(compact) == loads(dumps(day)) == day


def test_a_bad_signal_deep_in_a_big_file_is_named_by_its_place(tmp_path: Path) -> None:
    text = dumps(big_day())
    marker = '"share": 0.5'
    at = text.index(marker, len(text) // 2)
    where = text.count('\n  {\n   "source"', text.index('"signals"'), at) - 1
    path = tmp_path / "bad.json"
    path.write_text(text[:at] + '"share": 7' + text[at + len(marker) :], encoding="utf-8")
    with pytest.raises(SnapshotError, match=rf"is corrupt at signals\.{where}\.share"):
        read_snapshot(path)


def test_a_signal_shares_its_posts_counts_and_stays_an_equal_value() -> None:
    counts = {"likes": 3}
    signal = Signal(
        source="bluesky",
        arxiv_id="2611.00001",
        counts=dict(counts),
        post=Post(url="https://bsky.app/p/1", counts=dict(counts)),
    )
    assert signal.post is not None
    assert signal.counts is signal.post.counts
    changed = signal.model_copy(update={"counts": {"likes": 4}})
    assert (changed.counts, changed.post and changed.post.counts) == ({"likes": 4}, counts)
    assert Signal.model_validate(signal.model_dump(mode="json")) == signal
    assert signal.model_dump(mode="json", exclude={"post"})["counts"] == counts
