"""The Kivy application: the frame, one screen per session step, and the idle overlay.

It observes the controller and shows its state; it never does I/O itself. Kivy runs inside the
asyncio loop (``App.async_run``), the same loop as the controller's tasks.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable
from datetime import date
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics.opengl import glFinish, glFlush
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.app.gc_tuning import (
    collect_between_citizens,
    defer_full_collections,
    freeze_startup_objects,
    hold_full_passes,
)
from kiosk.app.native_memory import release_free_memory
from kiosk.app.root import Root
from kiosk.app.text_faces import free_surfaces_after_drawing, share_faces_by_whole_size
from kiosk.controller import Controller
from kiosk.progress import footer_status
from kiosk.session import Step
from screens.base import KioskScreen, ScreenContext
from screens.clipping import clip_with_scissor
from screens.fonts import register_fonts
from screens.frame import Footer, Header, IdleOverlay, Notice
from screens.theme import PAGE, rgba, sizes

log = logging.getLogger(__name__)
# the garbage collector's full pass, once the attract screen has been drawn after a citizen left
# (a frame or two: 25–50 ms) and long before the next one can have walked up to the screen
GC_AFTER_REST_SECONDS = 0.25


def process_age_seconds() -> float:
    """Seconds since this process started (Linux /proc), for the cold-start figure."""
    import os

    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def discover_screens() -> list[type[KioskScreen]]:
    """Every KioskScreen subclass defined in a module of the ``screens`` package.

    A capability adds a screen by adding a module; its ``step`` names the session step or the page
    (``controller.open_view(name)``) it shows.
    """
    import screens

    found: list[type[KioskScreen]] = []
    for info in sorted(pkgutil.iter_modules(screens.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"screens.{info.name}")
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, KioskScreen)
                and obj.__module__ == module.__name__
                and obj.step
            ):
                found.append(obj)
    return found


class KioskApp(App):
    # Kivy's settings panel (F1, or a settings button) would let anyone at the screen change the
    # display and write it to a config file: the terminal's settings are staff's, behind the PIN.
    use_kivy_settings = False

    def __init__(
        self, controller: Controller, demo_keys: dict[str, Callable[[], None]] | None = None, **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.controller = controller
        self.demo_keys = demo_keys or {}
        self.title = controller.config.terminal.name
        self.screens: dict[str, KioskScreen] = {}
        self.overlay: IdleOverlay | None = None
        self._refresh_pending = False
        self._shown_session: str | None = None
        self._refrozen = False  # gc_tuning: one more freeze after the first session
        self._collect_soon = Clock.create_trigger(self._collect_garbage, GC_AFTER_REST_SECONDS)
        self._at_rest = True  # on the bare attract screen: no session, no page open
        self._prepared: str | None = None  # a screen whose page was built, to be shown next frame
        self._pass_due = False  # the GC pass at rest waits for the start of the next frame
        self._help_notice: Notice | None = None  # the citizen's help call notice, while open
        self._help_shown: tuple[str, str] | None = None  # (ticket, phase) it shows
        self._root: Root | None = None
        self._page_waits = False  # a page change waits for a finger to lift (kiosk.app.root)

    def build(self) -> Root:
        cfg = self.controller.config
        register_fonts(cfg.display.font_path or None)
        share_faces_by_whole_size()
        free_surfaces_after_drawing()
        Window.clearcolor = rgba(PAGE)
        root = Root(self.controller.touch, lambda: self.controller.open_view("admin"), self._lifted)
        self._root = root
        self.header = Header(cfg.terminal.centre_name, cfg.terminal.name)
        root.add_widget(self.header)
        self.manager = ScreenManager(transition=NoTransition())
        clip_with_scissor(self.manager)  # not a stencil (screens.clipping)
        ctx = ScreenContext(self.controller, date.today())
        self.ctx = ctx
        session_steps = {step.value for step in Step}
        # the first screen added becomes the manager's current one and is entered (built) at once:
        # the one shown first, not the first in alphabetical order (the admin page's PIN pad)
        first = self.controller.machine.step.value
        for cls in sorted(discover_screens(), key=lambda c: c.step != first):
            screen = cls(ctx)
            self.screens[screen.name] = screen
            self.manager.add_widget(screen)
            if cls.step not in session_steps:
                self.controller.available_views.add(cls.step)
        root.add_widget(self.manager)
        if "complaint" in self.controller.available_views:  # 咨询·投诉·举报 from every page
            self.header.action("咨询投诉", lambda: self.controller.open_view("complaint"))
        self.footer = Footer(self.controller.back, self.controller.home, self.call_staff)
        root.add_widget(self.footer)
        self.overlay = IdleOverlay(self.controller.keep_alive, self.controller.home)
        self.controller.subscribe(self.request_refresh)
        from kiosk.app.voice_player import VoicePlayer

        self.voice = VoicePlayer(self.controller)  # spoken step prompts (silent without audio)
        self.voice.start()
        if self.voice.enabled:  # 重听 and the volume for citizens, in the footer
            self.footer.voice_controls(self.voice.replay, self.voice.next_volume)
        Clock.schedule_interval(self._each_second, 1.0)
        Window.bind(on_key_down=self._on_key, on_request_close=self.refuse_close)
        if cfg.display.pace_frames:
            Clock.schedule_interval(self._start_frame, 0)
            # handlers bound to on_draw run before the window draws: the last frame is finished
            # right before the next one is drawn (not on_flip: finishing right after the swap broke
            # SDL's offscreen surface when the window was resized, landscape test screenshots)
            Window.bind(on_draw=self._finish_last_frame)
        self.refresh()
        return root

    def open_settings(self, *_args: Any) -> bool:
        """Never: F1 opens Kivy's settings panel in any Kivy app (see ``use_kivy_settings``)."""
        return False

    @staticmethod
    def refuse_close(*_args: Any) -> bool:
        """A quit request (Alt+F4, the compositor closing the window) is refused: the terminal stops
        only when systemd stops it (SIGTERM, :mod:`kiosk.app.runner`)."""
        log.warning("app: a request to close the window was refused")
        return True

    def _collect_garbage(self, _dt: float) -> None:
        """The full GC pass, soon after the terminal came back to rest (see gc_tuning).

        With paced frames it runs at the start of the next frame, before waiting for the GL driver
        (``_start_frame``): the software renderer draws the last frame on the other cores while
        the collector works, instead of one after the other (measured in the soak: the frame of the
        pass was GL 25–40 ms plus the pass).
        """
        if self.controller.config.display.pace_frames:
            self._pass_due = True
        else:
            self._rest_pass()

    @property
    def resting(self) -> bool:
        """Whether the attract screen is up, no citizen's, and the GC pass at rest is behind it.

        The soak lets the pass run before its next citizen walks up, as a real one would.
        """
        return self._at_rest and not self._pass_due and not self._collect_soon.is_triggered

    def _rest_pass(self) -> None:
        if not self._at_rest:  # a citizen came back within the delay: the next rest collects
            return
        took = collect_between_citizens()
        defer_full_collections()  # the safety net back, nobody at the screen (gc_tuning)
        trimmed = release_free_memory()
        log.debug(
            "full garbage collection", extra={"ms": round(took * 1000), "trim_ms": round(trimmed * 1000)}
        )

    def _freeze_after_first_session(self) -> None:
        """Once, as the first session ends: collect, then freeze what the first session imported.

        Synchronous, at that moment: a citizen may start the next session within the same second,
        and nothing may be frozen while a session's data is alive (frozen objects are never freed).
        One pass of a few hundred milliseconds in the terminal's life, on its way back to rest.

        Every page, and what the footer and the idle overlay show, is dropped first and built
        again afterwards. WHY: a frozen object is never collected, and Kivy ties each widget into
        reference cycles, so a frozen page stayed in memory for good once it was rebuilt (when the
        header's device states or the language changed): the soak found a kept page twice,
        the frozen one and its successor, and 53 more live widgets at its end than after the
        warm-up. The attract page is built again from the next frame on, the others when next
        shown; the start-up freeze at the first frame does the same.
        """
        self._drop_every_page()
        took = collect_between_citizens(freeze=True)
        defer_full_collections()
        self._refrozen = True
        log.info("objects of the first session frozen", extra={"ms": round(took * 1000)})

    def _drop_every_page(self) -> None:
        """Before a freeze: drop every page and what the footer and the idle overlay show, so that
        none of it is frozen (see _freeze_after_first_session). They are built again from the next
        frame on (a page built, then shown a frame later, as always)."""
        for screen in self.screens.values():
            screen.drop_page()
        self._prepared = None
        self.footer.empty()
        if self.overlay is not None and self.overlay.parent is None:
            self.overlay.empty()
        self.request_refresh()

    def _start_frame(self, *_: Any) -> None:
        """At the start of a frame: the GC pass at rest, when one is due."""
        if self._pass_due:
            self._pass_due = False
            glFlush()  # the last frame goes to the renderer's threads now, to draw during the pass
            self._rest_pass()

    def _finish_last_frame(self, *_: Any) -> None:
        """Let the GL driver finish the last frame before the next one is drawn.

        WHY: where nothing paces buffer swaps (offscreen or a display without vsync) a software
        renderer such as Mesa's llvmpipe queues frame after frame; the queue holds memory, and the
        next label whose texture is still in a queued frame waits for all of them. Measured in the
        soak (llvmpipe): without this, single label updates took 0.5–5.8 s and 300–475 ms of the UI
        thread a session went into text; with it, 26–29 ms a session (bench/gl_texture_growth.py:
        the heap grew 7.8 MB a round unpaced, and levels off paced). On a display that paces its
        frames it costs next to nothing.

        WHY right before drawing, not at the start of the frame: the frame's own work (the clock's
        callbacks: a page built, text laid out) then runs while the renderer's threads still draw
        the last frame, instead of after them. The soak's longest frames were a page built (25–35
        ms) plus a wait for the renderer (35–60 ms), one after the other.
        """
        glFinish()

    def on_start(self) -> None:
        Window.bind(on_flip=self._first_frame)

    def first_screen_shown(self) -> bool:
        """Whether the screen on show has its page (not only prepared for the next frame)."""
        screen = self.screens.get(self.manager.current)
        return screen is not None and self._prepared is None and bool(screen.children)

    def _first_frame(self, *_: Any) -> None:
        """Say when the first screen was drawn, for technicians and bench/startup_bench.py.

        WHY on_flip: Kivy dispatches it right after ``on_draw`` drew the window (handlers bound to
        it run before the buffers are swapped), so with ``glFinish`` the frame is drawn, not only
        queued. A clock callback ran before the first draw: the marker came 0.37 s early.
        """
        if not self.first_screen_shown():
            return  # a frame with the page still being built: not the first screen yet
        Window.unbind(on_flip=self._first_frame)
        glFinish()
        log.info("first frame drawn", extra={"since_start_s": round(process_age_seconds(), 3)})
        Clock.schedule_once(self._freeze_startup, 0)
        for screen in self.screens.values():
            screen.after_start()  # warm-ups wait for the first screen (screens.base)

    def _freeze_startup(self, _dt: float) -> None:
        self._drop_every_page()  # no page is frozen, then (see _freeze_after_first_session)
        frozen = freeze_startup_objects()  # full GC passes skip start-up's objects (gc_tuning)
        defer_full_collections()  # ... and run between citizens (refresh), not during a session
        # the page on screen again before the next frame is drawn (built, then shown: two calls),
        # so the first screen does not blink empty while start-up's objects are frozen
        self.refresh()
        if self._refresh_pending:
            self.refresh()
        log.info("start-up objects frozen for the garbage collector", extra={"objects": frozen})

    # ------------------------------------------------------------------ drawing
    def request_refresh(self) -> None:
        """Coalesce many state changes within one frame into one redraw."""
        if not self._refresh_pending:
            self._refresh_pending = True
            Clock.schedule_once(lambda _dt: self.refresh(), 0)

    def refresh(self) -> None:
        self._refresh_pending = False
        c = self.controller
        m = c.machine
        self.ctx.today = date.today()
        s = sizes(m.prefs.elder_mode)
        screen = self.screens.get(m.view or m.step.value) or self.screens.get(m.step.value)
        if m.session_id != self._shown_session:
            # a session ended or began: drop what every other screen still shows of the last one
            # (masked names and numbers stay nowhere once the citizen has gone)
            self._shown_session = m.session_id
            for other in self.screens.values():
                if other is not screen and other.personal:
                    other.forget()
        if screen is not None:
            if self._prepared != screen.name and screen.stale():
                # a page to build (for a screen to show, or the one on screen): built now, off
                # screen, and shown at the next frame. WHY: building a page and drawing it for the
                # first time in one frame took 110-170 ms under the software renderer (soak); split,
                # neither frame holds both
                screen.prepare()
                self._prepared = screen.name
                self.request_refresh()
                return
            wait = self._root.page_hold.remaining() if self._root is not None else 0.0
            if wait > 0 and self._page_changes(screen):
                # a finger is on the page: its tap lands on the page it pressed (kiosk.app.root)
                self._page_waits = True
                Clock.schedule_once(lambda _dt: self.request_refresh(), wait)
                screen = None
        if screen is not None:
            self._prepared = None
            if self.manager.current != screen.name:
                left = self.screens.get(self.manager.current)
                self.manager.current = screen.name
                if left is not None and left.personal:
                    left.forget()  # what the citizen left is dropped now (rebuilt if they go back)
            at_rest = m.step is Step.ATTRACT and m.session_id is None and m.view is None
            if at_rest and not self._at_rest:  # the citizen has gone: the full GC pass comes now
                if self._refrozen:
                    self._collect_soon()
                else:
                    self._freeze_after_first_session()
                    self._at_rest = at_rest
                    return  # the pages are built again from the next frame on
            if self._at_rest and not at_rest:  # a citizen at the screen: no full pass now (gc_tuning)
                hold_full_passes()
            self._at_rest = at_rest
            screen.refresh()
        self.header.use_sizes(s)  # the header's text at the mode's size (elder ≥ 30 dp)
        self.header.show_health(c.health)
        self._show_help_call()
        in_session = (m.active and m.step.value != "goodbye") or m.view is not None
        self.footer.set_status(footer_status(m, c.clock()))
        self.footer.show(s, in_session, m.warning_remaining)
        overlay = self.overlay
        if overlay is not None:
            if m.warning_remaining is not None:
                overlay.show(s, m.warning_remaining)
                if overlay.parent is None:
                    overlay.open(animation=False)
            elif overlay.parent is not None:
                overlay.dismiss(animation=False)

    def _page_changes(self, screen: KioskScreen) -> bool:
        """Whether showing ``screen`` now replaces what is on the glass (not only updates it)."""
        return self.manager.current != screen.name or screen.prepared is not None or screen.stale()

    def _lifted(self) -> None:
        """No finger holds the page any more: the change that waited for it is shown."""
        if self._page_waits:
            self._page_waits = False
            self.request_refresh()

    def _each_second(self, _dt: float) -> None:
        """The clock in the header; the step and the seconds left in the footer (kiosk.progress)."""
        self.header.tick()
        m = self.controller.machine
        self.footer.set_status(footer_status(m, self.controller.clock()))

    def call_staff(self) -> None:
        """Open the help notice; refresh() rewrites it as the desk's answer arrives (kiosk.notify)."""
        self.controller.call_staff()
        self._help_shown = None
        self._help_notice = Notice("", "", sizes(self.controller.machine.prefs.elder_mode))
        self._show_help_call()
        self._help_notice.open()

    def _show_help_call(self) -> None:
        from kiosk.notify.view import help_message

        call, notice = self.controller.help_call, self._help_notice
        if call is None or notice is None or self._help_shown == (call.ticket, call.phase):
            return
        self._help_shown = (call.ticket, call.phase)
        notice.set_text(*help_message(call, self.controller.config))

    def _on_key(
        self, _window: Any, key: int, _scancode: int, codepoint: str | None, modifiers: list[str]
    ) -> bool:
        name = {282 + i: f"f{i + 1}" for i in range(12)}.get(key, codepoint or "")
        action = self.demo_keys.get(name)
        if action is not None:
            action()
            return True
        return key == 27  # swallow Escape: no way out to a desktop
