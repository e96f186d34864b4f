"""Walk every page and state of the running app and audit each (kiosk.app.layout_audit).

One app start per window size walks all four modes (Chinese/English × normal/elder): the app, the
reference server and the window are started once, which keeps the audit to a few minutes on two
cores with the software renderer. Each mode is a citizen with the longest content the demo data
has (the business holder's long company names and 代办 lines, the elder holder's many certificates,
the foreign holder in English, a rare-character name), and every registered page is opened, so a
page added later (a new module in screens/) is audited without changing this walk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.ui import UiDriver

# (language, elder mode, demo holder)
MODES = (
    ("zh_CN", False, "business"),
    ("zh_CN", True, "elder"),
    ("en", False, "foreign"),
    ("en", True, "rare"),
)
# the longest rare-character name a citizen may have (CJK Extension A and B), shown in the greeting
RARE_NAME = "欧阳𠮷䶮"
ADMIN_PIN = "246810"


@dataclass
class Walk:
    driver: UiDriver
    out_dir: Path
    size: tuple[int, int]
    findings: list[Any] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)
    screens_seen: set[str] = field(default_factory=set)
    keep_shots: bool = True  # of screens with findings; KIOSK_AUDIT_SHOTS=all: of every screen

    async def audit(self, state: str) -> None:
        """Audit the screen once it has settled; save its screenshot only when it has findings."""
        from kiosk.app.layout_audit import audit_window, window_pixels

        d = self.driver
        await self.drawn()
        elder = bool(d.machine.prefs.elder_mode)
        mode = f"{d.machine.prefs.language}-{'elder' if elder else 'normal'}"
        name = f"{self.size[0]}x{self.size[1]}-{mode}-{state}"

        def read_and_audit() -> tuple[Any, list[Any]]:
            # the widget tree read in the same frame as its pixels: read after, the health poller
            # once changed the page between the two (a printer's status, the page laid out again),
            # and the audit compared one frame's pixels with the next frame's places
            pixels = window_pixels()
            return pixels, audit_window(name, elder, pixels)

        pixels, found = await self.next_frame(read_and_audit)
        self.findings += found
        self.audited.append(name)
        self.screens_seen.add(d.app.manager.current)
        if (found and self.keep_shots) or os.environ.get("KIOSK_AUDIT_SHOTS") == "all":
            from PIL import Image

            self.out_dir.mkdir(parents=True, exist_ok=True)
            Image.fromarray(pixels).save(self.out_dir / f"audit-{name}.png", compress_level=1)

    async def next_frame(self, read: Any) -> Any:
        """``read()`` during the next frame, after it is drawn and before the buffers are swapped.

        WHY: read after a frame, GL's back buffer holds the frame before it (double buffering),
        which was a page half drawn now and then (a field's text missing, measured as 1:1).
        """
        import asyncio

        from kivy.core.window import Window

        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def grab(*_: Any) -> None:
            Window.funbind("on_flip", grab)
            if not done.done():
                done.set_result(read())

        Window.fbind("on_flip", grab)
        Window.canvas.ask_update()
        return await asyncio.wait_for(done, 10)

    async def drawn(self, timeout: float = 8.0) -> None:
        """Until the screen is settled and drawn: no refresh, page build, layout or texture pending
        (Kivy's one-shot triggers), no animation running, and two frames drawn since.

        WHY not a fixed sleep: a page is built one frame and shown the next (screens.base), cards
        join a list a frame at a time; a sleep long enough for the slowest page under load made
        the audit take minutes, and one too short audits a half-built page.
        """
        import asyncio

        from kivy.animation import Animation
        from kivy.clock import Clock

        app = self.driver.app
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet_since = Clock.frames_displayed
        pending: list[str] = []
        while loop.time() < deadline:
            await asyncio.sleep(0.01)
            pending = [
                what
                for what, busy in (
                    ("a refresh", app._refresh_pending),
                    ("a page build", app._prepared is not None),
                    (f"{len(Animation._instances)} animation(s)", bool(Animation._instances)),
                    ("a one-shot trigger", any(not e.loop and e.timeout <= 0 for e in Clock.get_events())),
                )
                if busy
            ]
            if pending:
                quiet_since = Clock.frames_displayed
            elif Clock.frames_displayed >= quiet_since + 2:
                return
        # a page that never settles would be audited half-built (or is itself the fault): say so
        m = self.driver.machine
        raise AssertionError(
            f"the page did not settle in {timeout:.0f} s (still pending: {', '.join(pending) or 'frames'}); "
            f"step={m.step} view={m.view}"
        )

    async def settle(self, predicate: Any, what: str) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while not predicate():
            if loop.time() > deadline:
                m = self.driver.machine
                raise AssertionError(f"timed out waiting for {what}; step={m.step} view={m.view}")
            await asyncio.sleep(0.02)


async def walk_everything(d: UiDriver, out_dir: Path, size: tuple[int, int]) -> Walk:
    walk = Walk(d, out_dir, size)
    c = d.controller
    for language, elder, holder in MODES:
        c.set_language(language)
        if bool(c.machine.prefs.elder_mode) != elder:
            c.toggle_elder_mode()
        await walk.audit("attract")
        if not elder:
            await staff_and_views(walk)
        else:
            await views(walk)
        await out_of_service(walk)
        await session(walk, holder, rare_name=holder == "rare")
        await moments(walk, language, elder)
    return walk


async def views(walk: Walk, prefix: str = "") -> None:
    """Every page over the session (guide, disclosure, and any page a capability adds)."""
    d = walk.driver
    c = d.controller
    for name in sorted(c.available_views - {"admin", "diagnostics"}):
        c.open_view(name)
        await walk.settle(lambda n=name: d.app.manager.current == n and not d.machine.busy, name)
        await walk.audit(f"{prefix}{name}")
        screen = d.app.screens[name]
        if name == "guide" and hasattr(screen, "open_matter"):
            longest = max(screen._catalogue().matters, key=lambda m: len(m.name))
            screen.open_matter(longest.id)
            await walk.audit(f"{prefix}guide-matter")
            screen.open_matter(None)
        c.close_view()
        await walk.drawn()


async def staff_and_views(walk: Walk) -> None:
    """The staff pages (PIN pad, settings, diagnostics) and the citizen's pages over the session."""
    from kiosk.admin.mode import admin_for

    d = walk.driver
    c = d.controller
    await views(walk)
    c.open_view("admin")
    await walk.settle(lambda: d.app.manager.current == "admin", "admin")
    await walk.audit("admin-pin")
    mode = admin_for(c)
    assert mode.unlock(ADMIN_PIN).ok
    d.app.request_refresh()
    await walk.audit("admin")
    if "diagnostics" in c.available_views:
        c.open_view("diagnostics")
        await walk.settle(lambda: d.app.manager.current == "diagnostics", "diagnostics")
        await walk.audit("diagnostics")
    c.close_view()
    await walk.drawn()


async def out_of_service(walk: Walk) -> None:
    d = walk.driver
    c = d.controller
    elder, language = c.machine.prefs.elder_mode, c.machine.prefs.language
    c.pause("")
    await walk.audit("out-of-service")
    c.resume()
    await walk.drawn()
    c.set_language(language)
    if bool(c.machine.prefs.elder_mode) != elder:
        c.toggle_elder_mode()


async def session(walk: Walk, holder: str, rare_name: bool) -> None:
    """One citizen from the card to goodbye: every step, each certificate, print done and failed."""
    from kiosk.session import Step

    d = walk.driver
    c = d.controller
    m = d.machine
    language, elder = m.prefs.language, bool(m.prefs.elder_mode)
    c.start_session()
    await d.wait_step("identify")
    await walk.audit("identify")
    d.controls.insert_card(holder)
    await walk.settle(lambda: m.step in (Step.FACE, Step.CONSENT) and not m.busy, "face check or consent")
    if m.step is Step.FACE:  # 人证核验 (kiosk/face, the simulated camera): its pages, not its model
        await face_pages(walk)
    await walk.settle(lambda: m.step is Step.CONSENT and not m.busy, "consent")
    # the mode the walk is in, for the whole session (a foreign holder's card sets English)
    if m.prefs.language != language:
        c.set_language(language)
    if bool(m.prefs.elder_mode) != elder:
        c.toggle_elder_mode()
    await walk.audit("consent")
    c.agree()
    await d.wait_records(timeout=40)
    await walk.settle(lambda: m.step is Step.CERTIFICATES and not m.busy, "list")
    if rare_name and m.data is not None and m.data.holder is not None:
        m.data.holder.name = RARE_NAME  # the greeting with a name from CJK Extension B
        d.app.screens["certificates"].drop_page()
        d.app.request_refresh()
    await walk.audit("certificates")
    screen = d.app.screens["certificates"]
    if m.prefs.elder_mode:
        pages = 1
        while d.find_text(_t("下一页")) is not None and pages < 8:
            await d.tap_text(_t("下一页"))
            pages += 1
            await walk.audit(f"certificates-page{pages}")
        screen.pager.index = 0
    assert m.data is not None
    idents = [cert.identifier for cert in m.data.certificates]
    for n, ident in enumerate(idents, 1):
        c.select(ident)
        await walk.settle(lambda: m.step is Step.DETAIL and not m.busy and issued_done(c), "detail")
        await walk.audit(f"detail{n}")
        if n == 1:
            found = d.find_text(_t("显示完整信息"))
            if found is not None:
                await d.tap(found)
                await walk.audit("detail-onlooker-warning")
                await d.tap_text(_t("确定"))
                await walk.audit("detail-revealed")
        c.back()
        await walk.settle(lambda: m.step is Step.CERTIFICATES and not m.busy, "list again")
    await views(walk, prefix="in-session-")
    valid = [i for i, r in m.data.records.items() if r.verification.ok]
    if valid:
        c.select(valid[0])
        await walk.settle(lambda: m.step is Step.DETAIL and not m.busy and issued_done(c), "detail to print")
    c.print_receipt()
    await walk.settle(lambda: m.data is not None and m.data.printing.phase in ("done", "failed"), "printed")
    await walk.audit("print-done")
    c.back()
    await walk.settle(lambda: m.step is Step.CERTIFICATES, "list after print")
    d.controls.set_paper("out")
    c.print_receipt()
    await walk.settle(lambda: m.data is not None and m.data.printing.phase == "failed", "print failed")
    await walk.audit("print-failed")
    d.controls.set_paper("ok")
    # the printer back in the health before the next page: the poller would otherwise bring it back
    # between an audit's widget read and its pixel read (a print button enabled in the tree, drawn
    # disabled: a contrast finding that was the walk's, not the page's)
    await c.refresh_health()
    await walk.settle(lambda: c.health.printer == "ok", "printer back")
    c.finish_service()
    await d.wait_step("rate")
    await walk.audit("rate")
    rate = d.app.screens["rate"]
    if hasattr(rate, "_choose"):  # a low grade asks for reasons (screens.rate): that page too
        rate._choose(2)
        await walk.audit("rate-reasons")
        rate._reset()
    c.rate(5)
    await d.wait_step("goodbye")
    await walk.audit("goodbye")
    c.home()
    await walk.settle(lambda: m.step is Step.ATTRACT and not m.active, "home")


async def face_pages(walk: Walk) -> None:
    """The face check's intro, its head-turn challenge and its camera-down page; then on to consent.

    The check itself (dlib on every frame, the verifier) is tests/face's: run here four times a
    window size it took most of a minute under load, and longer than any wait on a busy machine.
    The camera is unplugged once the challenge is shown, which ends the try at once (camera down),
    and the session goes on as if it had passed.
    """
    from kiosk.session import Step

    d = walk.driver
    c = d.controller
    m = d.machine

    def phase() -> str:
        face = m.data.face if m.data is not None else None
        return str(face.phase.value) if face is not None else ""

    await walk.audit("face")
    c.face_begin()
    await walk.settle(lambda: phase() not in ("intro", "frontal"), "head-turn challenge")
    if phase() == "challenge":
        await walk.audit("face-challenge")
    camera = c.face.camera
    camera.unplug()
    await walk.settle(lambda: phase() != "challenge" and phase() != "frontal", "the try's end")
    if phase() == "camera_down":
        await walk.audit("face-camera-down")
    camera.replug()
    if m.step is Step.FACE:
        assert m.data is not None
        m.face_passed(m.data.id, c.clock())


async def moments(walk: Walk, language: str, elder: bool) -> None:
    """The idle warning, the help notice and the error page (an unreadable card)."""
    d = walk.driver
    c = d.controller
    m = d.machine

    async def begin() -> None:
        c.set_language(language)
        if bool(m.prefs.elder_mode) != elder:
            c.toggle_elder_mode()
        c.start_session()
        await d.wait_step("identify")

    await begin()
    d.clock.advance(m.effective_idle_seconds - m.warning_seconds + 2)
    await walk.settle(lambda: m.warning_remaining is not None, "idle warning")
    await walk.audit("idle-warning")
    c.keep_alive()
    await walk.drawn()
    d.app.call_staff()
    await walk.audit("help-call")
    notice = d.app._help_notice
    if notice is not None:
        notice.dismiss(animation=False)
    d.controls.unreadable_card()
    await d.wait_step("error")
    await walk.audit("error")
    c.home()
    await walk.settle(lambda: not m.active, "home after error")


async def card_to_list(d: UiDriver, walk: Walk, language: str, elder: bool, holder: str = "elder") -> None:
    """A demo holder from the home page to the settled certificate list, in ``language`` and elder
    mode or not (the landscape page tests start there)."""
    from kiosk.session import Step

    c, m = d.controller, d.machine
    c.set_language(language)
    if bool(m.prefs.elder_mode) != elder:
        c.toggle_elder_mode()
    c.start_session()
    await d.wait_step("identify")
    d.controls.insert_card(holder)
    await walk.settle(lambda: m.step is Step.CONSENT and not m.busy, "consent")
    c.set_language(language)
    c.agree()
    await d.wait_records(timeout=40)
    await walk.settle(lambda: m.step is Step.CERTIFICATES and not m.busy, "list")


def issued_done(c: Any) -> bool:
    """The certificate as issued (kiosk.issued) is drawn or failed, not still being fetched: the
    detail page is rebuilt when it arrives, in a worker, which no Kivy trigger shows."""
    issued = getattr(c, "issued", None)
    data = c.machine.data
    if issued is None or data is None:
        return True
    face = issued.face(data.selected)
    return face is None or face.phase != "loading"


def _t(text: str) -> str:
    from kiosk.i18n import _

    return _(text)


def scroll_view_of(widget: Any) -> Any | None:
    """The list (ScrollView) that scrolls ``widget``, if any: the nearest one among its ancestors."""
    from kivy.uix.scrollview import ScrollView

    from kiosk.app.layout_audit import ancestors

    return next((parent for parent in ancestors(widget) if isinstance(parent, ScrollView)), None)
