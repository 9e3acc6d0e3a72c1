"""A headless Chromium driven over the DevTools protocol, to look at pages as a browser lays
them out. Only what the tests need: set a viewport, load a page, evaluate an expression.

The system's ``chromium`` (Debian's package) is started with ``--remote-debugging-port=0`` and
talked to with aiohttp's WebSocket client, on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

_LISTENING = re.compile(r"DevTools listening on (ws://127\.0\.0\.1:(\d+)/\S+)")
STARTUP_SECONDS = 30
ANSWER_SECONDS = 30


def executable() -> str | None:
    """Where Chromium is, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """One tab: ``await page.open(url, width=390)``, then ``await page.evaluate("…")``."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and return its result, skipping the events that arrive meanwhile."""
        ident = next(self._ids)
        await self._ws.send_json({"id": ident, "method": method, "params": params})
        while True:
            message = await self._next()
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    async def _next(self) -> dict[str, Any]:
        # A browser that stops answering fails the test instead of hanging the suite.
        message = await asyncio.wait_for(self._ws.receive(), ANSWER_SECONDS)
        if message.type is not aiohttp.WSMsgType.TEXT:
            raise RuntimeError(f"Chromium closed the DevTools connection ({message.type}).")
        data: dict[str, Any] = json.loads(message.data)
        return data

    async def open(self, url: str, *, width: int, height: int = 900, dark: bool = False) -> None:
        """Load ``url`` in a viewport ``width`` CSS pixels wide (a phone's below 600)."""
        await self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )
        scheme = "dark" if dark else "light"
        await self.call(
            "Emulation.setEmulatedMedia",
            features=[{"name": "prefers-color-scheme", "value": scheme}],
        )
        await self.call("Page.enable")
        await self.call("Page.navigate", url=url)
        while (await self._next()).get("method") != "Page.loadEventFired":
            pass

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} failed: {result['exceptionDetails']}")
        return result["result"].get("value")


@asynccontextmanager
async def chromium(path: str) -> AsyncIterator[Page]:
    """A headless Chromium with one blank tab; stopped (and its profile removed) on exit."""
    with tempfile.TemporaryDirectory(prefix="hotpapers-chromium-") as profile:
        process = await asyncio.create_subprocess_exec(
            path,
            "--headless",
            "--no-sandbox",  # tests may run as root, where the sandbox refuses to start
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            port = await asyncio.wait_for(_port(process), STARTUP_SECONDS)
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
                    targets = await response.json()
                tab = next(t for t in targets if t.get("type") == "page")
                async with session.ws_connect(
                    tab["webSocketDebuggerUrl"], max_msg_size=64 * 2**20
                ) as ws:
                    yield Page(ws)
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 10)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def _port(process: asyncio.subprocess.Process) -> int:
    assert process.stderr is not None
    seen = []
    while line := await process.stderr.readline():
        seen.append(line.decode(errors="replace"))
        if match := _LISTENING.search(seen[-1]):
            return int(match.group(2))
    raise RuntimeError("Chromium exited before it listened: " + "".join(seen[-5:]))
