"""App wiring: the only part of kiosk/ that touches Kivy. Import ``kiosk.app.environment`` first."""
