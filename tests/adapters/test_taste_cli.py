"""``hotpapers interests import`` and ``digest --for``: a channel's taste from the shell."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from bot.snapshot import sample_snapshot
from bot.store import open_store
from tests.fakeserver import serve

runner = CliRunner()
BIB = r"""
@article{ogb, title = {{OGB-LSC}: A Large-Scale Challenge for Machine Learning on Graphs},
  eprint = {2103.09430}, abstract = {Graph learning at scale: molecules, knowledge graphs.}}
@book{gnn, title = {Graph Representation Learning}, abstract = {Graph neural networks.}}
"""


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in list(os.environ):
        if name.startswith("HOTPAPERS_"):
            monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'taste.db'}"
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOTPAPERS_DATABASE_URL", url)
    return url


def stored_sample(url: str) -> None:
    async def record() -> None:
        store = await open_store(url)
        try:
            await store.readings.record(sample_snapshot())
        finally:
            await store.close()

    asyncio.run(record())


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_bibtex_interests_are_imported_once(tmp_path: Path) -> None:
    bib = tmp_path / "lab.bib"
    bib.write_text(BIB)
    code, out, err = invoke("interests", "import", "--channel", "slack:C1", str(bib))
    assert code == 0, err
    assert "slack:C1: 2 interest(s) from lab.bib (bibtex), 2 new" in out
    _, out, _ = invoke("interests", "import", "--channel", "slack:C1", str(bib))
    assert "2 new" not in out
    assert "(2 already imported)" in out


def test_ids_take_the_stored_paper_else_arxivs_api(
    tmp_path: Path, data: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored_sample(database)
    one = (data / "arxiv_api_atom_idlist_2025-11-11.xml").read_bytes()
    asked: list[str] = []

    def query(params: dict[str, list[str]]) -> tuple[int, str, bytes]:
        asked.extend(params["id_list"])
        return 200, "application/atom+xml", one

    ids = tmp_path / "ids.txt"
    ids.write_text("2103.09742v1  # stored\n2201.13452\n2201.99999\n")
    with serve({"/api/query": query}) as (base, _):
        monkeypatch.setenv("HOTPAPERS_ARXIV_API_URL", f"{base}/api/query")
        code, out, err = invoke("interests", "import", "--channel", "console:lab", str(ids))
    assert code == 0, err
    assert asked == ["2201.13452,2201.99999"]  # the stored paper is not asked for
    assert "console:lab: 2 interest(s) from ids.txt (ids), 2 new" in out
    assert "skipped 1 id(s) arXiv does not know: 2201.99999" in err


def test_a_bad_interests_file_or_channel_is_one_sentence(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing here\n")
    code, _, err = invoke("interests", "import", "--channel", "slack:C1", str(empty))
    assert code == 2
    assert "holds no arXiv id" in err
    code, _, err = invoke("interests", "import", "--channel", "C1", str(empty))
    assert code == 2
    assert "PLATFORM:ID" in err
    code, _, err = invoke("interests", "import", "--channel", "slack:C1", str(tmp_path / "no"))
    assert code == 2


def subscribe(*extra: str) -> None:
    code, _out, err = invoke(
        "subscriptions", "add", "--platform", "console", "--channel", "lab", "-c", "cs.LG", *extra
    )
    assert code == 0, err


def order(*args: str) -> list[dict[str, object]]:
    code, out, err = invoke("digest", "--sample", "--for", "console:lab", "-f", "json", *args)
    assert code == 0, err
    return json.loads(out)["items"]  # type: ignore[no-any-return]


def test_a_channel_gets_its_liked_kind_of_paper_first(database: str) -> None:
    stored_sample(database)
    subscribe("--top", "5", "--mix", "0.6")
    _, listed, _ = invoke("subscriptions", "list")
    assert "mix 0.6" in listed
    hot = order("--mix", "0")
    assert {i["blend"]["mix"] for i in hot} == {0.0}  # type: ignore[index]
    assert [i["paper"]["arxiv_id"] for i in hot][:2] == ["2103.09742", "2103.09568"]
    invoke("feedback", "add", "--channel", "console:lab", "--like", "2103.09430")
    mine = order()
    assert len(mine) == 5
    assert mine[0]["paper"]["arxiv_id"] == "2103.09430"
    assert mine[0]["blend"]["mix"] == 0.6  # the subscription's
    code, out, _ = invoke("digest", "--sample", "--for", "console:lab", "--explain")
    assert code == 0
    assert "blend 0." in out
    assert "× relevance" in out


def test_imported_interests_lift_papers_and_say_so(tmp_path: Path) -> None:
    subscribe()
    bib = tmp_path / "lab.bib"
    bib.write_text(BIB.replace("2103.09430", "2001.00001"))
    invoke("interests", "import", "--channel", "console:lab", str(bib))
    items = order("--mix", "0.9")
    first = items[0]
    assert first["paper"]["arxiv_id"] == "2103.09430"
    assert "close to what you liked: OGB-LSC" in str(first["why"])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--for", "console:nowhere"], "console:nowhere has no subscription"),
        (["--mix", "0.5"], "--mix goes with --for"),
        (["--for", "console:lab", "-c", "cs.AI"], "goes without --category"),
        (["--for", "console:lab", "--exclude", "GAN"], "--exclude"),
        (["--for", "console:lab", "--author", "Jinwoo Shin"], "--author"),
        (["--for", "lab"], "PLATFORM:ID"),
    ],
)
def test_digest_for_refuses_what_it_cannot_do(args: list[str], says: str) -> None:
    subscribe()
    code, _, err = invoke("digest", "--sample", *args)
    assert code == 2
    assert says in err


def test_a_scheduled_post_is_the_channels_blend(database: str) -> None:
    """``deliver`` posts what ``digest --for`` shows: the liked kind of paper first."""
    stored_sample(database)
    subscribe("--top", "3", "--mix", "0.8", "--weekdays", "daily")
    invoke("feedback", "add", "--channel", "console:lab", "--like", "2103.09430")
    code, out, err = invoke("deliver", "--sample", "--at", "2026-11-25T09:05:00+00:00")
    assert code == 0, err
    ranked = [line.strip() for line in out.splitlines() if line[:4] in (" 1. ", " 2. ", " 3. ")]
    assert ranked[:2] == [
        "1. OGB-LSC: A Large-Scale Challenge for Machine Learning on Graphs",
        "2. Training GANs with Stronger Augmentations via Contrastive Discriminator",
    ]
    assert len(ranked) == 3


def test_digest_for_shows_the_subscriptions_own_filters_as_its_post_does() -> None:
    subscribe("--exclude", "GAN", "--mix", "0")
    titles = [str(i["paper"]["title"]) for i in order()]  # type: ignore[index]
    assert titles
    assert not any("GAN" in title for title in titles)
    code, out, _ = invoke("digest", "--sample", "--for", "console:lab")
    assert code == 0
    assert "GAN" not in out.split("\n 1. ")[1]


def test_digest_for_shows_the_active_subscription_not_a_paused_one() -> None:
    subscribe("--author", "Nobody Atall")
    subscribe("--mix", "0")
    code, _, err = invoke("subscriptions", "pause", "1")  # the first, whose author wrote nothing
    assert code == 0, err
    items = order()
    assert items  # the paused one's author matches nothing; the active one shows the day
