from __future__ import annotations

import json
import os
import re
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from bot.models import Post
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
    assert 'title="93 points: how much attention a paper drew' in page  # the badge explains
    assert '<p class="tldr"><b>TL;DR</b> We propose a novel way' in page
    assert '<a href="https://github.com/jh-jeong/ContraD">GitHub</a>' in page
    assert '<a href="https://www.alphaxiv.org/abs/2103.09742">alphaXiv</a>' in page
    (entry,) = feedparser.parse((site / "feed.xml").read_bytes()).entries
    assert "X/Twitter, 1,802 retweets, 277 likes. TL;DR: We propose" in entry.summary
    # The entry is the whole day: why, TL;DR, links and the full abstract.
    content = entry.content[0].value
    assert "<b>Why it is hot:</b> X/Twitter, 1,802 retweets, 277 likes" in content
    assert '<a href="https://github.com/jh-jeong/ContraD">GitHub</a>' in content
    assert "a byproduct, we also show that our GANs trained in an unsupervised manner" in content


def test_the_feed_links_to_itself_and_every_link_is_absolute(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish("--out", str(site), "--sample", "--base-url", "https://lab.example.org/papers/")
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "self": "https://lab.example.org/papers/feed.xml",
        "alternate": "https://lab.example.org/papers/index.html",
    }
    (entry,) = feed.entries
    assert entry.id == "urn:hotpapers:hot-papers-2021-03-18"
    assert len(entry.content) == 1
    assert entry.content[0].type == "text/html"
    hrefs = re.findall(r'href="([^"]*)"', entry.content[0].value)
    assert hrefs
    assert all(h.startswith("https://") for h in hrefs), hrefs
    assert "https://lab.example.org/papers/hot-papers-2021-03-18.html" in hrefs


