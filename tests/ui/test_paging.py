"""Elder mode's pages (screens.paging.fit_pages): as many cards as fit the room, never more.

WHY: a fixed two cards a page left 300 px empty in portrait and did not fit in landscape, where
the second row was drawn under 下一页 (issue 22)."""

from __future__ import annotations

from screens.paging import fit_pages


def test_a_page_holds_every_row_that_fits_and_no_more() -> None:
    # portrait, one column: 3 cards of 250 with 21 between fit 800 (792), a fourth does not
    assert fit_pages([250] * 5, 800, cols=1, spacing=21) == [(0, 3), (3, 5)]
    assert fit_pages([250] * 5, 791, cols=1, spacing=21) == [(0, 2), (2, 4), (4, 5)]


def test_landscape_rows_are_as_tall_as_their_tallest_card() -> None:
    # two columns: rows (250, 300) then (250, 250) then one card; room for one row of 300 + one of 250
    heights = [250, 300, 250, 250, 250]
    assert fit_pages(heights, 571, cols=2, spacing=21) == [(0, 4), (4, 5)]
    assert fit_pages(heights, 570, cols=2, spacing=21) == [(0, 2), (2, 5)]  # then 250 + 21 + 250


def test_a_row_taller_than_the_room_is_a_page_of_its_own() -> None:
    pages = fit_pages([500, 120, 120], 300, cols=1, spacing=10)
    assert pages == [(0, 1), (1, 3)]  # the caller shows a list that scrolls instead (certificates)
    assert fit_pages([], 300) == []
