"""Self-service terminal (自助终端) software for the Liujiang District Government Service Centre.

The package holds the domain, the citizen session and the app wiring. Only ``kiosk.app`` imports
Kivy; no module here imports a hardware library (those live in ``drivers/``).
"""

__version__ = "0.1.0"
