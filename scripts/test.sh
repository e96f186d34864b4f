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
if [ "$#" -gt 0 ] || [ "${KIOSK_TESTS_SERIAL:-0}" = 1 ]; then
  .venv/bin/python -m pytest "$@"
else
  # The whole suite in two pytest processes side by side. tests/deploy (a QEMU guest, a clean
  # Debian root: about 18 minutes) mostly waits on its guest and on apt, and the rest mostly keeps
  # one core busy: one after the other they took 43 minutes on a 2-core CI machine, close to CI's
  # limit. Each process has its own temporary folder; the deploy tests' output is shown after the
  # rest's. KIOSK_TESTS_SERIAL=1 runs them one after the other, as one process.
  deploy_log="$KIOSK_ARTIFACTS/deploy-tests.log"
  echo "tests/deploy runs beside the rest (its output, shown at the end: $deploy_log)"
  # its own process group: if this script is stopped, the group goes (QEMU and the chroot's
  # processes included), not only pytest
  setsid .venv/bin/python -m pytest -p no:cacheprovider tests/deploy >"$deploy_log" 2>&1 &
  deploy_pid=$!
  trap 'kill -- "-$deploy_pid" 2>/dev/null || true' EXIT
  set +e
  .venv/bin/python -m pytest --ignore=tests/deploy
  rest=$?
  wait "$deploy_pid"
  deploy=$?
  set -e
  trap - EXIT
  echo "== pytest tests/deploy (it ran beside the rest)"
  cat "$deploy_log"
  echo "== pytest: the rest exited $rest, tests/deploy exited $deploy"
  if [ "$rest" -ne 0 ] || [ "$deploy" -ne 0 ]; then
    exit 1
  fi
fi
echo "screenshots and receipts: $KIOSK_ARTIFACTS"
find "$KIOSK_ARTIFACTS" -name '*.png' | sort | sed 's/^/  /'
