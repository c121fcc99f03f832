#!/usr/bin/env python3
"""Runs the minicash functional tests in sequence.

    python3 tests/functional/test_runner.py --bindir build/node --vectors ../shared/vectors [--keep]
        [--timeout-factor F] [test ...]

Prints a final line 'N passed, M failed, K skipped' and exits non-zero if anything failed, or if
anything was skipped while CI=true (a skip is never reported as a pass).
"""

import argparse
import importlib
import os
import sys
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
    "wallet_psbt",
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
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", required=True, help="directory holding minicashd and minicash-cli")
    ap.add_argument("--vectors", default=None, help="shared test vectors directory (../shared/vectors)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary datadirs")
    ap.add_argument("--timeout-factor", type=float, default=None,
                    help="multiply every time limit by this (sanitizer builds are slower; default: "
                         "$MINICASH_TIMEOUT_FACTOR or 1)")
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

    passed, failed, skipped, results = 0, 0, 0, []
    t_all = time.time()
    for name in names:
        print("=== %s" % name, flush=True)
        t0 = time.time()
        env = TestEnv(bindir, vectors, keep=args.keep, name=name)
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
        dt = time.time() - t0
        print("=== %s: %s (%.1fs)" % (name, status, dt), flush=True)
        results.append((name, status, dt))
        if not ok:
            failed += 1
        elif status == "SKIP":
            skipped += 1
        else:
            passed += 1

    print()
    for name, status, dt in results:
        print("  %-22s %s  %.1fs" % (name, status, dt))
    print("  total %.1fs" % (time.time() - t_all))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped), flush=True)
    if skipped and os.environ.get("CI", "").lower() == "true":
        print("error: %d test(s) skipped with CI=true: %s" %
              (skipped, ", ".join(n for n, st, _ in results if st == "SKIP")), flush=True)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
