"""Small helpers shared by the printer tests."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import zxingcpp
from PIL import Image, ImageChops

from kiosk.receipt.layout import Receipt
from kiosk.receipt.samples import sample_certificate_receipt

FIXED_TIME = datetime(2026, 11, 29, 15, 7)


def sample_receipt() -> Receipt:
    return sample_certificate_receipt(issued_at=FIXED_TIME, receipt_id="20261129150700-a1b2c3")


def qr_texts(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


def artifacts_dir() -> Path:
    """Where the test command collects images ($KIOSK_ARTIFACTS); receipts here are 测试数据 only."""
    path = Path(os.environ.get("KIOSK_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path
