"""How long a page waits for the touches on the glass (kiosk.app.root.PageHold), on a clock the
test moves: a tap holds it, a touch held too long does not, a list's late click does."""

from __future__ import annotations

from kiosk.app.root import PageHold, scroll_click_pending


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_tap_holds_the_page_until_it_lifts() -> None:
    clock = Clock()
    hold = PageHold(clock)
    assert hold.remaining() == 0
    hold.down(1)
    clock.now += 0.2
    assert abs(hold.remaining() - (hold.LONGEST - 0.2)) < 1e-9
    hold.up(1)
    assert hold.remaining() == 0


def test_a_touch_held_longer_than_a_tap_holds_nothing() -> None:
    clock = Clock()
    hold = PageHold(clock)
    hold.down(1)
    clock.now += hold.LONGEST
    assert hold.remaining() == 0
    hold.down(2)  # a new tap holds the page for itself
    assert hold.remaining() == hold.LONGEST
    hold.up(2)
    assert hold.remaining() == 0


def test_touches_whose_lift_never_came_are_forgotten() -> None:
    clock = Clock()
    hold = PageHold(clock)
    for uid in range(1000):  # lifts taken by a notice opened over them
        hold.down(uid)
        clock.now += hold.LONGEST
    hold.down("last")
    assert len(hold._down) == 1


def test_a_click_a_list_still_owes_holds_the_page_after_the_lift() -> None:
    clock = Clock()
    hold = PageHold(clock)
    hold.down(1)
    clock.now += 0.1
    hold.up(1, click_pending=True)
    assert abs(hold.remaining() - hold.SCROLL_CLICK) < 1e-9
    clock.now += hold.SCROLL_CLICK
    assert hold.remaining() == 0


class Touch:
    def __init__(self, ud: dict[object, object]) -> None:
        self.ud = ud


def test_a_lists_undecided_touch_is_a_click_still_to_come() -> None:
    assert scroll_click_pending(Touch({"sv.12": {"mode": "unknown"}}))
    assert not scroll_click_pending(Touch({"sv.12": {"mode": "scroll"}}))
    assert not scroll_click_pending(Touch({"sv.handled": {"x": False}, 3: "other"}))
    assert not scroll_click_pending(Touch({}))
