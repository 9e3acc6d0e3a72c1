"""Every failure of the CLI is one sentence and a documented exit code: 2 bad input, 3 an
upstream or platform unavailable, 1 a bug (issue 11, items 16 and 18–21)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from bot.snapshot import dumps, sample_snapshot

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("HOTPAPERS_", "SLACK_", "DISCORD_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOTPAPERS_RETRY_BACKOFF_S", "0")


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_sentence(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when this returns


# Item 19: an unreachable platform is not bad input.


def test_an_unreachable_slack_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{closed_port()}/api/")
    code, _, err = invoke("post", "--slack-channel", "C1", "--sample", "--top", "1")
    assert code == 3
    assert "Slack could not be reached" in one_sentence(err)


def test_an_unreachable_discord_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "bot-token")
    monkeypatch.setenv("DISCORD_API_BASE", f"http://127.0.0.1:{closed_port()}/api/v10")
    code, _, err = invoke("post", "--discord-channel", "555", "--sample", "--top", "1")
    assert code == 3
    assert "Discord could not be reached" in one_sentence(err)


def test_an_unreachable_webhook_is_exit_3() -> None:
    url = f"http://127.0.0.1:{closed_port()}/hooks/T/B/x"
    code, _, err = invoke("post", "--slack-webhook", url, "--sample", "--top", "1")
    assert code == 3
    one_sentence(err)


def test_an_unreachable_database_server_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTPAPERS_DATABASE_URL", f"postgresql://127.0.0.1:{closed_port()}/x")
    code, _, err = invoke("subscriptions", "list")
    assert code == 3
    assert "database server cannot be reached" in one_sentence(err)


# Item 16: every number a user types is bounded.


@pytest.mark.parametrize("action", ["remove", "pause", "resume"])
def test_a_huge_subscription_id_is_one_sentence(action: str) -> None:
    code, _, err = invoke("subscriptions", action, "99999999999999999999999")
    assert code == 2
    assert "a number from 1 to 2147483647" in one_sentence(err)


def test_a_huge_top_is_one_sentence() -> None:
    code, _, err = invoke(
        "subscriptions", "add", "--channel", "x", "--platform", "console", "--top", "9" * 5000
    )
    assert code == 2
    assert "from 1 to 100" in one_sentence(err)
    assert len(err) < 300


def test_too_many_keywords_are_refused() -> None:
    words = [arg for n in range(21) for arg in ("-k", f"w{n}")]
    code, _, err = invoke("subscriptions", "add", "--channel", "x", "--platform", "console", *words)
    assert code == 2
    assert "At most 20 keywords" in one_sentence(err)
    code, _, err = invoke("digest", "--sample", "-k", "x" * 65)
    assert code == 2
    assert "at most 64 characters" in one_sentence(err)


# Item 18: bad input ends as one sentence and exit 2, never "unexpected error".


def test_a_deeply_nested_snapshot_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = invoke("digest", "--snapshot", str(path))
    assert code == 2
    assert "nested too deeply" in one_sentence(err)


@pytest.mark.parametrize("at", ["0001-01-01T00:00", "9999-12-31T23:59", "9999-12-31T23:59-12:00"])
def test_a_moment_at_the_ends_of_time_is_bad_input(at: str) -> None:
    code, _, _ = invoke(
        "subscriptions", "add", "--channel", "x", "--platform", "console", "--weekdays", "daily"
    )
    assert code == 0
    code, _, err = invoke("deliver", "--sample", "--at", at)
    assert code == 2
    assert "is not between the years 1991 and 9000" in one_sentence(err)


def test_a_database_url_without_its_driver_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTPAPERS_DATABASE_URL", "mysql://user:pw@127.0.0.1/hotpapers")
    code, _, err = invoke("subscriptions", "list")
    assert code == 2
    assert "needs the driver" in one_sentence(err)
    assert "pw" not in err


def test_a_database_under_a_file_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("HOTPAPERS_DATABASE_URL", f"sqlite:///{tmp_path / 'file' / 'x.db'}")
    code, _, err = invoke("subscriptions", "list")
    assert code == 2
    assert "cannot be created" in one_sentence(err)


def without_write_permission() -> list[str]:
    """A command prefix under which file permissions hold, even for root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


