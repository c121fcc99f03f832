#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test, each stage timed:
#   0. format: clang-format --dry-run --Werror over every tracked C++ file (contrib/format.sh --check)
#   1. Release build: unit tests (Catch2) and functional tests, via ctest
#   1b. two mutations of tests/mutations/mutations.txt, chosen by the date, must be caught
#   2. clang-tidy (bugprone checks, findings are errors) over util/, consensus/, common/, net/, node/, wallet/
#   3. clang build with ThreadSanitizer on every library and program, and -Wthread-safety as an
#      error: the unit tests, then the functional tests, under TSan
#   4. clang build with ASan + UBSan (halting on error) and libFuzzer instrumentation: the unit
#      tests of 1, then each fuzz target for $MINICASH_FUZZ_SECONDS (default 10), from a
#      temporary copy of its seed corpus
# Set MINICASH_SKIP_FORMAT=1, MINICASH_SKIP_MUTATIONS=1, MINICASH_SKIP_TIDY=1, MINICASH_SKIP_TSAN=1
# or MINICASH_SKIP_FUZZ=1 (stage 4, with its unit tests) to skip a stage locally (CI runs all).
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
# rebuild only what changed, also from another clone of the repository, and lets the
# mutation stage's scratch build reuse the Release build's objects. The sloppiness lets it
# cache the unit tests' objects, which use a precompiled header (without it, every one of
# them was compiled again in the mutation stage: about 5 of its 6 minutes).
LAUNCHER=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
  export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

# Formatting first: it takes seconds and needs no build.
if [ "${MINICASH_SKIP_FORMAT:-0}" != "1" ]; then
  stage "Format (clang-format --dry-run --Werror)"
  bash contrib/format.sh --check
fi

# The functional tests run JOBS + 1 at a time (test_runner.py --jobs, each test in a child
# process with loopback ports of its own): they wait on their nodes more than they compute.
export MINICASH_TEST_JOBS=${MINICASH_TEST_JOBS:-$((JOBS + 1))}

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
# bugprone checks that pass cleanly), every finding an error, over util/, consensus/, common/, net/, node/ and wallet/ with
# the Release build's compile_commands.json, two files at a time. MINICASH_SKIP_TIDY=1 skips it.
if [ "${MINICASH_SKIP_TIDY:-0}" != "1" ]; then
  stage "clang-tidy (util/, consensus/, common/, net/, node/, wallet/)"
  find util consensus common net node wallet -name '*.cpp' | sort |
    xargs -P 2 -n 4 clang-tidy -p build/release --quiet --extra-arg=-Wno-unknown-warning-option
fi

VECTORS=${MINICASH_VECTORS:-$ROOT/../shared/vectors}

if [ "${MINICASH_SKIP_TSAN:-0}" != "1" ]; then
  # One clang build serves two checks: the thread-safety analysis (-Wthread-safety as an error:
  # every GUARDED_BY field read under its mutex, every REQUIRES/EXCLUDES honoured), and
  # ThreadSanitizer on every library and program, so the unit tests and real minicashd
  # processes under the functional tests run with every memory access checked for races.
  # -O1 -g1 as the ASan build. TSan suppressions (tests/tsan_suppressions.txt) cover only system
  # libraries not built with TSan, each entry with its reason; a race in our code is fixed.
  stage "TSan + thread-safety build (clang)"
  cmake -S . -B build/tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DCMAKE_CXX_COMPILER=clang++ -DMINICASH_TSAN=ON -DMINICASH_BENCH=OFF "${LAUNCHER[@]}" >/dev/null
  ninja -C build/tsan -j "$JOBS" unit_tests minicashd minicash-cli
  # die_after_fork=0: the crash-handler unit tests fork a child that starts a thread, from a
  # process where LevelDB's background thread (Env::Default, never joined) already runs; TSan
  # by default kills such a child (it cannot check it). The children only log and die.
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:suppressions=$ROOT/tests/tsan_suppressions.txt"
  stage "Unit tests (TSan)"
  ctest --test-dir build/tsan --output-on-failure -j "$JOBS" -E '^(functional|install)$'
  stage "Functional tests (TSan)"
  # Sanitized processes start and run several times slower: every time limit is stretched.
  python3 tests/functional/test_runner.py --bindir build/tsan/node --vectors "$VECTORS" --timeout-factor 4
  unset TSAN_OPTIONS
fi

if [ "${MINICASH_SKIP_FUZZ:-0}" != "1" ]; then
  # One clang build with ASan + UBSan (and libFuzzer's coverage instrumentation) on everything
  # serves both the unit tests under the sanitizers and the fuzz targets.
  stage "ASan+UBSan build: unit tests and libFuzzer targets (clang)"
  cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DMINICASH_FUZZ=ON \
    -DCMAKE_CXX_COMPILER=clang++ "${LAUNCHER[@]}" >/dev/null
  ninja -C build/fuzz -j "$JOBS"
  stage "Unit tests (ASan+UBSan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/fuzz --output-on-failure -j "$JOBS"
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
