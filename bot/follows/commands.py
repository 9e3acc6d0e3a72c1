"""The personal commands of ``/hotpapers``, parsed. Pure.

    /hotpapers follow author "Name"      papers by this person
    /hotpapers follow keyword words…     papers whose title or abstract has these words
    /hotpapers follow similar ARXIV_ID   papers like this one (its title and abstract)
    /hotpapers follows                   what you follow, numbered
    /hotpapers unfollow N [N …]          stop following those (numbers from ``follows``)
    /hotpapers unfollow author "Name" · unfollow keyword words… · unfollow similar ID
    /hotpapers unfollow all
    /hotpapers dm at HH:MM [tz ZONE]     when your daily direct message comes (09:00 UTC)
    /hotpapers forget me                 delete everything stored about you

Bad input raises ``CommandError`` only, with one sentence and the closest fix.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from bot.commands import CommandError, _close, parse_time, parse_zone
from bot.errors import InputError
from bot.follows.model import KINDS, Kind
from bot.ids import normalize_id
from bot.limits import MAX_COMMAND, MAX_ECHO, check_keywords, echo

WORDS = ("follow", "follows", "unfollow", "dm", "forget")
MAX_NAME = 100
_KINDS: dict[str, Kind] = {kind: kind for kind in KINDS}
QUOTES = "\"'“”„‘’«»"
USAGE = """\
/hotpapers follow author "Name" · keyword words… · similar ARXIV_ID — new papers that match, \
by direct message daily
/hotpapers follows — what you follow · /hotpapers unfollow N (or author "Name", keyword …, all)
/hotpapers dm at 08:30 [tz Europe/Berlin] — when your daily message comes (09:00 UTC)
/hotpapers forget me — delete everything kept about you"""


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowThis:
    kind: Kind
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListFollows:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Unfollow:
    """By numbers of the list (``numbers``), by what is followed (``kind``, ``value``), or all."""

    numbers: tuple[int, ...] = ()
    kind: Kind | None = None
    value: str = ""
    everything: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SetDmTime:
    at: dt.time | None = None
    zone: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ForgetMe:
    pass


PersonalCommand = FollowThis | ListFollows | Unfollow | SetDmTime | ForgetMe


def is_personal(text: str) -> bool:
    """Whether ``text`` (what follows ``/hotpapers``) is one of the personal commands."""
    first = text.split(maxsplit=1)[0].lower() if text.split() else ""
    return first in WORDS


def _unquoted(text: str) -> str:
    return " ".join(text.strip().strip(QUOTES).split())


def _value(kind: Kind, rest: str, verb: str) -> str:
    value = _unquoted(rest)
    if not value:
        example = {
            "author": f'{verb} author "Yann LeCun"',
            "keyword": f"{verb} keyword diffusion models",
            "similar": f"{verb} similar 2103.09742",
        }[kind]
        raise CommandError(f"“{verb} {kind}” needs something after it, like /hotpapers {example}.")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
        raise CommandError("A follow cannot hold control characters.")
    if kind == "similar":
        try:
            return normalize_id(value)
        except ValueError:
            raise CommandError(
                f"“{echo(value)}” is not an arXiv id: write it like 2103.09742 "
                "or paste the paper's arxiv.org link."
            ) from None
    if kind == "author":
        if len(value) > MAX_NAME:
            raise CommandError(f"A name has at most {MAX_NAME} characters, not {len(value)}.")
        if not any(c.isalpha() for c in value):
            raise CommandError(f'“{echo(value)}” is not a name: write it like "Yann LeCun".')
        return value
    try:
        check_keywords([value])
    except InputError as exc:
        raise CommandError(str(exc)) from exc
    if not any(c.isalnum() for c in value):
        raise CommandError(f"“{echo(value)}” has no word to look for.")
    return value


def _numbers(tokens: list[str]) -> tuple[int, ...]:
    found = []
    for token in tokens:
        for part in token.split(","):
            if not part:
                continue
            if re.fullmatch(r"#?0*[0-9]{1,4}", part) is None or int(part.lstrip("#")) == 0:
                raise CommandError(
                    f"“{echo(part)}” is not a number from /hotpapers follows: "
                    'write unfollow 2, or unfollow author "Name".'
                )
            found.append(int(part.lstrip("#")))
    return tuple(dict.fromkeys(found))


def parse(text: str) -> PersonalCommand:
    """The personal command ``text`` asks for; CommandError when it cannot be used."""
    if len(text) > MAX_COMMAND:
        raise CommandError(f"A command has at most {MAX_COMMAND} characters, not {len(text)}.")
    parts = text.split(maxsplit=2)
    verb = parts[0].lower() if parts else ""
    second = parts[1].lower() if len(parts) > 1 else ""
    rest = parts[2] if len(parts) > 2 else ""
    if verb == "follows":
        if len(parts) > 1:
            raise CommandError("“follows” takes nothing after it; it lists what you follow.")
        return ListFollows()
    if verb == "forget":
        if second != "me" or rest:
            raise CommandError("Write “forget me” to delete everything stored about you.")
        return ForgetMe()
    if verb == "dm":
        return _dm(text.split()[1:])
    if verb == "follow":
        if second not in KINDS:
            hint = _close(second, KINDS) if second and len(second) <= MAX_ECHO else ""
            raise CommandError(
                "Follow an author, a keyword or papers similar to one: "
                f'/hotpapers follow author "Name", follow keyword words or follow similar ID.{hint}'
            )
        kind = _KINDS[second]
        return FollowThis(kind=kind, value=_value(kind, rest, "follow"))
    if verb == "unfollow":
        if second in KINDS:
            kind = _KINDS[second]
            return Unfollow(kind=kind, value=_value(kind, rest, "unfollow"))
        if second == "all" and not rest:
            return Unfollow(everything=True)
        if not second:
            raise CommandError(
                "Unfollow what? Write unfollow 2 (a number from /hotpapers follows), "
                'unfollow author "Name" or unfollow all.'
            )
        return Unfollow(numbers=_numbers(text.split()[1:]))
    raise CommandError(f"“{echo(verb)}” is not a personal command.{_close(verb, WORDS)}")


def _dm(tokens: list[str]) -> SetDmTime:
    values: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        word = tokens[i].lower()
        if word not in ("at", "tz"):
            raise CommandError(
                f"“dm” takes at HH:MM and tz ZONE, not “{echo(tokens[i])}”: "
                "/hotpapers dm at 08:30 tz Europe/Berlin."
            )
        if word in values:
            raise CommandError(f"“{word}” is given twice.")
        if i + 1 >= len(tokens):
            raise CommandError(f"“{word}” needs a value after it.")
        values[word] = tokens[i + 1]
        i += 2
    if not values:
        raise CommandError("When? Write /hotpapers dm at 08:30 (and tz Europe/Berlin if not UTC).")
    return SetDmTime(
        at=parse_time(values["at"]) if "at" in values else None,
        zone=parse_zone(values["tz"]) if "tz" in values else None,
    )
