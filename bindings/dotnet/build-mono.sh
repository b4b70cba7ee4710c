#!/usr/bin/env bash
# Builds the package, its tests and its benchmark with Mono's mcs (the build path available here).
# Usage: build-mono.sh OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?output directory}"
mkdir -p "$out"
mcs -unsafe -optimize+ -target:library -nowarn:1591 -doc:"$out/Stigg.xml" -out:"$out/Stigg.dll" "$here"/src/*.cs
mcs -langversion:experimental -unsafe -nowarn:1591 -r:"$out/Stigg.dll" -r:System.Json -r:System.Net.Http \
  -out:"$out/Tests.exe" "$here"/tests/Tests.cs
mcs -unsafe -optimize+ -nowarn:1591 -r:"$out/Stigg.dll" -out:"$out/Bench.exe" "$here"/bench/Bench.cs
