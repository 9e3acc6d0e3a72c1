"""The buttons on a paper in chat, and how a reaction is tied to a paper: pure, platform-free.

Each paper in a chat digest carries four buttons: 👍 *for us*, 👎 *not for us*, 🔖 *save*,
🧵 *discuss*. A platform names a press by an action and the paper's arXiv id (Slack's
``action_id`` ``hp_like`` with the id as its value; Discord's ``custom_id`` ``hp:like:<id>``);
``parse_custom_id`` reads it back, untrusted. 🧵 opens a thread seeded with ``thread_seed``.

A reaction counts for a paper when it can be tied to one (``reacted_paper``): a number emoji
(1️⃣…🔟, Slack's ``one``…``keycap_ten``) on a digest message counts for the paper at that rank;
any reaction on a message that carries exactly one paper (a paper's 🧵 seed, a digest of one)
counts for it; every other reaction is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from bot.feedback.values import Feedback, Kind
from bot.ids import is_canonical_id
from bot.models import Digest, Ranked

Action = Literal["like", "dislike", "save", "discuss"]
ACTIONS: tuple[Action, ...] = get_args(Action)
# The button's face: its emoji and words, the same on every platform.
FACES: dict[Action, tuple[str, str]] = {
    "like": ("👍", "for us"),
    "dislike": ("👎", "not for us"),
    "save": ("🔖", "save"),
    "discuss": ("🧵", "discuss"),
}
PREFIX = "hp"
# Rank n's number emoji: Slack's names and the Unicode keycaps Discord sends.
_NUMBER_NAMES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
NUMBERS: dict[str, int] = {name: n for n, name in enumerate(_NUMBER_NAMES, start=1)}
NUMBERS.update({f"{n}\ufe0f\u20e3": n for n in range(1, 10)})
NUMBERS.update({f"{n}\u20e3": n for n in range(1, 10)})
NUMBERS.update({"keycap_ten": 10, "🔟": 10})


def action_id(action: Action) -> str:
    """Slack's ``action_id`` of a button (its value is the paper's id): ``hp_like``."""
    return f"{PREFIX}_{action}"


def custom_id(action: Action, arxiv_id: str) -> str:
    """Discord's ``custom_id`` of a button, which carries the paper: ``hp:like:2103.09742``."""
    return f"{PREFIX}:{action}:{arxiv_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Press:
    """A button pressed on a paper."""

    action: Action
    arxiv_id: str

    @property
    def kind(self) -> Kind | None:
        """The feedback it records; None for 🧵, which opens a thread instead."""
        return None if self.action == "discuss" else self.action


def press(action: str, value: str) -> Press | None:
    """A press from Slack's ``action_id`` (``hp_like``) and value (the id); None when either
    is not ours or not well formed (a payload is untrusted)."""
    name = action.removeprefix(f"{PREFIX}_")
    if name == action or name not in ACTIONS or not is_canonical_id(value):
        return None
    return Press(action=name, arxiv_id=value)


def parse_custom_id(text: str) -> Press | None:
    """A press from Discord's ``custom_id`` (``hp:like:<id>``); None when it is not ours."""
    prefix, _, rest = text.partition(":")
    action, _, value = rest.partition(":")
    if prefix != PREFIX:
        return None
    return press(f"{PREFIX}_{action}", value)


def acknowledgement(action: Action, *, channel: str) -> str:
    """What the presser is told, only them: "Saved for you and #lab." (``channel`` as the
    platform shows it, already escaped by the caller)."""
    where = f"you and {channel}" if channel else "you"
    return {
        "like": f"👍 Noted: for {where}.",
        "dislike": f"👎 Noted: not for {where}.",
        "save": f"🔖 Saved for {where}.",
        "discuss": "🧵 A thread is open for it.",
    }[action]


def undone(action: Action) -> str:
    """What the presser is told when the same button again takes their word back."""
    return {
        "like": "👍 taken back.",
        "dislike": "👎 taken back.",
        "save": "🔖 no longer saved.",
        "discuss": "",
    }[action]


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadLink:
    label: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadSeed:
    """The first message of a paper's 🧵 thread, as neutral data that each platform escapes:
    its title and its links (abs, pdf, code, discussions), upstream text all of it."""

    arxiv_id: str
    title: str
    links: tuple[ThreadLink, ...]


MAX_SEED_LINKS = 10


