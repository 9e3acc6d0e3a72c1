"""The published page as a real browser lays it out, at a desktop's and a phone's width.

Needs Debian's ``chromium``; skipped with a reason where it is absent.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from bot.engine import build_digest
from bot.models import Filters, Post
from bot.render.html import render_html
from bot.snapshot import Snapshot, sample_snapshot, write_snapshot
from tests import chromium
from tests.adapters.test_slack import hostile_snapshot

pytestmark = pytest.mark.skipif(
    chromium.executable() is None,
    reason="Chromium is not installed (apt-get install chromium), so no browser can lay out the page",
)

# What the tests want to know of a laid-out page, measured by the browser itself.
LAYOUT = """(() => {
  const h1 = document.querySelector("h1");
  const line = parseFloat(getComputedStyle(h1).lineHeight);
  return {
    innerWidth: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    titleHeight: h1.getBoundingClientRect().height,
    lineHeight: line,
    background: getComputedStyle(document.body).backgroundColor,
    abstractsOpen: [...document.querySelectorAll("details")].filter(d => d.open).length,
    abstracts: document.querySelectorAll("details").length,
  };
})()"""


NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
OPEN_ALL = 'document.querySelectorAll("details").forEach(d => { d.open = true; })'


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))


def publish_into(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "site"
    result = CliRunner().invoke(app, ["publish", "--out", str(out), *args])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return publish_into(tmp_path, "--sample")


def fits(layout: dict[str, float], width: int) -> None:
    assert layout["scrollWidth"] <= width, "the page scrolls sideways"
    # A phone zooms out to show a page wider than itself: its viewport would be wider.
    assert layout["innerWidth"] == width, "the page scrolls sideways"
    assert layout["scrollWidth"] <= layout["innerWidth"], "the page scrolls sideways"
    # One line: the title is as tall as one line (a second line would double it).
    assert layout["titleHeight"] < 1.5 * layout["lineHeight"], "the title breaks"


async def test_the_day_fits_a_desktop_and_a_phone_with_the_title_on_one_line(site: Path) -> None:
    path = chromium.executable()
    assert path is not None
    url = (site / "hot-papers-2021-03-18.html").as_uri()
    async with chromium.chromium(path) as page:
        layouts = {}
        for width in (1280, 390):
            for dark in (False, True):
                await page.open(url, width=width, dark=dark)
                layouts[width, dark] = await page.evaluate(LAYOUT)
        # Opened, the abstracts must fit too.
        await page.evaluate(OPEN_ALL)
        opened = await page.evaluate(LAYOUT)
        await page.open((site / "index.html").as_uri(), width=390)
        index = await page.evaluate(LAYOUT)
    for (width, _dark), layout in layouts.items():
        fits(layout, width)
        assert layout["abstracts"] == 13
        assert layout["abstractsOpen"] == 0  # abstracts start collapsed
    assert layouts[390, True]["background"] != layouts[390, False]["background"]
    assert opened["abstractsOpen"] == 13
    fits(opened, 390)
    fits(index, 390)


async def test_a_week_fits_a_phone_with_its_title_broken_between_words(tmp_path: Path) -> None:
    digest = build_digest(sample_snapshot(), Filters(), generated_at=NOW)
    week = digest.model_copy(update={"view": "week", "start": dt.date(2021, 3, 12)})
    page_file = tmp_path / "week.html"
    page_file.write_text(render_html(week), encoding="utf-8")
    path = chromium.executable()
    assert path is not None
    async with chromium.chromium(path) as page:
        await page.open(page_file.as_uri(), width=390)
        layout = await page.evaluate(LAYOUT)
        dates = await page.evaluate(
            '[...document.querySelectorAll("h1 .nw")].map(e => e.getClientRects().length)'
        )
    assert layout["scrollWidth"] <= 390
    assert layout["innerWidth"] == 390
    assert len(dates) == 9  # Hot Papers, best of the week 2021-03-12 – 2021-03-18
    assert dates == [1] * 9  # no word, and no date, is broken inside


async def test_unbroken_upstream_text_cannot_make_a_phone_scroll_sideways(tmp_path: Path) -> None:
    """A title, abstract or post of one 300-character word still wraps inside the screen."""
    word = "Supercalifragilistic" * 15
    snapshot = hostile_snapshot(2)
    papers = tuple(
        p.model_copy(update={"title": word, "abstract": f"{word} {word}", "authors": (word,)})
        for p in snapshot.papers
    )
    post = Post(url="https://bsky.app/profile/a/post/1", text=f"{word} https://t.co/x", author=word)
    signals = tuple(s.model_copy(update={"post": post}) for s in snapshot.signals)
    crafted = tmp_path / "long.json"
    write_snapshot(Snapshot(date=snapshot.date, papers=papers, signals=signals), crafted)
    out = publish_into(tmp_path, "--snapshot", str(crafted))
    path = chromium.executable()
    assert path is not None
    async with chromium.chromium(path) as page:
        await page.open((out / "hot-papers-2026-11-24.html").as_uri(), width=390)
        await page.evaluate(OPEN_ALL)
        layout = await page.evaluate(LAYOUT)
        await page.open((out / "index.html").as_uri(), width=390)
        index = await page.evaluate(LAYOUT)
    fits(layout, 390)
    fits(index, 390)


async def test_the_layout_check_sees_a_page_that_scrolls_sideways_or_a_broken_title(
    tmp_path: Path,
) -> None:
    """The measurement above can fail: a too-wide page and a two-line title are caught."""
    path = chromium.executable()
    assert path is not None
    wide = tmp_path / "wide.html"
    wide.write_text(
        '<!doctype html><meta name="viewport" content="width=device-width">'
        '<h1 style="line-height:1.2">Hot Papers 2021-03-18 and a title too long for a phone</h1>'
        '<div style="width:2000px">x</div>',
        encoding="utf-8",
    )
    async with chromium.chromium(path) as page:
        await page.open(wide.as_uri(), width=390)
        layout = await page.evaluate(LAYOUT.replace('document.querySelectorAll("details")', "[]"))
    with pytest.raises(AssertionError, match="scrolls sideways"):
        fits(layout, 390)
    layout |= {"scrollWidth": 390, "innerWidth": 390}
    with pytest.raises(AssertionError, match="the title breaks"):
        fits(layout, 390)
