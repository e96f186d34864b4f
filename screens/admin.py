"""Admin page for staff: a numeric PIN pad, then settings with toggles, steppers and choices.

No system keyboard on a kiosk: every edit is a tap. Each change goes through AdminMode.change
(validated with the start-up models, saved atomically, applied live, audited); a refused value
shows the reason. Opened by the hidden long press in the top-left corner.
"""

from __future__ import annotations

import asyncio
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
from screens.base import KioskScreen
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, Panel, spacer

GROUPS = ("服务开关", "超时", "显示与语音", "设备", "终端信息")
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
        page.add_widget(KLabel("工作人员管理", size=s.title, bold=True, colour=BLUE, halign="center"))
        page.add_widget(KLabel("请输入管理 PIN", size=s.body, colour=TEXT_MUTED, halign="center"))
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
            label = {"clear": "清除", "ok": "确定"}.get(key, key)
            pad.add_widget(BigButton(label, partial(self._press, key), s, primary=key == "ok"))
        page.add_widget(pad)
        page.add_widget(spacer())
        return page

    # ------------------------------------------------------------------ settings
    def _change(self, field: EditableField, value: Any) -> None:
        admin_for(self.ctx.controller).change(field.path, value)
        self.refresh()

    def _editor(self, field: EditableField, value: Any) -> Widget:
        s = self.ctx.sizes
        h = dp(s.button_height * 0.62)
        row = BoxLayout(orientation="horizontal", spacing=dp(12), size_hint_y=None, height=h)
        row.add_widget(KLabel(field.label, size=s.small, size_hint_x=0.42))
        if field.kind == "readonly":
            row.add_widget(KLabel(str(value), size=s.small, colour=TEXT_MUTED, size_hint_x=0.58))
            return row
        if field.kind == "bool":
            row.add_widget(
                BigButton(
                    field.label_for(value),
                    lambda: self._change(field, next_value(field, value)),
                    s,
                    primary=bool(value),
                    height=h,
                    size_hint_x=0.58,
                )
            )
            return row
        if field.kind in ("int", "float"):
            stepper = BoxLayout(orientation="horizontal", spacing=dp(8), size_hint_x=0.58)
            stepper.add_widget(
                BigButton("－", lambda: self._change(field, next_value(field, value, -1)), s, False, height=h)
            )
            stepper.add_widget(KLabel(field.label_for(value), size=s.body, bold=True, halign="center"))
            stepper.add_widget(
                BigButton("＋", lambda: self._change(field, next_value(field, value, 1)), s, False, height=h)
            )
            row.add_widget(stepper)
            return row
        choices = BoxLayout(orientation="horizontal", spacing=dp(8), size_hint_x=0.58)
        for i, choice in enumerate(field.choices):
            label = field.choice_labels[i] if field.choice_labels else str(choice)
            button = BigButton(
                label, partial(self._change, field, choice), s, primary=choice == value, height=h
            )
            button.font_size = dp(s.small)
            choices.add_widget(button)
        row.add_widget(choices)
        return row

    def _settings(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        mode = admin_for(c)
        page = self.page()
        page.add_widget(KLabel("管理模式", size=s.title, bold=True, colour=BLUE))
        state = f"已暂停服务：{c.paused}" if c.paused else "服务中"
        page.add_widget(KLabel(state, size=s.body, colour=BADGE["revoked"] if c.paused else BADGE["valid"]))
        voice = self._voice_state()
        if voice is not None:  # a silent terminal is said here, not only logged once
            page.add_widget(
                KLabel(voice[0], size=s.body, colour=BADGE["valid"] if voice[1] else BADGE["revoked"])
            )
        if mode.last_message:
            page.add_widget(KLabel(mode.last_message, size=s.small, colour=TEXT_MUTED))
        h = dp(s.button_height * 0.7)
        actions = BoxLayout(orientation="horizontal", spacing=dp(16), size_hint_y=None, height=h)
        actions.add_widget(BigButton("设备诊断", lambda: c.open_view("diagnostics"), s, height=h))
        if c.paused:
            actions.add_widget(BigButton("恢复服务", self._resume, s, primary=False, height=h))
        else:
            actions.add_widget(BigButton("暂停服务", self._choose_pause, s, primary=False, height=h))
        actions.add_widget(BigButton("退出管理", mode.leave, s, primary=False, height=h))
        page.add_widget(actions)
        if c.help_desk.calls:
            page.add_widget(self._help_calls(h))
        content = BoxLayout(orientation="vertical", spacing=dp(16))
        if self._choosing_pause:
            panel = Panel(spacing=10)
            panel.add_widget(KLabel("选择暂停时显示的提示", size=s.body, bold=True))
            for message in PAUSE_MESSAGES:
                panel.add_widget(
                    BigButton(message, partial(self._pause, message), s, primary=False, height=h)
                )
            panel.add_widget(BigButton("取消", self._cancel_pause, s, primary=False, height=h))
            content.add_widget(panel)
        tabs = BoxLayout(orientation="horizontal", spacing=dp(8), size_hint_y=None, height=h * 0.8)
        for group in GROUPS:
            tab = BigButton(
                group, partial(self._show_group, group), s, primary=group == self._group, height=h * 0.8
            )
            tab.font_size = dp(s.small)
            tabs.add_widget(tab)
        page.add_widget(tabs)
        panel = Panel(spacing=8)
        for field in FIELDS:  # one group at a time: few widgets to rebuild after each change
            if field.group == self._group:
                panel.add_widget(self._editor(field, get_value(c.config, field.path)))
        content.add_widget(panel)
        page.add_widget(self.scroll(content))
        return page

    @staticmethod
    def _voice_state() -> tuple[str, bool] | None:
        """语音播报 as the running player finds it: (text, audible), None without a player."""
        player = getattr(App.get_running_app(), "voice", None)
        if player is None:
            return None
        out = player.output_state()
        if out.available:
            return f"语音播报：正常（{out.detail}）", True
        return f"语音播报：无声（{out.detail}），请检查音箱或声卡", False

    def _help_calls(self, h: float) -> Widget:
        """Open 呼叫工作人员 calls, oldest first: 已处理 closes one and tells the channels that had it."""
        c, s = self.ctx.controller, self.ctx.sizes
        panel = Panel(spacing=8)
        panel.add_widget(KLabel(f"待处理的呼叫（{len(c.help_desk.calls)}）", size=s.body, bold=True))
        state = {"calling": "正在通知", "accepted": "已送达", "fallback": "未能送达"}
        for call in c.help_desk.calls[:5]:  # the page has room for a few; more stay in the list
            row = BoxLayout(orientation="horizontal", spacing=dp(16), size_hint_y=None, height=h)
            opened = time.strftime("%H:%M", time.localtime(call.opened))
            text = f"{call.ticket}  {opened}  {state.get(call.phase, call.phase)}"
            row.add_widget(KLabel(text, size=s.small))
            button = BigButton("已处理", partial(c.help_handled, call.ticket), s, height=h)
            button.size_hint_x = 0.35
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
