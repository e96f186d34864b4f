"""python-escpos's parsed printer database survives a start that was killed while writing it.

python-escpos opens its capabilities pickle for writing before it parses the YAML, and writes it in
place: the VM test's hard reset (and any SIGKILL during a first start) left it empty, and from then
on every start of the terminal died in ``pickle.load`` (EOFError) until the cache was deleted by
hand. Each case runs in a fresh process: the database is read when the module is first imported.
"""

from __future__ import annotations

import os
import pickle
import platform
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = (
    "from drivers.printer import escpos_cache; escpos_cache.prepare();"
    "import escpos.capabilities as c; print(len(c.CAPABILITIES['profiles']))"
)


def _start(cache_home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env.update(XDG_CACHE_HOME=str(cache_home), PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120, cwd=REPO
    )


@pytest.mark.parametrize("damage", ["empty", "cut", "garbage"])
def test_a_damaged_capabilities_pickle_is_rebuilt(tmp_path: Path, damage: str) -> None:
    first = _start(tmp_path)  # a first start writes the pickle
    assert first.returncode == 0, first.stderr
    (pickle_path,) = (tmp_path / "kiosk" / "escpos").glob("*.capabilities.pickle")
    assert pickle_path.name == f"{platform.python_version()}.capabilities.pickle"
    whole = pickle_path.read_bytes()
    damaged = {"empty": b"", "cut": whole[: len(whole) // 3], "garbage": b"\x80\x05not a pickle"}[damage]
    pickle_path.write_bytes(damaged)
    os.utime(pickle_path)  # newer than the YAML: python-escpos trusts it and loads it

    again = _start(tmp_path)

    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == first.stdout.strip()  # the same database, parsed anew
    with open(pickle_path, "rb") as f:
        assert pickle.load(f)["profiles"]  # and the cache is whole again for the next start
