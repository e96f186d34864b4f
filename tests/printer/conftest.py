"""Fixtures: a fake ESC/POS printer on TCP, and a private cupsd with a cups-pdf A4 queue.

The private cupsd runs from a temporary directory, listens only on a Unix socket there, and is
started and stopped by PID. cups-pdf needs three things to work under it:

* it must run as root (backend file mode 0700 = "run as root"), so the tests run as root, as in CI;
* its output folder: cups-pdf reads ``/etc/cups/cups-pdf.conf`` (``Out ${HOME}/PDF``) and lets the
  queue's PPD override ``Out``, ``Log`` and ``Spool`` — but a PPD choice cannot contain "/" (it
  starts the translation string), so an absolute path arrives empty and cups-pdf crashes with
  SIGSEGV in ``create_dir("")``. A *relative* folder works: backends inherit cupsd's working
  directory, so cupsd is started with its cwd in the temp dir and the PPD says ``Out pdf-out``;
* the folders must exist beforehand (cups-pdf's ``create_dir`` also crashes on relative paths).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.printer.fake_printer import FakePrinter

CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    printer = FakePrinter()
    try:
        yield printer
    finally:
        printer.close()


@dataclass
class PrivateCups:
    root: Path
    socket: Path
    pid: int

    @property
    def server(self) -> str:
        return str(self.socket)

    @property
    def pdf_out(self) -> Path:
        return self.root / "pdf-out"

    def lpadmin(self, *args: str) -> None:
        done = subprocess.run(
            ["lpadmin", "-h", self.server, *args], capture_output=True, text=True, timeout=10, check=False
        )
        assert done.returncode == 0, done.stderr

    def wait_for_pdf(self, timeout: float = 30.0) -> Path:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pdfs = sorted(self.pdf_out.glob("*.pdf"))
            # cups-pdf writes the file through Ghostscript; wait until it is complete
            if pdfs and pdfs[-1].read_bytes().rstrip().endswith(b"%%EOF"):
                return pdfs[-1]
            time.sleep(0.1)
        log = (self.root / "log" / "error_log").read_text(errors="replace")[-3000:]
        raise AssertionError(f"no PDF from cups-pdf within {timeout} s; cupsd log tail:\n{log}")


def _cups_pdf_ppd(target: Path) -> None:
    ppd = CUPS_PDF_PPD.read_text(encoding="latin-1")
    for key, value in (("Out", "pdf-out"), ("Log", "pdf-log"), ("Spool", "pdf-spool"), ("LogType", "3")):
        ppd += f'\n*OpenUI *{key}/{key}: PickOne\n*Default{key}: {value}\n*{key} {value}/{key}: ""\n'
        ppd += f"*CloseUI: *{key}\n"
    target.write_text(ppd, encoding="latin-1")


@pytest.fixture(scope="module")
def private_cups() -> Iterator[PrivateCups]:
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    root.chmod(0o755)  # filters run as the cups user "lp" and must reach the spool
    for sub in ("conf", "spool", "spool/tmp", "cache", "state", "log", "pdf-out", "pdf-log", "pdf-spool"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "pdf-out").chmod(0o777)
    sock = root / "cups.sock"
    (root / "conf" / "cupsd.conf").write_text(
        f"Listen {sock}\nLogLevel info\nWebInterface No\nBrowsing Off\nDefaultAuthType None\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    (root / "conf" / "cups-files.conf").write_text(
        f"ServerRoot {root}/conf\nRequestRoot {root}/spool\nTempDir {root}/spool/tmp\n"
        f"CacheDir {root}/cache\nStateDir {root}/state\nAccessLog {root}/log/access_log\n"
        f"ErrorLog {root}/log/error_log\nPageLog {root}/log/page_log\n"
        "ServerBin /usr/lib/cups\nDataDir /usr/share/cups\nFileDevice No\n"
    )
    _cups_pdf_ppd(root / "cups-pdf.ppd")
    conf = root / "conf"
    console = (root / "log" / "cupsd.out").open("wb")
    proc = subprocess.Popen(
        ["cupsd", "-f", "-c", str(conf / "cupsd.conf"), "-s", str(conf / "cups-files.conf")],
        cwd=root,  # cups-pdf's relative output folder is resolved from here
        stdout=console,
        stderr=subprocess.STDOUT,
    )
    cups = PrivateCups(root=root, socket=sock, pid=proc.pid)
    try:
        deadline = time.monotonic() + 10
        while not sock.exists():
            if proc.poll() is not None:
                raise AssertionError(f"cupsd exited: {(root / 'log' / 'cupsd.out').read_text()}")
            if time.monotonic() > deadline:
                raise AssertionError("cupsd did not open its socket in 10 s")
            time.sleep(0.02)
        cups.lpadmin("-p", "A4", "-E", "-v", "cups-pdf:/", "-P", str(root / "cups-pdf.ppd"))
        yield cups
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        console.close()
        shutil.rmtree(root, ignore_errors=True)
