"""The arXiv category taxonomy: validating category filters and suggesting close matches."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.errors import InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class Taxonomy:
    """Archives (``cs``) and categories (``cs.LG``) with their names."""

    archives: Mapping[str, str]
    categories: Mapping[str, str]

    def name(self, category: str) -> str:
        return self.categories.get(category) or self.archives.get(category, category)

    def canonical(self, pattern: str) -> str:
        """The category, archive or wildcard as arXiv spells it; InputError if it is unknown.

        Accepts any letter case, ``cs.*`` and ``cs`` (every category of an archive).
        """
        text = pattern.strip()
        folded = {c.lower(): c for c in (*self.categories, *self.archives)}
        if text.lower() in folded:
            return folded[text.lower()]
        head, dot, tail = text.partition(".")
        if dot and tail == "*" and head.lower() in folded:
            return f"{folded[head.lower()]}.*"
        suggestions = self.closest(text)
        hint = f" Did you mean {' or '.join(suggestions)}?" if suggestions else ""
        raise InputError(f"Unknown arXiv category {text!r}.{hint}")

    def closest(self, text: str, n: int = 3) -> list[str]:
        """Real categories close to a mistyped one: same subject in another archive first."""
        names = [*self.categories, *self.archives]
        by_lower = {c.lower(): c for c in names}
        subject = text.lower().partition(".")[2]
        same_subject = [
            c for c in self.categories if subject and c.lower().partition(".")[2] == subject
        ]
        similar = difflib.get_close_matches(text.lower(), list(by_lower), n=n, cutoff=0.5)
        found = dict.fromkeys([*same_subject, *(by_lower[f] for f in similar)])
        return [c for c in found if c.lower() != text.lower()][:n]

    def validate(self, patterns: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.canonical(p) for p in patterns))


@cache
def load_taxonomy() -> Taxonomy:
    """The taxonomy shipped in ``config/arxiv_taxonomy.toml``."""
    text = resources.files("config").joinpath("arxiv_taxonomy.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return Taxonomy(archives=data["archives"], categories=data["categories"])
