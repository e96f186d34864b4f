"""A fake SAM module on a pseudo-terminal: the serial adapter talks to it through a real tty.

It speaks the frame protocol of domain.md §1.3 and can misbehave on demand: noise before answers,
wrong check bytes, silence, half frames, a card pulled during the read, any SW3.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import tty
from collections import defaultdict

from drivers.card import CardDataError
from drivers.card.sam_protocol import (
    FrameBuffer,
    build_read_answer,
    build_status_answer,
    parse_command,
)

SAM_ID = bytes.fromhex("0501000020260101000000010000002A")
NOISE = bytes.fromhex("00 FF AA AA 13 96 69 AA AA AA 96")


class FakeSam:
    def __init__(self, *, refind_halted: bool = False, noisy: bool = False) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.refind_halted = refind_halted  # some SAMs keep finding a card that lies still
        self.noisy = noisy  # noise before every answer, answers in pieces
        self.card: bytes | None = None
        self.halted = False
        self.faults: dict[tuple[int, int], list[object]] = defaultdict(list)
        self.counts: dict[tuple[int, int], int] = defaultdict(int)
        self.cond = threading.Condition()
        self.silent = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-sam", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ scenario

    def place(self, text_block: bytes) -> None:
        with self.cond:
            self.card, self.halted = text_block, False

    def take_away(self) -> None:
        with self.cond:
            self.card, self.halted = None, False

    def fault(self, cmd: tuple[int, int], *faults: object) -> None:
        """One-shot misbehaviours for the next answers to ``cmd``."""
        with self.cond:
            self.faults[cmd].extend(faults)

    def wait_count(self, cmd: tuple[int, int], n: int, timeout: float = 5.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.counts[cmd] >= n, timeout)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def hang_up(self) -> None:
        """The USB adapter is unplugged: the tty goes away under the reader."""
        self._stop.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            os.close(self.master)

    # ------------------------------------------------------------------ protocol

    def _answer(self, cmd: int, para: int) -> bytes | None:
        key = (cmd, para)
        with self.cond:
            self.counts[key] += 1
            self.cond.notify_all()
            fault = self.faults[key].pop(0) if self.faults[key] else None
            if self.silent or fault == "silent":
                return None
            present = self.card is not None and (not self.halted or self.refind_halted)
            if isinstance(fault, tuple) and fault[0] == "sw3":
                return build_status_answer(int(fault[1]))
            if fault == "pull":
                self.card, self.halted = None, False
                return build_status_answer(0x41)
            if key == (0x12, 0xFF):
                answer = build_status_answer(0x90, SAM_ID)
            elif key == (0x20, 0x01):
                answer = build_status_answer(0x9F, bytes(4)) if present else build_status_answer(0x80)
            elif key == (0x20, 0x02):
                answer = build_status_answer(0x90, bytes(8)) if present else build_status_answer(0x81)
            elif key == (0x30, 0x01):
                if self.card is None or not present:
                    answer = build_status_answer(0x41)
                else:
                    answer = build_read_answer(self.card, bytes(1024))
                    self.halted = True
            else:
                answer = build_status_answer(0x21)
        if fault == "bad_checksum":
            return answer[:-1] + bytes([answer[-1] ^ 0x5A])
        if fault == "short":
            return answer[: len(answer) // 2]
        if fault == "garbage" or self.noisy:
            return NOISE + answer
        return answer

    def _serve(self) -> None:
        buf = FrameBuffer()
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            buf.feed(data)
            while True:
                try:
                    frame = buf.pop()
                except CardDataError:
                    continue
                if frame is None:
                    break
                cmd, para, _ = parse_command(frame)
                answer = self._answer(cmd, para)
                if answer is None:
                    continue
                pieces = [answer[i : i + 100] for i in range(0, len(answer), 100)] if self.noisy else [answer]
                for piece in pieces:
                    with contextlib.suppress(OSError):
                        os.write(self.master, piece)
