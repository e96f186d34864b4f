"""Debian's Prometheus binaries (``promtool``, ``prometheus``) for the monitoring tests, fetched on demand.

Why not ``apt-get install prometheus``: on a systemd machine the package's postinst enables and
starts a Prometheus daemon (port 9090, a TSDB under /var/lib/prometheus) that would keep running on
every developer's machine after the tests; a policy-rc.d that denies the start, or stopping and
disabling it afterwards, are system-wide changes to undo. The tests need two static binaries, not a
service: ``apt-get download`` fetches the very .deb that apt would install (same archive, same
signature checks on the index), as an ordinary user and without root, and ``dpkg-deb -x`` unpacks it
into a cache outside the repository (``$XDG_CACHE_HOME/kiosk/prometheus/<package version>/``).
Nothing is installed, nothing starts; the next run reuses the cache. ``KIOSK_PROMETHEUS_BIN`` may
name a directory holding both binaries instead (an installed package: ``/usr/bin``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PACKAGE = "prometheus"
BINARIES = ("promtool", "prometheus")


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / PACKAGE


def _complete(folder: Path) -> bool:
    return all(os.access(folder / name, os.X_OK) for name in BINARIES)


def prometheus_bin_dir() -> Path:
    """A folder holding ``promtool`` and ``prometheus`` from Debian's package (downloaded once)."""
    override = os.environ.get("KIOSK_PROMETHEUS_BIN")
    if override:
        folder = Path(override)
        if not _complete(folder):
            raise RuntimeError(f"KIOSK_PROMETHEUS_BIN={override} lacks {' or '.join(BINARIES)}")
        return folder
    root = cache_root()
    cached = sorted(p / "usr" / "bin" for p in root.glob("*") if _complete(p / "usr" / "bin"))
    if cached:
        return cached[-1]
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} not found: the monitoring tests take promtool from Debian's package")
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".download-") as tmp:
        done = subprocess.run(
            ["apt-get", "download", "-q", PACKAGE], cwd=tmp, capture_output=True, text=True, timeout=600
        )
        debs = list(Path(tmp).glob(f"{PACKAGE}_*.deb"))
        if done.returncode != 0 or len(debs) != 1:
            raise RuntimeError(
                f"apt-get download {PACKAGE} failed ({done.returncode}); run 'apt-get update' first?\n"
                + done.stderr[-2000:]
            )
        version = debs[0].name.removeprefix(f"{PACKAGE}_").removesuffix(".deb")
        unpacked = Path(tmp) / "root"
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(unpacked)], check=True, timeout=300)
        target = root / version
        if not _complete(target / "usr" / "bin"):  # another run may have finished first
            shutil.rmtree(target, ignore_errors=True)
            unpacked.rename(target)  # same file system: atomic, never a half-unpacked cache
    return target / "usr" / "bin"
