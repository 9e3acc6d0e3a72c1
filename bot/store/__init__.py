"""The store: subscriptions, the delivery ledger and cached snapshots, on SQLite or PostgreSQL.

It may import SQLAlchemy, Alembic and the core's values; never a chat SDK or ``adapters``.
"""

from bot.store.ledger import Claim, Delivery, Part, Resolution
from bot.store.sql import SqlStore, open_store

__all__ = ["Claim", "Delivery", "Part", "Resolution", "SqlStore", "open_store"]
