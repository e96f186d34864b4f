"""Admin page for staff: a numeric PIN pad, then settings with toggles, steppers and choices.

No system keyboard on a kiosk: every edit is a tap. Each change goes through AdminMode.change
(validated with the start-up models, saved atomically, applied live, audited); a refused value
shows the reason. Opened by the hidden long press in the top-left corner.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Hashable
from functools import partial
from typing import Any

from kivy.app import App
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.admin import admin_for
from kiosk.admin.fields import FIELDS, EditableField, get_value, next_value
from kiosk.i18n import _, current_language
from screens.base import KioskScreen, scroll_when_taller
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, Panel, spacer

GROUPS = ("服务开关", "超时", "显示与语音", "设备", "终端信息")
CJK = re.compile(r"[\u3400-\u9fff]")  # a Chinese character is about twice as wide as a Latin one
PAUSE_MESSAGES = (
    "设备维护中，暂停服务，请到服务窗口办理。",
    "系统升级中，请稍后再来。",
    "本机暂停服务，请使用旁边的自助终端。",
)


class AdminScreen(KioskScreen):
    step = "admin"
    _digits: str = ""
    _choosing_pause: bool = False
    _group: str = GROUPS[0]
    _task: asyncio.Task[Any] | None = None

    def extra_signature(self) -> Hashable:
        c = self.ctx.controller
        mode = admin_for(c)
        return (
            mode.unlocked,
            len(self._digits),
            mode.last_message,
            c.paused,
            id(c.config),
            self._choosing_pause,
            self._group,
            tuple((call.ticket, call.phase) for call in c.help_desk.calls),
        )

    def on_enter(self, *args: object) -> None:
        self._digits, self._choosing_pause = "", False
        mode = admin_for(self.ctx.controller)
        if not mode.unlocked:
            mode.last_message = mode.pad_notice()  # a lockout or unusable lockout state says so at once
        self.refresh(force=True)

    # ------------------------------------------------------------------ PIN pad
    def _press(self, key: str) -> None:
        if key == "clear":
            self._digits = ""
        elif key == "ok":
            pin, self._digits = self._digits, ""
            if pin and self._task is None:
                self._task = asyncio.get_running_loop().create_task(self._unlock(pin))
        elif len(self._digits) < 12:
            self._digits += key
        self.refresh()

    async def _unlock(self, pin: str) -> None:
        try:
            await admin_for(self.ctx.controller).unlock_async(pin)
        finally:
            self._task = None
            self.refresh()

    def _pin_pad(self) -> Widget:
        s = self.ctx.sizes
        mode = admin_for(self.ctx.controller)
        page = self.page()
        page.add_widget(KLabel(_("工作人员管理"), size=s.title, bold=True, colour=BLUE, halign="center"))
        page.add_widget(KLabel(_("请输入管理 PIN"), size=s.body, colour=TEXT_MUTED, halign="center"))
        shown = " ".join("●" for _ in self._digits) or "—"
        page.add_widget(KLabel(shown, size=s.title, halign="center"))
        # the message has its room whether or not there is one: a wrong PIN must not push the keypad
        # down under the finger that is typing (two lines; a longer message is cut short)
        slot = BoxLayout(size_hint_y=None, height=dp(s.body * s.line_height * 2 + 8))
        slot.add_widget(
            KLabel(
                mode.last_message or "",
                size=s.body,
                colour=BADGE["revoked"],
                halign="center",
                line_height=s.line_height,
                max_lines=2,
                shorten=True,
            )
        )
        page.add_widget(slot)
        pad = GridLayout(cols=3, spacing=dp(18), size_hint=(None, None))
        pad.width = dp(640)
        pad.height = dp(4 * s.button_height + 3 * 18)
        pad.pos_hint = {"center_x": 0.5}
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"):
            label = {"clear": _("清除"), "ok": _("确定")}.get(key, key)
            pad.add_widget(BigButton(label, partial(self._press, key), s, primary=key == "ok"))
        page.add_widget(pad)
        page.add_widget(spacer())
        return page

    # ------------------------------------------------------------------ settings
    def _change(self, field: EditableField, value: Any) -> None:
        admin_for(self.ctx.controller).change(field.path, value)
        self.refresh()

    def _editor(self, field: EditableField, value: Any) -> Widget:
        """One setting's row: its name, then a toggle, a stepper or its choices. The row grows with
        whichever part is taller (an English name on two lines, six printer kinds in two rows)."""
        s = self.ctx.sizes
        h = dp(s.button_height * 0.62)
        row = BoxLayout(orientation="horizontal", spacing=dp(12), size_hint_y=None, height=h)
        # every part centred on the row's line: a horizontal box puts a child of its own height at
        # its bottom, and the row is taller than a button when the name takes two lines
        middle = {"center_y": 0.5}
        name = KLabel(_(field.label), size=s.small, size_hint_x=0.42, pos_hint=middle)
        row.add_widget(name)
        parts: list[Widget] = [name]
        if field.kind == "readonly":
            shown = KLabel(str(value), size=s.small, colour=TEXT_MUTED, size_hint_x=0.58, pos_hint=middle)
            row.add_widget(shown)
            parts.append(shown)
        elif field.kind == "bool":
            row.add_widget(
                BigButton(
                    _(field.label_for(value)),
                    lambda: self._change(field, next_value(field, value)),
                    s,
                    primary=bool(value),
                    height=h,
                    size_hint_x=0.58,
                )
            )
        elif field.kind in ("int", "float"):
            stepper = BoxLayout(orientation="horizontal", spacing=dp(8), size_hint_x=0.58)

            def step(sign: int) -> BigButton:
                def press() -> None:
                    self._change(field, next_value(field, value, sign))

                return BigButton("＋" if sign > 0 else "－", press, s, False, height=h, pos_hint=middle)

            stepper.add_widget(step(-1))
            stepper.add_widget(
                KLabel(field.label_for(value), size=s.body, bold=True, halign="center", pos_hint=middle)
            )
            stepper.add_widget(step(1))
            row.add_widget(stepper)
        else:
            # at most three choices a row (six in one row left 50 px a button in a landscape
            # column), two when a label is long (Simulated, Serial SAM)
            labels = [
                _in(field.choice_labels[i] if field.choice_labels else str(choice), "类型")
                for i, choice in enumerate(field.choices)
            ]
            widest = max(sum(2 if CJK.match(ch) else 1 for ch in label) for label in labels)
            cols = min(3 if widest <= 7 else 2, len(field.choices))
            rows = -(-len(field.choices) // cols)
            choices = GridLayout(cols=cols, spacing=dp(8), size_hint_x=0.58)
            choices.height = rows * h + (rows - 1) * dp(8)
            for label, choice in zip(labels, field.choices, strict=True):
                button = BigButton(
                    label, partial(self._change, field, choice), s, primary=choice == value, height=h
                )
                button.font_size = dp(s.small)
                choices.add_widget(button)
            row.add_widget(choices)
            row.height = choices.height
        least = row.height

        def fit(*_: Any) -> None:
            row.height = max(least, *(part.height for part in parts))

        for part in parts:
            part.bind(height=fit)
        return row

    def _status(self, column: BoxLayout) -> None:
        """管理模式, the service state, 语音播报, the last message and the open calls."""
        c = self.ctx.controller
        s = self.ctx.sizes
        mode = admin_for(c)
        column.add_widget(KLabel(_("管理模式"), size=s.title, bold=True, colour=BLUE))
        state = _("已暂停服务：{message}").format(message=_(c.paused)) if c.paused else _("服务中")
        column.add_widget(KLabel(state, size=s.body, colour=BADGE["revoked"] if c.paused else BADGE["valid"]))
        voice = self._voice_state()
        if voice is not None:  # a silent terminal is said here, not only logged once
            column.add_widget(
                KLabel(voice[0], size=s.body, colour=BADGE["valid"] if voice[1] else BADGE["revoked"])
            )
        if mode.last_message:
            column.add_widget(KLabel(mode.last_message, size=s.small, colour=TEXT_MUTED))
        if c.help_desk.calls:
            column.add_widget(self._help_calls(dp(s.button_height * 0.7)))

    def _actions(self, h: float) -> Widget:
        """设备诊断, 暂停服务 or 恢复服务, 退出管理: one row."""
        c = self.ctx.controller
        s = self.ctx.sizes
        mode = admin_for(c)
        row = BoxLayout(orientation="horizontal", spacing=dp(16), size_hint_y=None, height=h)
        row.add_widget(BigButton(_("设备诊断"), lambda: c.open_view("diagnostics"), s, height=h))
        if c.paused:
            row.add_widget(BigButton(_("恢复服务"), self._resume, s, primary=False, height=h))
        else:
            row.add_widget(BigButton(_in("暂停服务", "操作"), self._choose_pause, s, primary=False, height=h))
        row.add_widget(BigButton(_("退出管理"), mode.leave, s, primary=False, height=h))
        return row

    def _groups(self, column: BoxLayout, h: float) -> None:
        """The pause notices when choosing, the group tabs, and the chosen group's settings (a list
        that scrolls: its room is what the column leaves)."""
        c = self.ctx.controller
        s = self.ctx.sizes
        content = BoxLayout(orientation="vertical", spacing=dp(16))
        if self._choosing_pause:
            panel = Panel(spacing=10)
            panel.add_widget(KLabel(_("选择暂停时显示的提示"), size=s.body, bold=True))
            for message in PAUSE_MESSAGES:
                panel.add_widget(
                    _growing(BigButton(_(message), partial(self._pause, message), s, primary=False, height=h))
                )
            panel.add_widget(BigButton(_("取消"), self._cancel_pause, s, primary=False, height=h))
            content.add_widget(panel)
        # three tabs a row: five in one row were 120 px each in a landscape column (English wraps)
        tab_h = h * 0.8
        tabs = GridLayout(cols=3, spacing=dp(8), size_hint_y=None, height=2 * tab_h + dp(8))
        for group in GROUPS:
            tab = BigButton(
                _(group), partial(self._show_group, group), s, primary=group == self._group, height=tab_h
            )
            tab.font_size = dp(s.small)
            tabs.add_widget(tab)
        column.add_widget(tabs)
        panel = Panel(spacing=8)
        for field in FIELDS:  # one group at a time: few widgets to rebuild after each change
            if field.group == self._group:
                panel.add_widget(self._editor(field, get_value(c.config, field.path)))
        content.add_widget(panel)
        column.add_widget(self.scroll(content))

    def _settings(self) -> Widget:
        """Portrait: one column. Landscape: the state on the left, the settings on the right, the
        actions in a row under both. WHY: in one column on a landscape window the settings' list was
        squeezed to nothing, its cue drawn over the tabs, and the title pushed under the header
        (layout audit, 1280x800 and 1920x1080)."""
        s = self.ctx.sizes
        h = dp(s.button_height * 0.7)
        page = self.page()
        if not self.landscape():
            self._status(page)
            page.add_widget(self._actions(h))
            self._groups(page, h)
            return page
        row = BoxLayout(orientation="horizontal", spacing=dp(36))
        left = BoxLayout(orientation="vertical", spacing=dp(s.spacing * 0.6), size_hint_x=0.4)
        right = BoxLayout(orientation="vertical", spacing=dp(s.spacing * 0.6), size_hint_x=0.6)
        self._status(left)
        left.add_widget(spacer())
        self._groups(right, h)
        row.add_widget(left)
        row.add_widget(right)
        page.add_widget(row)
        page.add_widget(self._actions(h))
        scroll_when_taller(row, left, s.small)  # many open calls: the state column scrolls
        return page

    @staticmethod
    def _voice_state() -> tuple[str, bool] | None:
        """语音播报 as the running player finds it: (text, audible), None without a player."""
        player = getattr(App.get_running_app(), "voice", None)
        if player is None:
            return None
        out = player.output_state()
        detail = _voice_detail(out.detail)
        if out.available:
            return _("语音播报：正常（{detail}）").format(detail=detail), True
        return _("语音播报：无声（{detail}），请检查音箱或声卡").format(detail=detail), False

    def _help_calls(self, h: float) -> Widget:
        """Open 呼叫工作人员 calls, oldest first: 已处理 closes one and tells the channels that had it."""
        c, s = self.ctx.controller, self.ctx.sizes
        panel = Panel(spacing=8)
        panel.add_widget(
            KLabel(_("待处理的呼叫（{n}）").format(n=len(c.help_desk.calls)), size=s.body, bold=True)
        )
        state = {"calling": _("正在通知"), "accepted": _("已送达"), "fallback": _("未能送达")}
        for call in c.help_desk.calls[:5]:  # the page has room for a few; more stay in the list
            row = BoxLayout(orientation="horizontal", spacing=dp(16), size_hint_y=None, height=h)
            opened = time.strftime("%H:%M", time.localtime(call.opened))
            text = f"{call.ticket}  {opened}  {state.get(call.phase, call.phase)}"
            row.add_widget(KLabel(text, size=s.small))
            button = BigButton(_("已处理"), partial(c.help_handled, call.ticket), s, height=h)
            button.size_hint_x = 0.4  # in a landscape column 0.35 was 102 px: Handled did not fit
            button.font_size = dp(s.small)
            row.add_widget(button)
            panel.add_widget(row)
        return panel

    def _show_group(self, group: str) -> None:
        self._group = group
        self.refresh()

    def _choose_pause(self) -> None:
        self._choosing_pause = True
        self.refresh()

    def _cancel_pause(self) -> None:
        self._choosing_pause = False
        self.refresh()

    def _pause(self, message: str) -> None:
        self._choosing_pause = False
        admin_for(self.ctx.controller).pause(message)

    def _resume(self) -> None:
        admin_for(self.ctx.controller).resume()

    def build(self) -> Widget:
        if not admin_for(self.ctx.controller).unlocked:
            return self._pin_pad()
        return self._settings()


def _voice_detail(detail: str) -> str:
    """The player's finding (plain Chinese, kiosk.voice.output) in the page's language."""
    for template, pattern in (("声音服务（{name}）", r"声音服务（(.*)）"), ("声卡：{name}", r"声卡：(.*)")):
        found = re.fullmatch(pattern, detail)
        if found:
            names = found.group(1) if current_language() == "zh_CN" else found.group(1).replace("、", ", ")
            return _(template).format(name=names)
    return _(detail)


def _in(text: str, context: str) -> str:
    """``text`` as the catalogue translates it in this context (``text（context）``), else as usual.

    WHY: one Chinese word, two English ones: 暂停服务 is the paused page's title (Out of service) and
    this page's button (Pause service); 网络 the header's Net and a printer kind (Network).
    """
    key = f"{text}（{context}）"
    found = _(key)
    return _(text) if found == key else found


def _growing(button: BigButton) -> BigButton:
    """A button as tall as its wrapped text needs (a pause notice takes two lines in English)."""
    least = button.height

    def fit(*_: Any) -> None:
        button.height = max(least, button.texture_size[1] + dp(20))

    button.bind(texture_size=fit)
    return button
