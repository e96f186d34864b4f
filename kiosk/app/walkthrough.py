"""One scripted citizen session with a screenshot of every step, the printed receipt and the A4 加注件.

``kiosk demo --walkthrough DIR`` runs it with no person and no display: the same app, the same
controller, simulated devices and the embedded reference server, so the screenshots show what a
citizen would see.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.session import Step

if TYPE_CHECKING:
    from kiosk.app.runner import AppDriver
    from kiosk.demo import DemoControls

log = logging.getLogger(__name__)


def make_walkthrough(
    out_dir: Path,
    controls: DemoControls,
    identity: str | None = None,
    elder: bool = False,
    language: str = "zh",
) -> Callable[[AppDriver], Awaitable[None]]:
    """The scripted session; ``elder`` and ``language`` ("zh" or "en") are what the citizen chooses
    on the first page. In English the citizen is the foreign card holder (default identity).

    Each screenshot is also checked by the layout audit (kiosk.app.layout_audit): what it finds is
    logged and printed, so that anyone looking at a combination also reads what is wrong with it.
    """
    identity = identity or ("foreign" if language == "en" else "elder")

    async def script(driver: AppDriver) -> None:
        from kiosk.app.layout_audit import audit_window

        c = driver.controller
        m = c.machine
        shots: list[Path] = []
        findings: list[str] = []

        async def shot(name: str) -> None:
            path = await driver.screenshot(out_dir / f"{len(shots) + 1:02d}-{name}.png")
            shots.append(path)
            findings.extend(str(f) for f in audit_window(name, m.prefs.elder_mode, path))

        await driver.wait_for(lambda: c.health.checked_at > 0, what="first health check")
        if language == "en":
            c.set_language("en")
        if elder:
            c.toggle_elder_mode()
        await driver.frames(0.4)
        await shot("attract")
        c.start_session()
        await driver.wait_for(lambda: m.step is Step.IDENTIFY, what="identify")
        await driver.frames(0.6)  # let the preview show a frame
        await shot("identify")
        controls.insert_card(identity)
        await driver.wait_for(lambda: m.step in (Step.FACE, Step.CONSENT), what="face check or consent")
        if m.step is Step.FACE:  # 人证核验 (kiosk/face): the simulated holder turns their head as asked
            await driver.frames(0.3)
            await shot("face")
            c.face_begin()

            def face_done() -> bool:
                check = m.data.face if m.data is not None else None
                if m.step is Step.FACE and check is not None and check.phase in ("retry", "staff"):
                    # the simulated holder failed a try: say why now, not after the whole timeout
                    raise RuntimeError(f"the face check failed: {check.failure} ({check.phase})")
                return m.step is Step.CONSENT

            # (dlib's models on the simulated frames: slow on a busy machine, 15 s was not always enough)
            await driver.wait_for(face_done, timeout=60, what="consent after the face check")
        await shot("consent")
        c.agree()
        await driver.wait_for(
            lambda: (
                m.step is Step.CERTIFICATES
                and not m.busy
                and m.data is not None
                and len(m.data.records) == len(m.data.certificates) > 0
            ),
            what="verified certificates",
        )
        await shot("certificates")
        assert m.data is not None
        first_valid = next(
            (i for i, r in m.data.records.items() if r.verification.ok), m.data.certificates[0].identifier
        )
        c.select(first_valid)
        await driver.wait_for(lambda: m.step is Step.DETAIL and not m.busy, what="detail")
        await shot("detail")
        c.print_receipt()
        await driver.wait_for(
            lambda: (
                m.step is Step.PRINT and m.data is not None and m.data.printing.phase in ("done", "failed")
            ),
            what="printing",
        )
        await shot("print")
        receipt = controls.last_receipt()
        if receipt is not None:
            receipt.save(out_dir / "receipt.png")
        printed = [out_dir / "receipt.png"]
        (out_dir / "annotated-copy.png").unlink(missing_ok=True)  # never an earlier run's paper
        # then the 加注件 of the same certificate on A4, once its seals verified (kiosk.issued)
        c.back()
        await driver.wait_for(lambda: m.step is Step.CERTIFICATES and not m.busy, what="list after print")
        c.select(first_valid)

        def seal_checked() -> bool:
            face = c.issued.face(first_valid)
            return m.step is Step.DETAIL and not m.busy and (face is None or face.phase != "loading")

        await driver.wait_for(seal_checked, timeout=60, what="the seal check")
        await shot("detail-issued")  # the 照面 with its seal verdict, and 打印加注件 once it verified
        if c.issued.file(first_valid) is not None and c.config.devices.printer.a4_queue:
            c.print_annotated()
            await driver.wait_for(
                lambda: (
                    m.step is Step.PRINT
                    and m.data is not None
                    and m.data.printing.phase in ("done", "failed")
                ),
                timeout=90,
                what="printing the annotated copy",
            )
            await shot("print-a4")
            copy = (
                controls.last_annotated_copy()
                if m.data is not None and m.data.printing.phase == "done"
                else None
            )
            if copy is not None:
                copy.save(out_dir / "annotated-copy.png")
                printed.append(out_dir / "annotated-copy.png")
        else:
            log.warning("walkthrough: no 加注件 (seals not verified or no A4 printer)")
        c.finish_service()
        await driver.wait_for(lambda: m.step is Step.RATE, what="rate")
        await shot("rate")
        c.rate(5)
        await driver.wait_for(lambda: m.step is Step.GOODBYE, what="goodbye")
        await shot("goodbye")
        c.home()
        await driver.wait_for(lambda: m.step is Step.ATTRACT and not m.active, what="back to attract")
        log.info("walkthrough done", extra={"screenshots": len(shots), "dir": str(out_dir)})
        for path in [*shots, *printed]:
            print(path)
        print(f"layout audit: {len(findings)} problems" if findings else "layout audit: no problems found")
        for line in findings:
            print(f"  {line}")

    return script
