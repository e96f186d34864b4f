"""PIN checks with a lockout that survives a restart.

After ``max_attempts`` wrong PINs in a row the pad is locked for ``lockout_seconds``. The count and
the lock end live in a small JSON state file (``admin-lockout.json`` in the state dir; no PIN, no
hash), written atomically, so pulling the plug does not reset the lock. Wall-clock time is used for
the lock end because monotonic time restarts with the machine.
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

log = logging.getLogger(__name__)
STATE_FILE = "admin-lockout.json"


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    status: str  # ok | wrong | locked | not_set
    remaining_attempts: int = 0
    locked_seconds: int = 0

    @property
    def message(self) -> str:
        """Plain Chinese for the PIN pad."""
        if self.status == "ok":
            return "已进入管理模式"
        if self.status == "not_set":
            return "尚未设置管理 PIN，请技术人员运行 kiosk admin set-pin"
        if self.status == "locked":
            minutes = max(1, -(-self.locked_seconds // 60))
            return f"PIN 错误次数过多，已锁定，请 {minutes} 分钟后再试"
        return f"PIN 不正确，还可以再试 {self.remaining_attempts} 次"


class AdminAuth:
    def __init__(
        self,
        state_dir: Path,
        pin_hash: str,
        max_attempts: int = 5,
        lockout_seconds: int = 300,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(state_dir) / STATE_FILE
        self.pin_hash = pin_hash
        self.max_attempts = max_attempts
        self.lockout_seconds = lockout_seconds
        self.clock = clock

    # ------------------------------------------------------------------ state file
    def _read(self) -> tuple[int, float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return int(data.get("failures", 0)), float(data.get("locked_until", 0.0))
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, TypeError, AttributeError):
            # an unreadable state file must not unlock the pad: treat it as a fresh lockout
            log.warning("admin lockout state unreadable; locking", extra={"path": str(self.path)})
            return self.max_attempts, self.clock() + self.lockout_seconds

    def _write(self, failures: int, locked_until: float) -> None:
        body = json.dumps({"failures": failures, "locked_until": locked_until}).encode()
        try:
            atomic_write(self.path, body, mode=0o600, keep_backup=False)
        except OSError as exc:
            log.error("admin lockout state not saved", extra={"error": exc.strerror})

    # ------------------------------------------------------------------ checks
    def locked_seconds(self) -> int:
        _failures, until = self._read()
        return max(0, round(until - self.clock()))

    def attempt(self, pin: str) -> AuthResult:
        if not self.pin_hash:
            return AuthResult(False, "not_set")
        failures, until = self._read()
        now = self.clock()
        if until > now:
            return AuthResult(False, "locked", locked_seconds=round(until - now))
        if until:  # a finished lockout starts a fresh count
            failures = 0
        if verify_pin(pin, self.pin_hash):
            if failures or until:
                self._write(0, 0.0)
            return AuthResult(True, "ok")
        failures += 1
        if failures >= self.max_attempts:
            self._write(failures, now + self.lockout_seconds)
            return AuthResult(False, "locked", locked_seconds=self.lockout_seconds)
        self._write(failures, 0.0)
        return AuthResult(False, "wrong", remaining_attempts=self.max_attempts - failures)
