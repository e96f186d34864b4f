"""The one rule for who owns the terminal's configuration and secrets, and with which modes.

The installer (``kiosk install``), ``kiosk admin set-pin`` and the loader all follow these
constants, so that what one writes the others accept:

* ``/etc/kiosk``               root:kiosk 0750 — the kiosk user may enter, not change
* ``/etc/kiosk/terminal.toml`` root:kiosk 0640 — the technician's settings
* ``/etc/kiosk/secrets.toml``  root:kiosk 0640 — readable by the kiosk group, writable only by root,
  never readable by other users
* ``<state dir>/staff.toml``   kiosk:kiosk 0600 — what staff change on the admin page (the only
  configuration the sandboxed app may write)

WHY group-readable secrets: the app runs as the unprivileged ``kiosk`` user and must read the
terminal secret and the PIN hash, while only root may change them. A file the app could write would
let anything running as the app rewrite its own trust; a file every user could read would hand out
the terminal secret. On a developer's machine there is no ``kiosk`` group: a secrets file of their
own with mode 600 passes the same rule.

The loader refuses a secrets file that is writable by its group or by others, readable by others,
or owned by anyone but root or the user running the kiosk; and any configuration file writable by
everyone.
"""

from __future__ import annotations

import grp
import os
import stat

OWNER_UID = 0  # root
GROUP = "kiosk"  # the app's user and group (created by kiosk install)
CONFIG_DIR_MODE = 0o750
TERMINAL_FILE_MODE = 0o640
SECRETS_FILE_MODE = 0o640
PRIVATE_FILE_MODE = 0o600  # a secrets file without a kiosk group (a developer's), and staff.toml
STAFF_FILE_MODE = 0o600


def kiosk_gid() -> int | None:
    """The kiosk group's id, or None where it does not exist (a developer's machine, a test root)."""
    try:
        return grp.getgrnam(GROUP).gr_gid
    except KeyError:
        return None


def secrets_problem(st: os.stat_result, euid: int | None = None) -> str | None:
    """Why a secrets file with this status must not be used, or None if the rule allows it."""
    euid = os.geteuid() if euid is None else euid
    mode = stat.S_IMODE(st.st_mode)
    if mode & stat.S_IRWXO:
        return "readable or writable by every user of the machine: chmod 640 (owner root, group kiosk)"
    if mode & stat.S_IWGRP:
        return "writable by its group: only root may change it (chmod 640, owner root, group kiosk)"
    if st.st_uid not in (OWNER_UID, euid):
        return f"owned by uid {st.st_uid}, neither root nor the user running the kiosk: chown root:kiosk"
    return None


def config_problem(st: os.stat_result) -> str | None:
    """Why a (non-secret) configuration file must not be used: anyone could change it."""
    if stat.S_IMODE(st.st_mode) & stat.S_IWOTH:
        return "writable by every user of the machine: chmod 640 (owner root, group kiosk)"
    return None


def staff_problem(st: os.stat_result) -> str | None:
    """Why the staff settings file must not be used: someone besides its owner could change it."""
    if stat.S_IMODE(st.st_mode) & (stat.S_IWGRP | stat.S_IWOTH):
        return "writable by others than its owner: chmod 600"
    return None
