"""The console as a delivery platform: digests for a local "channel" appear on a stream.

It cannot look a message up, so a message interrupted while being written is left uncertain.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from bot.models import Digest
from bot.ports import Pace
from bot.render import render_text
from bot.subscriptions import Subscription


class ConsolePublisher:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._ids = itertools.count(1)

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        return [{"text": render_text(digest)}]

    def paces(self, sub: Subscription) -> Sequence[Pace]:
        return ()  # a local stream: no rate limit

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        self.stream.write(f"── #{sub.destination} ──\n{message['text']}\n")
        self.stream.flush()
        return f"console:{next(self._ids)}"
