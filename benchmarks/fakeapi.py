"""A synthetic but realistic arXiv day, served on 127.0.0.1 in the real upstream payload shapes.

Run by ``benchmarks/signals.py`` in a subprocess (so that its memory is not the engine's):
``python benchmarks/fakeapi.py --seed 7 --latency-ms 20`` prints ``PORT <n>`` and serves until
killed. Every request sleeps the fixed simulated latency. Besides the bulk endpoints the engine
uses, it answers the per-paper searches of the naive way, and ``/truth`` gives the top papers
computed directly from the generated posts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.ranking import metric_weight
from tests import payloads

CATEGORIES = [
    "cs.LG",
    "cs.CV",
    "cs.CL",
    "cs.AI",
    "cs.RO",
    "cs.CR",
    "cs.DS",
    "cs.SE",
    "cs.HC",
    "cs.NE",
]
SHARE = {"bluesky": 8000, "twitter": 8000, "hackernews": 1500, "reddit": 1500}  # + HF entries


@dataclass
class Day:
    day: dt.date
    papers: list[dict[str, Any]]
    posts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hf: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    repos: dict[str, int] = field(default_factory=dict)
    truth: list[tuple[str, float]] = field(default_factory=list)


def generate(seed: int, papers: int, posts: int, now: dt.datetime) -> Day:
    """Papers with Zipf-like attention; posts pick papers by attention, with Pareto engagement."""
    rng = random.Random(seed)
    day = (now - dt.timedelta(days=1)).date()
    ids = [f"{day:%y%m}.{n:05d}" for n in range(1, papers + 1)]
    rng.shuffle(ids)
    attention = [1.0 / (rank + 1) ** 0.9 for rank in range(papers)]
    items = []
    for arxiv_id in ids:
        cats = rng.sample(CATEGORIES, rng.choice([1, 1, 2, 3]))
        repo = f"lab{arxiv_id[-3:]}/model-{arxiv_id[-5:]}" if rng.random() < 0.15 else None
        abstract = f"We study problem {arxiv_id}." + (
            f" Code: https://github.com/{repo}." if repo else ""
        )
        items.append(
            {
                "id": arxiv_id,
                "title": f"Paper {arxiv_id}",
                "authors": ["A. Author", "B. Author"],
                "categories": cats,
                "abstract": abstract,
                "repo": repo,
            }
        )
    world = Day(day=day, papers=items)
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=20)
    scale = posts / (sum(SHARE.values()) + 500)
    score: dict[str, float] = defaultdict(float)

    def engagement(base: float) -> int:
        return int(rng.paretovariate(1.6) * base)

    for source, count in SHARE.items():
        made = []
        for n in range(int(count * scale)):
            linked = rng.choices(ids, weights=attention, k=2 if rng.random() < 0.05 else 1)
            linked = list(dict.fromkeys(linked))
            heat = attention[ids.index(linked[0])] * 40
            created = start + dt.timedelta(seconds=rng.randrange(int(1.8 * 86400)))
            if source == "bluesky":
                counts = {
                    "likes": engagement(heat),
                    "reposts": engagement(heat / 4),
                    "quotes": engagement(heat / 20),
                    "replies": 0,
                }
            elif source == "twitter":
                counts = {"retweets": engagement(heat / 3), "favorites": engagement(heat)}
            elif source == "hackernews":
                counts = {"points": engagement(heat), "comments": engagement(heat / 3)}
            else:
                counts = {"score": engagement(heat), "comments": engagement(heat / 5)}
            made.append({"n": n, "links": linked, "counts": counts, "created": created})
            for arxiv_id in linked:
                score[arxiv_id] += sum(
                    metric_weight({}, source, m) * v for m, v in counts.items()
                ) / len(linked)
        made.sort(key=lambda p: p["created"], reverse=True)  # newest first, as every API pages
        world.posts[source] = made
    for arxiv_id in rng.choices(ids, weights=attention, k=int(500 * scale * 3)):
        listed = world.hf.setdefault(str(day), [])
        if any(e["paper"]["id"] == arxiv_id for e in listed):
            continue
        heat = attention[ids.index(arxiv_id)] * 40
        paper = next(p for p in items if p["id"] == arxiv_id)
        stars = engagement(heat) if paper["repo"] else None
        listed.append(
            payloads.hf_entry(
                arxiv_id,
                engagement(heat),
                engagement(heat / 10),
                stars,
                f"https://github.com/{paper['repo']}" if paper["repo"] else None,
            )
        )
        counts = {"upvotes": listed[-1]["paper"]["upvotes"], "comments": listed[-1]["numComments"]}
        if stars is not None:
            counts["stars"] = stars
            world.repos[paper["repo"]] = stars
        score[arxiv_id] += sum(metric_weight({}, "huggingface", m) * v for m, v in counts.items())
    for paper in items:
        if paper["repo"] and paper["repo"] not in world.repos:
            world.repos[paper["repo"]] = stars = engagement(attention[ids.index(paper["id"])] * 40)
            score[paper["id"]] += metric_weight({}, "github", "stars") * stars
    world.truth = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))
    return world


def serve(world: Day, latency: float) -> ThreadingHTTPServer:
    bluesky_pages = world.posts["bluesky"]
    feed = payloads.atom_feed(world.day, world.papers).encode()

    def page(items: list[Any], offset: int, size: int) -> tuple[list[Any], str | None]:
        chunk = items[offset : offset + size]
        return chunk, str(offset + size) if offset + size < len(items) else None

    def bsky(post: dict[str, Any]) -> dict[str, Any]:
        links = [f"https://arxiv.org/abs/{i}" for i in post["links"]]
        c = post["counts"]
        return payloads.bsky_post(
            str(post["n"]),
            f"u{post['n'] % 997}",
            "New paper " + " ".join(links[1:]),
            links[0],
            c["likes"],
            c["reposts"],
            c["quotes"],
            post["created"],
        )

    def tweet(post: dict[str, Any]) -> dict[str, Any]:
        c = post["counts"]
        t = payloads.tweet(
            str(10**6 + post["n"]),
            str(post["n"] % 500),
            "Paper",
            f"https://arxiv.org/abs/{post['links'][0]}",
            c["retweets"],
            c["favorites"],
            post["created"],
        )
        t["entities"]["urls"] += [
            {"expanded_url": f"https://arxiv.org/abs/{i}"} for i in post["links"][1:]
        ]
        return t

    def hn(post: dict[str, Any]) -> dict[str, Any]:
        return payloads.hn_hit(
            str(post["n"]),
            f"https://arxiv.org/abs/{post['links'][0]}",
            post["counts"]["points"],
            post["counts"]["comments"],
            post["created"],
        )

    def reddit(post: dict[str, Any]) -> dict[str, Any]:
        return payloads.reddit_post(
            f"p{post['n']}",
            f"https://arxiv.org/abs/{post['links'][0]}",
            post["counts"]["score"],
            post["counts"]["comments"],
            post["created"],
        )

    def about(source: str, query: str) -> list[dict[str, Any]]:
        return [p for p in world.posts[source] if any(i in query for i in p["links"])]

    def route(method: str, path: str, q: dict[str, str], body: bytes) -> Any:
        if path == "/truth":
            return {"top": world.truth[:10]}
        if path == "/hf/api/daily_papers":
            listed = world.hf.get(q["date"], [])
            offset = int(q.get("p", 0)) * int(q.get("limit", 50))
            return listed[offset : offset + int(q.get("limit", 50))]
        if path.startswith("/hf/api/papers/"):
            arxiv_id = path.rsplit("/", 1)[1]
            hit = next(
                (e for e in world.hf.get(str(world.day), []) if e["paper"]["id"] == arxiv_id), None
            )
            return hit["paper"] if hit else (404, {"error": "not found"})
        if path == "/hn/api/v1/search_by_date":
            stories = (
                world.posts["hackernews"]
                if q["query"] == "arxiv.org"
                else about("hackernews", q["query"])
            )
            size = int(q.get("hitsPerPage", 20))
            pg = int(q.get("page", 0))
            chunk, _ = page(stories, pg * size, size)
            return payloads.hn_page(
                [hn(s) for s in chunk], pg, max(1, -(-len(stories) // size)), size
            )
        if path.endswith("com.atproto.server.createSession"):
            return {"accessJwt": "jwt", "did": "did:plc:bench"}
        if path == "/bsky/xrpc/app.bsky.feed.searchPosts":
            if q.get("domain") == "huggingface.co":
                return {"posts": []}
            found = bluesky_pages if q["q"] == "arxiv.org" else about("bluesky", q["q"])
            chunk, cursor = page(found, int(q.get("cursor", 0)), int(q.get("limit", 25)))
            return {"posts": [bsky(p) for p in chunk], **({"cursor": cursor} if cursor else {})}
        if path == "/x/2/tweets/search/recent":
            found = (
                world.posts["twitter"]
                if q["query"].startswith('url:"arxiv.org"')
                else about("twitter", q["query"])
            )
            chunk, token = page(found, int(q.get("next_token", 0)), int(q.get("max_results", 10)))
            return payloads.x_page([tweet(p) for p in chunk], token)
        if path == "/reddit/api/v1/access_token":
            return {"access_token": "app", "expires_in": 86400}
        if path == "/reddit/domain/arxiv.org/new":
            chunk, after = page(
                world.posts["reddit"], int(q.get("after", 0)), int(q.get("limit", 25))
            )
            return payloads.reddit_listing([reddit(p) for p in chunk], after)
        if path == "/reddit/search":
            return payloads.reddit_listing([reddit(p) for p in about("reddit", q["q"])], None)
        if path == "/github/graphql":
            variables = json.loads(body)["variables"]
            data = {}
            for key, owner in variables.items():
                if key.startswith("o"):
                    repo = f"{owner}/{variables['n' + key[1:]]}"
                    data["r" + key[1:]] = (
                        {"stargazerCount": world.repos[repo]} if repo in world.repos else None
                    )
            return {"data": data}
        if path.startswith("/github/repos/"):
            repo = unquote(path.removeprefix("/github/repos/"))
            return (
                {"full_name": repo, "stargazers_count": world.repos[repo]}
                if repo in world.repos
                else (404, {})
            )
        return 404, {"message": "no such endpoint"}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, method: str) -> None:
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path.startswith("/atom/"):
                status, kind, content = 200, "application/atom+xml", feed
            else:
                result = route(method, url.path, query, body)
                status, result = result if isinstance(result, tuple) else (200, result)
                kind, content = "application/json", json.dumps(result).encode()
            if url.path != "/truth":
                time.sleep(latency)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    world = generate(args.seed, args.papers, args.posts, dt.datetime.now(dt.UTC))
    server = serve(world, args.latency_ms / 1000)
    total = sum(len(v) for v in world.posts.values()) + sum(len(v) for v in world.hf.values())
    print(f"PORT {server.server_address[1]} DAY {world.day} POSTS {total}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
