from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.errors import InputError, StoreUnavailable
from bot.store import SqlStore, open_store
from bot.subscriptions import Subscription

NOW = dt.datetime(2026, 11, 25, 8, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 25)
LEASE = dt.timedelta(minutes=10)


def sub(**changes: object) -> Subscription:
    return Subscription.model_validate(
        {"platform": "discord", "destination": "123", "categories": ("cs.LG",), **changes}
    )


async def test_subscriptions_round_trip_and_filter(store: SqlStore) -> None:
    a = await store.add(
        sub(post_time=dt.time(7, 30), timezone="Europe/Berlin", weekdays=(0, 2)), now=NOW
    )
    b = await store.add(
        sub(platform="slack", workspace="T1", destination="C9", keywords=("llm",)), now=NOW
    )
    assert a.id is not None
    assert b.id is not None
    assert await store.get(a.id) == a
    assert a.post_time == dt.time(7, 30)
    assert a.weekdays == (0, 2)
    assert [
        s.id for s in await store.subscriptions(platform="slack", workspace="T1", destination="C9")
    ] == [b.id]
    await store.update(a.id, paused=True, paused_reason="gone")
    assert [s.id for s in await store.subscriptions(active_only=True)] == [b.id]
    assert await store.remove(a.id)
    assert not await store.remove(a.id)
    assert await store.update(a.id, paused=False) is None


async def test_only_the_subscriptions_whose_posts_are_refreshed_are_read_for_refreshing(
    store: SqlStore,
) -> None:
    await store.add(sub(), now=NOW)
    later = await store.add(sub(destination="456", refresh_after=24), now=NOW)
    assert [s.id for s in await store.subscriptions(refreshing=True)] == [later.id]


async def test_a_delivery_is_claimed_once_until_its_lease_expires(store: SqlStore) -> None:
    s = await store.add(sub(), now=NOW)
    assert s.id is not None
    kwargs = {"scheduled_for": NOW, "lease": LEASE, "max_attempts": 3}
    first = await store.claim(s.id, DAY, owner="a", now=NOW, **kwargs)
    assert first is not None
    assert first.attempts == 1
    assert (
        await store.claim(s.id, DAY, owner="b", now=NOW + dt.timedelta(minutes=5), **kwargs) is None
    )
    later = await store.claim(s.id, DAY, owner="b", now=NOW + dt.timedelta(minutes=11), **kwargs)
    assert later is not None
    assert later.attempts == 2
    assert not await store.mark(first, "posted", now=NOW)  # the lost claim cannot record anything
    assert await store.mark(later, "posted", now=NOW, message_id="m1")
    assert await store.claim(s.id, DAY, owner="c", now=NOW + dt.timedelta(days=1), **kwargs) is None
    (row,) = await store.deliveries(s.id)
    assert (row.state, row.message_id, row.attempts) == ("posted", "m1", 2)


async def test_an_expired_sending_claim_is_flagged_as_resumed(store: SqlStore) -> None:
    s = await store.add(sub(), now=NOW)
    assert s.id is not None
    kwargs = {"scheduled_for": NOW, "lease": LEASE, "max_attempts": 3}
    first = await store.claim(s.id, DAY, owner="a", now=NOW, **kwargs)
    assert first is not None
    await store.mark(first, "sending", now=NOW)
    again = await store.claim(s.id, DAY, owner="b", now=NOW + LEASE * 2, **kwargs)
    assert again is not None
    assert again.resumed_sending


async def test_failed_deliveries_are_retried_until_max_attempts(store: SqlStore) -> None:
    s = await store.add(sub(), now=NOW)
    assert s.id is not None
    kwargs = {"scheduled_for": NOW, "lease": LEASE, "max_attempts": 2}
    first = await store.claim(s.id, DAY, owner="a", now=NOW, **kwargs)
    assert first is not None
    await store.mark(first, "failed", now=NOW, error="HTTP 500")
    second = await store.claim(s.id, DAY, owner="a", now=NOW, **kwargs)
    assert second is not None
    await store.mark(second, "failed", now=NOW, error="HTTP 500")
    assert await store.claim(s.id, DAY, owner="a", now=NOW, **kwargs) is None


async def test_snapshots_are_kept_per_day_and_scope(store: SqlStore) -> None:
    await store.save_snapshot(DAY, "cs", "one", taken_at=NOW)
    await store.save_snapshot(DAY, "cs", "two", taken_at=NOW)
    assert await store.load_snapshot(DAY, "cs") == "two"
    assert await store.load_snapshot(DAY, "all") is None


async def test_opening_twice_migrates_once(database_url: str) -> None:
    first = await open_store(database_url)
    await first.close()
    second = await open_store(database_url)
    assert await second.subscriptions() == []
    await second.close()


async def test_an_unreachable_database_is_one_sentence() -> None:
    with pytest.raises(StoreUnavailable, match="server cannot be reached"):
        await open_store("postgresql://127.0.0.1:9/nothing")


