from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncGenerator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.budget import FileBudget, Unlimited
from bot.cache import FileCache
from bot.engine import CachedSource
from bot.errors import SourceError
from bot.models import Signal
from bot.ranking import rank
from bot.sources.bluesky import BlueskySource
from bot.sources.github import GitHubSource, repos_in
from bot.sources.hackernews import HackerNewsSource
from bot.sources.http import DEFAULT_RETRY, RetryPolicy
from bot.sources.huggingface import HuggingFaceSource
from bot.sources.paging import TimeBudget, interleave
from bot.sources.reddit import RedditSource
from bot.sources.twitter import XSource
from tests import payloads
from tests.fakes import Sleeper, StaticSource, no_sleep, paper, signal

DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
POSTED = dt.datetime(2026, 11, 24, 15, tzinfo=dt.UTC)
PAPERS = [
    paper("2611.00001", abstract="Code: https://github.com/lab/model."),
    paper("2611.00002"),
    paper("2611.00003"),
]
Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def bluesky(
    http: httpx.AsyncClient, sleep: Any = no_sleep, retry: RetryPolicy = DEFAULT_RETRY
) -> BlueskySource:
    return BlueskySource(
        http,
        handle="lab.bsky.social",
        app_password="app-pass",
        clock=lambda: NOW,
        sleep=sleep,
        retry=retry,
    )


def xsource(
    http: httpx.AsyncClient,
    sleep: Any = no_sleep,
    retry: RetryPolicy = DEFAULT_RETRY,
    budget: Any = None,
) -> XSource:
    return XSource(
        http,
        bearer_token="token",
        budget=budget or Unlimited(),
        clock=lambda: NOW,
        sleep=sleep,
        retry=retry,
    )


def reddit(
    http: httpx.AsyncClient,
    sleep: Any = no_sleep,
    retry: RetryPolicy = DEFAULT_RETRY,
    subreddits: tuple[str, ...] | None = None,
) -> RedditSource:
    return RedditSource(
        http,
        client_id="id",
        client_secret="secret",
        clock=lambda: NOW,
        sleep=sleep,
        retry=retry,
        **({"subreddits": subreddits} if subreddits is not None else {}),
    )


