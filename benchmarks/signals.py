"""Signals benchmark: the production collection path on a synthetic day, against the floor.

    python benchmarks/signals.py [--papers 10000] [--posts 100000] [--latency-ms 150]

A synthetic day (``benchmarks/fakeapi.py``, served on 127.0.0.1 in a subprocess: papers with
Zipf-like attention, posts on Bluesky, X, Hacker News and Reddit linking arxiv.org/abs and /pdf,
alphaxiv.org, huggingface.co/papers and hf.co/papers, a Hugging Face Daily Papers listing, plus
noise: posts about older papers, non-paper links on the same hosts, discussion self-posts,
posts from before the window) is collected exactly as ``hotpapers`` does it in production
(``adapters.cli.live.collect_live`` with default ``Settings``: source deadlines, the X read
budget, the politeness gates, the signals cache), every request taking ``--latency-ms`` ± 15 %,
with the upstreams' real caps (Algolia and Reddit listings stop at 1,000 items). GitHub, a
follow-up source whose stars rule is the ranking's, is left out.

Printed: requests per source against the floor and the naive way; the wall and CPU time of the
collection; the CPU time and peak RSS of ranking + rendering, on every relevant post of the
world (the size the targets name; built from the generator, not read through the APIs) and on
what was collected; the top 10 against the ground truth, which ``benchmarks/truth.py`` computes
from the generated posts with the score formula written apart from ``bot.ranking``.

Ranking + rendering run in a fresh process, as ``hotpapers digest --snapshot FILE --top N``
does it: the snapshot file read by ``read_snapshot`` and held, ``build_digest`` with the
default settings' filters, then the Markdown, text and JSON renderings (``hotpapers digest``
writes one of them; all three are timed). ``--top`` is 10 (what ``hotpapers post`` and
subscriptions post by default); the same with no ``--top`` (every paper with engagement, all
rendered) is measured too. The peak RSS is the process's whole peak: the interpreter and
imports (printed alone as the baseline), reading and holding the snapshot, ranking, rendering.

``floor_requests`` is the fewest requests that read every relevant post each API can give at
its largest page size: one query or listing per host and source (no API ORs hostnames), each
paged through what it matches in the window, noise it cannot filter out included; logins count
one; where a 1,000 cap hides posts, perfect time slices of exactly 1,000 (Algolia) or only the
reachable 1,000 (Reddit; per-subreddit listings when the combined one is cut); X bounded by its
read budget. ``ratio_to_floor`` = engine requests / floor; sources stopped by their time budget
(80 % of the source deadline) read less than their floor and are named in ``stopped_by_time``;
``ratio_to_floor_finished`` is the ratio over the sources that finished.

The day is then collected a second time as a cron job collects it (``hotpapers post``: each
source gets ``scheduled_source_deadline_s``, 300 s by default, instead of ``source_deadline_s``),
from a fresh data directory; its requests, ratio to the floor and the sources it stopped are
printed beside the first (``scheduled_*`` in the JSON).

The naive way (one search per paper per source, following its pages) is sampled: the searches of
``--naive-sample`` random papers are really sent, and the count is scaled to every paper.

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.cli.live import collect_live, http_client
from benchmarks import fakeapi, truth
from bot.engine import build_digest
from bot.models import Filters, Post, Signal
from bot.render import render_json, render_markdown, render_text
from bot.settings import Settings
from bot.snapshot import Snapshot, read_snapshot, write_snapshot
from bot.sources import bluesky, huggingface, reddit, twitter

PREFIXES = {
    "/atom": "arxiv",
    "/hf": "huggingface",
    "/hn": "hackernews",
    "/bsky": "bluesky",
    "/x/": "twitter",
    "/reddit": "reddit",
}
SOURCES = ("huggingface", "hackernews", "bluesky", "twitter", "reddit")
INTERVALS = {
    "huggingface": huggingface.INTERVAL_S,
    "hackernews": 0.0,
    "bluesky": bluesky.INTERVAL_S,
    "twitter": twitter.INTERVAL_S,
    "reddit": reddit.INTERVAL_S,
}


def source_of(url: httpx.URL) -> str:
    return next((name for prefix, name in PREFIXES.items() if url.path.startswith(prefix)), "other")


def settings_for(base: str, data_dir: Path) -> Settings:
    """Production defaults, with every upstream pointed at the fake and dummy credentials."""
    return Settings(
        data_dir=data_dir,
        sources=SOURCES,
        arxiv_feed_url=f"{base}/atom/",
        huggingface_api_url=f"{base}/hf/api/daily_papers",
        hackernews_api_url=f"{base}/hn/api/v1/search_by_date",
        bluesky_handle="bench.bsky.social",
        bluesky_app_password="app-password",
        bluesky_api_url=f"{base}/bsky",
        x_bearer_token="token",
        x_api_url=f"{base}/x",
        reddit_client_id="id",
        reddit_client_secret="secret",
        reddit_auth_url=f"{base}/reddit/api/v1/access_token",
        reddit_api_url=f"{base}/reddit",
    )


class Stops(logging.Handler):
    """Which sources stopped reading because their time budget was spent."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.sources: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        print(f"  {message}", file=sys.stderr)
        if "time budget spent" in message:
            self.sources.append(message.split(":")[0])