SAMPLE = str(Path(__file__).parents[2] / "bot" / "data" / "sample-2021-03-18.json")


# (`run --sample` keeps a throwaway store; `run --snapshot` uses the data directory's.)
@pytest.mark.parametrize("command", [["subscriptions", "list"], ["run", "--snapshot", SAMPLE]])
def test_a_read_only_data_directory_is_one_sentence(tmp_path: Path, command: list[str]) -> None:
    data = tmp_path / "ro"
    data.mkdir()
    data.chmod(0o555)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTPAPERS_", "SLACK_"))}
    env["HOTPAPERS_DATA_DIR"] = str(data)
    try:
        result = subprocess.run(
            [*without_write_permission(), sys.executable, "-m", "adapters.cli.main", *command],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        data.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "is read-only" in one_sentence(result.stderr)


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "2103.09742/../../x", "2103.09742v2", ""])
def test_a_snapshot_with_a_paper_id_that_is_not_one_is_refused(tmp_path: Path, bad_id: str) -> None:
    data = json.loads(dumps(sample_snapshot()))
    data["papers"][0]["arxiv_id"] = bad_id
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(data))
    code, _, err = invoke("digest", "--snapshot", str(path))
    assert code == 2
    assert "is not an arXiv id" in one_sentence(err)


def test_snapshot_and_post_files_have_a_size_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adapters.cli.main
    import bot.snapshot

    # The real limits (64 and 16 MiB) are said the same way; small ones keep the test quick.
    monkeypatch.setattr(bot.snapshot, "MAX_SNAPSHOT_BYTES", 2 * 1024 * 1024)
    monkeypatch.setattr(adapters.cli.main, "MAX_POST_BYTES", 1024 * 1024)
    big = tmp_path / "big.json"
    big.write_text(" " * (2 * 1024 * 1024 + 1))
    code, _, err = invoke("digest", "--snapshot", str(big))
    assert code == 2
    assert "larger than the limit of 2 MiB" in one_sentence(err)
    post = tmp_path / "big.md"
    post.write_text("x" * (1024 * 1024 + 1))
    code, _, err = invoke("snapshot", "import-post", str(post))
    assert code == 2
    assert "larger than the limit of 1 MiB" in one_sentence(err)


# Item 20: import-post never drops data silently.


def test_import_post_warns_with_the_line_and_strict_makes_it_an_error(
    seed_text: str, tmp_path: Path
) -> None:
    post = tmp_path / "post.md"
    post.write_text(
        seed_text.replace("- retweets: 1802, favorites: 277", "- retweets: lots, favorites: 277")
    )
    code, out, err = invoke("snapshot", "import-post", str(post))
    assert code == 0
    assert len(json.loads(out)["papers"]) == 13
    assert "hotpapers: warning: post.md, line 22:" in err
    target = tmp_path / "snap.json"
    code, _, err = invoke("snapshot", "import-post", str(post), "--strict", "-o", str(target))
    assert code == 2
    assert "nothing was written (--strict)" in err
    assert not target.exists()


