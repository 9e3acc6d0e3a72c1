"""A big day: ranking and rendering ``--papers`` papers and ``--signals`` posts, CPU and RSS.

Builds a synthetic day (the generator of ``benchmarks/slash.py``), then measures in this
process the CPU time of tallying the whole day once (every signal added up and placed on its
source's distribution, as the digest service caches it), of ranking a filtered top-10 digest
from that tally (only the papers the filters keep), and of rendering it (text, markdown, Slack
Block Kit), and the peak RSS. The last line is one JSON object (``rank_cpu_s`` is the tally's,
``cut_cpu_s`` the filtered ranking's). Figures only; nothing here is asserted.

    python benchmarks/bigday.py [--papers 10000] [--signals 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time
from collections.abc import Callable
from typing import TypeVar

from adapters.slack.blocks import to_messages
from benchmarks.slash import synthetic_day
from bot.engine import digest_of, tally_snapshot
from bot.models import Filters
from bot.render import render_markdown, render_text

T = TypeVar("T")


def cpu(work: Callable[[], T]) -> tuple[T, float]:
    start = time.process_time()
    result = work()
    return result, round(time.process_time() - start, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--signals", type=int, default=100_000)
    args = parser.parse_args()
    day, build_s = cpu(lambda: synthetic_day(args.papers, args.signals))
    after_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tallied, rank_s = cpu(lambda: tally_snapshot(day))
    now = dt.datetime.now(dt.UTC)
    filters = Filters(categories=("cs.LG",), keywords=("diffusion",), top=10)
    digest, cut_s = cpu(lambda: digest_of(day, tallied, filters, generated_at=now))
    _, render_s = cpu(lambda: (render_text(digest), render_markdown(digest), to_messages(digest)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "papers": args.papers,
                "signals": args.signals,
                "build_input_cpu_s": build_s,
                "rank_cpu_s": rank_s,
                "cut_cpu_s": cut_s,
                "render_cpu_s": render_s,
                "rank_cut_render_cpu_s": round(rank_s + cut_s + render_s, 3),
                "rss_after_input_mb": round(after_build, 1),
                "peak_rss_mb": round(peak, 1),
                "items": len(digest.items),
            }
        )
    )


if __name__ == "__main__":
    main()
