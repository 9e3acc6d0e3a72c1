"""Signals benchmark: the engine's bulk collection against the naive one-search-per-paper way.

    python benchmarks/signals.py [--papers 2000] [--posts 20000] [--latency-ms 20]

A synthetic day (all of cs.*, 2,000 papers, 20,000 posts over Hugging Face, Hacker News,
Bluesky, X and Reddit, heavy-tailed engagement, GitHub repos in some abstracts) is served by
``benchmarks/fakeapi.py`` on 127.0.0.1 in a subprocess, every request delayed by a fixed
latency. Politeness intervals are set to zero for both ways, so that wall time measures
latency-bound work; the time the intervals would add in production is printed apart. The last
line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.arxiv import ArxivFeed
from bot.budget import Unlimited
from bot.cache import NoCache
from bot.engine import DigestEngine, build_digest
from bot.models import Filters
from bot.polite import Gate
from bot.ports import SignalSource
from bot.render import render_json, render_markdown, render_text
from bot.snapshot import Snapshot
from bot.sources import bluesky, huggingface, reddit, twitter
from bot.sources.bluesky import BlueskySource
from bot.sources.github import GitHubSource
from bot.sources.hackernews import HackerNewsSource
from bot.sources.huggingface import HuggingFaceSource
from bot.sources.reddit import RedditSource
from bot.sources.twitter import XSource

PREFIXES = {
    "/atom": "arxiv",
    "/hf": "huggingface",
    "/hn": "hackernews",
    "/bsky": "bluesky",
    "/x/": "twitter",
    "/reddit": "reddit",
    "/github": "github",
}
INTERVALS = {
    "huggingface": huggingface.INTERVAL_S,
    "bluesky": bluesky.INTERVAL_S,
    "twitter": twitter.INTERVAL_S,
    "reddit": reddit.INTERVAL_S,
}
SOURCES = ("huggingface", "hackernews", "bluesky", "twitter", "reddit", "github")


def source_of(url: httpx.URL) -> str:
    return next((name for prefix, name in PREFIXES.items() if url.path.startswith(prefix)), "other")


def counting_client(counter: Counter[str], concurrency: int = 10) -> httpx.AsyncClient:
    async def count(request: httpx.Request) -> None:
        counter[source_of(request.url)] += 1

    return httpx.AsyncClient(
        timeout=60,
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        event_hooks={"request": [count]},
    )


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def engine_way(base: str, counter: Counter[str]) -> tuple[Snapshot, float, float]:
    async with counting_client(counter) as client:
        feed = ArxivFeed(client, cache=NoCache(), gate=Gate(3.0), base_url=f"{base}/atom/")
        sources: list[SignalSource] = [
            HuggingFaceSource(client, base_url=f"{base}/hf/api/daily_papers", interval=0),
            HackerNewsSource(client, base_url=f"{base}/hn/api/v1/search_by_date"),
            BlueskySource(
                client, handle="bench", app_password="x", api_url=f"{base}/bsky", interval=0
            ),
            XSource(client, bearer_token="t", budget=Unlimited(), api_url=f"{base}/x", interval=0),
            RedditSource(
                client,
                client_id="i",
                client_secret="s",
                auth_url=f"{base}/reddit/api/v1/access_token",
                api_url=f"{base}/reddit",
                interval=0,
            ),
        ]
        github = GitHubSource(client, token="t", api_url=f"{base}/github")
        engine = DigestEngine(feed, sources, follow_ups=[github], source_deadline=600)
        wall, cpu = time.perf_counter(), time.process_time()
        snapshot = await engine.collect(["cs"])
        return snapshot, time.perf_counter() - wall, time.process_time() - cpu


async def naive_way(
    base: str, papers: list[str], repos: list[str], counter: Counter[str], concurrency: int
) -> float:
    """One search per paper per source (and one request per repository), as the seed's generator did."""
    async with counting_client(counter, concurrency * 6) as client:

        async def each(name: str, urls: list[tuple[str, dict[str, str]]]) -> None:
            gate = asyncio.Semaphore(concurrency)

            async def one(url: str, params: dict[str, str]) -> None:
                async with gate:
                    response = await client.get(url, params=params)
                    response.json()

            await asyncio.gather(*(one(u, p) for u, p in urls))

        wall = time.perf_counter()
        await client.get(f"{base}/atom/cs")
        await asyncio.gather(
            each("huggingface", [(f"{base}/hf/api/papers/{i}", {}) for i in papers]),
            each(
                "hackernews",
                [
                    (f"{base}/hn/api/v1/search_by_date", {"query": i, "tags": "story"})
                    for i in papers
                ],
            ),
            each(
                "bluesky",
                [
                    (f"{base}/bsky/xrpc/app.bsky.feed.searchPosts", {"q": i, "limit": "100"})
                    for i in papers
                ],
            ),
            each(
                "twitter",
                [
                    (
                        f"{base}/x/2/tweets/search/recent",
                        {"query": f'url:"arxiv.org/abs/{i}"', "max_results": "100"},
                    )
                    for i in papers
                ],
            ),
            each("reddit", [(f"{base}/reddit/search", {"q": f"url:{i}"}) for i in papers]),
            each("github", [(f"{base}/github/repos/{r}", {}) for r in repos]),
        )
        return time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument(
        "--naive-concurrency", type=int, default=8, help="requests in flight per source, naive way"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    server = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("fakeapi.py")),
            "--seed",
            str(args.seed),
            "--papers",
            str(args.papers),
            "--posts",
            str(args.posts),
            "--latency-ms",
            str(args.latency_ms),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline().split()
        base = f"http://127.0.0.1:{banner[1]}"
        posts = int(banner[5])
        print(
            f"synthetic day {banner[3]}: {args.papers} papers, {posts} posts, {args.latency_ms:g} ms per request"
        )

        engine_counts: Counter[str] = Counter()
        snapshot, wall_s, collect_cpu_s = asyncio.run(engine_way(base, engine_counts))
        cpu = time.process_time()
        digest = build_digest(snapshot, Filters(), generated_at=dt.datetime.now(dt.UTC))
        timings = {"ranking": time.process_time() - cpu}
        for render in (render_markdown, render_text, render_json):
            start = time.process_time()
            render(digest)
            timings[render.__name__] = time.process_time() - start
        rank_cpu_s = time.process_time() - cpu
        peak_rss_mb = rss_mb()
        truth = [arxiv_id for arxiv_id, _ in httpx.get(f"{base}/truth").json()["top"]]
        top10 = [item.paper.arxiv_id for item in digest.items[:10]]
        failed = [f"{f.source}: {f.reason}" for f in digest.sources_failed]

        papers = [p.arxiv_id for p in snapshot.papers]
        repos = sorted({s.repo for s in snapshot.signals if s.source == "github" and s.repo})
        naive_counts: Counter[str] = Counter()
        naive_wall_s = asyncio.run(
            naive_way(base, papers, repos, naive_counts, args.naive_concurrency)
        )
    finally:
        server.terminate()
        server.wait()

    requests_engine = sum(engine_counts.values())
    requests_naive = sum(naive_counts.values())
    print(
        f"\n{'source':<12}{'engine':>8}{'naive':>8}{'bound':>8}   (bound: papers/100 + pages of results + 2)"
    )
    for name in ("arxiv", *SOURCES):
        pages = {
            "bluesky": 100,
            "twitter": 100,
            "reddit": 100,
            "hackernews": 1000,
            "huggingface": 100,
        }.get(name)
        found = sum(1 for s in snapshot.signals if s.source == name and s.post)
        bound = args.papers // 100 + (-(-found // pages) if pages else 0) + 2
        print(f"{name:<12}{engine_counts[name]:>8}{naive_counts[name]:>8}{bound:>8}")
    polite = max(engine_counts[s] * i for s, i in INTERVALS.items())
    print(
        f"\nCPU over {len(digest.items)} ranked papers: "
        + ", ".join(f"{k} {v:.3f} s" for k, v in timings.items())
    )
    print(
        f"engine: {requests_engine} requests, wall {wall_s:.2f} s (collect CPU {collect_cpu_s:.2f} s), "
        f"ranking + 3 renderings CPU {rank_cpu_s:.3f} s, peak RSS {peak_rss_mb:.0f} MB"
    )
    print(
        f"        in production the slowest source's politeness gate adds about {polite:.0f} s (gates run in parallel)"
    )
    print(
        f"naive:  {requests_naive} requests, wall {naive_wall_s:.2f} s ({args.naive_concurrency} in flight per source)"
    )
    print(f"ratio naive/engine requests: {requests_naive / requests_engine:.1f}x")
    print(
        f"top 10 equals ground truth: {top10 == truth[:10]}"
        + (f" (failed sources: {failed})" if failed else "")
    )
    print(
        json.dumps(
            {
                "papers": args.papers,
                "posts": posts,
                "sources": len(SOURCES),
                "requests_engine": requests_engine,
                "requests_naive": requests_naive,
                "wall_s": round(wall_s, 3),
                "cpu_s": round(rank_cpu_s, 3),
                "peak_rss_mb": round(peak_rss_mb, 1),
                "top10_agree": top10 == truth[:10],
                "naive_wall_s": round(naive_wall_s, 3),
                "collect_cpu_s": round(collect_cpu_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
