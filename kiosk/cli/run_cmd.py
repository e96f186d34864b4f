"""``kiosk run`` (production: configured devices and backend) and ``kiosk demo`` (simulated devices,
embedded reference server; ``--walkthrough DIR`` plays one citizen session with no person)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.cli.common import add_config_args, config_or_exit, state_dir
from kiosk.settings import KioskConfig

log = logging.getLogger(__name__)


OFFSCREEN_NOTE = """\
demo: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the kiosk runs OFFSCREEN:
      it works and draws, but nothing appears on this screen. 未检测到显示器，演示程序在离屏模式运行。
  to watch it:  run it on a desktop, or under a virtual display:
                  apt-get install xvfb && xvfb-run -s '-screen 0 1080x1920x24' bash scripts/demo.sh
  without one:  bash scripts/demo.sh --walkthrough DIR   plays one citizen session and saves a
                screenshot of every step and the printed receipt into DIR, then exits
  logs:         {logs}
  to stop:      Ctrl+C"""


@dataclass
class Prepared:
    config: KioskConfig
    workdir: Path | None = None
    server: Any = None


def _setup(config: KioskConfig, state: Path, headless: bool, logs_to_stderr: bool = True) -> Path:
    from kiosk.app import environment
    from kiosk.fonts import FontMissingError, font_path
    from kiosk.logsetup import setup_logging

    try:  # refuse to start without Chinese glyphs rather than show empty boxes to citizens
        font_path("regular", config.display.font_path or None)
    except FontMissingError as exc:
        print(f"字体不可用，终端无法启动 (font unavailable): {exc}", file=sys.stderr)
        raise SystemExit(2) from None

    log_dir = Path(config.paths.log_dir) if config.paths.log_dir else state / "logs"
    setup_logging(log_dir, to_stderr=logs_to_stderr)
    d = config.display
    environment.prepare(d.width, d.height, d.fullscreen, headless=headless, multisamples=d.multisamples)
    return log_dir


def _run(args: argparse.Namespace) -> int:
    config = config_or_exit(args)
    refuse_placeholders(config)
    state = state_dir(config)
    _setup(config, state, headless=False)
    from kiosk.app.runner import run_app
    from kiosk.audit import AuditLog
    from kiosk.controller import Controller
    from kiosk.wiring.backend import build_backend
    from kiosk.wiring.devices import build_devices

    devices = build_devices(config)
    controller = Controller(config, devices, build_backend(config), AuditLog(state / "audit.jsonl"))
    controller.config_file = args.config  # where staff changes made in admin mode are saved
    controller.secrets_file = args.secrets
    return asyncio.run(run_app(controller))


def refuse_placeholders(config: KioskConfig) -> None:
    """``kiosk run`` with the example's placeholders (or no terminal secret) stops at once, saying
    which and what to set, instead of a terminal that cannot reach the platform (kiosk.settings.loader)."""
    from kiosk.settings.loader import placeholder_problems

    problems = placeholder_problems(config)
    if problems:
        print(
            "配置仍是示例内容，终端无法启动 (the configuration still has the example's placeholders):",
            file=sys.stderr,
        )
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2)


def _demo(args: argparse.Namespace) -> int:
    config = config_or_exit(args)
    if args.size:  # --size WxH: the window (a landscape or a small screen) for this run only
        width, height = args.size
        display = config.display.model_copy(update={"width": width, "height": height})
        config = config.model_copy(update={"display": display})
    workdir = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    os.chmod(workdir, 0o700)
    state = Path(config.paths.state_dir) if config.paths.state_dir else workdir / "state"
    no_display = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    headless = bool(args.walkthrough) or no_display
    # Offscreen with nobody to see it, a stream of JSON log lines would be all a person gets: they go
    # to the log file, and a few plain lines say what is going on instead.
    offscreen_demo = no_display and not args.walkthrough
    from kiosk.wiring.backend import spawn_embedded_refserver

    # the reference server starts (and seeds, signing for real) on the other core while the kiosk
    # starts; the kiosk waits for it only when it needs its address (bench/startup_bench.py)
    pending = spawn_embedded_refserver(workdir / "refserver")
    server = None
    try:
        log_dir = _setup(config, state, headless=headless, logs_to_stderr=not offscreen_demo)
        if offscreen_demo:
            print(OFFSCREEN_NOTE.format(logs=log_dir), file=sys.stderr, flush=True)
        from kiosk.app.runner import run_app
        from kiosk.app.walkthrough import make_walkthrough
        from kiosk.audit import AuditLog
        from kiosk.controller import Controller
        from kiosk.demo import DemoControls, demo_config, token_issuer
        from kiosk.wiring.backend import build_backend
        from kiosk.wiring.devices import build_devices, demo_identities_file

        with demo_identities_file() as ids:
            devices = build_devices(config, ids)  # the devices need nothing from the server
        waited = time.perf_counter()
        server = pending.wait(healthy=False)  # listening; it seeds while the kiosk starts
        log.info("demo: reference server ready", extra={"waited_s": round(time.perf_counter() - waited, 3)})
        config = demo_config(config, server)
        from kiosk.face.demo import demo_face

        config = demo_face(config)  # 人证核验 with the simulated camera (kiosk/face)
        controller = Controller(
            config, devices, build_backend(config), AuditLog(state / "audit.jsonl"), demo=True
        )
        controls = DemoControls(devices, _identity_keys(), token_issuer(server))
        script = None
        if args.walkthrough:
            out = Path(args.walkthrough)
            out.mkdir(parents=True, exist_ok=True)
            script = make_walkthrough(out, controls, elder=args.elder, language=args.lang)
            if args.flow == "complaint":  # 咨询·投诉·举报 through to its slip and a status query
                from kiosk.app.complaint_walkthrough import make_complaint_walkthrough

                script = make_complaint_walkthrough(out, controls, server.db_path)
        if not headless:
            print(
                "demo: F1–F6 insert a demo ID card, F7 pull it, F8 show a 亮证码, F9 unreadable card, "
                "F10 paper out/in, F11 cover open/closed",
                file=sys.stderr,
            )
        return asyncio.run(run_app(controller, controls.keys(), script))
    finally:
        if server is not None:
            server.stop()
        else:
            pending.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _identity_keys() -> list[str]:
    import tomllib
    from importlib import resources

    text = resources.files("config").joinpath("demo_identities.toml").read_text(encoding="utf-8")
    return [entry["key"] for entry in tomllib.loads(text)["identity"]]


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run the terminal with the configured devices and backend")
    add_config_args(run)
    run.set_defaults(handler=_run)
    demo = sub.add_parser("demo", help="demo mode: simulated devices and the embedded reference backend")
    add_config_args(demo)
    demo.add_argument(
        "--walkthrough",
        metavar="DIR",
        help="play one scripted citizen session and save a screenshot of every step and "
        "the printed receipt into DIR (no display needed)",
    )
    demo.add_argument(
        "--size", metavar="WxH", type=_size, help="window size, e.g. 1920x1080 (default: the configuration's)"
    )
    demo.add_argument("--elder", action="store_true", help="walkthrough: the citizen turns on 长辈模式")
    demo.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="walkthrough: the citizen's language (default zh)"
    )
    demo.add_argument(
        "--flow",
        choices=("session", "complaint"),
        default="session",
        help="walkthrough: a certificate session (default) or a 投诉 through to its slip and a status query",
    )
    demo.set_defaults(handler=_demo)


def _size(text: str) -> tuple[int, int]:
    """``1920x1080`` as (1920, 1080); argparse says what is wrong with anything else."""
    try:
        width, height = (int(part) for part in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size WxH: {text!r}") from None
    if not (480 <= width <= 3840 and 480 <= height <= 3840):
        raise argparse.ArgumentTypeError(f"each side 480–3840 pixels: {text!r}")
    return width, height
