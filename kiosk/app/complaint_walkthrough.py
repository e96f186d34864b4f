"""``kiosk demo --walkthrough DIR --flow complaint``: a 投诉 played through to its printed slip,
staff's answer on the reference server, and the citizen's status query, a screenshot at each step.

It drives the real page (screens/complaint.py) the way a citizen's taps do: the pinyin keyboard's
keys and candidates, a phrase key, the digit pad, 提交, 打印回执; staff answer with
``refserver complaints answer`` as they would at their desk. The slip is saved as ``slip.png``.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.complaints import Kind

if TYPE_CHECKING:
    from kiosk.app.runner import AppDriver
    from kiosk.demo import DemoControls

log = logging.getLogger(__name__)
# typed on the keyboard (not a phrase key): 排队时间太长
DEMO_TEXT = (("paidui", "排队"), ("shijian", "时间"), ("tai", "太"), ("chang", "长"))
DEMO_PHONE = "13800138000"  # a well-known example number, not a person's
DEMO_ANSWER = "已协调增加周末窗口，感谢您的反映。（演示答复）"


def _keyboard(screen: Any) -> Any:
    from screens.pinyin_keyboard import PinyinKeyboard

    return next(w for w in screen.walk(restrict=True) if isinstance(w, PinyinKeyboard))


def make_complaint_walkthrough(
    out_dir: Path, controls: DemoControls, server_db: Path
) -> Callable[[AppDriver], Awaitable[None]]:
    async def script(driver: AppDriver) -> None:
        from kiosk import pinyin_input

        c = driver.controller
        desk = c.complaints
        shots: list[Path] = []

        async def shot(name: str) -> None:
            shots.append(await driver.screenshot(out_dir / f"{len(shots) + 1:02d}-{name}.png"))

        await driver.wait_for(lambda: c.health.checked_at > 0, what="first health check")
        await driver.frames(0.4)
        await shot("attract")
        c.open_view("complaint")
        await driver.wait_for(lambda: c.machine.view == "complaint", what="the complaint page")
        screen = driver.app.screens["complaint"]
        await shot("complaint-menu")
        screen._choose_kind(Kind.COMPLAINT)
        await shot("complaint-matter")
        screen._choose_matter("其他")
        await driver.frames()
        keyboard = _keyboard(screen)
        await driver.wait_for(pinyin_input.ready, what="the pinyin index", timeout=30)
        for letters, wanted in DEMO_TEXT:
            for ch in letters:
                keyboard.press_letter(ch)
            await driver.frames(0.1)
            if wanted == "长":
                await shot("complaint-text-candidates")
            shown = [cand.text for cand in keyboard.composer.shown()]
            keyboard.press_candidate(shown.index(wanted) if wanted in shown else 0)
        await shot("complaint-text")
        screen._after_text()
        for ch in DEMO_PHONE:
            screen._digit("_phone", ch)
        await shot("complaint-phone")
        screen._to_confirm()
        await shot("complaint-confirm")
        screen._submit()
        await driver.wait_for(lambda: desk.handed is not None or bool(desk.error), what="the ticket")
        if desk.handed is None:
            raise RuntimeError(f"the complaint was not taken: {desk.error}")
        ticket, code = desk.handed.ticket, desk.handed.code
        await shot("complaint-ticket")
        desk.print_slip()
        await driver.wait_for(lambda: desk.printing.phase in ("done", "failed"), what="the slip", timeout=40)
        await shot("complaint-slip-printed")
        slip = controls.last_receipt()
        if slip is not None:
            slip.save(out_dir / "slip.png")
        await driver.wait_for(lambda: not desk.outbox.pending(), what="delivery to the platform", timeout=30)
        screen._close()
        await driver.wait_for(lambda: c.machine.view is None, what="back where the citizen was")
        # staff answer at their desk
        done = subprocess.run(
            [
                *(sys.executable, "-m", "refserver", "complaints", "answer", "--db", str(server_db), ticket),
                *("--state", "answered", "--text", DEMO_ANSWER),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"staff could not answer: {done.stderr.strip()}")
        # the citizen comes back with the slip
        c.open_view("complaint")
        await driver.wait_for(lambda: c.machine.view == "complaint", what="the complaint page")
        screen._go("status")
        screen._typed_ticket(ticket)
        await shot("status-ticket")
        screen._go("status_code")
        for ch in code:
            screen._digit("_code", ch)
        await shot("status-code")
        screen._ask()
        await driver.wait_for(lambda: desk.status.phase in ("shown", "failed"), what="the status")
        await shot("status-answer")
        screen._close()
        await driver.wait_for(lambda: c.machine.view is None, what="home")
        log.info("complaint walkthrough done", extra={"screenshots": len(shots), "dir": str(out_dir)})
        for path in [*shots, out_dir / "slip.png"]:
            print(path)

    return script
