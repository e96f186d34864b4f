"""No full garbage-collection pass while a citizen is at the screen (issue 21, frames).

A full pass walks every object the terminal holds that is not frozen: 60-700 ms on the UI thread
(bench/soak.py), a frozen screen if it falls in a session. The app runs its own pass at rest, and
holds Python's automatic one off while a session runs (kiosk/app/gc_tuning.py). Checked on the
running app with the collector's own callbacks, in a session whose allocations made the safety
net's full pass due.
"""

from __future__ import annotations

import gc
from typing import Any

from tests.support.ui import UiDriver, UiHarness


class Cycle:
    """Like a widget: in a reference cycle, so it goes through the collector's generations."""

    def __init__(self) -> None:
        self.me = self


def test_no_full_gc_pass_while_a_citizen_is_at_the_screen(ui: UiHarness) -> None:
    from kiosk.app.gc_tuning import FULL_PASS_EVERY

    in_session: list[bool] = []  # for each full pass: whether a session was active

    async def script(d: UiDriver) -> None:
        def seen(phase: str, info: dict[str, Any]) -> None:
            if phase == "stop" and info["generation"] == 2:
                in_session.append(d.machine.session_id is not None)

        await d.frames(1.0)  # the start-up freeze behind
        gc.callbacks.append(seen)
        try:
            await d.tap_text("开始办理")
            d.controls.insert_card("elder")
            await d.wait_step("consent")
            await d.tap_text("同意并查询")
            await d.wait(lambda: d.has_text("有效"), "certificate list")
            # a long session that allocates much: the safety net's full pass falls due
            for _ in range(FULL_PASS_EVERY + 1):
                gc.collect(1)
            kept = [Cycle() for _ in range(400_000)]
            await d.frames(0.5)
            assert d.machine.session_id is not None
            assert True not in in_session, "a full GC pass ran in the session"
            del kept
            d.controller.home()
            d.controls.pull_card()
            await d.wait(lambda: d.app.resting, "the pass at rest")
            assert False in in_session, "no full pass at rest"  # the app's own, nobody at the screen
            assert gc.get_threshold()[2] == FULL_PASS_EVERY  # the safety net back
        finally:
            gc.callbacks.remove(seen)

    ui.run(script, name="gc-in-sessions")
