"""A simulated card reader for demo mode and UI tests.

It behaves like the real adapters: events come from its own worker thread, after a short realistic
delay, in the same order a real reader produces them. And it runs the REAL parsers: each insertion
encodes the identity into the bytes a card would hold (text block, or SSSE records) and decodes them
again, so demo mode exercises the same parsing path as a real read.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

from drivers.card.errors import CardDataError
from drivers.card.events import CardEvent, identity_evidence
from drivers.card.identity import CardIdentity
from drivers.card.ssse import encode_ssse_records, identity_from_records, parse_tlv
from drivers.card.text_block import encode_text_block, parse_text_block

log = logging.getLogger(__name__)

SIMULATED_READER_NAME = "Simulated ID card reader"
SIMULATED_SAM_ID = "05.01-20260101-0000000001-0000000000"


def read_like_a_card(identity: CardIdentity) -> CardIdentity:
    """Encode ``identity`` as card bytes and parse them back with the real parsers."""
    if identity.card_type == "social_security":
        records = encode_ssse_records(identity)
        ef05: dict[int, bytes] = {}
        ef06: dict[int, bytes] = {}
        for tlv in records["EF05"].values():
            ef05.update(parse_tlv(tlv))
        for tlv in records["EF06"].values():
            ef06.update(parse_tlv(tlv))
        return identity_from_records(ef05, ef06)
    return parse_text_block(encode_text_block(identity))


class SimulatedCardReader:
    """Satisfies ``CardReaderPort``; control methods drive it from demo mode and tests.

    Control calls return at once; their events follow on the worker thread, in call order.
    """

    def __init__(
        self,
        identities: Sequence[CardIdentity],
        *,
        read_delay: float = 0.35,
        name: str = SIMULATED_READER_NAME,
    ) -> None:
        self._identities = tuple(identities)
        self._read_delay = read_delay
        self._name = name
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._on_event: Callable[[Any], None] | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._plugged = True
        self._card_present = False

    # ------------------------------------------------------------------ CardReaderPort

    def start(self, on_event: Callable[[Any], None]) -> None:
        if self._thread is not None:
            raise RuntimeError("reader already started")
        self._on_event = on_event
        self._stopped.clear()
        self._thread = threading.Thread(target=self._run, name="card-simulated", daemon=True)
        self._thread.start()
        self._queue.put(lambda: self._emit("reader_added") if self._plugged else None)

    def stop(self) -> None:
        thread = self._thread
        if thread is None:
            return
        self._stopped.set()
        self._queue.put(None)
        thread.join(timeout=5)
        self._thread = None
        self._on_event = None

    def health(self) -> str:
        if self._thread is None:
            return "unknown"
        return "ok" if self._plugged else "down"

    # ------------------------------------------------------------------ controls

    @property
    def identities(self) -> tuple[CardIdentity, ...]:
        return self._identities

    @property
    def name(self) -> str:
        return self._name

    def insert(self, index: int) -> None:
        """Present the card of ``identities[index]``: card_inserted, then identity (or an error)."""
        identity = self._identities[index]  # IndexError here, in the caller's thread, on a bad index
        self._queue.put(lambda: self._do_insert(identity))

    def insert_unreadable(self) -> None:
        """Present a card the reader cannot read (a bank card, a damaged chip)."""
        self._queue.put(self._do_insert_unreadable)

    def pull_mid_read(self) -> None:
        """Present a card and pull it away before the read completes."""
        self._queue.put(self._do_pull_mid_read)

    def remove(self) -> None:
        self._queue.put(self._do_remove)

    def unplug(self) -> None:
        self._queue.put(self._do_unplug)

    def replug(self) -> None:
        self._queue.put(self._do_replug)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until every queued control has produced its events (tests, demo scripts)."""
        done = threading.Event()
        self._queue.put(done.set)
        return done.wait(timeout)

    # ------------------------------------------------------------------ worker

    def _run(self) -> None:
        while True:
            action = self._queue.get()
            if action is None:
                return
            try:
                action()
            except Exception:  # a broken callback must not kill the reader thread
                log.exception("simulated card reader: event handler failed")

    def _emit(self, kind: str, **kwargs: Any) -> None:
        callback = self._on_event
        if callback is not None and not self._stopped.is_set():
            callback(CardEvent(kind=kind, reader=self._name, **kwargs))

    def _can_present(self) -> bool:
        if not self._plugged:
            log.info("simulated card reader: unplugged, card ignored")
            return False
        if self._card_present:
            self._do_remove()
        return True

    def _do_insert(self, identity: CardIdentity) -> None:
        if not self._can_present():
            return
        self._card_present = True
        self._emit("card_inserted")
        if self._stopped.wait(self._read_delay):
            return
        try:
            read = read_like_a_card(identity)
        except (CardDataError, ValueError) as exc:
            code = exc.code if isinstance(exc, CardDataError) else "malformed"
            self._emit("error", error=code, detail=str(exc))
            return
        evidence = identity_evidence(read.card_type, "simulated", self._name, sam_id=SIMULATED_SAM_ID)
        self._emit("identity", identity=read, evidence=evidence)

    def _do_insert_unreadable(self) -> None:
        if not self._can_present():
            return
        self._card_present = True
        self._emit("card_inserted")
        if self._stopped.wait(self._read_delay):
            return
        self._emit("error", error="unreadable", detail="simulated: card did not answer the SAM")

    def _do_pull_mid_read(self) -> None:
        if not self._can_present():
            return
        self._card_present = True
        self._emit("card_inserted")
        if self._stopped.wait(self._read_delay / 2):
            return
        self._card_present = False
        self._emit("error", error="removed_mid_read", detail="simulated: card left the field")
        self._emit("card_removed")

    def _do_remove(self) -> None:
        if self._card_present:
            self._card_present = False
            self._emit("card_removed")

    def _do_unplug(self) -> None:
        if not self._plugged:
            return
        self._do_remove()
        self._plugged = False
        self._emit("reader_removed")

    def _do_replug(self) -> None:
        if self._plugged:
            return
        self._plugged = True
        self._emit("reader_added")
