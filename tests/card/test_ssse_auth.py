"""Social security card authentication against the simulated PSAM, over plain transmit functions
(the same applets the PC/SC tests put on vpcd; the reader's own path is in test_ssse_psam_pcsc.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.card import CardIdentity
from drivers.card.apdu import Transmit
from drivers.card.errors import CardAuthenticationError, PsamError, SsseRecordError
from drivers.card.ssse import encode_ssse_records, read_ssse
from drivers.card.ssse_auth import KeyRef, PsamProfile, authenticate_card
from drivers.card.ssse_keys import ALGORITHMS, Algorithm, block_size, derive, diversify, encrypt_block
from tests.support.pcsc import (
    READER_1,
    TEST_MASTERS,
    Applet,
    PsamMasters,
    genuine_keys,
    psam_applet,
    ssse_applet,
)

CARD_ID = b"450206D156000005"
MASTERS = TEST_MASTERS


def link(applet: Applet) -> tuple[Transmit, list[bytes]]:
    sent: list[bytes] = []

    def transmit(apdu: list[int]) -> tuple[list[int], int, int]:
        sent.append(bytes(apdu))
        answer = applet(bytes(apdu))
        return list(answer[:-2]), answer[-2], answer[-1]

    return transmit, sent


def profile(algorithm: Algorithm, **changes: object) -> PsamProfile:
    return replace(PsamProfile(reader=READER_1, algorithm=algorithm), **changes)  # type: ignore[arg-type]


def records(ident: CardIdentity, card_id: bytes = CARD_ID) -> dict[str, dict[int, bytes]]:
    return encode_ssse_records(ident, card_id=card_id.decode())


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_genuine_card_is_accepted_and_data_comes_after_authentication(
    algorithm: Algorithm, demo_identities: list[CardIdentity]
) -> None:
    ident = replace(demo_identities[3], card_type="social_security", address=None, authority=None)
    card, card_apdus = link(ssse_applet(records(ident), keys=genuine_keys(MASTERS[algorithm], CARD_ID)))
    psam, psam_apdus = link(psam_applet(MASTERS[algorithm]))
    prof = profile(algorithm)

    got, _ = read_ssse(card, authenticate=lambda t, cid: authenticate_card(t, psam, prof, cid))

    assert got == ident
    ins = [a[1] for a in card_apdus]
    # EF05 before authentication, EF06 only after internal and external authentication
    assert ins.index(0x88) < ins.index(0x84) < ins.index(0x82)
    ef06 = card_apdus.index(bytes.fromhex("00 A4 02 00 02 EF 06"))
    assert card_apdus.index(bytes.fromhex("00 A4 02 00 02 EF 05")) < ins.index(0x88) < ins.index(0x82) < ef06
    n = block_size(algorithm)
    assert len(card_apdus[ins.index(0x88)]) == 5 + n + 1
    # the PSAM was given the card factor (last 8 bytes of the card identifier), never a key
    inits = [a for a in psam_apdus if a[:2] == bytes.fromhex("801A")]
    assert inits and all(a[5:] == CARD_ID[-8:] for a in inits)


def test_challenges_are_fresh(demo_identities: list[CardIdentity]) -> None:
    ident = replace(demo_identities[3], card_type="social_security")
    card, sent = link(ssse_applet(records(ident), keys=genuine_keys(MASTERS["3des"], CARD_ID)))
    psam, _ = link(psam_applet(MASTERS["3des"]))
    for _ in range(2):
        authenticate_card(card, psam, profile("3des"), CARD_ID)
    challenges = [a[5:13] for a in sent if a[1] == 0x88]
    assert len(set(challenges)) == 2


@pytest.mark.parametrize(
    "keys",
    [
        None,  # the forger's applet: right files, no keys
        "wrong_master",
        "other_card",  # a genuine card's keys copied onto a card with another identifier
    ],
)
def test_forged_cards_are_refused_before_any_personal_data(keys: str | None, demo_identities) -> None:
    ident = replace(demo_identities[3], card_type="social_security")
    if keys == "wrong_master":
        card_keys = genuine_keys(PsamMasters("3des", bytes(range(16)), bytes(range(16, 32))), CARD_ID)
    elif keys == "other_card":
        card_keys = genuine_keys(MASTERS["3des"], b"450206D156000006")
    else:
        card_keys = None
    card, sent = link(ssse_applet(records(ident), keys=card_keys))
    psam, _ = link(psam_applet(MASTERS["3des"]))
    prof = profile("3des")
    with pytest.raises(CardAuthenticationError) as info:
        read_ssse(card, authenticate=lambda t, cid: authenticate_card(t, psam, prof, cid))
    assert info.value.code == "not_genuine"
    assert bytes.fromhex("00 A4 02 00 02 EF 06") not in sent


def test_card_refusing_external_authentication_is_not_genuine(demo_identities) -> None:
    ident = replace(demo_identities[3], card_type="social_security")
    good = genuine_keys(MASTERS["3des"], CARD_ID)
    tampered = replace(good, external=bytes(reversed(good.external or b"")))
    card, _ = link(ssse_applet(records(ident), keys=tampered))
    psam, _ = link(psam_applet(MASTERS["3des"]))
    with pytest.raises(CardAuthenticationError, match="external"):
        authenticate_card(card, psam, profile("3des"), CARD_ID)


def test_without_external_authentication_configured_a_card_that_needs_it_stays_closed(
    demo_identities,
) -> None:
    ident = replace(demo_identities[3], card_type="social_security")
    card, _ = link(ssse_applet(records(ident), keys=genuine_keys(MASTERS["3des"], CARD_ID)))
    psam, _ = link(psam_applet(MASTERS["3des"]))
    prof = profile("3des", external=None)
    with pytest.raises(Exception) as info:
        read_ssse(card, authenticate=lambda t, cid: authenticate_card(t, psam, prof, cid))
    assert "69 82" in str(info.value)  # the card itself keeps EF06 closed


def test_two_level_diversification_with_an_issuer_factor(demo_identities) -> None:
    issuer = b"450200sx"
    ident = replace(demo_identities[3], card_type="social_security")
    ref = KeyRef(0x48, 0x12, 0x00)
    prof = profile("sm4", issuer_factor=issuer, internal=ref, external=KeyRef(0x48, 0x5D, 0x07))
    card, _ = link(ssse_applet(records(ident), keys=genuine_keys(MASTERS["sm4"], CARD_ID, issuer)))
    psam, _ = link(psam_applet(MASTERS["sm4"], prof))
    authenticate_card(card, psam, prof, CARD_ID)
    one_level, _ = link(ssse_applet(records(ident), keys=genuine_keys(MASTERS["sm4"], CARD_ID)))
    with pytest.raises(CardAuthenticationError):
        authenticate_card(one_level, psam, prof, CARD_ID)


def test_profile_refuses_a_key_usage_that_disagrees_with_the_factors() -> None:
    with pytest.raises(ValueError, match="levels"):
        PsamProfile(reader=READER_1, issuer_factor=b"450200sx")  # usage 28: one level, factors: two


@pytest.mark.parametrize(
    ("psam", "match"),
    [
        (lambda apdu: bytes.fromhex("6A 82"), "SELECT PSAM"),  # not a social security PSAM
        (lambda apdu: bytes.fromhex("90 00"), "answered 0 bytes"),  # says ok, computes nothing
    ],
)
def test_psam_faults_are_reader_failures(psam: Applet, match: str, demo_identities) -> None:
    ident = replace(demo_identities[3], card_type="social_security")
    card, _ = link(ssse_applet(records(ident), keys=genuine_keys(MASTERS["3des"], CARD_ID)))
    with pytest.raises(PsamError, match=match) as info:
        authenticate_card(card, link(psam)[0], profile("3des"), CARD_ID)
    assert info.value.code == "reader_failure"


def test_missing_card_identifier_cannot_be_authenticated() -> None:
    psam, _ = link(psam_applet(MASTERS["3des"]))
    with pytest.raises(SsseRecordError, match="card identifier"):
        authenticate_card(link(lambda a: b"\x90\x00")[0], psam, profile("3des"), b"")


def test_diversification_layout() -> None:
    """3DES: E(D) || E(~D); SM4: E(D || ~D) — and derive() applies the levels highest first."""
    key, factor = MASTERS["3des"].internal, bytes.fromhex("0102030405060708")
    inverse = bytes(b ^ 0xFF for b in factor)
    assert diversify(key, factor, "3des") == encrypt_block(key, factor, "3des") + encrypt_block(
        key, inverse, "3des"
    )
    sm4 = MASTERS["sm4"].internal
    assert diversify(sm4, factor, "sm4") == encrypt_block(sm4, factor + inverse, "sm4")
    assert derive(sm4, [factor, inverse], "sm4") == diversify(diversify(sm4, factor, "sm4"), inverse, "sm4")
    # the SM4 standard's own example (GB/T 32907 A.1)
    vector = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert encrypt_block(vector, vector, "sm4") == bytes.fromhex("681edf34d206965e86b3e94f536e4246")
