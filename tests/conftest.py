"""Test-wide set-up: Kivy must be told to stay quiet and offscreen before anything imports it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.pcsc import CardSlot, PcscDaemon
    from tests.support.ui import UiHarness

_KIVY_HOME = tempfile.mkdtemp(prefix="kiosk-test-kivy-")
atexit.register(shutil.rmtree, _KIVY_HOME, True)  # each pytest process (fresh-window ones too) its own
os.environ.update(
    KIVY_NO_ARGS="1",
    KIVY_NO_CONSOLELOG="1",
    KIVY_NO_FILELOG="1",
    KIVY_HOME=_KIVY_HOME,
    KIVY_METRICS_DENSITY="1",
    SDL_AUDIODRIVER=os.environ.get("SDL_AUDIODRIVER", "dummy"),
)
os.environ.pop("DISPLAY", None)
os.environ.pop("WAYLAND_DISPLAY", None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the UI tests with another window size (``@pytest.mark.window``) last.

    Each of them runs in a fresh process (``pytest_pyfunc_call`` below) when this process already
    has a window of another size; grouping them at the end keeps the shared window for the rest.
    """
    items.sort(key=lambda item: item.get_closest_marker("window") is not None)


_FRESH_PROCESS = "KIOSK_TEST_FRESH_WINDOW"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run a UI test in a fresh pytest process when its window size differs from this process's.

    SDL's offscreen window draws into a surface of the size it was created with, for the life of the
    process (see tests/support/ui.py). A landscape test after portrait ones would lay out right
    and screenshot garbage beyond x=1080, so it gets its own process, with its own window.
    """
    if "ui" not in pyfuncitem.fixturenames or os.environ.get(_FRESH_PROCESS):
        return None
    from tests.support.ui import DEFAULT_WINDOW, window_created_size

    marker = pyfuncitem.get_closest_marker("window")
    wanted = (int(marker.args[0]), int(marker.args[1])) if marker else DEFAULT_WINDOW
    created = window_created_size()
    if created is None or created == wanted:
        return None
    import subprocess
    import sys

    root = Path(pyfuncitem.config.rootpath)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", pyfuncitem.nodeid],
        cwd=root,
        env={**os.environ, _FRESH_PROCESS: "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(done.stdout[-4000:])
    if done.returncode != 0:
        pytest.fail(
            f"{pyfuncitem.nodeid} failed in its own process (window {wanted[0]}×{wanted[1]}):\n"
            + done.stdout[-6000:]
            + done.stderr[-2000:],
            pytrace=False,
        )
    return True


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One real reference server on 127.0.0.1 for every UI test of the run (test endpoints on, so a
    test can look at what the server received)."""
    from kiosk.wiring.backend import start_embedded_refserver

    server = start_embedded_refserver(
        tmp_path_factory.mktemp("ui-refserver"), faults=True, rate_per_minute=100_000
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ui(ui_server: object, tmp_path: Path, request: pytest.FixtureRequest) -> UiHarness:
    """The real app offscreen; screenshots go to artifacts/<test folder>/."""
    from tests.support.artifacts import artifacts_dir
    from tests.support.ui import UiHarness

    return UiHarness(ui_server, tmp_path, artifacts_dir() / request.path.parent.name)


@pytest.fixture(scope="session")
def pcscd() -> Iterator[PcscDaemon]:
    """One real ``pcscd --foreground`` with vsmartcard-vpcd for the whole run (card and diagnostics
    tests), started and stopped by PID: a second daemon cannot run beside it."""
    from tests.support.pcsc import PcscDaemon

    daemon = PcscDaemon()
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def card_slot(pcscd: PcscDaemon) -> Iterator[CardSlot]:
    """Insert virtual cards into ``Virtual PCD 00 00``; a card left in is removed afterwards and the
    test ends only when pcscd reports the reader empty (so the next test starts clean)."""
    from tests.support.pcsc import CardSlot

    slot = CardSlot()
    try:
        yield slot
    finally:
        slot.clear()
