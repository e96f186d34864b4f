"""Atomic file replacement that keeps the previous version.

write a temporary file beside the target, fsync it, keep the old file as ``<name>.bak``, rename the
temporary over the target, fsync the directory. A crash at any point leaves either the old or the
new file complete under the target's name — never a half-written configuration.

``like_existing``: the new file gets the old one's owner, group and mode (``kiosk admin set-pin``
run as root must leave secrets.toml root:kiosk 0640, readable by the app, not root:root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from pathlib import Path


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(
    path: Path,
    data: bytes,
    mode: int = 0o644,
    keep_backup: bool = True,
    *,
    like_existing: bool = False,
    owner: tuple[int, int] | None = None,
) -> None:
    """Replace ``path`` with ``data``. ``mode``/``owner`` for the new file (``owner``: uid, gid);
    ``like_existing`` takes both from the file being replaced, when there is one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if like_existing:
        try:
            old = os.stat(path)
            mode, owner = stat.S_IMODE(old.st_mode), (old.st_uid, old.st_gid)
        except FileNotFoundError:
            pass
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if owner is not None and owner != (os.geteuid(), os.getegid()):
                os.fchown(fd, *owner)
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        if keep_backup and path.exists():
            shutil.copy2(path, backup_path(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)
