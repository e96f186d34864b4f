"""Debian's Prometheus binaries (``promtool``, ``prometheus``) for the monitoring tests, fetched on demand.

Why not ``apt-get install prometheus``: on a systemd machine the package's postinst enables and
starts a Prometheus daemon (port 9090, a TSDB under /var/lib/prometheus) that would keep running on
every developer's machine after the tests; a policy-rc.d that denies the start, or stopping and
disabling it afterwards, are system-wide changes to undo. The tests need two static binaries, not a
service: ``apt-get download`` fetches the very .deb that apt would install (same archive, same
signature checks on the index), as an ordinary user and without root, and ``dpkg-deb -x`` unpacks it
into a cache outside the repository (``$XDG_CACHE_HOME/kiosk/<package>/<package version>/``).
Nothing is installed, nothing starts; the next run reuses the cache. The same for
``prometheus-alertmanager`` (``amtool`` checks the Alertmanager example, whose daemon would also
start on install). ``KIOSK_PROMETHEUS_BIN`` may name a directory holding the binaries instead (the
installed packages: ``/usr/bin``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PROMETHEUS = ("prometheus", ("promtool", "prometheus"))
ALERTMANAGER = ("prometheus-alertmanager", ("amtool", "prometheus-alertmanager"))


def cache_root(package: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / package


def _complete(folder: Path, binaries: tuple[str, ...]) -> bool:
    return all(os.access(folder / name, os.X_OK) for name in binaries)


def prometheus_bin_dir() -> Path:
    """A folder holding ``promtool`` and ``prometheus`` from Debian's package (downloaded once)."""
    return debian_bin_dir(*PROMETHEUS)


def alertmanager_bin_dir() -> Path:
    """A folder holding ``amtool`` and ``prometheus-alertmanager`` (downloaded once)."""
    return debian_bin_dir(*ALERTMANAGER)


def debian_bin_dir(package: str, binaries: tuple[str, ...]) -> Path:
    """``usr/bin`` of ``package``'s .deb, unpacked into the cache (``KIOSK_PROMETHEUS_BIN`` wins)."""
    override = os.environ.get("KIOSK_PROMETHEUS_BIN")
    if override and _complete(Path(override), binaries):
        return Path(override)
    root = cache_root(package)
    cached = sorted(p / "usr" / "bin" for p in root.glob("*") if _complete(p / "usr" / "bin", binaries))
    if cached:
        return cached[-1]
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} not found: the monitoring tests take {package} from Debian's package")
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".download-") as tmp:
        done = subprocess.run(
            ["apt-get", "download", "-q", package], cwd=tmp, capture_output=True, text=True, timeout=600
        )
        debs = list(Path(tmp).glob(f"{package}_*.deb"))
        if done.returncode != 0 or len(debs) != 1:
            raise RuntimeError(
                f"apt-get download {package} failed ({done.returncode}); run 'apt-get update' first?\n"
                + done.stderr[-2000:]
            )
        version = debs[0].name.removeprefix(f"{package}_").removesuffix(".deb")
        unpacked = Path(tmp) / "root"
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(unpacked)], check=True, timeout=300)
        target = root / version
        if not _complete(target / "usr" / "bin", binaries):  # another run may have finished first
            shutil.rmtree(target, ignore_errors=True)
            unpacked.rename(target)  # same file system: atomic, never a half-unpacked cache
    return target / "usr" / "bin"


# Debian's Alertmanager reads its default templates from /usr/share/prometheus/alertmanager, a path
# built into the binary. The unpacked package is shown there in a private mount namespace of the
# Alertmanager process alone (unshare: a user namespace, so no root is needed): /usr/share becomes a
# tmpfs holding only the time zones (time_intervals use them) and the package's own folder.
_SHOW_SHARE = (
    'share=$1 keep=$2; shift 2; mount --rbind /usr/share "$keep" && mount -t tmpfs tmpfs /usr/share'
    " && mkdir /usr/share/zoneinfo /usr/share/prometheus"
    ' && mount --rbind "$keep/zoneinfo" /usr/share/zoneinfo'
    ' && mount --bind "$share" /usr/share/prometheus && exec "$@"'
)
DEFAULT_TEMPLATES = Path("/usr/share/prometheus/alertmanager/default.tmpl")


def alertmanager_command(args: list[str], scratch: Path) -> list[str]:
    """The command that runs the unpacked ``prometheus-alertmanager`` with ``args``; ``scratch`` is an
    empty folder for the mount namespace's use."""
    bin_dir = alertmanager_bin_dir()
    daemon = [str(bin_dir / "prometheus-alertmanager"), *args]
    if DEFAULT_TEMPLATES.is_file():  # the package is installed: its templates are in place
        return daemon
    share = bin_dir.parent / "share" / "prometheus"
    scratch.mkdir(parents=True, exist_ok=True)
    unshare = ["unshare", "--user", "--map-root-user", "--mount"]
    return [*unshare, "sh", "-c", _SHOW_SHARE, "sh", str(share), str(scratch), *daemon]
