"""The command language of ``/hotpapers``, one parser for every platform. Pure.

    /hotpapers [now|rising|week|month] [CATEGORY ...] [top N] [date YYYY-MM-DD]
               [FILTERS] [public]
    /hotpapers subscribe [ID] CATEGORY ... [at HH:MM] [tz ZONE] [top N] [weekdays mon-fri]
                         [daily | weekly DAY] [lag 0|1d] [refresh 24h|off] [mix 0..1]
                         [FILTERS]
    /hotpapers subscribe picks weekly DAY [at HH:MM] [tz ZONE] [top N]
    /hotpapers unsubscribe [CATEGORY ... | ID ... | all]
    /hotpapers pause [ID ...] | resume [ID ...]
    /hotpapers subscriptions | help
    /hotpapers picks [week|month]       what this channel liked and saved most
    /hotpapers me [mix 0..1]            the latest day for you, by your own 👍 and 🔖 (a mix
                                        given is kept for the next ``me``)

    FILTERS: keywords WORD ... (any one), all WORD ... or +WORD (every one),
             not WORD ... or -WORD (none), authors NAME[, NAME ...] or authors "NAME" ...

An ID is a subscription's number as ``subscriptions`` shows it (``12`` or ``#12``). Words in
double quotes (straight or curly) are one word: a phrase, or an author's whole name.

Bad input never raises anything but ``CommandError``, whose message is a friendly sentence
with close matches; the fuzz tests hold the parser to that.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import InputError
from bot.limits import FIRST_DAY, MAX_COMMAND, MAX_ECHO, MAX_ID, MAX_TOP, check_keywords, echo
from bot.subscriptions import WEEKDAYS, Cadence, Content
from bot.taxonomy import load_taxonomy

USAGE = """\
/hotpapers [now] [categories] [top N] [date YYYY-MM-DD] [filters] [public] — the hot \
papers now (categories: cs.AI cs.LG or cs.AI,cs.LG)
Filters: keywords llm agents (any one) · all diffusion video, or +diffusion +video (every one) \
· not survey, or -survey (drops papers that mention it) · authors "Yann LeCun", "Y. Bengio" \
(any one; case, accents and initials are forgiven)
/hotpapers rising … — what gained most per hour over the last stored days
/hotpapers week … · /hotpapers month … — the best of the week or month ending at the date
/hotpapers subscribe cs.LG cs.CV [at 09:00] [tz Europe/Berlin] [top 10] [weekdays mon-fri] \
[filters]
/hotpapers subscribe cs.LG weekly fri at 16:00 — the best of the week, every Friday
/hotpapers subscribe cs.LG lag 1d — each day, the announcement before, with a day of engagement
/hotpapers subscribe cs.LG refresh 24h — posts edited a day later with settled counts
/hotpapers subscribe 12 at 10:00 — change #12 (other categories or filters add a second \
subscription)
/hotpapers subscribe cs.LG mix 0.5 — half hot, half close to what this channel likes
/hotpapers subscriptions — what this channel gets, each with its number (#12)
/hotpapers unsubscribe [12 | categories] — stop one subscription, some categories, or everything
/hotpapers pause [12] · /hotpapers resume [12] — one subscription, or all of this channel's
/hotpapers picks [week|month] — what this channel liked 👍 and saved 🔖 most
/hotpapers subscribe picks weekly fri at 16:00 — those picks every Friday
/hotpapers me [mix 0.5] — the latest day ordered by your own 👍 and 🔖
/hotpapers help"""

ACTIONS = ("subscribe", "unsubscribe", "subscriptions", "pause", "resume", "help", "picks", "me")
VIEWS = ("now", "rising", "week", "month")
OPTIONS = (
    "top",
    "date",
    "keywords",
    "public",
    "at",
    "tz",
    "weekdays",
    "daily",
    "weekly",
    "lag",
    "refresh",
    "not",
    "all",
    "authors",
    "mix",
)
# Options that take the words after them (up to the next option) and may be given again.
WORD_OPTIONS = {
    "keywords": "keywords",
    "all": "all_keywords",
    "not": "exclude",
    "authors": "authors",
}
QUOTES = {'"': '"', "“": "”", "„": "“", "”": "”"}
SUBSCRIBE_ONLY = ("at", "tz", "weekdays", "daily", "weekly", "lag", "refresh", "mix")
View = Literal["day", "rising", "week", "month"]
__all__ = ["MAX_TOP", "CommandError", "parse"]


class CommandError(InputError):
    """Input the command language cannot use; the message says why, kindly."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestRequest:
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    all_keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    top: int | None = None
    date: dt.date | None = None  # rising: the last day considered; week, month: the END
    public: bool = False
    view: View = "day"


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscribe:
    categories: tuple[str, ...]
    # The subscription to change (its id), or None: the one with these categories and filters.
    target: int | None = None
    # None: not given (a change keeps what the subscription has).
    keywords: tuple[str, ...] | None = None
    all_keywords: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    authors: tuple[str, ...] | None = None
    top: int | None = None
    at: dt.time | None = None
    timezone: str | None = None
    weekdays: tuple[int, ...] | None = None
    cadence: Cadence | None = None
    lag: int | None = None
    # Hours after which posts are edited with settled counts; 0 turns it off; None: unchanged.
    refresh_after: int | None = None
    # 0 hot only … 1 relevance to the channel's taste only; None: unchanged.
    mix: float | None = None
    # "picks": the channel's lab picks (``subscribe picks weekly fri``); None: the hot papers.
    content: Content | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsubscribe:
    """Some categories, some subscriptions by id, or (neither) everything in the channel."""

    categories: tuple[str, ...] = ()
    ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Pause:
    """Pause (or resume) some subscriptions by id, or (none) all of the channel's."""

    resume: bool = False
    ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Simple:
    action: str  # subscriptions, help


@dataclass(frozen=True, slots=True, kw_only=True)
class Picks:
    """Lab picks: what the channel liked and saved most over the last week or month."""

    span: Literal["week", "month"] = "week"


@dataclass(frozen=True, slots=True, kw_only=True)
class Me:
    """The latest day for the person who asks, blended with their own taste; ``mix`` None:
    the default."""

    mix: float | None = None


Command = DigestRequest | Subscribe | Unsubscribe | Pause | Simple | Picks | Me


def _close(word: str, choices: tuple[str, ...] | list[str]) -> str:
    found = difflib.get_close_matches(word.lower(), [c.lower() for c in choices], n=3, cutoff=0.6)
    return f" Did you mean {' or '.join(found)}?" if found else ""


@cache
def _zones() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones()}


