#!/usr/bin/env python3
"""rpc_call_cost (issue 13 benchmark): where one JSON-RPC call's time goes. One regtest minicashd
gets mempool_accept.py's chain (its funding and maturity blocks, by submitblock); then, on one
keep-alive HTTP connection, N calls of each kind one after the other:

  getblockcount, getmempoolinfo           the HTTP and JSON path alone
  decoderawtransaction                    plus decoding a 1-input-2-output P2WPKH transaction
  sendrawtransaction (new)                a transaction the pool does not have: its acceptance
  sendrawtransaction (again)              the same transactions, already in the pool
  testmempoolaccept                       a judgement without adding (new transactions)
  sendrawtransaction maxfeerate=0         acceptance without the fee ceiling
  one batch                               the remaining transactions as one JSON-RPC batch

For each: calls per second, the median latency, and the CPU time per call of the node (utime +
stime from /proc/<pid>/stat) and of this client process. Linux only; loopback only.

  tests/bench/rpc_call_cost.py --bindir build/release/node [--calls 2000]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.dont_write_bytecode = True
from bench_node import ROOT, node_cpu_seconds, start_node  # noqa: E402  (puts tests/functional on sys.path)
import mempool_accept  # noqa: E402
import test_framework  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "release", "node"))
    ap.add_argument("--chain", default=os.path.join(tempfile.gettempdir(), "minicash-bench-node", "pool-1in2out.blk"),
                    help="made by mempool_accept.py (run it first)")
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args()
    with open(args.chain + ".info") as f:
        setup = int(f.read().split()[0])
    with open(args.chain, "rb") as f:
        blocks = test_framework.read_blk_file(f.read())
    txs = [h for h, _ in mempool_accept.block_txs(blocks[setup])]
    n = args.calls
    if len(txs) < 2 * n + 1:
        raise RuntimeError("--calls %d needs %d transactions; the block has %d" % (n, 2 * n + 1, len(txs)))
    env = test_framework.TestEnv(args.bindir, None, name="bench_rpc_call_cost")
    ok = False
    try:
        node = start_node(env, 0, blocks[:setup], ["-listen=0"])
        conn, headers = mempool_accept.rpc_conn(node.rpc_port, node.auth_header())
        pid = node.process.pid
        print("rpc_call_cost: nproc %d, load average %s" % (os.cpu_count(),
                                                            " ".join("%.2f" % x for x in os.getloadavg())))

        def call(method, *params):
            return mempool_accept.rpc_call(conn, headers, method, *params)

        def measure(name, fn):
            c0, p0, lat = node_cpu_seconds(pid), time.process_time(), []
            t0 = time.monotonic()
            for i in range(n):
                t1 = time.monotonic()
                fn(i)
                lat.append(time.monotonic() - t1)
            secs = time.monotonic() - t0
            print("%-34s %6.0f calls/s  median %.3f ms  node CPU %4.0f us/call  client CPU %4.0f us/call"
                  % (name, n / secs, statistics.median(lat) * 1e3, (node_cpu_seconds(pid) - c0) / n * 1e6,
                     (time.process_time() - p0) / n * 1e6))

        measure("getblockcount", lambda i: call("getblockcount"))
        measure("getmempoolinfo", lambda i: call("getmempoolinfo"))
        measure("decoderawtransaction", lambda i: call("decoderawtransaction", txs[i]))
        measure("sendrawtransaction (new)", lambda i: call("sendrawtransaction", txs[i]))
        measure("sendrawtransaction (again)", lambda i: call("sendrawtransaction", txs[i]))
        measure("testmempoolaccept (new)", lambda i: call("testmempoolaccept", [txs[n + i]]))
        measure("sendrawtransaction maxfeerate=0", lambda i: call("sendrawtransaction", txs[n + i], 0))
        rest = txs[2 * n:]
        body = json.dumps([{"jsonrpc": "2.0", "method": "sendrawtransaction", "params": [h], "id": i}
                           for i, h in enumerate(rest)])
        c0, t0 = node_cpu_seconds(pid), time.monotonic()
        conn.request("POST", "/", body=body, headers=headers)
        replies = json.loads(conn.getresponse().read())
        secs = time.monotonic() - t0
        errors = sum(1 for r in replies if r.get("error") is not None)
        print("%-34s %6.0f calls/s  (%d calls in %.3f s)  node CPU %4.0f us/call  errors %d"
              % ("one batch of sendrawtransaction", len(rest) / secs, len(rest), secs,
                 (node_cpu_seconds(pid) - c0) / len(rest) * 1e6, errors))
        if errors:
            raise RuntimeError("%d calls of the batch failed" % errors)
        conn.close()
        ok = True
    finally:
        env.teardown(ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
