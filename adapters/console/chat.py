"""A local chat channel in the terminal: type ``/hotpapers …`` exactly as in Slack or Discord.

The same command language, store and scheduler as the real platforms. Lines come from stdin,
so a session can be scripted (``printf '/hotpapers top 3\\n' | hotpapers run --sample``); the
channel closes at the end of input. Upstream text is printed as text, never as rich markup,
and without control characters (an ESC could drive the terminal). Each paper shows, as in
Slack and Discord, a short author list, why it is hot, its TL;DR and its links, and the
channel's own count apart from the score.

The buttons of Slack and Discord are commands here, on the last digest shown (N its rank):
``like N`` (👍 for us), ``dislike N`` (👎 not for us), ``save N`` (🔖), each recorded in
``store.feedback`` for the console channel and taken back when given again, and ``discuss N``,
which prints the paper's thread seed (its links).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sys
from collections.abc import AsyncIterator, Callable
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.style import Style
from rich.text import Text

from adapters.feedback import FeedbackRecorder
from bot.chat import CommandHandler, Context, DigestReply, Reply, TextReply
from bot.feedback import Channel
from bot.feedback.actions import ACTIONS, FACES, Action, thread_seed
from bot.insight import short_authors
from bot.models import Digest
from bot.render.common import (
    counts_phrase,
    digest_title,
    empty_selection,
    filters_phrase,
    footer_lines,
    no_announcement,
    number,
    one_line,
    plain,
    reason,
    tldr_line,
)
from bot.render.text import excerpt
from bot.sourcenames import label
from bot.store.feedback import FeedbackStore

_WEB = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$")
CHANNEL = "console"
PREFIX = "/hotpapers"
# What a button does here, after its face (``FACES``): each action of ``ACTIONS`` has one.
DOES: dict[Action, str] = {
    "like": "given again, taken back",
    "dislike": "given again, taken back",
    "save": "given again, taken back",
    "discuss": "the paper's links, to talk about it",
}
STYLES = {
    "help": "cyan",
    "confirmation": "green",
    "done": "green",
    "list": "default",
    "error": "red",
}


def digest_view(digest: Digest) -> Group:
    """A digest for the terminal: styled with rich, upstream text always plain text."""
    title = digest_title(digest)
    if filters_phrase(digest):
        title += f" ({filters_phrase(digest)})"
    parts: list[RenderableType] = [Rule(Text(one_line(title), style="bold"))]
    if not digest.announced:
        parts.append(Text(no_announcement(digest), style="yellow"))
    elif not digest.items:
        parts.append(Text(empty_selection(digest), style="yellow"))
    for rank, item in enumerate(digest.items, start=1):
        paper = item.paper
        engagement = " · ".join(
            f"{label(p.source)} {counts_phrase(p.counts, ' ')}" for p in item.breakdown if p.counts
        )
        lines = [
            Text.assemble(
                (f"{rank:>2}. ", "bold"),
                (one_line(paper.title), Style(bold=True, link=paper.abs_url)),
            ),
            Text(one_line(short_authors(paper.authors)), style="dim"),
        ]
        if why := reason(item):
            lines.append(Text(why, style="bold yellow"))
        lines += [
            Text.assemble(
                (f"score {number(item.score)}", "cyan"),
                (f"  {one_line(engagement)}" if engagement else "", ""),
            ),
            Text.assemble(
                (one_line(" ".join(paper.categories)), "magenta"),
                ("  ", ""),
                (paper.abs_url, Style(link=paper.abs_url)),
            ),
        ]
        if item.own:
            lines.append(Text(one_line(item.own), style="green"))
        if item.links:
            lines.append(
                Text.assemble(
                    *(
                        part
                        for n, x in enumerate(item.links)
                        for part in (
                            ("  " if n else "", ""),
                            (one_line(x.label), Style(link=x.url, underline=True)),
                        )
                    )
                )
            )
        if tldr := tldr_line(item):
            lines.append(Text.assemble(("TL;DR ", "bold"), (tldr, "")))
        elif paper.abstract.strip():
            lines.append(Text(excerpt(plain(paper.abstract))))
        lines += [
            Text(
                f"“{excerpt(plain(post.text), 140)}” — {one_line(post.author)}",
                style=Style(italic=True, link=post.url if _WEB.match(post.url) else None),
            )
            for post in item.top_posts
        ]
        details = Padding(Group(*lines[1:]), (0, 0, 0, 4))
        parts.append(Padding(Group(lines[0], details), (1, 0, 0, 0)))
    footer = " ".join(footer_lines(digest))
    if footer:
        parts.append(Padding(Text(one_line(footer), style="dim"), (1, 0, 0, 0)))
    return Group(*parts)


def buttons_help(buttons: tuple[Action, ...]) -> str:
    """What the console adds to ``help``: its own commands, the buttons of Slack and Discord."""
    if not buttons:
        return f"Here the {PREFIX} prefix may be left out: help, top 5, subscribe cs.LG …"
    lines = [
        f"{action} N — {FACES[action][0]} {FACES[action][1]} ({DOES[action]})" for action in buttons
    ]
    return "\n".join(
        [
            f"Here the {PREFIX} prefix may be left out, and the buttons of Slack and Discord are "
            "commands on the last digest shown (N: a paper's rank in it):",
            *lines,
        ]
    )


def show(console: Console, reply: Reply) -> None:
    if isinstance(reply, DigestReply):
        console.print(digest_view(reply.digest))
        return
    console.print(Text(reply.text, style=STYLES[reply.kind]))


class ConsoleChat:
    def __init__(
        self,
        handler: CommandHandler,
        console: Console,
        *,
        user: str = "you",
        feedback: FeedbackStore | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.handler = handler
        self.console = console
        self.context = Context(platform="console", channel=CHANNEL, user=user)
        self.feedback = None if feedback is None else FeedbackRecorder(feedback, clock=clock)
        # The console's own commands: what ``answer`` dispatches and ``help`` lists.
        self.buttons: tuple[Action, ...] = ACTIONS if self.feedback is not None else ()
        self.last: Digest | None = None  # what like N, save N … refer to

    async def answer(self, line: str) -> None:
        """Answer one line; here the ``/hotpapers`` prefix is optional (``top 3`` will do)."""
        text = line.strip()
        if not text:
            return
        first, _, rest = text.partition(" ")
        if first.lower() == PREFIX:
            text = rest
        elif first.startswith("/"):
            show(
                self.console,
                TextReply(
                    kind="error",
                    text=f"Unknown command {one_line(first)[:40]}: type {PREFIX} help "
                    "(here the /hotpapers prefix may be left out).",
                ),
            )
            return
        word, _, rank = text.partition(" ")
        if word.lower() in self.buttons:
            if rank.strip().isdigit():
                show(self.console, await self.press(word.lower(), int(rank)))  # type: ignore[arg-type]
            else:
                # "like", "save x", "like 1 2": one rank of the last digest shown, nothing else.
                shown = len(self.last.items) if self.last is not None else 0
                show(
                    self.console,
                    TextReply(
                        kind="error",
                        text=f"{word.lower()} takes one paper's rank, like {word.lower()} 1 "
                        f"({f'1 to {shown}' if shown else 'ask for a digest first: top 5'}).",
                    ),
                )
            return
        reply = await self.handler.handle(text, self.context)
        if isinstance(reply, TextReply) and reply.kind == "help":
            reply = TextReply(kind="help", text=f"{reply.text}\n{buttons_help(self.buttons)}")
        if isinstance(reply, DigestReply):
            if self.feedback is not None:
                digest = await self.feedback.own(self.channel, reply.digest)
                reply = DigestReply(digest=digest, public=reply.public)
            self.last = reply.digest
        show(self.console, reply)

    @property
    def channel(self) -> Channel:
        return Channel(platform="console", channel=CHANNEL)

    async def press(self, action: Action, rank: int) -> Reply:
        """A button pressed on paper ``rank`` of the last digest shown."""
        assert self.feedback is not None
        if self.last is None or not 1 <= rank <= len(self.last.items):
            shown = len(self.last.items) if self.last is not None else 0
            where = f"1 to {shown}" if shown else "a rank of a digest shown first (top 5)"
            return TextReply(kind="error", text=f"{action} N takes {where}.")
        item = self.last.items[rank - 1]
        if action == "discuss":
            seed = thread_seed(item)
            links = "\n".join(f"  {x.label}: {x.url}" for x in seed.links)
            return TextReply(kind="list", text=f"🧵 {one_line(seed.title)}\n{links}")
        text = await self.feedback.pressed(
            self.channel, self.context.user, action, item.paper.arxiv_id, shown=f"#{CHANNEL}"
        )
        if text is None:
            return TextReply(kind="error", text=f"{action} {rank}: this paper cannot be recorded.")
        return TextReply(kind="confirmation", text=f"{text} ({one_line(item.paper.title)[:80]})")

    async def serve(self, stdin: TextIO = sys.stdin) -> None:
        """Answer every line until the end of input (a pipe or a script)."""
        while True:
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                return
            await self.answer(line)

    async def serve_lines(self, lines: AsyncIterator[str]) -> None:
        """Answer every line typed at a terminal (``adapters.console.terminal``)."""
        async for line in lines:
            await self.answer(line)
