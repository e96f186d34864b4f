"""Every fault of the matrix injected during sessions of ONE running app, which must recover from
each without a restart: backend down / slow / 5xx / garbage, reader unplugged, card pulled mid-read,
camera lost, printer offline / paper out / cover open, state disk unwritable. Afterwards the metrics
endpoint is scraped (counts present, no personal data) and every file the run wrote is searched."""

from __future__ import annotations

from pathlib import Path

import httpx

from kiosk.audit import verify_chain
from tests.ops.conftest import FAST
from tests.ops.faultlib import SCENARIOS, FaultContext, run_matrix
from tests.ops.scan import demo_personal_strings, scan_files
from tests.support.ui import UiDriver, UiHarness


def test_every_fault_is_survived_without_restart(ui: UiHarness, ops_server: object, tmp_path: Path) -> None:
    state = tmp_path / "faults"
    seen: dict[str, object] = {}

    async def script(d: UiDriver) -> None:
        ctx = FaultContext(d.controller, d.controls, d.clock, ops_server.url, state, ops=d.app.ops)  # type: ignore[attr-defined]
        await run_matrix(ctx)
        seen["results"] = ctx.results
        seen["shown"] = d.texts()
        seen["metrics"] = httpx.get(d.app.ops.metrics_url, trust_env=False).text

    ui.run(script, overrides=FAST, name="faults")
    results = seen["results"]
    assert [r.name for r in results] == list(SCENARIOS)  # type: ignore[attr-defined]
    failed = [f"{r.name}: {r.detail}" for r in results if not r.survived]  # type: ignore[attr-defined]
    assert not failed
    assert sum(r.data_lost for r in results) == 0  # type: ignore[attr-defined]
    assert not any("Traceback" in t for t in seen["shown"])  # type: ignore[attr-defined]

    metrics = str(seen["metrics"])
    assert 'kiosk_print_failures_total{reason="' in metrics
    assert 'kiosk_session_errors_total{code="backend_' in metrics
    assert "kiosk_backend_request_seconds_bucket" in metrics
    assert not [s for s in demo_personal_strings() if s in metrics]

    assert verify_chain(state / "audit.jsonl").ok
    audit = (state / "audit.jsonl").read_text(encoding="utf-8")
    # the down state could not be written on the unwritable disk; its end could
    assert '"state_disk_ok"' in audit and '"card_reader_removed"' in audit
    searched, hits = scan_files([tmp_path])
    assert searched >= 2 and not hits, hits
