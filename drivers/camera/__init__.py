"""Camera capture and QR decoding: OpenCV capture, file/video/folder sources, a simulated phone camera,
a QR decoder built on zxing-cpp, and a scanner that joins a source to the decoder.

This package imports nothing from ``kiosk/``; its types satisfy ``kiosk.ports.QrScannerPort`` and
``kiosk.ports.FrameLike`` by shape.
"""

from drivers.camera.decoder import DecodedCode, QrDecoder
from drivers.camera.file_source import FileSource, read_image
from drivers.camera.frames import Frame
from drivers.camera.opencv_camera import OpenCvCamera
from drivers.camera.scanner import QrScanner, ScannerState
from drivers.camera.simulated import SimulatedCamera, SimulatedQrScanner
from drivers.camera.source import FrameSource, SourceError, SourceState

__all__ = [
    "DecodedCode",
    "FileSource",
    "Frame",
    "FrameSource",
    "OpenCvCamera",
    "QrDecoder",
    "QrScanner",
    "ScannerState",
    "SimulatedCamera",
    "SimulatedQrScanner",
    "SourceError",
    "SourceState",
    "read_image",
]
