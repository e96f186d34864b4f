"""Printing through CUPS with the ``lp`` and ``lpstat`` commands.

Two uses: the receipt printer behind a raw CUPS queue (ESC/POS bytes built by python-escpos, sent
with ``-o raw``), and A4 documents (PDF) to an ordinary queue. python-escpos' own ``CupsPrinter``
needs pycups (a C extension) and its ``LP`` class has no timeout; the command-line tools are always
there with CUPS, honour ``-h <server>`` (a private cupsd in tests), and can be bounded by a timeout.
A raw CUPS queue cannot relay DLE EOT answers, so receipt status is the queue's state only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from typing import Any

from drivers.printer.job_bytes import receipt_job
from drivers.printer.types import PrinterError, PrinterStatus, paper_width_dots

_REQUEST_ID = re.compile(r"request id is (\S+)")


class CupsQueue:
    """One CUPS queue, reached with ``lp``/``lpstat`` (optionally on a given server)."""

    def __init__(self, queue: str, server: str = "", timeout_seconds: float = 5.0) -> None:
        if not queue or not re.fullmatch(r"[A-Za-z0-9_.@-]{1,127}", queue):
            raise ValueError(f"invalid CUPS queue name: {queue!r}")
        self.queue = queue
        self.server = server
        self.timeout_seconds = timeout_seconds

    def _cmd(self, tool: str, *args: str) -> list[str]:
        path = shutil.which(tool)
        if path is None:
            raise PrinterError("offline", f"{tool} not found: install the Debian package cups-client")
        return [path, *(["-h", self.server] if self.server else []), *args]

    def _run(self, cmd: list[str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                cmd, input=data, capture_output=True, timeout=self.timeout_seconds, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise PrinterError("timeout", f"{cmd[0]} did not finish in {self.timeout_seconds} s") from exc
        except OSError as exc:
            raise PrinterError("io", str(exc)) from exc

    def state(self) -> str:
        """``idle`` | ``printing`` | ``disabled`` | ``missing`` (queue unknown or server unreachable)."""
        done = self._run(self._cmd("lpstat", "-p", self.queue))
        text = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0 or not text.strip():
            return "missing"
        if "disabled" in text:
            return "disabled"
        if "printing" in text or "now printing" in text:
            return "printing"
        return "idle"

    def submit(self, data: bytes, title: str, raw: bool = False) -> str:
        """Queue ``data`` (a PDF, or ESC/POS bytes with ``raw``); returns the CUPS job id."""
        args = ["-d", self.queue, "-t", title]
        if raw:
            args += ["-o", "raw"]
        done = self._run(self._cmd("lp", *args, "-"), data)
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            unreachable = "not exist" in message or "connect" in message.lower()
            raise PrinterError(
                "offline" if unreachable else "io", message or f"lp exited with {done.returncode}"
            )
        match = _REQUEST_ID.search(done.stdout.decode("utf-8", "replace"))
        return match.group(1) if match else ""

    def job_done(self, job_id: str) -> bool:
        """True once ``job_id`` is no longer among the queue's pending jobs."""
        done = self._run(self._cmd("lpstat", "-o", self.queue))
        return job_id not in done.stdout.decode("utf-8", "replace").split()

    def wait_done(self, job_id: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while True:
            if self.job_done(job_id):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def cancel(self, job_id: str) -> None:
        self._run(self._cmd("cancel", job_id))


class CupsPrinter:
    """Receipt printer behind a raw CUPS queue (``kiosk.ports.PrinterPort`` by shape)."""

    kind = "cups"

    def __init__(
        self,
        queue: str,
        paper_mm: int = 80,
        server: str = "",
        timeout_seconds: float = 5.0,
        job_seconds: float = 20.0,
    ) -> None:
        self._width = paper_width_dots(paper_mm)
        self.cups = CupsQueue(queue, server, timeout_seconds)
        self.job_seconds = job_seconds
        self.last_job_id = ""

    @property
    def paper_width_dots(self) -> int:
        return self._width

    def status(self) -> PrinterStatus:
        """Only what CUPS knows: a missing or disabled queue is offline; paper and cover unknown."""
        try:
            state = self.cups.state()
        except PrinterError:
            return PrinterStatus.unknown()
        if state in ("missing", "disabled"):
            return PrinterStatus(online=False, cover_open=None, paper="unknown")
        return PrinterStatus(online=True, cover_open=None, paper="unknown")

    def print_image(self, image: Any) -> None:
        """Queue the job and wait until CUPS has handed it to the printer.

        A job still queued after the timeout is cancelled: a receipt that comes out minutes later,
        after the citizen has gone, is worse than one that failed and can be retried.
        """
        job = receipt_job(image, self._width)
        job_id = self.cups.submit(job, title="receipt", raw=True)
        self.last_job_id = job_id
        if not job_id or self.cups.wait_done(job_id, self.job_seconds):
            return
        state = self.cups.state()
        self.cups.cancel(job_id)
        if state in ("missing", "disabled"):
            raise PrinterError("offline", f"CUPS queue {self.cups.queue} stopped; job {job_id} cancelled")
        raise PrinterError("timeout", f"job {job_id} not sent in {self.job_seconds} s; cancelled")

    def __repr__(self) -> str:
        return f"CupsPrinter({self.cups.queue}, {self.paper_width_dots} dots)"
