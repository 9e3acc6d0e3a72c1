"""The store: subscriptions, the delivery ledger, cached snapshots and signed requests already
served (replays), on SQLite or PostgreSQL."""

from bot.store.replays import ReplayGuard
from bot.store.sql import Claim, SqlStore, open_store

__all__ = ["Claim", "ReplayGuard", "SqlStore", "open_store"]
