from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from bot.store import open_store
from bot.subscriptions import Subscription
from tests.conftest import postgres_database
from tests.fakediscord import FakeDiscord
from tests.fakeserver import serve
from tests.fakeslack import FakeSlack

runner = CliRunner()
WEDNESDAY_9 = "2026-11-25T09:05:00+00:00"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("HOTPAPERS_", "SLACK_", "DISCORD_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


class FakeWebhooks:
    """Slack and Discord incoming webhooks that record what they receive."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, object]]] = []
        self.gone: set[str] = set()

    def __call__(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        route = path.split("?")[0]
        if route in self.gone:
            return 404, "application/json", b'{"message": "Unknown Webhook", "code": 10015}'
        payload = json.loads(body)
        self.posts.append((route, payload))
        if route.startswith("/slack/"):
            return 200, "text/plain", b"ok"
        return (
            200,
            "application/json",
            json.dumps({"id": str(len(self.posts)), "channel_id": "1"}).encode(),
        )


def test_subscriptions_are_managed_from_the_shell() -> None:
    code, out, err = invoke(
        "subscriptions",
        "add",
        "--webhook",
        "https://discord.com/api/webhooks/1/secret-token",
        "-c",
        "cs.LG",
        "--time",
        "08:30",
        "--tz",
        "Europe/Berlin",
        "--top",
        "5",
    )
    assert code == 0, err
    assert out.startswith("Added subscription 1: discord webhook")
    assert "secret-token" not in out
    assert invoke("subscriptions", "add", "--channel", "lab", "--platform", "console")[0] == 0
    code, out, _ = invoke("subscriptions", "list")
    assert "cs.LG" in out
    assert "secret-token" not in out
    assert invoke("subscriptions", "pause", "2")[1] == "Subscription 2: paused.\n"
    assert "paused (by an operator)" in invoke("subscriptions", "list")[1]
    assert invoke("subscriptions", "resume", "2")[0] == 0
    assert invoke("subscriptions", "remove", "1")[1] == "Subscription 1: removed.\n"
    code, _, err = invoke("subscriptions", "remove", "1")
    assert code == 2
    assert "There is no subscription 1" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--webhook", "https://example.com/hook"], "add --platform slack or discord"),
        (["--channel", "C1"], "needs --platform"),
        (
            ["--channel", "C1", "--webhook", "https://hooks.slack.com/services/x"],
            "either --channel ID or --webhook URL",
        ),
        (["--webhook", "ftp://x"], "http(s) URL"),
        (["--channel", "C1", "--platform", "slack", "-c", "cs.LGG"], "Did you mean cs.LG"),
        (["--channel", "C1", "--platform", "slack", "--time", "9h"], "is not a time"),
        (["--channel", "C1", "--platform", "slack", "--tz", "Mars/Olympus"], "is not a time zone"),
        (["--channel", "C1", "--platform", "slack", "--top", "0"], "from 1 to 100"),
        (
            ["--channel", "C1", "--platform", "slack", "--weekdays", "soon"],
            "is not a set of weekdays",
        ),
    ],
)
def test_bad_subscriptions_are_refused_in_one_sentence(args: list[str], message: str) -> None:
    code, _, err = invoke("subscriptions", "add", *args)
    assert code == 2
    assert message in " ".join(err.split())


def test_deliver_posts_due_digests_to_webhooks_once() -> None:
    hooks = FakeWebhooks()
    with serve({}, post=hooks) as (base, _):
        invoke(
            "subscriptions",
            "add",
            "--webhook",
            f"{base}/discord/1/t",
            "--platform",
            "discord",
            "-c",
            "cs.CV",
            "--top",
            "3",
        )
        invoke(
            "subscriptions",
            "add",
            "--webhook",
            f"{base}/slack/T/B/x",
            "--platform",
            "slack",
            "--top",
            "2",
        )
        invoke(
            "subscriptions",
            "add",
            "--webhook",
            f"{base}/discord/later/t",
            "--platform",
            "discord",
            "--time",
            "10:00",
        )
        code, _, err = invoke("deliver", "--sample", "--at", WEDNESDAY_9)
        assert code == 0, err
        assert "2 posted" in err
        assert invoke("deliver", "--sample", "--at", WEDNESDAY_9)[2].count("2 already handled") == 1
    routes = sorted(route for route, _ in hooks.posts)
    assert routes == ["/discord/1/t", "/slack/T/B/x"]
    discord = next(p for r, p in hooks.posts if r.startswith("/discord"))
    assert discord["allowed_mentions"] == {"parse": []}
    assert next(e["title"] for e in discord["embeds"]).startswith("1. Training GANs")  # type: ignore[index]
    slack = next(p for r, p in hooks.posts if r.startswith("/slack"))
    assert slack["unfurl_links"] is False
    assert slack["text"] == "Hot Papers 2021-03-18 — top 2"


def test_a_gone_webhook_pauses_its_subscription() -> None:
    hooks = FakeWebhooks()
    hooks.gone.add("/discord/9/t")
    with serve({}, post=hooks) as (base, _):
        invoke("subscriptions", "add", "--webhook", f"{base}/discord/9/t", "--platform", "discord")
        code, _, err = invoke("deliver", "--sample", "--at", WEDNESDAY_9)
    assert code == 0
    assert "paused" in err
    assert (
        "gone or forbidden" in invoke("subscriptions", "list")[1].replace("\n", " ")
        or "paused" in invoke("subscriptions", "list")[1]
    )


def test_deliver_rejects_a_bad_moment() -> None:
    code, _, err = invoke("deliver", "--sample", "--at", "tomorrow morning")
    assert code == 2
    assert "is not an ISO 8601 time" in err


def test_deliver_to_the_console() -> None:
    invoke(
        "subscriptions", "add", "--channel", "reading-club", "--platform", "console", "--top", "1"
    )
    code, out, _ = invoke("deliver", "--sample", "--at", WEDNESDAY_9)
    assert code == 0
    assert out.startswith("── #reading-club ──\nHot Papers 2021-03-18 (top 1)")


async def add_subscriptions(url: str, base: str, count: int) -> None:
    store = await open_store(url)
    now = dt.datetime.now(dt.UTC)
    for n in range(count):
        await store.add(
            Subscription(
                platform="discord",
                kind="webhook",
                destination=f"{base}/discord/{n}/t",
                top=1,
                post_time=dt.time(9),
            ),
            now=now,
        )
    await store.close()


@contextmanager
def database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        with postgres_database() as url:
            yield url


IN_FLIGHT = 4


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_several_deliver_processes_post_everything_exactly_once(kind: str, tmp_path: Path) -> None:
    hooks = FakeWebhooks()
    count = 150
    with database(kind, tmp_path) as url, serve({}, post=hooks, latency=0.01) as (base, _):
        asyncio.run(add_subscriptions(url, base, count))
        env = {
            **os.environ,
            "HOTPAPERS_DATABASE_URL": url,
            "HOTPAPERS_DATA_DIR": str(tmp_path),
            "HOTPAPERS_DELIVERY_LEASE_S": "3",
            # At most this many posts are on their way when a worker dies (one per slot).
            "HOTPAPERS_DELIVERY_CONCURRENCY": str(IN_FLIGHT),
        }
        command = [
            sys.executable,
            "-m",
            "adapters.cli.main",
            "deliver",
            "--sample",
            "--at",
            WEDNESDAY_9,
        ]

        def start(stderr: int) -> subprocess.Popen[str]:
            return subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=stderr, text=True
            )

        workers = [start(subprocess.DEVNULL) for _ in range(3)]
        deadline = time.monotonic() + 60
        while len(hooks.posts) < count // 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        workers[0].send_signal(signal.SIGKILL)  # one replica dies mid-way
        for worker in workers:
            worker.wait(timeout=120)
        time.sleep(3.5)  # the dead worker's claims expire
        restarted = start(subprocess.PIPE)
        _, err = restarted.communicate(timeout=120)
        assert restarted.returncode in (0, 1, 4), err
        assert "unexpected" not in err
    routes = [route for route, _ in hooks.posts]
    assert len(routes) == len(set(routes)), "a delivery was posted twice"
    missing = {f"/discord/{n}/t" for n in range(count)} - set(routes)
    # Only a post cut off between the platform call and the ledger can be in doubt (one per
    # slot of the killed worker); it is reported as uncertain rather than risked twice.
    assert len(missing) <= IN_FLIGHT, (len(missing), err)
    assert len(missing) <= err.count("may or may not have gone out")


def test_a_failed_delivery_exits_1_with_one_sentence() -> None:
    hooks = FakeWebhooks()

    def refused(path: str, body: bytes) -> tuple[int, str, bytes]:
        return 400, "application/json", b'{"message": "Invalid Form Body", "code": 50035}'

    with serve({}, post=refused) as (base, _):
        invoke("subscriptions", "add", "--webhook", f"{base}/discord/1/t", "--platform", "discord")
        code, _, err = invoke("deliver", "--sample", "--at", WEDNESDAY_9)
    assert code == 1
    assert "1 failed" in err
    assert "answered HTTP 400 (will be retried)" in err
    assert "unexpected error" not in err
    assert hooks.posts == []


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/services/T0/B0/SeCrEt/",
        "https://user:SeCrEt@hooks.slack.com/services/T0/B0/x",
        "https://discord.com/api/webhooks/1/SeCrEt/slack",
        "https://canary.discord.com/api/webhooks/1/SeCrEt/github?wait=true",
    ],
)
def test_add_and_list_never_show_a_webhooks_secret(url: str) -> None:
    code, out, err = invoke("subscriptions", "add", "--webhook", url)
    assert code == 0, err
    listed = invoke("subscriptions", "list")[1]
    for shown in (out, listed):
        assert "SeCrEt" not in shown
        assert "/…" in shown


def test_weekly_and_lagged_subscriptions_are_added_from_the_shell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the table's cells on one line each
    code, out, err = invoke(
        "subscriptions", "add", "--channel", "lab", "--platform", "console", "--weekly", "fri"
    )
    assert code == 0, err
    assert "weekly on fri (best of the week)" in out
    code, out, err = invoke(
        "subscriptions", "add", "--channel", "lab2", "--platform", "console", "--lag", "1"
    )
    assert code == 0, err
    assert "mon-fri, lag 1 day" in out
    code, out, _ = invoke("subscriptions", "list")
    assert "weekly on fri (best of the week)" in out
    assert "mon-fri, lag 1 day" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weekly", "mon-fri"], "“weekly” takes one weekday"),
        (["--weekly", "fri", "--lag", "1d"], "--weekly DAY posts once a week"),
        (["--weekly", "fri", "--weekdays", "mon"], "--weekly DAY posts once a week"),
        (["--lag", "2"], "“lag” takes 0 or 1d"),
    ],
)
def test_bad_cadences_are_refused_in_one_sentence(args: list[str], message: str) -> None:
    code, _, err = invoke("subscriptions", "add", "--channel", "C1", "--platform", "slack", *args)
    assert code == 2
    assert message in " ".join(err.split())


def test_deliver_refreshes_posts_after_refresh_after_once() -> None:
    hooks = FakeWebhooks()
    edits: list[tuple[str, dict[str, object]]] = []

    def patch(path: str, body: bytes) -> tuple[int, str, bytes]:
        edits.append((path, json.loads(body)))
        return 200, "application/json", body

    with serve({}, post=hooks, patch=patch) as (base, _):
        code, out, err = invoke(
            "subscriptions",
            "add",
            "--webhook",
            f"{base}/discord/1/t",
            "--platform",
            "discord",
            "--refresh-after",
            "24h",
        )
        assert code == 0, err
        assert "refreshed after 24 h" in out
        assert invoke("deliver", "--sample", "--at", WEDNESDAY_9)[0] == 0
        code, _, err = invoke("deliver", "--sample", "--at", "2026-11-26T08:55:00+00:00")
        assert "refreshed" not in err
        assert edits == []
        code, _, err = invoke("deliver", "--sample", "--at", "2026-11-26T09:05:00+00:00")
        assert code == 0, err
        assert "1 refreshed" in err
        assert (
            invoke("deliver", "--sample", "--at", "2026-11-26T10:05:00+00:00")[2].count("refreshed")
            == 0
        )
    # Each message posted (ids 1 and 2) is edited once; nothing is posted again.
    assert [path for path, _ in edits] == ["/discord/1/t/messages/1", "/discord/1/t/messages/2"]
    assert len(hooks.posts) == 2
    assert edits[0][1]["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize("value", ["0", "169", "soon", "-1h", "²h", "9" * 400])
def test_a_bad_refresh_after_is_one_sentence(value: str) -> None:
    code, _, err = invoke(
        "subscriptions", "add", "--channel", "C1", "--platform", "slack", "--refresh-after", value
    )
    assert code == 2
    assert "is not a number of hours from 1 to 168" in " ".join(err.split())


def test_refresh_after_is_turned_on_and_off() -> None:
    assert invoke("subscriptions", "add", "--channel", "lab", "--platform", "console")[0] == 0
    assert "after" not in invoke("subscriptions", "list")[1]
    code, out, err = invoke("subscriptions", "refresh-after", "1", "6h")
    assert code == 0, err
    assert out == "Subscription 1: updated.\n"
    assert "after 6 h" in invoke("subscriptions", "list")[1]  # the table may wrap the cell
    assert invoke("subscriptions", "refresh-after", "1", "off")[0] == 0
    assert "after 6 h" not in invoke("subscriptions", "list")[1]
    code, _, err = invoke("subscriptions", "refresh-after", "1", "a week")
    assert code == 2
    assert "not a number of hours" in err
    assert invoke("subscriptions", "refresh-after", "9", "6")[0] == 2


def test_a_slack_webhook_with_refresh_after_is_warned_it_cannot_edit() -> None:
    code, _, err = invoke(
        "subscriptions",
        "add",
        "--webhook",
        "https://hooks.slack.com/services/T/B/secret",
        "--refresh-after",
        "24",
    )
    assert code == 0, err
    assert "cannot edit its posts" in " ".join(err.split())
    assert "secret" not in err


@pytest.mark.parametrize(
    "url", ["http://[::1", "https://:443/x", "http://[::1]:99999/api/webhooks/1/t"]
)
def test_a_webhook_url_that_is_not_one_is_bad_input(url: str) -> None:
    code, _, err = invoke("subscriptions", "add", "--webhook", url, "--platform", "discord")
    assert code == 2, err
    assert "unexpected error" not in err
    code, _, err = invoke("post", "--discord-webhook", url, "--sample")
    assert code == 2, err
    assert "unexpected error" not in err


def test_deliver_says_arxiv_is_unavailable_with_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTPAPERS_ARXIV_FEED_URL", "http://127.0.0.1:9/atom/")  # closed port
    monkeypatch.setenv("HOTPAPERS_RETRY_ATTEMPTS", "1")
    assert invoke("subscriptions", "add", "--channel", "lab", "--platform", "console")[0] == 0
    code, _, err = invoke("deliver", "--at", WEDNESDAY_9)
    assert code == 3, err
    assert "1 unavailable" in err
    assert "arXiv could not be read" in err


def test_a_keyword_with_control_characters_is_refused() -> None:
    code, _, err = invoke(
        "subscriptions", "add", "--platform", "console", "--channel", "lab", "-k", "\x1b[2Jx"
    )
    assert code == 2
    assert "control characters" in err
    assert "\x1b" not in err


@contextmanager
def platforms() -> Iterator[tuple[FakeSlack, FakeDiscord, str, list[tuple[str, dict[str, str]]]]]:
    """Slack's Web API, Discord's REST API and both webhook kinds, on one local server."""
    slack, discord, hooks = FakeSlack(), FakeDiscord(), FakeWebhooks()

    def post(path: str, body: bytes) -> Any:
        if path.startswith("/api/v10/"):
            return discord.post(path, body)
        if path.startswith("/api/"):
            return slack.post(path, body)
        return hooks(path, body)

    headers: list[tuple[str, dict[str, str]]] = []
    with serve({**slack.routes(), **discord.routes()}, post=post, headers_seen=headers) as (
        base,
        _,
    ):
        yield slack, discord, base, headers


def add_channels(base: str) -> None:
    for args in (
        ["--platform", "slack", "--channel", "C1", "--workspace", "T1"],
        ["--platform", "discord", "--channel", "555", "--workspace", "777"],
        ["--platform", "slack", "--webhook", f"{base}/slack/T/B/x"],
    ):
        code, _, err = invoke("subscriptions", "add", *args, "--top", "2")
        assert code == 0, err


def authorization(headers: list[tuple[str, dict[str, str]]], prefix: str) -> set[str]:
    return {
        seen.get("Authorization", seen.get("authorization", ""))
        for path, seen in headers
        if path.startswith(prefix)
    }


def test_cron_deliver_posts_to_slack_and_discord_channels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with platforms() as (slack, discord, base, headers):
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cron")
        monkeypatch.setenv("SLACK_API_URL", f"{base}/api/")
        monkeypatch.setenv("DISCORD_TOKEN", "discord-cron")
        monkeypatch.setenv("DISCORD_API_BASE", f"{base}/api/v10")
        add_channels(base)
        code, _, err = invoke("deliver", "--sample", "--at", WEDNESDAY_9)
        assert code == 0, err
        assert "3 posted" in err
        assert "publisher" not in err
    assert [m["channel"] for m in slack.messages] == ["C1"]
    assert slack.messages[0]["text"] == "Hot Papers 2021-03-18 — top 2"
    assert [m["channel_id"] for m in discord.messages] == ["555"]
    assert discord.messages[0]["nonce"]  # REST with its idempotency nonce: no gateway
    assert authorization(headers, "/api/chat.postMessage") == {"Bearer xoxb-cron"}
    assert authorization(headers, "/api/v10/channels/") == {"Bot discord-cron"}
    assert not any(path.startswith("/api/v10/gateway") for path, _ in headers)


async def install(url: str, team: str, token: str) -> None:
    from slack_sdk.oauth.installation_store import Installation
    from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore

    store = await open_store(url)
    installations = AsyncSQLAlchemyInstallationStore(client_id="111.222", engine=store.engine)
    await installations.create_tables()  # type: ignore[no-untyped-call]
    await installations.async_save(
        Installation(
            app_id="A1", team_id=team, bot_token=token, bot_id="B1", bot_user_id="UB", user_id="U1"
        )
    )
    await store.close()


def test_cron_deliver_posts_with_each_workspaces_oauth_installation(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'oauth.db'}"
    monkeypatch.setenv("HOTPAPERS_DATABASE_URL", url)
    with platforms() as (slack, _, base, headers):
        monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
        monkeypatch.setenv("SLACK_CLIENT_SECRET", "client-secret")
        monkeypatch.setenv("SLACK_API_URL", f"{base}/api/")
        for team, channel in (("T9", "C9"), ("T8", "C8"), ("T7", "C7")):
            args = ["--platform", "slack", "--channel", channel, "--workspace", team]
            assert invoke("subscriptions", "add", *args)[0] == 0
        asyncio.run(install(url, "T9", "xoxb-nine"))
        asyncio.run(install(url, "T7", "xoxb-seven"))
        code, _, err = invoke("deliver", "--sample", "--at", WEDNESDAY_9)
    assert code == 1
    assert "2 posted" in err
    assert "hotpapers is not installed in the Slack workspace T8" in err
    # (a post may be several messages: the paper buttons add blocks)
    assert sorted({m["channel"] for m in slack.messages}) == ["C7", "C9"]
    assert authorization(headers, "/api/chat.postMessage") == {
        "Bearer xoxb-nine",
        "Bearer xoxb-seven",
    }


def test_deliver_says_which_credentials_a_kind_of_subscription_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with platforms() as (slack, discord, base, _):
        add_channels(base)
        code, _, err = invoke("deliver", "--sample", "--at", WEDNESDAY_9)
    assert code == 2
    assert "1 posted" in err  # the webhook went out all the same
    assert not slack.messages
    assert not discord.messages
    flat = " ".join(err.split())
    assert "1 slack channel subscription cannot be served: Slack channels need SLACK_BOT_TOKEN" in (
        flat
    )
    assert (
        "1 discord channel subscription cannot be served: Discord channels need DISCORD_TOKEN"
        in (flat)
    )
    assert "wait for their platform's credentials" in flat


def test_a_subscription_takes_comma_categories_and_the_word_and_author_filters() -> None:
    code, out, err = invoke(
        "subscriptions",
        "add",
        "--channel",
        "lab",
        "--platform",
        "console",
        "-c",
        "cs.AI,cs.LG",
        "-c",
        " cs.CV",
        "-k",
        "agents",
        "--all-of",
        "video",
        "-x",
        "survey",
        "--author",
        "Y. LeCun",
    )
    assert code == 0, err
    assert "cs.AI cs.LG cs.CV" in out
    assert "agents +video -survey by Y. LeCun" in out

    async def stored() -> Subscription:
        store = await open_store(f"sqlite:///{os.environ['HOTPAPERS_DATA_DIR']}/hotpapers.db")
        try:
            (sub,) = await store.subscriptions()
            return sub
        finally:
            await store.close()

    sub = asyncio.run(stored())
    assert (sub.categories, sub.keywords, sub.all_keywords, sub.exclude, sub.authors) == (
        ("cs.AI", "cs.LG", "cs.CV"),
        ("agents",),
        ("video",),
        ("survey",),
        ("Y. LeCun",),
    )
    code, _, err = invoke(
        "subscriptions", "add", "--channel", "x", "--platform", "console", "-c", "cs.AI,cs.LGG"
    )
    assert code == 2
    assert "Did you mean cs.LG" in err


def test_an_empty_channel_is_refused_in_one_sentence() -> None:
    code, _, err = invoke("subscriptions", "add", "--platform", "console", "--channel", " ")
    assert code == 2
    assert "--channel needs the channel's id" in err


def test_the_same_subscription_twice_is_added_once() -> None:
    """A second ``add`` of the same digest to the same channel says so, adds nothing and exits
    0, as the chat's subscribe does; a different filter or another channel is a new one."""

    def add(*args: str, channel: str = "lab") -> tuple[int, str, str]:
        where = ["--channel", channel, "--platform", "console", "--time", "08:30", "-k", "agents"]
        return invoke("subscriptions", "add", *where, *args)

    assert add("-c", "cs.LG,cs.AI")[0] == 0
    code, out, err = add("-c", "cs.AI", "-c", "cs.LG")
    assert code == 0, err
    assert out.startswith("Already subscribed: subscription 1 is the same (console · lab")
    assert "no second subscription was added" in out
    assert "resume" not in out
    assert add("-c", "cs.AI,cs.LG", "-k", "robots")[1].startswith("Added subscription 2")
    assert add("-c", "cs.AI,cs.LG", channel="other")[1].startswith("Added subscription 3")
    assert add("-c", "cs.AI,cs.LG", "--top", "5")[1].startswith("Added subscription 4")
    assert invoke("subscriptions", "pause", "1")[0] == 0
    code, out, _ = add("-c", "cs.LG,cs.AI")
    assert code == 0
    assert "It is paused: hotpapers subscriptions resume 1 posts it again." in out
    assert "There is no page 2" in invoke("subscriptions", "list", "--limit", "4", "--page", "2")[2]
