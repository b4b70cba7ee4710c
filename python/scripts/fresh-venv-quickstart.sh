#!/usr/bin/env bash
# Acceptance check: the built wheel installs into a fresh virtualenv, and the README's Python quick
# start runs from it against a stigg-emulator on free loopback ports.
# Usage: fresh-venv-quickstart.sh WHEEL EMULATOR_BIN
set -euo pipefail
wheel=$1
emulator=$2
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
emu_pid=
cleanup() {
  if [ -n "$emu_pid" ]; then
    kill "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true   # the emulator ends by our signal: not a failure
  fi
  rm -rf "$work"
}
trap cleanup EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q "$wheel"
read -r port edge < <(python3 -c 'import socket
def free():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
print(free(), free())')
"$emulator" --port "$port" --edge-port "$edge" >/dev/null 2>&1 &
emu_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/_emulator/health" >/dev/null 2>&1 && break
  sleep 0.1
done
cd "$work"   # the import must come from the installed wheel
STIGG_BASE_URI="http://127.0.0.1:$port" STIGG_EDGE_URI="http://127.0.0.1:$edge" \
  timeout 60 "$work/venv/bin/python" "$here/examples/quickstart.py"
echo "python: the wheel installed into a fresh virtualenv and the quick start ran from it"
