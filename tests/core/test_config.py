"""Configuration: layers, unknown keys, blame on the right file, secrets apart, the CLI check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.settings import ConfigError, load_config


def write(path: Path, text: str, mode: int = 0o644) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_defaults_are_valid() -> None:
    cfg = load_config(environ={})
    assert cfg.display.width == 1080 and cfg.display.height == 1920 and cfg.display.orientation == "portrait"
    assert cfg.devices.card_reader.kind == "simulated"


def test_override_file_and_environment_win(tmp_path: Path) -> None:
    f = write(
        tmp_path / "t.toml",
        '[terminal]\nid = "LJ-01"\nname = "一楼 01"\n[display]\nwidth = 1920\nheight = 1080\n',
    )
    cfg = load_config(f, environ={"KIOSK__TIMEOUTS__IDLE_SECONDS": "90"})
    assert cfg.terminal.id == "LJ-01" and cfg.display.orientation == "landscape"
    assert cfg.timeouts.idle_seconds == 90


def test_every_problem_is_reported_with_file_and_field(tmp_path: Path) -> None:
    f = write(
        tmp_path / "bad.toml",
        '[terminal]\nid = "has space"\n[display]\nwidht = 5\n[timeouts]\nidle_seconds = 5\n',
    )
    with pytest.raises(ConfigError) as err:
        load_config(f, environ={})
    problems = {(p.field, p.source) for p in err.value.problems}
    assert ("terminal.id", str(f)) in problems
    assert ("display.widht", str(f)) in problems
    assert ("timeouts.idle_seconds", str(f)) in problems
    assert any(p.reason == "unknown key" for p in err.value.problems)


def test_broken_toml_is_a_clear_problem(tmp_path: Path) -> None:
    f = write(tmp_path / "broken.toml", "[terminal\nid = ")
    with pytest.raises(ConfigError) as err:
        load_config(f, environ={})
    assert err.value.problems[0].source == str(f)
    assert "not valid TOML" in err.value.problems[0].reason


def test_secrets_must_live_apart_and_be_private(tmp_path: Path) -> None:
    leak = write(tmp_path / "t.toml", '[backend]\nterminal_secret = "s3cret"\n')
    with pytest.raises(ConfigError) as err:
        load_config(leak, environ={})
    assert any("secrets file" in p.reason for p in err.value.problems)
    loose = write(tmp_path / "secrets.toml", '[backend]\nterminal_secret = "s3cret"\n', 0o644)
    with pytest.raises(ConfigError) as err:
        load_config(None, loose, environ={})
    assert any("chmod 600" in p.reason for p in err.value.problems)
    os.chmod(loose, 0o600)
    cfg = load_config(None, loose, environ={})
    assert cfg.backend.terminal_secret.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(cfg)


def test_config_check_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.toml", '[terminal]\nid = "LJ-02"\nname = "二楼"\n')
    assert main(["config", "check", str(good)]) == 0
    assert "LJ-02" in capsys.readouterr().out
    bad = write(tmp_path / "bad.toml", '[devices.printer]\nkind = "laser"\n')
    assert main(["config", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: devices.printer.kind:" in err


def test_multisampling_is_off_by_default_and_only_real_sample_counts_are_accepted(tmp_path: Path) -> None:
    assert load_config(environ={}).display.multisamples == 0
    assert load_config(environ={"KIOSK__DISPLAY__MULTISAMPLES": "4"}).display.multisamples == 4
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path / "t.toml", "[display]\nmultisamples = 3\n"), environ={})
    assert [p.field for p in err.value.problems] == ["display.multisamples"]
