"""The citizen session state machine, without Kivy: every path, the idle timeout and the wipe."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.domain.certificate import (
    CertificateRecord,
    CertificateSummary,
    CertStatus,
    Verification,
    VerifiedCertificate,
)
from kiosk.domain.holder import Holder
from kiosk.session import EndReason, ErrorInfo, PrintState, SessionMachine, Step


def holder(card_type: str = "resident") -> Holder:
    return Holder(
        name="韦桂兰",
        id_number="450206195803120088",
        card_type=card_type,
        address="柳江区（测试数据）",
        evidence={"kind": "id_card"},
    )


def summary(identifier: str = "1.2.156.3005.2.X.Y.1.001.A") -> CertificateSummary:
    return CertificateSummary(
        identifier=identifier,
        type_code="T",
        name="结婚证",
        number="J450206-2020-000123",
        holder_name="韦桂兰",
        holder_code="450206195803120088",
        holder_type="111",
        issuer="柳江区民政局",
        issuer_code="X",
        issue_date=date(2020, 1, 1),
        valid_from=date(2020, 1, 1),
        valid_to=None,
        status="10",
    )


def verified(s: CertificateSummary) -> VerifiedCertificate:
    return VerifiedCertificate(CertificateRecord(s, (), "k", "00"), Verification(CertStatus.VALID))


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []

    def __call__(self, name: str, data: dict) -> None:
        self.events.append((name, data))

    def names(self) -> list[str]:
        return [n for n, _ in self.events]


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def m(rec: Recorder) -> SessionMachine:
    return SessionMachine(
        idle_seconds=60, warning_seconds=15, goodbye_seconds=10, elder_idle_seconds=120, on_event=rec
    )


def walk_to_certificates(m: SessionMachine, now: float = 0.0) -> str:
    assert m.begin(now)
    assert m.identified(holder(), "card", now)
    assert m.agree(now)
    assert m.data is not None
    sid = m.data.id
    assert m.certificates_loaded(sid, [summary()])
    return sid


def test_full_session_in_order(m: SessionMachine, rec: Recorder) -> None:
    sid = walk_to_certificates(m)
    assert m.step is Step.CERTIFICATES
    assert m.select(summary().identifier, 1)
    assert m.step is Step.DETAIL
    assert m.record_loaded(sid, verified(summary()))
    assert m.to_print(2)
    assert m.print_progress(sid, PrintState("done"))
    assert m.finish_service(3)
    assert m.step is Step.RATE
    assert m.rated(5, 4)
    assert m.step is Step.GOODBYE
    m.tick(4 + 10)
    assert m.step is Step.ATTRACT and m.data is None
    assert rec.names() == [
        "session_started",
        "identified",
        "consent_given",
        "certificates_listed",
        "certificate_viewed",
        "print_done",
        "rated",
        "session_ended",
    ]
    assert rec.events[-1][1]["reason"] == "completed"


def test_events_carry_no_personal_data(m: SessionMachine, rec: Recorder) -> None:
    walk_to_certificates(m)
    m.cancel(5)
    text = repr(rec.events)
    assert "韦桂兰" not in text and "450206195803120088" not in text


def test_end_wipes_holder_and_certificates(m: SessionMachine) -> None:
    walk_to_certificates(m)
    data = m.data
    assert data is not None and data.holder is not None
    h = data.holder
    m.cancel(1)
    assert m.data is None
    assert h.name == "" and h.id_number == "" and h.address is None and h.evidence == {}
    assert data.certificates == [] and data.records == {} and data.holder is None


def test_back_walks_the_steps_and_forgets_the_holder(m: SessionMachine) -> None:
    walk_to_certificates(m)
    m.select(summary().identifier, 1)
    m.back(2)
    assert m.step is Step.CERTIFICATES and m.data is not None and m.data.selected is None
    m.back(3)
    assert m.step is Step.CONSENT
    m.back(4)
    assert m.step is Step.IDENTIFY and m.data is not None and m.data.holder is None
    m.back(5)
    assert m.step is Step.ATTRACT and m.data is None


@pytest.mark.parametrize("steps", [1, 2, 3, 4])
def test_cancel_from_any_step_wipes(m: SessionMachine, rec: Recorder, steps: int) -> None:
    m.begin(0)
    if steps >= 2:
        m.identified(holder(), "card", 0)
    if steps >= 3:
        m.agree(0)
    if steps >= 4:
        assert m.data is not None
        m.certificates_loaded(m.data.id, [summary()])
    m.cancel(1)
    assert m.step is Step.ATTRACT and m.data is None
    assert rec.events[-1] == ("session_ended", rec.events[-1][1])
    assert rec.events[-1][1]["reason"] == EndReason.CANCELLED.value


def test_idle_warning_then_timeout_wipes(m: SessionMachine, rec: Recorder) -> None:
    walk_to_certificates(m, now=100)
    m.tick(100 + 44)
    assert m.warning_remaining is None
    m.tick(100 + 46)
    assert m.warning_remaining == 14
    m.tick(100 + 59.2)
    assert m.warning_remaining == 1
    m.tick(100 + 60)
    assert m.step is Step.ATTRACT and m.data is None
    assert ("idle_timeout" in rec.names()) and rec.events[-1][1]["reason"] == "timeout"


def test_touch_during_warning_keeps_the_session(m: SessionMachine) -> None:
    walk_to_certificates(m, now=0)
    m.tick(50)
    assert m.warning_remaining is not None
    m.touch(51)
    assert m.warning_remaining is None
    m.tick(51 + 59)
    assert m.step is Step.CERTIFICATES


def test_elder_mode_has_longer_timeout_and_resets_after_session(m: SessionMachine) -> None:
    m.set_elder_mode(True, 0)
    walk_to_certificates(m, now=0)
    m.tick(61)
    assert m.step is Step.CERTIFICATES  # 120 s in elder mode
    m.tick(121)
    assert m.step is Step.ATTRACT
    assert m.prefs.elder_mode is False


def test_late_results_of_an_ended_session_are_dropped(m: SessionMachine) -> None:
    sid = walk_to_certificates(m)
    m.cancel(1)
    m.begin(2)
    assert not m.certificates_loaded(sid, [summary()])
    assert not m.record_loaded(sid, verified(summary()))
    assert m.data is not None and m.data.certificates == []


def test_events_out_of_place_are_ignored(m: SessionMachine) -> None:
    assert not m.agree(0)
    assert not m.select("x", 0)
    assert not m.rated(5, 0)
    assert not m.to_print(0)
    walk_to_certificates(m)
    assert not m.select("not-in-the-list", 1)
    assert not m.agree(1)  # a double tap on 同意 after the transition
    assert m.step is Step.CERTIFICATES


def test_error_returns_where_it_says_or_ends(m: SessionMachine) -> None:
    m.begin(0)
    m.fail(ErrorInfo("读卡失败", Step.IDENTIFY, "card_unreadable"), 1)
    assert m.step is Step.ERROR
    m.acknowledge_error(2)
    assert m.step is Step.IDENTIFY and m.data is not None
    m.fail(ErrorInfo("系统异常", None, "internal"), 3)
    m.acknowledge_error(4)
    assert m.step is Step.ATTRACT and m.data is None


def test_foreign_card_switches_to_english(m: SessionMachine) -> None:
    m.begin(0)
    m.identified(holder("foreign_2023"), "card", 0)
    assert m.prefs.language == "en"
    m.cancel(1)
    assert m.prefs.language == "zh_CN"


def test_identified_from_attract_starts_a_session(m: SessionMachine) -> None:
    assert m.identified(holder(), "card", 0)
    assert m.step is Step.CONSENT and m.data is not None


def test_goodbye_counts_down(m: SessionMachine) -> None:
    walk_to_certificates(m)
    m.finish_service(0)
    m.rated(None, 0)
    m.tick(3)
    assert m.goodbye_remaining == 7
    m.tick(10)
    assert m.step is Step.ATTRACT


def test_a_view_over_attract_times_out_and_back_closes_it(m: SessionMachine) -> None:
    m.open_view("guide", 0)
    assert m.view == "guide"
    m.tick(30)
    assert m.view == "guide"
    m.tick(61)
    assert m.view is None
    m.open_view("guide", 100)
    m.back(101)
    assert m.view is None and m.step is Step.ATTRACT


def test_a_view_over_a_session_keeps_the_session_until_it_ends(m: SessionMachine) -> None:
    walk_to_certificates(m, now=0)
    m.open_view("guide", 1)
    assert m.view == "guide" and m.step is Step.CERTIFICATES and m.data is not None
    m.back(2)
    assert m.view is None and m.step is Step.CERTIFICATES
    m.open_view("guide", 3)
    m.tick(3 + 60)
    assert m.view is None and m.data is None and m.step is Step.ATTRACT
