"""The capture path: recorded video through cv2.VideoCapture, image folders, a camera that
disappears and comes back, and the newest-frame slot (no queue build-up)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera.file_source import FileSource
from drivers.camera.opencv_camera import OpenCvCamera, parse_device
from drivers.camera.scanner import QrScanner
from drivers.camera.simulated import SimulatedCamera, SimulatedQrScanner
from drivers.camera.source import FrameSource
from drivers.camera.synthetic import SceneParams, render_scene
from tests.qr.conftest import Collector, wait_until

SIZE = (480, 360)


def scene(text: str | None, seed: int = 0) -> np.ndarray:
    return render_scene(
        text, SceneParams(width=SIZE[0], height=SIZE[1], module_px=5.0, angle_deg=7, seed=seed)
    )


def record(path: Path, segments: list[tuple[str | None, int]], fps: float = 30.0) -> Path:
    """Write an MJPEG AVI with cv2.VideoWriter: each segment is (payload or None, frame count)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, SIZE)
    assert writer.isOpened()
    for i, (text, count) in enumerate(segments):
        frame = scene(text, seed=i)
        for _ in range(count):
            writer.write(frame)
    writer.release()
    return path


def test_recorded_video_through_the_capture_thread(
    tmp_path: Path, scanners: list, collector: Collector
) -> None:
    video = record(
        tmp_path / "counter.avi", [("LZ:first-token-01", 12), (None, 18), ("LZ:second-token-2", 12)]
    )
    source = FileSource(video, fps=30, loop=False)
    scanner = QrScanner(source, forget_after=0.2)
    scanners.append(scanner)
    scanner.start(collector)
    assert collector.wait_for(2) == ["LZ:first-token-01", "LZ:second-token-2"]
    assert wait_until(lambda: source.state().status == "lost")  # end of a non-looping file
    assert source.state().frames == 42
    assert scanner.health() == "down"


def test_opencv_camera_on_a_video_device_that_disappears_and_returns(
    tmp_path: Path, scanners: list, collector: Collector
) -> None:
    """cv2.VideoCapture opens the path; when it vanishes the source reports itself lost and keeps
    retrying; when it is back it streams again, and a new code is read."""
    device = tmp_path / "video0.avi"
    record(device, [("LZ:camera-token-A1", 8)])
    camera = OpenCvCamera(str(device), width=SIZE[0], height=SIZE[1], fps=30)
    camera.retry_max = 0.3
    scanner = QrScanner(camera, forget_after=30)
    scanners.append(scanner)
    scanner.start(collector)
    assert collector.wait_for(1) == ["LZ:camera-token-A1"]
    assert camera.health() in ("ok", "down")  # a short file ends and is reopened over and over
    device.unlink()
    assert wait_until(lambda: camera.state().status == "lost" and "open" in (camera.state().last_error or ""))
    assert scanner.health() == "down"
    reconnects = camera.state().reconnects
    record(tmp_path / "next.avi", [("LZ:camera-token-B2", 400)]).rename(device)
    assert collector.wait_for(2) == ["LZ:camera-token-A1", "LZ:camera-token-B2"]
    assert camera.state().reconnects > reconnects
    assert wait_until(lambda: scanner.health() == "ok")


def test_missing_camera_is_a_state_not_an_exception(scanners: list, collector: Collector) -> None:
    camera = OpenCvCamera("/dev/video-that-does-not-exist", fps=30)
    scanner = QrScanner(camera)
    scanners.append(scanner)
    scanner.start(collector)
    assert wait_until(lambda: camera.state().last_error is not None)
    assert camera.state().status == "connecting"
    assert scanner.health() == "unknown"  # never seen: not "lost" yet
    assert scanner.preview() is None
    scanner.stop()
    assert collector.items == []


def test_simulated_camera_unplugged_and_replugged(scanners: list, collector: Collector) -> None:
    camera = SimulatedCamera(width=320, height=240, fps=30)
    camera.retry_max = 0.3
    scanner = SimulatedQrScanner(camera, forget_after=0.3)
    scanners.append(scanner)
    scanner.start(collector)
    scanner.show("LZ:plug-token-001")
    assert collector.wait_for(1) == ["LZ:plug-token-001"]
    camera.unplug()
    assert wait_until(lambda: scanner.health() == "down")
    assert camera.state().status == "lost"
    time.sleep(0.4)  # out of sight longer than forget_after
    camera.replug()
    assert wait_until(lambda: scanner.health() == "ok")
    assert collector.wait_for(2) == ["LZ:plug-token-001"] * 2
    assert camera.state().reconnects >= 1


