"""Operator commands on the delivery ledger: ``hotpapers deliveries list`` and ``resolve``.

A delivery whose message may or may not have gone out (a webhook that timed out, a worker
killed while posting) is ``uncertain``: it is never retried on its own, and every ``deliver``
run says so until an operator looks at the channel and decides.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated

import typer

from adapters.cli.common import handled, settings_and_logs, stderr, utcnow
from adapters.cli.operate import with_store
from bot.errors import InputError
from bot.limits import MAX_ID

if TYPE_CHECKING:
    from bot.store import Delivery, Resolution, SqlStore
    from bot.subscriptions import Subscription


deliveries_app = typer.Typer(
    help="The delivery ledger: what was posted, what failed, what is in doubt.",
    no_args_is_help=True,
)


class State(enum.StrEnum):
    claimed = "claimed"
    sending = "sending"
    posted = "posted"
    failed = "failed"
    retry = "retry"
    skipped = "skipped"
    uncertain = "uncertain"
    gone = "gone"


def describe(delivery: Delivery, subs: dict[int, Subscription]) -> str:
    """A delivery in one line, and its last error indented on a second one."""
    sub = subs.get(delivery.subscription_id)
    where = f"{sub.platform} {sub.where()}" if sub else "(subscription removed)"
    parts = [
        str(delivery.digest_date),
        f"subscription {delivery.subscription_id} ({where})",
    ]
    if delivery.messages:
        parts.append(f"{delivery.messages_posted}/{delivery.messages} messages posted")
    parts += [f"attempts {delivery.attempts}", f"updated {delivery.updated_at:%Y-%m-%d %H:%M} UTC"]
    line = f"{delivery.id:>4}  {delivery.state:<9}  " + " · ".join(parts)
    return line + (f"\n      {delivery.last_error}" if delivery.last_error else "")


@deliveries_app.command("list")
def list_command(
    state: Annotated[State | None, typer.Option(help="Only deliveries in this state.")] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="At most this many, the latest days.")
    ] = 50,
) -> None:
    """List deliveries: id, state, day, destination, messages posted, attempts, last error."""

    async def work(store: SqlStore) -> tuple[list[Delivery], dict[int, Subscription]]:
        found = await store.deliveries(state=str(state) if state else None, limit=limit)
        return found, {s.id: s for s in await store.subscriptions() if s.id is not None}

    with handled():
        found, subs = with_store(settings_and_logs(), work)
        if not found:
            stderr().print(
                f"No {state} deliveries." if state else "No deliveries yet.", markup=False
            )
            return
        for delivery in found:
            print(describe(delivery, subs))


@deliveries_app.command("resolve")
def resolve_command(
    delivery_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The id shown by list.")],
    posted: Annotated[
        bool, typer.Option("--posted", help="The message in doubt is in the channel.")
    ] = False,
    retry: Annotated[bool, typer.Option("--retry", help="It is not there: post it again.")] = False,
) -> None:
    """Decide an uncertain delivery after looking at the channel: --posted or --retry.

    What is still to post goes out with the next deliver run, even after the grace window of
    the delivery's scheduled time: an operator asked for it.
    """
    with handled():
        if posted == retry:
            raise InputError("Give either --posted or --retry.")

        async def work(store: SqlStore) -> Resolution | None:
            return await store.resolve(delivery_id, posted=posted, now=utcnow())

        done = with_store(settings_and_logs(), work)
        if done is None:
            raise InputError(f"There is no delivery {delivery_id} (see hotpapers deliveries list).")
        if done.was != "uncertain":
            raise InputError(
                f"Delivery {delivery_id} is {done.was}, not uncertain: there is nothing to decide."
            )
        if done.state == "posted":
            print(f"Delivery {delivery_id}: recorded as posted.")
        else:
            what = "message" if done.left == 1 else "messages"
            print(
                f"Delivery {delivery_id}: {done.left} {what} left to post; "
                "the next deliver run posts them."
            )
