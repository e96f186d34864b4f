"""Content and configuration from one place (issue 23 part 3), against the real reference server.

A bundle published with ``refserver bundle publish`` reaches two terminals (two controllers with
their own clients, state directories and audit logs) and is applied only when no citizen is at the
screen; a forged, an invalid and an older (replayed) bundle reach none, each audited, and the
terminal keeps what it has; rollback; the 304 path of the ETag.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from kiosk.audit import AuditLog, verify_chain
from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.backend.loop_thread import BackendOnOwnLoop
from kiosk.bundles import BundleStore
from kiosk.bundles.content import catalogue_for, disclosure_for
from kiosk.controller import Controller, Devices
from kiosk.diagnostics.bundle import check_bundle
from kiosk.guide.printing import build_checklist
from kiosk.ops.metrics import KioskMetrics
from kiosk.ops.observe import ObservedBackend
from kiosk.settings import KioskConfig
from kiosk.settings.bundles import BundlesConfig
from refserver.bundles import etag
from refserver.demo_issuer_key import DEMO_KEY_ID
from refserver.models import BundleAnswer
from refserver.store import Store
from tests.support.controllers import until
from tests.support.refserver import RefServer, running_refserver
from tests.support.ui import FakeClock

CONFIG = Path(__file__).resolve().parents[2] / "config"
MATTERS = (CONFIG / "matters.toml").read_text(encoding="utf-8")
DISCLOSURE = (CONFIG / "disclosure.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    with running_refserver(tmp_path_factory.mktemp("refserver")) as s:
        yield s


def publish(
    server: RefServer,
    tmp: Path,
    group: str,
    *,
    matters: str = MATTERS,
    overlay: str = "",
    disclosure: str = DISCLOSURE,
) -> str:
    """``refserver bundle publish`` as an operator runs it; returns its output line."""
    m, d, o = tmp / f"{group}-matters.toml", tmp / f"{group}-disclosure.toml", tmp / f"{group}-overlay.toml"
    m.write_text(matters, encoding="utf-8")
    d.write_text(disclosure, encoding="utf-8")
    args = ["--matters", str(m), "--disclosure", str(d)]
    if overlay:
        o.write_text(overlay, encoding="utf-8")
        args += ["--overlay", str(o)]
    cmd = [sys.executable, "-m", "refserver", "bundle", "publish", "--db", str(server.embedded.db_path)]
    done = subprocess.run([*cmd, "--group", group, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def matters_version(label: str) -> str:
    return MATTERS.replace('version = "2024.1"', f'version = "{label}"', 1)


class Terminal:
    """One terminal: a controller with its own client, state directory and audit events."""

    def __init__(
        self, server: RefServer, root: Path, group: str, sm3: bool = False, as_run: bool = False
    ) -> None:
        self.state = root / "state"
        self.state.mkdir(parents=True, exist_ok=True)
        client = server.sm3_client(signature_algorithm="hmac-sm3") if sm3 else server.client()
        secret_overrides = {"signature_algorithm": "hmac-sm3"} if sm3 else {}
        self.config = KioskConfig.model_validate(
            {
                "terminal": {"id": client.terminal_id, "name": "测试终端"},
                "backend": server.backend_config(**secret_overrides).model_dump(),
                "paths": {"state_dir": str(self.state)},
                "bundles": {
                    "enabled": True,
                    "group": group,
                    "signing_key_id": DEMO_KEY_ID,
                    "poll_seconds": 3600,  # the tests poll by hand after the first poll at start
                    "apply_after_rest_seconds": 0,
                },
            }
        )
        self.clock = FakeClock()
        self.audit = AuditLog(self.state / "audit.jsonl")  # where the terminal keeps it
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.audit.listeners.append(lambda event, data: self.events.append((event, dict(data))))
        self.metrics = KioskMetrics(client.terminal_id)
        self.audit.listeners.append(self.metrics.observe_event)
        backend: Any = client
        if as_run:  # as `kiosk run` wires it: on its own loop (kiosk.wiring), observed (kiosk.ops)
            backend = ObservedBackend(BackendOnOwnLoop(client), self.metrics, lambda _health: None)
        self.controller = Controller(self.config, Devices(), backend, self.audit, clock=self.clock)

    def named(self, event: str) -> list[dict[str, Any]]:
        return [data for name, data in self.events if name == event]

    def catalogue_version(self) -> str | None:
        """The 办事指南 catalogue version of the applied bundle; None: the shipped files."""
        content = self.controller.content
        return None if content is None else str(content.catalogue.version)

    def at_version(self, version: int) -> Callable[[], bool]:
        return lambda: self.version == version

    @property
    def version(self) -> int:
        return int(self.controller.bundles.version)

    def gauge(self) -> float:
        value = self.metrics.registry.get_sample_value("kiosk_bundle_version")
        return float(value or 0)


async def test_a_published_bundle_reaches_two_terminals_at_rest(server: RefServer, tmp_path: Path) -> None:
    group = "zone-two"
    overlay = "[timeouts]\nidle_seconds = 90\n\n[services]\nrating = false\n"
    matters = matters_version("2026.1").replace("不动产登记（二手房转移登记）", "二手房过户登记", 1)
    disclosure = DISCLOSURE.replace(
        'centre = "柳江区政务服务中心"', 'centre = "柳江区政务服务中心（内容包）"', 1
    )
    assert "version 1" in publish(
        server, tmp_path, group, matters=matters, overlay=overlay, disclosure=disclosure
    )
    a = Terminal(server, tmp_path / "a", group)
    b = Terminal(server, tmp_path / "b", group, sm3=True)
    b.controller.start_session()  # a citizen stands at terminal b
    await a.controller.start()
    await b.controller.start()
    try:
        await until(lambda: a.version == 1)
        assert a.catalogue_version() == "2026.1"
        assert a.controller.config.timeouts.idle_seconds == 90
        assert a.controller.config.services.rating is False
        assert a.named("bundle_applied") == [{"group": group, "version": 1, "previous": 0}]
        changed = a.named("config_changed")
        assert [(e["who"], e["version"]) for e in changed] == [("bundle", 1)]
        assert {c["field"]: (c["old"], c["new"]) for c in changed[0]["changes"]} == {
            "timeouts.idle_seconds": (60, 90),
            "services.rating": (True, False),
        }
        assert a.gauge() == 1
        # b fetched and checked it, but applies it only once the citizen has gone
        await until(lambda: b.named("bundle_fetched") != [])
        await asyncio.sleep(1.2)  # a rest check or more ran while the session was open
        assert b.version == 0 and b.controller.content is None
        assert catalogue_for(b.controller).get("estate-transfer").name == "不动产登记（二手房转移登记）"  # type: ignore[union-attr]
        assert b.controller.config.timeouts.idle_seconds == 60
        b.controller.home()
        await until(lambda: b.version == 1)
        assert b.catalogue_version() == "2026.1"
        assert b.controller.config.timeouts.idle_seconds == 90
        # what the guide and disclosure pages and the checklist print show now
        assert catalogue_for(b.controller).get("estate-transfer").name == "二手房过户登记"  # type: ignore[union-attr]
        assert disclosure_for(b.controller).centre == "柳江区政务服务中心（内容包）"
        checklist = build_checklist(b.controller, "estate-transfer")
        assert checklist is not None and "二手房过户登记" in repr(checklist)
        # kept in the state directory (the unit's sandbox lets it write there), shown in diagnostics
        assert BundleStore(b.state).pointer().current == 1
        line = check_bundle(b.config, b.state)
        assert "v1" in line.value and line.details["version"] == 1
    finally:
        await a.controller.stop()
        await b.controller.stop()


async def test_a_terminal_wired_as_kiosk_run_wires_it_takes_the_bundle(
    server: RefServer, tmp_path: Path
) -> None:
    """The client on its own loop and observed, as in ``kiosk run`` (the other tests use it bare):
    the poller reaches fetch_bundle through both wrappers (every poll failed on AttributeError before)."""
    group = "zone-run"
    publish(server, tmp_path, group, matters=matters_version("run-one"))
    terminal = Terminal(server, tmp_path / "run", group, as_run=True)
    await terminal.controller.start()
    try:
        await until(lambda: terminal.version == 1)
        assert terminal.catalogue_version() == "run-one"
        assert terminal.named("bundle_applied") == [{"group": group, "version": 1, "previous": 0}]
        latency = terminal.metrics.registry.get_sample_value(
            "kiosk_backend_request_seconds_count", {"op": "fetch_bundle", "outcome": "ok"}
        )
        assert latency == 1  # the call went through the observing wrapper
    finally:
        await terminal.controller.stop()


async def test_forged_invalid_and_older_bundles_reach_no_terminal(server: RefServer, tmp_path: Path) -> None:
    group = "zone-refuse"
    publish(server, tmp_path, group, matters=matters_version("2026.1"))
    store = Store(server.embedded.db_path)
    try:
        genuine_v1 = store.bundle(group)
        assert genuine_v1 is not None
        publish(server, tmp_path, group, matters=matters_version("2026.2"))
        terminals = [
            Terminal(server, tmp_path / "a", group),
            Terminal(server, tmp_path / "b", group, sm3=True),
        ]
        for t in terminals:
            await t.controller.start()
        try:
            for t in terminals:
                await until(t.at_version(2))
            # forged: a newer version with other content under the genuine signature
            forged = {**genuine_v1, "version": 3}
            forged["files"] = {**genuine_v1["files"], "matters": matters_version("伪造")}
            store.put_bundle(group, 3, forged)
            for t in terminals:
                assert await t.controller.bundles.poll_once() == "refused"
            # invalid: genuinely signed (version 4), but the catalogue repeats a matter
            first = MATTERS.index("[[matter]]")
            repeated = "[[matter]]" + MATTERS[first:].split("[[matter]]")[1]
            publish(server, tmp_path, group, matters=MATTERS + "\n" + repeated)
            for t in terminals:
                assert await t.controller.bundles.poll_once() == "refused"
            # version 5: an overlay that reaches beyond what staff may set (the backend address)
            publish(server, tmp_path, group, overlay='[backend]\nurl = "https://evil.example"\n')
            for t in terminals:
                assert await t.controller.bundles.poll_once() == "refused"
            # older: the genuine version 1 served again (a rollback attack)
            store.put_bundle(group, 5, genuine_v1)
            for t in terminals:
                assert await t.controller.bundles.poll_once() == "refused"
            for t in terminals:
                t.controller.bundles.apply_if_at_rest()
                refused = t.named("bundle_refused")
                assert [e["kind"] for e in refused] == ["signature", "invalid", "invalid", "older"]
                assert [e["version"] for e in refused] == [3, 4, 5, 1]
                assert all(e["kept"] == 2 for e in refused)
                assert t.version == 2 and t.catalogue_version() == "2026.2"
                assert [e["version"] for e in t.named("bundle_applied")] == [2]
                assert BundleStore(t.state).pointer().current == 2
                # a refused bundle is not audited again on every poll: its ETag goes back (304)
                assert await t.controller.bundles.poll_once() == "unchanged"
        finally:
            for t in terminals:
                await t.controller.stop()
    finally:
        store.close()


async def test_rollback_to_the_previous_bundle(server: RefServer, tmp_path: Path) -> None:
    group = "zone-rollback"
    publish(
        server, tmp_path, group, matters=matters_version("v-one"), overlay="[timeouts]\nidle_seconds = 90\n"
    )
    t = Terminal(server, tmp_path / "a", group)
    await t.controller.start()
    try:
        await until(lambda: t.version == 1)
        publish(
            server,
            tmp_path,
            group,
            matters=matters_version("v-two"),
            overlay="[timeouts]\nidle_seconds = 120\n",
        )
        assert await t.controller.bundles.poll_once() == "fetched"
        assert t.controller.bundles.apply_if_at_rest()
        assert t.catalogue_version() == "v-two"
        assert t.controller.config.timeouts.idle_seconds == 120 and t.gauge() == 2
        t.controller.bundles.rollback()
        assert t.version == 1 and t.catalogue_version() == "v-one"
        assert t.controller.config.timeouts.idle_seconds == 90 and t.gauge() == 1
        assert t.named("bundle_rolled_back") == [{"group": group, "version": 1, "left_version": 2}]
        # the bundle rolled back from is not taken again; the next publish is
        assert await t.controller.bundles.poll_once() in ("unchanged", "refused")
        t.controller.bundles.apply_if_at_rest()
        assert t.version == 1
        publish(server, tmp_path, group, matters=matters_version("v-three"))
        assert await t.controller.bundles.poll_once() == "fetched"
        assert t.controller.bundles.apply_if_at_rest() and t.version == 3
        assert t.controller.config.timeouts.idle_seconds == 60  # v3 has no overlay: the terminal's own
        # rolling back past the first kept bundle: the shipped files serve again
        t.controller.bundles.rollback()
        t.controller.bundles.rollback()
        assert t.version == 0 and t.controller.content is None and t.gauge() == 0
    finally:
        await t.controller.stop()


async def test_a_restarted_terminal_restores_its_bundle_verified(server: RefServer, tmp_path: Path) -> None:
    group = "zone-restart"
    publish(server, tmp_path, group, matters=matters_version("kept"))
    first = Terminal(server, tmp_path / "a", group)
    await first.controller.start()
    await until(lambda: first.version == 1)
    await first.controller.stop()
    again = Terminal(server, tmp_path / "a", group)
    await again.controller.start()
    try:
        assert again.named("bundle_restored") == [{"group": group, "version": 1}]
        assert again.catalogue_version() == "kept" and again.gauge() == 1
    finally:
        await again.controller.stop()
    # a kept bundle edited on disk no longer verifies: not used, audited
    kept = first.state / "bundles" / "bundle-1.json"
    kept.write_text(kept.read_text(encoding="utf-8").replace("kept", "edited"), encoding="utf-8")
    third = Terminal(server, tmp_path / "a", "zone-none")
    await third.controller.start()
    try:
        assert third.named("bundle_damaged") == [{"version": 1}]
        assert third.controller.content is None
    finally:
        await third.controller.stop()


async def test_etag_answers_304_when_the_terminal_has_the_bundle(server: RefServer, tmp_path: Path) -> None:
    group = "zone-etag"
    publish(server, tmp_path, group)
    client = server.client()
    try:
        fetched = await client.fetch_bundle(group)
        assert fetched is not None and fetched.body["version"] == 1
        assert fetched.etag == etag(fetched.body)
        BundleAnswer.model_validate(fetched.body)  # the answer the OpenAPI document promises
        assert await client.fetch_bundle(group, fetched.etag) is None
        assert await client.fetch_bundle(group, '"other", ' + fetched.etag) is None
        publish(server, tmp_path, group)
        newer = await client.fetch_bundle(group, fetched.etag)
        assert newer is not None and newer.body["version"] == 2 and newer.etag != fetched.etag
    finally:
        await client.aclose()
    # unsigned requests are refused like every other signed operation
    r = httpx.get(f"{server.url}/v1/bundles/{group}", trust_env=False)
    assert r.status_code == 401


async def test_staff_changes_made_since_start_survive_a_new_bundle(server: RefServer, tmp_path: Path) -> None:
    group = "zone-staff"
    publish(server, tmp_path, group, overlay="[timeouts]\nidle_seconds = 90\n")
    t = Terminal(server, tmp_path / "a", group)
    await t.controller.start()
    try:
        await until(t.at_version(1))
        # staff turn the voice off on the admin page (kiosk.admin.mode applies the proposed config live)
        changed = t.controller.config.model_copy(
            update={"voice": t.controller.config.voice.model_copy(update={"enabled": False})}
        )
        t.controller.apply_config(changed)
        publish(server, tmp_path, group, overlay="[services]\nrating = false\n")
        assert await t.controller.bundles.poll_once() == "fetched"
        assert t.controller.bundles.apply_if_at_rest()
        config = t.controller.config
        assert config.voice.enabled is False  # the staff change stays
        assert config.services.rating is False  # the new overlay
        assert config.timeouts.idle_seconds == 60  # the old overlay's key is the terminal's own again
    finally:
        await t.controller.stop()


def kiosk_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=60)


async def test_a_technician_rolls_back_with_kiosk_bundle_rollback(server: RefServer, tmp_path: Path) -> None:
    group = "zone-cli"
    publish(server, tmp_path, group, matters=matters_version("cli-one"))
    t = Terminal(server, tmp_path / "a", group)
    await t.controller.start()
    try:
        await until(t.at_version(1))
        publish(server, tmp_path, group, matters=matters_version("cli-two"))
        assert await t.controller.bundles.poll_once() == "fetched"
        assert t.controller.bundles.apply_if_at_rest()
    finally:
        await t.controller.stop()
    state = str(t.state)
    assert "内容包 v2，上一版 v1" in kiosk_cli("bundle", "status", "--state-dir", state).stdout
    done = kiosk_cli("bundle", "rollback", "--state-dir", state)
    assert done.returncode == 0, done.stderr
    assert "已从内容包 v2 回退到 v1" in done.stdout
    assert "内容包 v1，无上一版" in kiosk_cli("bundle", "status", "--state-dir", state).stdout
    audit = (t.state / "audit.jsonl").read_text(encoding="utf-8")
    assert '"bundle_rolled_back"' in audit and '"technician"' in audit
    assert verify_chain(t.state / "audit.jsonl").ok  # the technician's entry continues the chain
    # the next start uses v1 (verified again) and does not take v2 back from the backend
    again = Terminal(server, tmp_path / "a", group)
    await again.controller.start()
    try:
        assert again.named("bundle_restored") == [{"group": group, "version": 1}]
        await until(lambda: again.named("bundle_refused") != [])
        assert again.named("bundle_refused")[0]["kind"] == "older"
        assert again.catalogue_version() == "cli-one"
    finally:
        await again.controller.stop()
    # nothing left to roll back to: the shipped files at the next start; once more is refused
    assert kiosk_cli("bundle", "rollback", "--state-dir", state).returncode == 0
    refused = kiosk_cli("bundle", "rollback", "--state-dir", state)
    assert refused.returncode == 1 and "无需回退" in refused.stderr


async def test_a_group_name_is_one_path_segment(server: RefServer) -> None:
    """``..`` would make GET /v1/bundles/.. another path (httpx normalises it): refused before sending."""
    client = server.client()
    try:
        for bad in ("..", ".", "a/b", "", "-x", "组"):
            with pytest.raises(BackendError) as caught:
                await client.fetch_bundle(bad)
            assert caught.value.kind is BackendErrorKind.INVALID_REQUEST
    finally:
        await client.aclose()
    with pytest.raises(ValidationError):
        BundlesConfig(group="..")
    r = httpx.get(f"{server.url}/v1/bundles/..", trust_env=False)
    assert r.status_code != 200


async def test_a_damaged_state_file_is_audited_and_older_bundles_stay_refused(
    server: RefServer, tmp_path: Path
) -> None:
    group = "zone-damaged"
    publish(server, tmp_path, group, matters=matters_version("d-one"))
    store = Store(server.embedded.db_path)
    try:
        genuine_v1 = store.bundle(group)
        publish(server, tmp_path, group, matters=matters_version("d-two"))
        t = Terminal(server, tmp_path / "a", group)
        await t.controller.start()
        await until(t.at_version(2))
        await t.controller.stop()
        (t.state / "bundles" / "state.json").write_text("{not json", encoding="utf-8")
        assert genuine_v1 is not None
        store.put_bundle(group, 3, genuine_v1)  # the old bundle served again
        again = Terminal(server, tmp_path / "a", group)
        await again.controller.start()
        try:
            assert again.named("bundle_damaged") == [{"version": None, "what": "state.json", "highest": 2}]
            await until(lambda: again.named("bundle_refused") != [])
            assert again.named("bundle_refused")[0]["kind"] == "older"
            assert again.controller.content is None  # the shipped files, not the replayed v1
            line = check_bundle(again.config, again.state)
            assert line.status == "warning" and "损坏" in line.value
        finally:
            await again.controller.stop()
    finally:
        store.close()
