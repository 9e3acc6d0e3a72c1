"""The console: a local chat channel in the terminal."""
