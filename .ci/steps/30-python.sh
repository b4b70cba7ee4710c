#!/usr/bin/env bash
# Python package `stigg-native` (python/): builds the abi3 wheel once with maturin (release, reusing
# CARGO_TARGET_DIR), installs it into the CI virtualenv, runs pytest against the installed wheel (every
# conformance vector, threads, asyncio, listeners, logging, fork, end-to-end against the stigg-emulator
# binary) and mypy --strict on the examples, then the cached-check benchmark once (short).
. "$STIGG_ROOT/.ci/lib.sh"
cd "$STIGG_ROOT"

ensure_venv
ensure_apt redis-server   # the Redis-mode test starts its own redis-server
export STIGG_REQUIRE_REDIS=1
python -m pip install -q maturin pytest mypy stigg-api-client-v2

# the emulator the e2e tests start (debug build, shared with the other steps)
STIGG_EMULATOR_BIN="$(emulator_bin)"
export STIGG_EMULATOR_BIN

wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
(cd python && maturin build --release --locked --quiet --out "$wheels")
python -m pip install -q --force-reinstall --no-deps "$wheels"/stigg_native-*.whl
# from a neutral directory: the import must come from the installed wheel, not python/stigg_native
(cd "$wheels" && python -c 'import stigg_native, sys; print("stigg_native", stigg_native.__version__, "from", stigg_native.__file__)')

failed=0
# `pytest` (not `python -m pytest`) so the working directory is not on sys.path; any non-zero exit,
# including 5 (no tests collected), fails the step
(cd python && pytest -q -p no:cacheprovider tests) || failed=1
(cd python/examples && mypy --strict --no-incremental quickstart.py offline.py) || failed=1
(cd "$wheels" && python "$STIGG_ROOT/python/examples/offline.py" >/dev/null) || failed=1
ensure_apt curl
bash python/scripts/fresh-venv-quickstart.sh "$(ls "$wheels"/stigg_native-*.whl)" "$STIGG_EMULATOR_BIN" || failed=1
(cd "$wheels" && BENCH_NATIVE_SAMPLES=300 BENCH_OFFICIAL_CALLS=50 \
  timeout 120 python "$STIGG_ROOT/python/bench/bench_cached_check.py") || failed=1
exit "$failed"
