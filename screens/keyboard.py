"""An on-screen keyboard that needs no system input method (the terminal has no IME and no keys).

WHY Latin letters, digits and ready phrases, not pinyin: a pinyin IME (candidate paging, word
frequency) is a project of its own, and most citizens who add a comment to a 差评 want to say one
of a few things. So the comment box offers common Chinese phrases as whole-phrase keys, plus
letters and digits for anything else (pinyin spelt out, an English remark). Every key is a large
BigButton (≥ 60 dp in elder mode).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import _
from screens.theme import Sizes
from screens.widgets import BigButton

ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
PHRASES = (
    "排队时间长",
    "屏幕字太小",
    "看不懂操作提示",
    "读卡太慢",
    "希望增加更多证照",
    "希望有人工协助",
)
MAX_LENGTH = 120


class OnScreenKeyboard(BoxLayout):
    """Calls ``on_change(text)`` after every key; the caller shows the text and keeps it."""

    def __init__(self, text: str, on_change: Callable[[str], None], sizes: Sizes, **kw: object) -> None:
        key_height = max(64.0, sizes.button_height * 0.62)
        super().__init__(orientation="vertical", spacing=dp(10), size_hint_y=None, **kw)
        self.text = text
        self._on_change = on_change
        phrases = GridLayout(cols=2, spacing=dp(10), size_hint_y=None)
        phrases.height = dp(key_height) * 3 + dp(10) * 2
        small = replace(sizes, button=sizes.button * 0.8)
        for phrase in PHRASES:
            label = _(phrase)
            phrases.add_widget(
                BigButton(label, partial(self._type, label), small, primary=False, height=dp(key_height))
            )
        self.add_widget(phrases)
        for letters in ROWS:
            row = BoxLayout(orientation="horizontal", spacing=dp(8), size_hint_y=None, height=dp(key_height))
            for ch in letters:
                row.add_widget(
                    BigButton(ch, partial(self._type, ch), small, primary=False, height=dp(key_height))
                )
            self.add_widget(row)
        last = BoxLayout(orientation="horizontal", spacing=dp(8), size_hint_y=None, height=dp(key_height))
        last.add_widget(
            BigButton(_("空格"), lambda: self._type(" "), small, primary=False, height=dp(key_height))
        )
        last.add_widget(BigButton(_("删除"), self._backspace, small, primary=False, height=dp(key_height)))
        last.add_widget(BigButton(_("清空"), self._clear, small, primary=False, height=dp(key_height)))
        self.add_widget(last)
        self.height = phrases.height + (len(ROWS) + 1) * (dp(key_height) + dp(10))

    def _type(self, piece: str) -> None:
        if len(self.text) + len(piece) <= MAX_LENGTH:
            self.text += piece
            self._on_change(self.text)

    def _backspace(self) -> None:
        if self.text:
            self.text = self.text[:-1]
            self._on_change(self.text)

    def _clear(self) -> None:
        self.text = ""
        self._on_change(self.text)
