#!/usr/bin/env bash
# Formats every tracked C++ file (*.cpp, *.h) in place with the repository's .clang-format
# (clang-format 14, Debian 12's, as CI uses).
#   bash contrib/format.sh           rewrite the files that differ
#   bash contrib/format.sh --check   change nothing; list the files that differ and fail if any
#                                    (CI's format stage)
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
mode=(-i)
if [ "${1:-}" = "--check" ]; then
  mode=(--dry-run --Werror)
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--check]" >&2
  exit 2
fi
git ls-files -z -- '*.cpp' '*.h' | xargs -0 -n 16 -P "$(nproc)" "$CLANG_FORMAT" --style=file "${mode[@]}"
