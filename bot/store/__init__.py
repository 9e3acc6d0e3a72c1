"""The store: subscriptions, the delivery ledger, cached snapshots and readings over time, on
SQLite or PostgreSQL."""

from bot.store.readings import Readings, Recorded
from bot.store.sql import Claim, SqlStore, open_store

__all__ = ["Claim", "Readings", "Recorded", "SqlStore", "open_store"]
