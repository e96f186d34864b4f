"""The audit log (留痕): hash-chained JSON lines of session and maintenance events.

Each line holds ``seq``, ``ts``, ``event``, ``data``, ``prev`` (the previous line's hash) and
``hash`` = SHA-256 over the canonical JSON of the other fields. Removing, reordering or editing a
line breaks the chain, which ``kiosk audit verify`` reports with the line number. Entries never carry
personal data in clear: sessions are random ids, and callers pass outcomes and counts only.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import threading
import time
import weakref
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
    """Append-only, hash-chained; safe to call from any thread; survives a full disk (logs, goes on).

    ``record`` only scrubs the entry and queues it: one writer thread appends the lines in order and
    fsyncs them. The caller is usually the UI loop, and an fsync that waits on a busy disk (about
    1 ms, but 120 ms once in the soak) would freeze the screen. The writer also assigns ``seq``,
    ``prev`` and ``hash``, so a write that fails (full disk) leaves the chain whole: the next entry
    that lands chains on from the last one on disk. ``flush`` waits until the queue is on disk;
    ``close`` does that and ends the writer, after which ``record`` writes in the caller's thread.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._chain_lock = threading.Lock()  # seq/prev and the file: the writer, or a caller after close
        # observers of every event (kiosk.ops metrics); called in record's caller, as it queues
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []
        self._queue: list[tuple[str, str, dict[str, Any]]] = []
        self._pending = 0  # queued or being written
        self._cond = threading.Condition()
        self._writer: threading.Thread | None = None
        self._closed = False
        dropped = self._recover_torn_tail()
        self._seq, self._prev = self._tail()
        _open_logs.add(self)
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

    def record(self, event: str, **data: Any) -> None:
        """Queue one entry (time-stamped now) and tell the listeners; the writer puts it on disk."""
        item = (event, time.strftime("%Y-%m-%dT%H:%M:%S%z"), _scrub(data))
        with self._cond:
            inline = self._closed
            if not inline:
                self._queue.append(item)
                self._pending += 1
                if self._writer is None:
                    self._writer = threading.Thread(
                        target=self._write_queued, name="audit-writer", daemon=True
                    )
                    self._writer.start()
                self._cond.notify_all()
        if inline:
            self._write([item])
        for listener in list(self.listeners):
            try:
                listener(event, item[2])
            except Exception:  # an observer never stops the audit trail
                log.exception("audit listener failed")

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued entry is written (or failed to be); False if time ran out."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued and end the writer; later entries are written in the caller."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            writer = self._writer
        if writer is not None and writer is not threading.current_thread():
            writer.join(timeout)
        _open_logs.discard(self)

    def _write_queued(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue) or self._closed)
                batch, self._queue = self._queue, []
                if not batch and self._closed:
                    self._writer = None
                    return
            try:
                self._write(batch)
            finally:
                with self._cond:
                    self._pending -= len(batch)
                    self._cond.notify_all()

    def _write(self, batch: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Chain, append and fsync a batch; an entry whose write fails is dropped, not chained on."""
        with self._chain_lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError as exc:
                log.error("audit write failed", extra={"entries": len(batch), "error": exc.strerror})
                return
            try:
                for event, ts, data in batch:
                    entry: dict[str, Any] = {
                        "seq": self._seq + 1,
                        "ts": ts,
                        "event": event,
                        "data": data,
                        "prev": self._prev,
                    }
                    entry["hash"] = _digest(entry)
                    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
                    try:
                        os.write(fd, line.encode())
                    except OSError as exc:
                        log.error("audit write failed", extra={"event": event, "error": exc.strerror})
                    else:
                        self._seq, self._prev = entry["seq"], entry["hash"]
                try:
                    os.fsync(fd)
                except OSError as exc:
                    log.error("audit fsync failed", extra={"error": exc.strerror})
            finally:
                os.close(fd)


# logs whose writer may still hold entries when the interpreter exits (see _flush_at_exit)
_open_logs: weakref.WeakSet[AuditLog] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    """A process that exits without closing its log still writes what it queued."""
    for audit in list(_open_logs):
        audit.close(timeout=5.0)


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
