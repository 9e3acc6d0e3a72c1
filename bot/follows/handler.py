"""The personal commands run against the follow store for one person; text replies.

The chat handler routes here: ``await follows.handle(text, person)`` answers ``/hotpapers
follow …``, ``follows``, ``unfollow …``, ``dm …`` and ``forget me``, and returns None for any
other command, which is then not a personal one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from bot.cache import utcnow
from bot.commands import CommandError
from bot.errors import HotPapersError
from bot.follows.commands import (
    FollowThis,
    ForgetMe,
    ListFollows,
    PersonalCommand,
    SetDmTime,
    Unfollow,
    is_personal,
    parse,
)
from bot.follows.lookup import PaperLookup
from bot.follows.match import fold
from bot.follows.model import DmTime, Follow, Person
from bot.follows.store import MAX_FOLLOWS, FollowStore
from bot.limits import REPLY_LIMITS, fit

if TYPE_CHECKING:
    from bot.chat import Context, TextReply

log = logging.getLogger("hotpapers.follows")


# bot.chat is imported where it is used, not at the top: it routes the personal commands to
# this module, and the two must not import each other while loading.
def _reply(kind: Literal["help", "confirmation", "done", "list", "error"], text: str) -> TextReply:
    from bot.chat import TextReply

    return TextReply(kind=kind, text=text)


def _more_help() -> str:
    from bot.chat import MORE_HELP

    return MORE_HELP


def person(ctx: Context) -> Person:
    """The person who sent a command: the user within the workspace or guild."""
    return Person(platform=ctx.platform, scope=ctx.workspace, user=ctx.user)


def forgotten(follows: int, papers: int) -> str:
    """What ``forget me`` deleted, in a person's words: their follows, their direct-message
    settings and the list of papers sent to them (which kept any from coming twice)."""
    parts = [f"your {follows} follow{'s' if follows != 1 else ''}"] if follows else []
    parts.append("your settings (the time of your direct message, the mix of “me”)")
    if papers:
        which = "paper" if papers == 1 else f"{papers} papers"
        parts.append(
            f"the list of the {which} sent to you in direct messages (kept so that none came twice)"
        )
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]
    return f"{listed} {'are' if len(parts) > 1 else 'is'} deleted"


def when(dm: DmTime) -> str:
    return f"{dm.at:%H:%M} {dm.zone}"


def numbered(follows: list[Follow]) -> str:
    return "\n".join(f"{n}. {f.describe()}" for n, f in enumerate(follows, start=1))


class FollowHandler:
    def __init__(
        self,
        store: FollowStore,
        *,
        lookup: PaperLookup,
        clock: Callable[[], dt.datetime] = utcnow,
        max_follows: int = MAX_FOLLOWS,
    ) -> None:
        self.store = store
        self.lookup = lookup
        self.clock = clock
        self.max_follows = max_follows

    async def handle(self, text: str, who: Person) -> TextReply | None:
        """The reply to a personal command, or None when ``text`` is not one; never raises
        for bad input, and fits in one message of the person's platform."""
        if not is_personal(text):
            return None
        try:
            reply = await self._answer(text, who)
        except HotPapersError as exc:
            reply = _reply(kind="error", text=f"That cannot be answered right now: {exc}")
        except Exception:
            log.exception("answering a personal command failed")
            reply = _reply(
                kind="error", text="Something went wrong answering that; the error was logged."
            )
        limit = REPLY_LIMITS.get(who.platform, 2_000)
        return _reply(kind=reply.kind, text=fit(reply.text, limit))

    async def _answer(self, text: str, who: Person) -> TextReply:
        if not who.user:
            return _reply(
                kind="error", text="Personal follows need to know who you are; none was given."
            )
        try:
            command = parse(text)
        except CommandError as exc:
            return _reply(kind="error", text=f"{exc} {_more_help()}")
        return await self._run(command, who)

    async def _run(self, command: PersonalCommand, who: Person) -> TextReply:
        if isinstance(command, FollowThis):
            return await self._follow(command, who)
        if isinstance(command, ListFollows):
            return await self._list(who)
        if isinstance(command, Unfollow):
            return await self._unfollow(command, who)
        if isinstance(command, SetDmTime):
            current = await self.store.dm_time(who)
            chosen = DmTime(at=command.at or current.at, zone=command.zone or current.zone)
            await self.store.set_dm_time(who, chosen)
            return _reply(kind="confirmation", text=f"Your direct message comes at {when(chosen)}.")
        assert isinstance(command, ForgetMe)
        follows = len(await self.store.follows(who))
        papers = len(await self.store.sent_papers(who))
        if not await self.store.forget(who):
            return _reply(kind="confirmation", text="Nothing was stored about you.")
        return _reply(kind="confirmation", text=f"Forgotten: {forgotten(follows, papers)}.")

    async def _follow(self, command: FollowThis, who: Person) -> TextReply:
        mine = await self.store.follows(who)
        wanted = fold(command.value)
        if same := [f for f in mine if f.kind == command.kind and fold(f.value) == wanted]:
            return _reply(kind="confirmation", text=f"You follow {same[0].describe()} already.")
        if len(mine) >= self.max_follows:
            return _reply(
                kind="error",
                text=f"You follow {len(mine)} things already, the most there may be; "
                f"unfollow some first (/hotpapers follows lists them). {_more_help()}",
            )
        text = ""
        if command.kind == "similar":
            paper = await self.lookup(command.value)
            if paper is None:
                return _reply(
                    kind="error",
                    text=f"arXiv has no paper {command.value}; check the id. {_more_help()}",
                )
            text = f"{paper.title}\n{paper.abstract}"
        follow = Follow(
            person=who, kind=command.kind, value=command.value, text=text, created_at=self.clock()
        )
        stored, new = await self.store.add(follow)
        dm = await self.store.dm_time(who)
        if not new:
            return _reply(kind="confirmation", text=f"You follow {stored.describe()} already.")
        return _reply(
            kind="confirmation",
            text=f"Following {stored.describe()}: new papers that match come in one direct "
            f"message a day at {when(dm)} (/hotpapers dm at HH:MM to change it).",
        )

    async def _list(self, who: Person) -> TextReply:
        mine = await self.store.follows(who)
        if not mine:
            return _reply(
                kind="list",
                text='You follow nothing yet. Try /hotpapers follow author "Name", '
                "follow keyword words or follow similar ARXIV_ID.",
            )
        dm = await self.store.dm_time(who)
        return _reply(
            kind="list",
            text=f"You follow (direct message at {when(dm)}):\n{numbered(mine)}\n"
            "/hotpapers unfollow N stops one.",
        )

    async def _unfollow(self, command: Unfollow, who: Person) -> TextReply:
        mine = await self.store.follows(who)
        if not mine:
            return _reply(kind="error", text="You follow nothing, so nothing to unfollow.")
        if command.everything:
            chosen = mine
        elif command.numbers:
            beyond = [n for n in command.numbers if n > len(mine)]
            if beyond:
                return _reply(
                    kind="error",
                    text=f"You follow {len(mine)} things, so there is no number {beyond[0]}: "
                    f"/hotpapers follows lists them. {_more_help()}",
                )
            chosen = [mine[n - 1] for n in command.numbers]
        else:
            wanted = fold(command.value)
            chosen = [f for f in mine if f.kind == command.kind and fold(f.value) == wanted]
            if not chosen:
                return _reply(
                    kind="error",
                    text=f"You do not follow {command.kind} “{command.value}”: "
                    f"/hotpapers follows lists what you do. {_more_help()}",
                )
        await self.store.remove(who, [f.id for f in chosen if f.id is not None])
        return _reply(
            kind="confirmation",
            text="Unfollowed: " + ", ".join(f.describe() for f in chosen) + ".",
        )
