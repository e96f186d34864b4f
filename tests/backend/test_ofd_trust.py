"""[trust] ofd_seal_anchors: CA certificates as PEM text or a PEM file, refused at start when they
are not; ofd_anchors() hands kiosk.ofd the DER certificates."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kiosk.settings.trust import TrustConfig
from refserver.ofd import demo_anchor_pem
from refserver.ofd.pki import demo_ca


def test_pem_text_and_pem_files_give_the_der_certificates(tmp_path: Path) -> None:
    pem = demo_anchor_pem()
    other = demo_ca("another-demo-ca").root.cert
    path = tmp_path / "anchors.pem"
    from asn1crypto import pem as armor

    path.write_bytes(armor.armor("CERTIFICATE", other))
    trust = TrustConfig(ofd_seal_anchors=[pem, str(path)])
    assert trust.ofd_anchors() == [demo_ca().root.cert, other]
    assert TrustConfig().ofd_anchors() == []  # nothing trusted unless configured


@pytest.mark.parametrize(
    "entry",
    [
        "/no/such/anchor.pem",
        "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----\naGVsbG8=\n-----END PUBLIC KEY-----",
    ],
)
def test_what_is_not_a_certificate_is_refused_at_start(entry: str) -> None:
    with pytest.raises(ValidationError) as info:
        TrustConfig(ofd_seal_anchors=[entry])
    assert "OFD seal anchor" in str(info.value)
