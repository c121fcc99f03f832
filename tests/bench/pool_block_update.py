#!/usr/bin/env python3
"""pool_block_update (issue 12/13 benchmark): what one node spends on a block whose
transactions are all in its mempool, split as its -debug=bench lines split it.

Uses the chain of p2p_propagation's pool variant (--pool-chain; blocks of 2,000 1-input-2-output
P2WPKH transactions; made on first use by bench_node_connect next to --bindir). One node gets the setup blocks; then for each
of --blocks spending blocks: its transactions go in by one sendrawtransaction batch, the node
is left --settle seconds, and the block is sent with submitblock (timed on a keep-alive
connection). Reported: medians of the submitblock call, of "Connect N transactions"
(connect) and its "notifications" (the pool's removal of the block's transactions and the
other synchronous listeners; the tip moves after them), and of "check and store" and
"activate" from "Process new block".

  tests/bench/pool_block_update.py --bindir build/release/node [--blocks 25]

Standard library only; the functional tests' framework starts the node. One SUMMARY line.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time

sys.dont_write_bytecode = True
from bench_node import start_node  # noqa: E402  (puts tests/functional on sys.path)
import test_framework  # noqa: E402
from p2p_propagation import KeepAlive, pool_chain, send_batch  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", required=True)
    ap.add_argument("--pool-chain", default=os.path.join(tempfile.gettempdir(), "minicash-bench-node", "pool-2000.blk"))
    ap.add_argument("--blocks", type=int, default=25)
    ap.add_argument("--settle", type=float, default=0.3)
    args = ap.parse_args()
    from p2p_client.primitives import Block  # noqa: E402
    setup, blocks = pool_chain(args.pool_chain, args.bindir, args.blocks)
    env = test_framework.TestEnv(args.bindir, None, name="bench_pool_block_update")
    ok = False
    try:
        node = start_node(env, 0, blocks[:setup], ["-debug=bench"])
        conn = KeepAlive(node)
        calls = []
        for raw in blocks[setup:setup + args.blocks]:
            send_batch(node, [tx.serialize().hex() for tx in Block.deserialize(raw).txs[1:]])
            time.sleep(args.settle)
            start = time.perf_counter()
            reply = conn.call("submitblock", raw.hex())
            calls.append((time.perf_counter() - start) * 1e3)
            if reply is not None:
                raise RuntimeError("submitblock: %r" % (reply,))
        conn.close()
        connect, notify, store, activate = [], [], [], []
        with open(node.debug_log) as f:
            for line in f:
                m = re.search(r"Connect 2001 transactions: ([0-9.]+)ms, notifications ([0-9.]+)ms", line)
                if m:
                    connect.append(float(m.group(1)))
                    notify.append(float(m.group(2)))
                m = re.search(r"check and store ([0-9.]+)ms, announce [0-9.]+ms, activate ([0-9.]+)ms", line)
                if m:
                    store.append(float(m.group(1)))
                    activate.append(float(m.group(2)))
        # The setup blocks log "Process new block" too: the spending blocks' lines are the last.
        store, activate = store[-len(connect):], activate[-len(connect):]
        if len(connect) != args.blocks:
            raise RuntimeError("%d Connect lines for %d blocks" % (len(connect), args.blocks))
        print("SUMMARY pool_block_update blocks=%d submitblock_ms=%.2f connect_ms=%.2f notifications_ms=%.2f "
              "store_ms=%.2f activate_ms=%.2f" % (args.blocks, statistics.median(calls), statistics.median(connect),
                                                   statistics.median(notify), statistics.median(store),
                                                   statistics.median(activate)))
        ok = True
    finally:
        env.teardown(ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
