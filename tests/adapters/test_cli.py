from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from tests.fakeserver import serve

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))
    for name in list(os.environ):
        if name.startswith("HOTPAPERS_") and name != "HOTPAPERS_DATA_DIR":
            monkeypatch.delenv(name)


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_sample_digest_in_text_markdown_and_json() -> None:
    code, out, _ = invoke("digest", "--sample")
    assert code == 0
    assert out.startswith("Hot Papers 2021-03-18")
    code, out, _ = invoke("digest", "--sample", "--format", "markdown", "--top", "3")
    assert code == 0
    assert out.count("\n# ") == 3
    code, out, _ = invoke("digest", "--sample", "-f", "json", "-c", "cs.CV", "--min-score", "30")
    items = json.loads(out)["items"]
    assert [i["paper"]["arxiv_id"] for i in items] == [
        "2103.09742",
        "2103.09460",
        "2103.09669",
        "2103.09576",
    ]


def test_digest_takes_comma_categories_and_the_word_and_author_filters() -> None:
    def ids(*args: str) -> list[str]:
        code, out, err = invoke("digest", "--sample", "-f", "json", *args)
        assert code == 0, err
        return [i["paper"]["arxiv_id"] for i in json.loads(out)["items"]]

    assert ids("-c", "cs.CV,cs.LG") == ids("-c", "cs.CV", "-c", "cs.LG")
    every = ids("-c", "cs.CV")
    assert "2103.09742" in every
    assert ids("-c", "cs.CV", "-x", "AUGMENTATIONS") == [i for i in every if i != "2103.09742"]
    assert ids("-c", "cs.CV", "--all-of", "gans", "--all-of", "augmentations") == ["2103.09742"]
    assert ids("-c", "cs.CV", "--all-of", "gans", "--all-of", "nothing-like-this") == []
    code, out, _ = invoke("digest", "--sample", "-f", "json", "-c", "cs.CV", "--top", "1")
    (first,) = json.loads(out)["items"]
    author = first["paper"]["authors"][0]
    initial = f"{author.split()[0][0]}. {author.split()[-1].lower()}"
    assert first["paper"]["arxiv_id"] in ids("--author", initial)
    code, out, _ = invoke("digest", "--sample", "--author", initial, "-x", "zzz")
    assert code == 0
    assert f"authors: {initial}" in out.splitlines()[0]
    assert "not: zzz" in out.splitlines()[0]


def test_import_post_then_digest_restores_the_posts_order(seed_text: str, tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    head, *parts = seed_text.split("\n# ")
    post.write_text(head + "".join("\n# " + p for p in reversed(parts)), encoding="utf-8")
    snap = tmp_path / "snap.json"
    code, _, err = invoke("snapshot", "import-post", str(post), "-o", str(snap))
    assert code == 0, err
    code, out, _ = invoke("digest", "--snapshot", str(snap), "--format", "markdown")
    assert code == 0
    titles = [line for line in out.splitlines() if line.startswith("# ")]
    assert titles == [line for line in seed_text.splitlines() if line.startswith("# ")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2021/03/18"], "not of the form YYYY-MM-DD"),
        (["--date", "2021-02-30"], "does not exist"),
        (["--date", "2999-01-01"], "in the future"),
        (["--date", "0001-01-01"], "before arXiv's first announcement (1991-08-14)"),
        (["--date", "2021-03-19", "--sample"], "The sample is of 2021-03-18, not 2021-03-19"),
        (
            ["--category", "cs.LGG", "--sample"],
            "Unknown arXiv category 'cs.LGG'. Did you mean cs.LG",
        ),
        (["--top", "0", "--sample"], "--top"),
        (["--min-score", "-1", "--sample"], "--min-score"),
        (["--snapshot", "missing.json"], "does not exist"),
        (["--snapshot", "x.json", "--sample"], "either --snapshot or --sample"),
        (["--format", "pdf", "--sample"], "--format"),
    ],
)
def test_bad_input_gets_one_sentence_and_exit_code_2(args: list[str], message: str) -> None:
    code, _, err = invoke("digest", *args)
    assert code == 2
    assert message in " ".join(err.split()) or message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"format": "something-else"}', "is not a hotpapers snapshot"),
        ('{"format": "hotpapers-snapshot", "version": 9}', "snapshot version 9"),
        (
            '{"format": "hotpapers-snapshot", "version": 1, "date": "2021-03-18", "papers": [{"title": 1}]}',
            "is corrupt at papers.0",
        ),
    ],
)
def test_corrupt_snapshots_are_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "snap.json"
    path.write_text(content)
    code, _, err = invoke("digest", "--snapshot", str(path))
    assert code == 2
    assert message in err


