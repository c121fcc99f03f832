#!/usr/bin/env python3
"""mempool_gbt (issue 13 benchmark): `getblocktemplate` latency with a full 300 MB mempool, and what
the node's memory does on the way there.

The transactions: 1-input-2-output P2WPKH, one BIP-143 ECDSA signature each, taken from the spending
blocks of a chain made by `bench_node_connect --generate --inputs-per-tx=1 --recent` (on first use,
into --chain; ~330,000 transactions, ~75 MB). They spend confirmed outputs, so they are independent.

  1. One node (-maxmempool=300, the default) gets the funding and maturity blocks (submitblock).
  2. Two P2P streams (processes, after the version handshake) write every spending block's
     transactions as `tx` messages, the blocks split between them. The script polls
     `getmempoolinfo` until nothing changes for --quiet seconds: the pool is full (past
     300 MB the pool evicts and its minimum fee rises, so later equal-fee transactions are
     refused, as in Core) or every transaction is in.
  3. --calls calls of `getblocktemplate {"rules": ["segwit"]}`, each timed on a keep-alive
     connection. minicash keeps no template cache (Core reuses its template for 5 s while the
     pool is unchanged): every call selects from the whole pool.
  4. The node's VmRSS and VmHWM (/proc) beside the pool's `usage` and `maxmempool`; then
     `mockscheduler 120` runs the node's periodic return of malloc's free pages now, and
     VmRSS is read again.

  tests/bench/mempool_gbt.py --bindir build/release/node [--spend-blocks 55] [--calls 5]

Standard library only; the functional tests' framework starts the node. SUMMARY lines at the end.
"""

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
from bench_node import ROOT, start_node  # noqa: E402  (puts tests/functional on sys.path)
import test_framework  # noqa: E402
from mempool_accept import block_txs, rpc_call, rpc_conn  # noqa: E402
from p2p_client import P2PConnection  # noqa: E402
from p2p_client.serialize import ser_frame  # noqa: E402

TXS_PER_BLOCK = 6000