def seed(arxiv_id: str, title: str, links: Iterable[tuple[str, str]] = ()) -> ThreadSeed:
    """A paper's thread seed: its abs and pdf pages, then the other (label, URL) links shown
    with it (code, discussions), each URL once and only web ones."""
    pages = [
        ("abs", f"https://arxiv.org/abs/{arxiv_id}"),
        ("pdf", f"https://arxiv.org/pdf/{arxiv_id}"),
    ]
    kept: list[ThreadLink] = []
    for label, url in [*pages, *links]:
        if url.startswith(("https://", "http://")) and all(x.url != url for x in kept):
            kept.append(ThreadLink(label=label, url=url))
    return ThreadSeed(arxiv_id=arxiv_id, title=title, links=tuple(kept[:MAX_SEED_LINKS]))


def thread_seed(item: Ranked) -> ThreadSeed:
    """The seed of a paper shown in a digest, with the links it was shown with."""
    paper = item.paper
    return seed(paper.arxiv_id, paper.title, [(x.label, x.url) for x in item.links])


def number_of(emoji: str) -> int | None:
    """The rank a number emoji names (``one``, ``keycap_ten``, 1️⃣, 🔟); None for another."""
    return NUMBERS.get(emoji.strip(":"))


def reacted_paper(carried: Sequence[tuple[int, str]], emoji: str) -> str | None:
    """The paper a reaction counts for, given the (rank, arXiv id) a message carries: the
    paper at the rank a number emoji names, else the one paper of a one-paper message."""
    rank = number_of(emoji)
    if rank is not None:
        for position, arxiv_id in carried:
            if position == rank:
                return arxiv_id
    ids = {arxiv_id for _, arxiv_id in carried}
    return next(iter(ids)) if len(ids) == 1 else None


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnCount:
    """A group's own word on one paper: its 👍, 👎, 🔖 and reactions (by emoji)."""

    likes: int = 0
    dislikes: int = 0
    saves: int = 0
    reactions: tuple[tuple[str, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.likes or self.dislikes or self.saves or self.reactions)


def own_counts(feedback: Iterable[Feedback]) -> dict[str, OwnCount]:
    """Each paper's count in a channel, from the channel's feedback (people's, not imports)."""
    found: dict[str, dict[str, int]] = {}
    emoji: dict[str, dict[str, int]] = {}
    for item in feedback:
        if not item.user:
            continue
        found.setdefault(item.arxiv_id, {}).setdefault(item.kind, 0)
        found[item.arxiv_id][item.kind] += 1
        if item.kind == "reaction":
            mine = emoji.setdefault(item.arxiv_id, {})
            mine[item.emoji] = mine.get(item.emoji, 0) + 1
    return {
        arxiv_id: OwnCount(
            likes=kinds.get("like", 0),
            dislikes=kinds.get("dislike", 0),
            saves=kinds.get("save", 0),
            reactions=tuple(sorted(emoji.get(arxiv_id, {}).items(), key=lambda e: (-e[1], e[0]))),
        )
        for arxiv_id, kinds in found.items()
    }


MAX_EMOJI_SHOWN = 5


def own_line(count: OwnCount, *, group: str) -> str:
    """The group's own count in one line, apart from public signals: "this workspace: 3 👍,
    1 🔖, 2 :fire:". Emoji names are upstream text: the platform escapes the line."""
    parts = [
        f"{n} {face}"
        for n, face in ((count.likes, "👍"), (count.dislikes, "👎"), (count.saves, "🔖"))
        if n
    ]
    for name, n in count.reactions[:MAX_EMOJI_SHOWN]:
        parts.append(f"{n} {f':{name}:' if name.isascii() else name}")
    return f"{group}: " + ", ".join(parts)


OWN_GROUP = "this channel"  # how a digest names the counts of the channel it is posted in


def with_own(digest: Digest, counts: Mapping[str, OwnCount], *, group: str) -> Digest:
    """The digest with each paper's own count line (``Ranked.own``) where the group has one."""
    if not any(counts.get(item.paper.arxiv_id) for item in digest.items):
        return digest
    items = tuple(
        item.model_copy(update={"own": own_line(count, group=group)})
        if (count := counts.get(item.paper.arxiv_id))
        else item
        for item in digest.items
    )
    return digest.model_copy(update={"items": items})


def with_channel_counts(digest: Digest, said: Iterable[Feedback]) -> Digest:
    """The digest with the count of the channel whose feedback ``said`` is, on each paper it
    has one for: what chat answers and scheduled posts both show."""
    return with_own(digest, own_counts(said), group=OWN_GROUP)
