"""A pinyin keyboard for Chinese text on the touch screen (the terminal has no input method).

Letters compose pinyin; the candidate bar shows the words and characters they spell
(kiosk/pinyin_input.py: pypinyin's readings ranked by jieba's frequencies), a page at a time, with
上一页 / 下一页. 中/英 switches between pinyin and plain letters, 123 to digits and Chinese
punctuation; 空格 chooses the first candidate while letters are typed; 删除 takes back a letter, then
a character. Optional phrase keys type whole phrases (common complaints).

It types either into a Kivy ``TextInput`` (``target``: inserted at its cursor) or, like
screens/keyboard.py's OnScreenKeyboard, into its own ``text`` and calls ``on_change(text)`` after every
change, so the rating comment box and the guide search can swap one for the other. Keys are the
same BigButtons (≥ 64 dp high, text ≥ 27 dp; elder mode ≥ 80 dp and ≥ 33 dp), colours from the theme.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.textinput import TextInput

from kiosk import pinyin_input
from kiosk.i18n import _
from screens.theme import TEXT_MUTED, Sizes
from screens.widgets import BigButton, KLabel

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
DIGIT_ROWS = ("1234567890", "，。？！、：；", "-()@#/")
MAX_LENGTH = 500


class PinyinKeyboard(BoxLayout):
    """Pinyin / English / digits keyboard; see the module docstring for how it delivers text."""

    def __init__(
        self,
        text: str = "",
        on_change: Callable[[str], None] | None = None,
        sizes: Sizes | None = None,
        target: TextInput | None = None,
        phrases: Sequence[str] = (),
        max_length: int = MAX_LENGTH,
        **kw: Any,
    ) -> None:
        from screens.theme import NORMAL

        self._sizes = sizes or NORMAL
        elder = self._sizes.body >= 36
        super().__init__(orientation="vertical", spacing=dp(8), size_hint_y=None, **kw)
        self._target = target
        self._text = text if target is None else target.text
        self._on_change = on_change
        self._phrases = tuple(phrases)
        self.max_length = max_length
        self.mode = "pinyin"  # "pinyin" | "english" | "digits"
        self.composer = pinyin_input.Composer(per_page=4 if elder else 5)
        self._key_height = max(64.0, self._sizes.button_height * 0.62)
        self._key_sizes = replace(self._sizes, button=self._sizes.button * 0.8)
        self._waiting: Any = None
        pinyin_input.warm_up()
        self._draw()

    # ------------------------------------------------------------------ text
    @property
    def text(self) -> str:
        return self._target.text if self._target is not None else self._text

    def _insert(self, piece: str) -> None:
        room = self.max_length - len(self.text)
        piece = piece[: max(room, 0)]
        if not piece:
            return
        if self._target is not None:
            self._target.insert_text(piece)
        else:
            self._text += piece
        self._changed()

    def _delete(self) -> None:
        if not self.text:
            return
        if self._target is not None:
            self._target.do_backspace()
        else:
            self._text = self._text[:-1]
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self.text)

    # ------------------------------------------------------------------ keys
    def press_letter(self, ch: str) -> None:
        if self.mode == "pinyin":
            self.composer.letter(ch)
            self._draw_candidates()
        else:
            self._insert(ch)

    def press_candidate(self, position: int) -> None:
        chosen = self.composer.choose(position)
        if chosen is not None:
            self._insert(chosen)
        self._draw_candidates()

    def press_space(self) -> None:
        chosen = self.composer.space()
        self._insert(chosen if chosen is not None else " ")
        self._draw_candidates()

    def press_backspace(self) -> None:
        if not self.composer.backspace():
            self._delete()
        self._draw_candidates()

    def press_mode(self, mode: str) -> None:
        if self.composer.letters:
            self._insert(self.composer.commit_letters())
        self.mode = mode
        self._draw()

    def _page(self, forward: bool) -> None:
        if forward:
            self.composer.next_page()
        else:
            self.composer.previous_page()
        self._draw_candidates()

    # ------------------------------------------------------------------ drawing
    def _button(self, label: str, action: Callable[[], None], primary: bool = False) -> BigButton:
        return BigButton(label, action, self._key_sizes, primary=primary, height=dp(self._key_height))

    def _row(self) -> BoxLayout:
        height = dp(self._key_height)
        return BoxLayout(orientation="horizontal", spacing=dp(8), size_hint_y=None, height=height)

    def _draw(self) -> None:
        self.clear_widgets()
        height = 0.0
        if self._phrases:
            grid = GridLayout(cols=2, spacing=dp(8), size_hint_y=None)
            lines = (len(self._phrases) + 1) // 2
            grid.height = lines * dp(self._key_height) + (lines - 1) * dp(8)
            for phrase in self._phrases:
                grid.add_widget(self._button(_(phrase), partial(self._insert, _(phrase))))
            self.add_widget(grid)
            height += grid.height
        self.composing = KLabel("", size=self._sizes.small, colour=TEXT_MUTED)
        self.add_widget(self.composing)
        height += dp(self._sizes.small * 1.5)
        self.candidate_bar = self._row()
        self.add_widget(self.candidate_bar)
        height += dp(self._key_height)
        rows = DIGIT_ROWS if self.mode == "digits" else LETTER_ROWS
        for keys in rows:
            row = self._row()
            for ch in keys:
                shown = ch.upper() if self.mode == "english" else ch
                row.add_widget(self._button(shown, partial(self.press_letter, shown)))
            self.add_widget(row)
        height += len(rows) * dp(self._key_height)
        last = self._row()
        last.add_widget(
            self._button(
                _("英") if self.mode == "pinyin" else _("中"),
                partial(self.press_mode, "english" if self.mode == "pinyin" else "pinyin"),
            )
        )
        last.add_widget(
            self._button(
                _("字母") if self.mode == "digits" else "123",
                partial(self.press_mode, "pinyin" if self.mode == "digits" else "digits"),
            )
        )
        space = self._button(_("空格"), self.press_space)
        space.size_hint_x = 2
        last.add_widget(space)
        last.add_widget(self._button(_("删除"), self.press_backspace))
        self.add_widget(last)
        height += dp(self._key_height)
        children = len(self.children)
        self.height = height + (children - 1) * dp(8)
        self._draw_candidates()

    def _draw_candidates(self, *args: Any) -> None:
        bar = self.candidate_bar
        bar.clear_widgets()
        letters = self.composer.letters
        hint = _("输入拼音，点候选字词") if self.mode == "pinyin" else ""
        self.composing.text = _("拼音：{letters}").format(letters=letters) if letters else hint
        if self.mode != "pinyin" or not letters:
            return
        if not pinyin_input.ready():
            bar.add_widget(KLabel(_("正在准备候选字…"), size=self._sizes.small, colour=TEXT_MUTED))
            if self._waiting is None:
                self._waiting = Clock.schedule_interval(self._poll_ready, 0.2)
            return
        bar.add_widget(self._button(_("上页"), partial(self._page, False)))
        for position, candidate in enumerate(self.composer.shown()):
            choose = partial(self.press_candidate, position)
            button = self._button(candidate.text, choose, primary=position == 0)
            button.size_hint_x = 1 + 0.6 * max(len(candidate.text) - 1, 0)
            bar.add_widget(button)
        bar.add_widget(self._button(_("下页"), partial(self._page, True)))

    def _poll_ready(self, *args: Any) -> bool:
        if pinyin_input.ready():
            self._waiting = None
            self._draw_candidates()
            return False
        return True