def test_a_post_that_is_not_a_hot_papers_post_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "readme.md"
    path.write_text("# Just a readme\n")
    code, _, err = invoke("snapshot", "import-post", str(path))
    assert code == 2
    assert "no front matter" in err
    path.write_bytes(b"\xff\xfe\x00bad")
    assert "not UTF-8" in invoke("snapshot", "import-post", str(path))[2]


def test_network_down_names_what_failed_and_suggests_the_sample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "HOTPAPERS_ARXIV_FEED_URL", "http://127.0.0.1:9/atom/"
    )  # nothing listens there
    code, _, err = invoke("digest")
    assert code == 3  # an upstream unavailable, not bad input
    assert "arXiv's feed could not be reached" in err
    assert "--sample" in err


def test_the_output_file_receives_the_digest(tmp_path: Path) -> None:
    target = tmp_path / "digest.md"
    code, out, _ = invoke("digest", "--sample", "-f", "markdown", "-o", str(target))
    assert code == 0
    assert out == ""
    assert target.read_text(encoding="utf-8").startswith("---\ntitle: Hot Papers 2021-03-18\n")
    code, _, err = invoke("digest", "--sample", "-o", str(tmp_path / "no" / "such" / "dir.md"))
    assert code == 2
    assert "Cannot write" in err


def test_the_installed_command_prints_no_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", "digest", "--date", "yesterday"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "hotpapers: The date 'yesterday' is not of the form YYYY-MM-DD."


def live_routes(data: Path, feed_file: str) -> dict:
    feed = (data / feed_file).read_bytes()
    hf = json.loads((data / "hf_daily_papers_single_entry_2026-03.json").read_text())
    hf[0]["paper"]["id"] = "2609.31763"
    hf[0]["paper"]["upvotes"] = 40
    hn = json.loads((data / "hn_algolia_search_response_2024.json").read_text())
    hn["hits"][0].update(
        url="https://arxiv.org/pdf/2301.02225v1", points=75, num_comments=9, objectID="42"
    )
    return {
        "/atom/cs.AI": lambda q: (200, "application/atom+xml", feed),
        "/atom/physics": lambda q: (200, "application/rss+xml", feed),
        "/api/daily_papers": lambda q: (
            200,
            "application/json",
            json.dumps(hf if q["date"] == ["2026-09-29"] else []).encode(),
        ),
        "/api/v1/search_by_date": lambda q: (200, "application/json", json.dumps(hn).encode()),
    }


def point_at(monkeypatch: pytest.MonkeyPatch, base: str) -> None:
    monkeypatch.setenv("HOTPAPERS_ARXIV_FEED_URL", f"{base}/atom/")
    monkeypatch.setenv("HOTPAPERS_HUGGINGFACE_API_URL", f"{base}/api/daily_papers")
    monkeypatch.setenv("HOTPAPERS_HACKERNEWS_API_URL", f"{base}/api/v1/search_by_date")
    monkeypatch.setenv("HOTPAPERS_GITHUB_API_URL", f"{base}/github")
    monkeypatch.setenv("HOTPAPERS_RETRY_BACKOFF_S", "0")


