"""A simulated A4 printer for demo mode: takes the 加注件 PDF the way a CUPS queue would, in memory.

Demo mode has no CUPS queue, yet a presenter must be able to show 打印加注件 end to end and see the
paper. This printer takes the same ``submit(data, title, raw=False) -> job id`` call as
:class:`drivers.printer.cups.CupsQueue`; it takes a job only once the PDF's first page has really
been rasterised (poppler's ``pdftoppm``, which the tests read PDFs back with too), so the terminal
never says 已打印 for a document no printer could have printed. Nothing touches the disk: the PDF goes
to ``pdftoppm`` on its stdin and the PNG comes back on its stdout (a 加注件 carries a citizen's face
of the certificate). The last jobs are kept for the demo controls (``last_pdf``, ``last_preview``).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field

from PIL import Image, UnidentifiedImageError

from drivers.printer.types import PrinterError

MAX_PDF_BYTES = 50_000_000  # a one-page 加注件 is ~0.5 MB; anything near this is not one
RENDER_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class A4Job:
    """One job as the simulated printer took it: its id, title, the PDF and page one as an image."""

    job_id: str
    title: str
    pdf: bytes = field(repr=False)
    preview: Image.Image = field(repr=False)


def render_first_page(pdf: bytes, dpi: int = 150, timeout: float = RENDER_TIMEOUT_S) -> Image.Image:
    """Page one of ``pdf`` as an RGB image, through ``pdftoppm`` on pipes (no file written).

    Raises :class:`PrinterError` (``io``) for anything that is not a PDF poppler can draw, and
    ``timeout`` when it takes longer than ``timeout`` seconds.
    """
    if not pdf.startswith(b"%PDF-"):
        raise PrinterError("io", "not a PDF document")
    if len(pdf) > MAX_PDF_BYTES:
        raise PrinterError("io", f"PDF of {len(pdf)} bytes is over {MAX_PDF_BYTES}")
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise PrinterError("offline", "pdftoppm not found: install the Debian package poppler-utils")
    cmd = [tool, "-f", "1", "-l", "1", "-r", str(dpi), "-png", "-singlefile", "-"]  # no root: stdout
    try:
        done = subprocess.run(cmd, input=pdf, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PrinterError("timeout", f"pdftoppm did not finish in {timeout} s") from exc
    except OSError as exc:
        raise PrinterError("io", str(exc)) from exc
    if done.returncode != 0 or not done.stdout:
        detail = done.stderr.decode("utf-8", "replace").strip()[:200]
        raise PrinterError("io", f"pdftoppm could not draw the PDF: {detail or done.returncode}")
    try:
        image = Image.open(io.BytesIO(done.stdout))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise PrinterError("io", f"pdftoppm gave no image: {exc}") from exc
    return image.convert("RGB")


class SimulatedA4Printer:
    """An A4 queue (``kiosk.receipt.a4.A4Queue`` by shape) that prints into memory. Thread-safe."""

    kind = "simulated-a4"

    def __init__(self, preview_dpi: int = 150, print_seconds: float = 0.0, max_kept: int = 5) -> None:
        self._lock = threading.Lock()
        self._online = True
        self._paper_out = False
        self._preview_dpi = preview_dpi
        self._print_seconds = print_seconds
        self._max_kept = max_kept
        self._count = 0
        self.jobs: list[A4Job] = []

    # ------------------------------------------------------------------ control (demo / tests)
    def set_online(self, online: bool) -> None:
        with self._lock:
            self._online = bool(online)

    def set_paper_out(self, out: bool) -> None:
        with self._lock:
            self._paper_out = bool(out)

    @property
    def last_job(self) -> A4Job | None:
        with self._lock:
            return self.jobs[-1] if self.jobs else None

    @property
    def last_pdf(self) -> bytes | None:
        job = self.last_job
        return job.pdf if job else None

    @property
    def last_preview(self) -> Image.Image | None:
        job = self.last_job
        return job.preview if job else None

    def clear(self) -> None:
        """Forget every kept job (the demo presenter's 'take the paper away')."""
        with self._lock:
            self.jobs.clear()

    # ------------------------------------------------------------------ A4Queue (as CupsQueue)
    def state(self) -> str:
        """``idle`` | ``disabled`` (paper out) | ``missing`` (offline), as :meth:`CupsQueue.state`."""
        with self._lock:
            if not self._online:
                return "missing"
            return "disabled" if self._paper_out else "idle"

    def submit(self, data: bytes, title: str, raw: bool = False) -> str:
        """Take the PDF: returns a job id only after page one was drawn and the job kept."""
        with self._lock:
            online, paper_out = self._online, self._paper_out
        if not online:
            raise PrinterError("offline", "simulated A4 printer is offline")
        if paper_out:
            raise PrinterError("paper_out", "simulated A4 printer is out of paper")
        if raw:
            raise PrinterError("io", "the A4 printer takes PDF documents, not raw bytes")
        preview = render_first_page(data, self._preview_dpi)
        if self._print_seconds:
            time.sleep(self._print_seconds)
        with self._lock:
            self._count += 1
            job = A4Job(f"simulated-a4-{self._count}", title, bytes(data), preview)
            self.jobs.append(job)
            del self.jobs[: -self._max_kept]
        return job.job_id

    def job_done(self, job_id: str) -> bool:
        """True for a job this printer took: it is printed by the time :meth:`submit` returns."""
        with self._lock:
            return job_id.startswith("simulated-a4-") and _number(job_id) <= self._count

    def wait_done(self, job_id: str, seconds: float) -> bool:
        return self.job_done(job_id)

    def cancel(self, job_id: str) -> None:
        """Nothing to cancel: a job is only taken once it is printed."""

    def __repr__(self) -> str:
        return f"SimulatedA4Printer(printed={self._count}, online={self._online})"


def _number(job_id: str) -> int:
    tail = job_id.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 1 << 62
