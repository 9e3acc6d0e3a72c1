"""Short author lists for chat: ``A, B, C, … et al.``"""

from __future__ import annotations

from collections.abc import Sequence

KEEP = 3


def short_authors(authors: Sequence[str], keep: int = KEEP) -> str:
    """The first ``keep`` names, then ``… et al.`` when at least two more would follow.

    With exactly one more name the list is shown whole: "et al." would not be shorter.
    """
    names = [" ".join(a.split()) for a in authors if a.strip()]
    if len(names) <= keep + 1:
        return ", ".join(names)
    return ", ".join(names[:keep]) + ", … et al."
