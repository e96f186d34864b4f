"""The client against a hostile server (issue 19): bombs, lies, garbage and drips on a real socket.

Each answer must end as a BackendError of the named kind — nothing else raised — that the circuit
breaker counted (``breaker_failures=1``: one counted failure opens it), and the bombs must leave
the kiosk's memory bounded by the size cap, not by the server.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from kiosk.backend.breaker import BreakerState
from kiosk.backend.client import ERROR_BODY_LIMIT, HttpBackend
from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.settings.backend import BackendConfig
from tests.backend.conftest import ELDER_ID, card_holder
from tests.backend.hostile_server import (
    Behaviour,
    HostileServer,
    bomb_blocks,
    deep_json,
    drip,
    health_json,
    in_turn,
    raw,
    respond,
    stacked_gzip_bomb,
    stream,
)

ROOT = Path(__file__).resolve().parents[2]
HEALTH = health_json("1780000000.5")
JSON = ("Content-Type", "application/json")
CAP = 1_000_000  # max_response_bytes in the memory probes
MiB = 1 << 20


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
async def backend(hostile: HostileServer) -> AsyncIterator[Callable[..., HttpBackend]]:
    made: list[HttpBackend] = []

    def make(**overrides: Any) -> HttpBackend:
        settings: dict[str, Any] = {
            "url": hostile.url,
            "terminal_secret": SecretStr("hostile"),
            "retries": 0,
            "breaker_failures": 1,
            "connect_timeout": 1.0,
            "read_timeout": 2.0,
            "total_timeout": 5.0,
            **overrides,
        }
        made.append(HttpBackend(BackendConfig(**settings), "LJ-ZZ-DEMO"))
        return made[-1]

    yield make
    for b in made:
        await b.aclose()


async def refused(backend: HttpBackend, call: Any, kind: BackendErrorKind) -> BackendError:
    """``call`` ends in a BackendError of ``kind`` (pytest.raises lets anything else through, and
    the test fails on it), and the breaker counted it."""
    with pytest.raises(BackendError) as info:
        await call
    assert info.value.kind is kind, info.value
    assert backend.breaker.state is BreakerState.OPEN  # one counted failure opened it
    return info.value


# ---------------------------------------------------------------------- compression bombs


def bomb(coding: str) -> Behaviour:
    if coding == "stacked":
        return respond(200, stacked_gzip_bomb(256), [JSON, ("Content-Encoding", "gzip, gzip")])
    if coding == "endless":  # identity, chunked, never ends
        return stream(200, lambda: iter(lambda: b" " * 65536, None))
    wbits = {"gzip": 31, "deflate": 15, "raw-deflate": -15}[coding]
    name = "gzip" if coding == "gzip" else "deflate"
    return stream(200, lambda: bomb_blocks(wbits, 10_000), [JSON, ("Content-Encoding", name)])


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate", "stacked", "endless"])
def test_bomb_is_refused_with_memory_bounded_by_the_cap(hostile: HostileServer, coding: str) -> None:
    """10 GB of zeros in 10 MB of gzip/deflate, a gzip of a 256 MB gzip bomb (the issue's ``gzip,
    gzip``: 2.1 GB from 1,827 bytes), and an endless plain body: the client holds at most the cap
    (1 MB here) of any of them. Measured in a fresh process: the Python allocations' peak and the
    growth of the resident-size high-water mark."""
    hostile.behave(in_turn(respond(200, HEALTH), bomb(coding)))
    done = subprocess.run(
        [sys.executable, "-m", "tests.backend.memory_probe", hostile.url, str(CAP)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["outcome"] == "bad_response", result
    assert result["breaker"] == "open"
    assert result["python_peak"] < 3 * CAP + MiB, result
    assert result["rss_growth"] < 3 * CAP + 16 * MiB, result


@pytest.mark.parametrize(
    "coding", ["br", "zstd", "compress", "gzip, gzip", "deflate, gzip", "x-unknown", "gzip, br"]
)
async def test_codings_not_asked_for_are_refused(
    hostile: HostileServer, backend: Callable[..., HttpBackend], coding: str
) -> None:
    # a harmless body: the coding alone is refused, before anything is decoded
    hostile.behave(respond(200, gzip.compress(HEALTH), [JSON, ("Content-Encoding", coding)]))
    client = backend()
    await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)
    assert hostile.requests[-1].headers["accept-encoding"] == "gzip"


async def test_two_encoding_header_lines_are_a_stack(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    body = gzip.compress(gzip.compress(HEALTH))
    hostile.behave(respond(200, body, [JSON, ("Content-Encoding", "gzip"), ("Content-Encoding", "gzip")]))
    client = backend()
    await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
        ("identity", lambda b: b),
        ("identity, gzip", gzip.compress),
    ],
)
async def test_honest_encoded_answers_still_work(
    hostile: HostileServer,
    backend: Callable[..., HttpBackend],
    coding: str,
    encode: Callable[[bytes], bytes],
) -> None:
    hostile.behave(respond(200, encode(HEALTH), [JSON, ("Content-Encoding", coding)]))
    assert (await backend().health())["unix"] == 1780000000.5


async def test_error_answer_bomb_is_cut_at_the_error_limit(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    # a 500 whose error body inflates to 10 GB: the error path has its own, smaller cap
    hostile.behave(stream(500, lambda: bomb_blocks(31, 10_000), [JSON, ("Content-Encoding", "gzip")]))
    client = backend()
    error = await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)
    assert "too large" in error.detail
    # and an honest compressed error answer is still read for its code
    body = gzip.compress(b'{"error":{"code":"NOT_FOUND","message":"x"}}')
    assert len(body) < ERROR_BODY_LIMIT
    hostile.behave(respond(404, body, [JSON, ("Content-Encoding", "gzip")]))
    with pytest.raises(BackendError) as info:
        await backend().health()
    assert info.value.kind is BackendErrorKind.NOT_FOUND


async def test_compressed_answer_cut_short_or_followed_by_more(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    whole = gzip.compress(HEALTH)
    for body in (whole[:-6], whole + b"trailing bytes after the gzip stream", b"not gzip at all"):
        hostile.behave(respond(200, body, [JSON, ("Content-Encoding", "gzip")]))
        client = backend()
        await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)


# ---------------------------------------------------------------------- framing lies and drips


async def test_huge_content_length_is_refused_before_reading(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    hostile.behave(
        raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000000\r\n\r\n{}")
    )
    client = backend()
    await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)


async def test_content_length_longer_than_the_body(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    lie = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n" + HEALTH
    # the server then hangs up: the answer was cut off in transit, like a pulled cable
    hostile.behave(raw(lie))
    client = backend()
    await refused(client, client.health(), BackendErrorKind.UNAVAILABLE)
    # the server then keeps silent: the read timeout ends it
    hostile.behave(raw(lie, then_close=False))
    client = backend(read_timeout=0.5)
    await refused(client, client.health(), BackendErrorKind.TIMEOUT)


async def test_endless_chunked_body_is_cut_at_the_cap(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    hostile.behave(stream(200, lambda: iter(lambda: b"[" * 65536, None)))
    client = backend(max_response_bytes=200_000)
    error = await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)
    assert "too large" in error.detail


async def test_slow_drip_is_ended_by_the_total_timeout(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    # one byte a second: every byte restarts the read timeout (5 s), only total_timeout ends it
    hostile.behave(drip(HEALTH, every=1.0))
    client = backend(read_timeout=5.0, total_timeout=2.5)
    await refused(client, client.health(), BackendErrorKind.TIMEOUT)


# ---------------------------------------------------------------------- what the JSON says


@pytest.mark.parametrize("kind", ["array", "object"])
async def test_deep_json_is_a_bad_response(
    hostile: HostileServer, backend: Callable[..., HttpBackend], kind: str
) -> None:
    """A million levels raised RecursionError out of the client; now refused before parsing, for
    answers and error answers alike."""
    hostile.behave(respond(200, deep_json(1_000_000, kind)))
    client = backend()
    await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)
    # the same inside a valid-looking certificate list
    hostile.behave(respond(200, b'{"certificates":[' + deep_json(100_000, kind) + b"]}"))
    client = backend()
    await refused(
        client,
        client.query_certificates(card_holder("韦桂兰", ELDER_ID), "免证办"),
        BackendErrorKind.BAD_RESPONSE,
    )
    # an error answer nested deep (within the error limit) is judged by its status alone
    hostile.behave(respond(503, deep_json(10_000, kind)))
    client = backend()
    await refused(client, client.health(), BackendErrorKind.INTERNAL)


async def test_shallow_nesting_and_brackets_in_strings_are_fine(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    extra = b',"x":' + deep_json(20, "object") + b',"y":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"["'
    hostile.behave(respond(200, HEALTH[:-1] + extra + b"}"))
    assert (await backend().health())["status"] == "ok"


@pytest.mark.parametrize("unix", ["NaN", "Infinity", "-Infinity", "1e999", "-5", "0", "1e300", '"soon"'])
async def test_unusable_server_time_is_a_bad_response(
    hostile: HostileServer, backend: Callable[..., HttpBackend], unix: str
) -> None:
    """A NaN server time made the clock offset NaN, which no skew limit ever catches."""
    hostile.behave(respond(200, health_json(unix)))
    client = backend()
    await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)


async def test_invalid_utf8_is_a_bad_response(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    hostile.behave(respond(200, HEALTH.replace(b'"ok"', b'"\xff\xfe"')))
    client = backend()
    await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)
    hostile.behave(respond(200, b"\xef\xbb\xbf" + HEALTH))  # a BOM: not JSON between systems
    client = backend()
    await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)


async def test_truncated_json_is_a_bad_response(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    hostile.behave(respond(200, HEALTH[: len(HEALTH) // 2]))  # well framed, cut JSON
    client = backend()
    await refused(client, client.health(), BackendErrorKind.BAD_RESPONSE)
