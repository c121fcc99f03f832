#!/usr/bin/env bash
# The quick start: installs what is missing, builds minicash (Release), and starts a
# regtest node in the background with its data in $MINICASH_DATADIR (default
# ~/.minicash). Then use minicash-cli as you would bitcoin-cli (see the end of the output).
set -euo pipefail
cd "$(dirname "$0")/.."
bash contrib/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build/release minicashd minicash-cli minicash-selfcheck
BIN=$(pwd)/build/release/node
DATADIR=${MINICASH_DATADIR:-$HOME/.minicash}
mkdir -p "$DATADIR"
CLI=("$BIN/minicash-cli" -regtest "-datadir=$DATADIR")

if "${CLI[@]}" getblockcount >/dev/null 2>&1; then
  echo "A regtest node is already running on $DATADIR."
else
  "$BIN/minicashd" -regtest "-datadir=$DATADIR" -daemon
  "${CLI[@]}" -rpcwait -rpcwaittimeout=60 getblockcount >/dev/null
fi
echo
"${CLI[@]}" getblockchaininfo
cat <<EOT

minicashd is running on regtest (data: $DATADIR/regtest, log: $DATADIR/regtest/debug.log).
Try:
  $BIN/minicash-cli -regtest -datadir=$DATADIR generatetoaddress 101 bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080
  $BIN/minicash-cli -regtest -datadir=$DATADIR getblockchaininfo
  $BIN/minicash-cli -regtest -datadir=$DATADIR gettxoutsetinfo
  $BIN/minicash-cli -regtest -datadir=$DATADIR stop
To have minicashd and minicash-cli on the PATH: sudo cmake --install build/release
(or: cmake --install build/release --prefix ~/.local).
EOT
