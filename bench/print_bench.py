"""Receipt printing benchmark: render, encode, send over loopback TCP, A4 copy PDF.

    .venv/bin/python bench/print_bench.py [--rounds N]

Prints, for the demo 免证办 receipt (FICTITIOUS 测试数据) on 58 mm (384 dots) and 80 mm (576 dots),
a new receipt every round (another fictitious holder and ID number, its own time, receipt id and
QR code, as for the next citizen at the terminal):

* render time (layout + Noto SC text + QR + threshold) — median and p95 ms;
* ESC/POS job size (ESC @ + GS v 0 bands + cut) and encode time, beside python-escpos's encoding of
  the same image (the previous path; the bytes are the same, tests/printer/test_job_bytes.py);
* receipt render + send: from the start of render to the last byte received by a TCP listener on
  127.0.0.1 standing in for the printer, without and with the DLE EOT status check (the listener
  answers "ok"); and cold, with every cache of the renderer emptied before each round;
* the anchor, in the same run: the raw send of the same job's bytes (``send_raw``) to the last
  byte, and the ratio of render + send to it;
* time from ``print_image`` to the last byte, with and without the status check;
* what that job would take on a 115200 baud serial line (bytes x 10 bits / baud);
* the A4 加注件 as the terminal makes it: the demo certificate's sealed OFD seal-checked, drawn at
  print resolution, and the PDF built (fpdf2 embedding the SC OTF): times and size.

No pass/fail: figures only.
"""

from __future__ import annotations

import argparse
import importlib
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from asn1crypto import pem
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' python-escpos reference

from drivers.printer import NetworkPrinter, receipt_job
from kiosk.domain.certificate import CertificateRecord, CertStatus, Verification, VerifiedCertificate
from kiosk.issued.service import PRINT_WIDTH_PX
from kiosk.issued.work import VALID, check_seals, draw_for_print
from kiosk.receipt.a4 import UseAnnotation, annotated_pdf
from kiosk.receipt.codes import make_receipt_code
from kiosk.receipt.contents import certificate_list_receipt
from kiosk.receipt.render import render
from kiosk.receipt.samples import DEMO_SECRET, DEMO_TERMINAL_ID, demo_certificates
from tests.printer.test_job_bytes import escpos_job

render_module = importlib.import_module("kiosk.receipt.render")