def parse_time(text: str) -> dt.time:
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise CommandError(f"“{echo(text)}” is not a time: write it as HH:MM, for example 09:00.")
    return dt.time(int(match[1]), int(match[2]))


def parse_zone(text: str) -> str:
    zone = _zones().get(text.lower())
    if zone is None:
        close = (
            difflib.get_close_matches(text.lower(), list(_zones()), n=3, cutoff=0.6)
            if len(text) <= MAX_ECHO
            else []
        )
        hint = f" Did you mean {' or '.join(_zones()[c] for c in close)}?" if close else ""
        raise CommandError(
            f"“{echo(text)}” is not a time zone (like Europe/Berlin or America/New_York).{hint}"
        )
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed zones load
        raise CommandError(f"The time zone {zone} cannot be loaded on this server.") from exc
    return zone


def parse_weekdays(text: str) -> tuple[int, ...]:
    """``mon-fri``, ``mon,wed,fri``, ``sat-mon``, ``daily`` or ``weekends``."""
    named = {
        "daily": tuple(range(7)),
        "everyday": tuple(range(7)),
        "weekdays": (0, 1, 2, 3, 4),
        "weekends": (5, 6),
    }
    lowered = text.lower()
    if lowered in named:
        return named[lowered]
    days: set[int] = set()
    for part in lowered.split(","):
        ends = part.split("-")
        if len(ends) > 2 or not all(
            e[:3] in WEEKDAYS and WEEKDAYS[WEEKDAYS.index(e[:3])].startswith(e[:3]) and len(e) >= 3
            for e in ends
        ):
            raise CommandError(
                f"“{echo(text)}” is not a set of weekdays: write mon-fri, mon,wed,fri or daily."
            )
        first, last = WEEKDAYS.index(ends[0][:3]), WEEKDAYS.index(ends[-1][:3])
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
    return tuple(sorted(days))


def parse_weekday(text: str) -> int:
    """The one weekday of a weekly subscription: ``fri`` or ``friday``."""
    try:
        days = parse_weekdays(text)
    except CommandError:
        days = ()
    if len(days) != 1 or text.lower() in ("daily", "everyday", "weekdays", "weekends"):
        raise CommandError(f"“weekly” takes one weekday, like fri, not “{echo(text)}”.")
    return days[0]


