"""A receipt as plain text: the content of the "save it on your phone" QR when paper fails."""

from __future__ import annotations

from kiosk.i18n import _
from kiosk.receipt.layout import Field, Qr, Receipt, Separator, Text

#: Byte budget of the phone QR (UTF-8). Version 25 at level M holds about 1,000 bytes and still
#: scans from a 1080p portrait screen at arm's length.
PHONE_QR_MAX_BYTES = 1000


def receipt_text(receipt: Receipt) -> str:
    lines = [receipt.title]
    if receipt.test_data:
        lines.insert(0, _("【测试数据】"))
    for block in receipt.blocks:
        if isinstance(block, Text):
            lines.append(block.text)
        elif isinstance(block, Field):
            lines.append(f"{block.caption}{block.value}")
        elif isinstance(block, Separator):
            lines.append("—")
        elif isinstance(block, Qr):
            lines.append(Field(_("核验码"), "").caption + block.data)
    return "\n".join(lines)


def phone_text(receipt: Receipt, max_bytes: int = PHONE_QR_MAX_BYTES) -> str:
    """:func:`receipt_text`, shortened (identifiers dropped first, then the tail) to fit one QR."""
    text = receipt_text(receipt)
    if len(text.encode()) <= max_bytes:
        return text
    identifier = Field(_("证照标识"), "").caption
    text = "\n".join(line for line in text.splitlines() if not line.startswith(identifier))
    while len(text.encode()) > max_bytes:
        text = text[: int(len(text) * 0.9)]
    return text
