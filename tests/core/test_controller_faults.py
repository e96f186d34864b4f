"""The controller with simulated devices and the real reference server: what the citizen sees when
the backend or a device misbehaves. No Kivy: the session state and view models are what screens show."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kiosk.backend.errors import BackendErrorKind
from kiosk.backend.messages import message_for
from kiosk.controller import Controller, Devices
from kiosk.demo import demo_config
from kiosk.session import Step
from kiosk.views import certificate_cards
from tests.support.controllers import demo_controller, until
from tests.support.refserver import RefServer, running_refserver
from tests.support.ui import make_config


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    with running_refserver(tmp_path_factory.mktemp("ctl-refserver")) as s:
        yield s


@pytest.fixture(autouse=True)
def _no_faults(server: RefServer) -> Iterator[None]:
    server.clear_faults()
    yield
    server.clear_faults()


class BrokenReader:
    """A card reader driver that fails the way a broken USB device does."""

    def start(self, on_event: Callable[[Any], None]) -> None:
        raise OSError("reader vanished")

    def stop(self) -> None:
        raise OSError("reader vanished")

    def health(self) -> str:
        raise OSError("reader vanished")


class BrokenPrinter:
    paper_width_dots = 576

    def status(self) -> Any:
        raise OSError("usb gone")

    def print_image(self, image: Any) -> None:
        raise OSError("usb gone")


def controller_for(
    server: RefServer, tmp_path: Path, overrides: dict[str, Any] | None = None, **device_overrides: Any
) -> tuple[Controller, Any]:
    config = demo_config(make_config(overrides), server.embedded)
    if overrides and "url" in overrides.get("backend", {}):  # a dead backend: nothing listens there
        dead = config.backend.model_copy(update={"url": overrides["backend"]["url"]})
        config = config.model_copy(update={"backend": dead})
    return demo_controller(config, tmp_path / "audit.jsonl", **device_overrides)


async def identified(ctl: Controller, devices: Devices, key_index: int = 0) -> None:
    devices.card.insert(key_index)  # type: ignore[union-attr]
    await until(lambda: ctl.machine.step is Step.CONSENT)


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ({"mode": "status", "status": 500}, BackendErrorKind.INTERNAL),
        ({"mode": "malformed"}, BackendErrorKind.BAD_RESPONSE),
        ({"mode": "delay", "seconds": 3.0}, BackendErrorKind.TIMEOUT),
    ],
)
async def test_backend_fault_during_query_shows_its_message_and_retry_works(
    server: RefServer, tmp_path: Path, fault: dict[str, Any], kind: BackendErrorKind
) -> None:
    ctl, devices = controller_for(server, tmp_path, {"backend": {"read_timeout": 1.0, "total_timeout": 2.0}})
    await ctl.start()
    try:
        await identified(ctl, devices)
        server.set_fault(path_prefix="/v1/certificates/query", count=1, **fault)
        ctl.agree()
        await until(lambda: ctl.machine.step is Step.ERROR)
        assert ctl.machine.error is not None
        assert ctl.machine.error.message == message_for(kind)
        assert ctl.machine.data is not None and ctl.machine.data.holder is not None  # nothing lost
        ctl.acknowledge_error()  # 重试: back to consent, then agree again
        assert ctl.machine.step is Step.CONSENT
        ctl.agree()
        await until(lambda: ctl.machine.step is Step.CERTIFICATES and not ctl.machine.busy)
        assert ctl.machine.data.certificates
    finally:
        await ctl.stop()


async def test_backend_down_is_one_clear_message(server: RefServer, tmp_path: Path) -> None:
    ctl, devices = controller_for(server, tmp_path, {"backend": {"url": "http://127.0.0.1:9"}})
    await ctl.start()
    try:
        await identified(ctl, devices)
        ctl.agree()
        await until(lambda: ctl.machine.step is Step.ERROR)
        assert ctl.machine.error is not None
        assert ctl.machine.error.message in (
            message_for(BackendErrorKind.UNAVAILABLE),
            message_for(BackendErrorKind.CIRCUIT_OPEN),
        )
        await until(lambda: ctl.health.backend == "down")
    finally:
        await ctl.stop()


async def test_a_tampered_record_is_shown_as_not_verified(server: RefServer, tmp_path: Path) -> None:
    ctl, devices = controller_for(server, tmp_path)
    await ctl.start()
    try:
        await identified(ctl, devices)
        server.set_fault("bad_signature", count=100)
        ctl.agree()
        data = ctl.machine.data
        await until(
            lambda: (
                data is not None and data.certificates != [] and len(data.records) == len(data.certificates)
            )
        )
        cards = certificate_cards(ctl.machine, date.today())
        assert cards and all(c.badge.status == "unverified" for c in cards)
        assert all(c.reason and "签名" in c.reason for c in cards)
    finally:
        await ctl.stop()


async def test_broken_devices_leave_the_terminal_running(server: RefServer, tmp_path: Path) -> None:
    ctl, devices = controller_for(server, tmp_path, card=BrokenReader(), printer=BrokenPrinter())
    await ctl.start()  # must not raise
    try:
        await ctl.refresh_health()
        assert ctl.health.card in ("down", "unknown")
        assert ctl.health.printer == "unknown"
        ctl.start_session()
        assert ctl.machine.step is Step.IDENTIFY  # QR identification remains
        token = server.issue_token("elder")
        devices.scanner.show("LZ:" + token)
        await until(lambda: ctl.machine.step is Step.CONSENT, timeout=30)
        ctl.agree()
        await until(lambda: ctl.machine.step is Step.CERTIFICATES and not ctl.machine.busy)
        ctl.print_receipt()
        data = ctl.machine.data
        assert data is not None
        await until(lambda: data.printing.phase == "failed")
        state = data.printing
        assert state.message and state.fallback_qr  # the same content for the phone
        assert ctl.audit.flush()  # the audit writer thread puts the entry on disk after the screen changes
        audit = (tmp_path / "audit.jsonl").read_text()
        assert '"print_failed"' in audit
    finally:
        await ctl.stop()


async def test_double_events_during_a_transition_are_ignored(server: RefServer, tmp_path: Path) -> None:
    ctl, devices = controller_for(server, tmp_path)
    await ctl.start()
    try:
        await identified(ctl, devices)
        ctl.agree()
        ctl.agree()  # a double tap on 同意
        ctl.back()
        ctl.agree()
        devices.card.insert(1)  # another card mid-session changes nothing
        await asyncio.sleep(1.0)
        assert ctl.machine.data is not None and ctl.machine.data.holder is not None
        assert ctl.machine.data.holder.id_number == "450206195803120088"
    finally:
        await ctl.stop()


async def test_the_camera_rests_while_a_code_is_checked(server: RefServer, tmp_path: Path) -> None:
    """While the backend checks a 亮证码 the camera neither films nor decodes (a code shown then is
    ignored), so the screen's renderer has the processor; it films again when the citizen is back
    on the identify screen."""
    ctl, devices = controller_for(server, tmp_path, {"backend": {"read_timeout": 1.0, "total_timeout": 2.0}})
    scanner = devices.scanner
    await ctl.start()
    try:
        ctl.start_session()
        assert ctl.machine.step is Step.IDENTIFY
        await until(lambda: scanner.state().running and ctl.preview_frame() is not None)
        server.set_fault(path_prefix="/v1/lz-tokens/resolve", count=1, mode="delay", seconds=3.0)
        scanner.show("LZ:" + server.issue_token("elder"))
        await until(lambda: ctl.machine.busy is not None)
        assert not scanner.state().running
        assert scanner.source.state().status == "idle"  # the camera itself is released
        assert ctl.preview_frame() is None
        decoded = scanner.state().frames_decoded
        await asyncio.sleep(0.5)
        assert scanner.state().frames_decoded == decoded  # no decoding while busy
        await until(lambda: ctl.machine.step is Step.ERROR)  # the slow answer timed out
        scanner.clear()  # the phone is put away (shown again, it would be read at once)
        ctl.acknowledge_error()
        assert ctl.machine.step is Step.IDENTIFY and not ctl.machine.busy
        await until(lambda: scanner.state().running and ctl.preview_frame() is not None)
    finally:
        await ctl.stop()


async def test_a_citizen_leaving_as_a_certificate_opens_leaves_no_unstarted_work(
    server: RefServer, tmp_path: Path
) -> None:
    """Opening a certificate starts fetching it (a session task); leaving in the same instant
    cancels that task before it began. It must end quietly, not as a "coroutine was never
    awaited" warning in the terminal's log (seen in the soak, for the record and its OFD file)."""
    ctl, devices = controller_for(server, tmp_path)
    await ctl.start()
    try:
        await identified(ctl, devices)
        # every certificate request answers 2 s late, so the records fetched in the background
        # once the list is shown are still on their way when the citizen opens one (without it,
        # the loopback fetch sometimes won and the certificate opened with nothing to fetch)
        server.set_fault("delay", seconds=2.0, path_prefix="/v1/certificates/")
        ctl.agree()
        await until(lambda: ctl.machine.step is Step.CERTIFICATES and not ctl.machine.busy)
        assert ctl.machine.data is not None
        assert ctl.machine.data.certificates[0].identifier not in ctl.machine.data.records
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ctl.select(ctl.machine.data.certificates[0].identifier)  # its record is being fetched
            assert ctl.machine.busy
            ctl.home()  # the citizen turns away before the fetch could start
            assert ctl.machine.step is Step.ATTRACT
            for _ in range(5):
                await asyncio.sleep(0)
            gc.collect()
        assert not [w for w in caught if "never awaited" in str(w.message)]
    finally:
        await ctl.stop()