def parse_lag(text: str) -> int:
    """``0``, ``1``, ``0d`` or ``1d``: how many announcement days a daily post lags behind."""
    match = re.fullmatch(r"([01])d?", text.strip().lower())
    if match is None:
        raise CommandError(
            f"“lag” takes 0 or 1d (one announcement day behind), not “{echo(text)}”."
        )
    return int(match[1])


def parse_refresh(text: str) -> int:
    """``24h``, ``24`` (hours, 1 to 168) or ``off`` (0): when a post is edited with settled
    counts."""
    lowered = text.strip().lower()
    if lowered == "off":
        return 0
    match = re.fullmatch(r"0*([0-9]{1,3})h?", lowered)
    if match is None or not 1 <= int(match[1]) <= 168:
        raise CommandError(
            f"“refresh” takes hours from 1 to 168 (like 24h) or off, not “{echo(text)}”."
        )
    return int(match[1])


def parse_mix(text: str) -> float:
    """``0`` (hot only) to ``1`` (relevance only), such as ``0.3``."""
    match = re.fullmatch(r"(0(?:\.[0-9]{1,3})?|1(?:\.0{1,3})?|\.[0-9]{1,3})", text.strip())
    if match is None:
        raise CommandError(
            f"“mix” takes a number from 0 (hot only) to 1 (relevance only), like 0.3, "
            f"not “{echo(text)}”."
        )
    return float(match[1])


def parse_top(text: str) -> int:
    # ASCII digits only, and few of them: int() refuses some Unicode digits and huge numbers.
    digits = re.fullmatch(r"0*([0-9]{1,3})", text.strip())
    if digits is None or not 1 <= int(digits[1]) <= MAX_TOP:
        raise CommandError(f"“top” takes a number from 1 to {MAX_TOP}, not “{echo(text)}”.")
    return int(digits[1])


def parse_date(text: str, today: dt.date) -> dt.date:
    try:
        day = (
            dt.date.fromisoformat(text)
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text)
            else None
        )
    except ValueError:
        day = None
    if day is None:
        raise CommandError(
            f"“{echo(text)}” is not a date: write it as YYYY-MM-DD, for example {today:%Y-%m-%d}."
        )
    if day > today + dt.timedelta(days=1):
        raise CommandError(f"{text} is in the future: arXiv has announced nothing for it yet.")
    if day < FIRST_DAY:
        raise CommandError(f"{text} is before arXiv's first announcement ({FIRST_DAY}).")
    return day


def _category(token: str) -> str:
    if len(token) > MAX_ECHO:
        raise CommandError(f"“{echo(token)}” is not an arXiv category (like cs.LG).")
    try:
        return load_taxonomy().canonical(token)
    except InputError as exc:
        hint = _close(token, ACTIONS + VIEWS + OPTIONS)
        raise CommandError(f"{exc}{hint if not str(exc).endswith('?') else ''}") from exc


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    quoted: bool = False


def tokens_of(text: str) -> list[Token]:
    """The words of a command; words in double quotes (straight or curly) are one token."""
    out: list[Token] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text[i] in QUOTES:
            end = text.find(QUOTES[text[i]], i + 1)
            if end < 0 and text[i] in "“”":  # a phone may close a curly quote either way
                end = min((e for e in (text.find(c, i + 1) for c in "“”") if e >= 0), default=-1)
            if end < 0:
                raise CommandError(
                    f"A quote is not closed: {echo(text[i:])} — close it, like authors "
                    '"Yann LeCun".'
                )
            inside = " ".join(text[i + 1 : end].split())
            if not inside:
                raise CommandError("Empty quotes: put a word or a name in them.")
            if out and out[-1].text in ("+", "-") and i > 0 and not text[i - 1].isspace():
                out[-1] = Token(out[-1].text + inside)  # -"state space": a phrase to leave out
            else:
                out.append(Token(inside, quoted=True))
            i = end + 1
            continue
        end = i
        while end < len(text) and not text[end].isspace() and text[end] not in QUOTES:
            end += 1
        out.append(Token(text[i:end]))
        i = end
    return out


ID = re.compile(r"#?([0-9]+)")


def _id(token: Token) -> int | None:
    """A subscription id (``12`` or ``#12``), or None when the token is not one."""
    match = None if token.quoted else ID.fullmatch(token.text)
    if match is None:
        return None
    digits = match[1].lstrip("0")
    if not digits or len(digits) > len(str(MAX_ID)) or int(digits) > MAX_ID:
        raise CommandError(
            f"“{echo(token.text)}” is not a subscription number: see /hotpapers subscriptions."
        )
    return int(digits)