def test_image_folder_source_with_rotation(tmp_path: Path, scanners: list, collector: Collector) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), cv2.rotate(scene("LZ:folder-token-1"), cv2.ROTATE_90_COUNTERCLOCKWISE))
    (folder / "b.png").write_bytes(b"not an image")  # skipped, not fatal
    cv2.imwrite(str(folder / "c.jpg"), cv2.rotate(scene("LZ:folder-token-2"), cv2.ROTATE_90_COUNTERCLOCKWISE))
    source = FileSource(folder, fps=20, rotate=90)
    scanner = QrScanner(source, forget_after=60)
    scanners.append(scanner)
    scanner.start(collector)
    assert sorted(collector.wait_for(2)) == ["LZ:folder-token-1", "LZ:folder-token-2"]
    frame = scanner.preview()
    assert frame is not None and (frame.width, frame.height) == SIZE  # portrait files, turned upright


class CountingSource(FrameSource):
    """Frames as fast as possible, each stamped with its number: a camera faster than its reader."""

    name = "counting"

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def _open(self) -> None:
        self.n = 0

    def _read(self) -> np.ndarray | None:
        self.n += 1
        time.sleep(0.001)
        return np.full((4, 4, 3), self.n % 256, np.uint8)


def test_slow_consumer_gets_the_newest_frame_not_a_backlog() -> None:
    source = CountingSource()
    source.start()
    try:
        first = source.wait_frame(0, timeout=5)
        assert first is not None
        time.sleep(0.2)  # a slow decode
        second = source.wait_frame(first[0], timeout=5)
        assert second is not None
        assert second[0] - first[0] > 20  # skipped straight to the newest, no queue of old frames
        assert second[0] >= source.state().frames - 2
        # waiting for a frame newer than the newest blocks until one arrives
        third = source.wait_frame(source.state().frames, timeout=5)
        assert third is not None and third[0] > second[0]
    finally:
        source.stop()
    assert source.wait_frame(10**9, timeout=0.05) is None


def test_callback_errors_do_not_stop_scanning(scanners: list) -> None:
    seen: list[str] = []
    done = threading.Event()

    def flaky(text: str) -> None:
        seen.append(text)
        if len(seen) == 1:
            raise RuntimeError("controller bug")
        done.set()

    scanner = SimulatedQrScanner(SimulatedCamera(width=320, height=240, fps=30), forget_after=0.2)
    scanners.append(scanner)
    scanner.start(flaky)
    scanner.show("LZ:flaky-token-01")
    assert wait_until(lambda: len(seen) == 1)
    scanner.show("LZ:flaky-token-02")
    assert done.wait(15)
    assert seen == ["LZ:flaky-token-01", "LZ:flaky-token-02"]


@pytest.mark.parametrize(
    ("given", "expected"), [("0", 0), (" 2 ", 2), ("/dev/video1", "/dev/video1"), (3, 3)]
)
def test_device_parsing(given: str | int, expected: int | str) -> None:
    assert parse_device(given) == expected


class HangingSource(FrameSource):
    """A device whose read blocks until released: like a USB camera that stops answering."""

    name = "hanging"

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []
        self.release = threading.Event()
        self.reading = threading.Event()

    def _open(self) -> None:
        self.events.append("open")

    def _read(self) -> np.ndarray | None:
        if self.events.count("open") == 1 and self.events.count("read") == 1:
            self.reading.set()
            self.release.wait(30)
        self.events.append("read")
        time.sleep(0.01)
        return np.full((8, 8, 3), 99, np.uint8)

    def _close(self) -> None:
        self.events.append("close")


def test_stop_does_not_wait_for_a_hung_device_and_restart_waits_for_release() -> None:
    source = HangingSource()
    scanner = QrScanner(source)
    seen: list[str] = []
    scanner.start(seen.append)
    try:
        assert source.reading.wait(10)
        first_thread = source._thread
        scanner.stop()  # returns while the capture thread is still stuck in its read
        assert first_thread is not None and first_thread.is_alive()
        assert scanner.preview() is None  # no stale frame of the previous citizen
        scanner.start(seen.append)
        assert source.events.count("open") == 1  # not reopened while the old run holds the device
        source.release.set()
        assert wait_until(lambda: source.events.count("open") == 2)
        assert source.events.index("close") < len(source.events) - source.events[::-1].index("open") - 1
        assert wait_until(lambda: scanner.preview() is not None)
    finally:
        source.release.set()
        scanner.stop(wait=5)
    assert seen == []


def test_self_test_reports_a_working_and_a_missing_camera() -> None:
    simulated = SimulatedQrScanner(SimulatedCamera(width=320, height=240, fps=30))
    simulated.show("LZ:self-test-token")
    report = simulated.self_test(timeout=15)
    assert report["ok"] is True and report["error"] is None
    assert (report["width"], report["height"], report["codes"]) == (320, 240, 1)
    assert simulated.health() == "unknown"  # the test closed the camera again
    missing = QrScanner(OpenCvCamera("/dev/video-that-does-not-exist"))
    report = missing.self_test(timeout=0.5)
    assert report["ok"] is False
    assert "cannot open" in str(report["error"])
