"""E-certificate backend settings (kiosk/backend)."""

import ipaddress
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from kiosk.settings.base import Section

_SM2_PUBLIC = re.compile(r"^(04)?[0-9a-fA-F]{128}$")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BackendConfig(Section):
    url: str = "https://127.0.0.1:8443"
    verify_tls: bool = True
    ca_file: str = ""  # pin the server's CA (PEM); empty: the system's trust store
    connect_timeout: float = Field(default=3.0, gt=0, le=30)
    read_timeout: float = Field(default=5.0, gt=0, le=60)
    total_timeout: float = Field(default=10.0, gt=0, le=120)  # one call including retries
    retries: int = Field(default=2, ge=0, le=5)  # extra attempts, transient failures only
    breaker_failures: int = Field(default=3, ge=1, le=20)
    breaker_reset_seconds: float = Field(default=30.0, ge=1, le=600)
    # Every answer is held whole in memory (decoded, at most this many bytes: kiosk.backend.bounded),
    # so the cap is also what a broken or hostile server can make the terminal allocate per call.
    max_response_bytes: int = Field(default=4_000_000, ge=10_000, le=50_000_000)
    # Idle kept-alive connections are dropped after this many seconds. It must stay BELOW the
    # server's (and any proxy's) idle timeout — uvicorn, the reference server: 5 s; nginx: 75 s —
    # or the client reuses a connection the server is closing and the request dies unanswered.
    keepalive_expiry: float = Field(default=4.0, gt=0, le=60)
    # HMAC of the request signature: SHA-256, or SM3 where a gateway requires national algorithms
    signature_algorithm: Literal["hmac-sha256", "hmac-sm3"] = "hmac-sha256"
    # secrets file only
    terminal_secret: SecretStr = SecretStr("")
    # issuer key id -> SM2 public key (hex, uncompressed 04...)
    issuer_keys: dict[str, str] = Field(default_factory=dict)
    copy_valid_days: int = Field(default=30, ge=1, le=365)

    @field_validator("url")
    @classmethod
    def _https_or_loopback(cls, value: str) -> str:
        """Personal data never crosses a network in clear: plain http only to this machine."""
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("must be https://host[:port] (http only for 127.0.0.1)")
        if parts.scheme == "http" and not _loopback(parts.hostname):
            raise ValueError("plain http is only allowed to a loopback address; use https")
        return value

    @field_validator("ca_file")
    @classmethod
    def _ca_file_exists(cls, value: str) -> str:
        if value and not Path(value).is_file():
            raise ValueError(f"CA file not found: {value}")
        return value

    @field_validator("issuer_keys")
    @classmethod
    def _sm2_public_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key_id, key in value.items():
            if not _SM2_PUBLIC.match(key.strip()):
                raise ValueError(
                    f"issuer key {key_id!r} must be an uncompressed SM2 public key (04 + 128 hex)"
                )
        return value
