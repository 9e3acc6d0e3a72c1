"""Fan-out at scale: N subscriptions due in the same minute, posted through the real adapters to
local fakes that enforce the platforms' rate limits, by P ``deliver`` processes on PostgreSQL.

``python benchmarks/fanout.py [--subscriptions N] [--processes P]`` prints figures and, last, a
line of JSON: ``{subscriptions, messages, wall_s, floor_s, ratio_to_floor, digests_computed,
sql_per_delivery, duplicates, lost, idle_cpu_s}``.

The fakes (one aiohttp server on 127.0.0.1, in its own process) answer after ``--latency-ms``
and enforce, as token buckets whose burst is their rate: Slack ``chat.postMessage`` 1 message/s
per channel and ``SLACK_WORKSPACE_RATE``/s per workspace (the channel id's prefix names it);
Discord 50 requests/s per bot and a per-channel route bucket of 5 per 5 s (with
``X-RateLimit-*`` headers); Slack incoming webhooks 1/s per hook, Discord webhooks 5 per 2 s
per hook. Over a limit they answer 429 with Retry-After. ``floor_s`` is the busiest limit's
messages divided by its rate (plus one latency): no sender can do better. The fakes count every
message they accepted per destination, by content; ``duplicates`` and ``lost`` compare that
with the messages each subscription's digest renders to (built here from the same snapshot,
not read from the ledger).

The publishers are the real adapter classes (``WebhookPublisher``, ``SlackPublisher``,
``DiscordPublisher``) pointed at the fakes, with the production settings (``deliverer`` of
``adapters.cli.live``: concurrency, blend, own counts, posted papers) and their own
``paces()`` (the platforms' published limits, as the fakes enforce them) — except one: the
fakes model Slack's workspace tier at ``SLACK_WORKSPACE_RATE`` a second, above the 300 a
minute the Slack publisher assumes, so ``Paced`` below, a thin wrapper in this benchmark only,
puts the fakes' rate in place of that pace (pacing at 300 a minute could not reach the floor).
PostgreSQL: ``HOTPAPERS_DATABASE_URL`` (default ``postgresql://127.0.0.1:5432/test``); a fresh
database is made for the run and dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import math
import os
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SLACK_WORKSPACE_RATE = 20.0  # chat.postMessage per second per workspace (its tier, modelled)
LIMITS = {  # kind of limit: (rate, per seconds)
    "slack-channel": (1.0, 1.0),
    "slack-workspace": (SLACK_WORKSPACE_RATE, 1.0),
    "discord-bot": (50.0, 1.0),
    "discord-channel": (5.0, 5.0),
    "slack-hook": (1.0, 1.0),
    "discord-hook": (5.0, 2.0),
}
AT = dt.datetime(2026, 11, 25, 9, 1, tzinfo=dt.UTC)
WORKSPACES, GUILDS = 5, 5
FILTER_SETS = 50
VOLATILE = frozenset({"thread_ts", "nonce", "enforce_nonce", "metadata", "token"})


# The fakes (their own process) ------------------------------------------------------------


def limits_of(path: str, body: Mapping[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """The destination a request posts to and the limits (kind, key) it counts against."""
    if path.endswith("/chat.postMessage"):
        channel = str(body.get("channel", ""))
        team = channel.split("-", 1)[0]
        return channel, [("slack-channel", channel), ("slack-workspace", team)]
    if path.startswith("/discord/channels/"):
        channel = path.split("/")[3]
        return channel, [("discord-bot", "bot"), ("discord-channel", channel)]
    if path.startswith("/hooks/slack/"):
        return path, [("slack-hook", path)]
    return path, [("discord-hook", path)]


def serve(latency: float) -> None:
    from aiohttp import web

    buckets: dict[tuple[str, str], list[float]] = {}  # tokens, last refill
    received: defaultdict[str, Counter[str]] = defaultdict(Counter)
    refused = Counter[str]()

    def take(kind: str, key: str, now: float) -> float:
        """0 when a token was taken, else the seconds until one is there."""
        rate, per = LIMITS[kind]
        bucket = buckets.setdefault((kind, key), [rate, now])
        bucket[0] = min(rate, bucket[0] + (now - bucket[1]) * rate / per)
        bucket[1] = now
        if bucket[0] >= 1:
            bucket[0] -= 1
            return 0.0
        return (1 - bucket[0]) * per / rate

    async def post(request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            body = await request.json()
        else:
            body = dict(await request.post())
        destination, limits = limits_of(request.path, body)
        now = time.monotonic()
        waits = [take(kind, key, now) for kind, key in limits]
        if any(waits):
            refused[limits[waits.index(max(waits))][0]] += 1
            wait = max(waits)
            # Whole seconds in the header, as the platforms send it; Discord's body is exact.
            headers = {"Retry-After": str(math.ceil(wait)), "X-RateLimit-Remaining": "0"}
            if destination.startswith("T"):
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers=headers
                )
            return web.json_response({"retry_after": wait}, status=429, headers=headers)
        await asyncio.sleep(latency)
        content = {k: v for k, v in body.items() if k not in VOLATILE}
        digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
        received[destination][digest] += 1
        n = sum(received[destination].values())
        if request.path.endswith("/chat.postMessage"):
            return web.json_response({"ok": True, "channel": destination, "ts": f"{n}.000"})
        headers = {"X-RateLimit-Limit": "5", "X-RateLimit-Reset-After": "5"}
        return web.json_response({"id": f"{abs(hash(destination)) % 10**9}{n}"}, headers=headers)

    async def stats(_: web.Request) -> web.Response:
        return web.json_response(
            {"received": {d: dict(c) for d, c in received.items()}, "refused": refused}
        )

    app = web.Application(client_max_size=8 * 2**20)
    app.router.add_get("/stats", stats)
    app.router.add_post("/{tail:.*}", post)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(f"PORT {port}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


# The world: subscriptions and what each should post -------------------------------------


def world(n: int, base: str) -> list[dict[str, Any]]:
    """N subscriptions: a third Slack channels, a third Discord channels, a third webhooks;
    every tenth shares the destination of the one before it (with another filter set)."""
    categories = [("cs.LG",), ("cs.CV",), ("cs.CL",), ("cs.AI",), ()]
    subs = []
    for i in range(n):
        shared = i % 10 == 9
        place = i - 1 if shared else i
        kind = place % 6
        filters = i % FILTER_SETS
        sub: dict[str, Any] = {
            "categories": list(categories[filters % 5]),
            "top": 3 + filters // 5,  # 3 to 12
        }
        if kind in (0, 1):
            sub.update(platform="slack", kind="channel", workspace=f"T{place % WORKSPACES}")
            sub["destination"] = f"T{place % WORKSPACES}-C{place}"
        elif kind in (2, 3):
            sub.update(platform="discord", kind="channel", workspace=f"G{place % GUILDS}")
            sub["destination"] = str(10**17 + place)
        elif kind == 4:
            sub.update(platform="slack", kind="webhook", workspace="")
            sub["destination"] = f"{base}/hooks/slack/T0/B{place}/secret"
        else:
            sub.update(platform="discord", kind="webhook", workspace="")
            sub["destination"] = f"{base}/discord/webhooks/{place}/secret"
        subs.append(sub)
    return subs


def fake_destination(sub: Mapping[str, Any]) -> str:
    """The destination as the fakes count it."""
    if sub["kind"] == "webhook":
        return "/" + sub["destination"].split("/", 3)[3]
    return str(sub["destination"])


class Paced:
    """A real publisher with its own paces, the Slack workspace's at the fakes' rate (this
    benchmark's wrapper)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def paces(self, sub: Any) -> Sequence[Any]:
        from bot.ports import Pace

        rate, per = LIMITS["slack-workspace"]
        return [
            Pace(key=p.key, rate=rate, per=per, shared=True)
            if p.key.startswith("slack-workspace:")
            else p
            for p in self.inner.paces(sub)
        ]

    def render(self, digest: Any) -> list[dict[str, Any]]:
        return self.inner.render(digest)  # type: ignore[no-any-return]

    async def send(self, sub: Any, message: Mapping[str, Any], *, key: str, thread: str) -> str:
        start = time.monotonic()
        try:
            return await self.inner.send(sub, message, key=key, thread=thread)  # type: ignore[no-any-return]
        finally:
            SENDS.append((f"{sub.platform} {sub.kind}", start, time.monotonic()))


SENDS: list[tuple[str, float, float]] = []  # what each send of this process took, by kind


def publishers(base: str, client: Any) -> dict[tuple[str, str], Any]:
    from adapters.discord.publisher import DiscordPublisher
    from adapters.slack.publisher import SlackPublisher, web_client
    from adapters.webhooks import WebhookPublisher

    return {
        ("slack", "channel"): Paced(SlackPublisher(web_client("xoxb-fake", f"{base}/slack/api/"))),
        ("discord", "channel"): Paced(DiscordPublisher(client, "fake", api_base=f"{base}/discord")),
        ("slack", "webhook"): Paced(WebhookPublisher(client, "slack")),
        ("discord", "webhook"): Paced(WebhookPublisher(client, "discord")),
    }


# One deliver process ----------------------------------------------------------------------


async def child(url: str, base: str, at: dt.datetime) -> dict[str, Any]:
    import httpx
    from sqlalchemy import event

    from adapters.cli.live import deliverer
    from bot.settings import Settings
    from bot.snapshot import sample_snapshot
    from bot.store import open_store

    store = await open_store(url)
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(store.engine.sync_engine, "before_cursor_execute", count)
    fixed = sample_snapshot()
    from bot.snapshots import FixedSnapshot

    settings = Settings(database_url=url)
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64)) as client:
        delivery = deliverer(settings, store, FixedSnapshot(fixed), publishers(base, client), fixed)
        delivery.clock = lambda: at
        cpu, wall = time.process_time(), time.monotonic()
        if os.environ.get("FANOUT_PROFILE"):
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
            report = await delivery.run(at)
            profile.disable()
            profile.dump_stats(f"{os.environ['FANOUT_PROFILE']}.{os.getpid()}")
        else:
            report = await delivery.run(at)
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    await store.close()
    timeline: dict[str, list[float]] = {}
    for kind, begun, ended in SENDS:
        first, last, busy, n = timeline.get(kind, [begun, ended, 0.0, 0])
        timeline[kind] = [min(first, begun), max(last, ended), busy + ended - begun, n + 1]
    started = min((t[0] for t in timeline.values()), default=0.0)
    return {
        "sends": {
            kind: f"{n} from {a - started:.1f} s to {b - started:.1f} s, {busy / n * 1000:.0f} ms each"
            for kind, (a, b, busy, n) in timeline.items()
        },
        "outcomes": dict(report.outcomes),
        "problems": report.problems[:5],
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
        "statements": statements,
        "digests_computed": delivery.digests.computed,
    }


