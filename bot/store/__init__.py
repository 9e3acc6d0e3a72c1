"""The store: subscriptions, the delivery ledger, cached snapshots, readings over time and
signed requests already served (replays), on SQLite or PostgreSQL.

It may import SQLAlchemy, Alembic and the core's values; never a chat SDK or ``adapters``.
"""

from bot.store.ledger import Claim, Delivery, Part, Resolution
from bot.store.readings import Readings, Recorded
from bot.store.replays import ReplayGuard
from bot.store.sql import SqlStore, open_store

__all__ = [
    "Claim",
    "Delivery",
    "Part",
    "Readings",
    "Recorded",
    "ReplayGuard",
    "Resolution",
    "SqlStore",
    "open_store",
]
