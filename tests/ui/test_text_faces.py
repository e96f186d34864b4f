"""The app opens few faces of its font: one per whole size, and the header tries few sizes; no
label keeps a copy of its pixels beside its texture.

Each face Kivy's SDL2 text provider opens of the Noto CJK font costs about 2.5 MB of native memory,
kept for the life of the process (kiosk.app.text_faces). Two causes kept ~10 faces open that drew
nothing new: fractional sizes (30.8 dp opened a face of its own, drawn as 30) and the header trying
every size from 36 dp down while it was first laid out. Checked in the running app.
"""

from __future__ import annotations

from tests.support.ui import UiDriver, UiHarness


def _pixels(text: str, font_size: float) -> tuple[bytes, tuple[int, int], str]:
    from kivy.core.text import Label as CoreLabel

    from screens.theme import FONT

    label = CoreLabel(text=text, font_name=FONT, font_size=font_size)
    label.refresh()
    return label.texture.pixels, tuple(label.texture.size), label._get_font_id()


def test_fractional_sizes_share_the_whole_sizes_face_and_draw_the_same(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        text = "柳江区政务服务中心 Ag 12"
        whole, fraction, larger = _pixels(text, 30.0), _pixels(text, 30.8), _pixels(text, 31.0)
        assert fraction[2] == whole[2]  # one face for both
        assert fraction[:2] == whole[:2]  # and not a pixel different
        assert larger[2] != whole[2] and larger[:2] != whole[:2]  # a whole size more: its own

    ui.run(script, name="text-faces")


def test_the_header_fits_the_centres_name_trying_few_sizes(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        from kivy.metrics import dp

        from screens.frame import _fits

        header = d.app.header
        label = header.centre
        tried: list[int] = []
        label.bind(font_size=lambda _w, size: tried.append(int(size)))

        def fit(width: float) -> float:
            tried.clear()
            label.width = width
            header._fit_centre()
            return float(label.font_size)

        for width in (100.0, 300.0, 420.0, float(label.width or 500)):
            size = fit(width)
            assert len(set(tried)) <= 3, (width, tried)
            # the size chosen is the largest that fits, as trying each in turn finds it
            text = label.text
            want = header.CENTRE_DP
            label.font_size = dp(want)
            while want > header._floor and not _fits(label, text, width):
                want -= 1
                label.font_size = dp(want)
            assert size == dp(want), (width, size, want)
            fit(width)  # as the header left it

    ui.run(script, name="header-sizes")


def test_no_label_keeps_its_drawn_surface_once_its_texture_is_made(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        import gc

        from kivy.core.text import LabelBase

        from screens.theme import FONT

        await d.frames(0.3)  # the attract page drawn
        labels = [o for o in gc.get_objects() if isinstance(o, LabelBase)]
        assert len(labels) >= 5  # the page's labels were drawn through the provider
        assert all(getattr(o, "_surface", None) is None for o in labels)
        again = _pixels("柳江区政务服务中心 Ag 12", 30.0)  # and a label still draws, the same
        assert again == _pixels("柳江区政务服务中心 Ag 12", 30.0) and any(again[0])
        from kivy.core.text import Label as CoreLabel

        markup = CoreLabel(text="[b]办[/b]理", font_name=FONT, font_size=30, markup=True)
        markup.refresh()
        assert markup.texture is not None and getattr(markup, "_surface", None) is None

    ui.run(script, name="text-surfaces")
