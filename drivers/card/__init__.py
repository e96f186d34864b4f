"""ID card readers: parsers for the card formats and adapters (PC/SC, serial SAM, simulated).

A standalone device library: imports nothing from kiosk/. Its types satisfy kiosk.ports by shape.
"""

from drivers.card.demo_identities import load_demo_identities
from drivers.card.errors import (
    CardDataError,
    DemoIdentityError,
    FrameChecksumError,
    FrameError,
    IdNumberChecksumError,
    MalformedTextBlockError,
    SamStatusError,
    SsseRecordError,
)
from drivers.card.events import CardEvent, identity_evidence
from drivers.card.identity import CardIdentity, mask_id_number, mask_name
from drivers.card.simulated import SimulatedCardReader
from drivers.card.text_block import encode_text_block, parse_text_block

__all__ = [
    "CardDataError",
    "CardEvent",
    "CardIdentity",
    "DemoIdentityError",
    "FrameChecksumError",
    "FrameError",
    "IdNumberChecksumError",
    "MalformedTextBlockError",
    "SamStatusError",
    "SimulatedCardReader",
    "SsseRecordError",
    "encode_text_block",
    "identity_evidence",
    "load_demo_identities",
    "mask_id_number",
    "mask_name",
    "parse_text_block",
]
