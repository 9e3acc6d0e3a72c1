"""Slack's published rate limits for posting, as the paces a message counts against.

``chat.postMessage`` is in the "special" tier: it will "generally allow an app to post 1
message per second to a specific channel. There are limits governing your app's relationship
with the entire workspace above that, limiting posting to several hundred messages per minute"
(docs.slack.dev/reference/methods/chat.postMessage; docs.slack.dev/apis/web-api/rate-limits).
So each message counts against its channel (1 a second) and its workspace (300 a minute, the
low end of "several hundred"). A message leaves a little after its turn (its ledger mark is
written first), so the messages of one channel are spaced ``MARGIN_S`` more than a second:
two leaving closer than a second apart would be refused. No SDK is imported here: a run with
nothing to post declares its limits without loading slack_sdk.
"""

from __future__ import annotations

from bot.ports import Pace

PER_CHANNEL_S = 1.0
MARGIN_S = 0.1  # between a turn and its request: a ledger mark, a slot taken back
WORKSPACE_PER_MINUTE = 300


def slack_paces(workspace: str, channel: str) -> tuple[Pace, ...]:
    """What one ``chat.postMessage`` counts against: its channel and its workspace ('-' when
    the subscription names none: a bot token serves one workspace)."""
    team = workspace or "-"
    return (
        Pace(key=f"slack:{team}:{channel}", rate=1, per=PER_CHANNEL_S + MARGIN_S),
        Pace(key=f"slack-workspace:{team}", rate=WORKSPACE_PER_MINUTE, per=60.0, shared=True),
    )
