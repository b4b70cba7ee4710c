#!/usr/bin/env bash
# Acceptance: the `npm pack` tarball installs into a fresh directory, and the quick start runs from it
# against a stigg-emulator. Needs a built addon (npm run build) and STIGG_EMULATOR (or a built emulator).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
emulator="${STIGG_EMULATOR:-${CARGO_TARGET_DIR:-$here/../target}/debug/stigg-emulator}"
work="$(mktemp -d)"
emu_pid=""
cleanup() {
  if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$here" && npm pack --silent --pack-destination "$work" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
echo "packed $(basename "$tarball") ($(du -h "$tarball" | cut -f1))"
mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "$tarball"
cp "$here/examples/quickstart.mjs" .

read -r port edge_port < <(node -e '
  const net = require("net"); const ports = []
  const next = () => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { ports.push(s.address().port); s.close(() => ports.length < 2 ? next() : console.log(ports.join(" "))) }) }
  next()')
"$emulator" --port "$port" --edge-port "$edge_port" >/dev/null 2>&1 &
emu_pid=$!
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$port/_emulator/health" >/dev/null && break
  sleep 0.05
done
STIGG_BASE_URI="http://127.0.0.1:$port" STIGG_EDGE_URI="http://127.0.0.1:$edge_port" timeout 60 node quickstart.mjs
echo "pack check: the installed tarball ran the quick start"
