"""Every real Hot Papers day of the corpus comes back in its own order.

The corpus (274 posts, ``shared/corpus/hot-papers``) sits next to the repository in CI; set
``HOTPAPERS_CORPUS`` to the folder of posts to use another place.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from pathlib import Path

import pytest

from bot.engine import build_digest
from bot.errors import SnapshotError
from bot.hotpost import import_post
from bot.models import Filters
from bot.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(
    os.environ.get("HOTPAPERS_CORPUS") or ROOT.parent / "shared" / "corpus" / "hot-papers"
)
POSTS = sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else []
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def expected_order(snapshot: Snapshot) -> list[str]:
    """Retweets + favorites, more retweets first on a tie, then the arXiv id."""
    retweets: dict[str, int] = defaultdict(int)
    favorites: dict[str, int] = defaultdict(int)
    for s in snapshot.signals:
        retweets[s.arxiv_id] += s.counts.get("retweets", 0)
        favorites[s.arxiv_id] += s.counts.get("favorites", 0)
    return sorted(
        (p.arxiv_id for p in snapshot.papers),
        key=lambda i: (-(retweets[i] + favorites[i]), -retweets[i], i),
    )


@pytest.mark.skipif(not POSTS, reason=f"the Hot Papers corpus is not at {CORPUS}")
def test_every_corpus_day_is_ranked_in_retweets_plus_favorites_order() -> None:
    wrong: list[str] = []
    empty: list[tuple[str, str, bool]] = []
    for path in POSTS:
        text = path.read_text(encoding="utf-8")
        try:
            snapshot = import_post(text, name=path.name)
        except SnapshotError as exc:
            # The generator published a day with front matter only (2020-12-07): nothing to
            # rank, and the import says so in one sentence. Any other failure is a bug.
            empty.append((path.name, str(exc), text.rstrip().endswith("---")))
            continue
        assert {s.source for s in snapshot.signals if s.counts} <= {"twitter"}, path.name
        digest = build_digest(snapshot, Filters(min_score=0), generated_at=NOW)
        if [r.paper.arxiv_id for r in digest.items] != expected_order(snapshot):
            wrong.append(path.name)
    assert len(POSTS) >= 274
    assert len(empty) <= 1, empty
    assert all("lists no papers" in why and blank for _, why, blank in empty), empty
    assert wrong == []
