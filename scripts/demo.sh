#!/usr/bin/env bash
# The kiosk in demo mode: simulated devices and the embedded reference backend, set-up included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/kiosk demo "$@"
