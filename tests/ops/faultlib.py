"""Faults injected into a running terminal during citizen sessions, shared by tests/ops and
bench/faults.py. Each scenario injects one fault in the middle of a session, checks what the citizen
sees (a plain message, never a frozen screen), removes the fault and then proves recovery with a
normal session — without restarting the app. ``data_lost`` counts ratings the citizen gave that
neither reached the backend nor wait in the outbox, and audit chain damage.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from kiosk.session import Step


@dataclass
class FaultResult:
    name: str
    survived: bool
    data_lost: int = 0
    detail: str = ""


@dataclass
class FaultContext:
    """The running app as a fault scenario sees it."""

    controller: Any
    controls: Any
    clock: Any
    server_url: str
    state_dir: Path
    ops: Any = None  # kiosk.ops.OpsHandle of the run (app.ops)
    results: list[FaultResult] = field(default_factory=list)

    @property
    def m(self) -> Any:
        return self.controller.machine

    def faults(self) -> httpx.Client:
        return httpx.Client(base_url=self.server_url, timeout=5, trust_env=False)

    def set_fault(self, **spec: Any) -> None:
        with self.faults() as f:
            f.post("/_faults", json=spec).raise_for_status()

    def clear_fault(self) -> None:
        with self.faults() as f:
            f.delete("/_faults").raise_for_status()

    def token(self, holder: str = "elder") -> str:
        with self.faults() as f:
            r = f.post("/_admin/lz-tokens", json={"holder": holder})
            r.raise_for_status()
            return "LZ:" + r.json()["token"]

    def evaluations(self) -> int:
        with self.faults() as f:
            return len(f.get("/_admin/evaluations").json())

    async def until(self, pred: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not pred():
            if loop.time() > deadline:
                err = self.m.error.code if self.m.error else None
                raise AssertionError(
                    f"timed out: {what} (step={self.m.step}, error={err}, busy={self.m.busy})"
                )
            await asyncio.sleep(0.03)

    # ------------------------------------------------------------------ session pieces
    async def card_to_consent(self, key: str = "elder") -> None:
        self.controls.pull_card()
        self.controls.insert_card(key)
        await self.until(lambda: self.m.step is Step.CONSENT, "consent")

    async def listed(self) -> None:
        c = self.controller
        await self.until(
            lambda: self.m.step is Step.CERTIFICATES and not self.m.busy and not c._session_tasks,
            "certificate list",
        )

    async def to_detail(self) -> None:
        data = self.m.data
        assert data is not None and data.certificates, "no certificates listed"
        self.controller.select(data.certificates[0].identifier)
        await self.until(lambda: self.m.step is Step.DETAIL and not self.m.busy, "detail")

    async def print_phase(self) -> str:
        self.controller.print_receipt()
        await self.until(
            lambda: self.m.data is not None and self.m.data.printing.phase in ("done", "failed"),
            "print result",
        )
        assert self.m.data is not None
        return str(self.m.data.printing.phase)

    async def end(self) -> None:
        self.controller.home()
        self.controls.pull_card()
        await self.until(lambda: self.m.step is Step.ATTRACT, "attract")

    async def full_session(self, key: str = "elder", print_it: bool = True, score: int = 5) -> None:
        """A whole successful session: the proof that the terminal has recovered."""
        await self.card_to_consent(key)
        self.controller.agree()
        await self.listed()
        if print_it:
            await self.to_detail()
            phase = await self.print_phase()
            assert phase == "done", f"print {phase}: {self.m.data.printing.message if self.m.data else ''}"
        self.controller.finish_service()
        self.controller.rate(score)
        await self.until(lambda: self.m.step is Step.GOODBYE, "goodbye")
        self.clock.advance(self.controller.config.timeouts.goodbye_seconds + 1)
        await self.until(lambda: self.m.step is Step.ATTRACT, "attract after goodbye")
        self.controls.pull_card()

    async def expect_error_then_home(self, what: str) -> str:
        await self.until(lambda: self.m.step is Step.ERROR, what)
        code = self.m.error.code if self.m.error else ""
        self.controller.acknowledge_error()
        await self.end()
        return str(code)

    async def wait_breaker_closed(self) -> None:
        """Let the breaker go half-open (reset_seconds) so that the recovery session is its trial."""
        await asyncio.sleep(float(self.controller.config.backend.breaker_reset_seconds) + 0.2)


Scenario = Callable[[FaultContext], Awaitable[str]]


# ---------------------------------------------------------------------- backend
async def _backend_error(ctx: FaultContext, **spec: Any) -> str:
    await ctx.card_to_consent()
    ctx.set_fault(path_prefix="/v1/", **spec)
    try:
        ctx.controller.agree()
        code = await ctx.expect_error_then_home("backend error shown")
    finally:
        ctx.clear_fault()
    await ctx.wait_breaker_closed()
    return code


async def backend_down(ctx: FaultContext) -> str:
    return await _backend_error(ctx, mode="reset")


async def backend_5xx(ctx: FaultContext) -> str:
    return await _backend_error(ctx, mode="status", status=503)


async def backend_garbage(ctx: FaultContext) -> str:
    return await _backend_error(ctx, mode="malformed")


async def backend_slow(ctx: FaultContext) -> str:
    """Slower than usual but within the timeout: the citizen waits behind a progress message."""
    await ctx.card_to_consent()
    ctx.set_fault(mode="delay", seconds=2.0, path_prefix="/v1/certificates/query")
    try:
        ctx.controller.agree()
        await ctx.until(lambda: ctx.m.busy is not None, "progress shown")
        await ctx.listed()
    finally:
        ctx.clear_fault()
    await ctx.end()
    return "listed while slow"


# ---------------------------------------------------------------------- card reader
async def reader_unplugged(ctx: FaultContext) -> str:
    reader = ctx.controller.devices.card
    reader.unplug()
    await ctx.until(lambda: ctx.controller.health.card == "down", "reader reported down")
    ctx.controls.insert_card("elder")  # ignored: no reader
    await asyncio.sleep(0.5)
    assert ctx.m.step is Step.ATTRACT, "a card was read with the reader unplugged"
    reader.replug()
    await ctx.until(lambda: ctx.controller.health.card == "ok", "reader back")
    return "down, then ok"


async def card_pulled_mid_read(ctx: FaultContext) -> str:
    ctx.controls.pull_card()
    ctx.controller.devices.card.pull_mid_read()
    return await ctx.expect_error_then_home("card error shown")


# ---------------------------------------------------------------------- camera
async def camera_lost(ctx: FaultContext) -> str:
    scanner = ctx.controller.devices.scanner
    scanner.camera.unplug()
    ctx.controller.start_session()
    await ctx.until(lambda: ctx.m.step is Step.IDENTIFY, "identify")
    await asyncio.sleep(1.0)  # the scanner tries to open the lost camera
    await ctx.end()
    scanner.camera.replug()
    ctx.controller.start_session()
    await ctx.until(lambda: ctx.m.step is Step.IDENTIFY, "identify again")
    scanner.show(ctx.token("elder"))
    try:
        await ctx.until(
            lambda: ctx.m.step is Step.CONSENT, "亮证码 read after the camera came back", timeout=20
        )
    finally:
        scanner.clear()
    await ctx.end()
    return "QR read after replug"


# ---------------------------------------------------------------------- printer
async def _printer_fault(ctx: FaultContext, inject: Callable[[], None], fix: Callable[[], None]) -> str:
    await ctx.card_to_consent()
    ctx.controller.agree()
    await ctx.listed()
    await ctx.to_detail()
    inject()
    try:
        phase = await ctx.print_phase()
        assert phase == "failed", "printed although the printer could not"
        data = ctx.m.data
        assert data is not None and data.printing.message, "no message for the citizen"
        message = str(data.printing.message)
    finally:
        fix()
    ctx.controller.retry_print()  # the same paper, now that staff fixed the printer
    await ctx.until(lambda: ctx.m.data is not None and ctx.m.data.printing.phase == "done", "retry printed")
    await ctx.end()
    return message


async def printer_offline(ctx: FaultContext) -> str:
    p = ctx.controller.devices.printer
    return await _printer_fault(ctx, lambda: p.set_online(False), lambda: p.set_online(True))


async def paper_out(ctx: FaultContext) -> str:
    return await _printer_fault(
        ctx, lambda: ctx.controls.set_paper("out"), lambda: ctx.controls.set_paper("ok")
    )


async def cover_open(ctx: FaultContext) -> str:
    p = ctx.controller.devices.printer
    return await _printer_fault(ctx, lambda: p.set_cover_open(True), lambda: p.set_cover_open(False))


# ---------------------------------------------------------------------- disk
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange_paths(a: Path, b: Path) -> None:
    """Swap two paths in one step (Linux renameat2 with RENAME_EXCHANGE), so that there is no moment
    without either in place. The audit writer runs on its own thread and makes its directory when it
    is missing: with a remove-then-rename swap it once slipped into that moment, made a fresh state
    directory and the restore failed (ENOTEMPTY)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"exchanging {a} and {b}: {os.strerror(err)}")


