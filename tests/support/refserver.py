"""Run the real reference server on 127.0.0.1 for tests of any area.

    from tests.support.refserver import running_refserver

    with running_refserver(tmp_path) as server:
        backend = server.client()            # a real HttpBackend for the demo terminal
        ...

or, in a conftest, ``yield from refserver_fixture(tmp_path_factory)``. The server is the separate
``refserver`` program in a subprocess (started by PID, always stopped), with the test-only fault
switches enabled so tests can inject delays, resets, 5xx, malformed or oversized answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from kiosk.wiring.backend import EmbeddedServer, start_embedded_refserver

SOCIAL_SECURITY_TYPE = "11100000000000004Y001"  # 社会保障卡 in the seed (checked by tests)
# A second terminal that may only see 社会保障卡 (forbidden-type tests), and a third one with a tiny
# rate limit (rate-limit tests). Their secrets are test material only.
LIMITED_TERMINAL = {
    "id": "LJ-ZZ-LIMITED",
    "secret": "limited-terminal-test-secret",
    "allowed_types": [SOCIAL_SECURITY_TYPE],
    "rate_per_minute": 100_000,
}
SM3_TERMINAL = {
    "id": "LJ-ZZ-SM3",
    "secret": "sm3-terminal-test-secret",
    "allowed_types": [],
    "rate_per_minute": 100_000,
    "algorithm": "hmac-sm3",
}
THROTTLED_TERMINAL = {
    "id": "LJ-ZZ-THROTTLED",
    "secret": "throttled-terminal-test-secret",
    "allowed_types": [],
    "rate_per_minute": 3,
}


class RefServer:
    """A running server plus test helpers (fault injection, tokens, logs)."""

    def __init__(self, embedded: EmbeddedServer) -> None:
        self.embedded = embedded
        self.url = embedded.url
        self._http = httpx.Client(base_url=embedded.url, timeout=5.0, trust_env=False)

    def client(self, terminal_id: str | None = None, **overrides: Any) -> Any:
        return self.embedded.client(terminal_id, **overrides)

    def limited_client(self, **overrides: Any) -> Any:
        overrides.setdefault("terminal_secret", LIMITED_TERMINAL["secret"])
        return self.embedded.client(str(LIMITED_TERMINAL["id"]), **overrides)

    def throttled_client(self, **overrides: Any) -> Any:
        overrides.setdefault("terminal_secret", THROTTLED_TERMINAL["secret"])
        return self.embedded.client(str(THROTTLED_TERMINAL["id"]), **overrides)

    def sm3_client(self, **overrides: Any) -> Any:
        overrides.setdefault("terminal_secret", SM3_TERMINAL["secret"])
        return self.embedded.client(str(SM3_TERMINAL["id"]), **overrides)

    def backend_config(self, **overrides: Any) -> Any:
        return self.embedded.backend_config(**overrides)

    def set_fault(self, mode: str, **spec: Any) -> None:
        self._http.post("/_faults", json={"mode": mode, **spec}).raise_for_status()

    def clear_faults(self) -> None:
        self._http.delete("/_faults").raise_for_status()

    def issue_token(self, holder: str, ttl_seconds: float = 300) -> str:
        r = self._http.post("/_admin/lz-tokens", json={"holder": holder, "ttl_seconds": ttl_seconds})
        r.raise_for_status()
        return str(r.json()["token"])

    def usage(self) -> list[dict[str, Any]]:
        return list(self._http.get("/_admin/usage").json())

    def evaluations(self) -> list[dict[str, Any]]:
        return list(self._http.get("/_admin/evaluations").json())

    def stop(self) -> None:
        self._http.close()
        self.embedded.stop()


@contextmanager
def running_refserver(
    workdir: Path, *, faults: bool = True, rate_per_minute: int = 100_000
) -> Iterator[RefServer]:
    embedded = start_embedded_refserver(
        workdir,
        faults=faults,
        extra_terminals=[LIMITED_TERMINAL, THROTTLED_TERMINAL, SM3_TERMINAL],
        rate_per_minute=rate_per_minute,
    )
    server = RefServer(embedded)
    try:
        yield server
    finally:
        server.stop()


def refserver_fixture(tmp_path_factory: Any) -> Iterator[RefServer]:
    """Body of a pytest fixture: ``yield from refserver_fixture(tmp_path_factory)``."""
    with running_refserver(tmp_path_factory.mktemp("refserver")) as server:
        yield server