async def test_ids_and_keywords_beyond_the_limits_never_reach_the_database(
    store: SqlStore, now: dt.datetime
) -> None:
    from bot.errors import InputError

    huge = 99999999999999999999999
    assert await store.remove(huge) is False
    assert await store.get(huge) is None
    assert await store.update(2**31, paused=True) is None
    with pytest.raises(InputError, match="At most 20 keywords"):
        await store.add(
            Subscription(
                platform="slack", destination="C1", keywords=tuple("abcdefghijklmnopqrstu")
            ),
            now=now,
        )
    sub = await store.add(Subscription(platform="slack", destination="C1"), now=now)
    assert sub.id is not None
    with pytest.raises(InputError, match="at most 64 characters"):
        await store.update(sub.id, keywords=("x" * 65,))


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgresql://127.0.0.1:5432/hotpapers_no_such_db", 'database "hotpapers_no_such_db"'),
        ("postgresql://no_such_role_hp@127.0.0.1:5432/test", 'role "no_such_role_hp"'),
    ],
)
async def test_a_database_or_role_the_server_does_not_have_is_bad_input(
    url: str, said: str
) -> None:
    from bot.errors import ConfigError
    from tests.conftest import require_postgres

    require_postgres()
    with pytest.raises(ConfigError, match=f"refused the URL \\({said} does not exist\\)"):
        await open_store(url)


async def test_the_word_and_author_filters_round_trip_and_are_bounded(store: SqlStore) -> None:
    added = await store.add(
        sub(all_keywords=("video", "diffusion"), exclude=("survey",), authors=("Y. LeCun",)),
        now=NOW,
    )
    assert added.id is not None
    (got,) = await store.subscriptions()
    assert (got.all_keywords, got.exclude, got.authors) == (
        ("video", "diffusion"),
        ("survey",),
        ("Y. LeCun",),
    )
    changed = await store.update(added.id, exclude=(), authors=("Yann LeCun", "Léon Bottou"))
    assert changed is not None
    assert (changed.exclude, changed.authors) == ((), ("Yann LeCun", "Léon Bottou"))
    with pytest.raises(InputError, match="at most 64 characters"):
        await store.update(added.id, authors=("x" * 65,))
    with pytest.raises(InputError, match="control characters"):
        await store.add(sub(exclude=("\x1b[31m",)), now=NOW)


async def test_a_store_before_the_filters_keeps_its_subscriptions_with_no_new_filters(
    tmp_path: Path,
) -> None:
    from sqlalchemy import create_engine, inspect, text

    from tests.bot.test_refresh import migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "faststart")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO subscriptions (platform, workspace, destination, kind, categories,"
                " keywords, top, post_time, timezone, weekdays, created_by, paused,"
                " paused_reason, created_at) VALUES ('slack', '', 'C1', 'channel', '[\"cs.LG\"]',"
                " '[\"llm\"]', 10, '09:00:00', 'UTC', '[0]', '', 0, '', '2026-11-25 09:00:00')"
            )
        )
    store = await open_store(url)
    try:
        (old,) = await store.subscriptions()
        assert (old.keywords, old.all_keywords, old.exclude, old.authors) == (("llm",), (), (), ())
    finally:
        await store.close()
    migrate(url, "faststart", down=True)
    columns = {c["name"] for c in inspect(engine).get_columns("subscriptions")}
    assert not {"all_keywords", "exclude", "authors"} & columns
    assert "keywords" in columns
    engine.dispose()


def test_the_known_head_is_the_migrations_head() -> None:
    from importlib import resources

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.store.migrations import HEAD

    config = Config()
    config.set_main_option("script_location", str(resources.files("bot.store") / "migrations"))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD]


async def test_a_store_at_its_head_opens_without_alembic(tmp_path: Path) -> None:
    import asyncio
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'head.db'}"
    await (await open_store(url)).close()  # made and migrated
    probe = "\n".join(
        [
            "import asyncio, sys",
            "from bot.store import open_store",
            "async def main():",
            f"    await (await open_store({url!r})).close()",
            "asyncio.run(main())",
            "print('alembic' in sys.modules)",
        ]
    )
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


async def test_claims_made_together_each_get_their_own_answer(store: SqlStore) -> None:
    import asyncio

    kwargs = {"scheduled_for": NOW, "lease": LEASE, "max_attempts": 2}
    new, settled, held, expired, spent, failed = [
        (await store.add(sub(destination=f"C{n}"), now=NOW)).id for n in range(6)
    ]
    assert None not in (new, settled, held, expired, spent, failed)
    done = await store.claim(settled, DAY, owner="a", now=NOW, **kwargs)  # type: ignore[arg-type]
    assert done is not None
    await store.mark(done, "posted", now=NOW)
    await store.claim(held, DAY, owner="a", now=NOW, **kwargs)  # type: ignore[arg-type]
    await store.claim(expired, DAY, owner="a", now=NOW - LEASE * 2, **kwargs)  # type: ignore[arg-type]
    for _ in range(2):
        tried = await store.claim(spent, DAY, owner="a", now=NOW, **kwargs)  # type: ignore[arg-type]
        assert tried is not None
        await store.mark(tried, "failed", now=NOW, error="HTTP 500")
    once = await store.claim(failed, DAY, owner="a", now=NOW, **kwargs)  # type: ignore[arg-type]
    assert once is not None
    await store.mark(once, "failed", now=NOW, error="HTTP 500")
    claims = await asyncio.gather(
        *(
            store.claim(s, DAY, owner="b", now=NOW, **kwargs)  # type: ignore[arg-type]
            for s in (new, settled, held, expired, spent, failed)
        )
    )
    made, after_post, under_lease, taken_over, given_up, retried = claims
    assert made is not None
    assert (made.attempts, made.was) == (1, "")
    assert after_post is None
    assert under_lease is None
    assert taken_over is not None
    assert (taken_over.was, taken_over.was_owner, taken_over.attempts) == ("claimed", "a", 2)
    assert given_up is None
    assert retried is not None
    assert (retried.was, retried.attempts) == ("failed", 2)
