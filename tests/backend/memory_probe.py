"""Run in a fresh interpreter by test_hostile_answers: one backend health call against URL, and what
it cost in memory, as one JSON line on stdout.

    python -m tests.backend.memory_probe URL CAP_BYTES

The first call is a warm-up (the server answers it properly), so imports, the connection and the
first parse are paid for before the measured call. Measured: the resident-size high-water mark
(``ru_maxrss``) before and after, and the Python allocations' peak during the call (tracemalloc).
The address space is capped (2 GB) so that a client without the bounds fails with MemoryError
instead of taking the machine's memory.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
import tracemalloc

from pydantic import SecretStr

from kiosk.backend.client import HttpBackend
from kiosk.backend.errors import BackendError
from kiosk.settings.backend import BackendConfig

ADDRESS_SPACE = 2 << 30


def max_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


async def probe(url: str, cap: int) -> dict[str, object]:
    config = BackendConfig(
        url=url,
        terminal_secret=SecretStr("probe"),
        retries=0,
        breaker_failures=1,
        max_response_bytes=cap,
        read_timeout=10,
        total_timeout=30,
    )
    backend = HttpBackend(config, "LJ-ZZ-PROBE")
    try:
        await backend.health()
        gc.collect()
        before = max_rss()
        tracemalloc.start()
        outcome = "answered"
        try:
            await backend.health()
        except BackendError as exc:
            outcome = exc.kind.value
        except BaseException as exc:  # what the test must never see: reported, not raised
            outcome = type(exc).__name__
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {
            "outcome": outcome,
            "breaker": backend.breaker.state.value,
            "python_peak": peak,
            "rss_growth": max_rss() - before,
        }
    finally:
        await backend.aclose()


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    print(json.dumps(asyncio.run(probe(sys.argv[1], int(sys.argv[2])))))


if __name__ == "__main__":
    main()
