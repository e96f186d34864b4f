"""Receipt printing benchmark: render, encode, send over loopback TCP, A4 copy PDF.

    .venv/bin/python bench/print_bench.py [--rounds N]

Prints, for the sample 免证办 receipt (FICTITIOUS 测试数据) on 58 mm (384 dots) and 80 mm (576 dots):

* render time (layout + Noto SC text + QR + threshold) — median and p95 ms;
* ESC/POS job size (ESC @ + GS v 0 bands + cut) and encode time;
* time from ``print_image`` to the last byte received by a TCP listener on 127.0.0.1 standing in
  for the printer, with the DLE EOT status check (the listener answers "ok") and without it;
* what that job would take on a 115200 baud serial line (bytes x 10 bits / baud);
* the A4 copy PDF (fpdf2 embedding the SC OTF): build time and size.

No pass/fail: figures only.
"""

from __future__ import annotations

import argparse
import io
import socket
import statistics
import threading
import time
from datetime import date, datetime

from PIL import Image

from drivers.printer import NetworkPrinter, receipt_job
from kiosk.receipt.a4 import copy_pdf
from kiosk.receipt.render import render
from kiosk.receipt.samples import sample_certificate_receipt


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
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {statistics.median(values):7.1f} ms   p95 {p95:7.1f} ms"


def bench_paper(paper_mm: int, width: int, rounds: int, listener: Listener) -> None:
    receipt = sample_certificate_receipt(
        issued_at=datetime(2026, 11, 29, 15, 7), receipt_id="20261129150700-a1b2c3"
    )
    render(receipt, width)  # warm the font cache
    render_ms, encode_ms = [], []
    image: Image.Image | None = None
    for _ in range(rounds):
        t0 = time.perf_counter()
        image = render(receipt, width)
        t1 = time.perf_counter()
        job = receipt_job(image, width)
        t2 = time.perf_counter()
        render_ms.append((t1 - t0) * 1000)
        encode_ms.append((t2 - t1) * 1000)
    assert image is not None
    print(f"\n{paper_mm} mm ({width} dots), receipt {image.width}x{image.height}")
    print(f"  render              {_stats(render_ms)}")
    print(f"  encode ESC/POS      {_stats(encode_ms)}   job {len(job):,} bytes")
    print(f"  serial 115200 baud  {len(job) * 10 / 115200:7.2f} s on the wire (estimate)")
    for check in (True, False):
        printer = NetworkPrinter("127.0.0.1", listener.port, paper_mm=paper_mm, check_status=check)
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            printer.print_image(image)
            listener.done.acquire(timeout=10)
            times.append((listener.last_byte_at[-1] - t0) * 1000)
        label = "with status check" if check else "without status   "
        print(f"  print→last byte, {label} {_stats(times)}")


def bench_a4(rounds: int) -> None:
    img = Image.new("RGB", (1240, 1754), "white")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    times, size = [], 0
    for _ in range(max(2, rounds // 10)):
        t0 = time.perf_counter()
        pdf = copy_pdf(buf.getvalue(), "居民户口簿", date(2026, 12, 29), "免证办：电子证照查询与打印")
        times.append((time.perf_counter() - t0) * 1000)
        size = len(pdf)
    print(f"\nA4 copy PDF (fpdf2 + SC OTF subset, 1240x1754 PNG)  {_stats(times)}   {size:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    listener = Listener()
    try:
        for paper_mm, width in ((58, 384), (80, 576)):
            bench_paper(paper_mm, width, args.rounds, listener)
        bench_a4(args.rounds)
    finally:
        listener.close()


if __name__ == "__main__":
    main()
