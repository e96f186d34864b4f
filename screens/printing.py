"""Print: what is printing, then where to take the paper; printer problems in plain words with a way
forward (retry, or the same content as a QR code for the citizen's phone)."""

from __future__ import annotations

import io
from collections.abc import Hashable

import qrcode
from kivy.core.image import Image as CoreImage
from kivy.core.window import Window
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens.base import KioskScreen
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, spacer


def qr_image(text: str, size: float) -> Image:
    buf = io.BytesIO()
    qrcode.make(text, border=2).save(buf, format="PNG")
    buf.seek(0)
    texture = CoreImage(buf, ext="png").texture
    texture.mag_filter = "nearest"
    return Image(texture=texture, size_hint=(None, None), size=(dp(size), dp(size)))


IN_PROGRESS = ("idle", "checking", "printing")


class PrintScreen(KioskScreen):
    """While printing, one page whose progress line changes in place (three to four changes a job)."""

    step = "print"
    in_place = frozenset({"progress"})
    page_parts = ("_progress",)
    _progress: KLabel | None = None

    def _progress_text(self) -> str | None:
        """The progress line while the job runs; None once it is done or failed."""
        data = self.ctx.machine.data
        state = data.printing if data else None
        if state is not None and state.phase not in IN_PROGRESS:
            return None
        return state.message if state and state.message else _("正在检查打印机")

    def session_signature(self) -> Hashable:
        d = self.ctx.machine.data
        if d is None:
            return None
        p = d.printing
        if p.phase in IN_PROGRESS:
            return d.id, "in progress"
        return d.id, p.phase, p.message, p.attempts, p.fallback_qr

    def in_place_value(self, part: str) -> Hashable:
        return self._progress_text() if part == "progress" else super().in_place_value(part)

    def update_in_place(self) -> bool:
        text = self._progress_text()
        if self._progress is None or text is None:
            return False
        self._progress.text = text
        return True

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        data = c.machine.data
        page = self.page()
        state = data.printing if data else None
        phase = state.phase if state else "idle"
        self._progress = None
        progress = self._progress_text()
        if progress is not None:
            page.add_widget(
                KLabel(_("正在打印，请稍候…"), size=s.title, bold=True, colour=BLUE, halign="center")
            )
            self._progress = KLabel(progress, size=s.body, halign="center")
            page.add_widget(self._progress)
            page.add_widget(spacer())
            return page
        if phase == "done":
            page.add_widget(
                KLabel(_("打印完成"), size=s.title, bold=True, colour=BADGE["valid"], halign="center")
            )
            # an A4 加注件 (kiosk.issued.printing) comes out of the A4 printer, not the receipt slot
            a4 = type(state.job).__name__ == "A4Job" if state else False
            where = _("请到A4打印机出纸口取走加注件") if a4 else _("请在屏幕下方出纸口取走您的凭条")
            page.add_widget(KLabel(where, size=s.title * 0.8, halign="center"))
            if state and state.message:
                page.add_widget(KLabel(state.message, size=s.body, colour=TEXT_MUTED, halign="center"))
            page.add_widget(spacer())
            page.add_widget(BigButton(_("下一步"), c.finish_service, s))
            return page
        # landscape with a QR code: the words and buttons on the left, the code on the right, two
        # columns of the page (each scrolls when a small window cannot hold it: show_page); stacked,
        # the page was taller than the window and 未能打印 was cut under the header
        qr = state.fallback_qr if state else ""
        root: Widget = page
        col, side = page, page
        if qr and self.landscape():
            root = BoxLayout(orientation="horizontal")
            side = self.page()
            side.size_hint_x = 0.8
            root.add_widget(page)
            root.add_widget(side)
        col.add_widget(
            KLabel(_("未能打印"), size=s.title, bold=True, colour=BADGE["revoked"], halign="center")
        )
        col.add_widget(
            KLabel(
                state.message if state else "",
                size=s.title * 0.75,
                halign="center",
                line_height=s.line_height,
            )
        )
        col.add_widget(KLabel(_("您的查询结果没有丢失。"), size=s.body, halign="center"))
        if qr:
            side.add_widget(
                KLabel(_("您可以用手机扫描下方二维码保存凭条内容："), size=s.body, halign="center")
            )
            # 360 dp, less on a low window (a third of its height): still ~6 px a module
            size = min(360.0, Window.height / dp(1) / 3)
            holder = BoxLayout(size_hint_y=None, height=dp(size + 20))
            holder.add_widget(Widget())
            holder.add_widget(qr_image(qr, size))
            holder.add_widget(Widget())
            side.add_widget(holder)
            if side is not col:
                side.add_widget(spacer())
        col.add_widget(spacer())
        actions = BoxLayout(
            orientation="horizontal", spacing=dp(28), size_hint_y=None, height=dp(s.button_height)
        )
        actions.add_widget(BigButton(_("不打印了"), c.finish_service, s, primary=False))
        actions.add_widget(BigButton(_("重新打印"), c.retry_print, s))
        col.add_widget(actions)
        return root
