"""Domain values: papers, engagement, social posts, ranked papers and digests.

Frozen pydantic models, so that snapshots and JSON digests are the same values serialised.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AnnounceType = Literal["new", "cross", "replace", "replace-cross"]

ARXIV = "https://arxiv.org"


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Paper(Value):
    """One announced paper. ``arxiv_id`` never carries a version; ``version`` does."""

    arxiv_id: str
    version: int | None = None
    title: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    primary_category: str | None = None
    categories: tuple[str, ...] = ()
    announced: dt.date | None = None
    announce_type: AnnounceType = "new"

    @property
    def abs_url(self) -> str:
        return f"{ARXIV}/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"{ARXIV}/pdf/{self.arxiv_id}"

    @property
    def html_url(self) -> str:
        return f"{ARXIV}/html/{self.arxiv_id}"


class Announcement(Value):
    """The papers arXiv announced on ``date``; ``announced`` is false on days without any."""

    date: dt.date
    papers: tuple[Paper, ...] = ()
    announced: bool = True


class Post(Value):
    """A social post about a paper: where it is, who wrote it, what it says, how it did."""

    url: str
    author: str = ""
    text: str = ""
    posted_at: dt.datetime | None = None
    counts: dict[str, int] = Field(default_factory=dict)


class Signal(Value):
    """Engagement one source saw for one paper.

    Either aggregated (``post`` is None: e.g. Hugging Face upvotes for the paper) or the
    counts of one post (``post`` set, e.g. one Hacker News story). ``taken_at`` is when the
    counts were read.
    """

    source: str
    arxiv_id: str
    counts: dict[str, int]
    post: Post | None = None
    taken_at: dt.datetime | None = None
    # A post that links n of the day's papers credits each with 1/n of its engagement.
    share: float = Field(default=1.0, gt=0, le=1)
    # The code repository whose stars ``counts`` include, so that it is counted once.
    repo: str | None = None


class SourceFailure(Value):
    """A source that could not be read for a digest, and why, in a few words."""

    source: str
    reason: str


class Filters(Value):
    """What a digest was asked for. Empty tuples mean "no restriction"."""

    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    # None: every paper with at least one engagement signal, however small.
    min_score: float | None = None
    top: int | None = None


class SourceScore(Value):
    """One source's share of a paper's score: its counts, the weighted sum, the posts seen."""

    source: str
    counts: dict[str, int]
    score: float
    posts: int = 0
    taken_at: dt.datetime | None = None


class Ranked(Value):
    """A paper with its score, explained per source, and the best posts about it."""

    paper: Paper
    score: float
    breakdown: tuple[SourceScore, ...] = ()
    top_posts: tuple[Post, ...] = ()


class Digest(Value):
    """The ranked papers of one announcement day, and how they were obtained."""

    date: dt.date
    filters: Filters = Filters()
    items: tuple[Ranked, ...] = ()
    announced: bool = True
    papers_considered: int = 0
    sources_used: tuple[str, ...] = ()
    sources_failed: tuple[SourceFailure, ...] = ()
    counts_taken_at: dt.datetime | None = None
    generated_at: dt.datetime
