"""Clip a widget's drawing to its box with the GL scissor test instead of Kivy's stencil.

WHY: Kivy's ``StencilView`` rule (inherited by ``ScreenManager`` and ``ScrollView``) clips by
drawing the widget's whole box into the stencil buffer before its children and again after them,
and tests every pixel drawn inside against that buffer. Without a graphics card the terminal's
screen is drawn by Mesa's software renderer, which fills each of those boxes pixel by pixel: the
screen area (1080×1648) twice a frame, and the certificate list's scroll area twice more: a
quarter of what a frame cost the renderer (bench/page_draw_bench.py, with ``--stencil`` to
compare). A scissor rectangle clips the same box with nothing to fill: the renderer only skips
what lies outside it.
"""

from __future__ import annotations

import weakref
from typing import Any

from kivy.graphics import BindTexture, Callback, Rectangle
from kivy.graphics.instructions import Canvas, CanvasBase, Instruction
from kivy.graphics.scissor_instructions import ScissorPop, ScissorPush
from kivy.graphics.stencil_instructions import StencilPop, StencilPush, StencilUnUse, StencilUse
from kivy.uix.stencilview import StencilView

_STENCIL = (StencilPush, StencilUse, StencilUnUse, StencilPop)


def _drop_stencil(group: CanvasBase) -> None:
    """Remove the stencil instructions, and the box (a Rectangle) that each of StencilPush and
    StencilUnUse draws into the stencil buffer. (A Rectangle takes its BindTexture with it.)"""
    children: list[Instruction] = list(group.children)
    doomed: list[Instruction] = []
    for i, ins in enumerate(children):
        if not isinstance(ins, _STENCIL):
            continue
        doomed.append(ins)
        if isinstance(ins, (StencilPush, StencilUnUse)):
            box = next((c for c in children[i + 1 : i + 3] if not isinstance(c, BindTexture)), None)
            if isinstance(box, Rectangle):
                doomed.append(box)
    for ins in doomed:
        group.remove(ins)


def clip_with_scissor(widget: StencilView) -> StencilView:
    """Make ``widget`` (a StencilView: ScreenManager, ScrollView) clip with a scissor; returns it.

    The scissor box is in window coordinates. It is worked out as the widget is drawn, so that it
    follows the widget wherever it or any parent moves (a screen is a RelativeLayout: when it moves,
    its children's own positions do not change), with no binding that would keep a dropped page
    alive. A box that changed costs one more frame, drawn with the new box.
    """
    canvas: Canvas = widget.canvas
    _drop_stencil(canvas.before)
    _drop_stencil(canvas.after)
    scissor = ScissorPush(x=0, y=0, width=1, height=1)
    ref = weakref.ref(widget)

    def follow(_instruction: Any) -> None:
        clipped = ref()
        if clipped is None:
            return
        x, y = clipped.to_window(*clipped.pos)
        box = (round(x), round(y), max(0, round(clipped.width)), max(0, round(clipped.height)))
        if (scissor.x, scissor.y, scissor.width, scissor.height) != box:
            scissor.x, scissor.y, scissor.width, scissor.height = box

    canvas.before.insert(0, scissor)
    canvas.before.insert(0, Callback(follow))
    canvas.after.insert(0, ScissorPop())
    return widget