def feed(port, chain, first, indices, barrier, done):
    """One P2P stream: the transactions of the spending blocks at these indices, as tx messages."""
    with open(chain, "rb") as f:
        blocks = test_framework.read_blk_file(f.read())
    conn = P2PConnection()
    conn.connect(port)
    conn.handshake()
    conn.sync_with_ping()
    barrier.wait()
    for i in indices:
        txs = block_txs(blocks[first + i])
        conn.send_raw(b"".join(ser_frame(conn.magic, "tx", raw) for _, raw in txs))
    done.wait(1800)
    conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "release", "node"))
    ap.add_argument("--chain", default=os.path.join(tempfile.gettempdir(), "minicash-bench-node", "pool-gbt.blk"))
    ap.add_argument("--spend-blocks", type=int, default=55)
    ap.add_argument("--calls", type=int, default=5)
    ap.add_argument("--quiet", type=float, default=5.0, help="seconds without a change that mean the pool is full")
    args = ap.parse_args()
    bench_bin = os.path.join(os.path.dirname(os.path.abspath(args.bindir)), "tests", "bench", "bench_node_connect")
    info = args.chain + ".info"
    fresh = os.path.exists(args.chain) and time.time() - os.path.getmtime(args.chain) < 12 * 3600
    if not fresh or not os.path.exists(info) or int(open(info).read().split()[1]) < args.spend_blocks:
        os.makedirs(os.path.dirname(args.chain), exist_ok=True)
        subprocess.run([bench_bin, "--generate", "--chain=" + args.chain, "--spend-blocks=%d" % args.spend_blocks,
                        "--inputs=%d" % TXS_PER_BLOCK, "--inputs-per-tx=1", "--recent"], check=True)
    with open(info) as f:
        setup, spend = (int(x) for x in f.read().split()[:2])
    spend = min(spend, args.spend_blocks)
    with open(args.chain, "rb") as f:
        blocks = test_framework.read_blk_file(f.read())
    setup_blocks = blocks[:setup]
    del blocks
    print("mempool_gbt: nproc %d, load average %s" % (os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())))
    env = test_framework.TestEnv(args.bindir, None, name="bench_mempool_gbt")
    ok = False
    try:
        node = start_node(env, 0, setup_blocks, ["-listen=1"])
        pid = node.process.pid
        print("after the setup blocks: VmRSS %.1f MiB" % (test_framework.proc_status_kb(pid) / 1024.0))
        ctx = multiprocessing.get_context("fork")
        barrier = ctx.Barrier(3)
        done = ctx.Event()
        procs = [ctx.Process(target=feed, args=(node.p2p_port, args.chain, setup, list(range(k, spend, 2)), barrier,
                                                done)) for k in range(2)]
        for p in procs:
            p.start()
        barrier.wait(timeout=300)
        t0 = time.monotonic()
        conn, headers = rpc_conn(node.rpc_port, node.auth_header())
        last, last_change = None, time.monotonic()
        peak_rss = 0.0
        while True:
            mi = rpc_call(conn, headers, "getmempoolinfo")
            peak_rss = max(peak_rss, test_framework.proc_status_kb(pid) / 1024.0)
            key = (mi["size"], mi["usage"])
            if key != last:
                last, last_change = key, time.monotonic()
            elif time.monotonic() - last_change > args.quiet:
                break
            if time.monotonic() - t0 > 1800:
                raise RuntimeError("the pool still changes after 30 minutes")
            time.sleep(0.2)
        fill_secs = last_change - t0
        done.set()
        for p in procs:
            p.join(60)
        mi = rpc_call(conn, headers, "getmempoolinfo")
        st = {k: test_framework.proc_status_kb(pid, k) / 1024.0 for k in ("VmRSS", "VmHWM")}
        print("pool filled in %.1f s: %d transactions, usage %.1f MiB of maxmempool %.1f MiB, mempoolminfee %s BTC/kvB;"
              " %.0f tx/s" % (fill_secs, mi["size"], mi["usage"] / 1048576.0, mi["maxmempool"] / 1048576.0,
                              mi["mempoolminfee"], mi["size"] / fill_secs))
        print("node memory: VmRSS %.1f MiB now, %.1f MiB highest polled, VmHWM %.1f MiB" % (st["VmRSS"], peak_rss,
                                                                                           st["VmHWM"]))
        lat = []
        for i in range(args.calls):
            t = time.monotonic()
            tmpl = rpc_call(conn, headers, "getblocktemplate", {"rules": ["segwit"]})
            lat.append(time.monotonic() - t)
            weight = sum(x["weight"] for x in tmpl["transactions"])
            print("getblocktemplate %d: %.1f ms, %d transactions, weight %d (+ coinbase)"
                  % (i + 1, lat[-1] * 1e3, len(tmpl["transactions"]), weight))
        st = {k: test_framework.proc_status_kb(pid, k) / 1024.0 for k in ("VmRSS", "VmHWM")}
        # The node returns malloc's free pages every 2 minutes when over 256 MiB are resident but unused
        # (node/init.cpp): moved forward with Core's mockscheduler, then read again.
        rpc_call(conn, headers, "mockscheduler", 120)
        time.sleep(3)
        conn.close()
        st["released"] = test_framework.proc_status_kb(pid) / 1024.0
        print("node memory after the gbt calls: VmRSS %.1f MiB; after its periodic release of free memory: %.1f MiB"
              % (st["VmRSS"], st["released"]))
        print("load average at the end: %s" % " ".join("%.2f" % x for x in os.getloadavg()))
        print("SUMMARY mempool_gbt pool_txs=%d usage_mib=%.1f rss_mib=%.1f hwm_mib=%.1f released_rss_mib=%.1f "
              "gbt_median_ms=%.1f gbt_max_ms=%.1f" % (mi["size"], mi["usage"] / 1048576.0, st["VmRSS"], st["VmHWM"],
                                                      st["released"], statistics.median(lat) * 1e3,
                                                      max(lat) * 1e3))
        ok = True
    finally:
        env.teardown(ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
