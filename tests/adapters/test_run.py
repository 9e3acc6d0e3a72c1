from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.scheduling import add_ticks
from bot.subscriptions import Subscription

BERLIN_0230 = Subscription(
    id=1,
    platform="console",
    destination="x",
    post_time=dt.time(2, 30),
    timezone="Europe/Berlin",
    weekdays=tuple(range(7)),
)


def run_console(
    lines: str, tmp_path: Path, *, database: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTPAPERS_")}
    env["HOTPAPERS_DATA_DIR"] = str(tmp_path)
    if database is not None:
        env["HOTPAPERS_DATABASE_URL"] = database
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", "run", "--sample"],
        input=lines,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_a_scripted_console_session_answers_and_exits_at_the_end_of_input(tmp_path: Path) -> None:
    result = run_console(
        "/hotpapers top 3\n/hotpapers subscribe cs.CV at 07:00 tz Europe/Berlin\n/hotpapers subscriptions\n"
        "/hotpapers cs.LGG\nhello\n/hotpapersx\ntop 1\n/hotpapers help\n",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "data: bundled sample day 2021-03-18" in result.stderr
    assert "console (stdin)" in result.stderr
    out = result.stdout
    assert out.count("\n 1. ") == 2  # "/hotpapers top 3" and, without the prefix, "top 1"
    assert " 3. A Practical Guide to Multi-Objective" in out
    assert " 4. " not in out
    assert "Subscribed: #1 cs.CV: top 10 at 07:00 Europe/Berlin, mon-fri." in out
    assert "• #1 cs.CV: top 10 at 07:00 Europe/Berlin, mon-fri" in out
    assert "Did you mean cs.LG" in out
    # In the console the prefix is optional; a different /command is not read as a category.
    assert "Unknown arXiv category 'hello'" in out
    assert "Unknown command /hotpapersx" in out
    assert "Unknown arXiv category 'x'" not in out
    assert "Traceback" not in result.stderr
    # A try-out with --sample keeps nothing: the live bot and cron never see its subscriptions.
    again = run_console("/hotpapers subscriptions\n", tmp_path)
    assert "This channel has no subscription" in again.stdout
    assert "throwaway store" in result.stderr
    assert not (tmp_path / "hotpapers.db").exists()


def test_with_a_named_store_the_sample_session_keeps_its_subscriptions(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'kept.db'}"
    first = run_console("/hotpapers subscribe cs.CV at 07:00\n", tmp_path, database=database)
    assert "throwaway" not in first.stderr
    again = run_console("/hotpapers subscriptions\n", tmp_path, database=database)
    assert "• #1 cs.CV" in again.stdout


def test_rich_markup_in_upstream_text_is_printed_as_text(tmp_path: Path) -> None:
    result = run_console("/hotpapers keywords [bold]nothing[/bold]\n", tmp_path)
    assert "None of the 13 papers" in result.stdout


def test_one_job_ticks_every_minute_with_a_real_grace_whatever_the_subscriptions() -> None:
    scheduler = AsyncIOScheduler(timezone=dt.UTC)

    async def deliver() -> None:
        return None

    add_ticks(scheduler, deliver, grace=dt.timedelta(hours=6))
    (job,) = scheduler.get_jobs()
    assert job.id == "deliveries"
    assert job.misfire_grace_time == 6 * 3600
    assert job.coalesce
    assert job.max_instances == 1
    after = dt.datetime(2026, 11, 25, 8, 59, 30, tzinfo=dt.UTC)
    assert job.trigger.get_next_fire_time(None, after) == dt.datetime(
        2026, 11, 25, 9, 0, tzinfo=dt.UTC
    )


def test_server_mode_without_credentials_serves_healthz_until_stopped(tmp_path: Path) -> None:
    import signal
    import socket
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HOTPAPERS_", "SLACK_", "DISCORD_"))
    }
    env |= {
        "HOTPAPERS_DATA_DIR": str(tmp_path),
        "HOTPAPERS_HTTP_PORT": str(port),
        "HOTPAPERS_HTTP_HOST": "127.0.0.1",
        "HOTPAPERS_LOG_FORMAT": "json",
    }
    bot = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli.main", "run", "--sample", "--server"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert bot.poll() is None
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "ok"
        assert body["scheduler"] == "running"
        assert body["platforms"] == {"webhooks": "slack, discord"}
    finally:
        bot.send_signal(signal.SIGTERM)
        _, err = bot.communicate(timeout=20)
    assert bot.returncode == 0, err


def test_a_port_in_use_is_one_sentence(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("HOTPAPERS_", "SLACK_", "DISCORD_"))
        }
        env |= {
            "HOTPAPERS_DATA_DIR": str(tmp_path),
            "HOTPAPERS_HTTP_PORT": str(taken.getsockname()[1]),
            "HOTPAPERS_HTTP_HOST": "127.0.0.1",  # the setting is what binds: the port is taken here
        }
        result = subprocess.run(
            [sys.executable, "-m", "adapters.cli.main", "run", "--sample", "--server"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "cannot be served on 127.0.0.1: it is in use or not allowed; "
        "set HOTPAPERS_HTTP_PORT or HOTPAPERS_HTTP_HOST."
    )
    assert "Traceback" not in result.stderr


def test_an_empty_session_ends_cleanly_while_a_delivery_runs(tmp_path: Path) -> None:
    # The catch-up delivery starts with the session; ending at once must let it finish.
    result = run_console("", tmp_path)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert "ERROR" not in result.stderr


def test_the_sample_day_answers_the_views_over_time_too(tmp_path: Path) -> None:
    result = run_console("/hotpapers week top 1\n/hotpapers month top 1\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "best of the week 2021-03-12 – 2021-03-18" in result.stdout
    assert "No announcement day is stored" not in result.stdout
