"""Diagnostics page for technicians (opened from the admin page): the same checks as ``kiosk diag``
on the running app's devices, a live camera preview that shows what it decodes, a printer test
page, and the report summary as a QR code a technician scans and sends."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Hashable
from typing import Any

from kivy.app import App
from kivy.metrics import dp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.admin import admin_for
from kiosk.admin.mode import config_file_of, secrets_file_of
from kiosk.diagnostics import DiagOptions, Report, run_diagnostics
from kiosk.diagnostics.model import LABELS
from kiosk.qr.safety import display_safe
from screens.base import KioskScreen
from screens.identify import Preview
from screens.printing import qr_image
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import Badge, BigButton, KLabel, Panel

STATUS_COLOURS = {"ok": BADGE["valid"], "warning": BADGE["expired"], "failure": BADGE["revoked"]}


class DiagnosticsScreen(KioskScreen):
    step = "diagnostics"
    _report: Report | None = None
    _running: str = ""
    _task: asyncio.Task[Any] | None = None
    _preview: Preview | None = None
    _seen: str = ""

    def extra_signature(self) -> Hashable:
        mode = admin_for(self.ctx.controller)
        return (mode.unlocked, id(self._report), self._running, self._preview is not None)

    def on_leave(self, *args: Any) -> None:
        self._stop_preview()

    # ------------------------------------------------------------------ actions
    def _start(self, test_page: bool = False) -> None:
        if self._task is not None:
            return
        self._stop_preview()
        self._running = "正在打印测试页并检测…" if test_page else "正在检测，约需 5 秒…"
        self._task = asyncio.get_running_loop().create_task(self._run(test_page))
        self.refresh()

    async def _run(self, test_page: bool) -> None:
        c = self.ctx.controller
        config_file, secrets_file = config_file_of(c), secrets_file_of(c)
        options = DiagOptions(
            test_page=test_page,
            owned=False,
            config_file=config_file if config_file.is_file() else None,
            secrets_file=secrets_file if secrets_file.is_file() else None,
        )
        voice = getattr(App.get_running_app(), "voice", None)
        if voice is not None:  # the running player knows when playing failed, not only the system
            options.audio_probe = voice.output_state
        try:
            self._report = await run_diagnostics(c.config, c.devices, options)
            c.audit.record("diagnostics_run", who="staff", status=self._report.status, test_page=test_page)
        finally:
            self._task = None
            self._running = ""
            self.refresh()

    def _toggle_preview(self) -> None:
        scanner = self.ctx.controller.devices.scanner
        if self._preview is not None:
            self._stop_preview()
        elif scanner is not None and self._task is None:
            self._seen = ""
            lock = threading.Lock()

            def seen(text: str) -> None:  # the scanner's worker thread
                with lock:
                    self._seen = display_safe(str(text))

            scanner.start(seen)
            self._preview = Preview(scanner.preview, size_hint_y=None, height=dp(360))
        self.refresh()

    def _stop_preview(self) -> None:
        if self._preview is not None:
            self._preview.stop()
            self._preview = None
            scanner = self.ctx.controller.devices.scanner
            if scanner is not None:
                scanner.stop()
                self.ctx.controller.rescan()  # the home page reads 亮证码 again if it should

    # ------------------------------------------------------------------ drawing
    def _result_row(self, check: Any) -> Widget:
        s = self.ctx.sizes
        panel = Panel(spacing=6, padding=14)
        head = BoxLayout(orientation="horizontal", spacing=dp(14), size_hint_y=None, height=dp(s.small * 2))
        badge_box = AnchorLayout(size_hint=(None, 1), width=dp(130))
        badge_box.add_widget(Badge(LABELS[check.status], STATUS_COLOURS[check.status], s.small))
        head.add_widget(badge_box)
        head.add_widget(KLabel(check.title, size=s.small, bold=True))
        panel.add_widget(head)
        panel.add_widget(KLabel(check.value, size=s.small))
        for remedy in check.remedies:  # every fault's fix, not only the first
            panel.add_widget(KLabel("处理：" + remedy, size=s.small, colour=TEXT_MUTED))
        return panel

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        page = self.page()
        page.add_widget(KLabel("设备诊断", size=s.title, bold=True, colour=BLUE))
        h = dp(s.button_height * 0.7)
        if not admin_for(c).unlocked:
            page.add_widget(KLabel("请先进入管理模式。", size=s.body))
            page.add_widget(BigButton("返回管理", lambda: c.open_view("admin"), s, height=h))
            page.add_widget(Widget())
            return page
        actions = BoxLayout(orientation="horizontal", spacing=dp(14), size_hint_y=None, height=h)
        actions.add_widget(BigButton("开始检测", self._start, s, height=h))
        actions.add_widget(BigButton("打印测试页", lambda: self._start(True), s, primary=False, height=h))
        preview_label = "关闭预览" if self._preview is not None else "摄像头预览"
        actions.add_widget(BigButton(preview_label, self._toggle_preview, s, primary=False, height=h))
        actions.add_widget(BigButton("返回管理", lambda: c.open_view("admin"), s, primary=False, height=h))
        page.add_widget(actions)
        content = BoxLayout(orientation="vertical", spacing=dp(12))
        if self._running:
            content.add_widget(KLabel(self._running, size=s.body, colour=TEXT_MUTED))
        if self._preview is not None:
            content.add_widget(self._preview)
            content.add_widget(SeenLabel(lambda: self._seen, size=s.small))
        report = self._report
        if report is not None:
            head = BoxLayout(orientation="horizontal", spacing=dp(16), size_hint_y=None, height=dp(280))
            text = BoxLayout(orientation="vertical", spacing=dp(8))
            summary = f"总体：{LABELS[report.status]}"
            text.add_widget(
                KLabel(summary, size=s.title * 0.8, bold=True, colour=STATUS_COLOURS[report.status])
            )
            text.add_widget(KLabel(report.created_at, size=s.small, colour=TEXT_MUTED))
            text.add_widget(
                KLabel("右侧二维码为诊断摘要，技术人员扫码即可转发（不含个人信息）", size=s.small)
            )
            text.add_widget(Widget())
            head.add_widget(text)
            qr_box = AnchorLayout(size_hint_x=None, width=dp(280))
            qr_box.add_widget(qr_image(report.summary(), 270))
            head.add_widget(qr_box)
            content.add_widget(head)
            todo = [(c.title, r) for c in report.checks if c.status != "ok" for r in c.remedies]
            if todo:  # every fault's fix at the top, before the row of each check
                fixes = Panel(spacing=6, padding=14)
                fixes.add_widget(KLabel(f"需要处理（{len(todo)} 项）", size=s.small, bold=True))
                for title, remedy in todo:
                    fixes.add_widget(KLabel(f"· {title}：{remedy}", size=s.small))
                content.add_widget(fixes)
            for check in report.checks:
                content.add_widget(self._result_row(check))
        elif not self._running:
            content.add_widget(KLabel("点击“开始检测”检查读卡器、摄像头、打印机、后台等。", size=s.body))
        page.add_widget(self.scroll(content))
        return page


class SeenLabel(KLabel):
    """What the preview's scanner last decoded, shown only on this screen (never logged)."""

    def __init__(self, source: Any, **kw: Any) -> None:
        super().__init__("", **kw)
        self._source = source
        from kivy.clock import Clock

        self._event = Clock.schedule_interval(self._update, 0.2)
        self.bind(parent=lambda *_: self._event.cancel() if self.parent is None else None)

    def _update(self, *_: Any) -> None:
        text = self._source()
        self.text = "识别到：" + text if text else "请将二维码对准摄像头"
