"""``kiosk demo`` does not wait for its reference server's seeding: the server listens and names
its address first, and a request sent while it still seeds is answered once it is done, with the
seeded data (real signatures), not refused and not empty."""

from __future__ import annotations

from pathlib import Path

from kiosk.wiring.backend import spawn_embedded_refserver
from tests.backend.conftest import BUSINESS_ID, card_holder


async def test_a_request_sent_before_the_seeding_is_done_gets_the_seeded_data(tmp_path: Path) -> None:
    pending = spawn_embedded_refserver(tmp_path / "server")
    server = pending.wait(healthy=False)  # the info file only: the server has not answered yet
    try:
        client = server.client()
        try:
            certs = await client.query_certificates(card_holder("莫海生", BUSINESS_ID), "办理不动产登记")
        finally:
            await client.aclose()
        assert len(certs) >= 2  # the business holder's seeded certificates, signed and verified
        assert server.alive()
    finally:
        server.stop()
