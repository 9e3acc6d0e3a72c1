"""The store: subscriptions, the delivery ledger, cached snapshots and readings over time, on
SQLite or PostgreSQL.

It may import SQLAlchemy, Alembic and the core's values; never a chat SDK or ``adapters``.
"""

from bot.store.ledger import Claim, Delivery, Part, Resolution
from bot.store.readings import Readings, Recorded
from bot.store.sql import SqlStore, open_store

__all__ = [
    "Claim",
    "Delivery",
    "Part",
    "Readings",
    "Recorded",
    "Resolution",
    "SqlStore",
    "open_store",
]
