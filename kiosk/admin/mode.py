"""Admin mode for one controller: unlock with the PIN, change settings, pause, leave.

One :class:`AdminMode` per controller (``admin_for(controller)``), so that the admin page and the
diagnostics page opened from it share the unlocked state. Admin mode ends by itself when the staff
page closes for any reason — the back button, or the session machine's inactivity limit for staff
pages (``admin.inactivity_seconds``) — so an unattended terminal never stays in admin mode.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tomllib
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.admin.auth import AdminAuth, AuthResult
from kiosk.admin.changes import diff_configs
from kiosk.admin.store import ConfigChangeRefused, ConfigStore
from kiosk.i18n import _, current_language
from kiosk.session import EndReason
from kiosk.settings.loader import DEFAULT_SECRETS_FILE, DEFAULT_SYSTEM_FILE, staff_file_for

if TYPE_CHECKING:
    from kiosk.controller import Controller

log = logging.getLogger(__name__)
STAFF_VIEWS = ("admin", "diagnostics")


def state_dir_of(config: Any) -> Path:
    if config.paths.state_dir:
        return Path(config.paths.state_dir)
    return Path.home() / ".local" / "state" / "kiosk"


def config_file_of(controller: Any) -> Path:
    """The override file admin changes go to. Demo mode never writes the system's file."""
    found = getattr(controller, "config_file", None) or os.environ.get("KIOSK_CONFIG")
    if found:
        return Path(found)
    if getattr(controller, "demo", False):
        return state_dir_of(controller.config) / "demo-terminal.toml"
    return DEFAULT_SYSTEM_FILE


def secrets_file_of(controller: Any) -> Path:
    found = getattr(controller, "secrets_file", None) or os.environ.get("KIOSK_SECRETS")
    if found:
        return Path(found)
    if getattr(controller, "demo", False):
        return state_dir_of(controller.config) / "demo-secrets.toml"
    return DEFAULT_SECRETS_FILE


def store_for(controller: Any) -> ConfigStore:
    """Where the admin page saves: the staff settings file in the state directory when the terminal
    has one (the unit's sandbox makes /etc read-only), layered over the terminal's file; else (a
    developer's run, the demo) the override file as before."""
    staff = staff_file_for(controller.config.paths)
    if staff is not None and not getattr(controller, "demo", False):
        return ConfigStore(staff, secrets_file_of(controller), layered_over=config_file_of(controller))
    return ConfigStore(config_file_of(controller), secrets_file_of(controller))


@dataclass(frozen=True)
class ChangeOutcome:
    ok: bool
    message: str  # plain Chinese for the screen (in the page's language)
    restart: list[str] = field(default_factory=list)


class AdminMode:
    def __init__(self, controller: Controller, store: ConfigStore | None = None) -> None:
        self.controller = controller
        self.store = store or store_for(controller)
        self.unlocked = False
        self.last_message = ""
        controller.subscribe(self._watch)

    def _pin_hash(self) -> str:
        """The hash in the secrets file now (``kiosk admin set-pin`` works without a restart), else
        the one loaded at start-up."""
        path = self.store.secrets_file
        if path is not None:
            try:
                with path.open("rb") as fh:
                    found = tomllib.load(fh).get("admin", {}).get("pin_hash")
                if isinstance(found, str) and found:
                    return found
            except (OSError, tomllib.TOMLDecodeError, AttributeError):
                pass
        return self.controller.config.admin.pin_hash.get_secret_value()

    @property
    def auth(self) -> AdminAuth:
        a = self.controller.config.admin
        return AdminAuth(
            state_dir_of(self.controller.config), self._pin_hash(), a.max_attempts, a.lockout_seconds
        )

    # ------------------------------------------------------------------ entering and leaving
    def pad_notice(self) -> str:
        """The PIN pad's line when it opens: a running lockout, or a lockout state that cannot be
        read (so staff are not left typing PINs that cannot be accepted)."""
        result = self.auth.peek()
        return result.message if result is not None else ""

    def unlock(self, pin: str) -> AuthResult:
        return self.finish_unlock(self.auth.attempt(pin))

    async def unlock_async(self, pin: str) -> AuthResult:
        """The slow scrypt check in a worker thread, the state change back on the loop (UI)."""
        return self.finish_unlock(await asyncio.to_thread(self.auth.attempt, pin))

    def finish_unlock(self, result: AuthResult) -> AuthResult:
        c = self.controller
        if result.ok:
            m = c.machine
            if m.active:
                m.end(EndReason.ADMIN, c.clock())  # a citizen's session never continues under admin
            self.unlocked = True
            c.audit.record("admin_entered", who="staff")
            m.open_view("admin", c.clock())
        elif result.status == "locked":
            c.audit.record(
                "admin_locked_out", who="staff", seconds=result.locked_seconds, until_reset=result.until_reset
            )
        else:
            c.audit.record("admin_pin_refused", who="staff", status=result.status)
        self.last_message = result.message
        return result

    def lock(self, reason: str = "left") -> None:
        if self.unlocked:
            self.unlocked = False
            self.controller.audit.record("admin_left", who="staff", reason=reason)

    def leave(self) -> None:
        self.lock("left")
        self.controller.close_view()

    def _watch(self) -> None:
        if self.unlocked and self.controller.machine.view not in STAFF_VIEWS:
            self.lock("timeout_or_closed")

    # ------------------------------------------------------------------ changes
    def change(self, path: str, value: Any) -> ChangeOutcome:
        """Validate, save atomically, apply live, audit. Refusals are audited too (no values of secrets)."""
        c = self.controller
        if not self.unlocked:
            return ChangeOutcome(False, _("请先输入管理 PIN"))
        try:
            new = self.store.propose(c.config, path, value)
            self.store.save(path, value)
        except ConfigChangeRefused as exc:
            c.audit.record("config_change_refused", who="staff", field=path, reason=exc.reason)
            self.last_message = exc.shown  # the audit keeps the Chinese reason, the page its language
            return ChangeOutcome(False, exc.shown)
        old = c.config
        changes = diff_configs(old, new)
        restart = c.apply_config(new)
        c.audit.record(
            "config_changed",
            who="staff",
            file=str(self.store.config_file),
            changes=[ch.as_audit() for ch in changes],
            restart_required=restart,
        )
        if restart:
            joined = ("、" if current_language() == "zh_CN" else ", ").join(restart)
            message = _("已保存，重启终端后生效：{fields}").format(fields=joined)
        else:
            message = _("已保存并生效")
        self.last_message = message
        return ChangeOutcome(True, message, restart)

    def pause(self, message: str) -> None:
        if self.unlocked:
            self.controller.pause(message)

    def resume(self) -> None:
        if self.unlocked:
            self.controller.resume()


_MODES: weakref.WeakKeyDictionary[Any, AdminMode] = weakref.WeakKeyDictionary()


def admin_for(controller: Controller) -> AdminMode:
    mode = _MODES.get(controller)
    if mode is None:
        mode = _MODES[controller] = AdminMode(controller)
    return mode
