#!/usr/bin/env bash
# Node (@stigg/native, node/): npm ci, release build of the addon, index.d.ts must match the build,
# node --test (every conformance vector through the binding, e2e and parity with the official SDK
# against the emulator), and the `npm pack` tarball installed into a fresh directory running the
# quick start.
. "$STIGG_ROOT/.ci/lib.sh"
ensure_apt curl redis-server   # the Redis-mode test starts its own redis-server
export STIGG_REQUIRE_REDIS=1
cd "$STIGG_ROOT/node"
echo "node $(node --version), npm $(npm --version)"
npm ci --no-audit --no-fund --loglevel=error
npx napi build --platform --release --strip --no-js --dts index.d.ts --dts-header dts-header.d.ts
if ! git diff --exit-code -- index.d.ts; then
  echo "node/index.d.ts is stale: run 'npm run build' in node/ and commit it" >&2
  exit 1
fi
STIGG_EMULATOR="$(emulator_bin)"
export STIGG_EMULATOR
node --test test/
bash scripts/pack-check.sh
