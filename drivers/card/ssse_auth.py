"""Social security card authentication with a PSAM in the reader's second (SAM) slot.

WHY: without it any card that answers the SSSE file structure is taken as its holder — a blank
Java card with made-up records would do. The records are readable by anyone; only a genuine card
holds the key diversified for it from the issuer's master key, and only the PSAM holds the master.

Flow (terminal = this module, PSAM and card reached through two ``Transmit`` callables):

1. PSAM: ``SELECT`` its social security application (``00 A4 04 00 06 D1 56 00 00 05 90``).
2. Internal authentication — the terminal authenticates the card:
   terminal draws a fresh random challenge ``R`` (one cipher block);
   card: ``INTERNAL AUTHENTICATE 00 88 00 <card key id> <n> R <n>`` → ``E``;
   PSAM: key-derivation init ``<init CLA INS> <key usage> <PSAM key id> <8·levels> <factors>``, then
   ``<compute CLA INS> 00 00 <n> R`` → ``E'`` (the PSAM encrypts under the card's diversified key);
   the card is genuine only if ``E == E'`` (constant-time compare).
3. External authentication (optional, where the issuer's cards require it before EF06) — the card
   authenticates the terminal: card ``GET CHALLENGE 00 84 00 00 <n>`` → ``C``; PSAM derives the
   card's external-authentication key and encrypts ``C``; card ``EXTERNAL AUTHENTICATE
   00 82 00 <card key id> <n> <cryptogram>`` must answer 90 00.

The factors are, highest level first: the optional issuer/city factor (configured, 8 bytes) and the
card factor, the last 8 bytes of the card identifier (EF05 record 01; ``ssse_keys.card_factor``).

Established from public material (the 人社部 LD/T 32 specification's table of contents, public PSAM
command traces and vendor notes): the card supports ISO 7816-4 GET CHALLENGE, INTERNAL and EXTERNAL
AUTHENTICATE in the SSSE; the PSAM's application AID is D15600000590; keys are diversified per card
(一卡一密) in several levels, the PSAM's key-usage byte holding the level count in its top three
bits and the key type in the low five; 3DES in the original cards, SM4 (or SSF33) in newer ones.
UNCERTAIN, hence configured rather than fixed: the PSAM's proprietary init / compute commands (one
trace shows ``BF DE`` for the init, PBOC-style PSAMs use ``80 1A``; compute ``80 FA``), the key usage
and key ids of each key, which bytes form the card factor (identifier tail vs. ATR tail), whether
an issuer-level factor is used, and whether a region uses session keys for external authentication
(one trace sends 16 bytes to ``00 82``). Check these against the issuer's PSAM manual on site.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass

from drivers.card.apdu import ApduStatusError, Transmit, exchange
from drivers.card.errors import CardAuthenticationError, PsamError, SsseRecordError
from drivers.card.ssse_keys import FACTOR_BYTES, Algorithm, block_size, card_factor

PSAM_AID = bytes.fromhex("D15600000590")


@dataclass(frozen=True, slots=True)
class KeyRef:
    """Where one key lives: its usage byte and id in the PSAM, and its id in the user card."""

    psam_usage: int  # P1 of the PSAM init: top 3 bits = diversification levels, low 5 = key type
    psam_key_id: int  # P2 of the PSAM init
    card_key_id: int  # P2 of INTERNAL / EXTERNAL AUTHENTICATE

    @property
    def levels(self) -> int:
        return self.psam_usage >> 5


@dataclass(frozen=True, slots=True)
class PsamProfile:
    """Plain values from the kiosk's settings (drivers do not read kiosk settings)."""

    reader: str  # PC/SC name (or a part of it) of the reader slot holding the PSAM
    algorithm: Algorithm = "3des"
    internal: KeyRef = KeyRef(0x28, 0x12, 0x00)
    external: KeyRef | None = KeyRef(0x28, 0x5D, 0x07)
    issuer_factor: bytes = b""  # 8 bytes, or empty for one level of diversification
    init_header: bytes = bytes.fromhex("801A")  # CLA INS of the PSAM's key-derivation init
    compute_header: bytes = bytes.fromhex("80FA")  # CLA INS of the PSAM's encrypt command
    aid: bytes = PSAM_AID

    def __post_init__(self) -> None:
        if self.issuer_factor and len(self.issuer_factor) != FACTOR_BYTES:
            raise ValueError("issuer_factor must be 8 bytes")
        for ref in (self.internal, self.external):
            if ref is not None and ref.levels != self.levels:
                raise ValueError(
                    f"PSAM key usage {ref.psam_usage:02X} says {ref.levels} diversification levels, "
                    f"the configured factors make {self.levels}"
                )

    @property
    def levels(self) -> int:
        return 1 + bool(self.issuer_factor)


