"""What is rebuilt between citizens, and what is not.

The attract, identify and goodbye pages show nothing of anyone, so they stay built from one
citizen to the next (开始办理's pulse stops while the attract page is hidden; the camera preview
stops and drops its last image when identify is left). The consent page shows a citizen only in its
greeting: the page is kept, the greeting blanked when the citizen leaves it and filled in for the
next. Every other screen that showed a citizen is dropped as soon as the citizen leaves it, and all
of them when the session ends. The goodbye countdown ticks in its label instead of rebuilding the
page each second. All of it keeps work and garbage off the UI thread.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

from tests.support.ui import UiDriver, UiHarness


def attract_page(d: UiDriver) -> Any:
    screen = d.app.screens["attract"]
    return screen.children[0] if screen.children else None


def page_texts(d: UiDriver, screen: str) -> list[str]:
    """Every text of a screen's built page (it need not be on screen)."""
    return [str(w.text) for w in d.app.screens[screen].walk() if isinstance(getattr(w, "text", None), str)]


def greetings(d: UiDriver, screen: str) -> list[str]:
    return [t for t in page_texts(d, screen) if "您好" in t]


async def list_then_goodbye(d: UiDriver, on_the_list: Callable[[], None] = lambda: None) -> None:
    """From consent: agree, see the list (``on_the_list`` checks it), finish, rate, goodbye."""
    await d.tap_text("同意并查询")
    await d.wait(lambda: bool(d.machine.data and d.machine.data.certificates), "list")
    on_the_list()
    await d.tap_text("完成")
    await d.wait(lambda: d.machine.step.value in ("rate", "goodbye"), "rate or goodbye")
    if d.machine.step.value == "rate":
        await d.tap_text("非常满意")
    await d.wait_step("goodbye")


async def pulses(d: UiDriver) -> bool:
    """Whether 开始办理's opacity moves (its pulse) over a little more than half a cycle."""
    button = d.app.screens["attract"]._start
    assert button is not None
    seen = set()
    for _ in range(14):
        seen.add(round(float(button.opacity), 3))
        await d.frames(0.1)
    return len(seen) > 1


async def whole_session(d: UiDriver, holder: str = "elder") -> None:
    """A whole session, back to rest. After the first, the app freezes what that session imported
    and builds its pages again (kiosk/app/kivy_app.py), so pages are kept from the second on."""
    d.controls.insert_card(holder)
    await d.wait_step("consent")
    await list_then_goodbye(d)
    d.controls.pull_card()  # as the goodbye page asks (a card left in is asked for on the home page)
    await d.wait(lambda: not d.controller.card_present, "card taken")
    await d.tap_text("返回首页")
    await d.wait_step("attract")
    await d.frames(0.3)


