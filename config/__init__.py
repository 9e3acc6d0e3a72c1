"""Default configuration files shipped with hotpapers (read with importlib.resources)."""
