"""Self-service terminal (自助终端) software for the Liujiang District Government Service Centre.

The package holds the domain, the citizen session and the app wiring. Only ``kiosk.app`` imports
Kivy; no module here imports a hardware library (those live in ``drivers/``).
"""

import sys as _sys

__version__ = "0.1.0"

# httpx imports its command-line client (httpx._main) with the library, and that imports click,
# pygments and rich whenever they are installed (click comes with uvicorn, pygments with Kivy, rich
# with the dev tools): about 80 modules and 5-7 MB resident in a terminal that never runs the httpx
# command (upstream: encode/httpx discussion 3523, PR 3547). A None entry in sys.modules is Python's
# own way to say a module is not there; httpx guards that import and defines a stub ``main``.
# Every process that imports kiosk (the app, the CLI, tests) gets the same httpx.
_sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
