"""``hotpapers subscriptions list`` with many subscriptions: the time and memory of one page.

Bulk-inserts ``--count`` subscriptions (every fifth paused, over Slack, Discord and the console)
into a fresh SQLite file (or ``--database URL``, an empty database), then runs
``hotpapers subscriptions list`` with a few filters as separate processes, and prints the wall
time and peak RSS of each. The last line is one JSON object. Figures only; nothing is asserted.

    python benchmarks/subscriptions.py [--count 10000] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from bot.store import open_store
from bot.store.tables import SubscriptionRow

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
PLATFORMS = ("slack", "discord", "console")


async def fill(url: str, count: int) -> None:
    store = await open_store(url)
    rows = [
        {
            "platform": PLATFORMS[n % 3],
            "workspace": f"T{n % 50}",
            "destination": f"C{n:06d}",
            "kind": "channel",
            "categories": ["cs.LG", "cs.CV"][: 1 + n % 2],
            "keywords": [],
            "top": 10,
            "post_time": dt.time(9, n % 60),
            "timezone": "Europe/Berlin",
            "weekdays": [0, 1, 2, 3, 4],
            "created_by": f"U{n}",
            "paused": n % 5 == 0,
            "paused_reason": "paused by a user" if n % 5 == 0 else "",
            "created_at": NOW,
        }
        for n in range(count)
    ]
    async with store.engine.begin() as connection:
        await connection.execute(insert(SubscriptionRow), rows)
    await store.close()


def listing(args: list[str], env: dict[str, str]) -> dict[str, object]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli.main", "subscriptions", "list", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "args": " ".join(args),
        "exit": done.returncode,
        "wall_s": round(wall, 3),
        # ru_maxrss of children is the largest so far: a rise means this one was the largest.
        "max_rss_mb": round(max(peak, before) / 1024, 1),
        "note": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database", help="an empty database's URL; default: a SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotpapers-subs-") as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'subs.db'}"
        start = time.perf_counter()
        asyncio.run(fill(url, args.count))
        inserted = time.perf_counter() - start
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOTPAPERS_")}
        env |= {"HOTPAPERS_DATABASE_URL": url, "HOTPAPERS_DATA_DIR": folder, "COLUMNS": "200"}
        runs = [
            listing([], env),
            listing(["--page", str(args.count // 50)], env),
            listing(["--platform", "discord", "--state", "paused", "--limit", "100"], env),
            listing(["--channel", f"C{args.count // 2:06d}"], env),
        ]
        for run in runs:
            print(json.dumps(run))
        print(
            json.dumps({"subscriptions": args.count, "insert_s": round(inserted, 2), "runs": runs})
        )


if __name__ == "__main__":
    main()
