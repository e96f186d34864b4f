"""Receipts: a declarative layout, rendered once to a 1-bit raster of the paper width, and print jobs.

Pure Pillow + qrcode, no printer library: the printer adapters (drivers/printer) only move pixels.
"""

from kiosk.receipt.codes import make_receipt_code, new_receipt_id, parse_receipt_code, verify_receipt_code
from kiosk.receipt.contents import certificate_list_receipt, diagnostic_page_receipt, rating_thanks_receipt
from kiosk.receipt.layout import Field, Qr, Receipt, Separator, Space, Text
from kiosk.receipt.render import render

__all__ = [
    "Field",
    "Qr",
    "Receipt",
    "Separator",
    "Space",
    "Text",
    "certificate_list_receipt",
    "diagnostic_page_receipt",
    "make_receipt_code",
    "new_receipt_id",
    "parse_receipt_code",
    "rating_thanks_receipt",
    "render",
    "verify_receipt_code",
]
