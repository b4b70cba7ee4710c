#!/usr/bin/env bash
# Emulator peers (issue 3 acceptance): the official Python client `stigg-api-client-v2` (pytest, sync + async)
# and the official Node SDK `@stigg/node-server-sdk@3.95.0` (node --test, realtime on) against the stigg-emulator
# binary, then the load generator for a few seconds so it stays exercised (the full measurement is manual:
# emulator/README.md, "Load").
. "$STIGG_ROOT/.ci/lib.sh"
cd "$STIGG_ROOT"

# cargo builds the emulator and the load generator once (debug)
cargo build -q --locked -p stigg-emulator --bin stigg-emulator --bin emulator-load
STIGG_EMULATOR_BIN="$CARGO_TARGET_DIR/debug/stigg-emulator"
export STIGG_EMULATOR_BIN
failed=0

echo "--- python peers (stigg-api-client-v2)"
ensure_venv
python -m pip install -q stigg-api-client-v2 pytest
# any non-zero exit fails the step, including pytest's 5 (no test collected)
(cd tests/peers/python && python -m pytest -q -p no:cacheprovider) || failed=1

echo "--- node peers (@stigg/node-server-sdk 3.95.0)"
(cd tests/peers/node && npm ci --no-audit --no-fund --loglevel=error && node --test) || failed=1

echo "--- load generator (smoke: 2 s per mode, in-process emulator)"
timeout 120 "$CARGO_TARGET_DIR/debug/emulator-load" --duration 2 --warmup 0.5 --customers 20 --connections 8 --mode both \
  || failed=1

exit "$failed"
