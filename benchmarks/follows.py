"""Personal follows on the shared corpus of real Hot Papers days: how ``similar`` behaves at
each threshold, and how long a day's matching takes for many people.

Calibration: every paper of ``../shared/corpus/hot-papers`` (about 3,100) in one tf-idf index;
``--references`` of them, drawn at random, are followed as ``similar``; for each threshold,
how many papers each picks per 1,000 and the share of picks in the followed paper's primary
category (a proxy for "about the same thing"; a random pair shares it in about 18 %).
Timing: ``--people`` people with three follows each (an author, a keyword, a similar paper)
matched against the same papers. The last line is one JSON object. Figures only.

    python benchmarks/follows.py [--references 200] [--people 200] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from pathlib import Path

from bot.errors import SnapshotError
from bot.follows.match import SIMILARITY_THRESHOLD, DayIndex, match_day, paper_text
from bot.follows.model import Follow, Person
from bot.hotpost import read_post
from bot.models import Paper

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "hot-papers"
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3)
AT = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def corpus_papers(folder: Path) -> list[Paper]:
    papers: dict[str, Paper] = {}
    for path in sorted(folder.glob("*.md")):
        try:
            found = read_post(path.read_text(encoding="utf-8"), name=path.name).snapshot.papers
        except SnapshotError:
            continue  # a few posts of the series list no papers
        for paper in found:
            papers.setdefault(paper.arxiv_id, paper)
    return list(papers.values())


def calibrate(index: DayIndex, references: list[int]) -> dict[str, dict[str, float]]:
    papers = index.papers
    scores = {r: index.similarities(paper_text(papers[r])) for r in references}
    figures = {}
    for threshold in THRESHOLDS:
        picks = same = 0
        for r, row in scores.items():
            for i, score in enumerate(row):
                if i != r and score >= threshold:
                    picks += 1
                    same += papers[i].primary_category == papers[r].primary_category
        figures[str(threshold)] = {
            "picks_per_1000": round(picks / len(references) / len(papers) * 1000, 2),
            "same_primary_category": round(same / picks, 3) if picks else 0.0,
        }
    return figures


def people(papers: list[Paper], count: int, rng: random.Random) -> list[list[Follow]]:
    everyone = []
    for n in range(count):
        who = Person(platform="slack", scope="T1", user=f"U{n}")
        author_of, like = rng.choice(papers), rng.choice(papers)
        words = [w for w in author_of.title.split() if len(w) > 6] or ["learning"]
        everyone.append(
            [
                Follow(person=who, kind="author", value=author_of.authors[0], created_at=AT),
                Follow(person=who, kind="keyword", value=rng.choice(words), created_at=AT),
                Follow(
                    person=who,
                    kind="similar",
                    value=like.arxiv_id,
                    text=paper_text(like),
                    created_at=AT,
                ),
            ]
        )
    return everyone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=200)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    rng = random.Random(14)
    papers = [p for p in corpus_papers(args.corpus) if p.authors]
    started = time.perf_counter()
    index = DayIndex(papers)
    index_s = time.perf_counter() - started
    figures = calibrate(index, rng.sample(range(len(papers)), args.references))
    for threshold, row in figures.items():
        print(
            f"threshold {threshold}: {row['picks_per_1000']} picks per 1,000 papers, "
            f"{row['same_primary_category']:.0%} in the followed paper's primary category"
        )
    crowd = people(papers, args.people, rng)
    times, matched = [], []
    for follows in crowd:
        started = time.perf_counter()
        matched.append(len(match_day(index, follows)))
        times.append(time.perf_counter() - started)
    print(
        f"{len(papers)} papers indexed in {index_s:.2f} s; {args.people} people x 3 follows "
        f"matched in {sum(times):.2f} s ({statistics.median(times) * 1000:.1f} ms median each), "
        f"{statistics.mean(matched):.1f} papers each on average"
    )
    print(
        json.dumps(
            {
                "papers": len(papers),
                "threshold": SIMILARITY_THRESHOLD,
                "calibration": figures,
                "index_s": round(index_s, 3),
                "people": args.people,
                "match_all_s": round(sum(times), 3),
                "match_median_ms": round(statistics.median(times) * 1000, 2),
                "matches_mean": round(statistics.mean(matched), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
