"""The audit log (留痕): hash-chained JSON lines of session and maintenance events.

Each line holds ``seq``, ``ts``, ``event``, ``data``, ``prev`` (the previous line's hash) and
``hash`` = SHA-256 over the canonical JSON of the other fields. Removing, reordering or editing a
line breaks the chain, which ``kiosk audit verify`` reports with the line number. Entries never carry
personal data in clear: sessions are random ids, and callers pass outcomes and counts only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.privacy import mask_text

GENESIS = "0" * 64
log = logging.getLogger(__name__)


def _canonical(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(entry: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    problem: str | None = None
    line: int | None = None


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {str(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


class AuditLog:
    """Append-only, hash-chained; safe to call from any thread; survives a full disk (logs, goes on)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        # observers of every event (kiosk.ops metrics); called after the write, even a failed one
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []
        dropped = self._recover_torn_tail()
        self._seq, self._prev = self._tail()
        if dropped:
            self.record("audit_recovered", dropped_bytes=dropped)

    def _recover_torn_tail(self) -> int:
        """Cut a last line that a power cut or SIGKILL left half-written, so the chain goes on.

        Only an unterminated, unparsable tail is cut (a complete line is never touched: an edited
        line must stay visible to ``verify``). Returns the number of bytes removed.
        """
        try:
            with self.path.open("r+b") as fh:
                size = os.fstat(fh.fileno()).st_size
                if not self.path.is_file() or size == 0:
                    return 0
                start = max(0, size - 1_000_000)  # entries are small: the tail holds the last line
                fh.seek(start)
                data = fh.read()
                if data.endswith(b"\n"):
                    return 0
                cut = data.rfind(b"\n") + 1
                try:
                    json.loads(data[cut:])
                except ValueError:
                    fh.truncate(start + cut)
                    fh.flush()
                    os.fsync(fh.fileno())
                    log.warning("audit log: torn last line removed", extra={"dropped_bytes": len(data) - cut})
                    return len(data) - cut
                fh.write(b"\n")  # a complete entry that only lacks its newline
                return 0
        except OSError:
            return 0

    def _tail(self) -> tuple[int, str]:
        try:
            with self.path.open("rb") as fh:
                last = b""
                for line in fh:
                    if line.strip():
                        last = line
        except OSError:  # missing, or an unreadable state dir: start a chain, do not stop the terminal
            return 0, GENESIS
        if not last:
            return 0, GENESIS
        try:
            entry = json.loads(last)
            return int(entry["seq"]), str(entry["hash"])
        except (ValueError, KeyError):
            # a torn last line (power cut mid-write): chain on from a marker, verify will show it
            return -1, GENESIS

    def record(self, event: str, **data: Any) -> dict[str, Any] | None:
        with self._lock:
            entry: dict[str, Any] = {
                "seq": self._seq + 1,
                "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "event": event,
                "data": _scrub(data),
                "prev": self._prev,
            }
            entry["hash"] = _digest(entry)
            line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line.encode())
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                log.error("audit write failed", extra={"event": event, "error": exc.strerror})
                written = None
            else:
                self._seq, self._prev = entry["seq"], entry["hash"]
                written = entry
        for listener in list(self.listeners):
            try:
                listener(event, entry["data"])
            except Exception:  # an observer never stops the audit trail
                log.exception("audit listener failed")
        return written


def verify_chain(path: Path) -> ChainReport:
    prev, seq, count = GENESIS, 0, 0
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return ChainReport(False, 0, "file not found")
    with fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except ValueError:
                return ChainReport(False, count, "line is not valid JSON (torn or edited)", number)
            if not isinstance(entry, dict) or "hash" not in entry:
                return ChainReport(False, count, "line has no hash", number)
            if entry.get("prev") != prev:
                return ChainReport(False, count, "chain broken: prev does not match the line before", number)
            if entry.get("seq") != seq + 1:
                return ChainReport(False, count, "sequence gap or reorder", number)
            if _digest(entry) != entry["hash"]:
                return ChainReport(False, count, "hash mismatch: the line was altered", number)
            prev, seq, count = entry["hash"], entry["seq"], count + 1
    return ChainReport(True, count)
