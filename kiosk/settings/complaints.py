"""咨询·投诉·举报 at the terminal (kiosk.complaints): [complaints]."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from kiosk.settings.base import Section

_HEX_KEY = re.compile(r"^(04)?[0-9a-fA-F]{128}$")


class ComplaintsConfig(Section):
    enabled: bool = True
    # the 政务服务咨询投诉举报平台's SM2 public key (hex, 04||x||y): every entry is sealed to it before
    # it touches the disk, so the terminal cannot read back what a citizen wrote. Empty: the page
    # shows only the other ways (the hotline and the desk), it takes nothing in.
    platform_key: str = Field(default="", max_length=130)
    # the public page a phone opens from the slip's QR: <status_url>?t=<ticket>&c=<code>; empty: the
    # slip carries no QR (the ticket and code are printed either way)
    status_url: str = Field(default="", max_length=200, pattern=r"^(https?://[^\s?#]+)?$")
    hotline: str = Field(default="12345", min_length=1, max_length=40)
    desk: str = Field(default="区政务服务中心一楼综合咨询台", min_length=1, max_length=60)
    max_pending: int = Field(default=2000, ge=10, le=100_000)

    @field_validator("platform_key")
    @classmethod
    def _key_shape(cls, value: str) -> str:
        if value and not _HEX_KEY.match(value):
            raise ValueError("platform_key must be an SM2 public key in hex (04 followed by 128 hex digits)")
        if value:
            from kiosk.complaints.sealing import check_public_key

            check_public_key(value)
        return value.lower()
