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
from screens.in_view import actions_in_view, low_landscape
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

    def __init__(
        self, texture: Texture, max_share: float = FACE_MAX_SHARE, fill: bool = False, **kw: Any
    ) -> None:
        # fill (landscape): the page as large as the viewer's box lets it, whole, at its top;
        # else as wide as the column, at most ``max_share`` of the window high
        super().__init__(size_hint_y=1 if fill else None, **kw)
        self.aspect = texture.height / max(texture.width, 1)
        self._max_share = max_share
        self._fill = fill
        self.scatter = Scatter(
            do_rotation=False, scale_min=1.0, scale_max=FACE_ZOOM_MAX, auto_bring_to_front=False
        )
        self.image = Image(texture=texture, fit_mode="fill", size_hint=(None, None))
        self.scatter.add_widget(self.image)
        self.add_widget(self.scatter)
        clip_with_scissor(self)  # not a stencil (screens.clipping)
        self.bind(size=self._fit, pos=self._fit)

    def _fit(self, *_: Any) -> None:
        if self._fill:
            height = max(min(self.size[1], self.width * self.aspect), 1.0)
        else:
            height = min(self.width * self.aspect, Window.height * self._max_share)
            self.height = height
        width = height / self.aspect
        self.scatter.transform = self.scatter.transform.identity()
        self.scatter.size = self.image.size = (width, height)
        self.image.pos = (0, 0)
        # y + height, not top: in a size event top is not updated yet (the page was put 323 px
        # below its box on 1280x800)
        self.scatter.pos = (self.x + (self.width - width) / 2, self.y + self.size[1] - height)

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

    def _seal_line(self, view: IssuedView) -> Widget:
        """The seal check of the 照面 as issued: 验章通过 only after VALID, else what failed."""
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
        return line

    def _add_issued(self, page: BoxLayout, view: IssuedView) -> None:
        """The 照面 as issued under its seal check (portrait)."""
        page.add_widget(self._seal_line(view))
        texture = face_texture(view)
        if texture is not None:
            elder = self.ctx.machine.prefs.elder_mode
            page.add_widget(FaceViewer(texture, FACE_MAX_SHARE_ELDER if elder else FACE_MAX_SHARE))

    def _head(self, title_text: str, label: str, status: str, tight: bool = False) -> Widget:
        s = self.ctx.sizes
        head = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(s.title * 1.6))
        title = KLabel(title_text, size=s.title, bold=True, colour=BLUE)
        # a long name (Motor Vehicle Driving Licence) takes two lines: the row grows with it, it was
        # drawn over the seal line below
        title.bind(height=lambda *_: setattr(head, "height", max(dp(s.title * 1.6), title.height)))
        head.add_widget(title)
        badge_box = BoxLayout(size_hint_x=None, width=dp(240), padding=(0, dp(12)))
        badge = Badge(label, BADGE.get(status, BADGE["checking"]), s.body)
        if tight:
            # (landscape) as wide as its badge, clear of the scroll bar: the text column is narrow,
            # and 240 dp wrapped "Resident Identity Card" onto two lines at 1280x800
            badge.bind(width=lambda *_: setattr(badge_box, "width", badge.width + dp(24)))
        badge_box.add_widget(badge)
        head.add_widget(badge_box)
        return head

    def _actions(self, official: bool, a4: bool, one_row: bool = False) -> BoxLayout:
        """返回列表, 打印凭条 when the certificate is official, 打印加注件 when its face is too;
        three in two rows unless ``one_row`` (a row as wide as the page)."""
        c = self.ctx.controller
        s = self.ctx.sizes
        actions = BoxLayout(
            orientation="horizontal", spacing=dp(28), size_hint_y=None, height=dp(s.button_height)
        )
        actions.add_widget(BigButton(_("返回列表"), c.back, s, primary=False))
        if c.config.services.print_receipt and c.printing_available() and official:
            actions.add_widget(BigButton(_("打印凭条"), c.print_receipt, s))
        if a4:
            actions.add_widget(BigButton(_("打印加注件"), c.print_annotated, s))
        buttons = list(reversed(actions.children))
        # three do not fit a row of a column (English wrapped to three lines): two rows
        if len(buttons) > 2 and not one_row:
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
        return actions

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
        head = self._head(view.title, view.badge.label, view.badge.status, tight=landscape)
        # landscape: the text column (title, notices, seal check, 显示完整信息, the official
        # sentence) on the right, over the buttons, which stay in view (screens.in_view); the
        # certificate on the left, as large as the page's height lets it, whole, never in a list
        # that scrolls. WHY: in one list on the left under the notices and the seal line, the
        # certificate as issued was cut at the bottom by the list's cue (1920x1080 elder) or below
        # the fold (1280x800): the one thing the citizen came for took a fling to see
        text = BoxLayout(orientation="vertical", spacing=dp(s.spacing)) if landscape else page
        text.add_widget(head)
        if view.acting_for:
            text.add_widget(KLabel(view.acting_for, size=s.body, bold=True, colour=TEXT_MUTED))
        if view.reason:
            text.add_widget(
                KLabel(view.reason, size=s.body, colour=BADGE.get(view.badge.status, BADGE["revoked"]))
            )
        if c.machine.busy or view.loading:
            text.add_widget(KLabel(c.machine.busy or _("正在核验证照…"), size=s.body, colour=BLUE))
        issued = self._issued()
        seal_failed = issued is not None and issued.seal_failed
        notice = view.notice or (not_official_notice() if seal_failed else None)
        statement: Widget | None = None
        if view.watermark and not seal_failed and not self._confirming:
            # (hidden while the onlooker warning stands in its place, which needs the room)
            statement = KLabel(view.watermark, size=s.small, colour=TEXT_MUTED, line_height=s.line_height)
        elif notice:
            statement = KLabel(
                notice, size=s.body, bold=True, colour=BADGE["revoked"], line_height=s.line_height
            )
        panel = Panel(spacing=s.spacing * 0.4)
        for label, value in view.fields:
            panel.add_widget(KLabel(label, size=s.small, colour=TEXT_MUTED))
            panel.add_widget(KLabel(value, size=s.body, line_height=s.line_height))
        official = view.badge.status == "valid" and not seal_failed
        a4 = (
            view.badge.status == "valid"
            and issued is not None
            and issued.status == "valid"
            and bool(cfg.devices.printer.a4_queue)
        )
        low = landscape and low_landscape()
        actions = self._actions(official, a4, one_row=low)
        if not landscape:
            face = BoxLayout(orientation="vertical", spacing=dp(10))
            if issued is not None:
                self._add_issued(page, issued)
            face.add_widget(panel)
            page.add_widget(self.scroll(face))
            if view.maskable:
                page.add_widget(self._reveal_controls(view.revealed))
            if statement is not None:
                page.add_widget(statement)
            page.add_widget(actions)
            return page
        if issued is not None:
            text.add_widget(self._seal_line(issued))
        # 显示完整信息 (and the onlooker warning's 确定 / 取消) stays in view under the text, over
        # the buttons: under the text's fold it was out of reach (1280x800, 1920x1080 elder)
        fixed = [self._reveal_controls(view.revealed)] if view.maskable else []
        if statement is not None:
            text.add_widget(statement)
        texture = face_texture(issued) if issued is not None else None
        body = BoxLayout(orientation="horizontal", spacing=dp(36))
        left: Widget
        if texture is not None:
            # the fields as text under the buttons' column (drawn on the page too, covered alike)
            text.add_widget(panel)
            viewer = FaceViewer(texture, fill=True, size_hint_x=None)

            def share(*_: Any) -> None:
                # as wide as the page's height draws it, leaving the text column at least 45%
                viewer.width = min(body.height / viewer.aspect, body.width * 0.55)

            body.bind(size=share)
            left = viewer
        else:
            # no page drawn (being fetched, or none): the fields stand in its place; they scroll
            # with their cue only when taller than the page
            column = BoxLayout(orientation="vertical", spacing=dp(s.spacing))
            column.add_widget(panel)
            column.add_widget(spacer())
            left = column
        text.add_widget(spacer())
        body.add_widget(left)
        # a low window (1280x800): the buttons in one row across the page, under the two columns.
        # WHY: in two rows in the right column (elder: 280 of its 460 px) they left the text a line
        if low and self._confirming:
            # the onlooker warning with 确定 / 取消 takes the whole column, and the row of buttons'
            # room, for the moment it stands: the question to answer (the text under it had no
            # room left and was drawn up under the header; English elder, it was cut itself)
            side = BoxLayout(orientation="vertical", spacing=dp(s.spacing))
            side.add_widget(fixed[0])
            side.add_widget(spacer())
        else:
            side = actions_in_view(text, fixed if low else [*fixed, actions], s.small)
        if texture is None:
            side.size_hint_x = 0.7 if Window.width >= 1600 else 0.8  # English buttons need the width
        body.add_widget(side)
        page.add_widget(body)
        if texture is None:
            scroll_when_taller(body, left, s.small)
        if low and not self._confirming:
            page.add_widget(actions)
        return page
