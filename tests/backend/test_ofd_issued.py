"""The controller with the real reference server: opening a certificate fetches its sealed file,
checks the seals against the terminal's anchors and draws it (kiosk.issued); nothing of it outlives
the session; a terminal that does not trust the demo CA never says 验章通过 nor prints a 加注件; an
unverified record fetches nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.controller import Controller
from kiosk.demo import demo_config
from kiosk.session import Step
from kiosk.views import issued_view
from tests.support.controllers import demo_controller, until
from tests.support.refserver import RefServer, running_refserver
from tests.support.ui import make_config


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    with running_refserver(tmp_path_factory.mktemp("ofd-refserver")) as s:
        yield s


def _controller(server: RefServer, tmp_path: Path, trust: bool = True) -> tuple[Controller, Any]:
    config = demo_config(make_config(), server.embedded)
    if not trust:
        config = config.model_copy(update={"trust": config.trust.model_copy(update={"ofd_seal_anchors": []})})
    return demo_controller(config, tmp_path / "audit.jsonl")


async def _open_first(ctl: Controller, devices: Any) -> str:
    devices.card.insert(0)
    await until(lambda: ctl.machine.step is Step.CONSENT)
    ctl.agree()
    data = ctl.machine.data
    assert data is not None
    await until(lambda: bool(data.certificates) and len(data.records) == len(data.certificates))
    identifier = data.certificates[0].identifier
    ctl.select(identifier)
    await until(lambda: getattr(ctl.issued.face(identifier), "phase", "") in ("shown", "failed"), 60)
    return identifier


async def test_the_opened_certificate_is_drawn_and_nothing_outlives_the_session(
    server: RefServer, tmp_path: Path
) -> None:
    ctl, devices = _controller(server, tmp_path)
    await ctl.start()
    try:
        identifier = await _open_first(ctl, devices)
        face = ctl.issued.face(identifier)
        assert face is not None and face.sealed_ok and face.width == 1200
        assert ctl.issued.file(identifier) is not None
        view = issued_view(face, ctl.machine.revealed)
        assert view is not None and view.verdict == "验章通过" and view.pixels == face.covered
        ctl.home()  # the citizen leaves: the session ends
        await until(lambda: ctl.machine.data is None or ctl.machine.data.holder is None)
        assert ctl.issued.face(identifier) is None and ctl.issued.file(identifier) is None
        assert not ctl.issued._faces and not ctl.issued._files  # the pixels and the file are gone
    finally:
        await ctl.stop()


async def test_without_the_demo_ca_as_anchor_the_seal_is_not_trusted_and_no_copy_prints(
    server: RefServer, tmp_path: Path
) -> None:
    ctl, devices = _controller(server, tmp_path, trust=False)
    await ctl.start()
    try:
        identifier = await _open_first(ctl, devices)
        face = ctl.issued.face(identifier)
        assert face is not None and not face.sealed_ok
        assert face.check is not None and face.check.status == "unknown_signer"
        view = issued_view(face, False)
        assert view is not None and view.verdict == "验章未通过" and "信任" in view.message
        assert ctl.issued.file(identifier) is None
        ctl.print_annotated()
        assert ctl.machine.step is Step.DETAIL  # no 加注件 for a file whose seal is not trusted
    finally:
        await ctl.stop()


async def test_an_unverified_record_fetches_no_file(server: RefServer, tmp_path: Path) -> None:
    ctl, devices = _controller(server, tmp_path)
    await ctl.start()
    try:
        devices.card.insert(0)
        await until(lambda: ctl.machine.step is Step.CONSENT)
        server.set_fault("bad_signature", count=100)
        try:
            ctl.agree()
            data = ctl.machine.data
            assert data is not None
            await until(lambda: bool(data.certificates) and len(data.records) == len(data.certificates))
        finally:
            server.clear_faults()
        before = sum(1 for e in server.usage() if e["operation"] == "ofd")
        identifier = data.certificates[0].identifier
        assert not data.records[identifier].verification.ok
        ctl.select(identifier)
        assert ctl.issued.face(identifier) is None
        assert sum(1 for e in server.usage() if e["operation"] == "ofd") == before
    finally:
        await ctl.stop()


async def test_a_revoked_certificate_shows_no_face_and_no_seal_verdict(
    server: RefServer, tmp_path: Path
) -> None:
    ctl, devices = _controller(server, tmp_path)
    await ctl.start()
    try:
        devices.card.insert(1)  # the "rare" demo holder: a revoked 结婚证
        await until(lambda: ctl.machine.step is Step.CONSENT)
        ctl.agree()
        data = ctl.machine.data
        assert data is not None
        await until(lambda: bool(data.certificates) and len(data.records) == len(data.certificates))
        revoked = next(c.identifier for c in data.certificates if c.status == "21")
        assert data.records[revoked].verification.status.value == "revoked"
        ctl.select(revoked)
        await until(lambda: ctl.machine.step is Step.DETAIL)
        assert ctl.issued.face(revoked) is None
    finally:
        await ctl.stop()
