#!/usr/bin/env bash
# Redis persistent cache (core/src/cache/redis): the store and client tests against real redis-server
# processes (each test starts its own on a free port), and the interop with the official
# @stigg/node-server-sdk 3.95.0 in Redis mode (core/tests/redis_interop: npm ci, driven by the Rust
# test). STIGG_REQUIRE_REDIS makes a missing redis-server or node_modules a failure, not a skip.
. "$STIGG_ROOT/.ci/lib.sh"
cd "$STIGG_ROOT"
ensure_apt redis-server
command -v node >/dev/null 2>&1 || ensure_apt nodejs npm
redis-server --version
node --version
(cd core/tests/redis_interop && npm ci --no-audit --no-fund --loglevel=error)
export STIGG_REQUIRE_REDIS=1
log="$CARGO_TARGET_DIR/redis-tests.log"
cargo test -p stigg-core --locked --lib cache::redis 2>&1 | tee "$log"
cargo test -p stigg-core --locked --test redis_store --test redis_client --test redis_interop -- --nocapture 2>&1 | tee -a "$log"
# The benchmark, a few iterations only (test mode).
cargo test -p stigg-core --locked --bench redis_check 2>&1 | tee -a "$log"
awk '/^test result:/ {p+=$4; f+=$6} END {printf "redis: %d passed, %d failed\n", p, f; exit (f > 0)}' "$log"
