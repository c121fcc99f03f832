#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test, each stage timed:
#   1. Release build: unit tests (Catch2) and functional tests, via ctest
#   1b. two mutations of tests/mutations/mutations.txt, chosen by the date, must be caught
#   2. clang-tidy (bugprone checks, findings are errors) over util/, consensus/, common/, node/
#   3. ThreadSanitizer (clang): the -par script-check pool's tests
#   4. AddressSanitizer + UndefinedBehaviorSanitizer build: the unit tests of 1
#   5. libFuzzer build (clang, ASan + UBSan halting on error): each fuzz target for
#      $MINICASH_FUZZ_SECONDS (default 10), from a temporary copy of its seed corpus
# Set MINICASH_SKIP_MUTATIONS=1, MINICASH_SKIP_TIDY=1, MINICASH_SKIP_TSAN=1, MINICASH_SKIP_ASAN=1 or
# MINICASH_SKIP_FUZZ=1 to skip a stage locally (CI runs all).
# Vectors are read from $MINICASH_VECTORS (default: ../shared/vectors beside the repo).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${MINICASH_FUZZ_SECONDS:-10}

# Each stage's time is printed when it ends, and all of them at the end.
T_START=$(date +%s)
STAGE_NAME=""
STAGE_START=$T_START
STAGE_TIMES=()
stage() {
  local now
  now=$(date +%s)
  if [ -n "$STAGE_NAME" ]; then
    echo "--- $STAGE_NAME: $((now - STAGE_START)) s"
    STAGE_TIMES+=("$(printf '%5d s  %s' $((now - STAGE_START)) "$STAGE_NAME")")
  fi
  STAGE_NAME="$*"
  STAGE_START=$now
  [ -n "$STAGE_NAME" ] && { echo; echo "=== $* ==="; }
  return 0
}

stage "Install dependencies"
bash contrib/install-deps.sh

# ccache (a Debian package, installed above) makes a repeated run on the same machine
# rebuild only what changed, also from another clone of the repository.
LAUNCHER=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

stage "Release build"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release "${LAUNCHER[@]}" >/dev/null
ninja -C build/release -j "$JOBS"
stage "Unit tests (Release)"
ctest --test-dir build/release --output-on-failure -j "$JOBS"

# Two entries of the mutation list (tests/mutations/), a different pair each day: each must
# make the unit tests fail. The scratch build sits beside the Release build's layout, so
# ccache reuses its objects. The whole list is run by hand (docs/mutations.md).
if [ "${MINICASH_SKIP_MUTATIONS:-0}" != "1" ]; then
  stage "Mutations (2 of tests/mutations, chosen by the date)"
  python3 tests/mutations/run.py --rotate 2 --workdir build/mutations --jobs "$JOBS"
fi

# clang-tidy: the bug-finding checks of .clang-tidy (bugprone-use-after-move and the other
# bugprone checks that pass cleanly), every finding an error, over util/, consensus/, common/ and node/ with
# the Release build's compile_commands.json, two files at a time. MINICASH_SKIP_TIDY=1 skips it.
if [ "${MINICASH_SKIP_TIDY:-0}" != "1" ]; then
  stage "clang-tidy (util/, consensus/, common/, node/)"
  find util consensus common node -name '*.cpp' | sort |
    xargs -P 2 -n 4 clang-tidy -p build/release --quiet --extra-arg=-Wno-unknown-warning-option
fi

if [ "${MINICASH_SKIP_TSAN:-0}" != "1" ]; then
  # The -par script-check pool is the one place where threads share chain data; its tests
  # run under ThreadSanitizer (clang), linked against the Release consensus library.
  stage "ThreadSanitizer: script-check pool tests"
  clang++ -std=c++20 -fsanitize=thread -g -O1 -I. -Itests/unit \
    tests/unit/main.cpp tests/unit/node/script_check_pool_tests.cpp node/chain/script_check_pool.cpp \
    build/release/consensus/libconsensus.a build/release/util/libutil.a -lsecp256k1 -lcrypto -lpthread -o build/tsan_pool_tests
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build/tsan_pool_tests
fi

if [ "${MINICASH_SKIP_ASAN:-0}" != "1" ]; then
  stage "ASan+UBSan build"
  # -O1 with line tables only (-g1): what sanitizer reports need, at about half the build
  # time of -O2 -g on 2 cores.
  cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DMINICASH_SANITIZE=ON -DMINICASH_BENCH=OFF "${LAUNCHER[@]}" >/dev/null
  ninja -C build/asan -j "$JOBS" unit_tests
  stage "Unit tests (ASan+UBSan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j "$JOBS" -E '^(functional|install)$'
fi

if [ "${MINICASH_SKIP_FUZZ:-0}" != "1" ]; then
  stage "Fuzz build (clang, libFuzzer)"
  cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DMINICASH_FUZZ=ON \
    -DCMAKE_CXX_COMPILER=clang++ "${LAUNCHER[@]}" >/dev/null
  ninja -C build/fuzz -j "$JOBS"
  # Each target starts from a scratch copy of its seeds (tests/fuzz/corpus/<target>), so the
  # run never writes into the repository; crash inputs go to build/fuzz/artifacts/.
  FUZZ_TMP=$(mktemp -d)
  mkdir -p build/fuzz/artifacts
  for f in build/fuzz/tests/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    stage "Fuzzing $name for ${FUZZ_SECONDS}s"
    mkdir -p "$FUZZ_TMP/$name"
    if [ -d "tests/fuzz/corpus/$name" ]; then cp -R "tests/fuzz/corpus/$name/." "$FUZZ_TMP/$name/"; fi
    log="build/fuzz/$name.log"
    if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$name-" \
        "$FUZZ_TMP/$name" >"$log" 2>&1; then
      tail -n 100 "$log"
      echo "fuzz target $name FAILED (inputs in build/fuzz/artifacts/)"
      rm -rf "$FUZZ_TMP"
      exit 1
    fi
    tail -n 8 "$log"
  done
  rm -rf "$FUZZ_TMP"
fi

stage ""
echo
echo "=== All test stages passed ($(( $(date +%s) - T_START )) s) ==="
printf '%s\n' "${STAGE_TIMES[@]}"
