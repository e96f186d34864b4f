"""The face model (drivers/face) and ``kiosk face compare`` on public-domain photos.

Distances are printed (pytest -s) with their margin to the threshold; the real-people pairs of
/work/shared/benchmarks/faces are measured by bench/face_bench.py (their photos may not be copied).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from drivers.face.dlib_model import DlibFaceModel
from drivers.face.synthetic import portrait
from tests.face.photos import astronaut, hopper, png_file, side_by_side, variants

KIOSK = Path(sys.executable).with_name("kiosk")
MODEL = DlibFaceModel()


def one_descriptor(picture: np.ndarray) -> np.ndarray:
    found = MODEL.descriptors(picture)
    assert len(found) == 1, f"{len(found)} faces"
    return found[0][1]


@pytest.mark.parametrize("person", [astronaut, hopper], ids=["astronaut", "hopper"])
def test_the_same_person_captured_differently_matches(person) -> None:
    reference = one_descriptor(person())
    for name, picture in variants(person()).items():
        distance = MODEL.distance(reference, one_descriptor(picture))
        print(f"{person.__name__} vs {name}: {distance:.3f} (margin {MODEL.threshold - distance:.3f})")
        assert distance < MODEL.threshold, name


def test_different_people_do_not_match() -> None:
    distance = MODEL.distance(one_descriptor(astronaut()), one_descriptor(hopper()))
    print(f"astronaut vs hopper: {distance:.3f} (margin {distance - MODEL.threshold:.3f})")
    assert distance >= MODEL.threshold


def test_group_photo_has_two_faces_and_the_cli_refuses_it_as_probe(tmp_path: Path) -> None:
    group = png_file(side_by_side(astronaut(), hopper()), tmp_path / "group.png")
    ref = png_file(np.ascontiguousarray(hopper()), tmp_path / "ref.png")
    result = subprocess.run(
        [str(KIOSK), "face", "compare", str(group), str(ref)], capture_output=True, text=True
    )
    answer = json.loads(result.stdout)
    assert answer["error"] == "several_faces" and answer["faces"] == 2
    assert result.returncode == 3


def test_cli_reports_a_photo_without_a_face(tmp_path: Path) -> None:
    empty = png_file(np.full((300, 300, 3), 180, np.uint8), tmp_path / "wall.png")
    ref = png_file(np.ascontiguousarray(hopper()), tmp_path / "ref.png")
    for probe, reference in ((empty, ref), (ref, empty)):
        result = subprocess.run(
            [str(KIOSK), "face", "compare", str(probe), str(reference)], capture_output=True, text=True
        )
        assert result.returncode == 3
        assert json.loads(result.stdout) == {"error": "no_face", "file": str(empty)}


def test_cli_decides_a_pair_and_prints_distance_and_threshold(tmp_path: Path) -> None:
    a = png_file(np.ascontiguousarray(hopper()), tmp_path / "a.png")
    b = png_file(variants(hopper())["jpeg35"], tmp_path / "b.png")
    c = png_file(np.ascontiguousarray(astronaut()), tmp_path / "c.png")
    same = json.loads(
        subprocess.run([str(KIOSK), "face", "compare", str(a), str(b)], capture_output=True, text=True).stdout
    )
    other = json.loads(
        subprocess.run([str(KIOSK), "face", "compare", str(c), str(a)], capture_output=True, text=True).stdout
    )
    assert same["match"] is True and same["distance"] < same["threshold"] == 0.6
    assert other["match"] is False and other["distance"] >= 0.6


def test_partial_face_is_judged_not_fully_in_view() -> None:
    """Half a face at the picture's edge: found or not, the check never takes it as a good frame."""
    from kiosk.face.check import FaceCheck
    from kiosk.settings.face import FaceConfig

    picture = np.ascontiguousarray(hopper()[:, 200:])  # the left half of her face cut away
    observation = MODEL.observe(picture)
    code, _ = FaceCheck(FaceConfig()).judge(observation)
    assert code in ("partial", "no_face")


def test_drawn_faces_of_nobody_are_found_with_landmarks() -> None:
    for seed in range(6):
        observation = MODEL.observe(portrait(seed, size=360))
        assert len(observation.faces) == 1
        assert len(observation.faces[0].landmarks) == 5