def test_the_base_url_is_remembered_and_without_one_the_feed_warns(tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = runner.invoke(app, ["publish", "--out", str(site), "--sample"])
    assert first.exit_code == 0, first.stderr
    assert "warning: feed.xml links point to file://" in first.stderr
    assert "pass --base-url" in first.stderr
    local = (site / "hot-papers-2021-03-18.html").resolve().as_uri()
    assert (
        f'<link href="{local}"/>' in (site / "feed.xml").read_text()
    )  # feedparser mangles file:///
    publish("--out", str(site), "--sample", "--base-url", "https://lab.example.org/papers")
    again = runner.invoke(app, ["publish", "--out", str(site), "--sample", "--top", "2"])
    assert again.exit_code == 0, again.stderr
    assert "warning" not in again.stderr
    (entry,) = feedparser.parse((site / "feed.xml").read_bytes()).entries
    assert entry.link == "https://lab.example.org/papers/hot-papers-2021-03-18.html"


def test_the_page_shows_latex_as_unicode_and_links_of_posts_by_domain(tmp_path: Path) -> None:
    snapshot = hostile_snapshot(1)
    paper = snapshot.papers[0].model_copy(
        update={
            "title": r"Fast {\em sparse} routing, $2.5\times$ cheaper",
            "abstract": r"We cut 13% of the cost with Schr\"odinger bridges.",
        }
    )
    post = Post(
        url="javascript:alert(1)",
        author="mallory",
        text='code: https://t.co/AbC123 and https://www.github.com/lab/x"onmouseover=x pic.twitter.com/Zz9',
        counts={"likes": 5},
    )
    signal = snapshot.signals[0].model_copy(update={"post": post})
    crafted = tmp_path / "crafted.json"
    write_snapshot(Snapshot(date=snapshot.date, papers=(paper,), signals=(signal,)), crafted)
    site = tmp_path / "site"
    publish("--out", str(site), "--snapshot", str(crafted))
    page = (site / "hot-papers-2026-11-24.html").read_text(encoding="utf-8")
    assert "Fast sparse routing, 2.5× cheaper</a>" in page
    assert "We cut 13% of the cost with Schrödinger bridges." in page
    assert '<span class="domain">t.co link</span>' in page
    assert '<span class="domain">github.com</span>' in page
    assert '<span class="domain">pic.twitter.com</span>' in page
    assert "t.co/AbC123" not in page
    assert "javascript:" not in page
    assert "&#34;onmouseover=x" in page  # the rest of a URL stays text: no attribute, no link
    assert "(post)" in page  # a post whose URL is not http(s) is named, not linked
    entry = feedparser.parse((site / "feed.xml").read_bytes()).entries[0]
    assert "Fast sparse routing, 2.5× cheaper" in entry.content[0].value
    assert "[t.co link]" in entry.content[0].value


def test_abstracts_are_collapsed_under_their_tldr(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish("--out", str(site), "--sample", "--top", "2")
    page = (site / "hot-papers-2021-03-18.html").read_text(encoding="utf-8")
    assert page.count("<details><summary>Abstract</summary>") == 2
    assert "<details open" not in page
    assert page.index('<p class="tldr">') < page.index("<details>")


def test_the_index_shows_the_latest_days_top_papers_and_finds_the_feed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish("--out", str(site), "--sample")
    for name in ("index.html", "hot-papers-2021-03-18.html"):
        html = (site / name).read_text(encoding="utf-8")
        assert (
            '<link rel="alternate" type="application/atom+xml" title="Hot Papers" href="feed.xml">'
            in html
        )
    index = (site / "index.html").read_text(encoding="utf-8")
    assert (
        '<a href="hot-papers-2021-03-18.html#2103.09742">Training GANs with Stronger '
        "Augmentations via Contrastive Discriminator</a>"
    ) in index
    assert 'title="93 points: how much attention' in index
    assert "TL;DR: We propose a novel way" in index


def test_an_archive_of_an_earlier_version_is_still_read(tmp_path: Path) -> None:
    """Manifests written before the top papers' ids, scores and contents are read as they are."""
    site = tmp_path / "site"
    site.mkdir()
    old = {
        "days": [
            {
                "date": "2021-03-17",
                "slug": "hot-papers-2021-03-17",
                "papers": 4,
                "top_titles": ["An $\\alpha$-old paper"],
                "updated": "2021-03-18T06:00:00Z",
            }
        ]
    }
    (site / "archive.json").write_text(json.dumps(old), encoding="utf-8")
    publish("--out", str(site), "--sample", "--base-url", "https://lab.example.org")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<a href="hot-papers-2021-03-17.html">An α-old paper</a>' in index
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Hot Papers 2021-03-18", "Hot Papers 2021-03-17"]
    assert "content" not in feed.entries[1]  # nothing to show in full; the summary stays
    assert feed.entries[1].summary == "4 papers: 1. An α-old paper"


def test_only_the_days_in_the_feed_keep_their_full_content(tmp_path: Path) -> None:
    """The manifest does not grow with a copy of every day ever published."""
    site = tmp_path / "site"
    site.mkdir()
    days = [
        {
            "date": f"2021-01-{n:02d}",
            "slug": f"hot-papers-2021-01-{n:02d}",
            "papers": 1,
            "top_titles": ["t"],
            "updated": f"2021-01-{n:02d}T06:00:00Z",
            "content": f"<p>day {n}</p>",
        }
        for n in range(1, 31)
    ]
    (site / "archive.json").write_text(json.dumps({"days": days}), encoding="utf-8")
    publish("--out", str(site), "--sample", "--base-url", "https://lab.example.org")
    kept = {
        d["date"]: d["content"] for d in json.loads((site / "archive.json").read_text())["days"]
    }
    assert len(kept) == 31
    assert kept["2021-01-01"] == ""  # the 31st newest day left the feed
    assert kept["2021-01-02"] == "<p>day 2</p>"
    assert "Training GANs" in kept["2021-03-18"]
    assert len(feedparser.parse((site / "feed.xml").read_bytes()).entries) == 30


def test_an_unreadable_manifest_is_one_sentence_not_a_traceback(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for broken in ('{"days": [], "base_url": 5}', '{"days": [{"slug": 1}]}', "not json"):
        (site / "archive.json").write_text(broken, encoding="utf-8")
        result = runner.invoke(app, ["publish", "--out", str(site), "--sample"])
        assert result.exit_code == 2
        assert "is not an archive manifest hotpapers can read" in result.stderr
        assert "Traceback" not in result.stderr
