#!/usr/bin/env bash
# The whole test suite, set-up included: Debian packages, .venv, lint, types, tests.
# Real parts: a pcscd with a virtual card, a reference server on 127.0.0.1, a TCP printer, a private
# cupsd, and the real Kivy app offscreen. The fixtures start and stop each of them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
export KIOSK_ARTIFACTS="${KIOSK_ARTIFACTS:-$PWD/artifacts}"
mkdir -p "$KIOSK_ARTIFACTS"
unset DISPLAY WAYLAND_DISPLAY  # Kivy renders offscreen (SDL2), like a terminal without a screen
.venv/bin/python -m pytest "$@"
echo "screenshots and receipts: $KIOSK_ARTIFACTS"
find "$KIOSK_ARTIFACTS" -name '*.png' | sort | sed 's/^/  /'
