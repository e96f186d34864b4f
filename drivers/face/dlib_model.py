"""The face model: dlib's HOG face detector, its 5-point landmarks and its ResNet face descriptor.

WHY dlib: one wheel from PyPI (``dlib-bin``, no compiler on the terminal), CPU only, about 110 ms
for a face on these machines, and a measured margin on our test photos (same person ≤ 0.43,
different people ≥ 0.75, threshold 0.6: bench/face_bench.py). The model files come from the
``face-recognition-models`` package; only the 5-point landmark model and the ResNet descriptor are
loaded (the 68-point model in the same package is for non-commercial use only and is never opened).
Licences of each file: drivers/face/README.md.

Pictures are numpy RGB arrays (H, W, 3, uint8) in memory; nothing here reads or writes a file
except the model files.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

from drivers.face.types import FaceBox, Observation, grey

# Detection runs on a copy whose longer side is at most this (faster, and dlib's HOG finds faces of
# 80 px and up after one upsampling, plenty for a citizen at arm's length); landmarks and the
# descriptor use the full picture.
DETECT_MAX_SIDE = 800
# dlib's own score for a HOG detection; below this a "face" is mostly texture (a patterned scarf)
MIN_DETECTION_SCORE = 0.0


class ModelMissing(RuntimeError):
    """dlib or the model files are not installed (diagnostics and the CLI say so)."""


def model_dir() -> Path:
    """Where ``face-recognition-models`` keeps its files, found without importing the package
    (its ``__init__`` needs ``pkg_resources``, which current setuptools no longer ships)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("face-recognition-models is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
DESCRIPTOR_FILE = "dlib_face_recognition_resnet_model_v1.dat"


class DlibFaceModel:
    """Thread-safe (one lock: dlib's objects are not meant to be shared by threads at once).

    Loading takes about a second, so it happens on first use, in the worker thread that needs it.
    """

    # Distances between descriptors below this are the same person (dlib's documented 0.6; our
    # measurements in bench/face_bench.py put it in the middle of the gap).
    threshold = 0.6

    def __init__(self, models: Path | None = None) -> None:
        self._models = models
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, Any] | None = None

    def _load(self) -> tuple[Any, Any, Any]:
        if self._loaded is None:
            try:
                import dlib
            except ImportError as exc:  # pragma: no cover - a broken install
                raise ModelMissing(f"dlib is not installed: {exc}") from None
            folder = self._models or model_dir()
            for name in (LANDMARKS_FILE, DESCRIPTOR_FILE):
                if not (folder / name).is_file():
                    raise ModelMissing(f"model file missing: {folder / name}")
            self._loaded = (
                dlib.get_frontal_face_detector(),
                dlib.shape_predictor(str(folder / LANDMARKS_FILE)),
                dlib.face_recognition_model_v1(str(folder / DESCRIPTOR_FILE)),
            )
        return self._loaded

    def release(self) -> bool:
        """Drop the loaded models (about 36 MB once the allocator gives them back); the next use
        loads them again. Called as a session ends (the terminal's kiosk.session_memory). Without
        the lock: a detection still running keeps the models it took; returns whether any were held."""
        had = self._loaded is not None
        self._loaded = None
        return had

    def available(self) -> str | None:
        """None when the model loads, else why not (for diagnostics)."""
        try:
            with self._lock:
                self._load()
        except ModelMissing as exc:
            return str(exc)
        return None

    # ------------------------------------------------------------------ detection and landmarks
    def _detect(self, rgb: np.ndarray) -> list[tuple[Any, FaceBox]]:
        import dlib

        detector, landmarks, _ = self._load()
        height, width = rgb.shape[:2]
        scale = min(1.0, DETECT_MAX_SIDE / max(height, width))
        small = rgb
        if scale < 1.0:
            from PIL import Image

            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            small = np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BILINEAR))
        rects, scores, _ = detector.run(np.ascontiguousarray(small), 1, MIN_DETECTION_SCORE)
        found = []
        for rect, _score in zip(rects, scores, strict=True):
            full = dlib.rectangle(
                round(rect.left() / scale),
                round(rect.top() / scale),
                round(rect.right() / scale),
                round(rect.bottom() / scale),
            )
            shape = landmarks(rgb, full)
            points = tuple((float(shape.part(i).x), float(shape.part(i).y)) for i in range(5))
            found.append((shape, FaceBox(full.left(), full.top(), full.right(), full.bottom(), points)))
        return found

    def observe(self, rgb: np.ndarray) -> Observation:
        """Faces, light and sharpness of one camera frame (no descriptor: that is the slow part)."""
        rgb = _rgb(rgb)
        with self._lock:
            faces = [box for _, box in self._detect(rgb)]
        height, width = rgb.shape[:2]
        region = rgb
        if faces:
            big = max(faces, key=lambda f: f.width)
            region = rgb[max(0, big.top) : max(0, big.bottom), max(0, big.left) : max(0, big.right)]
        brightness, sharpness = light_and_sharpness(region if region.size else rgb)
        return Observation(width, height, tuple(faces), brightness, sharpness)

    # ------------------------------------------------------------------ descriptors
    def descriptors(self, rgb: np.ndarray) -> list[tuple[FaceBox, np.ndarray]]:
        """Every face in the picture with its 128-number descriptor."""
        rgb = _rgb(rgb)
        with self._lock:
            _, _, resnet = self._load()
            return [
                (box, np.asarray(resnet.compute_face_descriptor(rgb, shape), dtype=np.float64))
                for shape, box in self._detect(rgb)
            ]

    @staticmethod
    def distance(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def _rgb(picture: np.ndarray) -> np.ndarray:
    array = np.asarray(picture)
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"not an RGB picture: shape {array.shape}")
    return np.ascontiguousarray(array[..., :3].astype(np.uint8, copy=False))


def light_and_sharpness(rgb: np.ndarray) -> tuple[float, float]:
    """Mean grey level, and the variance of a 4-neighbour Laplacian (a blurred face has little)."""
    g = grey(rgb)
    if g.shape[0] < 3 or g.shape[1] < 3:
        return float(g.mean()) if g.size else 0.0, 0.0
    lap = -4 * g[1:-1, 1:-1] + g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]
    return float(g.mean()), float(lap.var())
