from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from bot.snapshot import Snapshot, write_snapshot
from tests.adapters.test_slack import hostile_snapshot

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("HOTPAPERS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))


def publish(*args: str) -> None:
    result = runner.invoke(app, ["publish", *args])
    assert result.exit_code == 0, result.stderr


def test_a_day_is_published_as_post_page_index_and_feed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish("--out", str(site), "--sample", "--base-url", "https://lab.example.org/papers")
    post = (site / "posts" / "hot-papers-2021-03-18.md").read_text(encoding="utf-8")
    assert post.startswith("---\ntitle: Hot Papers 2021-03-18\n")
    assert 'slug: "hot-papers-2021-03-18"' in post
    page = (site / "hot-papers-2021-03-18.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "Roxana Rădulescu" in page
    assert '<a href="https://arxiv.org/abs/2103.09742">' in page
    assert "hot-papers-2021-03-18.html" in (site / "index.html").read_text(encoding="utf-8")
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    (entry,) = feed.entries
    assert entry.title == "Hot Papers 2021-03-18"
    assert entry.link == "https://lab.example.org/papers/hot-papers-2021-03-18.html"
    assert "Training GANs" in entry.summary


def test_publishing_a_day_again_replaces_it_and_other_days_stay(tmp_path: Path) -> None:
    site = tmp_path / "site"
    other = tmp_path / "other.json"
    write_snapshot(hostile_snapshot(2), other)
    publish("--out", str(site), "--sample", "--top", "3")
    publish("--out", str(site), "--snapshot", str(other))
    publish("--out", str(site), "--sample", "--top", "5")
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Hot Papers 2026-11-24", "Hot Papers 2021-03-18"]
    manifest = json.loads((site / "archive.json").read_text())
    assert sorted(d["papers"] for d in manifest["days"]) == [2, 5]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count('<section class="day">') == 2
    assert index.index("2026-11-24") < index.index("2021-03-18")  # newest first


def test_upstream_text_cannot_inject_html(tmp_path: Path) -> None:
    snapshot = hostile_snapshot(1)
    paper = snapshot.papers[0].model_copy(
        update={"title": '<script>alert("x")</script>', "abstract": "<img src=x onerror=alert(1)>"}
    )
    evil = tmp_path / "evil.json"
    write_snapshot(Snapshot(date=snapshot.date, papers=(paper,), signals=snapshot.signals), evil)
    site = tmp_path / "site"
    publish("--out", str(site), "--snapshot", str(evil))
    page = (site / "hot-papers-2026-11-24.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "<img" not in page
    assert not feedparser.parse((site / "feed.xml").read_bytes()).bozo


def test_bad_archive_arguments_are_refused(tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_text("x")
    result = runner.invoke(app, ["publish", "--out", str(afile), "--sample"])
    assert result.exit_code == 2
    assert "is a file, not a directory" in result.stderr
    result = runner.invoke(
        app, ["publish", "--out", str(tmp_path / "s"), "--sample", "--base-url", "lab"]
    )
    assert result.exit_code == 2
    assert "--base-url is an http(s) URL" in result.stderr


CONTROLS = "\x00\x07\x1b\x0b\x1f\x7f\x85"


def test_control_characters_in_a_title_leave_the_feed_and_page_readable(tmp_path: Path) -> None:
    """NUL, BEL, ESC, VT from upstream would make feed.xml fail to parse for every reader."""
    snapshot = hostile_snapshot(1)
    paper = snapshot.papers[0].model_copy(
        update={
            "title": f"Bad{CONTROLS}title",
            "abstract": f"We propose a bad{CONTROLS}abstract for all.",
            "authors": (f"Eve{CONTROLS}",),
        }
    )
    crafted = tmp_path / "crafted.json"
    write_snapshot(Snapshot(date=snapshot.date, papers=(paper,), signals=snapshot.signals), crafted)
    site = tmp_path / "site"
    publish("--out", str(site), "--snapshot", str(crafted))
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert "Bad" in feed.entries[0].summary
    assert "TL;DR: We propose a bad" in feed.entries[0].summary
    for name in (
        "hot-papers-2026-11-24.html",
        "index.html",
        "feed.xml",
        "posts/hot-papers-2026-11-24.md",
    ):
        written = (site / name).read_text(encoding="utf-8")
        assert not any(c in written for c in CONTROLS), name


def test_the_page_and_feed_carry_why_tldr_and_links(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish("--out", str(site), "--sample", "--top", "1")
    page = (site / "hot-papers-2021-03-18.html").read_text(encoding="utf-8")
    assert '<p class="why">X/Twitter, 1,802 retweets, 277 likes</p>' in page
    assert '<p class="tldr"><b>TL;DR</b> We propose a novel way' in page
    assert '<a href="https://github.com/jh-jeong/ContraD">GitHub</a>' in page
    assert '<a href="https://www.alphaxiv.org/abs/2103.09742">alphaXiv</a>' in page
    (entry,) = feedparser.parse((site / "feed.xml").read_bytes()).entries
    assert "X/Twitter, 1,802 retweets, 277 likes. TL;DR: We propose" in entry.summary
