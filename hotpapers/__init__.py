"""``python -m hotpapers``: the same command line as ``hotpapers``."""
