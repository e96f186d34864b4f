"""Helpers shared by CLI commands: loading the configuration with a readable refusal."""

from __future__ import annotations

import argparse
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
