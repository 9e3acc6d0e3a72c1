"""The console as a delivery platform: digests for a local "channel" appear on a stream."""

from __future__ import annotations

import itertools
from typing import TextIO

from bot.models import Digest
from bot.render import render_text
from bot.subscriptions import Subscription


class ConsolePublisher:
    idempotent = False

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._ids = itertools.count(1)

    async def publish(self, sub: Subscription, digest: Digest, *, key: str) -> str:
        self.stream.write(f"── #{sub.destination} ──\n{render_text(digest)}\n")
        self.stream.flush()
        return f"console:{next(self._ids)}"
