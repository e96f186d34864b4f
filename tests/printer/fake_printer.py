"""A fake ESC/POS printer on a real TCP socket (127.0.0.1, free port), like a printer's port 9100.

It records every connection's bytes and answers ``DLE EOT n`` status queries that arrive before a
job starts, with the bytes an Epson-compatible printer sends (written out literally here, not taken
from the driver under test):

    n=1  0x12 online, 0x1A offline (bit 3)
    n=2  0x12 fine, +0x04 cover open (bit 2), +0x20 stopped at paper end (bit 5)
    n=4  0x12 paper fine, 0x1E near end (bits 2+3), 0x72 paper end (bits 5+6)

``silent`` makes it answer nothing (many printers and print servers never do).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass


@dataclass
class FakeState:
    online: bool = True
    cover_open: bool = False
    paper: str = "ok"  # ok | near_end | out
    silent: bool = False
    paper_after_job: str | None = None  # the paper runs out (etc.) while a job prints
    unsolicited: bytes = b""  # sent as a job starts, like automatic status back (ASB)
    slow_reader: bool = False  # reads the job slowly, so the client still has bytes queued


class FakePrinter:
    def __init__(self, receive_buffer: int | None = None) -> None:
        """``receive_buffer`` shrinks the TCP window, so a sender's bytes wait in its own queue."""
        self.state = FakeState()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen()
        self.port = self._server.getsockname()[1]
        self._records: list[tuple[bytes, bool]] = []
        self._accepted = 0
        self._done: set[int] = set()
        self.queries: list[int] = []
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._running = True
        self._acceptor = threading.Thread(target=self._accept, name="fake-printer", daemon=True)
        self._acceptor.start()

    # ------------------------------------------------------------------ answers
    def _answer(self, n: int) -> bytes:
        s = self.state
        if s.silent:
            return b""
        if n == 1:
            return bytes([0x1A if not s.online else 0x12])
        if n == 2:
            return bytes([0x12 | (0x04 if s.cover_open else 0) | (0x20 if s.paper == "out" else 0)])
        if n == 4:
            return bytes([{"ok": 0x12, "near_end": 0x1E, "out": 0x72}[s.paper]])
        return b""

    # ------------------------------------------------------------------ server
    def _accept(self) -> None:
        while self._running:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._cond:
                seq = self._accepted
                self._accepted += 1
            t = threading.Thread(target=self._serve, args=(conn, seq), daemon=True)
            self._threads.append(t)
            t.start()

    def _earlier_done(self, seq: int) -> None:
        """Answer in connection order: a job the client already closed is processed before a
        later status query is answered, as on a real printer's single channel."""
        with self._cond:
            self._cond.wait_for(lambda: self._done >= set(range(seq)), timeout=5)

    def _serve(self, conn: socket.socket, seq: int) -> None:
        received = bytearray()
        pending = bytearray()
        job_started = False
        conn.settimeout(10)
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                received += chunk
                if job_started:
                    if self.state.slow_reader:
                        time.sleep(0.01)
                    continue
                pending += chunk
                while pending and not job_started:
                    if pending[:2] == b"\x10\x04":
                        if len(pending) < 3:
                            break
                        n = pending[2]
                        self._earlier_done(seq)
                        with self._cond:
                            self.queries.append(n)
                        answer = self._answer(n)
                        if answer:
                            conn.sendall(answer)
                        del pending[:3]
                    else:
                        job_started = True
                        if self.state.unsolicited:
                            conn.sendall(self.state.unsolicited)
        if job_started and self.state.paper_after_job:
            self.state.paper = self.state.paper_after_job
        with self._cond:
            self._records.append((bytes(received), job_started))
            self._done.add(seq)
            self._cond.notify_all()

    # ------------------------------------------------------------------ for tests
    @property
    def jobs(self) -> list[bytes]:
        """Connections that carried more than status queries (the whole bytes, queries included)."""
        with self._cond:
            return [data for data, job in self._records if job]

    def wait_for_jobs(self, count: int, timeout: float = 10.0) -> list[bytes]:
        with self._cond:
            self._cond.wait_for(lambda: sum(job for _, job in self._records) >= count, timeout)
        return self.jobs

    def wait_for_connections(self, count: int, timeout: float = 10.0) -> None:
        with self._cond:
            self._cond.wait_for(lambda: len(self._records) >= count, timeout)

    def close(self) -> None:
        self._running = False
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        self._server.close()
        for t in self._threads:
            t.join(timeout=5)
        self._acceptor.join(timeout=5)
