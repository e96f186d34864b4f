"""政务公开: the centre's duties and budget (content in config/disclosure.toml) and chart data."""

from kiosk.disclosure.charts import (
    Bar,
    Chart,
    amount_text,
    change_chart,
    change_text,
    sangong_chart,
    spending_chart,
)
from kiosk.disclosure.model import Disclosure, default_disclosure, load_disclosure

__all__ = [
    "Bar",
    "Chart",
    "Disclosure",
    "amount_text",
    "change_chart",
    "change_text",
    "default_disclosure",
    "load_disclosure",
    "sangong_chart",
    "spending_chart",
]
