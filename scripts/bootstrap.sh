#!/usr/bin/env bash
# Set up everything the terminal and its tests need on a fresh Debian machine with only Python:
# Debian packages (when missing), a virtual environment in .venv, and the project with its pinned
# dependencies. Safe to run again: it only installs what is missing, and it rebuilds a .venv that an
# earlier, interrupted run left half-made.
#
# apt and pip write a lot; their output goes to bootstrap.log (beside this repository's README) and
# only short progress lines reach the terminal. On a failure the end of the log is shown.
set -euo pipefail
cd "$(dirname "$0")/.."

LOG="$PWD/bootstrap.log"
: >"$LOG"
say() { echo "bootstrap: $*"; }
run_logged() {  # run_logged WHAT CMD...: the command's output into the log; its tail on failure
  local what=$1
  shift
  echo "== $what: $*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    say "FAILED: $what (the last lines of $LOG follow)"
    tail -n 25 "$LOG" | sed 's/^/  | /'
    exit 1
  fi
}

APT_PACKAGES=(
  # a virtual environment with pip, and the headers pyscard compiles against (a fresh Debian has
  # python3 alone: no venv module, no pip, no Python.h)
  python3-venv python3-dev
  # Kivy's SDL2 window renders with Mesa software GL (offscreen when there is no display)
  libgl1 libegl1 libmtdev1
  # Simplified Chinese font (the SC face is extracted from the collection at first start)
  fonts-noto-cjk
  # PC/SC smart-card stack; vsmartcard-vpcd is for tests only (never on a terminal image)
  pcscd libpcsclite1 libpcsclite-dev pcsc-tools vsmartcard-vpcd
  # build tools for pyscard (no Linux wheel)
  gcc libc6-dev swig
  # A4 printing through CUPS, and turning PDFs back into images in tests
  cups-daemon cups-client cups-bsd printer-driver-cups-pdf poppler-utils
  # voice prompts
  espeak-ng sox
  # deployment checks; TLS roots for pip
  systemd ca-certificates
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${#missing[@]} Debian packages (${missing[*]})"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "run as root, or install sudo: apt-get needs root"; exit 1; }
    SUDO=(sudo)
  fi
  run_logged "apt-get update" "${SUDO[@]}" apt-get update -q
  run_logged "apt-get install" "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
command -v "$PY" >/dev/null || { say "no $PY on this machine: install Python 3.11 or newer"; exit 1; }
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  say "$PY is $("$PY" -V 2>&1); the terminal needs Python 3.11 or newer"
  exit 1
}
# A .venv whose python or pip does not run (an interrupted first run, a moved checkout, a Python
# upgraded underneath it) is rebuilt instead of failing later with "No module named pip".
if [ -d .venv ] && ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  say "the existing .venv is broken (no working python or pip): rebuilding it"
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment .venv"
  run_logged "venv" "$PY" -m venv .venv
fi
stamp=.venv/.kiosk-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "installing the project and its pinned dependencies into .venv (a few minutes the first time)"
  run_logged "pip upgrade" .venv/bin/python -m pip install --upgrade pip
  run_logged "pip install" .venv/bin/python -m pip install -e ".[dev]"
  touch "$stamp"
fi
run_logged "fonts" .venv/bin/kiosk fonts install --quiet
say "ready (details in $LOG)"
