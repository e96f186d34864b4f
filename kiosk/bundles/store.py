"""Where applied bundles live on the terminal: ``<state_dir>/bundles/``.

The unit's sandbox leaves only the state, log and cache directories writable, so bundles go to the
state directory. Each bundle is kept as the JSON the backend signed (``bundle-<version>.json``,
re-verified whenever it is read back); ``state.json`` names the current and the previous one and
the highest version ever applied. Applying writes the bundle file first and then replaces
``state.json`` in one rename (kiosk.admin.atomic), so a power cut leaves either the old or the new
bundle current — never half of one. The highest version survives a rollback, so a bundle the
terminal rolled back from, or anything older, is not taken again from the backend.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.admin.atomic import atomic_write

STATE_FILE = "state.json"


@dataclass(frozen=True)
class Pointer:
    current: int | None = None
    previous: int | None = None
    highest: int = 0
    etag: str = ""
    damaged: bool = False  # state.json was there but unreadable


class BundleStore:
    def __init__(self, state_dir: Path, owner: tuple[int, int] | None = None) -> None:
        """``owner`` (uid, gid) for files written: a technician's command run as root leaves them to
        the state directory's owner, the app, which must read them."""
        self.directory = Path(state_dir) / "bundles"
        self.owner = owner

    def _file(self, version: int) -> Path:
        return self.directory / f"bundle-{int(version)}.json"

    def pointer(self) -> Pointer:
        try:
            raw = json.loads((self.directory / STATE_FILE).read_text(encoding="utf-8"))
            return Pointer(
                current=None if raw.get("current") is None else int(raw["current"]),
                previous=None if raw.get("previous") is None else int(raw["previous"]),
                highest=int(raw.get("highest", 0)),
                etag=str(raw.get("etag", "")),
            )
        except FileNotFoundError:
            return Pointer()
        except (OSError, ValueError, TypeError, AttributeError):
            # a damaged pointer: no bundle is trusted, the shipped files serve (the caller audits);
            # the kept files still say which versions were applied, so older ones stay refused
            return Pointer(highest=max(self._kept_versions(), default=0), damaged=True)

    def _kept_versions(self) -> list[int]:
        out = []
        for path in self.directory.glob("bundle-*.json"):
            number = path.stem.removeprefix("bundle-")
            if number.isdigit():
                out.append(int(number))
        return out

    def read(self, version: int) -> dict[str, Any] | None:
        try:
            return dict(json.loads(self._file(version).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def _write_pointer(self, pointer: Pointer) -> None:
        data = json.dumps(pointer.__dict__, sort_keys=True).encode("utf-8")
        atomic_write(self.directory / STATE_FILE, data, mode=0o600, keep_backup=False, owner=self.owner)
        self._prune(pointer)

    def _prune(self, pointer: Pointer) -> None:
        keep = {f"bundle-{v}.json" for v in (pointer.current, pointer.previous) if v is not None}
        for path in self.directory.glob("bundle-*.json"):
            if path.name not in keep:
                path.unlink(missing_ok=True)

    def apply(self, version: int, body: dict[str, Any], etag: str) -> Pointer:
        """Make ``body`` current; the current one becomes the previous (one step of rollback)."""
        old = self.pointer()
        atomic_write(
            self._file(version), json.dumps(body, ensure_ascii=False).encode(), 0o600, keep_backup=False
        )
        new = Pointer(current=version, previous=old.current, highest=max(old.highest, version), etag=etag)
        self._write_pointer(new)
        return new

    def rollback(self) -> Pointer:
        """The previous bundle current again (none: the shipped files); the highest version stays."""
        old = self.pointer()
        new = Pointer(current=old.previous, previous=None, highest=old.highest, etag="")
        self._write_pointer(new)
        return new
