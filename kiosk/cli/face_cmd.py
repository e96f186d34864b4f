"""``kiosk face compare PROBE REFERENCE``: the technician's 1:1 comparison of two photo files with the
terminal's face model (drivers/face), printed as one JSON line.

``{"match": true|false, "distance": d, "threshold": t}`` (exit 0 either way);
``{"error": "no_face", "file": F}`` (exit 3) when either photo shows no face;
``{"error": "several_faces", "file": PROBE, "faces": n}`` (exit 3) when the probe shows more than one
(the reference, an ID photo, may be a group photo only by mistake: its largest face is used and
``reference_faces`` says how many there were); ``{"error": "unreadable", "file": F}`` (exit 2).
The photos are read into memory only; nothing is written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    face = sub.add_parser("face", help="人证核验 tools: compare two photos with the face model")
    face_sub = face.add_subparsers(dest="face_command", metavar="ACTION", required=True)
    compare = face_sub.add_parser("compare", help="is PROBE the same person as REFERENCE? (JSON)")
    compare.add_argument("probe", type=Path)
    compare.add_argument("reference", type=Path)
    compare.add_argument("--threshold", type=float, default=None, help="default: the model's 0.6")
    compare.set_defaults(handler=_compare)


def _read(path: Path) -> Any:
    import numpy as np
    from PIL import Image, ImageOps

    with Image.open(path) as picture:
        return np.asarray(ImageOps.exif_transpose(picture).convert("RGB"))


def _compare(args: argparse.Namespace) -> int:
    from drivers.face.dlib_model import DlibFaceModel, ModelMissing

    def out(answer: dict[str, Any], code: int) -> int:
        print(json.dumps(answer, ensure_ascii=False))
        return code

    pictures = {}
    for path in (args.probe, args.reference):
        try:
            pictures[path] = _read(path)
        except (OSError, ValueError):
            return out({"error": "unreadable", "file": str(path)}, 2)
    model = DlibFaceModel()
    threshold = args.threshold if args.threshold is not None else model.threshold
    try:
        probe = model.descriptors(pictures[args.probe])
        reference = model.descriptors(pictures[args.reference])
    except ModelMissing as exc:
        return out({"error": "model_missing", "detail": str(exc)}, 2)
    if not probe:
        return out({"error": "no_face", "file": str(args.probe)}, 3)
    if len(probe) > 1:
        return out({"error": "several_faces", "file": str(args.probe), "faces": len(probe)}, 3)
    if not reference:
        return out({"error": "no_face", "file": str(args.reference)}, 3)
    _, ref = max(reference, key=lambda f: f[0].width)
    distance = model.distance(probe[0][1], ref)
    answer: dict[str, Any] = {
        "match": distance < threshold,
        "distance": round(distance, 4),
        "threshold": threshold,
    }
    if len(reference) > 1:
        answer["reference_faces"] = len(reference)
    return out(answer, 0)