def test_the_attract_page_stays_built_and_personal_screens_are_dropped(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        await whole_session(d)
        # the camera reads 亮证码 on the home page: let its health (part of what the page shows)
        # settle first, as the health poll would within seconds
        await d.wait(lambda: d.controller.devices.scanner.health() == "ok", "camera streaming")
        await d.controller.refresh_health()
        await d.frames(0.5)
        before = attract_page(d)
        assert before is not None and await pulses(d)
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        consent = d.app.screens["consent"]
        assert consent.children  # built: it shows the masked name
        assert not await pulses(d)  # the hidden attract page does not animate
        d.controls.pull_card()  # taken before leaving: else the home page asks for it (a banner)
        await d.wait(lambda: not d.controller.card_present, "card taken")
        await d.tap_text("取消")
        await d.wait_step("attract")
        await d.frames(0.3)
        assert attract_page(d) is before  # the same page, not a rebuilt one
        assert await pulses(d)
        assert not greetings(d, "consent")  # the citizen's name went with the session

    ui.run(script, name="kept")


def test_the_goodbye_countdown_ticks_in_place(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        d.controls.insert_card("elder")
        await d.wait_step("consent")

        def consent_left_blank() -> None:
            assert not greetings(d, "consent")  # the citizen's name left the screen they left, at once

        await list_then_goodbye(d, consent_left_blank)
        await d.wait(lambda: d.machine.goodbye_remaining is not None, "countdown")
        page = d.app.screens["goodbye"].children[0]
        first = d.machine.goodbye_remaining
        assert d.has_text(f"{first} 秒后返回首页")
        d.clock.advance(2)
        await d.wait(lambda: d.machine.goodbye_remaining not in (None, first), "countdown moved")
        now = d.machine.goodbye_remaining
        await d.frames(0.2)
        assert d.has_text(f"{now} 秒后返回首页") and not d.has_text(f"{first} 秒后返回首页")
        assert d.app.screens["goodbye"].children[0] is page  # the label changed, not the page

    ui.run(script, name="goodbye-countdown")


def test_consent_and_goodbye_pages_serve_the_next_citizen_without_the_last_ones_name(
    ui: UiHarness,
) -> None:
    """Pages that show a citizen only in a greeting (consent) or not at all (goodbye) are kept."""

    async def script(d: UiDriver) -> None:
        await whole_session(d)
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.frames(0.2)
        consent_page = d.app.screens["consent"].children[0]
        first = greetings(d, "consent")
        assert len(first) == 1 and "*" in first[0], first  # masked
        await list_then_goodbye(d)
        await d.frames(0.2)
        goodbye_page = d.app.screens["goodbye"].children[0]
        await d.tap_text("返回首页")
        await d.wait_step("attract")
        d.controls.pull_card()
        await d.frames(0.2)
        assert not greetings(d, "consent")  # blanked with the session, page kept
        d.controls.insert_card("business")
        await d.wait_step("consent")
        await d.frames(0.2)
        assert d.app.screens["consent"].children[0] is consent_page
        second = greetings(d, "consent")
        assert len(second) == 1 and second != first, (first, second)  # the new citizen's greeting
        assert d.has_text(second[0])
        await list_then_goodbye(d)
        await d.frames(0.2)
        assert d.app.screens["goodbye"].children[0] is goodbye_page

    ui.run(script, name="kept-consent-goodbye")


def test_the_identify_page_is_kept_but_its_camera_image_goes_with_the_citizen(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        await whole_session(d)
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        screen = d.app.screens["identify"]
        preview = screen._preview
        assert preview is not None
        await d.wait(lambda: preview.texture is not None, "a camera image")
        page = screen.children[0]
        d.app.controller.home()
        await d.wait_step("attract")
        await d.frames(0.2)
        assert preview.texture is None  # the last camera image is dropped with the screen
        assert preview._event is None  # and the camera is not polled while hidden
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        assert screen.children[0] is page and screen._preview is preview  # not rebuilt
        await d.wait(lambda: preview.texture is not None, "a live image again")

    ui.run(script, name="kept-identify")


def test_a_page_to_build_is_built_in_one_frame_and_shown_in_the_next(ui: UiHarness) -> None:
    """Building a page and drawing it for the first time never share a frame (kiosk_app.refresh)."""

    async def script(d: UiDriver) -> None:
        await d.frames(0.3)
        app = d.app
        guide = app.screens["guide"]
        assert not guide.children  # never shown yet: its page is to be built
        app.controller.open_view("guide")
        app.refresh()  # the frame that builds
        page = guide.prepared
        assert app.manager.current == "attract" and page is not None
        assert tuple(page.size) == tuple(app.manager.size)  # laid out at its final size already
        app.refresh()  # the next frame shows it, as built
        assert app.manager.current == "guide" and guide.children[0] is page and guide.prepared is None
        app.controller.close_view()
        app.refresh()  # the attract page is built already: shown at once
        assert app.manager.current == "attract"

    ui.run(script, name="built-then-shown")


def test_the_page_on_screen_is_rebuilt_off_screen_and_swapped_in_the_next_frame(ui: UiHarness) -> None:
    """A change that rebuilds the shown page (here the elder mode) leaves the old page on screen for
    the frame that builds the new one; the next frame swaps it in."""

    async def script(d: UiDriver) -> None:
        await d.frames(0.3)
        app = d.app
        attract = app.screens["attract"]
        old = attract.children[0]
        app.controller.toggle_elder_mode()
        app.refresh()  # the frame that builds: the old page is still the one drawn
        new = attract.prepared
        assert new is not None and new is not old and attract.children[0] is old
        app.refresh()  # the next frame: swapped
        assert attract.children[0] is new and attract.prepared is None
        await d.frames(0.3)
        assert attract.children[0] is new  # nothing was rebuilt once more
        assert d.has_text("关闭长辈模式")  # the new page is the elder-mode one

    ui.run(script, name="rebuilt-then-swapped")


def test_the_identify_busy_line_comes_and_goes_on_the_same_page(ui: UiHarness) -> None:
    """While a 亮证码 is checked the identify page says so; the line is added to the kept page and
    removed again (the page is not rebuilt for it)."""
    from tests.support.refserver import RefServer

    server = RefServer(ui.server)

    async def script(d: UiDriver) -> None:
        screen = d.app.screens["identify"]
        token = d.controls.issue_token("elder")
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        page = screen.children[0]
        assert not d.has_text("正在核验亮证码")
        server.set_fault("delay", seconds=1.5, path_prefix="/v1/lz-tokens/resolve")
        try:
            d.controls.devices.scanner.show(token)
            await d.wait(lambda: d.has_text("正在核验亮证码"), "the busy line", timeout=30)
            assert screen.children[0] is page  # in place
            await d.shot("identify-checking-qr")
            await d.wait_step("consent", timeout=30)
        finally:
            server.clear_faults()
            d.controls.devices.scanner.clear()
        await d.tap_text("返回")  # back to identify: the line has gone, the page is the same
        await d.wait_step("identify")
        await d.frames(0.3)
        assert screen.children[0] is page
        assert not any("正在核验亮证码" in t for t in page_texts(d, "identify"))

    ui.run(script, name="identify-busy-in-place")


def test_no_kept_page_is_frozen_for_good(ui: UiHarness) -> None:
    """The app freezes long-lived objects for the garbage collector, and a frozen object is never
    collected: a kept page frozen with them stayed in memory for good once it was rebuilt (the soak
    found two attract pages). Pages kept between citizens must be freed when they are dropped."""

    async def script(d: UiDriver) -> None:
        await whole_session(d)
        await whole_session(d, "business")  # the second citizen: pages built after the freeze
        await d.tap_text("开始办理")  # off the attract screen: its page is hidden, not animated
        await d.wait_step("identify")
        await d.frames(0.3)
        kept = {name: d.app.screens[name].children[0] for name in ("attract", "consent", "goodbye")}
        refs = {name: weakref.ref(page) for name, page in kept.items()}
        del kept
        for name in refs:
            d.app.screens[name].drop_page()
        gc.collect()
        assert [name for name, ref in refs.items() if ref() is not None] == []

    ui.run(script, name="kept-not-frozen")


def widgets_held(screen: Any) -> list[str]:
    """The screen's own attributes that point at a widget (directly, or in a dict, list or tuple)."""
    from kivy.uix.widget import Widget

    held = []
    for name, value in vars(screen).items():
        if name == "_proxy_ref":  # Kivy's weak proxy of the widget itself
            continue
        values = value.values() if isinstance(value, dict) else value
        found = values if isinstance(values, (list, tuple)) or isinstance(value, dict) else [value]
        if any(isinstance(v, Widget) for v in found):
            held.append(name)
    return held


def test_a_dropped_page_is_let_go_by_its_screen(ui: UiHarness) -> None:
    """Nothing of a dropped page stays reachable from its screen (an attribute pointing at a label
    kept the whole page alive, through its parents, until the next build)."""

    async def script(d: UiDriver) -> None:
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait(lambda: bool(d.machine.data and d.machine.data.certificates), "list")
        await d.frames(0.3)
        built = [name for name, screen in d.app.screens.items() if screen.children]
        assert {"attract", "identify", "consent", "certificates"} <= set(built), built
        assert widgets_held(d.app.screens["consent"])  # the check sees a held label
        for screen in d.app.screens.values():
            screen.drop_page()
        assert {name: widgets_held(s) for name, s in d.app.screens.items() if widgets_held(s)} == {}

    ui.run(script, name="dropped-let-go")
