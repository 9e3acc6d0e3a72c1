"""A synthetic but realistic arXiv day, served on 127.0.0.1 in the real upstream payload shapes.

Run by ``benchmarks/signals.py`` in a subprocess (so that its memory and CPU are not the
engine's): ``python benchmarks/fakeapi.py --seed 7 --papers 10000 --posts 100000`` prints
``PORT <n> DAY <d> POSTS <m>`` and serves until killed. ``--now`` fixes the world's present:
``generate`` with the same seed, sizes and present gives the same world (the benchmark rebuilds
it so, to rank every relevant post without reading them through the APIs).

The world: ``--papers`` papers announced today with Zipf-like attention and ``--posts`` posts
about them (Pareto engagement) on Bluesky, X, Hacker News and Reddit (link posts, and self-posts
in research subreddits), linking arxiv.org/abs, arxiv.org/pdf, alphaxiv.org, huggingface.co/papers
or hf.co/papers; a Hugging Face Daily Papers listing. Noise on top: posts in the window about
older papers, posts linking pages of the same hosts that are not papers (arxiv listings, HF
models and spaces), discussion self-posts, and posts from before the window.

The endpoints behave like the real ones where it matters for counting requests: every request
waits ``--latency-ms`` ± 15 % (Gaussian); Algolia answers at most 1,000 hits per query
(``nbHits`` still tells the true count) and 1,000 per page; Reddit listings end after 1,000
items, 100 per page; Bluesky and X pages hold 100. The per-paper searches of the naive way are
answered too. ``/truth`` gives the top papers under the score formula (``benchmarks/truth.py``,
no project code) over every relevant post of the world; ``/floor`` the fewest requests
(see ``floor``) and the relevant posts no client can reach; nothing else of the world is visible
but through the APIs.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import math
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import truth
from tests import payloads

CATEGORIES = ["cs.LG", "cs.CV", "cs.CL", "cs.AI", "cs.RO", "cs.CR", "cs.DS", "cs.SE", "cs.HC"]
# Shares of the relevant posts; Reddit's are 60 % link posts, 40 % self-posts.
SHARE = {"bluesky": 0.35, "twitter": 0.35, "hackernews": 0.15, "reddit": 0.15}
# How posts link a paper: (host for domain filters, URL pattern, weight).
FORMS = (
    ("arxiv.org", "https://arxiv.org/abs/{}", 0.55),
    ("arxiv.org", "https://arxiv.org/pdf/{}v1", 0.15),
    ("alphaxiv.org", "https://www.alphaxiv.org/abs/{}", 0.10),
    ("huggingface.co", "https://huggingface.co/papers/{}", 0.12),
    ("hf.co", "https://hf.co/papers/{}", 0.08),
)
NOT_PAPERS = (
    ("arxiv.org", "https://arxiv.org/list/cs.LG/new?skip={}"),
    ("alphaxiv.org", "https://www.alphaxiv.org/explore?page={}"),
    ("huggingface.co", "https://huggingface.co/models/lab/model-{}"),
    ("hf.co", "https://hf.co/spaces/lab/demo-{}"),
)
NOISE = {"old": 0.12, "not_paper": 0.08, "before": 0.10}  # fractions of the relevant posts
RESEARCH = ("MachineLearning", "LocalLLaMA", "LanguageTechnology", "computervision")
ELSEWHERE = ("science", "singularity", "artificial")
HN_QUERIES = {
    "arxiv.org": ("arxiv.org", ""),
    "alphaxiv.org": ("alphaxiv.org", ""),
    "huggingface.co/papers": ("huggingface.co", "/papers/"),
    "hf.co/papers": ("hf.co", "/papers/"),
}
CAP = 1000
X_BUDGET_PAGES = 10  # production default: 1,000 reads a day


@dataclass
class Item:
    """One post of the world, in no upstream's shape yet."""

    source: str
    n: int
    host: str
    urls: list[str]
    papers: list[str]  # the day's papers it links (empty for noise)
    counts: dict[str, int]
    created: dt.datetime
    subreddit: str = ""
    selfpost: bool = False


@dataclass
class World:
    day: dt.date
    since: dt.datetime
    now: dt.datetime
    papers: list[dict[str, Any]]
    items: dict[str, list[Item]] = field(default_factory=dict)  # per source, newest first
    hf: list[dict[str, Any]] = field(default_factory=list)
    records: list[truth.Record] = field(default_factory=list)


