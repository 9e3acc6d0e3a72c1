"""How the readings store holds up: a synthetic day of many signals, read several times.

Records ``--readings`` readings of a day of ``--papers`` papers and ``--signals`` signals into a
fresh SQLite file (or ``--database URL``), then times the queries the views run (latest,
earliest, rising, best of the week) and prints the size on disk. The last line is one JSON
object. Figures only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import tempfile
import time
from pathlib import Path

from bot.history.views import rising_digest, span_digest
from bot.models import Filters, Paper, Post, Signal
from bot.snapshot import Snapshot
from bot.store import open_store

DAY = dt.date(2026, 11, 24)
T0 = dt.datetime(2026, 11, 24, 6, tzinfo=dt.UTC)


def synthetic_day(papers: int, signals: int, seed: int) -> tuple[list[Paper], list[Signal]]:
    rng = random.Random(seed)
    ids = [f"2611.{i:05d}" for i in range(papers)]
    day_papers = [
        Paper(
            arxiv_id=i,
            title=f"Paper {i}",
            authors=("A. Author", "B. Author"),
            abstract="word " * 150,
            categories=("cs.LG",),
            primary_category="cs.LG",
            announced=DAY,
        )
        for i in ids
    ]
    found = []
    for n in range(signals):
        arxiv_id = ids[min(int(rng.paretovariate(1.2)) - 1, papers - 1) if n % 2 else n % papers]
        post = Post(url=f"https://bsky.app/profile/x/post/{n}", author="x", text="a post " * 20)
        found.append(
            Signal(
                source=rng.choice(("bluesky", "twitter", "hackernews")),
                arxiv_id=arxiv_id,
                counts={"likes": rng.randint(0, 50), "reposts": rng.randint(0, 10)},
                post=post,
                taken_at=T0,
            )
        )
    return day_papers, found


async def measure(args: argparse.Namespace, url: str) -> dict[str, float]:
    papers, signals = synthetic_day(args.papers, args.signals, args.seed)
    store = await open_store(url)
    figures: dict[str, float] = {}
    try:
        started = time.perf_counter()
        for k in range(args.readings):
            at = T0 + dt.timedelta(hours=6 * k)
            grown = [
                s.model_copy(
                    update={
                        "counts": {m: n * (k + 1) for m, n in s.counts.items()},
                        "taken_at": at,
                    }
                )
                for s in signals
            ]
            await store.readings.record(
                Snapshot(date=DAY, papers=tuple(papers), signals=tuple(grown), taken_at=at)
            )
        figures["record_s"] = time.perf_counter() - started
        for which in ("latest", "earliest"):
            started = time.perf_counter()
            await store.readings.signals([DAY], which=which)  # type: ignore[arg-type]
            figures[f"{which}_query_s"] = time.perf_counter() - started
        now = T0 + dt.timedelta(days=1)
        started = time.perf_counter()
        await rising_digest(store.readings, Filters(top=10), generated_at=now)
        figures["rising_s"] = time.perf_counter() - started
        started = time.perf_counter()
        await span_digest(store.readings, "week", Filters(top=10), generated_at=now)
        figures["week_s"] = time.perf_counter() - started
    finally:
        await store.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--readings", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(measure(args, args.database or f"sqlite:///{tmp}/readings.db"))
        if not args.database:
            size = sum(p.stat().st_size for p in Path(tmp).iterdir())
            figures["sqlite_mb"] = size / 1e6
            figures["bytes_per_reading"] = size / (args.signals * args.readings)
    for name, value in figures.items():
        print(f"{name:>20}: {value:.3f}")
    print(json.dumps({k: round(v, 3) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
