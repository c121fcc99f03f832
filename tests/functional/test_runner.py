#!/usr/bin/env python3
"""Runs the minicash functional tests.

    python3 tests/functional/test_runner.py --bindir build/node --vectors ../shared/vectors [--keep]
        [--timeout-factor F] [--jobs N] [test ...]

With --jobs 1 (the default) the tests run one after the other in this process. With --jobs N
each test runs in a child process of this script, N at a time, the longest first; a test's
output is printed whole when it ends, and each of the N slots draws its loopback ports from a
range of its own (MINICASH_PORT_RANGE, below the kernel's ephemeral ports), so two tests never
pick the same port. Most tests wait on their nodes more than they compute, so 2 jobs on 2 cores
take about half the time.

Prints a final line 'N passed, M failed, K skipped' and exits non-zero if anything failed, or if
anything was skipped while CI=true (a skip is never reported as a pass).
"""

import argparse
import importlib
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import test_framework  # noqa: E402
from test_framework import SkipTest, TestEnv  # noqa: E402

# Order matters only for readability; each test is independent.
TESTS = [
    "mining_restart",
    "rpc_auth_and_errors",
    "loadblock",
    "reindex",
    "crash_recovery",
    "storage_corruption",
    "invalidate_reorg",
    "rawtransaction",
    "node_logging",
    "versionbits",
    "blockstats",
    "verifychain",
    "validateaddress",
    "descriptor_rpcs",
    "rpc_help_and_cli",
    "txindex",
    "descriptors",
    "wallet_basic",
    "wallet_send",
    "wallet_messages",
    "wallet_history",
    "wallet_backup",
    "wallet_encryption",
    "wallet_bumpfee",
    "wallet_spend_unconfirmed",
    "wallet_psbt",
    "wallet_fund_external",
    "wallet_avoidreuse",
    "wallet_conflicts",
    "scantxoutset",
    "import_shuffled",
    "crash_signal",
    "datadir_permissions",
    "rpc_strict_input",
    "rpc_resource_limits",
    "mining_rpcs",
    "cli_options",
    "rpc_concurrency",
    "reindex_chainstate_rpc",
    "p2p_client_selftest",
    "signer_selftest",
    "tx_signer_types",
    "rpc_signrawtransaction",
    "rpc_psbt",
    "p2p_client_btcd",
    "p2p_sync",
    "p2p_btcd_interop",
    "p2p_ibd_stalling",
    "p2p_ban",
    "p2p_addr",
    "p2p_compactblocks",
    "p2p_rpc_cli",
    "p2p_flood",
    "mempool_rpc",
    "mempool_fees",
    "mempool_relay",
    "mempool_btcd_interop",
    "mempool_hostile",
    "mempool_unbroadcast",
]

# Started first with --jobs > 1, so that no long test starts last (about 10 s or more each in a
# Release build); the others follow in TESTS' order.
LONG_TESTS = [
    "mempool_relay", "wallet_bumpfee", "wallet_send", "crash_recovery", "mempool_btcd_interop", "p2p_sync",
    "wallet_psbt", "scantxoutset", "wallet_encryption", "reindex_chainstate_rpc", "mempool_hostile",
]

# Port ranges of the --jobs slots: below Linux's ephemeral range (32768-60999), which bind(0)
# and outgoing connections use; each slot gets an equal share, at most PORT_SPAN ports.
PORT_BASE, PORT_END, PORT_SPAN = 12000, 32768, 4000


# The last lines of each failed test's output, repeated after the summary so that a log that keeps
# only its end (CI's) still says which test failed and why. Parallel runs only (--jobs above 1, as
# CI): one test at a time prints straight to the terminal, its failure just above the summary.
FAILURE_TAILS = {}
FAILURE_TAIL_LINES = 40


def run_one(name, env):
    """Runs one test in this process: its status ('PASS', 'SKIP' or 'FAIL') and whether it is ok."""
    ok = False
    status = "FAIL"
    try:
        mod = importlib.import_module(name)
        mod.run(env)
        ok = True
        status = "PASS"
    except SkipTest as e:
        ok = True  # teardown as after a success; counted as a skip below
        status = "SKIP"
        print("    !!!!!!!! SKIP: %s !!!!!!!!" % e, flush=True)
    except Exception as e:  # TestFailure, RPCError, anything unexpected
        print("    %s" % e, flush=True)
        traceback.print_exc(file=sys.stdout)
    finally:
        try:
            env.teardown(ok)
        except Exception as e:
            print("    teardown error: %s" % e)
            ok = False
            status = "FAIL"
    return status, ok


def run_sequential(names, args, bindir, vectors):
    """[(name, status, seconds)], each test in this process, one after the other."""
    results = []
    for name in names:
        print("=== %s" % name, flush=True)
        t0 = time.time()
        status, ok = run_one(name, TestEnv(bindir, vectors, keep=args.keep, name=name))
        dt = time.time() - t0
        print("=== %s: %s (%.1fs)" % (name, status, dt), flush=True)
        results.append((name, status if ok else "FAIL", dt))
    return results