async def disk_full(ctx: FaultContext) -> str:
    """The state directory stops accepting writes (a file where the directory was): a whole session
    still works; the audit and the rating outbox log their failures and go on."""
    state = ctx.state_dir
    aside = state.with_name(state.name + ".aside")
    aside.write_bytes(b"")
    exchange_paths(state, aside)  # every write below the state dir now fails (ENOTDIR/EEXIST), even for root
    ops = ctx.ops
    try:
        await ctx.full_session(score=0)  # no rating: nothing the citizen gave can be lost
        if ops is not None:
            assert await ops.check_disk() == "down", "unwritable state dir not reported"
            assert ctx.controller.health.extra.get("disk") == "down"
    finally:
        exchange_paths(aside, state)
        aside.unlink()
    if ops is not None:
        assert await ops.check_disk() == "ok"
    return "session served; disk reported down, then ok"


SCENARIOS: dict[str, Scenario] = {
    "backend down": backend_down,
    "backend slow": backend_slow,
    "backend 5xx": backend_5xx,
    "backend garbage": backend_garbage,
    "reader unplugged": reader_unplugged,
    "card pulled mid-read": card_pulled_mid_read,
    "camera lost": camera_lost,
    "printer offline": printer_offline,
    "paper out": paper_out,
    "cover open": cover_open,
    "disk full": disk_full,
}


async def run_matrix(ctx: FaultContext, names: list[str] | None = None) -> list[FaultResult]:
    """Each fault, then a normal session with a rating to prove recovery."""
    for name in names or list(SCENARIOS):
        before = ctx.evaluations() + len(ctx.controller.ratings.pending())
        try:
            detail = await SCENARIOS[name](ctx)
            await ctx.full_session(print_it=name in ("printer offline", "paper out", "cover open"))
            survived = True
        except Exception as exc:  # recorded, and the next fault still runs
            detail, survived = f"{type(exc).__name__}: {exc}", False
            ctx.clear_fault()
            ctx.controller.home()
            ctx.controls.pull_card()
            await asyncio.sleep(0.5)
        lost = 0
        if survived:  # the recovery session gave one rating: it must be delivered or kept
            await ctx.controller.ratings.flush()
            after = ctx.evaluations() + len(ctx.controller.ratings.pending())
            lost = max(0, before + 1 - after)
        ctx.results.append(FaultResult(name, survived, lost, detail))
    return ctx.results
