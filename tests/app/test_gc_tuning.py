"""The garbage collector's tuning keeps full passes off sessions, and still frees a citizen's data."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from kiosk.app.gc_tuning import (
    FULL_PASS_EVERY,
    collect_between_citizens,
    defer_full_collections,
    freeze_startup_objects,
)


class Holder:
    """A stand-in for a widget: in a reference cycle (parent <-> child), so only gc frees it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.me = self


@pytest.fixture
def restore_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


def test_cycles_made_after_the_freeze_are_freed_by_the_pass_between_citizens(restore_gc: None) -> None:
    frozen = freeze_startup_objects()
    assert frozen > 1000 and gc.get_freeze_count() == frozen
    defer_full_collections()
    assert gc.get_threshold()[2] == FULL_PASS_EVERY
    session = Holder("韦桂兰 450206195803120088 (fictitious demo holder)")
    gone = weakref.ref(session)
    del session  # the session ends: only a reference cycle keeps it
    assert gone() is not None
    took = collect_between_citizens(freeze=True)
    assert gone() is None and took >= 0  # freed, not frozen
    assert gc.get_freeze_count() >= frozen


def test_no_automatic_full_pass_while_held_and_the_safety_net_after(restore_gc: None) -> None:
    """While a citizen is at the screen Python's own full pass never runs, even once the safety
    net's count has fallen due (a long session that allocates much); put back, it runs."""
    from kiosk.app.gc_tuning import hold_full_passes

    full: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(1)

    freeze_startup_objects()
    defer_full_collections()
    hold_full_passes()  # a session began
    kept: list[Holder] = []
    gc.callbacks.append(seen)
    try:
        for _ in range(FULL_PASS_EVERY + 1):  # each young pass counts toward the next full one
            gc.collect(1)
        kept += [Holder("x") for _ in range(200_000)]  # survivors: the full pass would be due
        assert not full
        defer_full_collections()  # the pass at rest puts the safety net back
        kept += [Holder("y") for _ in range(200_000)]
        assert full  # the same allocations now trigger it: the hold is what kept it away
    finally:
        gc.callbacks.remove(seen)
        del kept