async def test_bluesky_logs_in_pages_with_the_cursor_and_counts_each_post_once() -> None:
    first = [
        payloads.bsky_post(
            "a", "ann", "Read this", "https://arxiv.org/abs/2611.00001", 50, 10, 2, POSTED
        ),
        payloads.bsky_post(
            "b", "bob", "Two papers", "https://arxiv.org/pdf/2611.00002v1", 20, 0, 0, POSTED
        ),
    ]
    second = [
        payloads.bsky_post(
            "c", "cat", "Also", "https://arxiv.org/abs/9999.99999", 1000, 0, 0, POSTED, embed=True
        )
    ]
    hf = [
        first[0],
        payloads.bsky_post(
            "d",
            "dan",
            "HF",
            "https://huggingface.co/papers/2611.00003",
            5,
            1,
            0,
            POSTED,
            embed=True,
        ),
    ]
    short = [
        first[1],  # already found through arxiv.org: counted once
        payloads.bsky_post(
            "e", "eve", "Short link", "https://hf.co/papers/2611.00001", 7, 0, 0, POSTED
        ),
    ]
    asked: list[tuple[str, dict[str, str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("createSession"):
            assert json.loads(request.content) == {
                "identifier": "lab.bsky.social",
                "password": "app-pass",
            }
            return httpx.Response(
                200, json={"accessJwt": "jwt", "did": "did:plc:lab", "handle": "lab.bsky.social"}
            )
        assert request.headers["Authorization"] == "Bearer jwt"
        params = dict(request.url.params)
        asked.append((request.url.path, params))
        if params["domain"] == "huggingface.co":
            return httpx.Response(200, json={"posts": hf})
        if params["domain"] == "hf.co":
            return httpx.Response(200, json={"posts": short})
        if params["domain"] == "alphaxiv.org":
            return httpx.Response(200, json={"posts": []})
        if "cursor" not in params:
            return httpx.Response(200, json={"posts": first, "cursor": "next", "hitsTotal": 3})
        return httpx.Response(200, json={"posts": second})

    async with client(handler) as http:
        found = await bluesky(http).collect(PAPERS, DAY)
    # A page of each query in turn, then the rest of the one that has more.
    assert [(p["domain"], p.get("cursor")) for _, p in asked] == [
        ("arxiv.org", None),
        ("alphaxiv.org", None),
        ("huggingface.co", None),
        ("hf.co", None),
        ("arxiv.org", "next"),
    ]
    assert asked[0][1]["since"] == "2026-11-23T00:00:00Z"
    assert asked[0][1]["limit"] == "100"
    assert sorted((s.arxiv_id, s.counts["likes"]) for s in found) == [
        ("2611.00001", 7),
        ("2611.00001", 50),
        ("2611.00002", 20),
        ("2611.00003", 5),
    ]
    ann = next(s for s in found if s.arxiv_id == "2611.00001")
    assert ann.post is not None
    assert ann.post.url == "https://bsky.app/profile/ann.bsky.social/post/a"
    assert ann.post.author == "Ann (@ann.bsky.social)"


async def test_a_post_linking_several_papers_splits_its_engagement() -> None:
    post = payloads.bsky_post(
        "r",
        "ann",
        "Round-up: https://arxiv.org/abs/2611.00002 and",
        "https://arxiv.org/abs/2611.00003",
        30,
        0,
        0,
        POSTED,
    )

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("createSession"):
            return httpx.Response(200, json={"accessJwt": "jwt"})
        return httpx.Response(
            200, json={"posts": [post] if request.url.params["domain"] == "arxiv.org" else []}
        )

    async with client(handler) as http:
        found = await bluesky(http).collect(PAPERS, DAY)
    assert sorted((s.arxiv_id, s.share) for s in found) == [
        ("2611.00002", 0.5),
        ("2611.00003", 0.5),
    ]
    ranked = [r for r in rank(PAPERS, found) if r.score]
    assert [(r.breakdown[0].weighted, r.breakdown[0].share) for r in ranked] == [(15, 0.5)] * 2
    assert ranked[0].score == ranked[1].score


async def test_x_reads_recent_search_within_the_daily_budget(tmp_path: Path) -> None:
    tweets = [
        payloads.tweet(
            str(n),
            "7",
            "New paper",
            f"https://arxiv.org/abs/2611.0000{1 + n % 2}",
            n,
            10 * n,
            POSTED,
        )
        for n in range(1, 5)
    ]
    pages = {
        None: payloads.x_page(tweets[:2], "t2"),
        "t2": payloads.x_page(tweets[2:], "t3"),
        "t3": payloads.x_page([], None),
    }
    asked: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer token"
        params = dict(request.url.params)
        asked.append(params)
        return httpx.Response(200, json=pages[params.get("next_token")])

    budget = FileBudget(tmp_path / "budget.json", 250, clock=lambda: NOW)
    async with client(handler) as http:
        found = await xsource(http, budget=budget).collect(PAPERS, DAY)
    assert [p.get("next_token") for p in asked] == [None, "t2", "t3"]
    assert [p["max_results"] for p in asked] == ["100", "100", "50"]
    assert asked[0]["query"] == 'url:"arxiv.org" -is:retweet'
    assert budget.remaining() == 0
    first = next(s for s in found if s.post and s.post.url.endswith("/1"))
    assert first.post is not None
    assert first.post.url == "https://twitter.com/user7/status/1"
    assert first.counts == {"retweets": 1, "favorites": 10}
    async with client(handler) as http:
        with pytest.raises(SourceError, match="read budget is spent"):
            await xsource(http, budget=budget).collect(PAPERS, DAY)


def reddit_login(request: httpx.Request) -> httpx.Response | None:
    if request.url.path == "/api/v1/access_token":
        assert request.headers["Authorization"].startswith("Basic ")
        assert request.content == b"grant_type=client_credentials"
        return httpx.Response(
            200, json={"access_token": "app", "token_type": "bearer", "expires_in": 86400}
        )
    assert request.headers["Authorization"] == "Bearer app"
    return None


async def test_reddit_gets_an_app_token_and_pages_until_the_window_ends() -> None:
    old = POSTED - dt.timedelta(days=3)
    pages = {
        None: payloads.reddit_listing(
            [payloads.reddit_post("p1", "https://arxiv.org/abs/2611.00002", 300, 40, POSTED)],
            "t3_p1",
        ),
        "t3_p1": payloads.reddit_listing(
            [payloads.reddit_post("p2", "https://arxiv.org/abs/2611.00003", 9, 1, old)], "t3_p2"
        ),
    }
    asked: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if login := reddit_login(request):
            return login
        after = request.url.params.get("after")
        asked.append((request.url.path, after))
        if request.url.path == "/domain/arxiv.org/new":
            return httpx.Response(200, json=pages[after])
        return httpx.Response(200, json=payloads.reddit_listing([], None))

    async with client(handler) as http:
        found = await reddit(http).collect(PAPERS, DAY)
    assert asked == [
        ("/domain/arxiv.org/new", None),
        ("/domain/alphaxiv.org/new", None),
        ("/domain/huggingface.co/new", None),
        ("/domain/hf.co/new", None),
        ("/r/MachineLearning+LocalLLaMA+LanguageTechnology+computervision/new", None),
        ("/domain/arxiv.org/new", "t3_p1"),  # this page reached past the window: no third
    ]
    assert [(s.arxiv_id, s.counts) for s in found] == [
        ("2611.00002", {"score": 300, "comments": 40})
    ]


async def test_reddit_reads_self_posts_of_research_subreddits_and_other_paper_hosts() -> None:
    listings = {
        "/domain/hf.co/new": [
            payloads.reddit_post("h", "https://hf.co/papers/2611.00001", 50, 5, POSTED)
        ],
        "/domain/arxiv.org/new": [
            payloads.reddit_post("l", "https://arxiv.org/pdf/2611.00003v2", 7, 0, POSTED)
        ],
        "/r/MachineLearning+reinforcementlearning/new": [
            payloads.reddit_post(
                "s",
                "",
                120,
                30,
                POSTED,
                selftext="[R] Our paper: https://www.alphaxiv.org/abs/2611.00002 (code soon)",
            ),
            payloads.reddit_post(
                "q", "", 80, 60, POSTED, selftext="[D] Which optimizer do you use?"
            ),
            # The same link post again, through the subreddit: counted once.
            payloads.reddit_post("l", "https://arxiv.org/pdf/2611.00003v2", 7, 0, POSTED),
        ],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if login := reddit_login(request):
            return login
        return httpx.Response(
            200, json=payloads.reddit_listing(listings.get(request.url.path, []), None)
        )

    async with client(handler) as http:
        found = await reddit(http, subreddits=("MachineLearning", "reinforcementlearning")).collect(
            PAPERS, DAY
        )
    assert sorted((s.arxiv_id, s.counts["score"]) for s in found) == [
        ("2611.00001", 50),
        ("2611.00002", 120),
        ("2611.00003", 7),
    ]
    selfpost = next(s for s in found if s.arxiv_id == "2611.00002")
    assert selfpost.post is not None
    assert selfpost.post.url == "https://www.reddit.com/r/MachineLearning/comments/s/submission/"


async def test_reddit_reads_each_subreddit_when_the_combined_listing_hits_the_cap() -> None:
    """Reddit lists 1,000 items at most: a busy multi-subreddit listing is split, and each
    subreddit's listing goes on from where the combined one stopped."""
    recent = POSTED + dt.timedelta(hours=20)
    chatter = [
        payloads.reddit_post(
            f"c{n}",
            "",
            1,
            0,
            recent,
            subreddit=("LocalLLaMA", "MachineLearning")[n % 2],
            selftext="hi",
        )
        for n in range(1000)
    ]
    paper_post = payloads.reddit_post("p", "", 40, 2, POSTED, selftext="Paper: arXiv:2611.00003")
    asked: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if login := reddit_login(request):
            return login
        after = request.url.params.get("after")
        asked.append((request.url.path, after))
        if request.url.path == "/r/MachineLearning+LocalLLaMA/new":
            offset = int(after.removeprefix("t3_c")) + 1 if after else 0
            chunk = chatter[offset : offset + 100]
            more = offset + 100 < 1000
            return httpx.Response(
                200, json=payloads.reddit_listing(chunk, chunk[-1]["name"] if more else None)
            )
        if request.url.path == "/r/MachineLearning/new":
            return httpx.Response(200, json=payloads.reddit_listing([paper_post], None))
        return httpx.Response(200, json=payloads.reddit_listing([], None))

    async with client(handler) as http:
        found = await reddit(http, subreddits=("MachineLearning", "LocalLLaMA")).collect(
            PAPERS, DAY
        )
    assert sum(1 for path, _ in asked if path == "/r/MachineLearning+LocalLLaMA/new") == 10
    assert ("/r/MachineLearning/new", "t3_c999") in asked
    assert ("/r/LocalLLaMA/new", "t3_c998") in asked
    assert [(s.arxiv_id, s.counts["score"]) for s in found] == [("2611.00003", 40)]


def test_repos_are_recognised_in_text() -> None:
    assert repos_in(
        "see https://github.com/lab/model. and github.com/Org/repo.git, github.com/about/x"
    ) == ["lab/model", "Org/repo"]


async def test_github_counts_repos_not_already_counted_with_one_graphql_request() -> None:
    earlier = [
        Signal(
            source="huggingface",
            arxiv_id="2611.00002",
            counts={"upvotes": 1, "stars": 5},
            repo="other/counted",
        ),
        Signal(
            source="huggingface", arxiv_id="2611.00003", counts={"upvotes": 1}, repo="hf/linked"
        ),
    ]
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        assert request.headers["Authorization"] == "Bearer gh"
        names = dict(body["variables"])
        data = {
            f"r{i}": {"stargazerCount": 100 * (i + 1), "createdAt": f"2026-11-2{i}T08:00:00Z"}
            for i in range(len(names) // 2)
        }
        return httpx.Response(200, json={"data": data})

    async with client(handler) as http:
        found = await GitHubSource(http, token="gh", clock=lambda: NOW, sleep=no_sleep).follow_up(
            PAPERS, DAY, earlier
        )
    assert len(bodies) == 1
    assert bodies[0]["variables"] == {"o0": "lab", "n0": "model", "o1": "hf", "n1": "linked"}
    assert "$o0: String!" in bodies[0]["query"]
    assert "createdAt" in bodies[0]["query"]
    assert sorted((s.arxiv_id, s.counts["stars"], s.repo, s.repo_created_at) for s in found) == [
        ("2611.00001", 100, "lab/model", dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)),
        ("2611.00003", 200, "hf/linked", dt.datetime(2026, 11, 21, 8, tzinfo=dt.UTC)),
    ]


async def test_github_without_a_token_reads_repos_one_by_one_and_skips_missing_ones() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/repos/lab/model":
            return httpx.Response(
                200,
                json={
                    "full_name": "lab/model",
                    "stargazers_count": 42,
                    "created_at": "2019-05-01T10:00:00Z",
                },
            )
        if request.url.path == "/repos/lab/undated":
            return httpx.Response(200, json={"stargazers_count": 7, "created_at": "not a date"})
        return httpx.Response(404, json={"message": "Not Found"})

    extra = [
        Signal(
            source="huggingface", arxiv_id="2611.00002", counts={"upvotes": 1}, repo="gone/away"
        ),
        Signal(
            source="huggingface", arxiv_id="2611.00003", counts={"upvotes": 1}, repo="lab/undated"
        ),
    ]
    async with client(handler) as http:
        found = await GitHubSource(http, clock=lambda: NOW, sleep=no_sleep).follow_up(
            PAPERS, DAY, extra
        )
    assert [(s.arxiv_id, s.counts, s.repo_created_at) for s in found] == [
        ("2611.00001", {"stars": 42}, dt.datetime(2019, 5, 1, 10, tzinfo=dt.UTC)),
        ("2611.00003", {"stars": 7}, None),
    ]


def ok_login(request: httpx.Request) -> httpx.Response | None:
    if request.url.path.endswith("createSession"):
        return httpx.Response(200, json={"accessJwt": "jwt"})
    if request.url.path == "/api/v1/access_token":
        return httpx.Response(200, json={"access_token": "app"})
    return None


SOURCES: dict[str, Callable[..., Any]] = {
    "huggingface": lambda http, sleep, retry: HuggingFaceSource(
        http, clock=lambda: NOW, sleep=sleep, retry=retry
    ),
    "hackernews": lambda http, sleep, retry: HackerNewsSource(
        http, clock=lambda: NOW, sleep=sleep, retry=retry
    ),
    "bluesky": bluesky,
    "twitter": xsource,
    "reddit": reddit,
    "github": lambda http, sleep, retry: GitHubSource(
        http, token="gh", clock=lambda: NOW, sleep=sleep, retry=retry
    ),
}
FAULTS: dict[str, tuple[Callable[[httpx.Request], httpx.Response], str]] = {
    "429": (lambda r: httpx.Response(429, headers={"Retry-After": "7"}), "HTTP 429"),
    "500": (lambda r: httpx.Response(500, text="oops"), "HTTP 500"),
    "timeout": (lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=r)), "timed out"),
    "truncated": (lambda r: httpx.Response(200, content=b'{"posts": [{"uri": '), "malformed JSON"),
    "schema": (lambda r: httpx.Response(200, json={"unexpected": [1, 2]}), "unexpected shape"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("name", list(SOURCES))
async def test_every_source_turns_every_fault_into_a_named_failure(name: str, fault: str) -> None:
    respond, reason = FAULTS[fault]
    sleeper = Sleeper()

    def handler(request: httpx.Request) -> httpx.Response:
        return ok_login(request) or respond(request)

    async with client(handler) as http:
        source = SOURCES[name](http, sleeper, RetryPolicy(attempts=3, backoff=0.5))
        work = (
            source.follow_up(PAPERS, DAY, []) if name == "github" else source.collect(PAPERS, DAY)
        )
        with pytest.raises(SourceError, match=reason) as caught:
            await work
    assert caught.value.source == source.name
    # The politeness gate sleeps too (just under its interval); retries wait whole values.
    retries = [w for w in sleeper.waits if w in (0.5, 1.0, 7.0)]
    if fault == "429":
        assert retries == [7.0, 7.0]  # Retry-After honoured before each retry
    elif fault in ("500", "timeout"):
        assert retries == [0.5, 1.0]  # exponential backoff
    else:
        assert retries == []  # a bad answer is not retried


async def test_a_retry_after_longer_than_allowed_gives_up_at_once() -> None:
    sleeper = Sleeper()
    async with client(lambda r: httpx.Response(429, headers={"Retry-After": "3600"})) as http:
        with pytest.raises(SourceError, match="retry after 3600 s"):
            await HackerNewsSource(http, clock=lambda: NOW, sleep=sleeper).collect(PAPERS, DAY)
    assert sleeper.waits == []


async def test_a_transient_429_is_retried_and_the_source_succeeds() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(200, json=[payloads.hf_entry("2611.00001", 9, 0)]),
        ]
    )
    sleeper = Sleeper()
    async with client(
        lambda r: (
            next(answers) if r.url.params["date"] == "2026-11-24" else httpx.Response(200, json=[])
        )
    ) as http:
        found = await HuggingFaceSource(http, clock=lambda: NOW, sleep=sleeper).collect(PAPERS, DAY)
    assert [s.counts["upvotes"] for s in found] == [9]
    assert 2.0 in sleeper.waits


@pytest.mark.parametrize("name", [n for n in SOURCES if n != "github"])
async def test_an_empty_page_is_no_signals_for_every_source(name: str) -> None:
    empty = {
        "huggingface": [],
        "hackernews": payloads.hn_page([], 0, 0, 1000),
        "bluesky": {"posts": []},
        "twitter": payloads.x_page([], None),
        "reddit": payloads.reddit_listing([], None),
    }[name]

    def handler(request: httpx.Request) -> httpx.Response:
        return ok_login(request) or httpx.Response(200, json=empty)

    async with client(handler) as http:
        assert await SOURCES[name](http, no_sleep, RetryPolicy()).collect(PAPERS, DAY) == []


async def test_collected_signals_are_cached_with_the_time_they_were_taken(tmp_path: Path) -> None:
    taken = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
    source = StaticSource(
        "hackernews",
        [signal("hackernews", "2611.00001", points=3).model_copy(update={"taken_at": taken})],
    )
    moment = [NOW]
    cached = CachedSource(
        source, FileCache(tmp_path, ttl=dt.timedelta(minutes=30), clock=lambda: moment[0])
    )
    first = await cached.collect(PAPERS, DAY)
    source.signals = []
    assert await cached.collect(PAPERS, DAY) == first  # within the TTL: the source is not asked
    assert first[0].taken_at == taken
    assert await cached.collect(PAPERS[:1], DAY) == []  # other papers, other key
    moment[0] += dt.timedelta(minutes=31)
    assert await cached.collect(PAPERS, DAY) == []


def test_research_subreddits_are_configurable_and_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.errors import ConfigError
    from bot.settings import load_settings

    monkeypatch.delenv("HOTPAPERS_CONFIG", raising=False)
    assert "MachineLearning" in load_settings().reddit_subreddits
    monkeypatch.setenv("HOTPAPERS_REDDIT_SUBREDDITS", '["MachineLearning", "MLQuestions"]')
    assert load_settings().reddit_subreddits == ("MachineLearning", "MLQuestions")
    monkeypatch.setenv("HOTPAPERS_REDDIT_SUBREDDITS", '["r/Machine Learning"]')
    with pytest.raises(ConfigError, match="reddit_subreddits"):
        load_settings()


async def test_the_query_that_reached_least_far_back_is_read_next_until_the_budget_is_spent() -> (
    None
):
    clock = [0.0]
    asked: list[str] = []

    async def pages(name: str, times: list[list[int]]) -> AsyncGenerator[list[int], None]:
        for n, page in enumerate(times):
            asked.append(f"{name}{n}")
            clock[0] += 1.0  # each request takes a second
            yield page

    # A busy host (a page covers 10 minutes) and a quiet one (a page covers a day).
    busy = pages("a", [[1000 - 10 * n, 995 - 10 * n] for n in range(20)])
    quiet = pages("b", [[990, 500], [400, 100]])
    found = await interleave(
        "bluesky", [busy, quiet], TimeBudget(5.5, monotonic=lambda: clock[0]), age=float
    )
    # b reached 500 after its first page: a is read until it is that far back, or time is out.
    assert asked == ["a0", "b0", "a1", "a2", "a3", "a4"]
    assert found == [1000, 995, 990, 500, 990, 985, 980, 975, 970, 965, 960, 955]
    everything = await interleave(
        "bluesky", [pages("c", [[5], [3]]), pages("d", [[4], [2]])], TimeBudget(None), age=float
    )
    assert everything == [5, 4, 3, 2]


async def test_a_source_out_of_time_returns_what_it_read_instead_of_failing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if login := ok_login(request):
            return login
        raise AssertionError("no search once the budget is spent")

    async with client(handler) as http:
        source = BlueskySource(
            http, handle="h", app_password="p", time_budget=0.0, clock=lambda: NOW, sleep=no_sleep
        )
        assert await source.collect(PAPERS, DAY) == []
