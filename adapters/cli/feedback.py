"""``hotpapers feedback …``: a channel's likes, dislikes and saves, from the shell.

The same feedback as the chat buttons give (imports, tests, operators); given without
``--user`` it is the channel's own word, not a person's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from adapters.cli.common import handled, settings_and_logs, stderr, stdout_for_tables, utcnow
from adapters.cli.operate import with_store
from bot.errors import InputError
from bot.limits import echo

if TYPE_CHECKING:
    from bot.feedback import Channel, Feedback, Kind
    from bot.store import SqlStore

feedback_app = typer.Typer(
    help="A channel's feedback on papers (👍 like, 👎 dislike, 🔖 save): add it, list it.",
    no_args_is_help=True,
)
MAX_IDS = 1_000

ChannelOption = Annotated[
    str,
    typer.Option(
        metavar="PLATFORM:ID",
        help="The channel by its id: slack:C0123ABCD, discord:123456789012345678 (a "
        "snowflake) or console:NAME.",
    ),
]
WorkspaceOption = Annotated[
    str,
    typer.Option(
        help="Slack team or Discord guild id of the channel (default: none given; listing "
        "then finds the channel in any)."
    ),
]


def parse_ids(texts: list[str]) -> list[str]:
    """Canonical arXiv ids (versions, ``arXiv:`` and abs/pdf URLs allowed), each once; one
    InputError naming every id that is not one."""
    from bot.ids import normalize_id

    if len(texts) > MAX_IDS:
        raise InputError(f"At most {MAX_IDS} arXiv ids at once, not {len(texts)}.")
    ids: list[str] = []
    bad: list[str] = []
    for text in texts:
        try:
            found = normalize_id(text)
        except ValueError:
            bad.append(f"“{echo(text)}”")
            continue
        if found not in ids:
            ids.append(found)
    if bad:
        raise InputError(
            f"Not an arXiv id (such as 2103.09742 or hep-th/9901001): {', '.join(bad)}; "
            "nothing was recorded."
        )
    return ids


async def check_stored(store: SqlStore, ids: list[str]) -> None:
    """InputError naming the papers the store does not hold, and how to get them there:
    feedback is on papers hotpapers knows, so that lab picks can show their titles."""
    from bot.snapshot import sample_snapshot

    known = await store.feedback.papers(ids)
    unknown = [i for i in ids if i not in known]
    if not unknown:
        return
    shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if unknown[10:] else "")
    sample = {paper.arxiv_id for paper in sample_snapshot().papers}
    how = (
        "hotpapers snapshot save --sample stores the bundled sample day they are from"
        if set(unknown) <= sample
        else "collect the paper's announcement day first with hotpapers digest --date "
        "YYYY-MM-DD (or hotpapers snapshot save FILE)"
    )
    raise InputError(
        f"hotpapers has not stored {shown}: feedback is on stored papers, so that lab picks can "
        f"show their titles; {how} (nothing was recorded)."
    )


def channel_of(text: str, workspace: str) -> Channel:
    from bot.feedback import parse_channel

    return parse_channel(text, scope=workspace)


def one_kind(like: bool, dislike: bool, save: bool) -> Kind:
    given: dict[Kind, bool] = {"like": like, "dislike": dislike, "save": save}
    chosen = [kind for kind, on in given.items() if on]
    if len(chosen) != 1:
        raise InputError("Give exactly one of --like, --dislike, --save.")
    return chosen[0]


@feedback_app.command("add")
def add_command(
    arxiv_ids: Annotated[
        list[str], typer.Argument(metavar="ARXIV_ID", help="arXiv ids or abs/pdf URLs.")
    ],
    channel: ChannelOption,
    like: Annotated[bool, typer.Option("--like", help="👍 for us.")] = False,
    dislike: Annotated[bool, typer.Option("--dislike", help="👎 not for us.")] = False,
    save: Annotated[bool, typer.Option("--save", help="🔖 saved.")] = False,
    workspace: WorkspaceOption = "",
    user: Annotated[
        str, typer.Option(help="The platform user it is from (default: the channel itself).")
    ] = "",
) -> None:
    """Record feedback on papers for a channel; the same feedback twice is kept once, and a
    like replaces a dislike (and the other way round).

    The papers must be stored (of a day collected by digest --date or snapshot save; the
    bundled sample's by snapshot save --sample), so that lab picks can show them: an id the
    store never held is refused, and nothing is recorded.
    """
    from bot.feedback import Feedback

    with handled():
        kind = one_kind(like, dislike, save)
        where = channel_of(channel, workspace)
        now = utcnow()
        items = [
            Feedback(
                platform=where.platform,
                scope=where.scope,
                channel=where.channel,
                user=user,
                arxiv_id=arxiv_id,
                kind=kind,
                at=now,
            )
            for arxiv_id in parse_ids(arxiv_ids)
        ]

        async def work(store: SqlStore) -> int:
            await check_stored(store, [item.arxiv_id for item in items])
            return await store.feedback.add(items)

        added = with_store(settings_and_logs(), work)
        print(
            f"{where}: {kind} on {len(items)} paper(s), {added} new "
            f"({len(items) - added} already recorded)."
        )


@feedback_app.command("list")
def list_command(
    channel: ChannelOption,
    workspace: WorkspaceOption = "",
) -> None:
    """List a channel's feedback, oldest first: when, from whom, what, on which paper."""
    with handled():
        where = channel_of(channel, workspace)

        async def work(store: SqlStore) -> list[Feedback]:
            return await store.feedback.of_channel(where)

        found = with_store(settings_and_logs(), work)
        if not found:
            stderr().print(
                f"No feedback for {where} yet: hotpapers feedback add --help", markup=False
            )
            return
        table = Table("when (UTC)", "from", "feedback", "arXiv id")
        for item in found:
            table.add_row(
                f"{item.at:%Y-%m-%d %H:%M}",
                item.user or "(the channel)",
                f"{item.kind} :{item.emoji}:" if item.emoji else item.kind,
                item.arxiv_id,
            )
        # Ids and emoji names come from platforms: never read as markup.
        stdout_for_tables(markup=False).print(table)
