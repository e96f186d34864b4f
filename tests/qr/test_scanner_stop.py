"""``QrScanner.stop()`` is exact: a decode already running when it returns is neither counted nor
reported (the controller rests the camera while a code is checked and counts on it)."""

from __future__ import annotations

import threading
from typing import Any

from drivers.camera.decoder import DecodedCode, QrDecoder
from drivers.camera.simulated import SimulatedCamera, SimulatedQrScanner
from tests.qr.conftest import Collector


class GatedDecoder(QrDecoder):
    """The real decoder, held at the door of its first decode until the test opens it, so that
    stop() is called while that decode is in flight — every time, not now and then."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()

    def decode(self, image: Any, *, thorough: bool | None = None) -> list[DecodedCode]:
        self.entered.set()
        assert self.release.wait(15)
        try:
            return super().decode(image, thorough=thorough)
        finally:
            self.finished.set()


def test_a_decode_in_flight_when_stop_returns_is_neither_counted_nor_reported(
    scanners: list, collector: Collector
) -> None:
    decoder = GatedDecoder()
    scanner = SimulatedQrScanner(SimulatedCamera(width=320, height=240, fps=30), decoder)
    scanners.append(scanner)
    scanner.show("LZ:in-flight-token-01")
    scanner.start(collector)
    assert decoder.entered.wait(15)  # the worker is inside its first decode
    thread = scanner._thread
    assert thread is not None
    scanner.stop()
    decoder.release.set()  # the decode finishes after stop() returned, and reads the code
    assert decoder.finished.wait(15)
    thread.join(15)
    assert not thread.is_alive()
    state = scanner.state()
    assert state.frames_decoded == 0
    assert state.last_decode_ms is None
    assert state.payloads_reported == 0 and collector.items == []


def test_decoding_counts_again_after_a_restart(scanners: list, collector: Collector) -> None:
    decoder = GatedDecoder()
    decoder.release.set()
    scanner = SimulatedQrScanner(SimulatedCamera(width=320, height=240, fps=30), decoder)
    scanners.append(scanner)
    scanner.show("LZ:in-flight-token-02")
    scanner.start(collector)
    assert collector.wait_for(1) == ["LZ:in-flight-token-02"]
    scanner.stop(wait=5.0)
    counted = scanner.state().frames_decoded
    assert counted >= 1
    scanner.start(collector)
    assert collector.wait_for(2)[1] == "LZ:in-flight-token-02"
    assert scanner.state().frames_decoded > counted
