"""Rate (好差评): five large choices; a score of 2 or 1 asks for a reason before it is sent."""

from __future__ import annotations

from collections.abc import Hashable

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens.base import KioskScreen
from screens.theme import BLUE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, spacer

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
    _low_score: int | None = None
    _reasons: tuple[str, ...] = ()

    def extra_signature(self) -> Hashable:
        return (self._low_score, self._reasons)

    def on_enter(self, *args: object) -> None:
        self._low_score, self._reasons = None, ()
        self.refresh(force=True)

    def _choose(self, score: int) -> None:
        if score <= 2:
            self._low_score = score
            self.refresh()
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
            self.ctx.controller.rate(self._low_score, self._reasons)

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        page = self.page()
        if self._low_score is None:
            page.add_widget(
                KLabel(_("请您对本次服务进行评价"), size=s.title, bold=True, colour=BLUE, halign="center")
            )
            page.add_widget(
                KLabel(
                    _("好差评：您的评价将帮助我们改进服务"), size=s.body, colour=TEXT_MUTED, halign="center"
                )
            )
            page.add_widget(spacer())
            for score, label in SCORES:
                page.add_widget(BigButton(_(label), lambda sc=score: self._choose(sc), s, primary=score >= 3))
            page.add_widget(BigButton(_("跳过"), lambda: c.rate(None), s, primary=False))
            return page
        page.add_widget(KLabel(_("请选择不满意的原因（可多选）"), size=s.title, bold=True, halign="center"))
        for reason in LOW_REASONS:
            chosen = reason in self._reasons
            label = ("✓ " if chosen else "") + _(reason)
            page.add_widget(BigButton(label, lambda r=reason: self._toggle_reason(r), s, primary=chosen))
        page.add_widget(spacer())
        actions = BoxLayout(
            orientation="horizontal", spacing=dp(28), size_hint_y=None, height=dp(s.button_height)
        )
        actions.add_widget(BigButton(_("重新评价"), self._reset, s, primary=False))
        submit = BigButton(_("提交评价") if self._reasons else _("请先选择原因"), self._submit_low, s)
        submit.disabled = not self._reasons
        actions.add_widget(submit)
        page.add_widget(actions)
        return page

    def _reset(self) -> None:
        self._low_score, self._reasons = None, ()
        self.refresh()
