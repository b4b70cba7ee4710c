#!/usr/bin/env bash
# Ruby: the UniFFI library (release), the committed generated module is current, minitest over every
# conformance vector and the end-to-end scenario against the emulator, and the per-call benchmark.
. "$STIGG_ROOT/.ci/lib.sh"
cd "$STIGG_ROOT"
ensure_apt ruby ruby-ffi ruby-minitest redis-server
export STIGG_REQUIRE_REDIS=1
cargo build --release --locked -q -p stigg-uniffi --features bindgen
"$CARGO_TARGET_DIR/release/uniffi-bindgen" generate --library "$CARGO_TARGET_DIR/release/libstigg_uniffi.so" \
  --language ruby --out-dir bindings/ruby/lib/stigg --no-format >/dev/null
# Generated and committed: fail when it differs.
git diff --exit-code -- bindings/ruby/lib/stigg/
STIGG_EMULATOR_BIN="$(emulator_bin)"
export STIGG_EMULATOR_BIN
export STIGG_UNIFFI_LIB="$CARGO_TARGET_DIR/release/libstigg_uniffi.so"
ruby -Ibindings/ruby/lib -e 'Dir["bindings/ruby/test/*_test.rb"].sort.each { |f| require "./#{f}" }'
ruby bindings/ruby/bench/bench.rb
