"""人证核验: the citizen looks at the camera and turns their head as asked (kiosk/face).

Only presents the check in the session's data (kiosk.face.check): what is compared and where
(before filming: 开始核验 is the consent to it), the guidance in large text, the try that failed and
how many are left, and the honest way out (请到窗口办理 / 呼叫工作人员 in the footer). The demo says
on the page that it is a demonstration (演示) with a drawn face of nobody.
"""

from __future__ import annotations

from collections.abc import Hashable

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.face.check import FAILURES, GUIDANCE, Phase
from kiosk.i18n import _
from screens.base import KioskScreen
from screens.in_view import actions_in_view, low_landscape
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import Badge, BigButton, KLabel, Panel, spacer


class FaceScreen(KioskScreen):
    step = "face"

    def extra_signature(self) -> Hashable:
        data = self.ctx.machine.data
        check = getattr(data, "face", None)
        if check is None:
            return None
        return (check.phase.value, check.guidance, check.tries_used, check.challenge)

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        page = self.page()
        data = c.machine.data
        check = getattr(data, "face", None)
        if check is not None and check.phase is Phase.INTRO:
            return self._intro()
        self._title(page)
        if check is None:
            page.add_widget(spacer())
            return page
        phase = check.phase
        if phase in (Phase.FRONTAL, Phase.CHALLENGE, Phase.VERIFYING):
            page.add_widget(spacer())
            page.add_widget(
                KLabel(
                    _(GUIDANCE.get(check.guidance, GUIDANCE["no_face"])),
                    size=s.huge * 0.75,
                    bold=True,
                    halign="center",
                    line_height=s.line_height,
                )
            )
            hint = (
                _("按提示慢慢转头，核验只需几秒钟")
                if phase is Phase.CHALLENGE
                else _("请看着屏幕上方的摄像头")
            )
            page.add_widget(KLabel(hint, size=s.body, colour=TEXT_MUTED, halign="center"))
            page.add_widget(spacer())
        elif phase is Phase.RETRY:
            page.add_widget(spacer())
            page.add_widget(
                KLabel(
                    _(FAILURES.get(check.failure or "", FAILURES["undecided"])),
                    size=s.title * 0.8,
                    bold=True,
                    halign="center",
                    line_height=s.line_height,
                )
            )
            page.add_widget(
                KLabel(
                    _("还可以再试 {n} 次").format(n=check.tries_left),
                    size=s.body,
                    colour=TEXT_MUTED,
                    halign="center",
                )
            )
            page.add_widget(spacer())
            page.add_widget(self._buttons(c, _("再试一次")))
        elif phase is Phase.PASSED:
            page.add_widget(spacer())
            page.add_widget(
                KLabel(_("核验通过"), size=s.huge * 0.75, bold=True, colour=BADGE["valid"], halign="center")
            )
            page.add_widget(spacer())
        else:  # STAFF or CAMERA_DOWN: the honest way out
            page.add_widget(spacer())
            why = (
                _("摄像头暂时无法使用，本机不能核验人脸。")
                if phase is Phase.CAMERA_DOWN
                else _(FAILURES.get(check.failure or "", FAILURES["undecided"]))
            )
            page.add_widget(
                KLabel(why, size=s.title * 0.8, bold=True, halign="center", line_height=s.line_height)
            )
            page.add_widget(
                KLabel(
                    _("请到窗口办理，或点击下方“呼叫工作人员”。"),
                    size=s.title * 0.7,
                    bold=True,
                    colour=BADGE["expired"],
                    halign="center",
                    line_height=s.line_height,
                )
            )
            page.add_widget(spacer())
            page.add_widget(BigButton(_("结束"), c.home, s))
        return page

    def _title(self, page: BoxLayout) -> None:
        """人脸核验, and in the demo that the camera is simulated."""
        s = self.ctx.sizes
        page.add_widget(KLabel(_("人脸核验"), size=s.title, bold=True, colour=BLUE))
        if self.ctx.controller.demo:
            badge = Badge(
                _("演示：模拟摄像头，画面中是画出来的人脸"),
                BADGE["restricted"],
                s.small,
                size_hint_y=None,
                height=dp(s.small * 2.2),
            )
            page.add_widget(badge)
            page.bind(width=lambda *_: _wrap_to(badge, page))

    def _intro(self) -> Widget:
        """What is compared and where, then 同意并开始核验. In landscape the explanation is the left
        column and the title, prompt and buttons the right one: in one column the buttons were below
        a 1920x1080 window's fold (elder mode, and English) and only a scroll cue said so; with the
        title over the explanation that column still scrolled in every mode but Chinese normal.
        In elder English the explanation alone is taller than the page: it scrolls in its column,
        with its cue, and the buttons stay in view."""
        s = self.ctx.sizes
        page = self.page()
        landscape = self.landscape()
        if not landscape:
            self._title(page)
        controller = self.ctx.controller
        where = (
            _("由本机与身份证芯片中的照片比对")
            if controller.config.face.verifier == "local"
            else _("发送到电子证照系统，与您证件的登记照片比对")
        )
        info = Panel(spacing=s.spacing * 0.5)
        for label, value in (
            (_("为什么"), _("确认使用身份证的是持证人本人，才显示您的电子证照")),
            (_("比对什么"), _("摄像头拍下的您的面部照片（2 张）")),
            (_("在哪里比对"), where),
            (_("照片如何处理"), _("只用于本次比对，不保存在本机，离开本机时立即清除")),
        ):
            info.add_widget(KLabel(label, size=s.small, colour=TEXT_MUTED))
            info.add_widget(KLabel(value, size=s.body, line_height=s.line_height))
        page.add_widget(info)
        root: Widget = page
        if landscape:
            # the right column holds the demo badge on one line (on a low page too: then the
            # columns are even, and the explanation scrolls in its column)
            page.size_hint_x = 1.0 if low_landscape() else 1.2
            page.add_widget(spacer())
            root = BoxLayout(orientation="horizontal")
            root.add_widget(page)
            page = self.page()
            self._title(page)
            page.add_widget(spacer())
        page.add_widget(
            KLabel(
                _(GUIDANCE["start"]),
                size=s.title * 0.7,
                bold=True,
                halign="center",
                line_height=s.line_height,
            )
        )
        page.add_widget(spacer())
        buttons = self._buttons(controller, _("同意并开始核验"))
        if not landscape:
            page.add_widget(buttons)
            return root
        # a low landscape page (1280x800): the title and prompt may scroll, the buttons stay in view
        root.add_widget(actions_in_view(page, [buttons], s.small))
        return root

    def _buttons(self, c: object, primary: str) -> BoxLayout:
        s = self.ctx.sizes
        controller = self.ctx.controller
        buttons = BoxLayout(
            orientation="horizontal", spacing=dp(28), size_hint_y=None, height=dp(s.button_height * 1.2)
        )
        buttons.add_widget(
            BigButton(_("取消"), controller.home, s, primary=False, height=dp(s.button_height * 1.2))
        )
        start = BigButton(primary, controller.face_begin, s, height=dp(s.button_height * 1.2))
        # on a low landscape window the column is half the page: "Agree and start the check" took
        # three lines of the elder button (overflow) beside a Cancel with room to spare
        start.size_hint_x = 2.2 if low_landscape() else 1.6
        buttons.add_widget(start)
        return buttons


def _wrap_to(badge: Badge, column: BoxLayout) -> None:
    """The badge on two lines when one is wider than its column (a 1280x800 landscape column: the
    demo badge ran off the window's edge); on one line, as wide as its words, where it fits."""
    # its padding (28 dp), and the scroll bar (10 dp) of a column that scrolls, drawn at its edge
    room = column.width - column.padding[0] - column.padding[2] - dp(28 + 12)
    if room <= 0:
        return
    one_line = badge._label.get_extents(badge.text)[0]
    badge.text_size = (room, None) if one_line > room else (None, None)
