"""Build the QR scanner the configuration asks for (simulated | opencv | file)."""

from __future__ import annotations

from drivers.camera.decoder import QrDecoder
from drivers.camera.file_source import FileSource
from drivers.camera.opencv_camera import OpenCvCamera
from drivers.camera.scanner import QrScanner
from drivers.camera.simulated import SimulatedCamera, SimulatedQrScanner
from kiosk.ports import QrScannerPort
from kiosk.settings.camera import CameraConfig
from kiosk.thread_priority import run_below_the_screen


def build_qr_scanner(config: CameraConfig) -> QrScannerPort:
    """A scanner over the configured source with the full decoder, its threads a little below the
    screen's priority (kiosk.thread_priority).

    For ``simulated`` the result is a ``SimulatedQrScanner`` (it has ``show(text)`` and ``clear()``
    for demo mode); the camera renders at ``min(fps, 15)`` since synthetic frames cost CPU.
    """
    scanner = _scanner(config)
    scanner.set_thread_setup(run_below_the_screen)
    return scanner


def _scanner(config: CameraConfig) -> QrScanner:
    decoder = QrDecoder()
    forget = config.forget_after_seconds
    if config.kind == "simulated":
        camera = SimulatedCamera(
            width=config.width, height=config.height, fps=min(config.fps, 15), rotate=config.rotate
        )
        return SimulatedQrScanner(camera, decoder, forget_after=forget)
    if config.kind == "file":
        if not config.source_path:
            raise ValueError('devices.camera.source_path is required when kind = "file"')
        return QrScanner(
            FileSource(config.source_path, fps=config.fps, rotate=config.rotate), decoder, forget_after=forget
        )
    camera_source = OpenCvCamera(
        config.device, width=config.width, height=config.height, fps=config.fps, rotate=config.rotate
    )
    return QrScanner(camera_source, decoder, forget_after=forget)
