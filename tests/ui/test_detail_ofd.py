"""The detail page shows the certificate as issued (issue 24): the reference server's sealed OFD
file, fetched, seal-checked under the demo CA (demo mode's trust anchor) and drawn, with the
personal fields covered until the citizen reveals them, and 验章通过 only after VALID.
Screenshots: artifacts/ui/ofd-*.png."""

from __future__ import annotations

from tests.support.ui import UiDriver, UiHarness

ELDER_ID = "450206195803120088"


def _face(d: UiDriver) -> object | None:
    data = d.machine.data
    return None if data is None else d.controller.issued.face(data.selected)


async def _pinch(d: UiDriver, cx: float, cy: float, spread: float) -> None:
    from kivy.tests.common import UnitTestTouch

    a, b = UnitTestTouch(cx - 60, cy), UnitTestTouch(cx + 60, cy)
    a.touch_down()
    b.touch_down()
    await d.frames(0.05)
    for step in range(1, 9):
        a.touch_move(cx - 60 - spread * step / 8, cy)
        b.touch_move(cx + 60 + spread * step / 8, cy)
        await d.frames(0.02)
    a.touch_up()
    b.touch_up()
    await d.frames()


async def _double_tap(d: UiDriver, x: float, y: float) -> None:
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(x, y)
    touch.is_double_tap = True  # what Kivy's double-tap postprocessor marks on the second tap
    touch.touch_down()
    touch.touch_up()
    await d.frames()


def test_the_detail_page_shows_the_sealed_face_covered_until_revealed(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        from screens.detail import FaceViewer

        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait_records()
        await d.tap_text("居民身份证")
        await d.wait_step("detail")
        await d.wait(lambda: getattr(_face(d), "phase", "") == "shown", "the 照面 drawn", timeout=60)
        await d.wait(lambda: d.has_text("验章通过"), "the seal check on screen")
        face = _face(d)
        assert face is not None and face.sealed_ok  # type: ignore[attr-defined]
        viewers = [w for w in d.app.root.walk() if isinstance(w, FaceViewer)]
        assert len(viewers) == 1 and viewers[0].height > 100
        shown = viewers[0].image.texture
        assert (shown.width, shown.height) == (face.width, face.height)  # type: ignore[attr-defined]
        assert face.covered != face.clear  # type: ignore[attr-defined]  # personal fields painted over
        assert not d.has_text(ELDER_ID)  # the field list below stays masked too
        await d.shot("ofd-01-covered")

        # two fingers spread apart zoom the page in its box; a double tap puts it back
        viewer = viewers[0]
        cx, cy = viewer.to_window(*viewer.center)
        await _pinch(d, cx, cy, spread=160)
        assert viewer.scatter.scale > 1.5
        # grown past its box on both sides (drawn clipped to it); the scatter shares the box's parent
        assert viewer.scatter.x < viewer.x and viewer.scatter.right > viewer.right
        await d.shot("ofd-01b-zoomed")
        await _double_tap(d, cx, cy)
        assert viewer.scatter.scale == 1.0

        await d.tap_text("显示完整信息")
        await d.tap_text("确定")
        await d.wait(lambda: d.has_text(ELDER_ID), "full details")
        await d.frames(0.3)
        await d.shot("ofd-02-revealed")

        await d.tap_text("返回列表")
        await d.wait_step("certificates")
        await d.tap_text("社会保障卡")
        await d.wait_step("detail")
        await d.wait(lambda: d.has_text("验章通过"), "the second certificate's seal check", timeout=60)
        await d.shot("ofd-03-second")

    ui.run(script, name="ofd")


def test_a_seal_the_terminal_does_not_trust_is_said_plainly_and_the_fields_stay(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        c = d.controller
        c.config = c.config.model_copy(
            update={"trust": c.config.trust.model_copy(update={"ofd_seal_anchors": []})}
        )
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait_records()
        await d.tap_text("居民身份证")
        await d.wait_step("detail")
        await d.wait(lambda: d.has_text("验章未通过"), "the seal verdict", timeout=60)
        assert not d.has_text("验章通过")
        assert any("不在本终端信任的范围内" in t for t in d.texts())
        assert d.has_text("姓名") and d.has_text("公民身份号码")  # the field list stays
        assert not d.find_text("打印加注件")
        # the record's own check passed, but the page must not say the certificate can serve
        assert not any("仅供办理政务服务事项时使用" in t for t in d.texts())
        assert d.has_text("未能核验，不能作为办事凭证") and not d.find_text("打印凭条")
        await d.shot("ofd-04-untrusted")

    ui.run(script, name="ofd-untrusted")
