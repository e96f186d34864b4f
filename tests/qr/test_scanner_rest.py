"""The camera rests on the home page: few frames decoded, the plain pass only, until someone shows up.

The home page reads 亮证码 but stands untouched most of the day; decoding every frame there with the
extra passes cost a large share of a core (issue 21: a static page ≤ 3 % of a core). The pacing is
stepped with a hand-moved clock (no timing assertions); the real simulated camera and decoder show
that a code held up at rest is still read; the controller sets the pace per page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from drivers.camera.decoder import DecodedCode, QrDecoder
from drivers.camera.scanner import AT_REST, FULL, _Pacing
from drivers.camera.simulated import SimulatedCamera, SimulatedQrScanner
from kiosk.audit import AuditLog
from kiosk.controller import SCAN_REST_AFTER_SECONDS, Controller, Devices
from tests.qr.conftest import Collector, wait_until
from tests.support.controllers import until
from tests.support.ui import FakeClock, make_config

COUNTER = np.full((72, 128, 3), 90, np.uint8)  # an empty counter, as the camera sees it
PHONE = COUNTER.copy()
PHONE[10:62, 40:88] = 250  # a lit phone screen held up in the middle


def _run_camera(
    pacing: _Pacing, frames: Callable[[float], np.ndarray], seconds: float
) -> list[tuple[float, bool]]:
    """A 15 fps camera for ``seconds``: which frames the scanner decodes (time, thorough)."""
    decoded: list[tuple[float, bool]] = []
    for i in range(int(seconds * 15)):
        now = 100.0 + i / 15
        if pacing.wait_before_decode(now) == 0:
            thorough = pacing.decoding(now, frames(now))
            if thorough is not None:  # None: the same still scene, not decoded again
                decoded.append((now, thorough))
    return decoded


def test_at_rest_fewer_frames_are_decoded_than_on_the_identify_page_and_only_the_plain_pass() -> None:
    full, rest = _Pacing(3.0, 6.0), _Pacing(3.0, 6.0)
    rest.set(AT_REST)
    on_identify = _run_camera(full, lambda now: COUNTER, 10)
    at_rest = _run_camera(rest, lambda now: COUNTER, 10)
    assert len(on_identify) == 150 and all(thorough for _, thorough in on_identify)
    assert 5 <= len(at_rest) <= 6  # the still counter: once, then one check every 2 s
    assert not any(thorough for _, thorough in at_rest)


def test_at_rest_a_changing_scene_is_decoded_twice_a_second_and_small_changes_add_up() -> None:
    moving = _Pacing(3.0, 6.0)
    moving.set(AT_REST)
    # the light rising 8 grey levels a second: about half a level from one camera frame to the next
    decoded = _run_camera(moving, lambda now: COUNTER + np.uint8((now - 100.0) * 8), 4)
    # between two looks (half a second: 7 frames, ~4 levels) the change passes the still threshold
    # though each frame differs from the last by less than a level
    assert 7 <= len(decoded) <= 9
    noisy = _Pacing(3.0, 6.0)
    noisy.set(AT_REST)
    rng = np.random.default_rng(7)
    sensor = lambda now: np.clip(COUNTER + rng.normal(0, 3, COUNTER.shape), 0, 255).astype(np.uint8)  # noqa: E731
    assert len(_run_camera(noisy, sensor, 10)) <= 6  # sensor noise is not a change of scene


def test_a_phone_coming_into_view_wakes_the_scanner_to_full_speed_for_a_while() -> None:
    pacing = _Pacing(3.0, 6.0)
    pacing.set(AT_REST)
    decoded = _run_camera(pacing, lambda now: PHONE if 104.0 <= now < 105.0 else COUNTER, 12)
    before = [d for d in decoded if d[0] < 104.0]
    woken = [d for d in decoded if 104.5 <= d[0] < 107.0]  # the phone was seen within half a second
    after = [d for d in decoded if d[0] >= 108.5]  # the scene still for a while: rest again
    assert len(before) <= 9 and not any(thorough for _, thorough in before)
    assert len(woken) == int(2.5 * 15) and all(thorough for _, thorough in woken)  # every frame, fully
    assert 1 <= len(after) <= 2 and not any(thorough for _, thorough in after)  # still: rechecks only
    assert 104.0 <= pacing.changed_at <= 105.5  # the phone taken away was the scene's last change


def test_a_new_pace_applies_at_once() -> None:
    pacing = _Pacing(3.0, 6.0)
    pacing.set(AT_REST)
    pacing.decoding(100.0, COUNTER)
    assert pacing.wait_before_decode(100.1) > 0
    assert pacing.frame_interval(100.1) == 0.5  # the camera need not deliver more
    pacing.set(FULL)  # the identify page: the next frame is decoded, fully
    assert pacing.wait_before_decode(100.1) == 0 and pacing.decoding(100.1, COUNTER)
    assert pacing.frame_interval(100.1) == 0.0


class RecordingDecoder(QrDecoder):
    """The real decoder, noting whether each frame got the extra passes."""

    def __init__(self) -> None:
        super().__init__()
        self.passes: list[bool] = []

    def decode(self, image: Any, *, thorough: bool | None = None) -> list[DecodedCode]:
        self.passes.append(bool(thorough))
        return super().decode(image, thorough=thorough)


def test_a_code_shown_at_rest_is_still_read(scanners: list, collector: Collector) -> None:
    decoder = RecordingDecoder()
    scanner = SimulatedQrScanner(SimulatedCamera(width=640, height=360, fps=15), decoder)
    scanners.append(scanner)
    scanner.set_at_rest(True)
    assert scanner.pace == AT_REST and scanner.source.frame_interval == 0.5  # the camera rests too
    scanner.start(collector)
    assert wait_until(lambda: len(decoder.passes) >= 3)  # the empty counter, at rest
    assert not any(decoder.passes[:3])
    assert scanner.seconds_since_scene_change() is None  # the empty counter, unchanged
    scanner.show("LZ:token-shown-at-rest-01")
    assert collector.wait_for(1) == ["LZ:token-shown-at-rest-01"]
    since = scanner.seconds_since_scene_change()
    assert since is not None and since < 10  # the phone was seen coming (the home page's cue plays)
    scanner.set_at_rest(False)
    assert scanner.source.frame_interval == 0.0


class PacedScanner:
    """A camera port that notes the pace the controller sets."""

    def __init__(self) -> None:
        self.at_rest: list[bool] = []
        self.running = False
        self.scene_changed: float | None = None  # seconds ago, as the real scanner reports

    def seconds_since_scene_change(self) -> float | None:
        return self.scene_changed

    def start(self, on_text: Callable[[str], None]) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False

    def preview(self) -> None:
        return None

    def health(self) -> str:
        return "ok"

    def set_at_rest(self, at_rest: bool) -> None:
        self.at_rest.append(at_rest)


async def test_the_controller_rests_the_camera_on_the_untouched_home_page_only(tmp_path: Path) -> None:
    clock, scanner = FakeClock(), PacedScanner()
    devices = Devices(scanner=scanner)
    ctl = Controller(make_config(), devices, None, AuditLog(tmp_path / "audit.jsonl"), clock)
    await ctl.start()
    try:
        assert scanner.running and scanner.at_rest == [True]  # the home page, nobody there
        ctl.touch()  # someone at the screen: full speed
        await until(lambda: scanner.at_rest[-1] is False)
        clock.advance(SCAN_REST_AFTER_SECONDS + 1)  # they left without starting
        await until(lambda: scanner.at_rest[-1] is True)
        ctl.machine.begin(clock())  # the identify page asks for a code: full speed at once
        assert scanner.running and scanner.at_rest[-1] is False
    finally:
        await ctl.stop()


async def test_the_home_page_cue_plays_only_while_someone_may_be_near(tmp_path: Path) -> None:
    """Each step of the cue redraws the whole screen: it plays after a touch and when the resting
    camera sees its scene change, not through a night nobody passes (issue 21)."""
    from kiosk.controller import ATTRACT_CUE_SECONDS

    clock, scanner = FakeClock(), PacedScanner()
    ctl = Controller(make_config(), Devices(scanner=scanner), None, AuditLog(tmp_path / "audit.jsonl"), clock)
    await ctl.start()
    try:
        assert ctl.attract_cue_wanted()  # the page just shown
        clock.advance(ATTRACT_CUE_SECONDS + 1)
        assert not ctl.attract_cue_wanted()  # nobody for a minute, the camera saw no one
        scanner.scene_changed = 2.0  # someone stepped up to the counter
        assert ctl.attract_cue_wanted()
        scanner.scene_changed = ATTRACT_CUE_SECONDS + 5  # and left long ago
        assert not ctl.attract_cue_wanted()
        ctl.touch()
        assert ctl.attract_cue_wanted()
    finally:
        await ctl.stop()
