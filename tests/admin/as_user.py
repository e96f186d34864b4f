"""Run a function as another (unprivileged) user, in a forked child, with real kernel permission checks.

The tests run as root, whom file modes do not stop; the terminal's app runs as the ``kiosk`` user,
whom they do. A forked child that drops to a test uid and gid sees the files exactly as that user
would (the venv's interpreter under /root cannot be executed by another user, so no new process).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
TEST_UID, TEST_GID = 4242, 4243  # the would-be kiosk user and group (need not exist in /etc/passwd)


@contextlib.contextmanager
def shared_dir() -> Iterator[Path]:
    """A temporary directory another user can reach (pytest's tmp_path sits below a 0700 directory)."""
    path = Path(tempfile.mkdtemp(prefix="kiosk-as-user-"))
    os.chmod(path, 0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


class ChildFailed(AssertionError):
    pass


def as_user(fn: Callable[[], T], uid: int = TEST_UID, gid: int = TEST_GID, groups: tuple[int, ...] = ()) -> T:
    """``fn()`` run as ``uid``:``gid`` (supplementary ``groups``); its result, or ChildFailed with the
    child's traceback. ``fn`` and its result must be picklable only on the way back."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 0
        try:
            os.close(read)
            os.setgroups(list(groups))
            os.setgid(gid)
            os.setuid(uid)
            try:
                payload: tuple[str, Any] = ("ok", fn())
            except BaseException:
                payload = ("error", traceback.format_exc())
            data = pickle.dumps(payload)
            while data:
                data = data[os.write(write, data) :]
        except BaseException:
            code = 3
        finally:
            os._exit(code)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not chunks:
        raise ChildFailed(f"child exited with {os.waitstatus_to_exitcode(status)}")
    kind, value = pickle.loads(b"".join(chunks))
    if kind != "ok":
        raise ChildFailed(value)
    return value
