"""Reference e-certificate server (backend-api.md): a separate program the kiosk never imports."""

__version__ = "0.1.0"
