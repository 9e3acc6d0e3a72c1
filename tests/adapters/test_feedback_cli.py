"""``hotpapers feedback add`` and ``list``: a channel's feedback from the shell, bad input in
one sentence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("HOTPAPERS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOTPAPERS_DATABASE_URL", f"sqlite:///{tmp_path / 'feedback.db'}")


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["feedback", *args])
    return result.exit_code, result.stdout, result.stderr


def test_feedback_added_is_listed_once_per_paper() -> None:
    code, out, _ = invoke(
        "add", "--channel", "slack:C1", "--like", "2103.09742v2", "arXiv:2101.00001"
    )
    assert code == 0, out
    assert "like on 2 paper(s), 2 new" in out
    code, out, _ = invoke(
        "add", "--channel", "slack:C1", "--like", "https://arxiv.org/abs/2103.09742"
    )
    assert "1 already recorded" in out
    invoke("add", "--channel", "slack:C1", "--save", "--user", "U7", "2101.00002")
    code, out, _ = invoke("list", "--channel", "slack:C1")
    assert code == 0
    assert [line.split()[-2] for line in out.splitlines() if "210" in line] == [
        "2103.09742",
        "2101.00001",
        "2101.00002",
    ]
    assert "(the channel)" in out
    assert "U7" in out
    assert "save" in out


def test_a_dislike_replaces_the_channels_like() -> None:
    invoke("add", "--channel", "discord:42", "--like", "2103.09742")
    invoke("add", "--channel", "discord:42", "--dislike", "2103.09742")
    _, out, _ = invoke("list", "--channel", "discord:42")
    assert "dislike" in out
    assert " like " not in out


def test_another_channels_feedback_is_not_listed() -> None:
    invoke("add", "--channel", "slack:C1", "--like", "2103.09742")
    code, out, err = invoke("list", "--channel", "slack:C2")
    assert code == 0
    assert "2103.09742" not in out
    assert "No feedback for slack:C2 yet" in err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--channel", "C1", "--like", "2103.09742"], "PLATFORM:ID"),
        (["--channel", "irc:C1", "--like", "2103.09742"], "not one of slack, discord, console"),
        (["--channel", "slack:C1", "2103.09742"], "exactly one of --like, --dislike, --save"),
        (["--channel", "slack:C1", "--like", "--save", "2103.09742"], "exactly one of"),
        (
            ["--channel", "slack:C1", "--like", "2103.09742", "21.3", "cats"],
            "Not an arXiv id (such as 2103.09742 or hep-th/9901001): “21.3”, “cats”",
        ),
    ],
)
def test_bad_input_is_one_sentence_and_records_nothing(args: list[str], says: str) -> None:
    code, _, err = invoke("add", *args)
    assert code == 2
    assert says in err
    assert "Traceback" not in err
    _, out, _ = invoke("list", "--channel", "slack:C1")
    assert "2103.09742" not in out