def world_snapshot(world: fakeapi.World, snapshot: Snapshot) -> Snapshot:
    """Every relevant post of the generated world as signals, as if every API had given all.

    Only the ranking step is measured on it (the size the targets name); it is built from the
    generator with the server's seed, sizes and present (the same world), not read through the
    APIs.
    """
    taken = dt.datetime.now(dt.UTC)
    signals = []
    for source, items in world.items.items():
        for item in items:
            post = Post(
                url=f"https://{source}.example/{item.n}",
                author=f"user{item.n % 997}",
                text="Paper",
                posted_at=item.created,
                counts=item.counts,
            )
            signals += [
                Signal(
                    source=source,
                    arxiv_id=paper,
                    counts=item.counts,
                    post=post,
                    share=1 / len(item.papers),
                    taken_at=taken,
                )
                for paper in item.papers
            ]
    for entry in world.hf:
        counts = {"upvotes": entry["paper"]["upvotes"], "comments": entry["numComments"]}
        if "githubStars" in entry["paper"]:
            counts["stars"] = entry["paper"]["githubStars"]
        signals.append(
            Signal(
                source="huggingface", arxiv_id=entry["paper"]["id"], counts=counts, taken_at=taken
            )
        )
    return snapshot.model_copy(update={"signals": tuple(signals), "sources_failed": ()})


