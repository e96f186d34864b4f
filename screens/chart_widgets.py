"""Charts drawn with Kivy graphics (no plotting library): horizontal bars with the figures beside them.

A citizen reads these at a glance on a portrait screen, so every bar carries its label on the left
and its value (and share or change) written on the right: the bars only show proportion, the text
carries the numbers. The data and the text come from :mod:`kiosk.disclosure.charts`.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.disclosure.charts import Bar, Chart
from screens.theme import BLUE, BORDER, TEXT_MUTED, Sizes, rgba
from screens.widgets import KLabel, Panel

PREVIOUS = "#6F8FB8"  # last year's bar: lighter than this year's, still ≥ 3:1 on white
POSITIVE_MIN = 3.0  # dp: a non-zero value always shows a sliver


class BarTrack(Widget):
    """The drawing area of one row: this year's bar (and last year's under it when comparing)."""

    def __init__(self, bar: Bar, max_value: float, compare: bool, **kw: Any) -> None:
        super().__init__(**kw)
        self.bar, self.max_value, self.compare = bar, max_value, compare
        with self.canvas:
            Color(*rgba(BORDER))
            self._axis = Line(width=dp(1))
            self._prev_colour = Color(*rgba(PREVIOUS))
            self._prev = Rectangle()
            Color(*rgba(BLUE))
            self._now = Rectangle()
        self.bind(pos=self._draw, size=self._draw)

    def _length(self, value: float | None) -> float:
        if not value:
            return 0.0
        return max(dp(POSITIVE_MIN), self.width * value / self.max_value)

    def _draw(self, *_: Any) -> None:
        x, y, h = self.x, self.y, self.height
        self._axis.points = [x, y, x, y + h]
        if self.compare:
            thick = h * 0.36
            self._now.pos, self._now.size = (x, y + h * 0.54), (self._length(self.bar.value), thick)
            self._prev.pos, self._prev.size = (x, y + h * 0.1), (self._length(self.bar.previous), thick)
        else:
            thick = h * 0.62
            self._now.pos, self._now.size = (x, y + (h - thick) / 2), (self._length(self.bar.value), thick)
            self._prev.size = (0, 0)


class HBarChart(Panel):
    """Title, subtitle, then one row per bar: label | bar | figures."""

    def __init__(self, chart: Chart, s: Sizes, **kw: Any) -> None:
        super().__init__(spacing=s.spacing * 0.45, **kw)
        self.chart = chart
        self.add_widget(KLabel(chart.title, size=s.title * 0.62, bold=True))
        if chart.subtitle:
            self.add_widget(KLabel(chart.subtitle, size=s.small, colour=TEXT_MUTED))
        row_height = dp(s.body * (2.9 if chart.compare else 2.3))
        label_width = dp(s.body * 8)
        value_width = dp(s.body * 10)
        for bar in chart.bars:
            row = BoxLayout(orientation="horizontal", size_hint_y=None, height=row_height, spacing=dp(14))
            name = KLabel(bar.label, size=s.small, halign="right", size_hint_x=None, width=label_width)
            label_box = BoxLayout(orientation="vertical", size_hint_x=None, width=label_width)
            label_box.add_widget(Widget())
            label_box.add_widget(name)
            label_box.add_widget(Widget())
            row.add_widget(label_box)
            row.add_widget(BarTrack(bar, chart.max_value, chart.compare))
            figures = BoxLayout(orientation="vertical", size_hint=(None, None), width=value_width)
            figures.bind(minimum_height=figures.setter("height"))
            figures.add_widget(KLabel(bar.value_text, size=s.small, bold=True))
            lines = [bar.previous_text, bar.detail] if chart.compare else [bar.detail]
            for line in lines:
                if line:
                    figures.add_widget(KLabel(line, size=s.small, colour=TEXT_MUTED, line_height=1.15))
            holder = BoxLayout(orientation="vertical", size_hint_x=None, width=value_width)
            holder.add_widget(Widget())
            holder.add_widget(figures)
            holder.add_widget(Widget())
            row.add_widget(holder)

            def fit(*_a: Any, r: BoxLayout = row, n: KLabel = name, f: BoxLayout = figures) -> None:
                r.height = max(row_height, n.height, f.height + dp(8))

            name.bind(height=fit)
            figures.bind(height=fit)
            self.add_widget(row)


class _Arrow(Widget):
    """A downward arrow between two flowchart boxes."""

    def __init__(self, height: float, **kw: Any) -> None:
        super().__init__(size_hint_y=None, height=height, **kw)
        with self.canvas:
            Color(*rgba(BLUE))
            self._shaft = Line(width=dp(2.5))
            self._head = Line(width=dp(2.5), joint="miter")
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_: Any) -> None:
        cx, top, bottom = self.center_x, self.top - dp(2), self.y + dp(2)
        self._shaft.points = [cx, top, cx, bottom]
        w = dp(12)
        self._head.points = [cx - w, bottom + w, cx, bottom, cx + w, bottom + w]


class _StepBox(BoxLayout):
    """One flowchart step: a numbered box with the step's title and a line of detail."""

    def __init__(self, mark: str, title: str, detail: str, s: Sizes, last: bool, **kw: Any) -> None:
        super().__init__(
            orientation="horizontal", size_hint_y=None, padding=(dp(18), dp(10)), spacing=dp(16), **kw
        )
        number = KLabel(mark, size=s.title * 0.7, bold=True, colour=BLUE, size_hint_x=None, width=dp(s.title))
        text = BoxLayout(orientation="vertical", size_hint_y=None)
        text.bind(minimum_height=text.setter("height"))
        text.add_widget(KLabel(title, size=s.body, bold=True))
        text.add_widget(KLabel(detail, size=s.small, colour=TEXT_MUTED, line_height=1.2))
        self.add_widget(number)
        self.add_widget(text)
        text.bind(height=lambda *_a: setattr(self, "height", max(text.height, number.height) + dp(20)))
        with self.canvas.before:
            Color(*rgba("#EAF1FA" if not last else "#E6F2EA"))
            self._bg = Rectangle()
            Color(*rgba(BLUE if not last else "#1B6E35"))
            self._line = Line(width=dp(1.5))
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size
        self._line.rounded_rectangle = (self.x, self.y, self.width, self.height, dp(10))


class FlowChart(BoxLayout):
    """The matter's process (办理流程) as boxes joined by arrows, top to bottom."""

    def __init__(self, steps: list[tuple[str, str, str]], s: Sizes, **kw: Any) -> None:
        super().__init__(orientation="vertical", size_hint_y=None, **kw)
        self.bind(minimum_height=self.setter("height"))
        for i, (mark, title, detail) in enumerate(steps):
            if i:
                self.add_widget(_Arrow(dp(s.body * 1.3)))
            self.add_widget(_StepBox(mark, title, detail, s, last=i == len(steps) - 1))
