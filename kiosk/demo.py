"""Demo mode: the controls a presenter (or a script) uses to play the citizen's part.

Demo mode runs the real app with simulated devices and the embedded reference server. These
controls insert one of the fictitious demo cards, show a 亮证码 to the simulated camera, pull the
card, and make the printer run out of paper or open its cover, so every path can be shown without
hardware. Keys: F1–F6 insert demo card 1–6, F7 pull the card, F8 show the first holder's 亮证码,
F9 an unreadable card, F10 paper out/in, F11 cover open/closed. 打印加注件 goes to a simulated A4
printer (drivers.printer.simulated_a4) whose last page the controls read back.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.controller import Devices

log = logging.getLogger(__name__)


@dataclass
class DemoControls:
    devices: Devices
    identity_keys: list[str]
    issue_token: Callable[[str], str]  # holder key -> the QR text a citizen's phone would show
    _paper_out: bool = field(default=False, init=False)
    _cover_open: bool = field(default=False, init=False)

    def _index(self, key: str | int) -> int:
        return key if isinstance(key, int) else self.identity_keys.index(key)

    def insert_card(self, key: str | int) -> None:
        reader: Any = self.devices.card
        reader.insert(self._index(key))

    def pull_card(self) -> None:
        reader: Any = self.devices.card
        reader.remove()

    def unreadable_card(self) -> None:
        reader: Any = self.devices.card
        reader.insert_unreadable()

    def show_qr(self, key: str) -> None:
        scanner: Any = self.devices.scanner
        scanner.show(self.issue_token(key))

    def clear_qr(self) -> None:
        scanner: Any = self.devices.scanner
        scanner.clear()

    def set_paper(self, state: str) -> None:
        printer: Any = self.devices.printer
        printer.set_paper(state)
        self._paper_out = state == "out"

    def toggle_paper(self) -> None:
        self.set_paper("ok" if self._paper_out else "out")

    def toggle_cover(self) -> None:
        printer: Any = self.devices.printer
        self._cover_open = not self._cover_open
        printer.set_cover_open(self._cover_open)

    def last_receipt(self) -> Any:
        return getattr(self.devices.printer, "last_image", None)

    def a4_printer(self) -> Any:
        """The simulated A4 printer (加注件) demo mode prints to (kiosk.wiring.printer)."""
        from kiosk.wiring.printer import simulated_a4_printer

        return simulated_a4_printer()

    def last_annotated_copy(self) -> Any:
        """Page one of the last 加注件 the simulated A4 printer took, as an image (or None)."""
        return self.a4_printer().last_preview

    def last_annotated_pdf(self) -> bytes | None:
        """The last 加注件 PDF the simulated A4 printer took, as a CUPS queue would have got it."""
        pdf: bytes | None = self.a4_printer().last_pdf
        return pdf

    def keys(self) -> dict[str, Callable[[], None]]:
        def safe(action: Callable[[], None]) -> Callable[[], None]:
            def run() -> None:
                try:
                    action()
                except Exception:
                    log.exception("demo control failed")

            return run

        keys = {
            f"f{i + 1}": safe(functools.partial(self.insert_card, i))
            for i in range(min(6, len(self.identity_keys)))
        }
        keys.update(
            f7=safe(self.pull_card),
            f8=safe(lambda: self.show_qr(self.identity_keys[0])),
            f9=safe(self.unreadable_card),
            f10=safe(self.toggle_paper),
            f11=safe(self.toggle_cover),
        )
        return keys


def demo_config(config: Any, server: Any) -> Any:
    """The configuration pointed at the embedded reference server (its url, secret and issuer keys)."""
    from pydantic import SecretStr

    from kiosk.complaints.demo_key import DEMO_PLATFORM_PUBLIC_KEY

    # 咨询·投诉·举报 sealed to the embedded server's demo platform key; its page answers the slip's QR
    complaints = config.complaints.model_copy(
        update={"platform_key": DEMO_PLATFORM_PUBLIC_KEY, "status_url": f"{server.url}/complaints/status"}
    )
    config = config.model_copy(update={"complaints": complaints})
    backend = config.backend.model_copy(
        update={
            "url": server.url,
            "terminal_secret": SecretStr(server.secret),
            "issuer_keys": dict(server.issuer_keys),
        }
    )
    terminal = config.terminal.model_copy(update={"id": server.terminal_id})
    devices = config.devices
    if devices.printer.kind == "simulated" and not devices.printer.a4_queue:
        # 加注件 on the simulated A4 printer beside the simulated receipt printer (a real terminal
        # names its CUPS queue in a4_queue, and a configured queue is kept)
        from kiosk.wiring.printer import SIMULATED_A4_QUEUE

        printer = devices.printer.model_copy(update={"a4_queue": SIMULATED_A4_QUEUE})
        devices = devices.model_copy(update={"printer": printer})
    # the seals of the server's OFD files are made under its demo CA: trusted here, in demo only
    trust = config.trust.model_copy(update={"ofd_seal_anchors": list(getattr(server, "ofd_anchors", []))})
    return config.model_copy(
        update={"backend": backend, "terminal": terminal, "trust": trust, "devices": devices}
    )


def token_issuer(server: Any) -> Callable[[str], str]:
    """Issue a 亮证 token the way a citizen's phone app would get one, as the text of its QR code."""
    import subprocess
    import sys

    def issue(holder_key: str) -> str:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "refserver",
                "lz-token",
                "--db",
                str(server.db_path),
                "--holder",
                holder_key,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
        return out.strip().splitlines()[-1].strip()  # the QR text, LZ:<token>

    return issue
