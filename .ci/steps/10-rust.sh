#!/usr/bin/env bash
# Rust: format, lints, every test of the workspace (unit, conformance vectors, property tests,
# emulator, client against the emulator) and the benchmarks compiled and run once in test mode.
. "$STIGG_ROOT/.ci/lib.sh"
cd "$STIGG_ROOT"
cargo --version
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked -q
log="$CARGO_TARGET_DIR/rust-tests.log"
# The Python and Node extension crates link against their host at load time (pyo3's
# extension-module, napi): they are tested by their own languages' steps, not by cargo test.
hosted=(--exclude stigg-python --exclude stigg-node)
cargo test --workspace "${hosted[@]}" --all-targets --locked 2>&1 | tee "$log"
cargo test --workspace "${hosted[@]}" --doc --locked 2>&1 | tee -a "$log"
awk '/^test result:/ {p+=$4; f+=$6} END {printf "rust: %d passed, %d failed\n", p, f}' "$log"
