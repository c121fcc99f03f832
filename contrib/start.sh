#!/usr/bin/env bash
# The quick start: installs what is missing, builds minicash (Release), and runs it.
# Until the node lands this runs the consensus self-check: every network's genesis
# block, and, if the shared mainnet vectors are present, real mainnet blocks 1-256.
set -euo pipefail
cd "$(dirname "$0")/.."
bash contrib/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build/release minicash-selfcheck
args=()
VECTORS=${MINICASH_VECTORS:-../shared/vectors}
if [ -f "$VECTORS/mainnet/blocks1-256.bz2" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  bzip2 -dc "$VECTORS/mainnet/blocks1-256.bz2" > "$tmp/blocks1-256.dat"
  args+=(-chain=main "$tmp/blocks1-256.dat")
fi
./build/release/node/minicash-selfcheck "${args[@]}"
