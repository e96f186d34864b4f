"""A pinyin keyboard for Chinese text on the touch screen (the terminal has no input method).

Letters compose pinyin; the candidate bar shows the words and characters they spell
(kiosk/pinyin_input.py: pypinyin's readings ranked by jieba's frequencies), a page at a time, with
上一页 / 下一页. 中/英 switches between pinyin and plain letters, 123 to digits and Chinese
punctuation; 空格 chooses the first candidate while letters are typed; 删除 takes back a letter, then
a character. Optional phrase keys type whole phrases (common complaints).

It types either into a Kivy ``TextInput`` (``target``: inserted at its cursor) or into its own
``text``, calling ``on_change(text)`` after every change (the rating comment box, the guide
search). Keys are the same BigButtons (≥ 64 dp high, text ≥ 27 dp; elder mode ≥ 80 dp and
≥ 33 dp), colours from the theme.

On a low screen (a 1280×800 landscape terminal) the page gives it less height than that
(``fit_height``): the keys get lower, never below the mode's tap target (48 dp, elder 60 dp). The
candidate bar holds as many candidates as fit its width (measured), fewer on a narrow column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.textinput import TextInput

from kiosk import pinyin_input
from kiosk.i18n import _
from screens.theme import FONT_BOLD, TEXT_MUTED, Sizes
from screens.widgets import BigButton, KLabel

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
DIGIT_ROWS = ("1234567890", "，。？！、：；", "-()@#/")
MAX_LENGTH = 500
KEY_PADDING_DP = 16.0  # a BigButton's text keeps 8 dp from each side (screens.widgets.wrap)


def carried_over(held: PinyinKeyboard | None, sizes: Sizes, text: str) -> PinyinKeyboard | None:
    """The keyboard a rebuilt page shows again: ``held``, off its old page and showing ``text``; or
    ``None`` when one must be made (none yet, or the mode's sizes changed).

    WHY: a page is rebuilt for reasons the citizen did not cause (a device's status arriving); a
    new keyboard dropped the pinyin being typed and went back to pinyin from 英 or 123.
    """
    if held is None or held._sizes != sizes:
        return None
    if held.parent is not None:
        held.parent.remove_widget(held)
    if held._target is None and held.text != text:  # a phrase, 清空, or a new citizen: it follows
        held._text = text
    return held


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
        self.composer.fits = self._fits_bar
        self._natural_key = max(64.0, self._sizes.button_height * 0.62)
        self._least_key = 60.0 if elder else 48.0  # the mode's tap target (ux.md)
        self._key_height = self._natural_key
        self._key_sizes = replace(self._sizes, button=self._sizes.button * 0.8)
        self._measure = CoreLabel(font_name=FONT_BOLD, font_size=dp(self._key_sizes.button))
        self._redraw_bar = Clock.create_trigger(self._draw_candidates, 0)
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

    # ------------------------------------------------------------------ fitting
    def fit_height(self, room: float | None) -> None:
        """Keys low enough for the keyboard to fit ``room`` pixels (``None``: their full height),
        never below the mode's tap target; redrawn only when the key height changes."""
        key = self._natural_key
        if room is not None and room > 1:
            fixed = dp(self._sizes.small * 1.5) + (len(self.children) - 1) * dp(8)
            rows = self._key_rows()
            key = max(self._least_key, min(self._natural_key, (room - fixed) / dp(1) / rows))
        if abs(key - self._key_height) > 0.5:
            self._key_height = key
            self._draw()

    def _key_rows(self) -> int:
        phrase_lines = (len(self._phrases) + 1) // 2
        rows = DIGIT_ROWS if self.mode == "digits" else LETTER_ROWS
        return phrase_lines + 1 + len(rows) + 1  # phrases, candidates, letters, the last row

    def _need(self, text: str) -> float:
        """The width a key needs for ``text`` on one line at the keys' size."""
        return float(self._measure.get_extents(text)[0]) + dp(KEY_PADDING_DP + 8)

    def _fits_bar(self, page: Sequence[pinyin_input.Candidate]) -> bool:
        width = self.candidate_bar.width if getattr(self, "candidate_bar", None) is not None else 0
        if width <= 1:  # not laid out yet: drawn again once it is (_draw_candidates on width)
            return True
        pager = 2 * max(self._need(_("上页")), self._need(_("下页")))
        need = pager + sum(self._need(c.text) for c in page) + dp(8) * (len(page) + 1)
        return need <= width

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
        self.candidate_bar.bind(width=lambda *_a: self._redraw_bar())
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
        space.size_hint_x = 1.5
        last.add_widget(space)
        delete = self._button(_("删除"), self.press_backspace)
        delete.size_hint_x = 1.5  # "Delete" on one line in a column half the screen wide
        last.add_widget(delete)
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
        # each key as wide as its text needs, the bar's width shared out in that proportion (the
        # composer's page holds only what fits: _fits_bar)
        pager = max(self._need(_("上页")), self._need(_("下页")))
        previous = self._button(_("上页"), partial(self._page, False))
        previous.size_hint_x = pager
        bar.add_widget(previous)
        for position, candidate in enumerate(self.composer.shown()):
            choose = partial(self.press_candidate, position)
            button = self._button(candidate.text, choose, primary=position == 0)
            button.size_hint_x = self._need(candidate.text)
            bar.add_widget(button)
        following = self._button(_("下页"), partial(self._page, True))
        following.size_hint_x = pager
        bar.add_widget(following)

    def _poll_ready(self, *args: Any) -> bool:
        if pinyin_input.ready():
            self._waiting = None
            self._draw_candidates()
            return False
        return True
