"""The home page, the face check's first page and the consent page on a landscape screen (issue
22's walkthroughs).

At 1920x1080 in elder English the face page was one column taller than the window: 同意并开始核验
(Agree and start the check) was below the fold, reachable only by scrolling a list whose cue said
"Scroll down for more" — the layout audit saw nothing wrong, as nothing was cut, only hidden. The
consent page's left column scrolled too (its last line under the cue), and on the home page in elder
English both columns did: 如何开始 cut, 中文 and the text size under the cue. Here, in Chinese and English,
normal and elder: on each page no column scrolls and the page's buttons are whole inside the window.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.artifacts import artifacts_dir
from tests.support.layout_walk import Walk, _t
from tests.support.ui import UiDriver, UiHarness

MODES = (("zh_CN", False), ("zh_CN", True), ("en", False), ("en", True))


def problems(d: UiDriver, screen_name: str, buttons: list[str], may_scroll: bool = False) -> list[str]:
    """What is wrong with the page shown: a column that scrolls (unless ``may_scroll``), a button
    not whole in the window or in a column that scrolls."""
    from kivy.core.window import Window
    from kivy.uix.scrollview import ScrollView

    from screens.widgets import Badge

    screen = d.app.screens[screen_name]
    lists = [
        w
        for w in screen.walk(restrict=True)
        if isinstance(w, ScrollView) and w.children and w.children[0].height > w.height + 1
    ]
    found = (
        []
        if may_scroll
        else [
            f"{screen_name}: a column scrolls ({w.children[0].height:.0f} px in {w.height:.0f})"
            for w in lists
        ]
    )
    for badge in (w for w in screen.walk(restrict=True) if isinstance(w, Badge)):
        column = badge.parent
        if badge.right > column.right - column.padding[2] + 1:  # into the margin, or off the page
            found.append(f"{screen_name}: badge {badge.text!r} wider than its column")
    for text in buttons:
        button = d.find_text(_t(text)) or d.find_text(text)  # 中文 is shown as written
        if button is None:
            found.append(f"{screen_name}: no button {_t(text)!r}")
            continue
        if any(button in w.walk(restrict=True) for w in lists):
            found.append(f"{screen_name}: {button.text!r} in a column that scrolls")
        x0, y0 = button.to_window(button.x, button.y)
        x1, y1 = button.to_window(button.right, button.top)
        if x0 < 0 or y0 < 0 or x1 > Window.width or y1 > Window.height:
            found.append(
                f"{screen_name}: {_t(text)!r} outside the window ({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f})"
            )
    return found


async def session_pages(
    d: UiDriver, walk: Walk, modes: Any, problems_found: list[str], small: bool = False
) -> None:
    """Each mode's home page, face intro and consent (and on a ``small`` window the rating and
    goodbye pages), audited and checked with :func:`problems`. On a small window the home, face
    and consent pages' content may scroll in its column (with its cue), their buttons may not."""
    from kiosk.session import Step

    c, m = d.controller, d.machine
    for language, elder in modes:
        mode = f"{language}-{'elder' if elder else 'normal'}"
        c.set_language(language)
        if bool(m.prefs.elder_mode) != elder:
            c.toggle_elder_mode()
        await walk.settle(lambda: d.app.manager.current == "attract", "home page")
        await walk.audit("attract")
        toggles = ["关闭长辈模式" if elder else "长辈模式（大字）", "中文" if language == "en" else "English"]
        problems_found += [f"{mode} {p}" for p in problems(d, "attract", ["开始办理", *toggles], small)]
        c.start_session()
        await d.wait_step("identify")
        d.controls.insert_card("foreign" if language == "en" else "elder")
        await walk.settle(lambda: m.step is Step.FACE and not m.busy, "face")
        c.set_language(language)  # the foreign card switches to English; keep the mode's
        await walk.audit("face")
        # in elder English the explanation alone is taller than the page: it may scroll (with
        # its cue, audited), the buttons may not
        long = (language == "en" and elder) or small
        found = problems(d, "face", ["取消", "同意并开始核验"], may_scroll=long)
        problems_found += [f"{mode} {p}" for p in found]
        assert m.data is not None
        m.face_passed(m.data.id, c.clock())  # the check itself: tests/face
        await walk.settle(lambda: m.step is Step.CONSENT and not m.busy, "consent")
        await walk.audit("consent")
        problems_found += [f"{mode} {p}" for p in problems(d, "consent", ["取消", "同意并查询"], small)]
        if small:
            c.agree()
            await walk.settle(lambda: m.step is Step.CERTIFICATES and not m.busy, "list")
            c.finish_service()
            await walk.settle(lambda: m.step is Step.RATE, "rate")
            await walk.audit("rate")
            problems_found += [f"{mode} {p}" for p in problems(d, "rate", ["非常满意", "非常不满意", "跳过"])]
            c.rate(5)
            await walk.settle(lambda: m.step is Step.GOODBYE, "goodbye")
            await walk.audit("goodbye")
            problems_found += [f"{mode} {p}" for p in problems(d, "goodbye", ["返回首页"])]
        c.home()
        d.controls.pull_card()  # the next mode's home page is the usual one, not 请取走您的身份证
        await walk.settle(lambda: not m.active and not getattr(c, "card_left", False), "home")


FACE = {"face": {"required": "always", "kind": "simulated"}}


def walk_session_pages(ui: UiHarness, size: tuple[int, int], modes: Any, small: bool, folder: str) -> Walk:
    """The session's pages walked in each mode at ``size`` (low landscape exactly when ``small``: a
    page built before its screen is laid out must still take the window's layout); the walk, once no
    page had a problem."""
    result: dict[str, Any] = {"problems": []}

    async def script(d: UiDriver) -> None:
        from screens.in_view import low_landscape

        assert low_landscape() == small
        walk = result["walk"] = Walk(d, artifacts_dir() / "ui" / folder, size)
        await session_pages(d, walk, modes, result["problems"], small=small)

    width, height = size
    overrides = {"display": {"width": width, "height": height}, **FACE}
    ui.run(script, overrides=overrides, size=size, name=folder)
    assert not result["problems"], "\n".join(result["problems"])
    walk: Walk = result["walk"]
    return walk


@pytest.mark.window(1920, 1080)
def test_home_face_and_consent_pages_fit_a_landscape_screen(ui: UiHarness) -> None:
    walk = walk_session_pages(ui, (1920, 1080), MODES, small=False, folder="landscape-session")
    assert len(walk.audited) == 3 * len(MODES)
    assert not walk.findings, "\n".join(str(f) for f in walk.findings)


@pytest.mark.window(1280, 800)
def test_session_pages_keep_their_buttons_in_view_on_a_small_landscape_screen(ui: UiHarness) -> None:
    """1280x800 in normal mode (Chinese and English): the page area is about 530 px high. (Elder
    mode there scrolls page by page: tests/ui/test_small_landscape_pages.py, test_elder_landscape.py.)"""
    modes = (("zh_CN", False), ("en", False))
    walk = walk_session_pages(ui, (1280, 800), modes, small=True, folder="small-landscape-session")
    assert len(walk.audited) == 5 * len(modes)
    assert not walk.findings, "\n".join(str(f) for f in walk.findings)
