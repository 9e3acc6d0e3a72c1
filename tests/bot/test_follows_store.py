"""The follow store on SQLite and PostgreSQL: per person, at most once per paper, forgettable."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.follows.model import DmTime, Follow, Person
from bot.follows.store import FollowStore
from bot.store import SqlStore

AT = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
ME = Person(platform="slack", scope="T1", user="U1")
SAME_USER_ELSEWHERE = Person(platform="slack", scope="T2", user="U1")
DAY = dt.date(2026, 11, 25)


def follow(person: Person, value: str) -> Follow:
    return Follow(person=person, kind="author", value=value, created_at=AT)


async def test_follows_are_kept_per_person_once_each(store: SqlStore) -> None:
    follows = FollowStore(store)
    first, new = await follows.add(follow(ME, "Yann LeCun"))
    again, new_again = await follows.add(follow(ME, "Yann LeCun"))
    await follows.add(follow(SAME_USER_ELSEWHERE, "Geoffrey Hinton"))
    assert new
    assert not new_again
    assert again.id == first.id
    assert [f.value for f in await follows.follows(ME)] == ["Yann LeCun"]
    assert first.created_at == AT
    # Another workspace's follow cannot be removed from here.
    other = (await follows.follows(SAME_USER_ELSEWHERE))[0]
    assert await follows.remove(ME, [other.id or 0]) == 0
    assert await follows.remove(ME, [first.id or 0]) == 1
    assert await follows.follows(ME) == []
    assert [p for p, _, _ in await follows.everyone()] == [SAME_USER_ELSEWHERE]


async def test_the_dm_time_defaults_to_nine_utc_and_can_be_chosen(store: SqlStore) -> None:
    follows = FollowStore(store)
    assert await follows.dm_time(ME) == DmTime(at=dt.time(9), zone="UTC")
    await follows.set_dm_time(ME, DmTime(at=dt.time(7, 30), zone="Europe/Berlin"))
    await follows.set_dm_time(ME, DmTime(at=dt.time(8), zone="Europe/Berlin"))
    assert await follows.dm_time(ME) == DmTime(at=dt.time(8), zone="Europe/Berlin")
    assert await follows.dm_time(SAME_USER_ELSEWHERE) == DmTime()


async def test_a_paper_is_claimed_once_per_person_and_a_day_once(store: SqlStore) -> None:
    follows = FollowStore(store)
    row = await follows.claim(ME, DAY, ["2103.1", "2103.2"], now=AT)
    assert row is not None
    # The same day again, or an already claimed paper on another day: refused.
    assert await follows.claim(ME, DAY, ["2103.3"], now=AT) is None
    assert await follows.claim(ME, DAY + dt.timedelta(days=1), ["2103.2"], now=AT) is None
    # Someone else may get the same paper.
    assert await follows.claim(SAME_USER_ELSEWHERE, DAY, ["2103.2"], now=AT) is not None
    assert await follows.sent_papers(ME) == {"2103.1", "2103.2"}
    assert await follows.messaged(DAY) == {ME, SAME_USER_ELSEWHERE}
    await follows.sent(row, "ts-1", now=AT)
    assert await follows.messages(ME) == [(DAY, "sent", 2)]


async def test_a_released_claim_leaves_its_papers_for_the_next_run(store: SqlStore) -> None:
    follows = FollowStore(store)
    row = await follows.claim(ME, DAY, ["2103.1"], now=AT)
    assert row is not None
    await follows.release(row)
    assert await follows.sent_papers(ME) == set()
    assert await follows.messaged(DAY) == set()
    assert await follows.claim(ME, DAY, ["2103.1"], now=AT) is not None


async def test_concurrent_claims_of_the_same_day_have_one_winner(store: SqlStore) -> None:
    follows = FollowStore(store)
    won = await asyncio.gather(
        *(follows.claim(ME, DAY, ["2103.1", "2103.2"], now=AT) for _ in range(5))
    )
    assert len([w for w in won if w is not None]) == 1


async def test_forget_me_deletes_everything_of_that_person_only(store: SqlStore) -> None:
    follows = FollowStore(store)
    await follows.add(follow(ME, "Yann LeCun"))
    await follows.set_dm_time(ME, DmTime(at=dt.time(7)))
    await follows.claim(ME, DAY, ["2103.1"], now=AT)
    await follows.add(follow(SAME_USER_ELSEWHERE, "Yann LeCun"))
    assert await follows.forget(ME) == 4
    assert await follows.follows(ME) == []
    assert await follows.sent_papers(ME) == set()
    assert await follows.messages(ME) == []
    assert await follows.dm_time(ME) == DmTime()
    assert len(await follows.follows(SAME_USER_ELSEWHERE)) == 1
    assert await follows.forget(ME) == 0


def test_the_follows_migration_goes_down_to_faststart_and_up_again(database_url: str) -> None:
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, inspect

    url = database_url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url)
    ours = {"follows", "follow_people", "follow_messages", "follow_sent"}
    try:
        for revision, down in (("follows", False), ("feedback", True), ("follows", False)):
            with engine.begin() as connection:
                config = Config()
                config.set_main_option(
                    "script_location", str(resources.files("bot.store") / "migrations")
                )
                config.attributes["connection"] = connection
                (command.downgrade if down else command.upgrade)(config, revision)
                tables = set(inspect(connection).get_table_names())
            assert (ours <= tables) if not down else not (ours & tables)
    finally:
        engine.dispose()
