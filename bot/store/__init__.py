"""The store: subscriptions, the delivery ledger and cached snapshots, on SQLite or PostgreSQL."""

from bot.store.sql import Claim, SqlStore, open_store

__all__ = ["Claim", "SqlStore", "open_store"]
