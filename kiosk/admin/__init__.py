"""Staff administration: PIN with lockout, validated atomic configuration changes, pause, audit.

The screens (screens/admin.py) and the CLI (``kiosk admin``) both go through :class:`AdminMode`
and the small modules here, so what a technician does on the command line and what staff do on the
screen are the same code paths and leave the same audit trail.
"""

from kiosk.admin.auth import AdminAuth, AuthResult
from kiosk.admin.mode import AdminMode, admin_for
from kiosk.admin.pin import PinFormatError, hash_pin, verify_pin
from kiosk.admin.store import ConfigChangeRefused, ConfigStore

__all__ = [
    "AdminAuth",
    "AdminMode",
    "AuthResult",
    "ConfigChangeRefused",
    "ConfigStore",
    "PinFormatError",
    "admin_for",
    "hash_pin",
    "verify_pin",
]
