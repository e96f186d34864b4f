"""人证核验 figures on this machine.

1. The real-people pairs of /work/shared/benchmarks/faces (when that folder is there; its photos
   may not be copied into the project): every same-person and different-person distance, the
   decision and the margin to the threshold; the group photo's face count; the partial face.
2. Face found → decision: from a frame in memory to the comparison's answer (detection, landmarks,
   descriptors of the frame and the reference), median and p95 over the photos.
3. The whole check in a demo session: the simulated camera and the real model, from 开始核验 to the
   verifying phase (frontal frames + head turn), then the comparison, median and p95.

    .venv/bin/python bench/face_bench.py [--runs N] [--faces DIR]
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from drivers.face.dlib_model import DlibFaceModel
from drivers.face.simulated import SimulatedFaceCamera
from drivers.face.synthetic import portrait, seed_of
from kiosk.face.check import FaceCheck, Phase
from kiosk.settings.face import FaceConfig

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "faces"


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def load(path: Path) -> np.ndarray:
    with Image.open(path) as picture:
        return np.asarray(ImageOps.exif_transpose(picture).convert("RGB"))


def pairs(model: DlibFaceModel, folder: Path) -> list[float]:
    photos = {p: load(p) for p in sorted(folder.glob("*/*")) if p.suffix.lower() in (".jpg", ".jpeg", ".png")}
    single = {}
    timings = []
    for path, picture in photos.items():
        t0 = time.perf_counter()
        found = model.descriptors(picture)
        timings.append(time.perf_counter() - t0)
        print(f"  {path.parent.name}/{path.name}: {len(found)} face(s), {timings[-1] * 1000:.0f} ms")
        if len(found) == 1 and path.parent.name != "group":
            single[path] = found[0][1]
    worst_same, best_other = 0.0, 9.0
    wrong = 0
    for a, b in itertools.combinations(single, 2):
        same = a.parent.name == b.parent.name
        d = model.distance(single[a], single[b])
        decided = d < model.threshold
        wrong += decided != same
        if same:
            worst_same = max(worst_same, d)
            print(f"  same  {a.parent.name}/{a.name} ~ {b.name}: {d:.3f} margin {model.threshold - d:+.3f}")
        else:
            best_other = min(best_other, d)
    print(
        f"  same person: at most {worst_same:.3f} (margin {model.threshold - worst_same:.3f});"
        f" different people: at least {best_other:.3f} (margin {best_other - model.threshold:.3f});"
        f" wrong decisions: {wrong}"
    )
    return timings


def check_once(model: DlibFaceModel, seed: int) -> tuple[float, float]:
    camera = SimulatedFaceCamera()
    camera.stand(f"bench-{seed}")
    camera.start()
    check = FaceCheck(FaceConfig(), rng=random.Random(seed))
    t0 = time.monotonic()
    check.begin(t0)
    while check.phase in (Phase.FRONTAL, Phase.CHALLENGE):
        frame = camera.grab()
        if frame is None:
            continue
        if check.feed(model.observe(frame), frame, time.monotonic()):
            camera.on_prompt(check.challenge)
    filmed = time.monotonic() - t0
    assert check.phase is Phase.VERIFYING, check.failure
    reference = portrait(seed_of(f"bench-{seed}"), size=360)
    t1 = time.monotonic()
    ref = model.descriptors(reference)[0][1]
    probe = model.descriptors(check.samples[0].frame)[0][1]
    model.distance(ref, probe)
    camera.stop()
    return filmed, filmed + time.monotonic() - t1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--faces", type=Path, default=SHARED)
    args = parser.parse_args()
    model = DlibFaceModel()
    t0 = time.perf_counter()
    model.available()
    print(f"model load: {time.perf_counter() - t0:.2f} s")
    if args.faces.is_dir():
        print(f"pairs of {args.faces}:")
        timings = pairs(model, args.faces)
        print(
            f"face found → descriptor per photo: median {statistics.median(timings) * 1000:.0f} ms,"
            f" p95 {p95(timings) * 1000:.0f} ms"
        )
    decision = []
    data = Path(__file__).resolve().parents[1] / "tests" / "face" / "data"
    probe, reference = load(data / "grace_hopper.jpg"), load(data / "astronaut_face.png")
    for _ in range(args.runs * 4):
        t = time.perf_counter()
        a = model.descriptors(probe)
        b = model.descriptors(reference)
        model.distance(a[0][1], b[0][1])
        decision.append(time.perf_counter() - t)
    print(
        f"decision (two photos: detect, landmarks, descriptors, distance): median "
        f"{statistics.median(decision) * 1000:.0f} ms, p95 {p95(decision) * 1000:.0f} ms"
    )
    filmed, whole = zip(*(check_once(model, seed) for seed in range(args.runs)), strict=True)
    print(
        f"demo check, 开始核验 → verifying (frontal frames + head turn, simulated camera at 10 fps):"
        f" median {statistics.median(filmed):.2f} s, p95 {p95(list(filmed)):.2f} s"
    )
    print(
        f"demo check with the comparison on this machine: median {statistics.median(whole):.2f} s,"
        f" p95 {p95(list(whole)):.2f} s"
    )


if __name__ == "__main__":
    main()
