"""A scheduled post remembers which papers each of its messages carries (issue 14), so that a
reaction on one counts for its paper; a webhook post (no buttons) remembers nothing."""

from __future__ import annotations

from adapters.posted import remember_posted
from adapters.slack.publisher import SlackPublisher, web_client
from bot.delivery import Deliverer
from bot.feedback import Channel
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore
from tests.adapters.test_delivery_faults import DAY, MORNING, busy_snapshot, subscription
from tests.fakeserver import serve
from tests.fakeslack import FakeSlack


async def test_each_message_of_a_scheduled_slack_post_remembers_its_papers(
    store: SqlStore,
) -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        sub = subscription("slack", "channel", "C1", top=30).model_copy(update={"workspace": "T1"})
        await store.add(sub, now=MORNING)
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        report = await Deliverer(
            store,
            FixedSnapshot(busy_snapshot(30)),
            {("slack", "channel"): publisher},
            clock=lambda: MORNING,
            fixed_date=DAY,
            posted=remember_posted(store),
        ).run(MORNING)
    assert report.outcomes == {"posted": 1}
    assert len(slack.messages) > 1
    where = Channel(platform="slack", scope="T1", channel="C1")
    ranks = []
    for message in slack.messages:
        papers, home = await store.feedback.carried(where, message["ts"])
        assert home == "C1"
        assert papers
        ranks += [rank for rank, _ in papers]
    assert ranks == list(range(1, 31))


async def test_a_webhook_post_remembers_nothing(store: SqlStore) -> None:
    hook = remember_posted(store)
    sub = subscription("slack", "webhook", "https://hooks.slack.com/services/T/B/x")
    await hook(
        sub, "1", {"blocks": [{"block_id": "hp_paper_1", "elements": [{"value": "2611.00001"}]}]}
    )
    where = Channel(platform="slack", channel=sub.destination)
    assert await store.feedback.carried(where, "1") == ([], sub.destination)
