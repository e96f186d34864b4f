"""Backend benchmark: the client and the reference server on loopback.

    .venv/bin/python bench/backend_bench.py [--rounds N] [--server-seconds S]

Prints, with the real reference server in a subprocess on 127.0.0.1:

* query → verified list: one query for the "business" demo holder (10 certificates) then the ten
  records fetched and verified (SM2/SM3), sequentially as a session does — median and p95 ms;
* the same with the ten fetches issued concurrently;
* SM2 signature verification of one record on the terminal (pure-Python gmssl) — median ms;
* the client's own overhead per call (signing, breaker, capped streaming, pydantic) beside a bare
  httpx GET of /v1/health on the same kept-alive connection — median µs each;
* server throughput for the query operation: requests/s with 8 concurrent signed clients.

No pass/fail: figures only (speed lives here, not in the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

from kiosk.backend.verify import verify_record
from kiosk.domain.holder import Holder
from kiosk.wiring.backend import EmbeddedServer, start_embedded_refserver

BUSINESS = ("莫海生", "450206197201010518")


def holder() -> Holder:
    return Holder(
        name=BUSINESS[0],
        id_number=BUSINESS[1],
        evidence={"kind": "id_card", "card_type": "resident", "read_at": "2026-01-01T00:00:00+08:00"},
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def query_and_verify(server: EmbeddedServer, rounds: int) -> None:
    backend = server.client()
    seq: list[float] = []
    conc: list[float] = []
    try:
        certs = await backend.query_certificates(holder(), "基准测试")
        n = len(certs)
        for _ in range(rounds):
            t = time.perf_counter()
            certs = await backend.query_certificates(holder(), "基准测试")
            verified = [await backend.get_certificate(c.identifier) for c in certs]
            seq.append((time.perf_counter() - t) * 1000)
            assert all(v.verification.ok for v in verified)
            t = time.perf_counter()
            certs = await backend.query_certificates(holder(), "基准测试")
            verified = await asyncio.gather(*(backend.get_certificate(c.identifier) for c in certs))
            conc.append((time.perf_counter() - t) * 1000)
        one = await backend.get_certificate(certs[0].identifier)
    finally:
        await backend.aclose()
    print(
        f"query → verified list of {n} certificates (sequential): median {statistics.median(seq):.1f} ms, "
        f"p95 {pct(seq, 0.95):.1f} ms  ({rounds} rounds)"
    )
    print(
        f"query → verified list of {n} certificates (concurrent fetch):",
        f"median {statistics.median(conc):.1f} ms, p95 {pct(conc, 0.95):.1f} ms",
    )
    times = []
    for _ in range(30):
        t = time.perf_counter()
        verify_record(one.record, server.issuer_keys, date.today())
        times.append((time.perf_counter() - t) * 1000)
    print(
        f"SM2/SM3 verification per record (gmssl, pure Python): median {statistics.median(times):.1f} ms, "
        f"p95 {pct(times, 0.95):.1f} ms"
    )


async def overhead(server: EmbeddedServer, rounds: int) -> None:
    backend = server.client()
    bare = httpx.AsyncClient(base_url=server.url, trust_env=False)
    mine: list[float] = []
    plain: list[float] = []
    try:
        await backend.health()
        await bare.get("/v1/health")
        for _ in range(rounds):
            t = time.perf_counter()
            await bare.get("/v1/health")
            plain.append((time.perf_counter() - t) * 1e6)
            t = time.perf_counter()
            await backend.health()
            mine.append((time.perf_counter() - t) * 1e6)
    finally:
        await backend.aclose()
        await bare.aclose()
    m, p = statistics.median(mine), statistics.median(plain)
    print(f"GET /v1/health: client {m:.0f} µs vs bare httpx {p:.0f} µs → overhead {m - p:.0f} µs per call")


async def throughput(server: EmbeddedServer, seconds: float, workers: int = 8) -> None:
    backends = [server.client() for _ in range(workers)]
    count = 0
    deadline = time.perf_counter() + seconds

    async def worker(b: object) -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            await b.query_certificates(holder(), "基准测试")  # type: ignore[attr-defined]
            count += 1

    t = time.perf_counter()
    try:
        await asyncio.gather(*(worker(b) for b in backends))
    finally:
        for b in backends:
            await b.aclose()
    elapsed = time.perf_counter() - t
    print(
        f"server: POST /v1/certificates/query {count / elapsed:.0f} requests/s "
        f"({workers} concurrent signed clients, {elapsed:.1f} s, one uvicorn worker, SQLite)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--server-seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backend-bench-") as tmp:
        server = start_embedded_refserver(Path(tmp), rate_per_minute=10_000_000)
        try:
            asyncio.run(query_and_verify(server, args.rounds))
            asyncio.run(overhead(server, args.rounds * 10))
            asyncio.run(throughput(server, args.server_seconds))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
