"""Build the configured card reader (simulated | pcsc | serial_sam) from its settings section.

Driver modules are imported only for the kind that is configured, so a terminal without pyscard or
pyserial installed can still run the simulated reader.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from kiosk.ports import CardReaderPort
from kiosk.settings.card import CardReaderConfig


def build_card_reader(config: CardReaderConfig, demo_identities_path: Path | None = None) -> CardReaderPort:
    if config.kind == "simulated":
        from drivers.card import SimulatedCardReader, load_demo_identities

        if demo_identities_path is not None:
            source: bytes = Path(demo_identities_path).read_bytes()
        else:
            source = resources.files("config").joinpath("demo_identities.toml").read_bytes()
        return SimulatedCardReader(
            load_demo_identities(source), read_delay=config.simulated_read_delay_seconds
        )
    if config.kind == "pcsc":
        from drivers.card.pcsc_reader import PcscCardReader

        return PcscCardReader(
            profile=config.profile,
            reader_name_contains=config.reader_name_contains,
            text_apdu=config.text_apdu,
            text_offset=config.text_offset,
        )
    from drivers.card.serial_sam import SerialSamCardReader

    return SerialSamCardReader(
        config.serial_port,
        baudrate=config.baudrate,
        read_timeout=config.read_timeout_seconds,
        poll_interval=config.poll_interval_seconds,
    )
