"""Configuration: layers, unknown keys, blame on the right file, secrets apart, the CLI check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.settings import ConfigError, load_config
from kiosk.settings.loader import MAX_FILE_BYTES
from kiosk.settings.ownership import secrets_problem
from tests.admin.as_user import TEST_GID, TEST_UID, as_user, shared_dir

KIOSK = Path(sys.executable).with_name("kiosk")


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
    assert any("every user" in p.reason and "chmod 640" in p.reason for p in err.value.problems)
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


# ---------------------------------------------- inputs that used to crash (issue 19 item 7)
def _nested(depth: int) -> bytes:
    return ("x = " + "[" * depth + "]" * depth + "\n").encode()


HOSTILE_FILES = {
    "invalid UTF-8": (b'[terminal]\nname = "\xff\xfe"\n', "not UTF-8 text: byte 0xff at line 2"),
    "deep arrays": (_nested(3000), "nested too deeply"),
    "deep inline tables": (b"x = " + b"{a=" * 2000 + b"1" + b"}" * 2000, "nested too deeply"),
    "binary garbage": (bytes(range(256)) * 8, "not UTF-8 text"),
    "huge file": (b"# " + b"x" * MAX_FILE_BYTES + b"\n", "larger than 1024 KiB"),
    "NUL in TOML": (b'[terminal]\nname = "a\x00"\n', "not valid TOML"),
}


@pytest.mark.parametrize("which", ["config", "secrets"])
@pytest.mark.parametrize("case", sorted(HOSTILE_FILES))
def test_hostile_files_are_problems_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, which: str
) -> None:
    data, reason = HOSTILE_FILES[case]
    path = tmp_path / f"{which}.toml"
    path.write_bytes(data)
    os.chmod(path, 0o600)
    args = [str(path)] if which == "config" else ["--secrets", str(path)]
    assert main(["config", "check", *args]) == 1  # a traceback would end the test here
    err = capsys.readouterr().err
    assert f"{path}: <file>: " in err and reason in err


def test_deep_tables_name_the_field(tmp_path: Path) -> None:
    path = write(tmp_path / "t.toml", "[" + "a." * 3000 + "a]\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    (problem,) = err.value.problems
    assert problem.source == str(path) and problem.field.startswith("a.a.a.") and "nested" in problem.reason


def test_a_directory_a_fifo_and_a_device_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # opening it for reading must not wait for a writer
    cases = (
        (tmp_path, "is a directory, not a configuration file"),
        (fifo, "not a regular file"),
        (Path("/dev/zero"), "not a regular file"),
    )
    for path, reason in cases:
        with pytest.raises(ConfigError) as err:
            load_config(path, environ={})
        assert [(p.source, p.reason) for p in err.value.problems] == [(str(path), reason)]


def test_a_file_the_kiosk_user_cannot_read_is_a_plain_problem() -> None:
    with shared_dir() as shared:
        path = write(shared / "t.toml", '[terminal]\nid = "LJ-01"\nname = "x"\n', 0o600)  # root's own

        def load() -> list[tuple[str, str, str]]:
            try:
                load_config(path, environ={}, staff_file=None)
            except ConfigError as exc:
                return [(p.source, p.field, p.reason) for p in exc.problems]
            return []

        assert as_user(load) == [(str(path), "<file>", "cannot read: Permission denied")]
        os.chmod(path, 0o644)
        assert as_user(load) == []  # the same file, readable: the refusal above was the file's own mode


def test_hostile_environment_variables(capsys: pytest.CaptureFixture[str]) -> None:
    environ = {
        "KIOSK__TERMINAL__NAME": b"\xff\xfe".decode("utf-8", "surrogateescape"),  # as os.environ holds it
        "KIOSK__DISPLAY__WIDTH": "[" * 3000 + "]" * 3000,
        "KIOSK__A__B": "{a=" * 50 + "1" + "}" * 50,
        "KIOSK__" + "__".join(["X"] * 40): "1",
    }
    with pytest.raises(ConfigError) as err:
        load_config(environ=environ)
    found = {(p.source, p.reason.split(" (")[0]) for p in err.value.problems}
    assert ("$KIOSK__TERMINAL__NAME", "not valid UTF-8 text") in found
    assert ("$KIOSK__DISPLAY__WIDTH", "nested too deeply") in found
    assert ("$KIOSK__A__B", "nested too deeply") in found
    assert any("more than 12 levels" in p.reason for p in err.value.problems)
    for problem in err.value.problems:
        str(problem).encode("utf-8")  # printable: the undecodable bytes are escaped


def test_kiosk_run_refuses_to_start_with_the_same_message(tmp_path: Path) -> None:
    bad = tmp_path / "t.toml"
    bad.write_bytes(b'[terminal]\nname = "\xff"\n')
    done = subprocess.run(
        [str(KIOSK), "run", "--config", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("KIOSK")},
    )
    assert done.returncode == 2
    assert "配置文件有误，终端无法启动" in done.stderr
    assert f"{bad}: <file>: not UTF-8 text: byte 0xff at line 2" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        ('[terminal]\nid = 99999999999999999999999\nname = "x"\n', "terminal.id", "valid string"),
        ("timeouts = 5\n", "timeouts", "valid dictionary"),
        ("[[display]]\nwidth = 1\n", "display", "valid dictionary"),
        ("[timeouts]\nidle_seconds = nan\n", "timeouts.idle_seconds", "finite number"),
        ("[display]\nwidth = 1e400\n", "display.width", "finite number"),
        ("[trust]\nacts_for = [{type_code = {a = 1}}]\n", "trust.acts_for.0.type_code", "valid string"),
    ],
)
def test_odd_toml_that_the_model_refuses(tmp_path: Path, text: str, field: str, reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path / "t.toml", text), environ={})
    assert any(p.field == field and reason in p.reason for p in err.value.problems)


# ---------------------------------------------- the ownership rule (kiosk.settings.ownership, issue 20)
@pytest.mark.parametrize(
    ("mode", "uid", "refused"),
    [
        (0o640, 0, None),  # root:kiosk 0640, what kiosk install writes
        (0o600, 0, None),
        (0o440, 0, None),
        (0o600, TEST_UID, "neither root nor the user"),  # someone else's file
        (0o644, 0, "every user"),
        (0o604, 0, "every user"),
        (0o602, 0, "every user"),
        (0o601, 0, "every user"),
        (0o660, 0, "writable by its group"),
        (0o620, 0, "writable by its group"),
    ],
)
def test_the_secrets_rule(tmp_path: Path, mode: int, uid: int, refused: str | None) -> None:
    path = write(tmp_path / "secrets.toml", "", mode)
    os.chown(path, uid, TEST_GID)
    problem = secrets_problem(path.stat(), euid=0)
    assert problem is None if refused is None else refused in (problem or "")
    if refused is not None:  # and the loader applies it
        with pytest.raises(ConfigError) as err:
            load_config(None, path, environ={})
        assert [(p.source, p.field) for p in err.value.problems] == [(str(path), "<file>")]


def test_the_running_users_own_secrets_file_is_accepted() -> None:
    """A developer's secrets file (theirs, 600) passes; root's 0640 file of their group too."""
    with shared_dir() as shared:
        own = write(shared / "own.toml", '[backend]\nterminal_secret = "dev"\n', 0o600)
        os.chown(own, TEST_UID, TEST_GID)
        group = write(shared / "group.toml", '[backend]\nterminal_secret = "terminal"\n', 0o640)
        os.chown(group, 0, TEST_GID)

        def load(path: Path) -> str:
            return load_config(
                None, path, environ={}, staff_file=None
            ).backend.terminal_secret.get_secret_value()

        assert as_user(lambda: load(own)) == "dev"
        assert as_user(lambda: load(group)) == "terminal"


def test_a_configuration_file_everyone_can_write_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "t.toml", '[terminal]\nid = "LJ-01"\nname = "x"\n', 0o666)
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    assert [(p.field, p.reason.split(":")[0]) for p in err.value.problems] == [
        ("<file>", "writable by every user of the machine")
    ]


def test_default_files_out_of_reach_are_a_problem_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A technician's own account outside the kiosk group, on a terminal: /etc/kiosk is 0750."""
    with shared_dir() as shared:
        etc = shared / "etc-kiosk"
        etc.mkdir(mode=0o750)
        os.chmod(etc, 0o750)
        write(etc / "terminal.toml", '[terminal]\nid = "LJ-01"\nname = "x"\n', 0o640)
        monkeypatch.setattr("kiosk.settings.loader.DEFAULT_SYSTEM_FILE", etc / "terminal.toml")

        def load() -> list[str]:
            try:
                load_config(environ={}, staff_file=None)
            except ConfigError as exc:
                return [p.reason for p in exc.problems]
            return []

        assert as_user(load) == ["cannot read: Permission denied"]


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_infinite_or_nan_numbers_are_refused_not_a_check_switched_off(tmp_path: Path, value: str) -> None:
    text = f"[ops]\nclock_skew_seconds = {value}\nrestart_after_rest_seconds = {value}\n"
    f = write(tmp_path / "t.toml", text)
    with pytest.raises(ConfigError) as err:
        load_config(f, environ={})
    fields = {p.field for p in err.value.problems}
    assert {"ops.clock_skew_seconds", "ops.restart_after_rest_seconds"} <= fields


