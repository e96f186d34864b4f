"""Serial SAM card reader adapter (pyserial): find card → select → read, in a worker thread.

The line is untrusted: noise, half frames and bad check bytes are expected. Each command clears the
input, sends one frame and reads until a complete, checked answer arrives or the deadline passes;
:class:`FrameBuffer` resynchronises on the preamble. A failed poll is simply retried on the next one.

The card must leave the field before it can be read again (domain.md §1.3): after any read attempt
the adapter waits for a "no card" answer before it accepts a found card as a new presentation, so a
card lying on the reader is never read twice. A SAM cannot tell a halted card from an absent one, so
``card_removed`` means "no longer answers in the field", which for a read card comes right after the
read.
"""

from __future__ import annotations

import contextlib
import logging
import termios
import threading
import time
from collections.abc import Callable
from typing import Any

import serial

from drivers.card.errors import CardDataError, FrameChecksumError, SamStatusError, SamTimeoutError
from drivers.card.events import CardEvent, identity_evidence
from drivers.card.sam_protocol import (
    CMD_FIND_CARD,
    CMD_READ_SAM_ID,
    CMD_READ_TEXT_PHOTO,
    CMD_SELECT_CARD,
    SW3_CARD_FOUND,
    SW3_FIND_FAILED,
    SW3_OK,
    FrameBuffer,
    SamAnswer,
    build_command,
    parse_answer,
    split_read_answer,
    sw3_error_code,
)
from drivers.card.text_block import parse_text_block

log = logging.getLogger(__name__)

SerialFactory = Callable[[str, int], Any]


def _open_serial(port: str, baudrate: int) -> Any:
    return serial.serial_for_url(port, baudrate=baudrate, timeout=0.02, write_timeout=1.0)


