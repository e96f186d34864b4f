"""What a scanned QR payload is: a 亮证 token, one of this terminal's receipt codes, a certificate
identifier, something unrecognised, or something refused as hostile. Pure: no camera, no I/O.

    from kiosk.qr import classify
    result = classify(text, config)          # config: KioskConfig (patterns, terminal id)
    if result.kind == "lz_token":
        await backend.resolve_token(result.value, use_cause)
    else:
        show(result.message)                  # plain Chinese; never markup
"""

from kiosk.qr.classify import KINDS, QrPayload, classify
from kiosk.qr.lz_patterns import LzPattern, compile_patterns
from kiosk.qr.safety import MAX_PAYLOAD_CHARS, display_safe, escape_markup, hostile_reason

__all__ = [
    "KINDS",
    "MAX_PAYLOAD_CHARS",
    "LzPattern",
    "QrPayload",
    "classify",
    "compile_patterns",
    "display_safe",
    "escape_markup",
    "hostile_reason",
]