# The benchmark ----------------------------------------------------------------------------


async def expected_messages(subs: list[dict[str, Any]], base: str) -> Counter[str]:
    """What each destination should receive: its subscriptions' digests, rendered."""
    import httpx

    from bot.engine import build_digest
    from bot.models import Filters
    from bot.snapshot import sample_snapshot

    snapshot = sample_snapshot()
    expected = Counter[str]()
    async with httpx.AsyncClient() as client:
        render = publishers(base, client)
        made: dict[tuple[Any, ...], int] = {}
        for sub in subs:
            key = (sub["platform"], sub["kind"], tuple(sub["categories"]), sub["top"])
            if key not in made:
                filters = Filters(categories=tuple(sub["categories"]), top=sub["top"])
                digest = build_digest(snapshot, filters, generated_at=AT)
                # empty_posts "skip": a digest whose filters match nothing is not posted.
                posted = digest.items or not digest.announced
                made[key] = (
                    len(render[(sub["platform"], sub["kind"])].render(digest)) if posted else 0
                )
            expected[fake_destination(sub)] += made[key]
    return expected


def floor_of(subs: list[dict[str, Any]], expected: Counter[str], latency: float) -> float:
    per_limit: Counter[tuple[str, str]] = Counter()
    counted = set()
    for sub in subs:
        where = fake_destination(sub)
        if where in counted:
            continue
        counted.add(where)
        path = (
            "/x/chat.postMessage"
            if sub["kind"] == "channel" and sub["platform"] == "slack"
            else where
        )
        if sub["platform"] == "discord" and sub["kind"] == "channel":
            path = f"/discord/channels/{where}/messages"
        for limit in limits_of(path, {"channel": where})[1]:
            per_limit[limit] += expected[where]
    return (
        max(n * LIMITS[kind][1] / LIMITS[kind][0] for (kind, _), n in per_limit.items()) + latency
    )


