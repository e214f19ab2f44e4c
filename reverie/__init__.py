"""reverie's surfaces: the CLI (and later the TUI, the HTTP server and the daemon)."""

__version__ = "0.1.0"
