"""Slack: Block Kit messages and publishers."""
