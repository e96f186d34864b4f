"""Diagnostics against real parts: the reference server on 127.0.0.1, a private pcscd with virtual
cards (tests/support/pcsc.py), the fake TCP printer of the printer tests, and a real video file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import qrcode

from tests.printer.fake_printer import FakePrinter

QR_TEXT = "KIOSK-DIAG-TEST-VIDEO"


@pytest.fixture(scope="session")
def diag_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from kiosk.wiring.backend import start_embedded_refserver

    server = start_embedded_refserver(tmp_path_factory.mktemp("diag-refserver"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    printer = FakePrinter()
    try:
        yield printer
    finally:
        printer.close()


@pytest.fixture(scope="session")
def qr_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short MJPEG video of a QR code on a grey background, as a camera file source replays it."""
    path = tmp_path_factory.mktemp("camera") / "qr.avi"
    code = np.array(qrcode.make(QR_TEXT, border=2).convert("L").resize((300, 300)), dtype=np.uint8)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15, (640, 480))
    assert writer.isOpened()
    for i in range(30):
        frame = np.full((480, 640), 150 + (i % 5), dtype=np.uint8)
        frame[90:390, 170:470] = code
        writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    writer.release()
    return path
