"""The word and author filters of a digest: which papers a reader asked for. Pure.

``keywords``: any one appears in the title or abstract; ``all_keywords``: every one does;
``exclude``: none does (a paper that mentions one is dropped); ``authors``: any one wrote it.
Words match case-insensitively anywhere in the text (``llm`` also drops "LLMs").

An author matches when the last names agree and the first names agree where both are given,
ignoring case, accents and punctuation; an initial stands for any name it begins. So
"Yann LeCun", "Y. LeCun", "yann lecun", "LeCun, Yann" and "LeCun" all find "Yann LeCun", and
"Léon Bottou" finds "Leon Bottou"; "Yan LeCun" does not. Name particles (van, von, de, …) are
ignored, so "van der Maaten" finds "Laurens van der Maaten".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.models import Filters, Paper

PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "des", "la", "le"}
    | {"ter", "ten", "bin", "ibn", "al", "el", "dos", "das"}
)


def words_match(paper: Paper, filters: Filters) -> bool:
    """Whether a paper passes the keyword, all-of, exclude and author filters."""
    if filters.keywords or filters.all_keywords or filters.exclude:
        haystack = f"{paper.title}\n{paper.abstract}".casefold()
        if filters.keywords and not any(k.casefold() in haystack for k in filters.keywords):
            return False
        if not all(k.casefold() in haystack for k in filters.all_keywords):
            return False
        if any(k.casefold() in haystack for k in filters.exclude):
            return False
    return not filters.authors or any(
        author_matches(wanted, author) for wanted in filters.authors for author in paper.authors
    )


def author_matches(wanted: str, author: str) -> bool:
    """Whether the name a reader gave (``wanted``) names ``author`` (see the module's rule)."""
    want, have = _name(_given_first(wanted)), _name(author)
    if not want[1] or not have[1]:
        return False
    if want[1] != have[1]:
        return False
    if not want[0] or not have[0]:
        return True
    first, other = want[0][0], have[0][0]
    if len(first) == 1 or len(other) == 1:
        return first[0] == other[0]
    return first == other


def _given_first(name: str) -> str:
    """A name a reader wrote as "LeCun, Yann" (as bibliographies do) in arXiv's order."""
    last, comma, given = name.partition(",")
    return f"{given} {last}" if comma and given.strip() and "," not in given else name


@lru_cache(maxsize=4096)
def _name(text: str) -> tuple[tuple[str, ...], str]:
    """(given names, last name) of a name, folded: no case, accents or punctuation."""
    tokens = [t for t in (_fold(part) for part in re.split(r"[\s.,]+", text)) if t]
    if not tokens:
        return (), ""
    given = tuple(t for t in tokens[:-1] if t not in PARTICLES)
    return given, tokens[-1]


def _fold(token: str) -> str:
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return kept.strip("-'’‘")