def run_parallel(names, args, bindir, vectors):
    """[(name, status, seconds)], each test in a child process, args.jobs at a time."""
    order = [n for n in LONG_TESTS if n in names] + [n for n in names if n not in LONG_TESTS]
    free_slots = list(range(args.jobs))
    span = min(PORT_SPAN, (PORT_END - PORT_BASE) // args.jobs)
    running = {}  # slot -> (name, process, output file, start time)
    results = {}
    while order or running:
        while order and free_slots:
            name = order.pop(0)
            slot = free_slots.pop(0)
            cmd = [sys.executable, os.path.abspath(__file__), "--bindir", bindir, "--jobs", "1"]
            if vectors:
                cmd += ["--vectors", vectors]
            if args.keep:
                cmd.append("--keep")
            cmd += ["--timeout-factor", str(test_framework.TIMEOUT_FACTOR), name]
            env = dict(os.environ)
            lo = PORT_BASE + slot * span
            env["MINICASH_PORT_RANGE"] = "%d-%d" % (lo, lo + span - 1)
            out = tempfile.TemporaryFile(mode="w+")
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
            running[slot] = (name, proc, out, time.time())
        time.sleep(0.1)
        for slot, (name, proc, out, t0) in list(running.items()):
            if proc.poll() is None:
                continue
            del running[slot]
            free_slots.append(slot)
            out.seek(0)
            text = out.read()
            out.close()
            sys.stdout.write(text)
            m = re.search(r"^=== %s: (PASS|SKIP|FAIL) " % re.escape(name), text, re.M)
            status = m.group(1) if m else "FAIL"
            if proc.returncode != 0 and status == "PASS":
                status = "FAIL"  # e.g. the child failed after the test
            if not m:
                print("=== %s: FAIL (the child exited with %d and no result line)" % (name, proc.returncode))
            sys.stdout.flush()
            results[name] = (name, status, time.time() - t0)
            if status == "FAIL":
                FAILURE_TAILS[name] = text.splitlines()[-FAILURE_TAIL_LINES:]
    return [results[n] for n in names]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", required=True, help="directory holding minicashd and minicash-cli")
    ap.add_argument("--vectors", default=None, help="shared test vectors directory (../shared/vectors)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary datadirs")
    ap.add_argument("--timeout-factor", type=float, default=None,
                    help="multiply every time limit by this (sanitizer builds are slower; default: "
                         "$MINICASH_TIMEOUT_FACTOR or 1)")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("MINICASH_TEST_JOBS", "1")),
                    help="tests run at once, each in a child process (default: $MINICASH_TEST_JOBS or 1)")
    ap.add_argument("tests", nargs="*", help="run only these tests (default: all)")
    args = ap.parse_args()

    if args.timeout_factor is not None:
        test_framework.TIMEOUT_FACTOR = args.timeout_factor
    bindir = os.path.abspath(args.bindir)
    for b in ("minicashd", "minicash-cli"):
        if not os.access(os.path.join(bindir, b), os.X_OK):
            print("error: %s not found in %s" % (b, bindir))
            print("0 passed, 1 failed, 0 skipped")
            return 1
    vectors = os.path.abspath(args.vectors) if args.vectors else os.environ.get("MINICASH_VECTORS")

    names = args.tests or TESTS
    unknown = [n for n in names if n not in TESTS]
    if unknown:
        print("error: unknown test(s): %s (known: %s)" % (", ".join(unknown), ", ".join(TESTS)))
        return 2

    if not 1 <= args.jobs <= 200:
        print("error: --jobs must be from 1 to 200")
        return 2
    t_all = time.time()
    if args.jobs > 1 and len(names) > 1:
        results = run_parallel(names, args, bindir, vectors)
    else:
        results = run_sequential(names, args, bindir, vectors)
    passed = sum(1 for _, st, _ in results if st == "PASS")
    failed = sum(1 for _, st, _ in results if st == "FAIL")
    skipped = sum(1 for _, st, _ in results if st == "SKIP")

    print()
    for name, status, dt in results:
        print("  %-22s %s  %.1fs" % (name, status, dt))
    print("  total %.1fs" % (time.time() - t_all))
    for name, tail in FAILURE_TAILS.items():
        print("\n--- %s failed; the end of its output:" % name)
        print("\n".join("    " + line for line in tail))
    print("%d passed, %d failed, %d skipped%s" % (
        passed, failed, skipped,
        " (failed: %s)" % ", ".join(n for n, st, _ in results if st == "FAIL") if failed else ""),
        flush=True)
    if skipped and os.environ.get("CI", "").lower() == "true":
        print("error: %d test(s) skipped with CI=true: %s" %
              (skipped, ", ".join(n for n, st, _ in results if st == "SKIP")), flush=True)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
