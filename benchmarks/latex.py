"""LaTeX → Unicode over the real corpus: how many titles and abstracts change, how long it takes.

.venv/bin/python benchmarks/latex.py [/work/shared/corpus/hot-papers]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bot.errors import HotPapersError
from bot.hotpost import import_post
from bot.render.latex import MAX_CHARS, to_unicode


def main(folder: Path) -> None:
    texts = []
    for path in sorted(folder.glob("*.md")):
        try:
            papers = import_post(path.read_text(encoding="utf-8")).papers
        except HotPapersError:
            continue  # a day the importer cannot read is not what this measures
        texts += [text for paper in papers for text in (paper.title, paper.abstract)]
    start = time.perf_counter()
    out = [to_unicode(t) for t in texts]
    took = time.perf_counter() - start
    changed = [(a, b) for a, b in zip(texts, out, strict=True) if a != b]
    print(f"{len(texts)} titles and abstracts, {len(changed)} changed, {took:.2f} s in all")
    slowest = max(texts, key=len)
    start = time.perf_counter()
    to_unicode(slowest)
    print(f"longest text ({len(slowest)} chars): {1000 * (time.perf_counter() - start):.1f} ms")
    for pattern in (r"\x", r"\"", r"{\em ", r"$a^{", r"\begin{x}", "{" * 10):
        hostile = (pattern * (MAX_CHARS // len(pattern) + 1))[:MAX_CHARS]
        start = time.perf_counter()
        to_unicode(hostile)
        ms = 1000 * (time.perf_counter() - start)
        print(f"hostile {pattern!r} x {MAX_CHARS // len(pattern)}: {ms:.0f} ms")
    for before, after in changed[:: max(1, len(changed) // 12)]:
        at = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), 0)
        print(f"- {before[max(0, at - 30) : at + 60]!r}\n  {after[max(0, at - 30) : at + 50]!r}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/hot-papers"))
