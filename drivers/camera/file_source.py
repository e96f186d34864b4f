"""A file source for tests and diagnostics: one image, a folder of images, or a video file.

It goes through the same capture thread as a real camera (newest-frame slot, reconnect on loss),
paced at ``fps``. Images are read with OpenCV, falling back to Pillow (WebP corner cases, 1-pixel
images that ``cv2.imread`` rejects).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from drivers.camera.source import FrameSource, Pacer, SourceError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif", ".tif", ".tiff", ".pgm", ".ppm", ".pbm"}


def read_image(path: str | Path) -> np.ndarray:
    """Read an image file as BGR; raises ``SourceError`` with the reason when neither library can."""
    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    # OpenCV logs an error (and fails) on tiny WebP files such as 1x1 images: Pillow reads those
    if data.size >= 1024 and path.suffix.lower() != ".webp":
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)
        if image is not None and image.size:
            return image
    try:
        with Image.open(path) as pil:
            rgb = np.asarray(pil.convert("RGB"))
    except Exception as exc:
        raise SourceError(f"not an image: {path}") from exc
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


class FileSource(FrameSource):
    """Replays ``path`` (image, folder of images in name order, or video). ``loop`` repeats it;
    without looping the source reports itself lost at the end, like an unplugged camera."""

    name = "file"

    def __init__(self, path: str | Path, *, fps: float = 15.0, rotate: int = 0, loop: bool = True) -> None:
        super().__init__(rotate=rotate)
        self.path = Path(path)
        self.fps = fps
        self.loop = loop
        self._images: list[Path] = []
        self._index = 0
        self._cap: cv2.VideoCapture | None = None
        self._pacer: Pacer | None = None
        self._ended = False

    def _open(self) -> None:
        if self._ended:
            raise SourceError(f"end of {self.path}")
        path = self.path
        self._pacer = Pacer(self.fps, self._stop)
        if path.is_dir():
            self._images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not self._images:
                raise SourceError(f"no images in {path}")
            self._index = 0
            return
        if not path.exists():
            raise SourceError(f"no such file: {path}")
        if path.suffix.lower() in IMAGE_SUFFIXES:
            self._images = [path]
            self._index = 0
            return
        cap = cv2.VideoCapture(str(path))
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open video {path}")
        self._cap = cap

    def _read(self) -> np.ndarray | None:
        assert self._pacer is not None
        self._pacer.wait()
        if self._cap is not None:
            ok, frame = self._cap.read()
            if ok and frame is not None:
                return frame
            if self.loop:
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = self._cap.read()
                if ok and frame is not None:
                    return frame
            self._ended = not self.loop
            return None
        for _ in range(len(self._images)):  # skip unreadable files; give up after a full round
            if self._index >= len(self._images):
                if not self.loop:
                    self._ended = True
                    return None
                self._index = 0
            path = self._images[self._index]
            self._index += 1
            try:
                return read_image(path)
            except SourceError:
                continue
        return None

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
