"""The simulated camera's code goes through the real capture thread and the real decoder."""

from __future__ import annotations

import os
from typing import Any

from drivers.camera.simulated import SimulatedCamera, SimulatedQrScanner
from kiosk.ports import QrScannerPort
from kiosk.settings.camera import CameraConfig
from kiosk.thread_priority import BACKGROUND_NICE
from kiosk.wiring.camera import build_qr_scanner
from tests.qr.conftest import Collector, wait_until


def test_wiring_builds_a_port_satisfying_simulated_scanner(scanners: list, collector: Collector) -> None:
    scanner = build_qr_scanner(CameraConfig(kind="simulated", width=640, height=480))
    assert isinstance(scanner, QrScannerPort)
    assert isinstance(scanner, SimulatedQrScanner)
    scanners.append(scanner)
    scanner.start(collector)
    scanner.show("LZ:Demo-Token_0123456789")
    assert collector.wait_for(1) == ["LZ:Demo-Token_0123456789"]
    frame = scanner.preview()
    assert frame is not None
    assert (frame.width, frame.height) == (640, 480)
    assert len(frame.rgb) == 640 * 480 * 3
    assert scanner.health() == "ok"


def test_held_code_reported_once_and_again_after_it_left(scanners: list, collector: Collector) -> None:
    camera = SimulatedCamera(width=480, height=360, fps=30)
    scanner = SimulatedQrScanner(camera, forget_after=0.4)
    scanners.append(scanner)
    scanner.start(collector)
    scanner.show("https://lz.gxzf.example/t/AbCdEf0123456789")
    assert collector.wait_for(1) == ["https://lz.gxzf.example/t/AbCdEf0123456789"]
    decoded_before = scanner.state().frames_decoded
    assert wait_until(lambda: scanner.state().frames_decoded >= decoded_before + 10)
    assert len(collector.items) == 1  # held in front of the camera: still reported once
    scanner.clear()
    assert wait_until(lambda: scanner.state().frames_decoded >= decoded_before + 30)
    scanner.show("https://lz.gxzf.example/t/AbCdEf0123456789")
    assert collector.wait_for(2) == ["https://lz.gxzf.example/t/AbCdEf0123456789"] * 2
    scanner.show("LZ:another-token-42")
    assert collector.wait_for(3)[2] == "LZ:another-token-42"


def test_stop_releases_and_restart_works(scanners: list, collector: Collector) -> None:
    scanner = SimulatedQrScanner(SimulatedCamera(width=320, height=240, fps=30))
    scanners.append(scanner)
    scanner.start(collector)
    scanner.show("LZ:first-token-000")
    assert collector.wait_for(1) == ["LZ:first-token-000"]
    scanner.stop()
    assert scanner.health() == "unknown"
    scanner.start(collector)
    assert collector.wait_for(2)[1] == "LZ:first-token-000"  # a new session sees the code afresh


def test_long_payload_is_shrunk_to_fit_and_an_impossible_one_is_not_fatal(
    scanners: list, collector: Collector
) -> None:
    scanner = SimulatedQrScanner(SimulatedCamera(width=1280, height=720, fps=15), forget_after=0.3)
    scanners.append(scanner)
    scanner.start(collector)
    scanner.show("x" * 5000)  # more than any QR code holds: an empty counter, still streaming
    decoded = scanner.state().frames_decoded
    assert wait_until(lambda: scanner.state().frames_decoded > decoded + 5)
    assert scanner.health() == "ok" and collector.items == []
    long_text = "https://lz.gxzf.example/t/" + "AbCdEf0123_-" * 60  # ~750 characters, version 17
    scanner.show(long_text)
    assert collector.wait_for(1, timeout=20) == [long_text]


