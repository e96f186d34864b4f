"""Camera capture and QR decoding: OpenCV capture, file/video/folder sources, a simulated phone camera,
a QR decoder built on zxing-cpp, and a scanner that joins a source to the decoder.

This package imports nothing from ``kiosk/``; its types satisfy ``kiosk.ports.QrScannerPort`` and
``kiosk.ports.FrameLike`` by shape.
"""

from drivers.camera.decoder import DecodedCode, QrDecoder
from drivers.camera.frames import Frame
from drivers.camera.scanner import QrScanner
from drivers.camera.simulated import SimulatedCamera, SimulatedQrScanner

__all__ = ["DecodedCode", "Frame", "QrDecoder", "QrScanner", "SimulatedCamera", "SimulatedQrScanner"]
