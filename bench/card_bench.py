"""Card reader benchmark: parsers, a real pcscd, and the serial SAM path on a pseudo-terminal.

    .venv/bin/python bench/card_bench.py [--rounds N]

Prints:

* parse time of a 256-byte text block, of a full 1295-byte SAM ``30 01`` answer (frame check, split,
  parse), and of the same answer fed through the resynchronising FrameBuffer — median µs;
* one APDU round trip through a real pcscd to a vpcd virtual card (``FF B0 00 00 00``, 262 bytes back);
* card present → identity through the PcscCardReader: from pcscd reporting the card (the
  ``card_inserted`` event) to the ``identity`` event; pcscd's own polling delay (virtual card connects →
  ``card_inserted``) is reported separately because it is pcscd's 400 ms poll, not our code;
* the serial SAM adapter's find → select → read on a pty (no baud-rate limit on a pty; the line time
  of 1295 bytes at 115200 8N1 is added as a computed figure).

Starts its own pcscd (stopped by PID at the end) if none runs. No pass/fail: figures only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.card import encode_text_block, load_demo_identities, parse_text_block
from drivers.card.sam_protocol import FrameBuffer, build_read_answer, identity_from_read_frame

REPO = Path(__file__).resolve().parents[1]


def per_call_us(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """Median and p95 of per-call time over 20 batches of n//20 calls (µs)."""
    batch = max(1, n // 20)
    samples = []
    for _ in range(20):
        t = time.perf_counter()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter() - t) / batch * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def ms(values: list[float]) -> str:
    v = sorted(values)
    med = statistics.median(v) * 1000
    return f"median {med:.2f} ms, min {v[0] * 1000:.2f}, max {v[-1] * 1000:.2f} (n={len(v)})"


def bench_parsers(identities: list, rounds: int) -> None:
    block = encode_text_block(identities[0])
    frame = build_read_answer(block, bytes(1024))

    def through_buffer() -> object:
        buf = FrameBuffer()
        for i in range(0, len(frame), 64):  # as a serial line delivers it
            buf.feed(frame[i : i + 64])
        got = buf.pop()
        assert got is not None
        return identity_from_read_frame(got)

    print("parsers (pure Python):")
    for label, fn in [
        ("text block → CardIdentity", lambda: parse_text_block(block)),
        ("SAM 30 01 answer (1295 B) → CardIdentity", lambda: identity_from_read_frame(frame)),
        ("same answer in 64-byte pieces via FrameBuffer", through_buffer),
    ]:
        med, p95 = per_call_us(fn, rounds * 200)
        print(f"  {label:<48} median {med:7.1f} µs   p95 {p95:7.1f} µs")


def bench_pcsc(identities: list, rounds: int) -> None:
    from smartcard import scard

    from drivers.card.pcsc_reader import PcscCardReader
    from tests.card.collector import Collector
    from tests.support.pcsc import READER_0, CardSlot, PcscDaemon, vendor_sam_applet, wait_reader_state

    daemon = PcscDaemon()
    daemon.start()
    try:
        block = encode_text_block(identities[0])
        slot = CardSlot()
        slot.insert(vendor_sam_applet(block))
        wait_reader_state(READER_0, present=True)
        _, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        _, card, proto = scard.SCardConnect(
            ctx, READER_0, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        pci = scard.SCARD_PCI_T0 if proto == scard.SCARD_PROTOCOL_T0 else scard.SCARD_PCI_T1
        rtts = []
        for _ in range(rounds * 10):
            t = time.perf_counter()
            hresult, response = scard.SCardTransmit(card, pci, [0xFF, 0xB0, 0x00, 0x00, 0x00])
            rtts.append(time.perf_counter() - t)
            assert hresult == scard.SCARD_S_SUCCESS and len(response) == 262
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        scard.SCardReleaseContext(ctx)
        slot.clear()
        print("PC/SC (real pcscd, vpcd virtual card with TCP_QUICKACK):")
        print(f"  APDU round trip FF B0 (262 B answer)           {ms(rtts)}")

        reader = PcscCardReader(profile="vendor_sam", reader_name_contains=READER_0)
        c = Collector()
        reader.start(c)
        c.until("reader_added")
        polling, to_identity = [], []
        for _ in range(rounds):
            t0 = time.perf_counter()
            slot.insert(vendor_sam_applet(block))
            c.until("card_inserted")
            t1 = time.perf_counter()
            c.until("identity")
            t2 = time.perf_counter()
            polling.append(t1 - t0)
            to_identity.append(t2 - t1)
            slot.remove()
            c.until("card_removed")
        reader.stop()
        slot.clear()
        print(f"  card present (event) → identity event          {ms(to_identity)}")
        print(f"  pcscd polling: card connects → card_inserted   {ms(polling)}")
    finally:
        daemon.stop()


def bench_serial(identities: list, rounds: int) -> None:
    from drivers.card.serial_sam import SerialSamCardReader
    from tests.card.collector import Collector
    from tests.card.fake_sam import FakeSam

    sam = FakeSam()
    reader = SerialSamCardReader(sam.path, poll_interval=0.01, command_timeout=0.5)
    c = Collector()
    reader.start(c)
    c.until("reader_added")
    block = encode_text_block(identities[1])
    times = []
    for _ in range(rounds):
        sam.place(block)
        c.until("card_inserted")
        t = time.perf_counter()
        c.until("identity")
        times.append(time.perf_counter() - t)
        sam.take_away()
        c.until("card_removed")
    reader.stop()
    sam.close()
    print("serial SAM (fake SAM on a pty):")
    print(f"  card found → identity (select + read + parse)  {ms(times)}")
    line = (1295 + 10 + 10 + 10) * 10 / 115200
    print(f"  + line time at 115200 8N1 for the frames        {line * 1000:.0f} ms (computed, not measured)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    identities = load_demo_identities(REPO / "config" / "demo_identities.toml")
    bench_parsers(identities, args.rounds)
    bench_pcsc(identities, args.rounds)
    bench_serial(identities, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