def test_a_live_digest_from_arxiv_hugging_face_and_hacker_news(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(live_routes(data, "arxiv_rss_atom_cs.AI_2026-09-29_trimmed.xml")) as (base, seen):
        point_at(monkeypatch, base)
        code, out, err = invoke("digest", "-c", "cs.AI", "-f", "json", "--explain")
        assert code == 0, err
        digest = json.loads(out)
        assert digest["date"] == "2026-09-29"
        # Hugging Face alone noticed 2609.31763: 1/(1+1) of 100 (stars of a repository of
        # unknown age do not count). 2301.02225 is a 2023 paper only cross-listed today: its
        # Hacker News story is from 2024, so it takes no slot.
        assert [(i["paper"]["arxiv_id"], i["score"]) for i in digest["items"]] == [
            ("2609.31763", 50),
        ]
        (part,) = digest["items"][0]["breakdown"]
        assert part["counts"] == {"upvotes": 40, "comments": 1, "stars": 9}
        assert part["weighted"] == 40 + 0.5 * 1
        assert digest["sources_used"] == ["huggingface", "hackernews", "github"]
        # A second run within the cache TTL does not ask arXiv again; the snapshot is kept.
        assert invoke("digest", "-c", "cs.AI")[0] == 0
        assert sum(path.startswith("/atom/") for path in seen) == 1
        assert (tmp_path / "data" / "snapshots" / "2026-09-29_cs.AI.json").is_file()
        # That day can be replayed by date, offline, from the saved snapshot.
        code, out, _ = invoke(
            "digest", "-c", "cs.AI", "--date", "2026-09-29", "-f", "json", "--min-score", "0"
        )
        assert code == 0
        old = next(i for i in json.loads(out)["items"] if i["paper"]["arxiv_id"] == "2301.02225")
        assert (old["old"], old["score"]) == ("cross-listed", 0)
        assert old["paper"]["title"] == "$l_{1-2}$ GLasso: Regularized Multi-task Graphical Lasso"
    # Its counts were kept as readings: the best of its week comes from the store.
    code, out, err = invoke("digest", "--span", "week", "-f", "json", "--min-score", "0")
    assert code == 0, err
    week = {i["paper"]["arxiv_id"]: i for i in json.loads(out)["items"]}
    assert week["2301.02225"]["old"] == "cross-listed"


def test_a_live_day_without_announcement_says_so(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(live_routes(data, "arxiv_rss_empty_holiday_feed_physics_2025-12-31.xml")) as (
        base,
        seen,
    ):
        point_at(monkeypatch, base)
        code, out, _ = invoke("digest", "-c", "physics")
    assert code == 0
    assert "No new arXiv papers were announced for 2025-12-31" in out
    assert not any(path.startswith("/api/") for path in seen)


def test_a_past_day_never_fetched_is_backfilled_from_the_arxiv_api(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routes = live_routes(data, "arxiv_rss_atom_cs.AI_2026-09-29_trimmed.xml")
    api = (data / "arxiv_api_atom_2026-09-29_trimmed.xml").read_bytes()
    queries: list[dict] = []

    def answer(q: dict) -> tuple[int, str, bytes]:
        queries.append(q)
        return 200, "application/atom+xml", api

    routes["/api/query"] = answer
    hf = json.loads((data / "hf_daily_papers_single_entry_2026-03.json").read_text())
    hf[0]["paper"].update(id="2609.35770", upvotes=12)
    routes["/api/daily_papers"] = lambda q: (
        200,
        "application/json",
        json.dumps(hf if q["date"] == ["2026-09-29"] else []).encode(),
    )
    with serve(routes) as (base, seen):
        point_at(monkeypatch, base)
        monkeypatch.setenv("HOTPAPERS_ARXIV_API_URL", f"{base}/api/query")
        code, out, err = invoke("digest", "-c", "cs", "--date", "2026-09-29", "-f", "json")
        assert code == 0, err
        assert not any(path.startswith("/atom/") for path in seen)  # the feed is not asked
        # Served again from what was kept, without asking arXiv again.
        assert invoke("digest", "-c", "cs", "--date", "2026-09-29")[0] == 0
    digest = json.loads(out)
    assert digest["date"] == "2026-09-29"
    assert [(i["paper"]["arxiv_id"], i["paper"]["announced"]) for i in digest["items"]] == [
        ("2609.35770", "2026-09-29")
    ]
    assert digest["items"][0]["breakdown"][0]["counts"]["upvotes"] == 12
    (query,) = queries  # one page: the only entry; asked once
    (search,) = query["search_query"]
    assert search.startswith("(cat:cs.AI OR cat:cs.AR OR ")
    assert search.endswith(") AND submittedDate:[202609251800 TO 202609281759]")
    # The backfilled day is kept as readings too: the best of its week comes from the store.
    code, out, err = invoke("digest", "--span", "week", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["start"] == "2026-09-23"


def test_a_failing_source_is_named_and_the_digest_still_comes_out(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routes = live_routes(data, "arxiv_rss_atom_cs.AI_2026-09-29_trimmed.xml")
    routes["/api/v1/search_by_date"] = lambda q: (429, "text/plain", b"slow down")
    with serve(routes) as (base, _):
        point_at(monkeypatch, base)
        code, out, _ = invoke("digest", "-c", "cs.AI")
    assert code == 0
    assert "Unavailable: Hacker News: HTTP 429." in out
    assert "SMARtCARE" in out


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HOTPAPERS_WEIGHTS", "not json", "weights"),
        ("HOTPAPERS_SOURCES", '["myspace"]', "sources"),
        ("HOTPAPERS_CACHE_TTL_MINUTES", "-5", "cache_ttl_minutes"),
        ("HOTPAPERS_CONFIG", "/nonexistent/hotpapers.toml", "not a file"),
    ],
)
def test_bad_settings_are_named_in_one_sentence(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    code, _, err = invoke("digest", "--sample")
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_settings_are_read_from_the_toml_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "hotpapers.toml"
    config.write_text('min_score = 80\nrank_prior = 0\n[weights]\n"twitter.favorites" = 0\n')
    monkeypatch.setenv("HOTPAPERS_CONFIG", str(config))
    code, out, _ = invoke("digest", "--sample", "-f", "json")
    assert code == 0
    # Retweets only, 13 papers, K = 0: the leader gets 13/13 of 100, then 12/13, 11/13.
    items = json.loads(out)["items"]
    assert [i["paper"]["arxiv_id"] for i in items] == ["2103.09742", "2103.09460", "2103.09568"]
    assert [i["score"] for i in items] == pytest.approx([100, 1200 / 13, 1100 / 13])
    assert [i["breakdown"][0]["weighted"] for i in items] == [1802, 789, 552]
    config.write_text("min_score = [oops")
    code, _, err = invoke("digest", "--sample")
    assert code == 2
    assert "cannot be read" in err


def test_the_example_configuration_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "HOTPAPERS_CONFIG", str(Path(__file__).parents[2] / "config" / "hotpapers.example.toml")
    )
    assert invoke("digest", "--sample", "--top", "1")[0] == 0


def test_a_source_enabled_without_credentials_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOTPAPERS_SOURCES", '["hackernews", "bluesky"]')
    monkeypatch.setenv("HOTPAPERS_ARXIV_FEED_URL", "http://127.0.0.1:9/atom/")
    code, _, err = invoke("digest")
    assert code == 2
    assert "Source 'bluesky' is enabled but its credentials are not set" in " ".join(err.split())


def test_sources_default_to_those_with_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import load_settings

    assert load_settings().enabled_sources() == ("huggingface", "hackernews", "github")
    monkeypatch.setenv("HOTPAPERS_BLUESKY_HANDLE", "lab.bsky.social")
    monkeypatch.setenv("HOTPAPERS_BLUESKY_APP_PASSWORD", "xxxx-xxxx")
    monkeypatch.setenv("HOTPAPERS_X_BEARER_TOKEN", "secret-token")
    settings = load_settings()
    assert settings.enabled_sources() == (
        "huggingface",
        "hackernews",
        "bluesky",
        "twitter",
        "github",
    )
    assert "secret-token" not in repr(settings)
    assert "xxxx-xxxx" not in repr(settings)


def test_on_a_day_without_announcement_the_latest_saved_day_is_shown(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.schedule import announcement_date
    from bot.snapshot import sample_snapshot, write_snapshot

    latest = announcement_date(dt.datetime.now(dt.UTC))
    saved = sample_snapshot().model_copy(update={"date": latest})
    write_snapshot(
        saved,
        tmp_path / "data" / "snapshots" / f"{latest:%Y-%m-%d}_physics.json",
        make_parents=True,
    )
    with serve(live_routes(data, "arxiv_rss_empty_holiday_feed_physics_2025-12-31.xml")) as (
        base,
        _,
    ):
        point_at(monkeypatch, base)
        code, out, _ = invoke("digest", "-c", "physics", "--top", "1")
    assert code == 0
    assert out.startswith(f"Hot Papers {latest:%Y-%m-%d}")


def test_an_empty_variable_means_unset_as_compose_files_write_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.settings import load_settings

    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    monkeypatch.setenv("DISCORD_TOKEN", "")
    monkeypatch.setenv("HOTPAPERS_X_BEARER_TOKEN", "")
    settings = load_settings()
    assert settings.slack_bot_token is None
    assert settings.discord_token is None
    assert "twitter" not in settings.enabled_sources()
