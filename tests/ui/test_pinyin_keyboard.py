"""The pinyin keyboard on the real screen: letters → candidates → text in a TextInput, paging,
space, backspace, 中/英 and digits; key text ≥ 24 dp (≥ 30 dp in elder mode)."""

from __future__ import annotations

import pytest

from tests.support.ui import UiDriver, UiHarness

pytestmark = pytest.mark.ui


def test_pinyin_keyboard_types_chinese_into_a_text_input(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        from kivy.core.window import Window
        from kivy.metrics import dp
        from kivy.uix.boxlayout import BoxLayout
        from kivy.uix.textinput import TextInput

        from kiosk import pinyin_input
        from screens.pinyin_keyboard import PinyinKeyboard
        from screens.theme import ELDER, FONT
        from screens.widgets import BigButton

        changes: list[str] = []
        box = BoxLayout(orientation="vertical", size=Window.size, padding=dp(20), spacing=dp(20))
        field = TextInput(font_name=FONT, font_size=dp(30), size_hint_y=None, height=dp(90))
        keyboard = PinyinKeyboard(target=field, on_change=changes.append, sizes=ELDER)
        box.add_widget(field)
        box.add_widget(keyboard)
        Window.add_widget(box)
        try:
            await d.wait(pinyin_input.ready, "the pinyin index")
            for ch in "zhengwu":
                await d.tap_text(ch)
            assert d.has_text("拼音：zhengwu")
            await d.shot("pinyin-candidates")
            await d.tap_text("政务")
            assert field.text == "政务" and changes[-1] == "政务"
            for ch in "fuwu":
                await d.tap_text(ch)
            await d.tap_text("空格")  # the first candidate
            assert field.text == "政务服务"
            for ch in "zheng":
                await d.tap_text(ch)
            shown = [c.text for c in keyboard.composer.shown()]
            await d.tap_text("下页")
            assert [c.text for c in keyboard.composer.shown()] != shown
            await d.tap_text("删除")  # takes back a letter, not text
            assert keyboard.composer.letters == "zhen" and field.text == "政务服务"
            for _ in range(4):
                await d.tap_text("删除")
            await d.tap_text("删除")  # now a character
            assert field.text == "政务服" and keyboard.composer.letters == ""
            await d.tap_text("123")
            await d.tap_text("1")
            await d.tap_text("，")
            await d.tap_text("字母")
            await d.tap_text("英")
            await d.tap_text("A")
            assert field.text == "政务服1，A"
            for widget in keyboard.walk():
                if isinstance(widget, BigButton):
                    assert widget.font_size >= dp(30) and widget.height >= dp(60)
            await d.shot("pinyin-english")
        finally:
            Window.remove_widget(box)

    ui.run(script, name="pinyin-keyboard")
