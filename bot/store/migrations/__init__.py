"""The store's Alembic migrations (``versions/``).

``HEAD`` is the newest revision: a store already at it opens without importing Alembic. A new
migration moves it (``tests/bot/test_store.py`` checks it against the scripts' head).
"""

HEAD = "digest_leases"
