"""Lab picks and ``/hotpapers me`` on a busy store: how long a channel's picks and one person's
day take when the feedback table holds many channels' reactions.

``--channels`` channels of ``--people`` people each give feedback on the papers of the shared
corpus (a like, save, dislike or reaction each, spread over 60 days) on SQLite in a temporary
directory. Then, per span: the median time of ``tallies`` + ``papers`` + ``picks_digest`` for
one channel; and of ``person_taste`` + scoring the sample day's papers for one person (``me``).
The last line is one JSON object. Figures only.

    python benchmarks/picks.py [--channels 50] [--people 20] [--per-person 40] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.follows import CORPUS, corpus_papers
from bot.feedback import Channel, Feedback
from bot.feedback.picks import picks_digest, picks_window
from bot.models import Paper
from bot.relevance.model import score
from bot.relevance.taste import person_taste
from bot.snapshot import Snapshot, sample_snapshot
from bot.store import SqlStore, open_store

NOW = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)
KINDS = ("like", "like", "save", "dislike", "reaction")


def feedback(papers: list[Paper], channels: int, people: int, each: int) -> list[Feedback]:
    rng = random.Random(14)
    out = []
    for c in range(channels):
        for p in range(people):
            for paper in rng.sample(papers, each):
                kind = rng.choice(KINDS)
                out.append(
                    Feedback(
                        platform="slack",
                        scope="T1",
                        channel=f"C{c}",
                        user=f"U{c}-{p}",
                        arxiv_id=paper.arxiv_id,
                        kind=kind,  # type: ignore[arg-type]
                        emoji="fire" if kind == "reaction" else "",
                        at=NOW - dt.timedelta(minutes=rng.randrange(60 * 24 * 60)),
                    )
                )
    return out


async def picks_once(store: SqlStore, span: str) -> float:
    start = time.perf_counter()
    since, until = picks_window(span, NOW)  # type: ignore[arg-type]
    tallies = await store.feedback.tallies(
        Channel(platform="slack", channel="C0", scope="T1"), since=since, until=until
    )
    papers = await store.feedback.papers(t.arxiv_id for t in tallies)
    picks_digest(tallies, papers, since=since, until=until, generated_at=NOW)
    return time.perf_counter() - start


async def me_once(store: SqlStore, day: list[Paper]) -> float:
    start = time.perf_counter()
    taste = await person_taste(store, "slack", "U0-0", scope="T1")
    score(taste, day)
    return time.perf_counter() - start


async def main(args: argparse.Namespace) -> dict[str, object]:
    papers = corpus_papers(args.corpus)
    with tempfile.TemporaryDirectory() as folder:
        store = await open_store(f"sqlite:///{Path(folder) / 'picks.db'}")
        try:
            # The corpus's papers as one stored day, so that feedback has texts.
            await store.readings.record(
                Snapshot(date=NOW.date() - dt.timedelta(days=1), papers=tuple(papers))
            )
            items = feedback(papers, args.channels, args.people, args.per_person)
            for start in range(0, len(items), 5_000):
                await store.feedback.add(items[start : start + 5_000])
            figures: dict[str, object] = {
                "papers": len(papers),
                "feedback_rows": len(items),
                "channels": args.channels,
            }
            for span in ("week", "month"):
                times = [await picks_once(store, span) for _ in range(args.repeat)]
                figures[f"picks_{span}_ms"] = round(statistics.median(times) * 1000, 1)
            day = list(sample_snapshot().papers)
            times = [await me_once(store, day) for _ in range(args.repeat)]
            figures["me_ms"] = round(statistics.median(times) * 1000, 1)
        finally:
            await store.close()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--per-person", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    found = asyncio.run(main(parser.parse_args()))
    for key, value in found.items():
        print(f"{key}: {value}")
    print(json.dumps(found))