class SerialSamCardReader:
    """Satisfies ``CardReaderPort`` for a reader with a built-in SAM on a serial / USB-CDC line."""

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 115200,
        read_timeout: float = 3.0,
        command_timeout: float = 0.5,
        poll_interval: float = 0.25,
        retry_interval: float = 1.0,
        serial_factory: SerialFactory = _open_serial,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.read_timeout = read_timeout
        self.command_timeout = command_timeout
        self.poll_interval = poll_interval
        self.retry_interval = retry_interval
        self._serial_factory = serial_factory
        self._link: Any = None
        self._buffer = FrameBuffer()
        self._on_event: Callable[[Any], None] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._state = "unknown"  # health
        self._reader_added = False
        self._card_present = False
        self._must_leave = False
        self._silent_polls = 0
        self.sam_id: str | None = None

    # ------------------------------------------------------------------ CardReaderPort

    def start(self, on_event: Callable[[Any], None]) -> None:
        if self._thread is not None:
            raise RuntimeError("reader already started")
        self._on_event = on_event
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="card-serial-sam", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=max(5.0, self.read_timeout + 1))
        self._thread = None
        self._on_event = None
        self._close()

    def health(self) -> str:
        return self._state if self._thread is not None else "unknown"

    # ------------------------------------------------------------------ link

    def _close(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            with contextlib.suppress(OSError, serial.SerialException):
                link.close()

    def command(self, cmd: tuple[int, int], timeout: float, data: bytes = b"") -> SamAnswer:
        """Send one command and wait for its checked answer (worker thread / CLI only).

        Raises SamTimeoutError, FrameChecksumError, or serial.SerialException if the port is gone.
        """
        link = self._link
        if link is None:
            raise serial.SerialException("port not open")
        link.reset_input_buffer()
        self._buffer.clear()
        link.write(build_command(cmd[0], cmd[1], data))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._stop.is_set():
                raise SamTimeoutError("stopped while waiting for the SAM")
            chunk = link.read(max(1, link.in_waiting))
            if chunk:
                self._buffer.feed(chunk)
                frame = self._buffer.pop()
                if frame is not None:
                    return parse_answer(frame)
        raise SamTimeoutError(f"no answer to {cmd[0]:02X} {cmd[1]:02X} within {timeout:.1f} s")

    # ------------------------------------------------------------------ worker

    def _emit(self, kind: str, **kwargs: Any) -> None:
        event = CardEvent(kind=kind, reader=self.port, **kwargs)
        log.info("card: %s", event.masked())
        callback = self._on_event
        if callback is not None and not self._stop.is_set():
            try:
                callback(event)
            except Exception:
                log.exception("card event listener failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._link is None and not self._open():
                self._stop.wait(self.retry_interval)
                continue
            try:
                self._poll()
            except (OSError, serial.SerialException, termios.error) as exc:
                log.warning("serial SAM: port lost: %s", exc)
                self._lost(str(exc))
                continue
            except Exception as exc:  # never let the reader thread die: start over on a fresh port
                log.exception("serial SAM: unexpected failure")
                self._lost(f"unexpected: {exc!r}")
                continue
            self._stop.wait(self.poll_interval)
        self._close()

    def _open(self) -> bool:
        try:
            self._link = self._serial_factory(self.port, self.baudrate)
        except (OSError, serial.SerialException, ValueError) as exc:
            if self._state != "down":
                log.warning("serial SAM: cannot open %s: %s", self.port, exc)
            self._state = "down"
            return False
        try:
            answer = self.command(CMD_READ_SAM_ID, self.command_timeout)
            if answer.sw3 == SW3_OK and answer.data:
                self.sam_id = answer.data.hex().upper()
        except CardDataError as exc:
            log.warning("serial SAM: no SAM ID (%s)", exc.reason)  # keep going: find card will tell
        except (OSError, serial.SerialException, termios.error) as exc:
            self._lost(str(exc))
            return False
        self._state = "ok"
        if not self._reader_added:
            self._reader_added = True
            self._emit("reader_added")
        return True

    def _lost(self, detail: str) -> None:
        self._close()
        self._state = "down"
        if self._card_present:
            self._card_present = False
            self._emit("card_removed")
        self._must_leave = False
        if self._reader_added:
            self._reader_added = False
            self._emit("reader_removed", detail=detail)

    def _poll(self) -> None:
        try:
            answer = self.command(CMD_FIND_CARD, self.command_timeout)
        except CardDataError as exc:
            self._silent_polls += 1
            if self._silent_polls >= 3 and self._state == "ok":
                log.warning("serial SAM: not answering find card (%s)", exc.reason)
                self._state = "degraded"
                self._emit("error", error="reader_failure", detail=exc.reason)
            return
        self._silent_polls = 0
        self._state = "ok"
        if answer.sw3 == SW3_CARD_FOUND:
            if self._must_leave:
                return  # the same card, still in the field: it must leave before another read
            self._card_present = True
            self._emit("card_inserted")
            self._must_leave = True
            self._read()
        elif answer.sw3 == SW3_FIND_FAILED:
            self._must_leave = False
            if self._card_present:
                self._card_present = False
                self._emit("card_removed")
        elif sw3_error_code(answer.sw3) == "reader_failure":
            self._state = "degraded"
            self._emit("error", error="reader_failure", detail=f"find card: {answer.meaning}")

    def _read(self) -> None:
        try:
            self.command(CMD_SELECT_CARD, self.command_timeout).expect(SW3_OK)
            answer = self.command(CMD_READ_TEXT_PHOTO, self.read_timeout).expect(SW3_OK)
            identity = parse_text_block(split_read_answer(answer).text)
        except SamStatusError as exc:
            code = sw3_error_code(exc.sw3)
            if code == "unreadable" and self._card_gone():
                code = "removed_mid_read"
            self._emit("error", error=code, detail=exc.reason)
            return
        except FrameChecksumError as exc:
            self._emit("error", error="checksum", detail=exc.reason)
            return
        except CardDataError as exc:
            # A timeout or a half frame is a line problem: whether the card is still there says
            # nothing (a SAM that finished the read has halted it), so it stays "unreadable".
            self._emit("error", error=exc.code, detail=exc.reason)
            return
        evidence = identity_evidence(identity.card_type, "serial_sam", self.port, sam_id=self.sam_id)
        self._emit("identity", identity=identity, evidence=evidence)

    def _card_gone(self) -> bool:
        """After a failed read: has the card left the field? (emits card_removed if so)"""
        try:
            answer = self.command(CMD_FIND_CARD, self.command_timeout)
        except CardDataError:
            return False
        # The error is reported first; card_removed follows from the next poll.
        return answer.sw3 == SW3_FIND_FAILED
