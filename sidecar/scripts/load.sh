#!/usr/bin/env bash
# Measures the sidecar as the README quotes it: release builds of stigg-sidecar and sidecar-load, an
# emulator for the customer's state, everything on ephemeral loopback ports. Extra arguments go to
# sidecar-load (e.g. --concurrency 16 --threads 2 --duration 10).
#
#   sidecar/scripts/load.sh --duration 10
#
# NO_BUILD=1 skips the cargo builds (when the binaries are already built).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
if [ -z "${NO_BUILD:-}" ]; then
  cargo build -q --release -p stigg-sidecar --bins
  cargo build -q -p stigg-emulator --bin stigg-emulator
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
wait_line() {
  local file=$1 pid=$2 i
  for i in $(seq 1 1200); do
    grep -q "listening" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$file.err"; return 1; }
    sleep 0.05
  done
  return 1
}

"$target/debug/stigg-emulator" --port 0 --edge-port 0 >"$work/emu" 2>"$work/emu.err" &
pids+=($!)
wait_line "$work/emu" "${pids[-1]}"
emu=$(grep -o 'GraphQL http://[0-9.:]*' "$work/emu" | sed 's/^GraphQL //')

SERVER_API_KEY=server-emulator-key API_URL="$emu" EDGE_API_URL="$emu" HOST=127.0.0.1 PORT=0 HEALTH_PORT=0 \
  LOG_LEVEL=warn "$target/release/stigg-sidecar" >"$work/sc" 2>"$work/sc.err" &
pids+=($!)
wait_line "$work/sc" "${pids[-1]}"
grpc=$(grep -o 'grpc=[0-9.:]*' "$work/sc" | cut -d= -f2)

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$target/release/sidecar-load" --addr "$grpc" --provision-url "$emu/graphql" --customer "load-$$" --check "$@"
