"""Helpers shared by CLI commands: loading the configuration with a readable refusal."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kiosk.settings import ConfigError, KioskConfig, load_config


def add_config_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="terminal configuration file (TOML)")
    parser.add_argument("--secrets", type=Path, help="secrets file (TOML, mode 600)")


def config_or_exit(args: argparse.Namespace) -> KioskConfig:
    """The validated configuration, or a list of problems on stderr and exit status 2."""
    try:
        return load_config(getattr(args, "config", None), getattr(args, "secrets", None))
    except ConfigError as exc:
        print("配置文件有误，终端无法启动 (configuration is invalid):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2) from None


def state_dir(config: KioskConfig) -> Path:
    if config.paths.state_dir:
        return Path(config.paths.state_dir)
    return Path.home() / ".local" / "state" / "kiosk"


def state_owner(state: Path, refused: str) -> tuple[int, int] | None:
    """Owner and group of the state directory, which files a technician's command writes there must
    keep (run as root, they would otherwise be root's and the app could no longer write them);
    ``None`` after saying on stderr that ``refused`` (未解锁, 未回退 …) because it is out of reach."""
    try:
        st = state.stat()
    except OSError as exc:
        print(f"状态目录 {state} 无法访问，{refused}：{exc.strerror}", file=sys.stderr)
        return None
    return st.st_uid, st.st_gid


def audit_as_technician(state: Path, owner: tuple[int, int], event: str, **fields: object) -> None:
    """One audit entry by a technician's command, in the terminal's own audit log; a log this
    command created is handed to the state directory's owner, as the app appends to it next."""
    from kiosk.audit import AuditLog

    path = state / "audit.jsonl"
    created = not path.exists()
    audit = AuditLog(path)
    audit.record(event, who="technician", **fields)
    audit.close()
    if created and path.exists() and os.geteuid() == 0:
        os.chown(path, *owner)
