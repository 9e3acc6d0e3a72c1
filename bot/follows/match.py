"""Which of a day's papers a person's follows match. Pure: values in, values out.

- **author**: a name matches an author of the paper when the surnames agree and the given
  names do not disagree; accents, case, punctuation and initials are tolerated ("Yann LeCun"
  matches "Y. LeCun", "yann lecun" and "LeCun, Yann"; "José" matches "Jose"). A follow of a
  surname alone matches every author with that surname.
- **keyword**: the words, in order, as whole words of the title or the abstract (accents and
  case ignored, a plural "s" tolerated at the end): "graph neural network" matches "Graph
  Neural Networks" but not "subgraph".
- **similar**: tf-idf cosine similarity between the followed paper's title and abstract and each
  paper's, at least ``SIMILARITY_THRESHOLD``. Document frequencies are the day's papers'
  (sublinear term frequency, smoothed idf, English stop words removed, as scikit-learn's
  ``TfidfVectorizer(sublinear_tf=True, stop_words="english")`` computes them).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from bot.follows.model import Follow, Match
from bot.models import Paper

# Calibrated on the shared corpus (3,096 papers of real Hot Papers days, benchmarks/follows.py):
# at 0.2 a followed paper picks about 0.5 papers per 1,000, 73–82 % of them in its primary
# category (18 % for a random pair); at 0.1 about 14 per 1,000, 65–68 %; at 0.3 too few to matter.
SIMILARITY_THRESHOLD = 0.2

# Letters that Unicode does not decompose into a base letter and an accent.
_FOLD = str.maketrans(
    {"ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_WORD = re.compile(r"[0-9a-z]+")
_STOP_WORDS = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves paper propose proposed show shows using use used based"""
_STOP = frozenset(_STOP_WORDS.split())


def fold(text: str) -> str:
    """Lower case without accents: the form names and words are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


# Names


@lru_cache(maxsize=65_536)
def name_parts(name: str) -> tuple[tuple[str, ...], str]:
    """(given names, surname) of a name; "Surname, Given" is turned around; particles such as
    "van der" stay with the given names (only the last word is compared as the surname)."""
    if "," in name:
        surname, _, given = name.partition(",")
        name = f"{given} {surname}"
    tokens = words(name)
    if not tokens:
        return (), ""
    return tuple(tokens[:-1]), tokens[-1]


def _given_agree(a: str, b: str) -> bool:
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a == b


def same_person(followed: str, author: str) -> bool:
    """Whether ``author`` (as a paper lists it) may be the person named ``followed``."""
    given, surname = name_parts(followed)
    their_given, their_surname = name_parts(author)
    if not surname or surname != their_surname:
        return False
    if not given or not their_given:
        return True  # a surname alone, or an author listed by surname only
    # The first given names must agree; further ones only where both sides have them
    # ("Geoffrey E. Hinton" is "Geoffrey Hinton", but "Jun Li" is not "Jie Li").
    return all(_given_agree(a, b) for a, b in zip(given, their_given, strict=False))


# Keywords


@lru_cache(maxsize=4096)
def _phrase(keyword: str) -> tuple[str, re.Pattern[str]] | None:
    """The keyword's longest word (a fast substring test first) and its whole pattern."""
    parts = words(keyword)
    if not parts:
        return None
    pattern = re.compile(r"\b" + r"\s+".join(map(re.escape, parts)) + r"(?:e?s)?\b")
    return max(parts, key=len), pattern


def searchable(paper: Paper) -> str:
    """The title and abstract as folded words, where a keyword's pattern is looked for."""
    return " ".join(words(paper.title)) + " \n " + " ".join(words(paper.abstract))


def mentions(keyword: str, paper: Paper, text: str | None = None) -> bool:
    """Whether the keyword's words, in order, are whole words of the title or abstract
    (``text``: the paper's ``searchable`` form, when already made)."""
    phrase = _phrase(keyword)
    if phrase is None:
        return False
    longest, pattern = phrase
    text = searchable(paper) if text is None else text
    # Most papers lack the word altogether: a substring test rules them out in C.
    return longest in text and pattern.search(text) is not None


# Similarity


def terms(text: str) -> list[str]:
    return [w for w in words(text) if len(w) > 1 and w not in _STOP and not w.isdigit()]


def paper_text(paper: Paper) -> str:
    return f"{paper.title}\n{paper.abstract}"


Vector = dict[str, float]


class DayIndex:
    """The tf-idf vectors of a day's papers, built once for every person's follows, with an
    inverted index (term → papers and weights) so that a query reads only the papers that
    share a term with it."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.papers = tuple(papers)
        counts = [Counter(terms(paper_text(p))) for p in self.papers]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        n = len(self.papers)
        self.idf = {t: math.log((1 + n) / (1 + k)) + 1 for t, k in df.items()}
        self.unseen_idf = math.log(1 + n) + 1  # a term none of the day's papers has
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for i, c in enumerate(counts):
            for term, weight in self._normalised(c).items():
                self.postings.setdefault(term, []).append((i, weight))
        self.texts = [searchable(p) for p in self.papers]
        # Authors by surname: a name follow reads only the papers of people of that surname.
        self.surnames: dict[str, list[tuple[int, str]]] = {}
        for i, paper in enumerate(self.papers):
            for author in paper.authors:
                self.surnames.setdefault(name_parts(author)[1], []).append((i, author))

    def _normalised(self, counts: Counter[str]) -> Vector:
        raw = {t: (1 + math.log(k)) * self.idf.get(t, self.unseen_idf) for t, k in counts.items()}
        norm = math.sqrt(sum(v * v for v in raw.values()))
        return {t: v / norm for t, v in raw.items()} if norm else {}

    def vector(self, text: str) -> Vector:
        return self._normalised(Counter(terms(text)))

    def similarities(self, text: str) -> list[float]:
        """The cosine similarity of ``text`` to each of the day's papers, in their order."""
        scores = [0.0] * len(self.papers)
        for term, weight in self.vector(text).items():
            for i, theirs in self.postings.get(term, ()):
                scores[i] += weight * theirs
        return scores


def match_day(
    index: DayIndex, follows: Iterable[Follow], *, threshold: float = SIMILARITY_THRESHOLD
) -> list[Match]:
    """The day's papers that match any of ``follows`` (one person's), with why; papers that
    match more follows first, then the more similar, then in the day's order."""
    reasons: dict[int, list[str]] = {}
    best: dict[int, float] = {}
    for follow in follows:
        if follow.kind == "similar":
            for i, score in enumerate(index.similarities(follow.text)):
                if score >= threshold and index.papers[i].arxiv_id != follow.value:
                    reasons.setdefault(i, []).append(follow.describe())
                    best[i] = max(best.get(i, 0.0), score)
            continue
        if follow.kind == "author":
            surname = name_parts(follow.value)[1]
            found = sorted(
                {i for i, a in index.surnames.get(surname, ()) if same_person(follow.value, a)}
            )
        else:
            found = [
                i
                for i, paper in enumerate(index.papers)
                if mentions(follow.value, paper, index.texts[i])
            ]
        for i in found:
            reasons.setdefault(i, []).append(follow.describe())
    order = sorted(reasons, key=lambda i: (-len(reasons[i]), -best.get(i, 0.0), i))
    return [
        Match(
            paper=index.papers[i],
            reasons=tuple(dict.fromkeys(reasons[i])),
            similarity=round(best.get(i, 0.0), 4),
        )
        for i in order
    ]
