"""Build the configured card reader (simulated | pcsc | serial_sam) from its settings section.

Driver modules are imported only for the kind that is configured, so a terminal without pyscard or
pyserial installed can still run the simulated reader.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.ports import CardReaderPort
from kiosk.settings.card import CardReaderConfig, PsamConfig

if TYPE_CHECKING:
    from drivers.card.ssse_auth import PsamProfile


def psam_profile(config: PsamConfig) -> PsamProfile:
    """The driver's plain-value PSAM profile from the settings section."""
    from drivers.card.ssse_auth import KeyRef, PsamProfile

    def ref(p1p2: str, card_key_id: int) -> KeyRef:
        return KeyRef(int(p1p2[:2], 16), int(p1p2[2:], 16), card_key_id)

    return PsamProfile(
        reader=config.reader,
        algorithm=config.algorithm,
        internal=ref(config.internal_key, config.internal_card_key_id),
        external=ref(config.external_key, config.external_card_key_id) if config.external_auth else None,
        issuer_factor=bytes.fromhex(config.issuer_factor),
        init_header=bytes.fromhex(config.init_command),
        compute_header=bytes.fromhex(config.compute_command),
    )


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
            psam=psam_profile(config.psam) if config.profile == "ssse" else None,
        )
    from drivers.card.serial_sam import SerialSamCardReader

    return SerialSamCardReader(
        config.serial_port,
        baudrate=config.baudrate,
        read_timeout=config.read_timeout_seconds,
        poll_interval=config.poll_interval_seconds,
    )
