"""``kiosk qr``: the technician's view of QR decoding, through the code the terminal uses.

``decode IMAGE…`` prints one JSON line per image — ``{"file", "codes": [{"text", "kind", …}], "ms"}``
— for any file OpenCV or Pillow reads (PNG, JPEG, WebP, BMP, TIFF, GIF…); a file that cannot be read
gives a line with an ``error`` key, and the exit status is 1 at the end. ``watch`` opens the
configured camera (or ``--source`` file/folder/video, or ``--simulated TEXT``) and prints each newly
seen payload with the capture and decode rates, until Ctrl-C or ``--seconds``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any

from kiosk.cli.common import add_config_args, config_or_exit


def _code_json(code: Any, config: Any) -> dict[str, Any]:
    from kiosk.qr import classify

    text = code.display_text()
    verdict = classify(text, config)
    return {
        "text": text,
        "kind": verdict.kind,
        "charset": code.charset,
        "bytes": len(code.raw),
        "method": code.method,
        "position": [list(p) for p in code.position],
    }


def _decode(args: argparse.Namespace) -> int:
    from drivers.camera.decoder import QrDecoder
    from drivers.camera.file_source import read_image
    from drivers.camera.source import SourceError

    config = config_or_exit(args) if (args.config or args.secrets) else None
    decoder = QrDecoder(thorough=not args.fast)
    failed = False
    for name in args.images:
        line: dict[str, Any]
        try:
            image = read_image(name)
        except SourceError as exc:
            failed = True
            line = {"file": name, "error": str(exc)}
        else:
            t0 = time.perf_counter()
            codes = decoder.decode(image)
            ms = round((time.perf_counter() - t0) * 1000, 2)
            line = {"file": name, "codes": [_code_json(c, config) for c in codes], "ms": ms}
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 1 if failed else 0


def _watch(args: argparse.Namespace) -> int:
    from kiosk.qr import classify
    from kiosk.settings.camera import CameraConfig
    from kiosk.wiring.camera import build_qr_scanner

    config = config_or_exit(args)
    camera: CameraConfig = config.devices.camera
    if args.source:
        camera = camera.model_copy(update={"kind": "file", "source_path": args.source})
    elif args.simulated is not None:
        camera = camera.model_copy(update={"kind": "simulated"})
    scanner = build_qr_scanner(camera)
    if args.simulated is not None:
        scanner.show(args.simulated)  # type: ignore[attr-defined]
    lock = threading.Lock()

    def on_text(text: str) -> None:
        verdict = classify(text, config)
        with lock:
            print(f"{time.strftime('%H:%M:%S')}  {verdict.kind:12}  {verdict.display}", flush=True)

    print(f"camera: {camera.kind} {camera.source_path or camera.device}  (Ctrl-C to stop)", flush=True)
    scanner.start(on_text)
    deadline = time.monotonic() + args.seconds if args.seconds else None
    try:
        while deadline is None or time.monotonic() < deadline:
            time.sleep(min(1.0, max(deadline - time.monotonic(), 0.0)) if deadline else 1.0)
            state = scanner.state()  # type: ignore[attr-defined]
            src = state.source
            capture = f"{src.measured_fps:5.1f}" if src.measured_fps else "  -  "
            decode = f"{state.decode_fps:5.1f}" if state.decode_fps else "  -  "
            last = state.last_decode_ms or 0.0
            with lock:
                print(
                    f"{time.strftime('%H:%M:%S')}  [{scanner.health():8}] {src.status:10}"
                    f"  capture {capture} fps  decode {decode} fps  last {last:5.1f} ms"
                    f"  reconnects {src.reconnects}",
                    file=sys.stderr,
                    flush=True,
                )
    except KeyboardInterrupt:
        pass
    finally:
        scanner.stop()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("qr", help="QR decoding: decode image files, watch the camera")
    qs = p.add_subparsers(dest="qr_command", metavar="ACTION")
    dec = qs.add_parser("decode", help="decode image files; one JSON line per image")
    dec.add_argument("images", nargs="+", metavar="IMAGE")
    dec.add_argument("--fast", action="store_true", help="plain zxing-cpp only (no extra passes)")
    add_config_args(dec)
    dec.set_defaults(handler=_decode)
    watch = qs.add_parser("watch", help="live decodes from the configured camera, with frame rates")
    watch.add_argument("--source", help="an image, folder of images or video instead of the camera")
    watch.add_argument("--simulated", metavar="TEXT", help="the simulated camera showing TEXT")
    watch.add_argument("--seconds", type=float, default=0, help="stop after this long (default: Ctrl-C)")
    add_config_args(watch)
    watch.set_defaults(handler=_watch)
