"""Helpers of the guide tests: a demo holder as the card reader would give it, and their certificates
fetched and verified from the real reference server with the real client."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.domain.certificate import CertificateSummary, VerifiedCertificate
from kiosk.domain.holder import Holder
from tests.support.refserver import RefServer


def holder_of(p: dict[str, Any]) -> Holder:
    evidence = {
        "kind": "id_card",
        "card_type": p.get("card_type", "resident"),
        "read_at": datetime.now().astimezone(),
        "reader": {"kind": "simulated", "sam_id": "05.01-20260101-0001"},
    }
    return Holder(
        name=p["name"], id_number=p["id_number"], card_type=p.get("card_type", "resident"), evidence=evidence
    )


async def fetch(
    server: RefServer, p: dict[str, Any]
) -> tuple[list[CertificateSummary], dict[str, VerifiedCertificate]]:
    backend = server.client()
    try:
        certs = await backend.query_certificates(holder_of(p), "办事指南：核对免证材料")
        records = {c.identifier: await backend.get_certificate(c.identifier) for c in certs}
    finally:
        await backend.aclose()
    return list(certs), records
