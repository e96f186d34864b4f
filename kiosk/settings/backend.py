"""E-certificate backend settings (kiosk/backend)."""

from pydantic import Field, SecretStr

from kiosk.settings.base import Section


class BackendConfig(Section):
    url: str = "https://127.0.0.1:8443"
    verify_tls: bool = True
    ca_file: str = ""  # pin the server's CA (PEM); empty: the system's trust store
    connect_timeout: float = Field(default=3.0, gt=0, le=30)
    read_timeout: float = Field(default=5.0, gt=0, le=60)
    total_timeout: float = Field(default=10.0, gt=0, le=120)
    retries: int = Field(default=2, ge=0, le=5)
    breaker_failures: int = Field(default=3, ge=1, le=20)
    breaker_reset_seconds: float = Field(default=30.0, ge=1, le=600)
    max_response_bytes: int = Field(default=4_000_000, ge=10_000)
    # secrets file only
    terminal_secret: SecretStr = SecretStr("")
    # issuer key id -> SM2 public key (hex, uncompressed 04...)
    issuer_keys: dict[str, str] = Field(default_factory=dict)
    copy_valid_days: int = Field(default=30, ge=1, le=365)
