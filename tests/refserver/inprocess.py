"""A real uvicorn server on 127.0.0.1 running in a thread of the test process.

For the few tests that must see inside the server while it answers real HTTP requests (in which
thread the body was hashed); everything else talks to the ``refserver serve`` subprocess.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from refserver.app import create_app
from refserver.auth import Guard
from refserver.store import Store, Terminal

TERMINAL = Terminal("LJ-ZZ-INPROC", "in-process-test-secret", (), 100_000)


@contextmanager
def serving(workdir: Path, guard_class: type[Guard] = Guard) -> Iterator[tuple[str, Guard]]:
    """Yield (base url, the server's guard); the store knows :data:`TERMINAL` and no records."""
    store = Store(workdir / "inproc.db")
    store.put_terminal(TERMINAL)
    guard = guard_class(store)
    app = create_app(store, guard=guard)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("in-process server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", guard
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        store.close()
