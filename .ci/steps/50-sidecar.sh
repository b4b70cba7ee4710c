#!/usr/bin/env bash
# Sidecar: build; the pytest suite, with the official `stigg-sidecar-sdk` from PyPI as the client, against
# our sidecar backed by the emulator (every RPC, outage and recovery, offline, Redis mode, config errors,
# SIGTERM);
# then the load generator for a few seconds so it stays exercised (debug build: its figures are not the
# README's, which come from release builds).
. "$STIGG_ROOT/.ci/lib.sh"
cd "$STIGG_ROOT"

cargo build -q --locked -p stigg-sidecar --bins
STIGG_EMULATOR_BIN=$(emulator_bin)
STIGG_SIDECAR_BIN="$CARGO_TARGET_DIR/debug/stigg-sidecar"
export STIGG_EMULATOR_BIN STIGG_SIDECAR_BIN

ensure_apt redis-server   # the Redis-mode test starts its own redis-server on a free port
ensure_venv
python -m pip install -q stigg-sidecar-sdk==8.1.0 pytest pytest-asyncio

set +e
(cd sidecar/tests/python && python -m pytest -q -p no:cacheprovider)
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "sidecar: pytest collected no tests"
  exit 1
fi
[ "$rc" -eq 0 ] || exit "$rc"

# --- load generator, briefly: emulator + sidecar on ephemeral loopback ports.
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# wait_line FILE PID: waits (up to 60 s) until FILE has a "listening" line, failing if PID exits.
wait_line() {
  local file=$1 pid=$2 i
  for i in $(seq 1 1200); do
    grep -q "listening" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "process $pid exited:"; cat "$file.err" || true; return 1; }
    sleep 0.05
  done
  echo "timed out waiting for $file"
  return 1
}

"$STIGG_EMULATOR_BIN" --port 0 --edge-port 0 >"$work/emu" 2>"$work/emu.err" &
pids+=($!)
wait_line "$work/emu" "${pids[-1]}"
emu=$(grep -o 'GraphQL http://[0-9.:]*' "$work/emu" | sed 's/^GraphQL //')

SERVER_API_KEY=server-emulator-key API_URL="$emu" EDGE_API_URL="$emu" HOST=127.0.0.1 PORT=0 HEALTH_PORT=0 \
  LOG_LEVEL=warn "$STIGG_SIDECAR_BIN" >"$work/sc" 2>"$work/sc.err" &
pids+=($!)
wait_line "$work/sc" "${pids[-1]}"
grpc=$(grep -o 'grpc=[0-9.:]*' "$work/sc" | cut -d= -f2)

"$CARGO_TARGET_DIR/debug/sidecar-load" --addr "$grpc" --provision-url "$emu/graphql" \
  --customer ci-load --duration 3 --warmup 0.5 --concurrency 16 --check
