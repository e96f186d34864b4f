"""Backend benchmark: the client and the reference server on loopback.

    .venv/bin/python bench/backend_bench.py [--rounds N] [--server-seconds S]

Prints, with the real reference server in a subprocess on 127.0.0.1:

* query → verified list: one query for the "business" demo holder (10 certificates) then the ten
  records fetched and verified (SM2/SM3), sequentially as a session does — median and p95 ms;
  beside it, in the same run and interleaved round by round, the anchor: the same with verification
  stubbed (every record declared valid without a check), and the ratio of the two;
* the same with the ten fetches issued concurrently;
* SM2 signature verification of one record on the terminal, with the SM2 the terminal uses
  (kiosk.crypto.sm2: native OpenSSL, or the pure-Python fallback) and with the gmssl fallback
  forced — median and p95 ms;
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

import kiosk.backend.client as client_module
from kiosk.backend import verifier
from kiosk.backend.verify import verify_record
from kiosk.crypto import sm2
from kiosk.domain.certificate import CertStatus, Verification
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


async def _stubbed_verifier(fn: object, *args: object) -> Verification:
    """The anchor: what a list costs with every step but the signature check."""
    return Verification(CertStatus.VALID)


async def sequential_list(backend: object) -> float:
    t = time.perf_counter()
    certs = await backend.query_certificates(holder(), "基准测试")  # type: ignore[attr-defined]
    verified = [await backend.get_certificate(c.identifier) for c in certs]  # type: ignore[attr-defined]
    elapsed = (time.perf_counter() - t) * 1000
    assert all(v.verification.ok for v in verified)
    return elapsed


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.1f} ms, p95 {pct(values, 0.95):.1f} ms"


async def query_and_verify(server: EmbeddedServer, rounds: int) -> None:
    backend = server.client()
    seq: list[float] = []
    stubbed: list[float] = []
    conc: list[float] = []
    real_verifier = client_module.run_verifier
    try:
        certs = await backend.query_certificates(holder(), "基准测试")
        n = len(certs)
        await sequential_list(backend)  # warm: connection, verifier thread or process, key cache
        for _ in range(rounds):
            seq.append(await sequential_list(backend))
            client_module.run_verifier = _stubbed_verifier  # type: ignore[assignment]
            try:
                stubbed.append(await sequential_list(backend))
            finally:
                client_module.run_verifier = real_verifier
            t = time.perf_counter()
            certs = await backend.query_certificates(holder(), "基准测试")
            verified = await asyncio.gather(*(backend.get_certificate(c.identifier) for c in certs))
            assert all(v.verification.ok for v in verified)
            conc.append((time.perf_counter() - t) * 1000)
        one = await backend.get_certificate(certs[0].identifier)
    finally:
        await backend.aclose()
    print(
        f"query → verified list of {n} certificates (sequential): {summary(seq)}  ({rounds} rounds; "
        f"SM2 {sm2.backend()}, verified in a {verifier.mode()})"
    )
    print(f"  anchor, same run, verification stubbed:          {summary(stubbed)}")
    print(
        f"  ratio to the anchor: median {statistics.median(seq) / statistics.median(stubbed):.2f}, "
        f"p95 {pct(seq, 0.95) / pct(stubbed, 0.95):.2f}"
    )
    print(
        f"query → verified list of {n} certificates (concurrent fetch):",
        f"median {statistics.median(conc):.1f} ms, p95 {pct(conc, 0.95):.1f} ms",
    )
    print(f"SM2/SM3 verification per record ({sm2.backend()}): {summary(per_record(one, server, 300))}")
    used = sm2.backend()
    sm2.use_pure_python("bench: the fallback's figure")
    print(f"SM2/SM3 verification per record (python, the fallback): {summary(per_record(one, server, 30))}")
    if used == sm2.NATIVE:
        sm2.reset()


def per_record(one: object, server: EmbeddedServer, count: int) -> list[float]:
    times = []
    for _ in range(count):
        t = time.perf_counter()
        v = verify_record(one.record, server.issuer_keys, date.today())  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t) * 1000)
        assert v.ok
    return times


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
