"""Discord: embeds and publishers."""