def test_a_cut_post_warns_and_strict_refuses_it(seed_text: str, tmp_path: Path) -> None:
    post = tmp_path / "cut.md"
    post.write_text(seed_text[: len(seed_text) // 3])
    code, _, err = invoke("snapshot", "import-post", str(post))
    assert code == 0
    assert "cut short" in err
    code, _, _ = invoke("snapshot", "import-post", str(post), "--strict")
    assert code == 2


# Item 21: --output renames over regular files only.


def test_output_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    code, _, err = invoke("digest", "--sample", "-f", "markdown", "-o", str(link))
    assert code == 0, err
    assert link.is_symlink()
    assert real.read_text().startswith("---\ntitle: Hot Papers 2021-03-18")


def test_output_writes_through_a_device_and_says_when_it_is_full(tmp_path: Path) -> None:
    null = Path("/dev/null")
    code, _, err = invoke("digest", "--sample", "-o", str(null))
    assert code == 0, err
    assert null.is_char_device()
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("no /dev/full here")
    code, _, err = invoke("digest", "--sample", "-o", str(full))
    assert code == 2
    assert "No space left on device" in one_sentence(err)
    assert full.is_char_device()
    assert not list(Path("/dev").glob(".full.*.partial"))


def test_output_into_a_fifo_is_written_through(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code, _, err = invoke("digest", "--sample", "-o", str(fifo))
    reader.join(timeout=10)
    assert code == 0, err
    assert got
    assert got[0].startswith(b"Hot Papers 2021-03-18")
    assert fifo.exists()
    assert not fifo.is_file()


def test_run_with_slack_unreachable_in_socket_mode_is_exit_3(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{closed_port()}/api/")
    code, _, err = invoke("run", "--sample")
    assert code == 3
    assert "Slack could not be reached" in one_sentence(err)


def test_run_with_discord_unreachable_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "bot-token")
    monkeypatch.setenv("DISCORD_API_BASE", f"http://127.0.0.1:{closed_port()}/api/v10")
    code, _, err = invoke("run", "--sample")
    assert code == 3
    assert "Discord could not be reached" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HOTPAPERS_DELIVERY_LEASE_S", "1e300"),  # overflowed a C int in deliver
        ("HOTPAPERS_CACHE_TTL_MINUTES", "99999999999999999999"),
        ("HOTPAPERS_HTTP_TIMEOUT_S", "inf"),
        ("HOTPAPERS_MIN_SCORE", "nan"),
    ],
)
def test_a_setting_out_of_range_is_bad_input(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    code, _, err = invoke("deliver", "--sample")
    assert code == 2
    setting = name.removeprefix("HOTPAPERS_").lower()
    assert f"Setting '{setting}' is invalid" in one_sentence(err)


def test_a_database_that_cannot_be_opened_prints_one_line_and_no_thread_traceback() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTPAPERS_")}
    env["HOTPAPERS_DATABASE_URL"] = "sqlite:////proc/hotpapers.db"  # exists, never writable
    for _ in range(5):  # aiosqlite's worker thread raced the closing loop in most runs
        result = subprocess.run(
            [sys.executable, "-m", "adapters.cli.main", "subscriptions", "list"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1, result.stderr


# A usage error of the framework (click, under typer) is one sentence too, not click's box.


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["digest", "--mix", "2"], "Invalid value for '--mix'"),
        (["digest", "--frobnicate"], "No such option: --frobnicate"),
        (["subscriptions", "list", "--limit", "0"], "Invalid value for '--limit'"),
        (["subscriptions", "add", "--top"], "Option '--top' requires an argument"),
        (["feedback", "add", "--channel", "slack:C1", "--like"], "Missing argument 'ARXIV_ID'"),
        (["picks", "--span", "year"], "Invalid value for '--span': 'year' is not one of"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_a_usage_error_is_one_sentence_naming_the_commands_help(args: list[str], says: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2
    assert out == ""
    line = one_sentence(err)
    assert line.startswith(f"hotpapers: {says}")
    assert "Value error" not in line
    command = " ".join(a for a in args[:2] if not a.startswith("-") and a != "frobnicate")
    assert line.endswith(f"; see {' '.join(['hotpapers', command]).strip()} --help."), line
    assert not any(c in err for c in "╭│╰")


def test_help_and_a_bare_group_still_show_the_usage() -> None:
    code, out, _ = invoke("digest", "--help")
    assert code == 0
    assert "Usage" in out
    assert "--mix" in out
    code, out, _ = invoke("subscriptions")
    assert code == 2  # click's own code for a group without its command
    assert "Usage" in out
    assert "add" in out
    code, out, _ = invoke("--version")
    assert code == 0
    assert out.startswith("hotpapers ")


def test_the_installed_command_says_a_usage_error_in_one_sentence(tmp_path: Path) -> None:
    """The console script (``adapters.cli.main:run``), not only the test runner."""
    done = subprocess.run(
        [sys.executable, "-c", "from adapters.cli.main import run; run()", "digest", "--mix", "2"],
        capture_output=True,
        text=True,
        env={**os.environ, "HOTPAPERS_DATA_DIR": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert one_sentence(done.stderr).startswith("hotpapers: Invalid value for '--mix'")
