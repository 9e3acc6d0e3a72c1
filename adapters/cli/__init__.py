"""The ``hotpapers`` command line: the composition root of the application."""