def test_preview_is_scaled_down_by_the_worker_and_dropped_on_stop(
    scanners: list, collector: Collector
) -> None:
    scanner = SimulatedQrScanner(SimulatedCamera(width=1280, height=720, fps=15))
    scanners.append(scanner)
    scanner.start(collector)
    assert wait_until(lambda: scanner.state().frames_decoded >= 2)
    frame = scanner.preview()  # the UI thread uploads 640×360, not the camera's 1280×720
    assert frame is not None and (frame.width, frame.height) == (640, 360)
    assert len(frame.rgb) == 640 * 360 * 3
    scanner.stop(wait=5)
    assert scanner._preview is None  # the next citizen never sees this one's last frame


def test_the_worker_scales_previews_only_while_someone_looks(scanners: list, collector: Collector) -> None:
    """Only the diagnostics page shows the camera's picture: scaling every frame for nobody was a
    third of the camera's CPU on the resting home page (issue 21)."""
    scanner = SimulatedQrScanner(SimulatedCamera(width=1280, height=720, fps=15))
    scanners.append(scanner)
    scanner.start(collector)
    assert wait_until(lambda: scanner.state().frames_decoded >= 5)
    assert scanner._preview is None  # decoded, but nobody asked to see them
    assert scanner.preview() is not None  # the diagnostics page opens the preview
    decoded = scanner.state().frames_decoded
    assert wait_until(lambda: scanner.state().frames_decoded >= decoded + 3)
    assert scanner._preview is not None  # now the worker makes them, off the UI thread


def test_showing_a_code_never_waits_for_a_frame_being_rendered(scanners: list, collector: Collector) -> None:
    """show() and clear() run on the UI loop (demo keys, scripted sessions): they must not wait for
    the camera thread's render of the scene; the new code is in the frames after that render."""
    import threading

    rendering, release = threading.Event(), threading.Event()

    class HeldCamera(SimulatedCamera):
        def _render(self, text: str | None) -> Any:
            if text == "LZ:first":
                rendering.set()
                release.wait(15)  # the camera thread is in the middle of a render
            return super()._render(text)

    camera = HeldCamera(width=480, height=360, fps=30)
    scanner = SimulatedQrScanner(camera, forget_after=0.4)
    scanners.append(scanner)
    scanner.start(collector)
    scanner.show("LZ:first")
    assert rendering.wait(15)
    done = threading.Event()

    def show_second() -> None:
        scanner.show("LZ:second")
        done.set()

    threading.Thread(target=show_second, daemon=True).start()
    try:
        assert done.wait(5), "show() waited for the render in progress"
    finally:
        release.set()
    assert collector.wait_for(2) == ["LZ:first", "LZ:second"]


def test_capture_and_decoding_run_below_the_screen(scanners: list, collector: Collector) -> None:
    """The wired scanner's capture and decode threads run at a lower priority than the thread that
    started them (the UI thread in the app), one step lower however many citizens came before (the
    threads are kept from one start to the next); the scanner still reads codes."""
    ui_nice = os.getpriority(os.PRIO_PROCESS, 0)
    scanner = build_qr_scanner(CameraConfig(kind="simulated", width=640, height=480))
    assert isinstance(scanner, SimulatedQrScanner)
    scanners.append(scanner)
    for n in range(3):  # three citizens
        scanner.start(collector)
        scanner.show(f"LZ:Demo-Token_{n:010d}")
        assert collector.wait_for(n + 1)[-1] == f"LZ:Demo-Token_{n:010d}"
        scanner.clear()
        if n < 2:
            scanner.stop(wait=5)
    scanner.show("LZ:Demo-Token_0123456789")
    assert collector.wait_for(4)[-1] == "LZ:Demo-Token_0123456789"
    workers = [scanner._thread, scanner.source._thread]  # this scanner's (other tests' may linger)
    assert all(t is not None and t.is_alive() for t in workers)
    assert {t.name for t in workers if t} == {"qr-scanner", "camera-simulated"}
    assert {os.getpriority(os.PRIO_PROCESS, t.native_id or 0) for t in workers if t} == {
        ui_nice + BACKGROUND_NICE
    }
    assert os.getpriority(os.PRIO_PROCESS, 0) == ui_nice