def rank_in_fresh_process(
    snapshot: Snapshot, directory: Path, name: str, tops: tuple[int | None, ...]
) -> list[dict[str, Any]]:
    """The figures of ``rank_only`` for each ``--top`` (None: no ``--top``), one fresh process
    each."""
    saved = directory / f"{name}.json"
    write_snapshot(snapshot, saved)
    figures = []
    for top in tops:
        result = subprocess.run(
            [sys.executable, __file__, "--rank-only", str(saved), "--top", str(top or 0)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures.append(dict(json.loads(result.stdout.splitlines()[-1])))
    saved.unlink()
    return figures


async def engine_way(settings: Settings, counter: Counter[str]) -> tuple[Snapshot, float, float]:
    async def count(request: httpx.Request) -> None:
        counter[source_of(request.url)] += 1

    async with http_client(settings) as client:
        client.event_hooks = {"request": [count]}
        wall, cpu = time.perf_counter(), time.process_time()
        snapshot = await collect_live(
            settings, ["cs"], client=client, progress=lambda m: print(f"  {m}", file=sys.stderr)
        )
        return snapshot, time.perf_counter() - wall, time.process_time() - cpu


def _vm(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rank_only(path: Path, top: int | None) -> None:
    """Read, rank and render a saved snapshot as ``hotpapers digest --snapshot`` does; print
    CPU and memory figures as one JSON line.

    Everything the command needs is imported first, so that the baseline is the interpreter
    and the imports alone; the peak is the process's (``VmHWM``), from its start.
    """
    settings = Settings()
    baseline = _vm("VmRSS")
    cpu = time.process_time()
    snapshot = read_snapshot(path)
    load_cpu = time.process_time() - cpu
    load_peak = _vm("VmHWM")
    gc.collect()  # what the loading left for the collector is not the ranking's cost
    loaded = _vm("VmRSS")
    cpu = time.process_time()
    digest = build_digest(
        snapshot,
        Filters(min_score=settings.min_score, top=top),
        weights=settings.weights,
        max_post_share=settings.max_post_share,
        rank_prior=settings.rank_prior,
        generated_at=dt.datetime.now(dt.UTC),
    )
    timings = {"ranking": time.process_time() - cpu}
    for render in (render_markdown, render_text, render_json):
        start = time.process_time()
        render(digest)
        timings[render.__name__] = time.process_time() - start
    total = time.process_time() - cpu
    print(
        json.dumps(
            {
                "cpu_s": total,
                "timings": timings,
                "papers_shown": len(digest.items),
                "load_cpu_s": load_cpu,
                "baseline_rss_mb": baseline,
                "load_peak_rss_mb": load_peak,
                "rss_loaded_mb": loaded,
                "peak_rss_mb": _vm("VmHWM"),
                "top": [item.paper.arxiv_id for item in digest.items[:10]],
            }
        )
    )


async def naive_way(base: str, papers: list[str], counter: Counter[str], concurrency: int) -> float:
    """Each sampled paper searched on each source, every page of the answer followed."""
    async with httpx.AsyncClient(
        timeout=60, limits=httpx.Limits(max_connections=concurrency * len(SOURCES))
    ) as client:

        async def get(source: str, url: str, params: dict[str, Any]) -> Any:
            counter[source] += 1
            response = await client.get(url, params=params)
            return response.json()

        async def one(source: str, arxiv_id: str) -> None:
            if source == "huggingface":
                await get(source, f"{base}/hf/api/papers/{arxiv_id}", {})
            elif source == "hackernews":
                page = 0
                while True:
                    params = {"query": arxiv_id, "tags": "story", "hitsPerPage": 1000, "page": page}
                    body = await get(source, f"{base}/hn/api/v1/search_by_date", params)
                    page += 1
                    if page >= body["nbPages"]:
                        break
            elif source == "bluesky":
                cursor = None
                while True:
                    params = {"q": arxiv_id, "limit": 100} | ({"cursor": cursor} if cursor else {})
                    body = await get(source, f"{base}/bsky/xrpc/app.bsky.feed.searchPosts", params)
                    if not (cursor := body.get("cursor")):
                        break
            elif source == "twitter":
                token = None
                while True:
                    params = {"query": f'url:"arxiv.org/abs/{arxiv_id}"', "max_results": 100}
                    body = await get(
                        source,
                        f"{base}/x/2/tweets/search/recent",
                        params | ({"next_token": token} if token else {}),
                    )
                    if not (token := body["meta"].get("next_token")):
                        break
            else:
                after = None
                while True:
                    params = {"q": f"url:{arxiv_id}", "limit": 100} | (
                        {"after": after} if after else {}
                    )
                    body = await get(source, f"{base}/reddit/search", params)
                    if not (after := body["data"]["after"]):
                        break

        async def each(source: str) -> None:
            gate = asyncio.Semaphore(concurrency)

            async def limited(arxiv_id: str) -> None:
                async with gate:
                    await one(source, arxiv_id)

            await asyncio.gather(*(limited(i) for i in papers))

        wall = time.perf_counter()
        await asyncio.gather(*(each(s) for s in SOURCES))
        return time.perf_counter() - wall


def records(snapshot: Snapshot) -> list[truth.Record]:
    return [
        truth.Record(
            s.source,
            s.arxiv_id,
            s.post.url if s.post else None,
            s.counts,
            s.share,
            posted=s.post.posted_at if s.post else None,
            taken=s.taken_at,
            repo=s.repo,
            repo_created=s.repo_created_at.date() if s.repo_created_at else None,
        )
        for s in snapshot.signals
    ]


def formula_top(snapshot: Snapshot) -> list[str]:
    """The top 10 of the independent formula on a snapshot's own signals."""
    papers = {
        p.arxiv_id: truth.Paper(
            announce_type=p.announce_type,
            announced=p.announced or snapshot.date,
            published=p.published,
        )
        for p in snapshot.papers
    }
    known = [r for r in records(snapshot) if r.paper in papers]
    return [paper for paper, _ in truth.top(known, 10, papers, snapshot.stars_before)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--posts", type=int, default=100000)
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument(
        "--naive-sample", type=int, default=300, help="papers searched the naive way"
    )
    parser.add_argument(
        "--naive-concurrency", type=int, default=8, help="naive requests in flight per source"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--top", type=int, default=10, help="papers in the digest ranked and rendered (0: all)"
    )
    parser.add_argument("--rank-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rank_only:
        rank_only(args.rank_only, args.top or None)
        return
    os.environ.pop("HOTPAPERS_CONFIG", None)
    started = time.perf_counter()
    # The server and world_snapshot must generate the same world: one present for both.
    now = dt.datetime.now(dt.UTC)
    server = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("fakeapi.py")),
            *("--seed", str(args.seed), "--papers", str(args.papers)),
            *("--posts", str(args.posts), "--latency-ms", str(args.latency_ms)),
            *("--now", now.isoformat()),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline().split()
        base = f"http://127.0.0.1:{banner[1]}"
        served = int(banner[5])
        print(
            f"synthetic day {banner[3]}: {args.papers} papers, {args.posts} relevant posts "
            f"({served} served with noise and HF entries), {args.latency_ms:g} ms ± 15 % per request"
        )
        with tempfile.TemporaryDirectory() as tmp:
            settings = settings_for(base, Path(tmp))
            engine_counts: Counter[str] = Counter()
            stops = Stops()
            logging.getLogger("bot").addHandler(stops)
            snapshot, wall_s, collect_cpu_s = asyncio.run(engine_way(settings, engine_counts))
            (collected,) = rank_in_fresh_process(snapshot, Path(tmp), "collected", (args.top,))
            world = fakeapi.generate(args.seed, args.papers, args.posts, now)
            full = world_snapshot(world, snapshot)
            del world.items, world.hf  # the records are kept, for the check below
            ranked, every = rank_in_fresh_process(full, Path(tmp), "world", (args.top, None))
            logging.getLogger("bot").removeHandler(stops)
        # Again as a cron job collects (``hotpapers post``): the scheduled deadline, a fresh
        # data directory (no signals cache, a fresh X budget).
        with tempfile.TemporaryDirectory() as tmp:
            scheduled = settings_for(base, Path(tmp)).scheduled()
            scheduled_counts: Counter[str] = Counter()
            scheduled_stops = Stops()
            logging.getLogger("bot").addHandler(scheduled_stops)
            print(
                f"collecting again with the scheduled deadline "
                f"({scheduled.source_deadline_s:g} s per source)",
                file=sys.stderr,
            )
            later, scheduled_wall_s, _ = asyncio.run(engine_way(scheduled, scheduled_counts))
            logging.getLogger("bot").removeHandler(scheduled_stops)
        served_top = httpx.get(f"{base}/truth").json()["top"]
        world_top = [paper for paper, _ in served_top]
        if [list(t) for t in truth.top(world.records, 10)] != served_top:
            sys.exit("the rebuilt world is not the one the server serves: figures would be wrong")
        floor = httpx.get(f"{base}/floor").json()
        relevant = httpx.get(f"{base}/relevant").json()
        sample = random.Random(args.seed).sample(
            [p.arxiv_id for p in snapshot.papers], min(args.naive_sample, len(snapshot.papers))
        )
        naive_counts: Counter[str] = Counter()
        naive_wall_s = asyncio.run(naive_way(base, sample, naive_counts, args.naive_concurrency))
    finally:
        server.terminate()
        server.wait()

    scale = len(snapshot.papers) / max(1, len(sample))
    naive = {s: round(naive_counts[s] * scale) for s in SOURCES}
    naive["arxiv"] = 1
    naive["bluesky"] += 1  # its login
    naive["reddit"] += 1  # its token
    requests_engine = sum(engine_counts.values())
    requests_naive = sum(naive.values())
    floor_total = floor["total"]
    found = Counter(s.source for s in snapshot.signals)
    latency = args.latency_ms / 1000
    deadline = settings.source_deadline_s
    print(
        f"\n{'source':<12}{'engine':>8}{'floor':>7}{'naive~':>9}{'relevant':>10}{'found':>8}"
        f"{'unreach.':>9}{'floor time':>12}"
    )
    for name in ("arxiv", *SOURCES):
        pages = floor["per_source"].get(name, 0)
        serial = pages * (latency + INTERVALS.get(name, 3.0))
        print(
            f"{name:<12}{engine_counts[name]:>8}{pages:>7}{naive.get(name, 0):>9}"
            f"{relevant.get(name, 0):>10}{found.get(name, 0):>8}"
            f"{floor['unreachable'].get(name, 0):>9}{serial:>10.0f} s"
        )
    print(
        "  floor time: the floor's requests one after another at the latency plus the politeness"
        f" interval; each source has {deadline:g} s (its reads stop at 80 %)"
    )
    failed = [f"{f.source}: {f.reason}" for f in snapshot.sources_failed]
    stopped = sorted(set(stops.sources))
    done = [n for n in ("arxiv", *SOURCES) if n not in stopped]
    done_ratio = sum(engine_counts[n] for n in done) / max(
        1, sum(floor["per_source"].get(n, 0) for n in done)
    )
    if stopped:
        print(
            f"  stopped by their time budget before the floor: {', '.join(stopped)}; the sources "
            f"that finished made {done_ratio:.2f}× their floor"
        )
    scheduled_total = sum(scheduled_counts.values())
    scheduled_stopped = sorted(set(scheduled_stops.sources))
    print(
        f"  with the scheduled deadline ({scheduled.source_deadline_s:g} s, cron jobs): "
        + ", ".join(f"{n} {scheduled_counts[n]}" for n in ("arxiv", *SOURCES))
        + f"; {scheduled_total} requests, ratio {scheduled_total / floor['total']:.2f}, "
        f"wall {scheduled_wall_s:.1f} s, "
        + (
            f"stopped by time: {', '.join(scheduled_stopped)}"
            if scheduled_stopped
            else "none stopped"
        )
    )
    print(
        f"\nengine: {requests_engine} requests, floor {floor_total}, ratio {requests_engine / floor_total:.2f}; "
        f"wall {wall_s:.1f} s, collection CPU {collect_cpu_s:.2f} s"
        + (f"; failed: {failed}" if failed else "")
    )
    print(
        f"naive:  ~{requests_naive} requests (sampled {len(sample)} papers: {sum(naive_counts.values())} "
        f"requests in {naive_wall_s:.1f} s, scaled ×{scale:.1f}); naive/engine {requests_naive / requests_engine:.0f}×"
    )
    shown = f"--top {args.top}" if args.top else "no --top"
    for label, figures, snap in (
        (f"every relevant post, {shown}", ranked, full),
        ("every relevant post, no --top", every, full),
        (f"what was collected, {shown}", collected, snapshot),
    ):
        timings = ", ".join(f"{k} {v:.3f} s" for k, v in figures["timings"].items())
        print(
            f"ranking + 3 renderings, {label} ({len(snap.papers)} papers, {len(snap.signals)} "
            f"signals, {figures['papers_shown']} shown): CPU {figures['cpu_s']:.3f} s ({timings}); "
            f"reading the snapshot {figures['load_cpu_s']:.2f} s CPU, peak "
            f"{figures['load_peak_rss_mb']:.0f} MB; RSS {figures['rss_loaded_mb']:.0f} MB with it "
            f"held; process peak {figures['peak_rss_mb']:.0f} MB (interpreter + imports "
            f"{figures['baseline_rss_mb']:.0f} MB)"
        )
    full_top, engine_top = ranked["top"], collected["top"]
    collected_top = formula_top(snapshot)
    overlap = len(set(engine_top) & set(world_top))
    print(
        f"top 10, ranking every relevant post, vs the truth: same order {full_top == world_top}, "
        f"{len(set(full_top) & set(world_top))}/10 in common (bot.ranking against the formula)"
    )
    print(
        f"top 10, ranking what was collected, vs the truth: same order {engine_top == world_top}, "
        f"{overlap}/10 in common (end to end)"
    )
    print(
        f"top 10, ranking what was collected, vs the formula on the same signals: "
        f"same order {engine_top == collected_top}, {len(set(engine_top) & set(collected_top))}/10 in common"
    )
    print(
        f"top 10, the formula on what was collected, vs the truth: same order "
        f"{collected_top == world_top}, {len(set(collected_top) & set(world_top))}/10 in common "
        "(what the collection alone costs)"
    )
    print(f"benchmark wall time {time.perf_counter() - started:.0f} s")
    print(
        json.dumps(
            {
                "papers": args.papers,
                "posts": args.posts,
                "latency_ms": args.latency_ms,
                "requests_engine": requests_engine,
                "floor_requests": floor_total,
                "ratio_to_floor": round(requests_engine / floor_total, 3),
                "requests_naive": requests_naive,
                "naive_over_engine": round(requests_naive / requests_engine, 1),
                "wall_s": round(wall_s, 1),
                "collect_cpu_s": round(collect_cpu_s, 2),
                "stopped_by_time": stopped,
                "ratio_to_floor_finished": round(done_ratio, 3),
                "scheduled_deadline_s": scheduled.source_deadline_s,
                "scheduled_requests_engine": scheduled_total,
                "scheduled_ratio_to_floor": round(scheduled_total / floor_total, 3),
                "scheduled_stopped_by_time": scheduled_stopped,
                "scheduled_wall_s": round(scheduled_wall_s, 1),
                "scheduled_signals": len(later.signals),
                "rank_render_cpu_s": round(ranked["cpu_s"], 3),
                "peak_rss_mb": round(ranked["peak_rss_mb"], 1),
                "baseline_rss_mb": round(ranked["baseline_rss_mb"], 1),
                "rss_loaded_mb": round(ranked["rss_loaded_mb"], 1),
                "load_cpu_s": round(ranked["load_cpu_s"], 3),
                "rank_top": args.top or None,
                "all_rank_render_cpu_s": round(every["cpu_s"], 3),
                "all_peak_rss_mb": round(every["peak_rss_mb"], 1),
                "all_papers_shown": every["papers_shown"],
                "rank_signals": len(full.signals),
                "top10_agree": full_top == world_top,
                "top10_overlap": len(set(full_top) & set(world_top)),
                "collected_rank_render_cpu_s": round(collected["cpu_s"], 3),
                "collected_peak_rss_mb": round(collected["peak_rss_mb"], 1),
                "collected_top10_agree": engine_top == world_top,
                "collected_top10_overlap": overlap,
                "formula_on_collected_top10_agree": collected_top == world_top,
                "formula_on_collected_top10_overlap": len(set(collected_top) & set(world_top)),
                "sources_failed": failed,
                "engine_per_source": dict(engine_counts),
                "floor_per_source": floor["per_source"],
            }
        )
    )


if __name__ == "__main__":
    main()
