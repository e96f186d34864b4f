"""A column whose buttons stay in view: its content scrolls (with its cue) when taller than the room
the buttons leave, the buttons never do.

WHY: screens.base.show_page puts a whole column in a list that scrolls when it is taller than the
page. On a landscape screen that is only a few hundred pixels high (1280x800: about 530 px between
header and footer) the consent, face and home pages' columns all were, so 同意并查询, 同意并开始核验
and 开始办理 were below the fold, with only "向下滑动查看更多" to say they existed.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from screens.base import scroll_when_taller


def actions_in_view(content: BoxLayout, actions: list[Widget], cue_size: float) -> BoxLayout:
    """``content`` (a page column, vertical) with ``actions`` under it, kept in view.

    The column takes ``content``'s padding, spacing and share of its row; ``content`` keeps its
    children and fills what the actions leave."""
    column = BoxLayout(
        orientation="vertical",
        padding=content.padding,
        spacing=content.spacing,
        size_hint_x=content.size_hint_x,
    )
    content.padding = (0, 0, 0, 0)
    content.size_hint_x = 1
    room = BoxLayout()  # the height left for the content: what the list compares with
    room.add_widget(content)
    column.add_widget(room)
    for action in actions:
        column.add_widget(action)
    scroll_when_taller(room, content, cue_size)
    return column


# a landscape window lower than this (1280x800: a page area of about 530 px between header and
# footer) is a low page; 1920x1080 (775 px in elder mode) is not
LOW_WINDOW_DP = 900.0


def low_landscape() -> bool:
    """Whether the window is a low landscape one (LOW_WINDOW_DP).

    WHY the window and not the screen's height: a page is often built before its screen is laid
    out, when the screen is still Kivy's default 100 px high, and a 1920x1080 page was built in
    the low layout."""
    from kivy.core.window import Window
    from kivy.metrics import dp

    return bool(Window.width > Window.height and Window.height < dp(LOW_WINDOW_DP))
