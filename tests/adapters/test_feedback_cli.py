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
    """A store holding the bundled sample day, whose papers take feedback."""
    for name in list(os.environ):
        if name.startswith("HOTPAPERS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOTPAPERS_DATABASE_URL", f"sqlite:///{tmp_path / 'feedback.db'}")
    assert runner.invoke(app, ["snapshot", "save", "--sample"]).exit_code == 0


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["feedback", *args])
    return result.exit_code, result.stdout, result.stderr


def test_feedback_added_is_listed_once_per_paper() -> None:
    code, out, _ = invoke(
        "add", "--channel", "slack:C1", "--like", "2103.09742v2", "arXiv:2103.09460"
    )
    assert code == 0, out
    assert "like on 2 paper(s), 2 new" in out
    code, out, _ = invoke(
        "add", "--channel", "slack:C1", "--like", "https://arxiv.org/abs/2103.09742"
    )
    assert "1 already recorded" in out
    invoke("add", "--channel", "slack:C1", "--save", "--user", "U7", "2103.09568")
    code, out, _ = invoke("list", "--channel", "slack:C1")
    assert code == 0
    assert [line.split()[-2] for line in out.splitlines() if "210" in line] == [
        "2103.09742",
        "2103.09460",
        "2103.09568",
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


@pytest.mark.parametrize(
    ("channel", "says"),
    [
        ("discord:abc", "“abc” is not a Discord channel id: those look like 123456789012345678"),
        ("discord:#general", "is not a Discord channel id"),
        ("slack:general", "“general” is not a Slack channel id: those look like C0123ABCD"),
        ("slack:c0123abcd", "is not a Slack channel id"),
        ("slack:U0123ABCD", "is not a Slack channel id"),
    ],
)
def test_a_channel_id_of_the_wrong_shape_is_refused(channel: str, says: str) -> None:
    """Discord channel ids are numbers and Slack's C…, G… or D… in capitals: a channel's name
    (or anything else) is refused in one sentence before anything is recorded."""
    code, out, err = invoke("add", "--channel", channel, "--like", "2103.09742")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert says in " ".join(err.split())
    assert invoke("list", "--channel", "console:lab")[0] == 0


def test_a_paper_the_store_never_held_is_refused_with_how_to_store_it() -> None:
    """Feedback is on stored papers (lab picks show their titles): an unknown id is named with
    the command that stores its day, and nothing of the batch is recorded."""
    code, out, err = invoke("add", "--channel", "slack:C1", "--like", "2103.09742", "2101.00001")
    assert code == 2
    assert out == ""
    said = " ".join(err.split())
    assert "hotpapers has not stored 2101.00001:" in said
    assert "2103.09742" not in said
    assert "hotpapers digest --date YYYY-MM-DD" in said
    assert len(err.strip().splitlines()) == 1, err
    _, out, err = invoke("list", "--channel", "slack:C1")
    assert "No feedback for slack:C1 yet" in err


def test_a_sample_paper_is_refused_until_the_sample_day_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``digest --sample`` stores nothing; the refusal says how to store the sample day."""
    monkeypatch.setenv("HOTPAPERS_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, _, err = invoke("add", "--channel", "console:lab", "--like", "2103.09430")
    assert code == 2
    assert "hotpapers snapshot save --sample stores the bundled sample day" in " ".join(err.split())
    assert runner.invoke(app, ["snapshot", "save", "--sample"]).exit_code == 0
    code, out, err = invoke("add", "--channel", "console:lab", "--like", "2103.09430")
    assert code == 0, err
    assert "1 new" in out


def test_piped_list_keeps_whole_values() -> None:
    """Piped, the table is as wide as its values: a long user id is not cut to 80 columns."""
    user = "U" + "7" * 60
    invoke("add", "--channel", "slack:C1", "--like", "--user", user, "2103.09742")
    code, out, _ = invoke("list", "--channel", "slack:C1")
    assert code == 0
    assert user in out
    assert "…" not in out
