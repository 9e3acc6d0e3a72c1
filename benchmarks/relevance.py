"""Relevance benchmark: does a channel's own model find its papers better than keywords?

    python -m benchmarks.relevance [--corpus ../shared/corpus/hot-papers] [--warmup 40]
                                   [--window 90] [--like 0.5] [--dislike 0.1] [--stride 1]
                                   [--mix 0.3]

On the real Hot Papers days of the corpus (about 11 papers a day, with their categories),
simulated channels are each interested in one area, told by categories (NLP: cs.CL; speech:
cs.SD, eess.AS; robotics: cs.RO; graphics: cs.GR; security: cs.CR; society: cs.CY, cs.SI,
physics.soc-ph). Each channel's subscription has a few keywords of its area, as a person would
type them. On every day, the channel sees the day's papers and likes each paper of its area
with probability ``--like`` and dislikes each other paper with probability ``--dislike``
(deterministic: a hash of channel and paper, no random state).

From day ``--warmup`` on, each day is a test day: the channel's model is trained only on the
feedback of the ``--window`` days before it, with the categories hidden from the model (it
reads titles and abstracts; the papers it sees carry no categories), and then orders that
day's papers. A paper is relevant when one of its categories is in the area. Reported, per
method, averaged over test days that have at least one relevant paper, then over areas:
precision@5 and nDCG@10 (binary gains). Methods:

- ``hot``: the day's hot order (``bot.engine.rank_snapshot``), which knows nothing of the channel;
- ``keywords``: papers matching a subscription keyword (title or abstract, as the keyword
  filter does) first, in hot order, then the others in hot order;
- ``cold``: the relevance model with no feedback at all, only the keywords as its profile;
- ``relevance``: the model trained on the feedback (mix 1);
- ``blend``: hot and relevance blended with ``--mix`` (default 0.3, a subscription's default);
- ``ideal``: the area's papers first: the ceiling (a day with two relevant papers has a
  precision@5 of 0.4 at best).

The last line is one JSON object with the figures. Figures only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.engine import rank_snapshot
from bot.errors import SnapshotError
from bot.hotpost import read_post
from bot.models import Filters, Paper, Ranked
from bot.ranking import matches
from bot.relevance.blend import DEFAULT_MIX, blend
from bot.relevance.model import Taste, example_of, score

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "hot-papers"


@dataclass(frozen=True, slots=True)
class Area:
    name: str
    categories: frozenset[str]
    keywords: tuple[str, ...]


AREAS = (
    Area(
        "nlp",
        frozenset({"cs.CL"}),
        ("language model", "translation", "text", "question answering", "dialogue"),
    ),
    Area("speech", frozenset({"cs.SD", "eess.AS"}), ("speech", "audio", "speaker", "music")),
    Area("robotics", frozenset({"cs.RO"}), ("robot", "manipulation", "grasping", "locomotion")),
    Area("graphics", frozenset({"cs.GR"}), ("rendering", "mesh", "animation", "3D shape")),
    Area("security", frozenset({"cs.CR"}), ("privacy", "attack", "security", "malware")),
    Area(
        "society",
        frozenset({"cs.CY", "cs.SI", "physics.soc-ph"}),
        ("social", "society", "misinformation", "COVID", "ethics"),
    ),
)
METHODS = ("hot", "keywords", "cold", "relevance", "blend", "ideal")


@dataclass(frozen=True, slots=True)
class Day:
    name: str
    ranked: tuple[Ranked, ...]  # the hot order, categories hidden from the papers
    categories: dict[str, frozenset[str]]  # arxiv id → its real categories


def hidden(paper: Paper) -> Paper:
    return paper.model_copy(update={"categories": (), "primary_category": None})


def load(folder: Path) -> list[Day]:
    days = []
    for path in sorted(folder.glob("*.md")):
        try:
            snapshot = read_post(path.read_text(errors="replace"), name=path.name).snapshot
        except SnapshotError:
            continue  # one post of the corpus lists no papers
        ranked = rank_snapshot(snapshot)
        days.append(
            Day(
                name=path.stem,
                ranked=tuple(r.model_copy(update={"paper": hidden(r.paper)}) for r in ranked),
                categories={p.arxiv_id: frozenset(p.categories) for p in snapshot.papers},
            )
        )
    return days


def chance(*parts: str) -> float:
    """A number in [0, 1) fixed by its parts: the same channel likes the same papers each run."""
    digest = hashlib.sha256("\0".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def relevant(day: Day, area: Area, arxiv_id: str) -> bool:
    return bool(day.categories[arxiv_id] & area.categories)


def precision_at(order: Sequence[bool], k: int) -> float:
    return sum(order[:k]) / k


def ndcg_at(order: Sequence[bool], k: int) -> float:
    gain = sum(1 / math.log2(i + 2) for i, hit in enumerate(order[:k]) if hit)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, sum(order))))
    return gain / ideal if ideal else 0.0


def feedback_taste(days: Sequence[Day], area: Area, *, like: float, dislike: float) -> Taste:
    examples = []
    for day in days:
        for item in day.ranked:
            paper = item.paper
            draw = chance(area.name, paper.arxiv_id)
            if relevant(day, area, paper.arxiv_id):
                if draw < like:
                    examples.append(example_of(paper))
            elif draw < dislike:
                examples.append(example_of(paper, liked=False))
    return Taste(examples=tuple(examples), profile=" ".join(area.keywords))


def orders(
    day: Day, area: Area, history: Sequence[Day], *, like: float, dislike: float, mix: float
) -> dict[str, list[Ranked]]:
    ranked = list(day.ranked)
    papers = [r.paper for r in ranked]
    pool = [r.paper for d in history for r in d.ranked]
    keyed = Filters(keywords=area.keywords)
    profile = Taste(profile=" ".join(area.keywords))
    taste = feedback_taste(history, area, like=like, dislike=dislike)
    learnt = score(taste, papers, pool=pool)
    return {
        "hot": ranked,
        "keywords": sorted(ranked, key=lambda r: not matches(r.paper, keyed)),
        "cold": blend(ranked, score(profile, papers, pool=pool), mix=1.0),
        "relevance": blend(ranked, learnt, mix=1.0),
        "blend": blend(ranked, learnt, mix=mix),
        "ideal": sorted(ranked, key=lambda r: not relevant(day, area, r.paper.arxiv_id)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--warmup", type=int, default=40, help="days before the first test day")
    parser.add_argument("--window", type=int, default=90, help="days of feedback trained on")
    parser.add_argument("--like", type=float, default=0.5)
    parser.add_argument("--dislike", type=float, default=0.1)
    parser.add_argument("--stride", type=int, default=1, help="test every n-th day")
    parser.add_argument("--mix", type=float, default=DEFAULT_MIX, help="the blend's mix")
    args = parser.parse_args()
    start = time.perf_counter()
    days = load(args.corpus)
    sums = {a.name: {m: [0.0, 0.0] for m in METHODS} for a in AREAS}
    tested = dict.fromkeys((a.name for a in AREAS), 0)
    for index in range(args.warmup, len(days), args.stride):
        day = days[index]
        history = days[max(0, index - args.window) : index]
        for area in AREAS:
            if not any(relevant(day, area, r.paper.arxiv_id) for r in day.ranked):
                continue
            tested[area.name] += 1
            for method, order in orders(
                day, area, history, like=args.like, dislike=args.dislike, mix=args.mix
            ).items():
                hits = [relevant(day, area, r.paper.arxiv_id) for r in order]
                sums[area.name][method][0] += precision_at(hits, 5)
                sums[area.name][method][1] += ndcg_at(hits, 10)
    per_area = {
        a: {m: (round(p / tested[a], 3), round(n / tested[a], 3)) for m, (p, n) in by.items()}
        for a, by in sums.items()
        if tested[a]
    }
    areas = list(per_area)
    mean = {
        m: {
            "precision_at_5": round(sum(per_area[a][m][0] for a in areas) / len(areas), 3),
            "ndcg_at_10": round(sum(per_area[a][m][1] for a in areas) / len(areas), 3),
        }
        for m in METHODS
    }
    print(f"{len(days)} days, test days from {days[args.warmup].name}; per area P@5 / nDCG@10:")
    print(f"{'area':10} {'days':>5} " + " ".join(f"{m:>16}" for m in METHODS))
    for a in areas:
        cells = " ".join(f"{p:>7.3f} / {n:<6.3f}" for p, n in (per_area[a][m] for m in METHODS))
        print(f"{a:10} {tested[a]:>5} {cells}")
    cells = " ".join(
        f"{mean[m]['precision_at_5']:>7.3f} / {mean[m]['ndcg_at_10']:<6.3f}" for m in METHODS
    )
    print(f"{'mean':10} {'':>5} {cells}")
    print(
        json.dumps(
            {
                "days": len(days),
                "warmup": args.warmup,
                "window": args.window,
                "like": args.like,
                "dislike": args.dislike,
                "mix": args.mix,
                "stride": args.stride,
                "test_days": tested,
                "mean": mean,
                "per_area": {
                    a: {m: {"precision_at_5": p, "ndcg_at_10": n} for m, (p, n) in by.items()}
                    for a, by in per_area.items()
                },
                "gain_over_keywords_ndcg_at_10": round(
                    mean["relevance"]["ndcg_at_10"] - mean["keywords"]["ndcg_at_10"], 3
                ),
                "gain_over_keywords_precision_at_5": round(
                    mean["relevance"]["precision_at_5"] - mean["keywords"]["precision_at_5"], 3
                ),
                "wall_s": round(time.perf_counter() - start, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
