"""Detail: the face fields (照面), the verification badge, and the watermark sentence — or, for a
certificate not verified valid, the plain notice that it cannot serve as proof (never the official
sentence)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from kivy.core.window import Window
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.scatter import Scatter
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget

from kiosk.i18n import _
from kiosk.views import IssuedView, detail_view, issued_view, not_official_notice
from screens.base import KioskScreen, scroll_when_taller
from screens.clipping import clip_with_scissor
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import Badge, BigButton, KLabel, Panel, spacer

# the drawn page takes at most this share of the window's height (the field list stays in view);
# less in elder mode, whose larger text and buttons left the field list no room under it (and the
# onlooker warning pushed the title under the header)
FACE_MAX_SHARE = 0.38
FACE_MAX_SHARE_ELDER = 0.22
FACE_ZOOM_MAX = 4.0


class FaceViewer(StencilView):
    """The certificate as issued: the drawn page, zoomed and moved by touch (pinch, drag) inside its
    box, clipped to it; a double tap puts it back. The pixels come from kiosk.issued (covered for
    onlookers until the citizen reveals the fields); this only shows them."""

    def __init__(self, texture: Texture, max_share: float = FACE_MAX_SHARE, **kw: Any) -> None:
        super().__init__(size_hint_y=None, **kw)
        self._aspect = texture.height / max(texture.width, 1)
        self._max_share = max_share
        self.scatter = Scatter(
            do_rotation=False, scale_min=1.0, scale_max=FACE_ZOOM_MAX, auto_bring_to_front=False
        )
        self.image = Image(texture=texture, fit_mode="fill", size_hint=(None, None))
        self.scatter.add_widget(self.image)
        self.add_widget(self.scatter)
        clip_with_scissor(self)  # not a stencil (screens.clipping)
        self.bind(width=self._fit, pos=self._fit)

    def _fit(self, *_: Any) -> None:
        height = min(self.width * self._aspect, Window.height * self._max_share)
        self.height = height
        width = height / self._aspect
        self.scatter.transform = self.scatter.transform.identity()
        self.scatter.size = self.image.size = (width, height)
        self.image.pos = (0, 0)
        self.scatter.pos = (self.x + (self.width - width) / 2, self.y)

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        if touch.is_double_tap:
            self._fit()
            return True
        return bool(super().on_touch_down(touch))


def face_texture(view: IssuedView) -> Texture | None:
    """An RGB texture of the drawn page (top row first, as Pillow gives it)."""
    if not view.pixels or view.width <= 0 or view.height <= 0:
        return None
    if len(view.pixels) != view.width * view.height * 3:
        return None
    texture = Texture.create(size=(view.width, view.height), colorfmt="rgb")
    texture.blit_buffer(view.pixels, colorfmt="rgb", bufferfmt="ubyte")
    texture.flip_vertical()
    return texture


class DetailScreen(KioskScreen):
    """Personal fields are masked until the citizen taps 显示完整信息 and confirms the onlooker
    warning; the session masks them again after ``timeouts.reveal_seconds`` and on leaving."""

    step = "detail"
    _confirming = False  # the onlooker warning with 确定 / 取消 is shown in place of the button

    def extra_signature(self) -> Hashable:
        m = self.ctx.machine
        unfetched = bool(m.data and m.data.selected in m.data.unfetched)
        issued = getattr(self.ctx.controller, "issued", None)
        return (self._confirming, m.revealed, unfetched, issued.version if issued is not None else 0)

    def _ask_reveal(self) -> None:
        self._confirming = True
        self.ctx.controller.keep_alive()
        self.refresh()

    def _confirm_reveal(self) -> None:
        self._confirming = False
        self.ctx.controller.reveal_details()
        self.refresh()

    def _cancel_reveal(self) -> None:
        self._confirming = False
        self.ctx.controller.keep_alive()
        self.refresh()

    def _conceal(self) -> None:
        self.ctx.controller.conceal_details()
        self.refresh()

    def on_leave(self, *args: object) -> None:
        self._confirming = False
        self._signature = None

    def _reveal_controls(self, revealed: bool) -> Widget:
        """显示完整信息; after a tap, the onlooker warning with 确定 / 取消; 隐藏 while shown."""
        s = self.ctx.sizes
        h = dp(s.button_height * 0.8)
        if revealed:
            box = BoxLayout(orientation="vertical", size_hint_y=None, spacing=dp(8))
            box.add_widget(BigButton(_("隐藏个人信息"), self._conceal, s, primary=False, height=h))
            seconds = self.ctx.controller.config.timeouts.reveal_seconds
            note = KLabel(
                _("个人信息将在 {n} 秒后自动隐藏").format(n=seconds), size=s.small, colour=TEXT_MUTED
            )
            box.add_widget(note)
            box.bind(minimum_height=box.setter("height"))
            return box
        if not self._confirming:
            return BigButton(_("显示完整信息"), self._ask_reveal, s, primary=False, height=h)
        panel = Panel(spacing=s.spacing * 0.5)
        panel.add_widget(
            KLabel(_("请注意遮挡，防止他人看到您的个人信息"), size=s.body, bold=True, colour=BLUE)
        )
        buttons = BoxLayout(orientation="horizontal", spacing=dp(28), size_hint_y=None, height=h)
        buttons.add_widget(BigButton(_("取消"), self._cancel_reveal, s, primary=False, height=h))
        buttons.add_widget(BigButton(_("确定"), self._confirm_reveal, s, height=h))
        panel.add_widget(buttons)
        return panel

    def _issued(self) -> IssuedView | None:
        c = self.ctx.controller
        issued = getattr(c, "issued", None)
        data = c.machine.data
        if issued is None or data is None:
            return None
        return issued_view(issued.face(data.selected), c.machine.revealed)

    def _add_issued(self, page: BoxLayout, view: IssuedView) -> None:
        """The 照面 as issued with its seal check: 验章通过 only after VALID, else what failed."""
        s = self.ctx.sizes
        colour = {"valid": BADGE["valid"], "checking": BADGE["checking"]}.get(view.status, BADGE["revoked"])
        line = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(s.body * 2.2), spacing=dp(16))
        badge_box = BoxLayout(size_hint_x=None, width=dp(s.body * 7))
        badge = Badge(view.verdict, colour, s.body)
        # as wide as its badge (Checking the seal… is wider): it was drawn over the message beside it
        badge.bind(width=lambda *_: setattr(badge_box, "width", max(dp(s.body * 7), badge.width)))
        badge_box.add_widget(badge)
        line.add_widget(badge_box)
        message = KLabel(view.message, size=s.small, colour=TEXT_MUTED, line_height=s.line_height)
        # a message on two lines makes the row taller (it was drawn over the title above)
        message.bind(height=lambda *_: setattr(line, "height", max(dp(s.body * 2.2), message.height)))
        line.add_widget(message)
        page.add_widget(line)
        texture = face_texture(view)
        if texture is not None:
            elder = self.ctx.machine.prefs.elder_mode
            page.add_widget(FaceViewer(texture, FACE_MAX_SHARE_ELDER if elder else FACE_MAX_SHARE))

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        cfg = c.config
        page = self.page()
        view = detail_view(c.machine, self.ctx.today, cfg.terminal.centre_name, cfg.backend.copy_valid_days)
        if view is None:
            page.add_widget(spacer())
            return page
        landscape = self.landscape()
        # landscape: the title across the page; under it the certificate (its notices, as issued,
        # its fields) in a list that scrolls on the left, the buttons on the right. WHY: stacked,
        # the page was taller than the window and its top was cut under the header (3 of 8 fields,
        # no cue); with the title in the left column, a long English name on four lines at the
        # elder size pushed the column's top under the header (layout audit, 1280x800 en-elder)
        root: Widget = page
        left, side = page, page
        body: BoxLayout | None = None
        if landscape:
            body = BoxLayout(orientation="horizontal", spacing=dp(36))
            left = BoxLayout(orientation="vertical", spacing=dp(s.spacing))
            side = BoxLayout(orientation="vertical", spacing=dp(s.spacing))
            side.size_hint_x = 0.7 if Window.width >= 1600 else 0.8  # English buttons need the width
            body.add_widget(left)
            body.add_widget(side)
        head = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(s.title * 1.6))
        title = KLabel(view.title, size=s.title, bold=True, colour=BLUE)
        # a long name (Motor Vehicle Driving Licence) takes two lines: the row grows with it, it was
        # drawn over the seal line below
        title.bind(height=lambda *_: setattr(head, "height", max(dp(s.title * 1.6), title.height)))
        head.add_widget(title)
        badge_box = BoxLayout(size_hint_x=None, width=dp(240), padding=(0, dp(12)))
        badge_box.add_widget(Badge(view.badge.label, BADGE.get(view.badge.status, BADGE["checking"]), s.body))
        head.add_widget(badge_box)
        page.add_widget(head)
        face = BoxLayout(orientation="vertical", spacing=dp(10))
        # in landscape the notices go in the list with the certificate: the right column keeps its
        # room for the buttons (three of them at the elder size on 1280x800)
        notes = face if landscape else page
        if view.acting_for:
            notes.add_widget(KLabel(view.acting_for, size=s.body, bold=True, colour=TEXT_MUTED))
        if view.reason:
            notes.add_widget(
                KLabel(view.reason, size=s.body, colour=BADGE.get(view.badge.status, BADGE["revoked"]))
            )
        if c.machine.busy or view.loading:
            notes.add_widget(KLabel(c.machine.busy or _("正在核验证照…"), size=s.body, colour=BLUE))
        issued = self._issued()
        seal_failed = issued is not None and issued.seal_failed
        notice = view.notice or (not_official_notice() if seal_failed else None)
        if view.maskable and landscape:
            face.add_widget(self._reveal_controls(view.revealed))
        statement: Widget | None = None
        if view.watermark and not seal_failed and not self._confirming:
            # (hidden while the onlooker warning stands in its place, which needs the room)
            statement = KLabel(view.watermark, size=s.small, colour=TEXT_MUTED, line_height=s.line_height)
        elif notice:
            statement = KLabel(
                notice, size=s.body, bold=True, colour=BADGE["revoked"], line_height=s.line_height
            )
        if landscape and statement is not None:
            face.add_widget(statement)
        if issued is not None:
            self._add_issued(face if landscape else page, issued)
        panel = Panel(spacing=s.spacing * 0.4)
        for label, value in view.fields:
            panel.add_widget(KLabel(label, size=s.small, colour=TEXT_MUTED))
            panel.add_widget(KLabel(value, size=s.body, line_height=s.line_height))
        face.add_widget(panel)
        left.add_widget(self.scroll(face))
        if view.maskable and not landscape:
            page.add_widget(self._reveal_controls(view.revealed))
        if not landscape and statement is not None:
            page.add_widget(statement)
        actions = BoxLayout(
            orientation="horizontal", spacing=dp(28), size_hint_y=None, height=dp(s.button_height)
        )
        actions.add_widget(BigButton(_("返回列表"), c.back, s, primary=False))
        official = view.badge.status == "valid" and not seal_failed
        if cfg.services.print_receipt and c.printing_available() and official:
            actions.add_widget(BigButton(_("打印凭条"), c.print_receipt, s))
        if (
            view.badge.status == "valid"
            and issued is not None
            and issued.status == "valid"
            and cfg.devices.printer.a4_queue
        ):
            actions.add_widget(BigButton(_("打印加注件"), c.print_annotated, s))
        buttons = list(reversed(actions.children))
        if len(buttons) > 2:  # three do not fit a row (English wrapped to three lines): two rows
            actions.clear_widgets()
            pair = BoxLayout(orientation="horizontal", spacing=dp(28))
            for button in buttons[:2]:
                pair.add_widget(button)
            actions = BoxLayout(
                orientation="vertical",
                spacing=dp(16),
                size_hint_y=None,
                height=2 * dp(s.button_height) + dp(16),
            )
            actions.add_widget(pair)
            for button in buttons[2:]:
                actions.add_widget(button)
        if body is not None:
            side.add_widget(actions)
            side.add_widget(spacer())
            page.add_widget(body)
            # a window too small for the buttons: the right column scrolls, with its cue
            scroll_when_taller(body, side, s.small)
            return root
        page.add_widget(actions)
        return page