# ---------------------------------------------- the example's placeholders (issue 22)
EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "etc" / "terminal.toml.example"


def test_config_check_refuses_the_unedited_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = write(tmp_path / "terminal.toml", EXAMPLE.read_text(encoding="utf-8"))
    assert main(["config", "check", str(example)]) == 1
    err = capsys.readouterr().err
    for field in ("terminal.id", "backend.url", "devices.card_reader.reader_name_contains"):
        assert f"{example}: {field}: still the example's" in err
    assert "backend.terminal_secret" in err and "kiosk run refuses them" in err


def test_config_check_of_a_real_terminal_says_a_missing_secret_without_refusing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "t.toml", '[terminal]\nid = "LJ-02"\n[backend]\nurl = "https://zz.gxzf.gov.cn"\n')
    assert main(["config", "check", str(good)]) == 0
    out = capsys.readouterr().out
    assert "not ready for kiosk run" in out and "backend.terminal_secret" in out


def test_kiosk_run_refuses_the_placeholders_before_starting(tmp_path: Path) -> None:
    example = write(tmp_path / "terminal.toml", EXAMPLE.read_text(encoding="utf-8"))
    secrets = write(tmp_path / "secrets.toml", "", 0o600)
    done = subprocess.run(
        [str(KIOSK), "run", "--config", str(example), "--secrets", str(secrets)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KIOSK__PATHS__STATE_DIR": str(tmp_path / "state")},
    )
    assert done.returncode == 2
    assert "示例" in done.stderr and "terminal.id" in done.stderr and "backend.url" in done.stderr
    assert "backend.terminal_secret" in done.stderr
    assert not (tmp_path / "state").exists()  # refused before anything was started or written


def test_the_demo_configuration_has_no_placeholders() -> None:
    from kiosk.settings.loader import placeholder_problems

    assert placeholder_problems(load_config(environ={}), need_secret=False) == []
