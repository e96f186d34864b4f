"""Typed terminal configuration, validated at start-up.

Layers, later ones winning: the defaults shipped in ``config/default.toml``; the terminal's override
file (``--config``, ``$KIOSK_CONFIG`` or ``/etc/kiosk/terminal.toml``); the staff settings file
(``<state_dir>/staff.toml``, what the admin page saved); the secrets file (``$KIOSK_SECRETS`` or
``/etc/kiosk/secrets.toml``, root:kiosk 0640, see ``ownership``); and environment variables
``KIOSK__SECTION__KEY=value``. Unknown keys are errors. Each problem is reported with the file (or
variable) that set the value, the dotted field and the reason, so a staff member can fix it.

Each device section has its own module (``card``, ``camera``, ``printer``, ``backend``) so that the
driver that reads it owns its shape.
"""

from kiosk.settings.loader import ConfigError, ConfigProblem, load_config
from kiosk.settings.model import KioskConfig

__all__ = ["ConfigError", "ConfigProblem", "KioskConfig", "load_config"]
