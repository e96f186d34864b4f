"""What ``kiosk run`` imports at start-up (issue 21, memory at rest).

httpx imports its command-line client with the library, and that client imports click, pygments
and rich when they are installed (they are: uvicorn brings click, Kivy pygments, the dev tools
rich): some 80 modules and several MB resident for a command the terminal never runs. kiosk's
package blocks that one module (kiosk/__init__.py); httpx itself must still work.
"""

from __future__ import annotations

import json
import subprocess
import sys

# the modules `kiosk run` imports before its window opens (kiosk/cli/run_cmd.py), in a fresh
# interpreter so that nothing the test session imported counts
PROBE = r"""
import json, sys
import kiosk.cli
kiosk.cli.build_parser()  # every sub-command's module, as `kiosk run` loads them
import kiosk.controller, kiosk.notify, kiosk.wiring.backend, kiosk.wiring.devices
import kiosk.app.kivy_app  # the app and every screen module (the admin page's settings store too)
import httpx
print(json.dumps({
    "loaded": sorted({name.split(".")[0] for name in sys.modules}),
    "httpx_main": callable(httpx.main),
}))
"""


def _start_imports() -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_starting_the_terminal_does_not_import_the_httpx_command_line_tools() -> None:
    result = _start_imports()
    loaded = result["loaded"]
    assert isinstance(loaded, list)
    assert "httpx" in loaded  # the backend client is there…
    assert not {"click", "rich", "pygments"} & set(loaded)  # …without the httpx command's libraries
    assert result["httpx_main"]  # httpx's own stub for a missing command line, not an error


def test_libraries_for_rare_work_wait_until_that_work_comes() -> None:
    """What a resting terminal never uses is not resident from the start: fpdf (an A4 copy) and
    tomlkit (a staff member saving a setting) are imported when that happens."""
    loaded = _start_imports()["loaded"]
    assert isinstance(loaded, list)
    assert "kiosk" in loaded and "kivy" in loaded
    assert not {"fpdf", "tomlkit"} & set(loaded)


def test_httpx_still_talks_http_with_its_command_line_blocked() -> None:
    """The blocked module is only the command line: a request through httpx still works."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import kiosk  # noqa: F401  (what every kiosk process imports first)

    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        import httpx

        answer = httpx.get(f"http://127.0.0.1:{server.server_address[1]}/", timeout=10)
        assert (answer.status_code, answer.text) == (200, "ok")
    finally:
        server.shutdown()
        server.server_close()
