"""arXiv identifiers: normalising them and recognising references to papers in URLs and text.

Two schemes exist: new-style ``YYMM.NNNNN`` (four digits after the dot before 2015) and
old-style ``archive[.SUBJ]/YYMMNNN`` such as ``hep-th/9901001`` or ``math.GT/0309136``. A
version suffix ``vN`` may follow either; the canonical id never carries it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ASCII digits only (``\d`` would take any script's), and a version of sane length: int()
# refuses numbers of thousands of digits, and upstream text is untrusted.
_NEW = r"[0-9]{4}\.[0-9]{4,5}"
_OLD = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2})?/[0-9]{7}"
_ID = rf"(?P<id>{_NEW}|{_OLD})(?:v(?P<version>[0-9]{{1,6}}))?"

_BARE = re.compile(rf"^(?:arxiv:)?{_ID}$", re.IGNORECASE)
_CANONICAL = re.compile(r"[0-9]{4}\.[0-9]{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/[0-9]{7}")

# Hosts that serve arXiv papers under /abs, /pdf or /html, mirrors and readers included.
_HOSTS = (
    r"(?:www\.|export\.|browse\.|[a-z]{2}\.)?arxiv\.org"
    r"|(?:www\.)?alphaxiv\.org|(?:www\.)?huggingface\.co|(?:www\.)?hf\.co"
)
_URL = re.compile(
    rf"(?:https?://)?(?:{_HOSTS})/(?:abs|pdf|html|papers|overview|format|ps)/{_ID}"
    r"(?:\.pdf)?(?![0-9.]*[0-9])",
    re.IGNORECASE,
)
_DOI = re.compile(rf"10\.48550/arxiv\.{_ID}", re.IGNORECASE)
_TEXT = re.compile(rf"\barxiv:\s?{_ID}", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArxivRef:
    """A reference to a paper: its canonical id, and the version when one was named."""

    arxiv_id: str
    version: int | None = None


def _ref(match: re.Match[str]) -> ArxivRef:
    raw_id = match.group("id")
    # Old-style archives are lower case ("hep-th"), subject classes upper case ("math.GT").
    if "/" in raw_id:
        archive, number = raw_id.split("/")
        head, _, subject = archive.partition(".")
        raw_id = (
            f"{head.lower()}.{subject.upper()}/{number}" if subject else f"{head.lower()}/{number}"
        )
    version = match.group("version")
    return ArxivRef(arxiv_id=raw_id, version=int(version) if version else None)


def parse_id(text: str) -> ArxivRef:
    """Parse a bare id such as ``2103.09742v2``, ``arXiv:2103.09742`` or ``hep-th/9901001``.

    Raises ValueError when ``text`` is not an arXiv id.
    """
    match = _BARE.match(text.strip())
    if match is None:
        raise ValueError(f"not an arXiv id: {text!r}")
    return _ref(match)


def is_canonical_id(text: str) -> bool:
    """Whether ``text`` is an id as hotpapers keeps it: ``2103.09742`` or ``hep-th/9901001``."""
    return _CANONICAL.fullmatch(text) is not None


def normalize_id(text: str) -> str:
    """The canonical id (no version, no prefix) of a bare id or of a URL that names one."""
    try:
        return parse_id(text).arxiv_id
    except ValueError:
        found = find_refs(text)
        if not found:
            raise
        return found[0].arxiv_id


def find_refs(text: str) -> list[ArxivRef]:
    """Every arXiv paper a text or URL refers to, in order of appearance, each id once.

    Recognised: abs/pdf/html links (any version, ``.pdf`` or not, ``export.`` and mirror
    hosts), Hugging Face and alphaXiv paper pages, ``10.48550/arXiv.*`` DOIs and
    ``arXiv:ID`` mentions.
    """
    hits: list[tuple[int, ArxivRef]] = []
    for pattern in (_URL, _DOI, _TEXT):
        hits.extend((m.start(), _ref(m)) for m in pattern.finditer(text))
    seen: set[str] = set()
    refs: list[ArxivRef] = []
    for _, ref in sorted(hits, key=lambda hit: hit[0]):
        if ref.arxiv_id not in seen:
            seen.add(ref.arxiv_id)
            refs.append(ref)
    return refs