class Listener:
    """Accepts connections, answers DLE EOT with "all fine", notes when each job's last byte came."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.last_byte_at: list[float] = []
        self.done = threading.Semaphore(0)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        last = 0.0
        job = False
        with conn:
            while chunk := conn.recv(1 << 16):
                last = time.perf_counter()
                if not job and chunk.startswith(b"\x10\x04") and len(chunk) == 3:
                    conn.sendall(b"\x12")
                    continue
                job = True
        if job:
            self.last_byte_at.append(last)
            self.done.release()

    def close(self) -> None:
        self.server.close()


def _stats(values: list[float]) -> str:
    return f"median {statistics.median(values):7.1f} ms   p95 {_p95(values):7.1f} ms"


def _p95(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * 0.95))]


FICTITIOUS_NAMES = ("覃䶮", "莫海生", "韦秀英", "蓝美玲", "黄志强", "梁晓燕", "欧阳明辉", "廖桂兰")


def _receipts(start: int) -> Iterator[Any]:
    """A new receipt each time, as for the next citizen: another (fictitious) holder and ID number,
    its own minute, receipt id and so QR code."""
    certificates = [
        VerifiedCertificate(CertificateRecord(c, (), "demo", ""), Verification(CertStatus.VALID))
        for c in demo_certificates()
    ]
    n = start
    while True:
        n += 1
        issued = datetime(2026, 11, 29, 15, 7) + timedelta(minutes=n)
        receipt_id = f"{issued:%Y%m%d%H%M%S}-{n % 0xFFFFFF:06x}"
        yield certificate_list_receipt(
            terminal_name="自助终端 01（测试）",
            holder_name=FICTITIOUS_NAMES[n % len(FICTITIOUS_NAMES)],
            holder_id=f"45020619{n % 90 + 10:02d}0{n % 9 + 1}1{n % 10}{n % 997:03d}8",
            certificates=certificates,
            issued_at=issued,
            valid_until=(issued + timedelta(days=30)).date(),
            verify_text=make_receipt_code(DEMO_TERMINAL_ID, receipt_id, DEMO_SECRET),
            test_data=True,
        )


def _empty_caches() -> None:
    render_module.forget_all()  # the QR symbol is never remembered (it carries the check code)


def bench_paper(paper_mm: int, width: int, rounds: int, listener: Listener) -> None:
    receipts = _receipts(width * 100_000)
    render(next(receipts), width)  # warm the font cache
    render_ms, encode_ms, escpos_ms = [], [], []
    image: Image.Image | None = None
    job = b""
    for i in range(rounds):
        receipt = next(receipts)
        t0 = time.perf_counter()
        image = render(receipt, width)
        t1 = time.perf_counter()
        job = receipt_job(image, width)
        t2 = time.perf_counter()
        render_ms.append((t1 - t0) * 1000)
        encode_ms.append((t2 - t1) * 1000)
        if i < max(5, rounds // 3):
            t3 = time.perf_counter()
            reference = escpos_job(image, width)
            escpos_ms.append((time.perf_counter() - t3) * 1000)
            assert reference == job
    assert image is not None
    print(f"\n{paper_mm} mm ({width} dots), receipt {image.width}x{image.height}")
    print(f"  render              {_stats(render_ms)}")
    print(f"  encode ESC/POS      {_stats(encode_ms)}   job {len(job):,} bytes")
    print(f"  python-escpos       {_stats(escpos_ms)}   (the previous encoder, same bytes)")
    print(f"  serial 115200 baud  {len(job) * 10 / 115200:7.2f} s on the wire (estimate)")

    def to_last_byte(action: Callable[[], None]) -> float:
        t0 = time.perf_counter()
        action()
        listener.done.acquire(timeout=10)
        return (listener.last_byte_at[-1] - t0) * 1000

    plain = NetworkPrinter("127.0.0.1", listener.port, paper_mm=paper_mm, check_status=False)
    checked = NetworkPrinter("127.0.0.1", listener.port, paper_mm=paper_mm, check_status=True)

    def render_and_print(printer: NetworkPrinter, receipt: Any) -> Callable[[], None]:
        return lambda: printer.print_image(render(receipt, width))  # the receipt is made before t0

    raw, total, total_checked, cold = [], [], [], []
    for _ in range(rounds):  # interleaved, so the anchor sees the same machine load
        raw.append(to_last_byte(lambda: plain.send_raw(job)))
        total.append(to_last_byte(render_and_print(plain, next(receipts))))
        total_checked.append(to_last_byte(render_and_print(checked, next(receipts))))
        _empty_caches()
        cold.append(to_last_byte(render_and_print(plain, next(receipts))))
    print(f"  render + send       {_stats(total)}")
    print(f"    with status check {_stats(total_checked)}")
    print(f"    cold caches       {_stats(cold)}")
    print(f"  anchor: raw send    {_stats(raw)}   (the same job's bytes, send_raw)")
    print(
        f"  ratio render + send / raw send: median {statistics.median(total) / statistics.median(raw):.1f}, "
        f"p95 {_p95(total) / _p95(raw):.1f}"
    )
    for check in (True, False):
        printer = checked if check else plain
        times = [to_last_byte(partial(printer.print_image, image)) for _ in range(rounds)]
        label = "with status check" if check else "without status   "
        print(f"  print→last byte, {label} {_stats(times)}")


def bench_a4(rounds: int) -> None:
    """The 加注件 as the terminal makes it: the demo certificate's sealed OFD (测试数据) seal-checked,
    its page drawn at print resolution, and the annotated PDF built (kiosk.issued.printing)."""
    data_dir = Path(__file__).resolve().parents[1] / "tests" / "ofd" / "data"
    data = (data_dir / "demo_certificate.ofd").read_bytes()
    anchors = [der for _t, _h, der in pem.unarmor((data_dir / "demo_anchor.pem").read_bytes(), multiple=True)]
    note = UseAnnotation(
        use="户籍业务",
        made_on=date(2026, 12, 6),
        valid_until=date(2026, 12, 29),
        terminal_id=DEMO_TERMINAL_ID,
        verify_code="20261206093000-a1b2c3",
        qr_payload=make_receipt_code(DEMO_TERMINAL_ID, "20261206093000-a1b2c3", DEMO_SECRET),
    )
    checks, draws, builds, size = [], [], [], 0
    check_seals(data, anchors)  # imports and the verifier's first use out of the figures
    for _ in range(max(3, rounds // 10)):
        t0 = time.perf_counter()
        verified = check_seals(data, anchors).status == VALID
        t1 = time.perf_counter()
        page = draw_for_print(data, PRINT_WIDTH_PX)
        t2 = time.perf_counter()
        pdf = annotated_pdf(page, (210.0, 148.0), "居民身份证", note, verified=verified)
        t3 = time.perf_counter()
        checks.append((t1 - t0) * 1000)
        draws.append((t2 - t1) * 1000)
        builds.append((t3 - t2) * 1000)
        size = len(pdf)
        assert verified
    print(f"\nA4 加注件 of the demo certificate's sealed OFD ({PRINT_WIDTH_PX} px wide page)")
    print(f"  seal check            {_stats(checks)}")
    print(f"  page drawn            {_stats(draws)}")
    print(f"  PDF (fpdf2 + SC OTF)  {_stats(builds)}   {size:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-a4", action="store_true", help="skip the A4 copy PDF")
    args = parser.parse_args()
    listener = Listener()
    try:
        for paper_mm, width in ((58, 384), (80, 576)):
            bench_paper(paper_mm, width, args.rounds, listener)
        if not args.no_a4:
            bench_a4(args.rounds)
    finally:
        listener.close()


if __name__ == "__main__":
    main()
