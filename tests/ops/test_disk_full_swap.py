"""The disk-full fault swaps the state directory for a file and back. A writer thread that makes
its directory when missing (as the audit writer does) must never find a moment without either in
place: CI once failed when it slipped between a remove and a rename."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.ops.faultlib import exchange_paths


def test_a_writer_that_remakes_its_directory_never_slips_between_the_swaps(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    aside = tmp_path / "state.aside"
    inode = state.stat().st_ino
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            try:
                state.mkdir(parents=True, exist_ok=True)
                (state / "audit.jsonl").open("a").close()
            except OSError:
                pass  # the fault is in place: the write fails, as it should

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        for _ in range(300):
            aside.write_bytes(b"")
            exchange_paths(state, aside)
            assert state.is_file() and aside.is_dir()
            exchange_paths(aside, state)
            aside.unlink()
            assert state.is_dir()
    finally:
        stop.set()
        thread.join(5)
    assert [p.name for p in tmp_path.iterdir()] == ["state"]
    assert state.stat().st_ino == inode  # the real directory, not one the writer made
