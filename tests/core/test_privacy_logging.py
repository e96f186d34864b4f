"""Masking helpers and the logging filter that keeps ID numbers out of log files."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kiosk.logsetup import setup_logging
from kiosk.privacy import mask_id, mask_name, mask_text


def test_masks() -> None:
    assert mask_id("450206195803120088") == "4502**********0088"
    assert mask_name("韦桂兰") == "韦**"
    assert mask_name("阿依古丽·买买提").startswith("阿*")
    assert mask_name("JOHNSON, DAVID") == "J****** D****"
    assert mask_text("id=94582619850706001X end") == "id=9458**********001X end"


def test_log_file_is_json_and_masked(tmp_path: Path) -> None:
    setup_logging(tmp_path, to_stderr=False)
    try:
        logging.getLogger("t").warning("card 450206195803120088 read", extra={"holder": "450206199005170038"})
    finally:
        for h in logging.getLogger().handlers:
            h.flush()
    text = (tmp_path / "kiosk.log").read_text()
    assert "450206195803120088" not in text and "450206199005170038" not in text
    entry = json.loads(text.splitlines()[-1])
    assert entry["level"] == "warning" and "4502**********0088" in entry["msg"]
    logging.getLogger().handlers.clear()


def test_unwritable_log_dir_degrades_to_stderr(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    setup_logging(blocker / "logs", to_stderr=True)  # cannot create a directory under a file
    logging.getLogger("t").error("still running")
    assert all(not isinstance(h, logging.FileHandler) for h in logging.getLogger().handlers)
    logging.getLogger().handlers.clear()
