"""200 concurrent ``/hotpapers`` commands against ``hotpapers run``: acks, answers, /healthz.

Writes a synthetic day (``--papers`` papers, ``--signals`` signals) as a snapshot, starts
``hotpapers run --snapshot`` in Slack HTTP mode on 127.0.0.1 (a throwaway store, a local fake
Slack API), then sends ``--commands`` signed slash commands at once, each with its own
``response_url`` on a local recorder, while ``/healthz`` is polled. The ack time is the HTTP
answer to the command, the answer time when its first response reached the ``response_url``.
The last line is one JSON object: {commands, ack_p99_s, answer_p99_s, healthz_p99_s, ...},
with the CPU seconds the server used (``server_cpu_s``, start included) and the machine's load
average when the commands were sent (``load_1m``): latencies on a shared machine depend on it.
Figures only; nothing here is asserted.

    python benchmarks/slash.py [--commands 200] [--papers 2000] [--signals 30000] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import random
import resource
import socket
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from bot.models import Paper, Post, Signal
from bot.snapshot import Snapshot, write_snapshot

SECRET = "bench-signing-secret"
DAY = dt.date(2026, 11, 24)
T0 = dt.datetime(2026, 11, 24, 6, tzinfo=dt.UTC)
CATEGORIES = ("cs.LG", "cs.CV", "cs.CL", "stat.ML", "math.OC", "cs.RO", "q-bio.NC", "hep-th")
# What people ask for: the channel's categories (none here: all), one or two categories, top N,
# keywords. Twenty-odd distinct filter sets among the commands.
TEXTS = (
    "",
    "cs.LG",
    "cs.CV top 5",
    "cs.CL keywords language",
    "stat.ML cs.LG top 20",
    "math.OC",
    "cs.RO top 3",
    "keywords diffusion",
    "q-bio.NC",
    "hep-th top 15",
    "cs.LG keywords graph",
    "top 25",
)
WORDS = ("diffusion", "graph", "language", "robot", "quantum", "neural", "vision", "policy")


def synthetic_day(papers: int, signals: int, seed: int = 1) -> Snapshot:
    rng = random.Random(seed)
    ids = [f"2611.{i:05d}" for i in range(papers)]
    day_papers = tuple(
        Paper(
            arxiv_id=i,
            title=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} paper {i}",
            authors=("A. Author", "B. Author"),
            abstract=" ".join(rng.choice(WORDS) for _ in range(120)) + ".",
            categories=(cat := rng.choice(CATEGORIES), rng.choice(CATEGORIES)),
            primary_category=cat,
            announced=DAY,
        )
        for i in ids
    )
    found = []
    sources = ("bluesky", "twitter", "hackernews", "reddit")
    for n in range(signals):
        arxiv_id = ids[min(int(rng.paretovariate(1.2)) - 1, papers - 1) if n % 2 else n % papers]
        source = rng.choice(sources)
        found.append(
            Signal(
                source=source,
                arxiv_id=arxiv_id,
                counts={"likes": rng.randint(0, 50), "reposts": rng.randint(0, 10)},
                post=Post(
                    url=f"https://example.org/{source}/{n}", author=f"u{n % 997}", text="a post"
                ),
                taken_at=T0,
            )
        )
    return Snapshot(
        date=DAY,
        papers=day_papers,
        signals=tuple(found),
        sources_used=sources,
        taken_at=T0,
        origin="benchmark",
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed(body: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def _children_cpu() -> float:
    """CPU seconds (user and system) of the child processes that have ended."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