def generate(seed: int, papers: int, posts: int, now: dt.datetime) -> World:
    rng = random.Random(seed)
    day = (now - dt.timedelta(days=1)).date()
    since = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
    ids = [f"{day:%y%m}.{n:05d}" for n in range(1, papers + 1)]
    rng.shuffle(ids)
    attention = [1.0 / (rank + 1) ** 0.9 for rank in range(papers)]
    cumulative = list(itertools.accumulate(attention))
    heat_of = {i: a * 40 for i, a in zip(ids, attention, strict=True)}
    old_day = day - dt.timedelta(days=60)
    world = World(
        day=day,
        since=since,
        now=now,
        papers=[
            {
                "id": i,
                "title": f"Paper {i}",
                "authors": ["A. Author", "B. Author"],
                "categories": rng.sample(CATEGORIES, rng.choice([1, 1, 2, 3])),
                "abstract": f"We study problem {i}.",
            }
            for i in ids
        ],
    )
    span = int((now - since).total_seconds()) - 120

    def engagement(base: float) -> int:
        return int(rng.paretovariate(1.6) * base)

    def counts_for(source: str, heat: float) -> dict[str, int]:
        if source == "bluesky":
            return {
                "likes": engagement(heat),
                "reposts": engagement(heat / 4),
                "quotes": engagement(heat / 20),
                "replies": engagement(heat / 10),
            }
        if source == "twitter":
            return {"retweets": engagement(heat / 3), "favorites": engagement(heat)}
        if source == "hackernews":
            return {"points": engagement(heat), "comments": engagement(heat / 3)}
        return {"score": engagement(heat), "comments": engagement(heat / 5)}

    forms = [f[:2] for f in FORMS]
    form_weights = [f[2] for f in FORMS]
    serial = 0
    for source, share in SHARE.items():
        relevant = int(posts * share)
        made: list[Item] = []
        kinds = (
            ["paper"] * relevant
            + ["old"] * int(relevant * NOISE["old"])
            + ["not_paper"] * int(relevant * NOISE["not_paper"])
            + ["before"] * int(relevant * NOISE["before"])
        )
        if source == "reddit":  # discussions in the research subreddits that link nothing
            kinds += ["chatter"] * int(relevant * 0.3)
        for kind in kinds:
            serial += 1
            # A fraction of the span, not randrange(span): how many random numbers randrange
            # draws depends on span, so the rest of the world would depend on the present.
            created = since + dt.timedelta(seconds=int(rng.random() * span))
            host, pattern = rng.choices(forms, weights=form_weights)[0]
            linked: list[str] = []
            if kind in ("paper", "before"):
                # A story or a link submission has one URL; posts with text may link two.
                several = source in ("bluesky", "twitter") and rng.random() < 0.05
                linked = list(
                    dict.fromkeys(rng.choices(ids, cum_weights=cumulative, k=2 if several else 1))
                )
                urls = [pattern.format(i) for i in linked]
                heat = heat_of[linked[0]]
                if kind == "before":
                    created = since - dt.timedelta(seconds=rng.randrange(1, 2 * 86400))
            elif kind == "old":
                urls = [pattern.format(f"{old_day:%y%m}.{rng.randrange(1, 20000):05d}")]
                heat = 5.0
            elif kind == "not_paper":
                host, pattern = rng.choice(NOT_PAPERS)
                urls = [pattern.format(serial)]
                heat = 5.0
            else:
                host, urls, heat = "", [], 3.0
            item = Item(
                source=source,
                n=serial,
                host=host,
                urls=urls,
                papers=linked if kind == "paper" else [],
                counts=counts_for(source, heat),
                created=created,
            )
            if source == "reddit":
                item.selfpost = kind == "chatter" or rng.random() < 0.4
                pool = RESEARCH if item.selfpost or rng.random() < 0.5 else ELSEWHERE
                item.subreddit = rng.choice(pool)
            made.append(item)
        made.sort(key=lambda i: i.created, reverse=True)  # newest first, as every API pages
        world.items[source] = made
        for item in made:
            for paper in item.papers:
                world.records.append(
                    truth.Record(
                        source, paper, f"{source}:{item.n}", item.counts, 1 / len(item.papers)
                    )
                )
    paper_of = {p["id"]: p for p in world.papers}
    listed: set[str] = set()
    for arxiv_id in rng.choices(ids, cum_weights=cumulative, k=max(1, papers // 20)):
        if arxiv_id in listed:
            continue
        listed.add(arxiv_id)
        heat = heat_of[arxiv_id]
        stars = engagement(heat) if rng.random() < 0.3 else None
        entry = payloads.hf_entry(arxiv_id, engagement(heat), engagement(heat / 10), stars)
        entry["title"] = paper_of[arxiv_id]["title"]
        world.hf.append(entry)
        counts = {"upvotes": entry["paper"]["upvotes"], "comments": entry["numComments"]}
        if stars is not None:
            counts["stars"] = stars
        world.records.append(truth.Record("huggingface", arxiv_id, None, counts))
    return world


class Index:
    """Newest-first lists with their timestamps, for cheap time-window queries."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.keys = [-i.created.timestamp() for i in items]

    def between(self, start: float, end: float) -> list[Item]:
        """Items created in [start, end), newest first."""
        lo = bisect.bisect_right(self.keys, -end)
        hi = bisect.bisect_right(self.keys, -start)
        return [i for i in self.items[lo:hi] if start <= i.created.timestamp() < end]


def floor(world: World, today: dt.date) -> dict[str, Any]:
    """The fewest requests that read every relevant post each API can give, per source.

    A collector must ask one query or listing per host (none of these APIs ORs hostnames in
    one request) and pages through everything that query matches in the window — relevant
    posts and the noise the API cannot filter out (older papers, non-paper pages of the same
    host) — at the API's largest page size; logins and tokens count one each. Where a cap hides
    posts, only what is reachable counts (Algolia: time slices of exactly 1,000; Reddit: the
    first 1,000 of a listing, or per-subreddit listings when the combined one is cut). X is
    bounded by the production read budget. An empty query still costs one request.
    """
    since, now = world.since.timestamp(), world.now.timestamp()
    per: dict[str, int] = {"arxiv": 1}
    days = [d for d in (world.day, world.day + dt.timedelta(days=1)) if d <= today]
    per["huggingface"] = sum(
        max(1, math.ceil(len(world.hf if d == world.day else []) / 100)) for d in days
    )
    hn = Index(world.items["hackernews"]).between(since, now)
    per["hackernews"] = sum(
        max(1, math.ceil(sum(1 for i in hn if _hn_match(i, q)) / CAP)) for q in HN_QUERIES
    )
    bsky = Index(world.items["bluesky"]).between(since, now)
    per["bluesky"] = 1 + sum(
        max(1, math.ceil(sum(1 for i in bsky if i.host == d) / 100))
        for d in ("arxiv.org", "alphaxiv.org", "huggingface.co", "hf.co")
    )
    x = sum(1 for i in Index(world.items["twitter"]).between(since, now) if i.host == "arxiv.org")
    per["twitter"] = max(1, min(math.ceil(x / 100), X_BUDGET_PAGES))
    reddit = [i for i in world.items["reddit"] if i.created.timestamp() >= since]
    pages = 1
    for domain in ("arxiv.org", "alphaxiv.org", "huggingface.co", "hf.co"):
        reach = sum(1 for i in reddit if i.host == domain and not i.selfpost)
        pages += max(1, math.ceil(min(reach, CAP) / 100))
    research = [i for i in reddit if i.subreddit in RESEARCH]
    if len(research) <= CAP:
        pages += max(1, math.ceil(len(research) / 100))
    else:  # the better of: each subreddit alone, or the combined 1,000 then each from there
        holding = {i.subreddit for i in research if i.selfpost and i.papers}
        reach = {s: min(sum(1 for i in research if i.subreddit == s), CAP) for s in holding}
        seen = {s: sum(1 for i in research[:CAP] if i.subreddit == s) for s in holding}
        pages += min(
            sum(math.ceil(reach[s] / 100) for s in holding),
            CAP // 100 + sum(math.ceil(max(0, reach[s] - seen[s]) / 100) for s in holding),
        )
    per["reddit"] = pages
    return {"total": sum(per.values()), "per_source": per}


def reachable(world: World) -> dict[str, int]:
    """Relevant posts no client can read through the APIs' caps and the X budget."""
    since = world.since.timestamp()
    lost: dict[str, int] = defaultdict(int)
    reddit = [i for i in world.items["reddit"] if i.created.timestamp() >= since]
    by_domain: dict[str, list[Item]] = defaultdict(list)
    for i in reddit:
        if not i.selfpost:
            by_domain[i.host].append(i)
    for items in by_domain.values():
        lost["reddit"] += sum(1 for i in items[CAP:] if i.papers and i.subreddit not in RESEARCH)
    x = [i for i in world.items["twitter"] if i.papers and i.created.timestamp() >= since]
    lost["twitter"] = sum(1 for i in x if i.host != "arxiv.org") + max(
        0, sum(1 for i in x if i.host == "arxiv.org") - 100 * X_BUDGET_PAGES
    )
    return dict(lost)


def _hn_match(item: Item, query: str) -> bool:
    host, path = HN_QUERIES[query]
    return item.host == host and all(path in u for u in item.urls)


def serve(world: World, latency: float, seed: int) -> ThreadingHTTPServer:
    feed = payloads.atom_feed(world.day, world.papers).encode()
    # Per source and host, so that the fake spends little CPU per request (it shares the machine).
    by_host = {
        (source, host): Index([i for i in items if i.host == host])
        for source, items in world.items.items()
        for host in {i.host for i in items}
    }
    jitter = random.Random(seed + 1)

    def window(q: dict[str, str], start: str, end: str) -> tuple[float, float]:
        def stamp(text: str | None, default: float) -> float:
            if not text:
                return default
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

        return stamp(q.get(start), 0.0), stamp(q.get(end), 4e9)

    def paged(items: list[Any], offset: int, size: int) -> tuple[Any, Any]:
        chunk = items[offset : offset + size]
        return chunk, (str(offset + size) if offset + size < len(items) else None)

    def listing(found: list[Item], q: dict[str, str]) -> dict[str, Any]:
        """A Reddit listing page: ``after`` names an item (its fullname); 1,000 items at most."""
        start = 0
        if after := q.get("after"):
            start = next((k + 1 for k, i in enumerate(found) if f"t3_p{i.n}" == after), CAP)
        end = min(start + min(int(q.get("limit", 25)), 100), len(found), CAP)
        chunk = found[start:end]
        more = bool(chunk) and end < min(len(found), CAP)
        return payloads.reddit_listing(
            [reddit(i) for i in chunk], f"t3_p{chunk[-1].n}" if more else None
        )

    def bsky(item: Item) -> dict[str, Any]:
        c = item.counts
        view = payloads.bsky_post(
            str(item.n),
            f"u{item.n % 997}",
            "New paper " + " ".join(item.urls[1:]),
            item.urls[0],
            c["likes"],
            c["reposts"],
            c["quotes"],
            item.created,
            embed=item.n % 3 == 0,
        )
        view["replyCount"] = c["replies"]
        return view

    def tweet(item: Item) -> dict[str, Any]:
        c = item.counts
        t = payloads.tweet(
            str(10**7 + item.n),
            str(item.n % 500),
            "Paper",
            item.urls[0],
            c["retweets"],
            c["favorites"],
            item.created,
        )
        t["entities"]["urls"] += [{"expanded_url": u} for u in item.urls[1:]]
        return t

    def hn(item: Item) -> dict[str, Any]:
        c = item.counts
        return payloads.hn_hit(str(item.n), item.urls[0], c["points"], c["comments"], item.created)

    def reddit(item: Item) -> dict[str, Any]:
        c = item.counts
        if item.selfpost:
            text = "Discussion." if not item.urls else "Our new paper: " + " ".join(item.urls)
            return payloads.reddit_post(
                f"p{item.n}",
                "",
                c["score"],
                c["comments"],
                item.created,
                subreddit=item.subreddit,
                selftext=text,
            )
        return payloads.reddit_post(
            f"p{item.n}",
            item.urls[0],
            c["score"],
            c["comments"],
            item.created,
            subreddit=item.subreddit,
        )

    def naive(source: str, arxiv_id: str) -> list[Item]:
        return [i for i in world.items[source] if any(arxiv_id in u for u in i.urls)]

    def route(path: str, q: dict[str, str]) -> Any:
        if path == "/truth":
            return {"top": truth.top(world.records, 10)}
        if path == "/floor":
            return floor(world, dt.datetime.now(dt.UTC).date()) | {"unreachable": reachable(world)}
        if path == "/relevant":
            counts: dict[str, int] = defaultdict(int)
            for r in world.records:
                counts[r.source] += 1
            return counts
        if path == "/hf/api/daily_papers":
            listed = world.hf if q["date"] == str(world.day) else []
            size = min(int(q.get("limit", 50)), 100)
            start = int(q.get("p", 0)) * size
            return listed[start : start + size]
        if path.startswith("/hf/api/papers/"):
            arxiv_id = path.rsplit("/", 1)[1]
            hit = next((e for e in world.hf if e["paper"]["id"] == arxiv_id), None)
            return hit["paper"] if hit else (404, {"error": "Paper not found"})
        if path == "/hn/api/v1/search_by_date":
            size = min(int(q.get("hitsPerPage", 20)), CAP)
            page = int(q.get("page", 0))
            if q["query"] in HN_QUERIES:
                low, high = q["numericFilters"].split(",")
                start = float(low.split(">=")[1])
                end = float(high.split("<")[1])
                found = [
                    i
                    for i in by_host[("hackernews", HN_QUERIES[q["query"]][0])].between(start, end)
                    if _hn_match(i, q["query"])
                ]
            else:
                found = naive("hackernews", q["query"])
            offset = page * size
            chunk = found[offset : min(offset + size, CAP)] if offset < CAP else []
            pages = max(1, math.ceil(min(len(found), CAP) / size))
            body = payloads.hn_page([hn(i) for i in chunk], page, pages, size)
            body["nbHits"] = len(found)
            return body
        if path.endswith("com.atproto.server.createSession"):
            return {"accessJwt": "jwt", "did": "did:plc:bench"}
        if path == "/bsky/xrpc/app.bsky.feed.searchPosts":
            if "domain" in q:
                start, end = window(q, "since", "until")
                hosted = by_host.get(("bluesky", q["domain"]))
                found = hosted.between(start, end) if hosted else []
            else:
                found = naive("bluesky", q["q"])
            chunk, cursor = paged(found, int(q.get("cursor", 0)), min(int(q.get("limit", 25)), 100))
            return {"posts": [bsky(i) for i in chunk], **({"cursor": cursor} if cursor else {})}
        if path == "/x/2/tweets/search/recent":
            if q["query"].startswith('url:"arxiv.org"'):
                start, end = window(q, "start_time", "end_time")
                found = by_host[("twitter", "arxiv.org")].between(start, end)
            else:
                found = naive("twitter", q["query"].split("/")[-1].strip('"'))
            chunk, token = paged(
                found, int(q.get("next_token", 0)), min(int(q.get("max_results", 10)), 100)
            )
            return payloads.x_page([tweet(i) for i in chunk], token)
        if path == "/reddit/api/v1/access_token":
            return {"access_token": "app", "expires_in": 86400}
        if path.startswith("/reddit/domain/"):
            domain = path.split("/")[3]
            return listing(
                [i for i in world.items["reddit"] if i.host == domain and not i.selfpost], q
            )
        if path.startswith("/reddit/r/"):
            subs = set(path.split("/")[3].split("+"))
            return listing([i for i in world.items["reddit"] if i.subreddit in subs], q)
        if path == "/reddit/search":
            return listing(naive("reddit", q["q"].removeprefix("url:")), q)
        return 404, {"message": "no such endpoint"}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            url = urlsplit(self.path)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path.startswith("/atom/"):
                status, kind, content = 200, "application/atom+xml", feed
            else:
                result = route(url.path, query)
                status, result = result if isinstance(result, tuple) else (200, result)
                kind, content = "application/json", json.dumps(result).encode()
            if url.path not in ("/truth", "/floor", "/relevant"):
                time.sleep(max(0.0, jitter.gauss(latency, latency * 0.15)))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--posts", type=int, default=100000)
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument(
        "--now",
        type=dt.datetime.fromisoformat,
        help="the world's present (ISO 8601 with an offset; default: now); the same seed, sizes "
        "and present always give the same world",
    )
    args = parser.parse_args()
    world = generate(args.seed, args.papers, args.posts, args.now or dt.datetime.now(dt.UTC))
    server = serve(world, args.latency_ms / 1000, args.seed)
    total = sum(len(v) for v in world.items.values()) + len(world.hf)
    print(f"PORT {server.server_address[1]} DAY {world.day} POSTS {total}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