def _signed(token: Token) -> tuple[str, str] | None:
    """``+word`` (every one) or ``-word`` (none): the filter and the word; None otherwise."""
    if token.quoted or token.text[:1] not in ("+", "-"):
        return None
    word = token.text[1:]
    if not word:
        raise CommandError(f"“{token.text}” needs a word after it, like {token.text}llm.")
    return ("all_keywords" if token.text[0] == "+" else "exclude"), word


def _names(tokens: list[Token]) -> list[str]:
    """Author names: a quoted name is one; unquoted words make one name up to a comma."""
    names: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            names.append(" ".join(pending))
            pending.clear()

    for token in tokens:
        if token.quoted:
            flush()
            names.append(token.text)
            continue
        parts = token.text.split(",")
        for n, part in enumerate(parts):
            if part:
                pending.append(part)
            if n < len(parts) - 1:
                flush()
    flush()
    return names


def _words(found: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    what = {
        "keywords": "keyword",
        "all_keywords": "keyword",
        "exclude": "word",
        "authors": "author",
    }
    try:
        return {key: check_keywords(words, what=what[key]) for key, words in found.items()}
    except InputError as exc:
        raise CommandError(str(exc)) from exc


def parse(text: str, *, today: dt.date) -> Command:
    """The command that ``text`` (what follows ``/hotpapers``) asks for."""
    if len(text) > MAX_COMMAND:
        raise CommandError(f"A command has at most {MAX_COMMAND} characters, not {len(text)}.")
    tokens = tokens_of(text)
    action = tokens[0].text.lower() if tokens and not tokens[0].quoted else ""
    if action in ("subscriptions", "list", "help"):
        if len(tokens) > 1:
            raise CommandError(f"“{action}” takes nothing after it.")
        return Simple("subscriptions" if action == "list" else action)
    if action == "picks":
        spans = [t.text.lower() for t in tokens[1:]]
        if spans not in ([], ["week"], ["month"]):
            raise CommandError("“picks” takes week or month (the last 7 or 30 days), or nothing.")
        return Picks(span="month" if spans == ["month"] else "week")
    if action == "me":
        rest = [t.text for t in tokens[1:]]
        if not rest:
            return Me()
        if len(rest) != 2 or rest[0].lower() != "mix":
            raise CommandError("“me” takes mix 0..1 (how much your own taste counts), or nothing.")
        return Me(mix=parse_mix(rest[1]))
    if action in ("pause", "resume"):
        numbers = tuple(dict.fromkeys(_id(t) for t in tokens[1:]))
        if None in numbers:
            raise CommandError(
                f"“{action}” takes subscription numbers, like {action} 12 (see "
                f"/hotpapers subscriptions), or nothing for all of this channel's."
            )
        return Pause(resume=action == "resume", ids=tuple(i for i in numbers if i is not None))
    view: View = "day"
    if action in ("subscribe", "unsubscribe", "now"):
        tokens = tokens[1:]
    elif action in VIEWS:
        view = "rising" if action == "rising" else "week" if action == "week" else "month"
        tokens = tokens[1:]
    if action == "unsubscribe" and [t.text.lower() for t in tokens] == ["all"]:
        return Unsubscribe()
    values: dict[str, object] = {}
    found: dict[str, list[str]] = {}
    categories: list[str] = []
    ids: list[int] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        word = "" if token.quoted else token.text.lower()
        if word in OPTIONS and word in values and word not in WORD_OPTIONS:
            raise CommandError(f"“{word}” is given twice.")
        if word in ("public", "daily"):
            values[word] = True
        elif word in WORD_OPTIONS:
            key, given, taken = WORD_OPTIONS[word], 0, []
            while i + 1 < len(tokens) and (
                tokens[i + 1].quoted or tokens[i + 1].text.lower() not in OPTIONS
            ):
                i += 1
                given += 1
                signed = _signed(tokens[i])
                if signed:
                    found.setdefault(signed[0], []).append(signed[1])
                elif key == "authors":
                    taken.append(tokens[i])
                else:
                    found.setdefault(key, []).append(tokens[i].text)
            if taken:
                found.setdefault(key, []).extend(_names(taken))
            followed = i + 1 < len(tokens) and tokens[i + 1].text.lower() in WORD_OPTIONS
            if (not given and not followed) or (given and key == "authors" and key not in found):
                hint = ' "Yann LeCun"' if key == "authors" else " llm"
                raise CommandError(f"“{word}” needs at least one word after it, like {word}{hint}.")
            values[word] = True
        elif word in OPTIONS:
            if i + 1 >= len(tokens):
                raise CommandError(f"“{word}” needs a value after it.")
            i += 1
            value = tokens[i].text
            parsed: object = {
                "top": parse_top,
                "date": lambda v: parse_date(v, today),
                "at": parse_time,
                "tz": parse_zone,
                "weekdays": parse_weekdays,
                "weekly": parse_weekday,
                "lag": parse_lag,
                "refresh": parse_refresh,
                "mix": parse_mix,
            }[word](value)
            values[word] = parsed
        elif signed := _signed(token):
            found.setdefault(signed[0], []).append(signed[1])
        elif action == "subscribe" and word == "picks" and not categories:
            values["picks"] = True
        elif token.quoted:
            raise CommandError(
                f"“{echo(token.text)}” is in quotes: quotes hold a phrase or a name after "
                "keywords, all, not or authors."
            )
        elif action in ("subscribe", "unsubscribe") and (number := _id(token)) is not None:
            ids.append(number)
        else:
            # Commas separate categories like spaces do: ``cs.AI,cs.LG`` and ``cs.AI, cs.LG``.
            categories.extend(_category(part) for part in token.text.split(",") if part)
        i += 1
    cats = tuple(dict.fromkeys(categories))
    filters = _words(found)
    if action == "unsubscribe":
        if values or filters:
            raise CommandError(
                "“unsubscribe” takes categories or subscription numbers (or nothing, to stop "
                "everything)."
            )
        if ids and cats:
            raise CommandError(
                "“unsubscribe” takes categories or subscription numbers, not both at once."
            )
        return Unsubscribe(categories=cats, ids=tuple(dict.fromkeys(ids)))
    if action == "subscribe":
        if "date" in values or "public" in values:
            raise CommandError("“date” and “public” are for a digest now, not for a subscription.")
        if "weekly" in values and {"daily", "weekdays", "lag"} & values.keys():
            raise CommandError(
                "“weekly DAY” posts once a week on that day: it goes without “daily”, "
                "“weekdays” and “lag”."
            )
        if len(ids) > 1:
            raise CommandError(
                "“subscribe” changes one subscription at a time: subscribe 12 at 10:00."
            )
        weekly = values.get("weekly")
        if "picks" in values and (cats or ids or filters or "mix" in values or "lag" in values):
            raise CommandError(
                "Lab picks are this channel's own likes and saves: they take no categories, "
                "filters, mix or lag: /hotpapers subscribe picks weekly fri at 16:00."
            )
        return Subscribe(
            content="picks" if "picks" in values else None,
            categories=cats,
            target=ids[0] if ids else None,
            keywords=filters.get("keywords"),
            all_keywords=filters.get("all_keywords"),
            exclude=filters.get("exclude"),
            authors=filters.get("authors"),
            top=values.get("top"),  # type: ignore[arg-type]
            at=values.get("at"),  # type: ignore[arg-type]
            timezone=values.get("tz"),  # type: ignore[arg-type]
            weekdays=(weekly,) if isinstance(weekly, int) else values.get("weekdays"),  # type: ignore[arg-type]
            cadence="weekly" if weekly is not None else "daily" if "daily" in values else None,
            lag=values.get("lag"),  # type: ignore[arg-type]
            refresh_after=values.get("refresh"),  # type: ignore[arg-type]
            mix=values.get("mix"),  # type: ignore[arg-type]
        )
    if set(SUBSCRIBE_ONLY) & values.keys():
        raise CommandError(
            "“at”, “tz”, “weekdays”, “daily”, “weekly”, “lag”, “refresh” and “mix” belong to "
            "“subscribe”: "
            "/hotpapers subscribe cs.LG at 09:00."
        )
    return DigestRequest(
        categories=cats,
        keywords=filters.get("keywords", ()),
        all_keywords=filters.get("all_keywords", ()),
        exclude=filters.get("exclude", ()),
        authors=filters.get("authors", ()),
        top=values.get("top"),  # type: ignore[arg-type]
        date=values.get("date"),  # type: ignore[arg-type]
        public=bool(values.get("public", False)),
        view=view,
    )
