"""Which papers each scheduled post carries, told by the Deliverer and the Refresher.

A Slack or Discord channel post carries the paper buttons; the papers of each of its messages
are remembered (``store.feedback.posted``) so that a reaction on one counts for its paper.
Webhook posts carry no buttons, and no reaction on them reaches us: nothing is remembered.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.cache import utcnow
from bot.delivery import PostedHook
from bot.errors import InputError, StorageError
from bot.store import SqlStore
from bot.subscriptions import Subscription

log = logging.getLogger("hotpapers.delivery")


def remember_posted(store: SqlStore) -> PostedHook:
    """The hook that records a posted (or refreshed) message's papers; a failure to record is
    logged and never fails the post itself. The platforms' renderers are imported at the first
    post, not before: a run with nothing to post loads no chat SDK."""
    from bot.feedback import Channel

    async def posted(sub: Subscription, message_id: str, body: Mapping[str, Any]) -> None:
        if sub.kind != "channel" or not message_id:
            return
        if sub.platform == "slack":
            from adapters.slack.blocks import carried as found
        elif sub.platform == "discord":
            from adapters.discord.embeds import carried as found
        else:
            return
        papers = found(body)
        if not papers:
            return
        try:
            where = Channel(platform=sub.platform, channel=sub.destination, scope=sub.workspace)
            await store.feedback.posted(where, message_id, papers, at=utcnow())
        except (InputError, StorageError) as exc:
            log.warning("the papers of a post in %s were not remembered: %s", sub.destination, exc)

    return posted