class Recorder:
    """A fake Slack Web API (auth.test, anything else ok) and the commands' response_urls."""

    def __init__(self) -> None:
        self.answered: dict[int, float] = {}
        self.done = asyncio.Event()
        self.expected = 0

    async def api(self, request: web.Request) -> web.Response:
        await request.read()
        body = {"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "B1", "team": "Lab"}
        return web.json_response(body)

    async def respond(self, request: web.Request) -> web.Response:
        await request.read()
        n = int(request.match_info["n"])
        self.answered.setdefault(n, time.perf_counter())
        if len(self.answered) >= self.expected:
            self.done.set()
        return web.Response(text="ok")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/respond/{n}", self.respond)
        app.router.add_route("*", "/api/{method}", self.api)
        return app


async def wait_healthy(
    session: aiohttp.ClientSession, base: str, proc: asyncio.subprocess.Process
) -> None:
    for _ in range(600):
        if proc.returncode is not None:
            raise SystemExit(f"hotpapers run exited with {proc.returncode}")
        try:
            async with session.get(f"{base}/healthz") as answer:
                if answer.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("hotpapers run did not answer /healthz within 60 s")


async def measure(args: argparse.Namespace, folder: Path) -> dict[str, object]:
    snapshot_file = folder / "day.json"
    write_snapshot(synthetic_day(args.papers, args.signals), snapshot_file)
    recorder = Recorder()
    recorder.expected = args.commands
    runner = web.AppRunner(recorder.app())
    await runner.setup()
    fake_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", fake_port).start()
    fake = f"http://127.0.0.1:{fake_port}"
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HOTPAPERS_", "SLACK_"))},
        "HOTPAPERS_DATA_DIR": str(folder / "data"),
        "HOTPAPERS_DATABASE_URL": args.database or f"sqlite:///{folder / 'bench.db'}",
        "HOTPAPERS_HTTP_HOST": "127.0.0.1",
        "HOTPAPERS_HTTP_PORT": str(port),
        "HOTPAPERS_LOG_LEVEL": "warning",
        "SLACK_BOT_TOKEN": "xoxb-benchmark",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"{fake}/api/",
    }
    command = [sys.executable, "-m", "adapters.cli.main", "run", "--snapshot", str(snapshot_file)]
    log = (folder / "run.log").open("wb")
    cpu_before = _children_cpu()
    proc = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    acks: list[float] = []
    sent: dict[int, float] = {}
    health: list[float] = []
    statuses: dict[int, int] = {}
    try:
        limits = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=limits) as session:
            await wait_healthy(session, base, proc)

            async def one(n: int) -> None:
                body = urlencode(
                    {
                        "command": "/hotpapers",
                        "text": TEXTS[n % len(TEXTS)],
                        "team_id": "T1",
                        "channel_id": f"C{n % 7}",
                        "user_id": f"U{n}",
                        "response_url": f"{fake}/respond/{n}",
                        "trigger_id": f"t{n}",
                    }
                )
                sent[n] = time.perf_counter()
                async with session.post(
                    f"{base}/slack/events", data=body, headers=signed(body)
                ) as answer:
                    await answer.read()
                    statuses[answer.status] = statuses.get(answer.status, 0) + 1
                acks.append(time.perf_counter() - sent[n])

            async def poll(stop: asyncio.Event) -> None:
                while not stop.is_set():
                    start = time.perf_counter()
                    async with session.get(f"{base}/healthz") as answer:
                        await answer.read()
                    health.append(time.perf_counter() - start)
                    await asyncio.sleep(0.05)

            load = os.getloadavg()[0]
            stop = asyncio.Event()
            poller = asyncio.ensure_future(poll(stop))
            started = time.perf_counter()
            await asyncio.gather(*(one(n) for n in range(args.commands)))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(recorder.done.wait(), timeout=args.timeout)
            elapsed = time.perf_counter() - started
            stop.set()
            await poller
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout=20)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        log.close()
        await runner.cleanup()
    server_cpu = _children_cpu() - cpu_before
    answers = [recorder.answered[n] - sent[n] for n in recorder.answered if n in sent]
    tail = (folder / "run.log").read_text(errors="replace").strip().splitlines()[-3:]
    return {
        "commands": args.commands,
        "ack_p99_s": p(acks, 0.99),
        "answer_p99_s": p(answers, 0.99),
        "healthz_p99_s": p(health, 0.99),
        "ack_p50_s": p(acks, 0.5),
        "answer_p50_s": p(answers, 0.5),
        "healthz_max_s": round(max(health), 3) if health else None,
        "answered": len(answers),
        "http_statuses": statuses,
        "papers": args.papers,
        "signals": args.signals,
        "store": (args.database or "sqlite").split(":")[0],
        "elapsed_s": round(elapsed, 2),
        "server_cpu_s": round(server_cpu, 2),
        "load_1m": round(load, 2),
        "stderr_tail": tail,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--signals", type=int, default=30_000)
    parser.add_argument(
        "--database", help="the store's URL (a fresh database); default: a throwaway SQLite file"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for answers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotpapers-slash-") as folder:
        print(json.dumps(asyncio.run(measure(args, Path(folder)))))


if __name__ == "__main__":
    main()