async def load(url: str, subs: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    from bot.store import open_store
    from bot.store.tables import SubscriptionRow

    store = await open_store(url)
    rows = [
        {
            **sub,
            "keywords": [],
            "post_time": dt.time(9, 0),
            "timezone": "UTC",
            "weekdays": list(range(7)),
            "cadence": "daily",
            "lag": 0,
            "created_by": "",
            "paused": False,
            "paused_reason": "",
            "created_at": AT - dt.timedelta(days=1),
        }
        for sub in subs
    ]
    async with store.engine.begin() as connection:
        for start in range(0, len(rows), 1000):
            await connection.execute(insert(SubscriptionRow), rows[start : start + 1000])
    await store.close()


def run_children(url: str, base: str, at: dt.datetime, processes: int) -> list[dict[str, Any]]:
    args = [sys.executable, __file__, "--child", url, base, at.isoformat()]
    # As docker-compose.yml's replicas: each paces itself to its share of the bot's limits.
    env = {**os.environ, "HOTPAPERS_RATE_LIMIT_SHARE": str(1 / processes)}
    running = [
        subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env) for _ in range(processes)
    ]
    results = []
    for proc in running:
        out, _ = proc.communicate(timeout=3600)
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args()
    latency = options.latency_ms / 1000
    if options.serve:
        serve(latency)
        return
    if options.child:
        url, base, at = options.child
        print(json.dumps(asyncio.run(child(url, base, dt.datetime.fromisoformat(at)))))
        return

    import psycopg

    admin = os.environ.get("HOTPAPERS_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
    name = f"fanout_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    fake = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--latency-ms", str(options.latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert fake.stdout is not None
        port = int(fake.stdout.readline().split()[1])
        base = f"http://127.0.0.1:{port}"
        subs = world(options.subscriptions, base)
        asyncio.run(load(url, subs))
        expected = asyncio.run(expected_messages(subs, base))
        floor = floor_of(subs, expected, latency)
        print(f"{len(subs)} subscriptions, {sum(expected.values())} messages; floor {floor:.1f} s")
        start = time.monotonic()
        results = run_children(url, base, AT, options.processes)
        wall = time.monotonic() - start
        for n, result in enumerate(results):
            print(f"process {n}: {result}")
        idle = run_children(url, base, AT + dt.timedelta(minutes=2), 1)[0]
        print(f"idle run: {idle}")
        import httpx

        stats = httpx.get(f"{base}/stats").json()
        received = stats["received"]
        duplicates = sum(n - 1 for counts in received.values() for n in counts.values() if n > 1)
        lost = sum(max(0, want - len(received.get(where, {}))) for where, want in expected.items())
        print(f"429s from the fakes: {stats['refused']}")
        deliveries = sum(r["outcomes"].get("posted", 0) for r in results) or 1
        figures = {
            "subscriptions": len(subs),
            "messages": sum(sum(c.values()) for c in received.values()),
            "wall_s": round(wall, 2),
            "floor_s": round(floor, 2),
            "ratio_to_floor": round(wall / floor, 2),
            "digests_computed": sum(r["digests_computed"] for r in results),
            "sql_per_delivery": round(sum(r["statements"] for r in results) / deliveries, 1),
            "duplicates": duplicates,
            "lost": lost,
            "idle_cpu_s": idle["cpu_s"],
        }
        print(json.dumps(figures))
    finally:
        fake.terminate()
        fake.wait()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
