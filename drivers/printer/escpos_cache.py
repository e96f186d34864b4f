"""Where python-escpos keeps its parsed printer database: a cache folder of our own, not /tmp.

WHY: python-escpos 3.1 parses its 1.6 MB capabilities YAML when ``escpos.capabilities`` is first
imported (about 0.3 s) and pickles the result into ``$ESCPOS_CAPABILITIES_PICKLE_DIR``, else into a
folder from ``mkdtemp()`` — a new one every process, never removed: a terminal restarted by its
watchdog, the CLI and every test left a ``/tmp/tmp*`` folder each and parsed the YAML every time.
It also calls ``mkdtemp()`` when the variable IS set (the call is the default argument of
``environ.get``), so setting it is not enough.

:func:`prepare` (called by ``drivers.printer`` before any of its modules imports python-escpos)
points the variable at ``$XDG_CACHE_HOME/kiosk/escpos`` (``~/.cache``; the systemd unit sets
``XDG_CACHE_HOME=/var/cache/kiosk``), a folder only this user can write — the pickle there is loaded
with ``pickle.load`` — and imports the module with that one ``mkdtemp()`` call answered by the
folder instead of a new one. A caller's own ``ESCPOS_CAPABILITIES_PICKLE_DIR`` wins. Where no cache
folder can be had (a read-only home), a private temporary folder is used and removed at exit. A
damaged pickle (python-escpos writes it in place, so a kill or power cut mid-write leaves it empty) is
dropped and rebuilt instead of failing every start.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

VARIABLE = "ESCPOS_CAPABILITIES_PICKLE_DIR"
_lock = threading.Lock()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kiosk" / "escpos"


def _private_folder(path: Path) -> bool:
    """Create ``path`` (mode 700) if needed; True if it is a real folder of ours that only we write."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(st.st_mode)
        and st.st_uid == os.getuid()
        and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        and os.access(path, os.W_OK)
    )


def _pickle_dir() -> str:
    given = os.environ.get(VARIABLE)
    if given:
        return given
    folder = cache_dir()
    if _private_folder(folder):
        return str(folder)
    private = tempfile.mkdtemp(prefix="kiosk-escpos-")
    atexit.register(shutil.rmtree, private, ignore_errors=True)
    return private


def prepare() -> str:
    """Import ``escpos.capabilities`` with its pickle in our folder (once); returns the folder."""
    with _lock:
        if "escpos.capabilities" in sys.modules:
            return os.environ.get(VARIABLE, "")
        folder = _pickle_dir()
        os.environ[VARIABLE] = folder
        real: Callable[..., str] = tempfile.mkdtemp
        importer = threading.get_ident()

        def no_new_folder(*args: Any, **kwargs: Any) -> str:
            # only python-escpos's own argument-less call, from this thread, during this import
            if threading.get_ident() == importer and not args and not kwargs:
                return folder
            return real(*args, **kwargs)

        tempfile.mkdtemp = no_new_folder  # type: ignore[assignment]
        try:
            try:
                import escpos.capabilities  # the import is the point
            except Exception:
                # A damaged pickle: python-escpos opens it for writing BEFORE it parses the YAML, and
                # never atomically, so a process killed (watchdog, SIGKILL) or a power cut during a
                # first start leaves it empty or cut, and then every start died in pickle.load
                # (found by the VM test's hard reset). The parsed database is only a cache: drop it
                # and import again, which parses the YAML and writes it anew.
                sys.modules.pop("escpos.capabilities", None)
                for damaged in Path(folder).glob("*.capabilities.pickle"):
                    damaged.unlink(missing_ok=True)
                import escpos.capabilities  # noqa: F401
        finally:
            tempfile.mkdtemp = real  # type: ignore[assignment]
        return folder
