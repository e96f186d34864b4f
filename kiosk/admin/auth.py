"""PIN checks with a lockout that survives a restart, escalates, and fails closed.

After ``max_attempts`` wrong PINs in a row the pad is locked: the first time for ``lockout_seconds``
(5 minutes by default), the next times for 30 minutes and 2 hours, and after that until a technician
runs ``kiosk admin unlock`` (audited). Only a right PIN ends the escalation. WHY: a fixed 5 tries
every 5 minutes is 1,440 guesses a day, forever — a 6-digit PIN falls within two years to someone
who comes back every night; with the escalation an attacker gets 20 guesses before a person has to
look at the terminal.

The count, the lock end and the number of lockouts live in a small JSON state file
(``admin-lockout.json`` in the state dir; no PIN, no hash), written atomically, so pulling the plug
does not reset the lock. Wall-clock time is used for the lock end because monotonic time restarts
with the machine.

Fail closed: every attempt is first recorded as a failure (written before the PIN is checked, so
killing the app during the slow check does not forget the try), and cleared only after a right PIN.
When the state cannot be written or read — a read-only or full state directory, a file of the wrong
owner — no PIN is accepted, not even the right one, and the pad says so.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.admin.atomic import atomic_write
from kiosk.admin.pin import verify_pin
from kiosk.i18n import _

log = logging.getLogger(__name__)
STATE_FILE = "admin-lockout.json"
# after the first lockout (admin.lockout_seconds): the second and third lockouts last this long;
# the one after them lasts until `kiosk admin unlock`
ESCALATION_SECONDS = (30 * 60, 2 * 60 * 60)
UNAVAILABLE_MESSAGE = "无法记录尝试次数，管理入口已锁定，请联系技术人员"
MAX_STATE_BYTES = 4096


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    status: str  # ok | wrong | locked | unavailable | not_set
    remaining_attempts: int = 0
    locked_seconds: int = 0
    until_reset: bool = False  # locked until a technician runs `kiosk admin unlock`

    @property
    def message(self) -> str:
        """Plain Chinese for the PIN pad, in the page's language (staff may choose English)."""
        if self.status == "ok":
            return _("已进入管理模式")
        if self.status == "not_set":
            return _("尚未设置管理 PIN，请技术人员运行 kiosk admin set-pin")
        if self.status == "unavailable":
            return _(UNAVAILABLE_MESSAGE)
        if self.status == "locked" and self.until_reset:
            return _("PIN 错误次数过多，管理入口已锁定，请联系技术人员解锁")
        if self.status == "locked":
            minutes = max(1, -(-self.locked_seconds // 60))
            if minutes < 60:
                return _("PIN 错误次数过多，已锁定，请 {n} 分钟后再试").format(n=minutes)
            return _("PIN 错误次数过多，已锁定，请约 {n} 小时后再试").format(n=-(-minutes // 60))
        return _("PIN 不正确，还可以再试 {n} 次").format(n=self.remaining_attempts)


@dataclass(frozen=True)
class LockState:
    failures: int = 0  # wrong PINs in a row since the last lockout ended
    locked_until: float = 0.0  # wall-clock time; 0: not locked
    lockouts: int = 0  # lockouts since the last right PIN (the escalation step)
    until_reset: bool = False

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "failures": self.failures,
                "locked_until": self.locked_until,
                "lockouts": self.lockouts,
                "until_reset": self.until_reset,
            }
        ).encode()


class StateUnusable(Exception):
    """The lockout state cannot be read or written: the pad stays locked."""


class AdminAuth:
    def __init__(
        self,
        state_dir: Path,
        pin_hash: str,
        max_attempts: int = 5,
        lockout_seconds: int = 300,
        clock: Callable[[], float] = time.time,
        owner: tuple[int, int] | None = None,
    ) -> None:
        self.path = Path(state_dir) / STATE_FILE
        self.pin_hash = pin_hash
        self.max_attempts = max_attempts
        self.lockout_seconds = lockout_seconds
        self.clock = clock
        self.owner = owner  # uid, gid for the state file (the CLI run as root: the app's user)

    # ------------------------------------------------------------------ state file
    def read(self) -> LockState:
        """The state on disk; a missing file is a fresh start. Raises StateUnusable."""
        try:
            with self.path.open("rb") as fh:
                raw = fh.read(MAX_STATE_BYTES + 1)
        except FileNotFoundError:
            return LockState()
        except OSError as exc:
            log.error("admin lockout state unreadable; admin locked", extra={"error": exc.strerror})
            raise StateUnusable(str(exc.strerror)) from None
        try:
            data = json.loads(raw)
            state = LockState(
                int(data["failures"]),
                float(data["locked_until"]),
                int(data.get("lockouts", 0)),
                bool(data.get("until_reset", False)),
            )
            if len(raw) > MAX_STATE_BYTES or state.failures < 0 or state.lockouts < 0:
                raise ValueError("out of range")
            if state.locked_until != state.locked_until:  # NaN would never end, nor compare
                raise ValueError("not a time")
            return state
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            # a damaged state file must not unlock the pad: it counts as a lockout (and is replaced)
            log.warning("admin lockout state damaged; locking", extra={"path": str(self.path)})
            state = LockState(self.max_attempts, self.clock() + self.lockout_seconds, 1)
            self.write(state)  # the lock ends in lockout_seconds, not a moving window from each read
            return state

    def write(self, state: LockState) -> None:
        try:
            atomic_write(
                self.path,
                state.as_json(),
                mode=0o600,
                keep_backup=False,
                like_existing=True,
                owner=self.owner,
            )
        except OSError as exc:
            log.error("admin lockout state not saved; admin locked", extra={"error": exc.strerror})
            raise StateUnusable(str(exc.strerror)) from None

    def lock_seconds(self, lockouts: int) -> int | None:
        """How long the ``lockouts``-th lockout lasts; None: until a technician unlocks."""
        if lockouts <= 1:
            return self.lockout_seconds
        if lockouts - 2 < len(ESCALATION_SECONDS):
            return max(self.lockout_seconds, ESCALATION_SECONDS[lockouts - 2])
        return None

    # ------------------------------------------------------------------ checks
    def locked_seconds(self) -> int:
        try:
            state = self.read()
        except StateUnusable:
            return 0
        return max(0, round(state.locked_until - self.clock()))

    def _locked(self, state: LockState, now: float) -> AuthResult | None:
        if state.until_reset:
            return AuthResult(False, "locked", until_reset=True)
        if state.locked_until > now:
            return AuthResult(False, "locked", locked_seconds=round(state.locked_until - now))
        return None

    def peek(self) -> AuthResult | None:
        """What the pad should say before any PIN is typed: locked, or unusable state; else None."""
        if not self.pin_hash:
            return None
        try:
            return self._locked(self.read(), self.clock())
        except StateUnusable:
            return AuthResult(False, "unavailable")

    def attempt(self, pin: str) -> AuthResult:
        if not self.pin_hash:
            return AuthResult(False, "not_set")
        now = self.clock()
        try:
            state = self.read()
            locked = self._locked(state, now)
            if locked is not None:
                return locked
            failures = 0 if state.locked_until else state.failures  # a finished lockout: fresh count
            # the attempt counts as wrong on disk until the PIN has been checked
            failed = failures + 1
            if failed >= self.max_attempts:
                seconds = self.lock_seconds(state.lockouts + 1)
                pending = LockState(failed, now + (seconds or 0), state.lockouts + 1, seconds is None)
            else:
                pending = LockState(failed, 0.0, state.lockouts)
            self.write(pending)
            if verify_pin(pin, self.pin_hash):
                self.write(LockState())
                return AuthResult(True, "ok")
        except StateUnusable:
            return AuthResult(False, "unavailable")
        return self._locked(pending, now) or AuthResult(
            False, "wrong", remaining_attempts=self.max_attempts - failed
        )

    def reset(self) -> LockState:
        """``kiosk admin unlock``: clear the count and the escalation. Returns what was there."""
        try:
            before = self.read()
        except StateUnusable:
            before = LockState()
        self.write(LockState())
        return before