def _psam(transmit: Transmit, command: list[int], what: str) -> bytes:
    try:
        return exchange(transmit, command, what)
    except ApduStatusError as exc:
        raise PsamError(f"PSAM {exc.reason}") from None


def select_psam(psam: Transmit, profile: PsamProfile) -> None:
    _psam(psam, [0x00, 0xA4, 0x04, 0x00, len(profile.aid), *profile.aid], "SELECT PSAM application")


def psam_encrypt(psam: Transmit, profile: PsamProfile, key: KeyRef, factors: bytes, data: bytes) -> bytes:
    """Have the PSAM encrypt one block under the card key it derives from ``factors``."""
    init = [*profile.init_header, key.psam_usage, key.psam_key_id, len(factors), *factors]
    _psam(psam, init, "PSAM key derivation init")
    answer = _psam(psam, [*profile.compute_header, 0x00, 0x00, len(data), *data], "PSAM encrypt")
    if len(answer) != len(data):
        raise PsamError(f"PSAM encrypt: answered {len(answer)} bytes for a {len(data)}-byte block")
    return answer


def _factors(profile: PsamProfile, card_identifier: bytes) -> bytes:
    try:
        return profile.issuer_factor + card_factor(card_identifier)
    except ValueError:
        raise SsseRecordError(
            "card identifier (EF05 01) missing or short: the card cannot be authenticated"
        ) from None


def authenticate_card(
    card: Transmit,
    psam: Transmit,
    profile: PsamProfile,
    card_identifier: bytes,
    random: Callable[[int], bytes] = os.urandom,
) -> None:
    """Internal (and, if configured, external) authentication; raises unless the card is genuine.

    Raises :class:`CardAuthenticationError` for a card that is not genuine, :class:`PsamError` when
    the PSAM fails, :class:`SsseRecordError` when the card identifier is unusable. Transport errors
    of the card link propagate as they are (the reader decides whether the card was pulled).
    """
    factors = _factors(profile, card_identifier)
    n = block_size(profile.algorithm)
    select_psam(psam, profile)

    challenge = random(n)
    ref = profile.internal
    try:
        answer = exchange(
            card, [0x00, 0x88, 0x00, ref.card_key_id, n, *challenge, n], "INTERNAL AUTHENTICATE"
        )
    except ApduStatusError as exc:
        raise CardAuthenticationError(f"card refused internal authentication: {exc.reason}") from None
    expected = psam_encrypt(psam, profile, ref, factors, challenge)
    if len(answer) != n or not hmac.compare_digest(answer, expected):
        raise CardAuthenticationError("internal authentication cryptogram does not match the PSAM's")

    ext = profile.external
    if ext is None:
        return
    try:
        card_challenge = exchange(card, [0x00, 0x84, 0x00, 0x00, n], "GET CHALLENGE")
    except ApduStatusError as exc:
        raise CardAuthenticationError(f"card refused GET CHALLENGE: {exc.reason}") from None
    if len(card_challenge) != n:
        raise CardAuthenticationError(f"card challenge has {len(card_challenge)} bytes, expected {n}")
    cryptogram = psam_encrypt(psam, profile, ext, factors, card_challenge)
    try:
        exchange(card, [0x00, 0x82, 0x00, ext.card_key_id, n, *cryptogram], "EXTERNAL AUTHENTICATE")
    except ApduStatusError as exc:
        raise CardAuthenticationError(
            f"card refused the terminal's external authentication: {exc.reason}"
        ) from None
