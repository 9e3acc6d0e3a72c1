"""Domain values: papers, engagement, social posts, ranked papers and digests.

Frozen pydantic models, so that snapshots and JSON digests are the same values serialised.
``Post`` and ``Signal``, of which a big day holds 100,000, are frozen slotted pydantic
dataclasses instead: validated the same way, a fifth of the memory (no ``__dict__``, no
per-instance set of fields), and they answer the few ``model_*`` methods the rest uses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.dataclasses import dataclass

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
    # The date of the first version, where known (the arXiv API gives it; the feed does not).
    published: dt.date | None = None

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


_STRICT = ConfigDict(extra="forbid")


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(kind: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter


class _Lean:
    """What ``Value`` offers, for the slotted dataclasses: ``model_validate``, ``model_dump``
    and ``model_copy`` (which, unlike a model's, validates the update)."""

    __slots__ = ()

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        return _adapter(cls).validate_python(data)  # type: ignore[no-any-return]

    def model_dump(self, **options: Any) -> dict[str, Any]:
        return _adapter(type(self)).dump_python(self, **options)  # type: ignore[no-any-return]

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self:
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]


@dataclass(frozen=True, slots=True, kw_only=True, config=_STRICT)
class Post(_Lean):
    """A social post about a paper: where it is, who wrote it, what it says, how it did."""

    url: str
    author: str = ""
    text: str = ""
    posted_at: dt.datetime | None = None
    counts: dict[str, int] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True, config=_STRICT)
class Signal(_Lean):
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
    # When that repository was created, where the source says: stars of a repository created
    # after the paper's first version all count as attention to the paper.
    repo_created_at: dt.datetime | None = None
    # A short summary the source offers (Hugging Face's ``ai_summary``), untrusted text.
    summary: str | None = None

    def __post_init__(self) -> None:
        # A post's signal usually carries the post's own counts: one dict for both, not two
        # equal ones (a fifth of what a day's signals weigh). Values are never mutated.
        if self.post is not None and self.post.counts == self.counts:
            object.__setattr__(self, "counts", self.post.counts)


class SourceFailure(Value):
    """A source that could not be read for a digest, and why, in a few words."""

    source: str
    reason: str


class Filters(Value):
    """What a digest was asked for. Empty tuples mean "no restriction"."""

    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # any one in the title or abstract
    all_keywords: tuple[str, ...] = ()  # every one
    exclude: tuple[str, ...] = ()  # none: a paper that mentions one is dropped
    authors: tuple[str, ...] = ()  # any one among the authors (``bot.matching``)
    # None: every paper with at least one engagement signal, however small.
    min_score: float | None = None
    top: int | None = None


class SourceScore(Value):
    """One source's part of a paper's score, and every step from its counts to that part.

    ``counts`` are the raw counts summed over the source's signals; ``weighted`` is
    Σ metric weight × count × share; ``share`` is ``weighted`` over the same sum without the
    1/n split of multi-paper posts; ``normalized`` is the source's transform of ``weighted``
    against that source's own distribution on the day (in [0, 1]); ``weight`` the source's
    weight; ``capped`` what the single-post cap removed. ``score`` is the part the source adds
    to the paper's score. ``place`` is the paper's place on this source that day (1 = most
    engagement) among the ``of`` papers the source engaged with.
    """

    source: str
    counts: dict[str, int]
    score: float
    posts: int = 0
    taken_at: dt.datetime | None = None
    weighted: float = 0.0
    share: float = 1.0
    normalized: float = 0.0
    weight: float = 1.0
    capped: float = 0.0
    place: int = 0
    of: int = 0
    # The counts that counted, when the rules of attention changed them (stars gained since an
    # earlier reading, old papers), and why in a few words; None and "" when nothing changed.
    counted: dict[str, int] | None = None
    note: str = ""


class Link(Value):
    """A link shown with a paper: its code, its discussion threads, its pages elsewhere.

    ``kind`` is one of ``code``, ``huggingface``, ``alphaxiv``, ``hackernews``, ``reddit``,
    ``bluesky``, ``twitter``; ``label`` is what a reader sees (``GitHub``, ``Hacker News``).
    """

    kind: str
    label: str
    url: str


class Blend(Value):
    """A paper's place in one channel's digest: its hotness and its relevance to the channel's
    taste, mixed (``bot.relevance.blend``; README "How a score is made").

    ``hot`` is the score over the best score among the channel's candidates, ``relevance`` the
    model's score among them, both in [0, 1]; ``total`` = (1 − ``mix``) × hot + ``mix`` ×
    relevance. ``near`` is the liked paper closest to it ("" when none).
    """

    mix: float
    hot: float
    relevance: float
    total: float
    near: str = ""
    method: str = "none"


class Ranked(Value):
    """A paper with its score, explained per source, and the best posts about it."""

    paper: Paper
    score: float
    breakdown: tuple[SourceScore, ...] = ()
    top_posts: tuple[Post, ...] = ()
    # Why it is hot, in one line from the strongest facts; a TL;DR; code and discussion links.
    why: str = ""
    tldr: str = ""
    links: tuple[Link, ...] = ()
    # "cross-listed" or "replaced" for an old paper that is only cross-listed or replaced today.
    old: str = ""
    # For the rising view: engagement points gained per hour between the paper's readings.
    gain_per_hour: float | None = None
    # In a channel's own digest (``digest --for``): hotness blended with relevance.
    blend: Blend | None = None
    # In a chat digest for a channel: the group's own count, apart from public signals
    # ("this workspace: 3 👍, 1 🔖"; ``bot.feedback.actions.own_line``), upstream emoji names.
    own: str = ""


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
    # "day" (one announcement), "week" or "month" (the best of the announcement days from
    # ``start`` to ``date``), "rising" (gained most per hour over the last days), or "picks"
    # (what a group liked and saved most from ``start`` to ``date``: ``bot.feedback.picks``).
    view: Literal["day", "week", "month", "rising", "picks"] = "day"
    start: dt.date | None = None
