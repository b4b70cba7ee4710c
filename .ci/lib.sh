#!/usr/bin/env bash
# Helpers shared by the CI steps. Source it: `. "$STIGG_ROOT/.ci/lib.sh"`.
set -euo pipefail
: "${STIGG_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${CARGO_TARGET_DIR:=$HOME/.cache/stigg-native/target}"
export STIGG_ROOT CARGO_TARGET_DIR

# ensure_apt PKG...: installs the Debian packages that are missing (apt-get update once per run).
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ ! -f /tmp/.stigg-apt-updated ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && touch /tmp/.stigg-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_venv: a Python virtualenv at $STIGG_VENV (default ~/.cache/stigg-native/venv), activated.
ensure_venv() {
  : "${STIGG_VENV:=$HOME/.cache/stigg-native/venv}"
  export STIGG_VENV
  if [ ! -x "$STIGG_VENV/bin/python" ]; then
    python3 -m venv "$STIGG_VENV"
  fi
  # shellcheck disable=SC1091
  . "$STIGG_VENV/bin/activate"
  python -m pip install -q --upgrade pip >/dev/null
}

# emulator_bin: builds the emulator once (debug) and prints its path.
emulator_bin() {
  cargo build -q -p stigg-emulator --bin stigg-emulator >&2
  echo "$CARGO_TARGET_DIR/debug/stigg-emulator"
}
