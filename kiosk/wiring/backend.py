"""Build the backend client from configuration, and run the reference server for demo mode.

The kiosk never imports ``refserver``: the embedded demo backend is the separate program started as
a subprocess (``python -m refserver serve``) on a free loopback port with a temporary database, a
fresh random terminal secret, and the demo issuer's public key read back from the server's
info file. ``kiosk demo`` and the tests use :func:`start_embedded_refserver`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

import kiosk
from kiosk.backend.client import HttpBackend
from kiosk.ports import BackendPort
from kiosk.settings.backend import BackendConfig

DEMO_TERMINAL_ID = "LJ-ZZ-DEMO"
# the embedded reference server runs this much nicer than the app (see start_embedded_refserver)
EMBEDDED_SERVER_NICE = 10


def build_backend(config: Any) -> BackendPort:
    """The backend client for a :class:`kiosk.settings.KioskConfig`, on its own loop and thread
    (:mod:`kiosk.backend.loop_thread`: its work stays out of the screen's frames); starts the
    signature verifier process now, so the first citizen's list does not wait for it."""
    from kiosk.backend.loop_thread import BackendOnOwnLoop
    from kiosk.backend.verifier import warm_up

    warm_up()
    return BackendOnOwnLoop(HttpBackend.from_config(config))


class EmbeddedServerError(RuntimeError):
    """The reference server did not start (the message carries the end of its log)."""


@dataclass
class EmbeddedServer:
    """A running reference server subprocess and what a client needs to talk to it."""

    url: str
    terminal_id: str
    secret: str = field(repr=False)
    issuer_keys: dict[str, str]
    process: subprocess.Popen[bytes] = field(repr=False)
    db_path: Path
    log_path: Path
    # the demo seal CA of the server's OFD files (PEM): demo mode's [trust] ofd_seal_anchors
    ofd_anchors: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def backend_config(self, **overrides: Any) -> BackendConfig:
        """A backend configuration section pointing at this server (overrides win)."""
        values: dict[str, Any] = {
            "url": self.url,
            "verify_tls": True,
            "terminal_secret": self.secret,
            "issuer_keys": dict(self.issuer_keys),
        }
        values.update(overrides)
        return BackendConfig(**values)

    def client(self, terminal_id: str | None = None, **overrides: Any) -> HttpBackend:
        return HttpBackend(self.backend_config(**overrides), terminal_id or self.terminal_id)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the server (SIGTERM, then SIGKILL) — only this process, by its pid."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        if self.process.stdin is not None:
            self.process.stdin.close()

    def __enter__(self) -> EmbeddedServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def start_embedded_refserver(
    workdir: Path,
    terminal_id: str = DEMO_TERMINAL_ID,
    *,
    faults: bool = False,
    extra_terminals: list[dict[str, Any]] | None = None,
    rate_per_minute: int = 600,
    start_timeout: float = 20.0,
    tls: tuple[Path, Path] | None = None,
) -> EmbeddedServer:
    """Start ``python -m refserver serve`` on 127.0.0.1 (free port), seeded, and wait for health.

    The same as ``spawn_embedded_refserver(...).wait(start_timeout)``; see there for the arguments.
    """
    pending = spawn_embedded_refserver(
        workdir,
        terminal_id,
        faults=faults,
        extra_terminals=extra_terminals,
        rate_per_minute=rate_per_minute,
        tls=tls,
    )
    return pending.wait(start_timeout)


@dataclass
class PendingServer:
    """A reference server process that is starting (and seeding): :meth:`wait` for it.

    WHY separate: ``kiosk demo`` starts the server first and waits for it only when the kiosk
    needs its address, so that the server's start (imports, seeding with real signatures) runs
    on the other core while the kiosk starts, instead of before it (1.1 s of the demo's start).
    """

    process: subprocess.Popen[bytes] = field(repr=False)
    terminal_id: str
    secret: str = field(repr=False)
    info_file: Path
    db_path: Path
    log_path: Path

    def wait(self, timeout: float = 20.0, *, healthy: bool = True) -> EmbeddedServer:
        """Wait until it answers /v1/health; on failure or interruption the process is killed.

        ``healthy=False`` waits only for its info file, written once its socket listens and
        before it seeds: requests sent then wait in the listen queue until it answers them.
        """
        process = self.process
        try:
            if healthy:
                info = _wait_until_healthy(process, self.info_file, self.log_path, timeout)
            else:
                info = _wait_for_info(process, self.info_file, self.log_path, timeout)
        except BaseException:
            self.stop()
            raise
        return EmbeddedServer(
            url=info["url"],
            terminal_id=self.terminal_id,
            secret=self.secret,
            issuer_keys=dict(info["issuer_keys"]),
            process=process,
            db_path=self.db_path,
            log_path=self.log_path,
            ofd_anchors=[str(a) for a in info.get("ofd_anchors", [])],
        )

    def stop(self) -> None:
        """Kill it (it never served anyone), by its pid."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        if self.process.stdin is not None:
            self.process.stdin.close()


def spawn_embedded_refserver(
    workdir: Path,
    terminal_id: str = DEMO_TERMINAL_ID,
    *,
    faults: bool = False,
    extra_terminals: list[dict[str, Any]] | None = None,
    rate_per_minute: int = 600,
    tls: tuple[Path, Path] | None = None,
) -> PendingServer:
    """Start ``python -m refserver serve`` on 127.0.0.1 (free port), seeded; returns at once.

    ``workdir`` receives the temporary database, the terminals file (mode 600) and the server log.
    ``extra_terminals`` adds terminals (``{"id", "secret", "allowed_types"?, "rate_per_minute"?}``),
    e.g. a restricted one for tests. ``faults`` enables the test-only fault injection endpoints.
    ``tls`` = (certificate, key) PEM files serves HTTPS (the health wait then trusts any
    certificate: it only asks whether the process is up; the client under test verifies).
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    terminals = [
        {"id": terminal_id, "secret": secret, "allowed_types": [], "rate_per_minute": rate_per_minute}
    ]
    terminals += list(extra_terminals or [])
    terminals_file = workdir / "refserver-terminals.json"
    _write_private(terminals_file, json.dumps(terminals))
    info_file = workdir / "refserver-info.json"
    info_file.unlink(missing_ok=True)
    db_path = workdir / "refserver.db"
    log_path = workdir / "refserver.log"
    cmd = [
        sys.executable,
        "-m",
        "refserver",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--db",
        str(db_path),
        "--seed",
        "--terminals",
        str(terminals_file),
        "--info-file",
        str(info_file),
        # its standard input is a pipe from this process: when this process ends, even killed
        # with SIGKILL, the pipe closes and the server shuts down instead of lingering
        "--stop-when-stdin-closes",
    ]
    if faults:
        cmd.append("--faults")
    if tls is not None:
        cmd += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
    env = dict(os.environ)
    root = str(Path(kiosk.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.PIPE, env=env)
    # below the terminal's priority: it stands in for a backend on another machine, and its
    # pure-Python SM2 signing must not take the CPU the screen needs (the demo, the soak)
    with contextlib.suppress(OSError):
        nicer = min(19, os.getpriority(os.PRIO_PROCESS, 0) + EMBEDDED_SERVER_NICE)
        os.setpriority(os.PRIO_PROCESS, process.pid, nicer)
    return PendingServer(process, terminal_id, secret, info_file, db_path, log_path)


def _wait_for_info(process: subprocess.Popen[bytes], info_file: Path, log_path: Path, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise EmbeddedServerError(f"reference server exited with {process.returncode}:\n{tail}")
        if info_file.is_file():
            return json.loads(info_file.read_text(encoding="utf-8"))
        time.sleep(0.01)
    raise EmbeddedServerError(f"reference server wrote no info file within {timeout:.0f} s")


def _wait_until_healthy(
    process: subprocess.Popen[bytes], info_file: Path, log_path: Path, timeout: float
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    info: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise EmbeddedServerError(f"reference server exited with {process.returncode}:\n{tail}")
        if info is None and info_file.is_file():
            info = json.loads(info_file.read_text(encoding="utf-8"))
        if info is not None:
            try:
                r = httpx.get(info["url"] + "/v1/health", timeout=1.0, trust_env=False, verify=False)
                if r.status_code == 200:
                    return info
            except httpx.HTTPError:
                pass
        time.sleep(0.05)
    raise EmbeddedServerError(f"reference server did not answer /v1/health within {timeout:.0f} s")
