#!/usr/bin/env bash
# .NET under Mono: build the package with mcs, run every conformance vector and the end-to-end scenario
# against the emulator through P/Invoke into libstigg, then the per-call benchmark.
. "$STIGG_ROOT/.ci/lib.sh"
cd "$STIGG_ROOT"
ensure_apt mono-devel
cargo build --release --locked -q -p stigg-ffi
OUT="$CARGO_TARGET_DIR/dotnet"
bash bindings/dotnet/build-mono.sh "$OUT"
STIGG_EMULATOR_BIN="$(emulator_bin)"
export STIGG_EMULATOR_BIN
export LD_LIBRARY_PATH="$CARGO_TARGET_DIR/release${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
MONO_PATH="$OUT" mono "$OUT/Tests.exe" tests/conformance
MONO_PATH="$OUT" mono "$OUT/Bench.exe"
