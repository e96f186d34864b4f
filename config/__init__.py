"""Default configuration and content files shipped with the terminal (read with importlib.resources)."""
