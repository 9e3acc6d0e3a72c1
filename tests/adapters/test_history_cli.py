"""The time views from the command line: snapshot save, import-post --save, --rising, --span."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.hotpost import import_post
from bot.snapshot import Snapshot, write_snapshot
from tests.adapters.test_cli import invoke, isolated

__all__ = ["isolated"]  # the autouse fixture: a fresh data directory and no HOTPAPERS_* settings


def later_reading(snap: Snapshot, hours: int, extra: dict[str, int]) -> Snapshot:
    """The same day read again ``hours`` later, with more retweets for some papers."""
    signals = []
    for s in snap.signals:
        if s.counts and s.arxiv_id in extra:
            counts = {**s.counts, "retweets": s.counts["retweets"] + extra[s.arxiv_id]}
            s = s.model_copy(update={"counts": counts})
        if s.taken_at is not None:
            s = s.model_copy(update={"taken_at": s.taken_at + dt.timedelta(hours=hours)})
        signals.append(s)
    moment = snap.taken_at + dt.timedelta(hours=hours) if snap.taken_at else None
    return snap.model_copy(update={"signals": tuple(signals), "taken_at": moment})


def test_snapshot_save_keeps_each_files_taken_at_and_rising_shows_the_gain(
    seed_text: str, tmp_path: Path
) -> None:
    first = import_post(seed_text, name="seed.md")
    files = []
    for hours, extra in (
        (0, {}),
        (4, {"2103.09568": 40}),
        (10, {"2103.09568": 50, "2103.09776": 30}),
    ):
        path = tmp_path / f"reading-{hours}.json"
        write_snapshot(later_reading(first, hours, extra), path)
        files.append(str(path))
    code, _, err = invoke("snapshot", "save", *files)
    assert code == 0, err
    assert "reading-4.json: 2021-03-18, 13 papers" in err
    code, out, err = invoke("digest", "--rising", "-f", "json")
    assert code == 0, err
    digest = json.loads(out)
    assert digest["view"] == "rising"
    assert [(i["paper"]["arxiv_id"], i["gain_per_hour"]) for i in digest["items"]] == [
        ("2103.09568", 5.0),
        ("2103.09776", 3.0),
    ]
    # Loading the same files again adds nothing.
    code, _, err = invoke("snapshot", "save", *files)
    assert code == 0
    assert "0 new readings" in err
    assert json.loads(invoke("digest", "--rising", "-f", "json")[1]) | {
        "generated_at": None
    } == digest | {"generated_at": None}


def test_import_post_save_then_the_day_and_its_week_come_from_the_store(
    data: Path, tmp_path: Path
) -> None:
    code, out, err = invoke(
        "snapshot", "import-post", str(data / "hot-papers-2021-03-18.md"), "--save"
    )
    assert code == 0, err
    assert out == ""
    assert "2021-03-18, 13 papers, 27 new readings" in err
    code, out, err = invoke("digest", "--date", "2021-03-18", "--top", "1", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["items"][0]["paper"]["arxiv_id"] == "2103.09742"
    code, out, err = invoke("digest", "--span", "week", "--date", "2021-03-19", "-f", "json")
    assert code == 0, err
    week = json.loads(out)
    assert (week["view"], week["start"], week["date"]) == ("week", "2021-03-13", "2021-03-19")
    assert len(week["items"]) == 13


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rising"], "nothing can be seen rising"),
        (["--span", "week"], "there is no best-of"),
        (["--span", "year"], "--span"),
        (["--rising", "--span", "week"], "either --rising or --span"),
        (["--rising", "--sample"], "not --snapshot or --sample"),
    ],
)
def test_time_views_without_history_get_one_sentence(args: list[str], message: str) -> None:
    code, _, err = invoke("digest", *args)
    assert code == 2
    assert message in " ".join(err.split())
    assert "Traceback" not in err


def test_a_bad_file_is_named_and_skipped_and_the_others_are_saved(
    data: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    empty = tmp_path / "empty.md"
    empty.write_text("---\ntitle: Hot Papers 2021-03-19\n---\n")
    post = str(data / "hot-papers-2021-03-18.md")
    code, _, err = invoke("snapshot", "save", str(broken), post, str(empty))
    assert code == 2
    assert "skipped: Snapshot file" in err
    assert "is not valid JSON" in err
    assert "skipped: empty.md lists no papers" in err
    assert "hot-papers-2021-03-18.md: 2021-03-18, 13 papers" in err
    assert invoke("digest", "--span", "week")[0] == 0


def test_retention_forgets_old_days_and_says_so(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTPAPERS_READINGS_RETENTION_DAYS", "30")
    old = import_post((data / "hot-papers-2021-03-18.md").read_text(encoding="utf-8"))
    path = tmp_path / "old.json"
    write_snapshot(old.model_copy(update={"date": dt.date(2021, 1, 4)}), path)
    code, _, err = invoke("snapshot", "save", str(path), str(data / "hot-papers-2021-03-18.md"))
    assert code == 0, err
    assert (
        "1 days from 2021-01-04 to 2021-01-04 are older than readings_retention_days"
        in " ".join(err.split())
    )
    code, _, err = invoke("digest", "--span", "month", "--date", "2021-01-10")
    assert code == 2
    assert "No announcement day between 2020-12-11 and 2021-01-10 is stored" in " ".join(
        err.split()
    )


async def test_a_source_that_cannot_search_back_is_named_unavailable() -> None:
    from adapters.cli.live import CannotSearchBack
    from bot.engine import DigestEngine
    from bot.models import Announcement
    from tests.fakes import StaticFeed, paper

    feed = StaticFeed(Announcement(date=dt.date(2021, 3, 18), papers=(paper("2103.09742"),)))
    snapshot = await DigestEngine(feed, [CannotSearchBack("reddit")]).collect(["cs"])
    assert [(f.source, f.reason) for f in snapshot.sources_failed] == [
        ("reddit", "its listings do not reach back to past days")
    ]


def test_refresh_reads_the_stored_days_again_as_new_readings(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.adapters.test_cli import live_routes, point_at
    from tests.fakeserver import serve

    assert "nothing to refresh" in invoke("snapshot", "refresh")[2]
    with serve(live_routes(data, "arxiv_rss_atom_cs.AI_2026-09-29_trimmed.xml")) as (base, seen):
        point_at(monkeypatch, base)
        assert invoke("digest", "-c", "cs.AI")[0] == 0
        asked = len(seen)
        code, _, err = invoke("snapshot", "refresh", "--days", "2")
        assert code == 0, err
        # The sources were asked again (not their cache), arXiv was not.
        again = seen[asked:]
        assert any(path.startswith("/api/v1/search_by_date") for path in again)
        assert not any(path.startswith("/atom/") for path in again)
    assert "2026-09-29: 2 papers, 2 new readings." in err


def test_snapshot_save_loads_the_bundled_sample_and_wants_something_to_load() -> None:
    code, _, err = invoke("snapshot", "save", "--sample")
    assert code == 0, err
    assert "hotpapers: the bundled sample: 2021-03-18, 13 papers" in err
    code, _, err = invoke("snapshot", "save")
    assert code == 2
    assert "Give snapshot files or posts to load, or --sample." in err
