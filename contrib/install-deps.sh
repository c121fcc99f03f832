#!/usr/bin/env bash
# Installs minicash's build and test dependencies from Debian 12 packages.
# Idempotent: packages already present are left alone; nothing is downloaded
# outside apt.
set -euo pipefail

PKGS=(
  g++ cmake ninja-build pkg-config
  libsecp256k1-dev libssl-dev libleveldb-dev libboost-dev libabsl-dev
  nlohmann-json3-dev libsimdjson-dev catch2 libbz2-dev libbenchmark-dev
  python3 bzip2 clang libclang-rt-14-dev clang-tidy clang-format ccache
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
