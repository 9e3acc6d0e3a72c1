"""A channel's relevance model: tf-idf over title and abstract, and a linear SVM. Pure.

As arxiv-sanity-lite does: the papers the channel liked or saved (and its imported interests)
are the positives; its dislikes and the other papers in view (recent days) the negatives; the
SVM's decision value orders the candidates. (arxiv-sanity-lite takes the candidates as
negatives too; here they are kept out, so that a small day is not taught against itself.)
Without negatives, the closest liked example by cosine similarity decides. Before any feedback (the
cold start) the candidates are ordered by tf-idf cosine similarity to a profile made of the
subscription's category names and keywords. Nothing is downloaded: the vocabulary is learnt
from the texts at hand each time, which takes milliseconds for a few thousand papers.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from bot.models import Paper

# The newest examples kept for training: a channel's years of likes stay fast to train on.
MAX_EXAMPLES = 2_000
# arxiv-sanity-lite's choices; C small: few positives, many unlabeled negatives.
SVM_C = 0.1
Method = Literal["model", "profile", "none"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    """A text the channel said something about: liked (or saved, or imported) or disliked."""

    key: str  # the arXiv id, or the imported entry's key
    title: str
    text: str
    liked: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Taste:
    """Everything known of what a channel (or a person) likes: examples and a profile."""

    examples: tuple[Example, ...] = ()
    # The subscription's category names and keywords, words a relevant paper would use.
    profile: str = ""

    @property
    def liked(self) -> tuple[Example, ...]:
        return tuple(e for e in self.examples if e.liked)

    @property
    def empty(self) -> bool:
        return not self.liked and not self.profile.strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class Relevance:
    """How close a paper is to a taste: ``score`` in [0, 1] among the papers scored together
    (1: the closest), the title of the liked example nearest to it ("" when none shares a
    word), and how it was found."""

    arxiv_id: str
    score: float
    near: str = ""
    method: Method = "none"


def paper_text(paper: Paper) -> str:
    """What the model reads of a paper: its title (twice: titles are dense) and abstract."""
    return f"{paper.title}. {paper.title}. {paper.abstract}"


def example_of(paper: Paper, *, liked: bool = True) -> Example:
    return Example(key=paper.arxiv_id, title=paper.title, text=paper_text(paper), liked=liked)


def profile_of(names: Iterable[str], keywords: Iterable[str]) -> str:
    """The cold-start profile: category names (``Computation and Language``) and keywords."""
    return " ".join([*names, *keywords]).strip()


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        stop_words="english",
        sublinear_tf=True,
        ngram_range=(1, 1),
        min_df=1,
        max_df=0.8,
        max_features=50_000,
        dtype=np.float32,
    )


def _spread(values: Sequence[float]) -> list[float]:
    """Values mapped onto [0, 1] among themselves (min → 0, max → 1); all equal → all 0."""
    low, high = min(values), max(values)
    if high - low <= 1e-12:
        return [0.0] * len(values)
    return [(v - low) / (high - low) for v in values]


def score(
    taste: Taste, papers: Sequence[Paper], *, pool: Sequence[Paper] = ()
) -> dict[str, Relevance]:
    """Each paper's relevance to ``taste``, keyed by arXiv id. ``pool``: other papers in view
    (recent days), taken as negatives. Pure: the same inputs always give the same scores."""
    if not papers:
        return {}
    nothing = {p.arxiv_id: Relevance(arxiv_id=p.arxiv_id, score=0.0) for p in papers}
    if taste.empty:
        return nothing
    examples = taste.examples[-MAX_EXAMPLES:]
    known = {e.key for e in examples}
    ids = {p.arxiv_id for p in papers}
    others = {p.arxiv_id: p for p in pool if p.arxiv_id not in known | ids}
    profile = [taste.profile] if taste.profile.strip() else []
    # One vocabulary and one matrix; rows in this order: examples, other papers, profile,
    # candidates (the first ``first`` rows are the training set).
    texts = [e.text for e in examples] + [paper_text(p) for p in others.values()] + profile
    first = len(texts)
    texts += [paper_text(p) for p in papers]
    try:
        matrix = _vectorizer().fit_transform(texts)
    except ValueError:  # nothing but stop words: no vocabulary
        return nothing
    seen = matrix[first:]
    liked = [i for i, e in enumerate(examples) if e.liked]
    labels = [1 if e.liked else 0 for e in examples] + [0] * len(others) + [1] * len(profile)
    method: Method
    if liked and 0 in labels:
        with warnings.catch_warnings():
            # Few positives among many negatives may not converge fully; the order still holds.
            warnings.simplefilter("ignore", ConvergenceWarning)
            svm = LinearSVC(
                class_weight="balanced", C=SVM_C, tol=1e-6, max_iter=10_000, random_state=0
            )
            svm.fit(matrix[:first], labels)
        raw = [float(v) for v in svm.decision_function(seen)]
        method = "model"
    else:
        # Nothing to tell the liked from (no dislikes, no other papers), or only a profile:
        # the closest liked example or the profile, by cosine similarity.
        wanted = matrix[liked + list(range(first - len(profile), first))]
        raw = [float(v) for v in (seen @ wanted.T).max(axis=1).toarray().ravel()]
        method = "model" if liked else "profile"
    near = _nearest(seen, matrix[liked], [examples[i] for i in liked], [p.arxiv_id for p in papers])
    return {
        p.arxiv_id: Relevance(arxiv_id=p.arxiv_id, score=s, near=n, method=method)
        for p, s, n in zip(papers, _spread(raw), near, strict=True)
    }


def _nearest(seen: Any, liked: Any, examples: Sequence[Example], ids: Sequence[str]) -> list[str]:
    """The title of the liked example most similar to each candidate, itself excepted ("" if
    none shares a word with it): what "close to what you liked" names."""
    if not examples:
        return [""] * len(ids)
    similar = (seen @ liked.T).toarray()
    where = {e.key: j for j, e in enumerate(examples)}
    for i, arxiv_id in enumerate(ids):
        if arxiv_id in where:
            similar[i, where[arxiv_id]] = 0.0
    best = similar.argmax(axis=1)
    return [
        " ".join(examples[int(j)].title.split()) if similar[i, int(j)] > 0 else ""
        for i, j in enumerate(best)
    ]
