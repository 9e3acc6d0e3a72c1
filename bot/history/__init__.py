"""Engagement over time: readings of every collection, and the views built from them.

``readings`` says what a reading is and what a store of readings must answer (a Protocol that
``bot.store.readings.Readings`` implements); ``views`` turns readings into the rising and the
best-of-week/month digests (pure functions, and one async call each for the CLI and chat).
Imports the domain values and the ranking; never the store, a source or an adapter.
"""
