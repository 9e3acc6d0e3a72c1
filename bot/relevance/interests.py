"""Imported interests: what a channel reads, from a BibTeX file, a Zotero CSV export or a list
of arXiv ids. Pure: text in, interests out.

- BibTeX (``.bib``; Zotero's "Export Collection… → BibTeX" too): every entry with a title;
  the abstract when the entry has one; the arXiv id from ``eprint``, ``url``, ``doi``,
  ``journal`` or ``note`` when one is named there. LaTeX accents are decoded.
- Zotero CSV (``.csv``, "Export Collection… → CSV"): the ``Title`` and ``Abstract Note``
  columns; the arXiv id from ``Url``, ``DOI`` or ``Extra`` (``arXiv: 2005.14165``).
- A list of arXiv ids (anything else): one id or abs/pdf URL per line; ``#`` starts a
  comment. These have no text yet: the caller finds it (the stored paper, or arXiv's API).

Zotero RDF is not read: export BibTeX or CSV instead.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from bot.errors import InputError
from bot.feedback import Interest
from bot.ids import find_refs, parse_id
from bot.limits import echo

Format = Literal["bibtex", "csv", "ids"]
MAX_INTERESTS = 10_000  # entries of one import
MAX_FIELD = 20_000  # characters of one title or abstract kept
_BIB_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Imported:
    """What a file gave: the interests, the file's format, and what was left out, and why."""

    format: Format
    interests: tuple[Interest, ...]
    skipped: tuple[str, ...] = ()


def detect(name: str, text: str) -> Format:
    """The format, by the file name's suffix, else by its content."""
    lower = name.lower()
    if lower.endswith((".bib", ".bibtex")):
        return "bibtex"
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith(".rdf"):
        raise InputError("Zotero RDF is not read: export the collection as BibTeX or CSV instead.")
    return "bibtex" if _BIB_ENTRY.search(text) else "ids"


def _arxiv_id(values: Iterable[str]) -> str:
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            return parse_id(value).arxiv_id
        except ValueError:
            pass
        refs = find_refs(value)
        if refs:
            return refs[0].arxiv_id
        found = re.search(r"arxiv[:\s]+(\S+)", value, re.IGNORECASE)
        if found:
            try:
                return parse_id(found[1].rstrip(".,;")).arxiv_id
            except ValueError:
                pass
    return ""


def _clean(text: str) -> str:
    return " ".join(text.replace("{", "").replace("}", "").split())[:MAX_FIELD]


def _interest(title: str, abstract: str, arxiv_id: str, fallback: str) -> Interest:
    title = _clean(title)
    key = arxiv_id or fallback or title.lower()
    return Interest(
        key=key[:256], arxiv_id=arxiv_id, title=title, text=f"{title}. {title}. {_clean(abstract)}"
    )


def _field(fields: Mapping[str, str], name: str) -> str:
    return next((v for k, v in fields.items() if k.lower() == name), "")


def read_bibtex(text: str) -> Imported:
    # Imported here: bibtexparser is needed only by an import.
    from bibtexparser.entrypoint import parse_string
    from bibtexparser.middlewares import LatexDecodingMiddleware

    library = parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    interests: list[Interest] = []
    skipped = [
        f"a BibTeX block that cannot be read (line {(b.start_line or 0) + 1})"
        for b in library.failed_blocks
    ]
    for entry in library.entries:
        fields = {f.key: str(f.value) for f in entry.fields}
        title = _field(fields, "title")
        if not title.strip():
            skipped.append(f"{echo(entry.key)}: no title")
            continue
        named = [_field(fields, k) for k in ("eprint", "url", "doi", "journal", "note", "arxivid")]
        doi = _field(fields, "doi").strip().lower()
        interests.append(
            _interest(title, _field(fields, "abstract"), _arxiv_id(named), doi or entry.key)
        )
    return Imported(format="bibtex", interests=tuple(interests), skipped=tuple(skipped))


def read_csv(text: str) -> Imported:
    rows = csv.DictReader(io.StringIO(text))
    if rows.fieldnames is None or "Title" not in rows.fieldnames:
        raise InputError("A Zotero CSV export has a Title column; this file has none.")
    interests: list[Interest] = []
    skipped: list[str] = []
    for number, row in enumerate(rows, start=2):
        title = row.get("Title") or ""
        if not title.strip():
            skipped.append(f"line {number}: no title")
            continue
        named = [row.get(k) or "" for k in ("Url", "DOI", "Extra")]
        key = (row.get("DOI") or "").strip().lower() or (row.get("Key") or "").strip()
        interests.append(_interest(title, row.get("Abstract Note") or "", _arxiv_id(named), key))
    return Imported(format="csv", interests=tuple(interests), skipped=tuple(skipped))


def read_ids(text: str) -> Imported:
    interests: list[Interest] = []
    skipped: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        token = line.split("#", 1)[0].strip()
        if not token:
            continue
        found = _arxiv_id([token])
        if not found:
            skipped.append(f"line {number}: “{echo(token)}” is not an arXiv id")
            continue
        interests.append(Interest(key=found, arxiv_id=found, title="", text=""))
    return Imported(format="ids", interests=tuple(interests), skipped=tuple(skipped))


def read_interests(name: str, text: str) -> Imported:
    """The interests of an exported file, each key once (its first entry), at most
    ``MAX_INTERESTS``."""
    kind = detect(name, text)
    imported = {"bibtex": read_bibtex, "csv": read_csv, "ids": read_ids}[kind](text)
    unique: dict[str, Interest] = {}
    for item in imported.interests:
        unique.setdefault(item.key, item)  # the first entry of a paper is the one kept
    kept = tuple(unique.values())
    if len(kept) > MAX_INTERESTS:
        raise InputError(f"At most {MAX_INTERESTS} interests at once, not {len(kept)}.")
    if not kept:
        what = {"bibtex": "BibTeX entry with a title", "csv": "row with a title", "ids": "arXiv id"}
        raise InputError(f"{echo(name)} holds no {what[kind]}; nothing was imported.")
    return Imported(format=kind, interests=kept, skipped=imported.skipped)
