#!/usr/bin/env python3
"""p2p_sync (issue 12 benchmark): initial sync over loopback of the connect benchmark's mixed-input
chain (bench_node_connect --generate --mixed: P2PKH, P2WPKH, P2SH-P2WPKH, P2TR key path, P2WSH
2-of-3), from one and from two minicash peers, beside the node's own -reindex-chainstate of the
same chain.

Source nodes import the chain once with -loadblock (unmeasured). Then, per round, in turn:
  one-peer   a fresh node with -connect=<source 1>: seconds from its process start to the tip;
  two-peer   a fresh node with -connect to both sources;
  reindex    the one-peer node's datadir restarted with -reindex-chainstate -connect=0 (its own
             blk files), seconds from process start to the tip.
Each reports blocks/s and the spending inputs/s (the chain's .info counts). Rounds alternate the
three so that each sees the machine's load alike. A node's height is polled every 20 ms.

  tests/bench/p2p_sync.py --bindir build/release/node [--chain FILE] [--rounds 2] [--par 2]

Generates the chain (2,000 spending blocks of 26 inputs, 52,000 inputs, block times from an hour
ago: --recent) if FILE is missing or over 12 hours old: a node whose tip is older than a day is in
initial block download and, as Core, serves no headers.
Standard library only; the functional tests' framework starts the nodes (loopback only).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
from bench_node import ROOT, BenchNode, wait_height  # noqa: E402  (puts tests/functional on sys.path)
import test_framework  # noqa: E402




def timed_start(env, node, args, height, timeout):
    t0 = time.monotonic()
    node.start(extra_args=args, wait=False)
    t1 = wait_height(node, height, timeout)
    return t1 - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "release", "node"))
    ap.add_argument("--bench-bin", default=os.path.join(ROOT, "build", "release", "tests", "bench",
                                                        "bench_node_connect"))
    ap.add_argument("--chain", default=os.path.join(tempfile.gettempdir(), "minicash-bench-node", "mixed-recent.blk"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--par", type=int, default=2, help="every node's -par")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    # The block times start an hour before generation (--recent): the sources must be out of
    # initial block download to serve headers (as Core), so a chain older than 12 hours is remade.
    fresh = os.path.exists(args.chain + ".info") and time.time() - os.path.getmtime(args.chain + ".info") < 12 * 3600
    if not fresh:
        os.makedirs(os.path.dirname(os.path.abspath(args.chain)), exist_ok=True)
        subprocess.run([args.bench_bin, "--generate", "--mixed", "--recent", "--spend-blocks=2000", "--inputs=26",
                        "--chain=" + args.chain], check=True)
    with open(args.chain + ".info") as f:
        setup_blocks, spend_blocks, spend_inputs = (int(x) for x in f.read().split())
    tip = setup_blocks + spend_blocks
    print("p2p_sync: %s, %d blocks (%d setup + %d spending, %d inputs), -par=%d, %d rounds, nproc %d" % (
        args.chain, tip, setup_blocks, spend_blocks, spend_inputs, args.par, args.rounds, os.cpu_count()),
        flush=True)

    env = test_framework.TestEnv(args.bindir, None, keep=args.keep, name="bench_p2p_sync")
    ok = False
    try:
        par = "-par=%d" % args.par
        sources = []
        for i in range(2):
            n = BenchNode(env, len(env.nodes), extra_args=[par, "-connect=0", "-listen=1", "-loadblock=" + args.chain])
            env.nodes.append(n)
            n.start(wait=False)
            sources.append(n)
        for n in sources:
            wait_height(n, tip, args.timeout)
            # Out of initial block download (the import over): only then does it serve headers.
            test_framework.wait_until(lambda: not n.rpc("getblockchaininfo")["initialblockdownload"], 60,
                                      "source %d out of initial block download" % n.index)
        print("sources ready (loaded with -loadblock)", flush=True)
        addr = ["127.0.0.1:%d" % n.p2p_port for n in sources]
        results = {"one-peer": [], "two-peer": [], "reindex": []}

        def report(kind, secs):
            results[kind].append(secs)
            print("%-9s %6.2f s  %7.1f blocks/s  %7.0f inputs/s (spending inputs / whole sync time)" % (
                kind, secs, tip / secs, spend_inputs / secs), flush=True)

        for r in range(args.rounds):
            one = BenchNode(env, len(env.nodes), extra_args=[par, "-listen=0", "-connect=" + addr[0]])
            env.nodes.append(one)
            report("one-peer", timed_start(env, one, [], tip, args.timeout))
            one.stop()
            two = BenchNode(env, len(env.nodes), extra_args=[par, "-listen=0", "-connect=" + addr[0],
                                                             "-connect=" + addr[1]])
            env.nodes.append(two)
            report("two-peer", timed_start(env, two, [], tip, args.timeout))
            peers = len(two.rpc("getpeerinfo"))
            two.stop()
            print("          (two-peer node had %d peers at the tip)" % peers, flush=True)
            one.extra_args = [par, "-listen=0", "-connect=0", "-reindex-chainstate"]
            report("reindex", timed_start(env, one, [], tip, args.timeout))
            one.stop()
        print("SUMMARY " + "  ".join("%s median %.2f s (%s)" % (
            k, sorted(v)[len(v) // 2], ", ".join("%.2f" % x for x in v)) for k, v in results.items()), flush=True)
        one_med = sorted(results["one-peer"])[len(results["one-peer"]) // 2]
        re_med = sorted(results["reindex"])[len(results["reindex"]) // 2]
        print("one-peer sync / reindex-chainstate: %.2fx (goal: within 1.2x)" % (one_med / re_med), flush=True)
        ok = True
    finally:
        env.teardown(ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
