"""The backend section refuses settings that would weaken the terminal at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kiosk.settings.backend import BackendConfig
from refserver.demo_issuer_key import DEMO_PUBLIC_KEY_HEX


@pytest.mark.parametrize(
    "url", ["http://10.1.2.3:8080", "ftp://127.0.0.1", "127.0.0.1:8443", "http://example.org"]
)
def test_refused_urls(url: str) -> None:
    with pytest.raises(ValidationError):
        BackendConfig(url=url)


@pytest.mark.parametrize(
    "url", ["https://zwfw.example.gov.cn", "http://127.0.0.1:8000", "http://localhost:1"]
)
def test_accepted_urls(url: str) -> None:
    assert BackendConfig(url=url).url == url


def test_issuer_keys_must_be_sm2_public_keys() -> None:
    assert BackendConfig(issuer_keys={"k": DEMO_PUBLIC_KEY_HEX}).issuer_keys["k"] == DEMO_PUBLIC_KEY_HEX
    with pytest.raises(ValidationError, match="SM2"):
        BackendConfig(issuer_keys={"k": "04abcd"})


def test_pinned_ca_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="CA file"):
        BackendConfig(ca_file=str(tmp_path / "missing.pem"))
