"""Rate (好差评): five large choices; a score of 2 or 1 asks for a reason before it is sent, with
an optional comment typed on the pinyin keyboard (screens/pinyin_keyboard.py).

The rating goes to ``controller.rate`` which keeps it in a persistent outbox until the backend has
it (kiosk.rating). A comment with number-like text (an ID or phone number) is not kept: the screen
says so before the citizen submits.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial
from typing import Any

from kivy.app import App
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from kiosk.rating import safe_comment
from screens.base import KioskScreen
from screens.in_view import low_landscape
from screens.keyboard import MAX_LENGTH, PHRASES
from screens.pinyin_keyboard import PinyinKeyboard, carried_over
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, Panel, spacer

SCORES = ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))
LOW_REASONS = (
    "等待时间太长",
    "操作步骤太复杂",
    "证照信息不全或有误",
    "打印有问题",
    "工作人员服务不到位",
    "其他",
)


class RateScreen(KioskScreen):
    step = "rate"
    page_parts = ("_comment_label", "_comment_warning")
    _low_score: int | None = None
    _reasons: tuple[str, ...] = ()
    _comment: str = ""
    _typing: bool = False
    # kept across the page's rebuilds (screens.pinyin_keyboard.carried_over); dropped with the comment
    _keyboard: PinyinKeyboard | None = None

    def extra_signature(self) -> Hashable:
        return (self._low_score, self._reasons, self._typing, self._comment if not self._typing else None)

    def on_enter(self, *args: object) -> None:
        self._reset()

    def on_leave(self, *args: Any) -> None:
        self._low_score, self._reasons, self._comment, self._typing = None, (), "", False
        self._keyboard = None

    # ------------------------------------------------------------------ actions
    def _choose(self, score: int) -> None:
        if score <= 2:
            self._low_score = score
            self.refresh()
            voice = getattr(App.get_running_app(), "voice", None)
            if voice is not None:
                voice.say("rate_reason")  # the reasons page is screen-local: say it from here
        else:
            self.ctx.controller.rate(score)

    def _toggle_reason(self, reason: str) -> None:
        self._reasons = (
            tuple(r for r in self._reasons if r != reason)
            if reason in self._reasons
            else (*self._reasons, reason)
        )
        self.refresh()

    def _submit_low(self) -> None:
        if self._low_score is not None and self._reasons:
            self.ctx.controller.rate(self._low_score, self._reasons, safe_comment(self._comment))

    def _reset(self) -> None:
        self._low_score, self._reasons, self._comment, self._typing = None, (), "", False
        self._keyboard = None
        self.refresh(force=True)

    def _set_typing(self, on: bool) -> None:
        self._typing = on
        self.refresh()

    def _typed(self, text: str) -> None:
        self._comment = text
        self.ctx.controller.keep_alive()
        shown = getattr(self, "_comment_label", None)
        if shown is not None:
            shown.text = text or _("（请用下方按键输入）")
        warn = getattr(self, "_comment_warning", None)
        if warn is not None:
            warn.text = _("说明中含有号码，为保护隐私将不会提交") if text and not safe_comment(text) else ""

    # ------------------------------------------------------------------ pages
    def build(self) -> Widget:
        if self._low_score is None:
            return self._scores_page()
        if self._typing:
            return self._comment_page()
        return self._reasons_page()

    def _scores_page(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        page = self.page()
        # a low landscape page (1280x800: about 530 px) had 跳过 under a scroll cue
        short = low_landscape()
        if short:
            page.padding = (dp(48), dp(20))
        page.add_widget(
            KLabel(
                _("请您对本次服务进行评价"),
                size=s.title * (0.8 if short else 1.0),
                bold=True,
                colour=BLUE,
                halign="center",
            )
        )
        page.add_widget(
            KLabel(_("好差评：您的评价将帮助我们改进服务"), size=s.body, colour=TEXT_MUTED, halign="center")
        )
        page.add_widget(spacer())
        # the five grades look the same (none filled, none pre-selected): the page must not steer
        # toward 好评 (it did: the three positive grades were filled buttons, the negative outlined).
        # Landscape: the five in one row, best on the left as in portrait's top; stacked, they
        # pushed the question above the page (under the header)
        grades: Any = page
        if self.landscape():
            grades = BoxLayout(
                orientation="horizontal",
                spacing=dp(s.spacing * 0.6),
                size_hint_y=None,
                height=dp(s.button_height),
            )
            page.add_widget(grades)
        for score, label in SCORES:
            grades.add_widget(BigButton(_(label), partial(self._choose, score), s, primary=False))
        page.add_widget(spacer(s.spacing))
        skip = BigButton(_("跳过"), lambda: c.rate(None), s, primary=False)
        if self.landscape():
            row = BoxLayout(orientation="horizontal", size_hint_y=None, height=skip.height)
            skip.size_hint_x = 0.4
            row.add_widget(Widget())
            row.add_widget(skip)
            row.add_widget(Widget())
            page.add_widget(row)
            page.add_widget(spacer())
        else:
            page.add_widget(skip)
        return page

    def _reasons_page(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        page.add_widget(KLabel(_("请选择不满意的原因（可多选）"), size=s.title, bold=True, halign="center"))
        landscape = self.landscape()
        # landscape: three a row, and 填写补充说明 beside 重新评价 (the page's height, not its
        # width, is what a landscape window lacks: the title was cut off)
        cols = 3 if landscape else 2
        h = dp(s.button_height)
        grid = GridLayout(cols=cols, spacing=dp(s.spacing * 0.6), size_hint_y=None)
        rows = -(-len(LOW_REASONS) // cols)
        grid.height = rows * h + (rows - 1) * dp(s.spacing * 0.6)
        for reason in LOW_REASONS:
            chosen = reason in self._reasons
            label = ("✓ " if chosen else "") + _(reason)
            grid.add_widget(
                BigButton(label, partial(self._toggle_reason, reason), s, primary=chosen, height=h)
            )
        page.add_widget(grid)
        actions = BoxLayout(
            orientation="horizontal", spacing=dp(28), size_hint_y=None, height=dp(s.button_height)
        )
        actions.add_widget(BigButton(_("重新评价"), self._reset, s, primary=False))
        write = BigButton(_("填写补充说明"), lambda: self._set_typing(True), s, primary=False)
        if landscape:
            actions.add_widget(write)
        if self._reasons:
            actions.add_widget(BigButton(_("提交评价"), self._submit_low, s))
        else:  # a hint, not a button: no fill, no outline, nothing to tap (text still ≥ 4.5:1)
            actions.add_widget(WaitingHint(_("请先选择原因，再提交评价"), s))
        if landscape and not self._comment:  # 填写补充说明 says there is none yet
            page.add_widget(spacer())
            page.add_widget(actions)
            return page
        note = Panel(spacing=s.spacing * 0.3)
        note.add_widget(KLabel(_("补充说明（可选）"), size=s.small, colour=TEXT_MUTED))
        note.add_widget(
            KLabel(self._comment or _("未填写"), size=s.body, line_height=s.line_height, shorten=False)
        )
        if self._comment and not safe_comment(self._comment):
            note.add_widget(
                KLabel(_("说明中含有号码，为保护隐私将不会提交"), size=s.small, colour=BADGE["revoked"])
            )
        page.add_widget(note)
        if not landscape:
            page.add_widget(write)
        page.add_widget(spacer())
        page.add_widget(actions)
        return page

    def _comment_page(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        page.add_widget(KLabel(_("补充说明（可选）"), size=s.title, bold=True, halign="center"))
        page.add_widget(
            KLabel(_("请勿填写身份证号、电话等个人信息"), size=s.small, colour=TEXT_MUTED, halign="center")
        )
        box = Panel(spacing=s.spacing * 0.3)
        self._comment_label = KLabel(self._comment or _("（请用下方按键输入）"), size=s.body)
        self._comment_warning = KLabel("", size=s.small, colour=BADGE["revoked"])
        box.add_widget(self._comment_label)
        box.add_widget(self._comment_warning)
        page.add_widget(box)
        self._typed(self._comment)
        page.add_widget(spacer())
        # pinyin with candidates (screens/pinyin_keyboard.py), the common complaints as phrase keys
        keyboard = carried_over(self._keyboard, s, self._comment)
        if keyboard is None:
            keyboard = self._keyboard = PinyinKeyboard(
                self._comment, self._typed, s, phrases=PHRASES, max_length=MAX_LENGTH
            )
        page.add_widget(keyboard)
        page.add_widget(BigButton(_("完成"), lambda: self._set_typing(False), s))
        return page


class WaitingHint(BoxLayout):
    """Where the submit button will be once a reason is chosen: muted text on the page, no button
    shape, so it cannot be taken for an enabled button (it was a filled-looking "请先选择原因")."""

    def __init__(self, text: str, sizes: Any) -> None:
        super().__init__(size_hint_y=None, height=dp(sizes.button_height))
        self.add_widget(KLabel(text, size=sizes.body, colour=TEXT_MUTED, halign="center"))
