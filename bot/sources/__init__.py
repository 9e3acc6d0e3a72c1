"""Engagement sources: where people talk about papers. Each one is a ``SignalSource``."""
