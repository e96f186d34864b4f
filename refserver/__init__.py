"""Reference e-certificate server (backend-api.md): a separate program the kiosk never imports."""
