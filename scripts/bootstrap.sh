#!/usr/bin/env bash
# Set up everything the terminal and its tests need on a fresh Debian machine with only Python:
# Debian packages (when missing), a virtual environment in .venv, and the project with its pinned
# dependencies. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Kivy's SDL2 window renders with Mesa software GL (offscreen when there is no display)
  libgl1 libegl1 libmtdev1
  # Simplified Chinese font (the SC face is extracted from the collection at first start)
  fonts-noto-cjk
  # PC/SC smart-card stack; vsmartcard-vpcd is for tests only (never on a terminal image)
  pcscd libpcsclite1 libpcsclite-dev pcsc-tools vsmartcard-vpcd
  # build tools for pyscard (no Linux wheel)
  gcc swig
  # A4 printing through CUPS, and turning PDFs back into images in tests
  cups-daemon cups-client cups-bsd printer-driver-cups-pdf poppler-utils
  # voice prompts
  espeak-ng sox
  # deployment checks
  systemd
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.kiosk-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing the project and its pinned dependencies"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi
.venv/bin/kiosk fonts install --quiet
