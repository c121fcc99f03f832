#!/usr/bin/env python3
"""p2p_propagation (issue 12 benchmark): block propagation over a line of 5 regtest minicashd on
loopback (0 -> 1 -> 2 -> 3 -> 4, each node -addnode to its upstream neighbour, linked one at a time
and synced before the next: a node in initial block download ignores getheaders, as Core).

After a warm-up that lasts until every node chose its upstream neighbour as BIP152 high-bandwidth
peer (as tests/functional/p2p_compactblocks.py's line_of_five), each of --rounds rounds:
  - takes a block the line has never seen (see the variants below),
  - sends `submitblock <hex>` to node 0 (the clock starts just before the request is sent),
  - waits for node 4's tip to be the new block (the clock stops there), then reads node 0's
    submitblock reply (must be null). With --watch wait (the default) node 4 is asked
    `waitforblock <hash>` on a keep-alive RPC connection just before the clock starts, and the clock
    stops at its reply. With --watch poll it is asked `getbestblockhash` every --poll seconds
    until it answers the new block (the loop and node 4's answers take CPU the five nodes share).
It reports the median, p90 and max of the total, and the median per hop (total / 4). The clock's
resolution is one RPC round trip (~0.2-0.5 ms on loopback), plus the poll interval when polling.

Variants (--variant):
  coinbase  blocks holding only their coinbase, mined by a 6th node that is connected to nobody
            (generatetoaddress there, then `getblock <hash> 0`); it built the line's chain too.
  mixed     the spending blocks of the connect benchmark's mixed-input chain (--chain, made by
            bench_node_connect --generate --mixed --recent; 26 inputs of 5 types per block): the
            line has none of their transactions, so each hop reconstructs the compact block with
            getblocktxn/blocktxn (or falls back to the full block) and validates the signatures.
            The chain must be under a day old (or the nodes stay in initial block download).
  pool      issue 12's case: blocks of 2,000 transactions (1-input-2-output P2WPKH, signed) that
            every node already holds in its mempool. The chain (--pool-chain) is made on first use
            by `bench_node_connect --generate --inputs=2000 --inputs-per-tx=1 --recent`. Before
            each round the block's transactions go to every node of the line with
            `sendrawtransaction` (one JSON-RPC batch per node), the script waits until each
            mempool holds them all, then --settle seconds for the nodes' own transaction
            announcements to one another to die down. Each hop then rebuilds the compact block
            from its mempool (no getblocktxn expected) and connects it with its scripts already
            in the script execution cache. Default 20 rounds.
  both      coinbase then mixed (separate nodes).

  tests/bench/p2p_propagation.py --bindir build/release/node [--rounds 50] [--variant coinbase|mixed|pool|both]

Standard library only; the functional tests' framework starts the nodes. One SUMMARY line per variant.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
from bench_node import ROOT, BenchNode  # noqa: E402  (puts tests/functional on sys.path)
import test_framework  # noqa: E402

REGTEST_ADDR = test_framework.REGTEST_ADDR
HOPS = 4



class KeepAlive:
    """One keep-alive JSON-RPC connection to a node; send() and read() may be split."""

    def __init__(self, node):
        self.conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=60)
        self.headers = {"Content-Type": "application/json", "Authorization": node.auth_header(),
                        "Connection": "keep-alive"}

    def send(self, method, *params):
        body = json.dumps({"method": method, "params": list(params), "id": 1})
        self.conn.request("POST", "/", body=body, headers=self.headers)

    def read(self):
        reply = json.loads(self.conn.getresponse().read())
        if reply.get("error") is not None:
            raise RuntimeError("RPC error: %r" % (reply["error"],))
        return reply.get("result")

    def call(self, method, *params):
        self.send(method, *params)
        return self.read()

    def close(self):
        self.conn.close()


def hb_line(nodes):
    """True once each node has its upstream (outbound) neighbour as high-bandwidth peer."""
    for b in nodes[1:]:
        if not any(p["bip152_hb_to"] for p in b.getpeerinfo() if not p["inbound"]):
            return False
    return True


def wait_all(nodes, block_hash, timeout=60):
    test_framework.wait_until(lambda: all(n.getbestblockhash() == block_hash for n in nodes), timeout,
                              "block %s on every node" % block_hash[:16], interval=0.01)


def build_line(env, source_blocks):
    """Starts 5 nodes, gives node 0 source_blocks (hex) with submitblock, links the line one hop at a time."""
    # -logtimemicros and -debug=bench: each node logs when a cmpctblock's header was accepted and
    # how long after its receipt, so hop_times() can time every hop between nodes 1 and 4.
    nodes = [BenchNode(env, i, extra_args=["-logtimemicros", "-debug=bench"])
             for i in range(len(env.nodes), len(env.nodes) + 5)]
    env.nodes.extend(nodes)
    for n in nodes:
        n.start()
    for h in source_blocks:
        r = nodes[0].rpc("submitblock", h)
        if r is not None:
            raise RuntimeError("submitblock during set-up: %r" % (r,))
    tip = nodes[0].getbestblockhash()
    for a, b in zip(nodes, nodes[1:]):
        b.addnode("127.0.0.1:%d" % a.p2p_port, "add")
        wait_all([b], tip)
    return nodes


def line_on_chain(env, blocks, setup):
    """The line on the chain's first setup blocks, warmed up with the next ones; returns (nodes, next_block)."""
    nodes = build_line(env, [b.hex() for b in blocks[:setup]])
    it = iter(blocks[setup:])

    def next_block():
        b = next(it)
        return test_framework.block_hash_from_header(b[:80]), b.hex()

    warm_up(nodes, next_block)
    return nodes, next_block


def measure(nodes, block_hex, block_hash, poll, timeout=60):
    """Seconds from sending submitblock to node 0 until node 4's best block is block_hash
    (poll None: node 4's waitforblock reply, else its getbestblockhash polled every poll s)."""
    sub = KeepAlive(nodes[0])
    watch = KeepAlive(nodes[-1])
    try:
        watch.call("getbestblockhash")  # connect before the clock starts
        if poll is None:
            # Shorter than the socket's timeout, so a lost block is reported as such.
            watch.send("waitforblock", block_hash, int(timeout * 1000 * 0.9))
        t0 = time.perf_counter()
        wall0 = time.time()
        sub.send("submitblock", block_hex)
        if poll is None:
            tip = watch.read()
            t1 = time.perf_counter()
            if tip.get("hash") != block_hash:
                raise RuntimeError("block %s not on node 4 after %ss" % (block_hash[:16], timeout))
        while poll is not None:
            if watch.call("getbestblockhash") == block_hash:
                t1 = time.perf_counter()
                break
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError("block %s not on node 4 after %ss" % (block_hash[:16], timeout))
            if poll > 0:
                time.sleep(poll)
        r = sub.read()
        if r is not None:
            raise RuntimeError("submitblock: %r" % (r,))
        return t1 - t0, wall0
    finally:
        sub.close()
        watch.close()


def msg_bytes(nodes):
    """Bytes received by nodes 1..4 per message type of interest."""
    out = {}
    for n in nodes[1:]:
        for p in n.getpeerinfo():
            for k in ("cmpctblock", "getblocktxn", "blocktxn", "block", "getdata"):
                out[k] = out.get(k, 0) + p["bytesrecv_per_msg"].get(k, 0)
    return out


def run_rounds(nodes, next_block, rounds, poll, pause, timeline=False):
    before = msg_bytes(nodes)
    times, hashes, starts = [], [], []
    for i in range(rounds):
        h, raw = next_block()
        t, wall0 = measure(nodes, raw, h, poll)
        wait_all(nodes, h)
        times.append(t)
        hashes.append(h)
        starts.append(wall0)
        time.sleep(pause)
    after = msg_bytes(nodes)
    msgs = {k: after[k] - before[k] for k in after}
    msgs["hops"] = hop_times(nodes, hashes)
    if timeline:
        median_round = sorted(range(len(times)), key=lambda i: times[i])[len(times) // 2]
        print_timeline(nodes, starts[median_round], times[median_round])
    return times, msgs


def log_time(stamp):
    """Seconds since the epoch of a -logtimemicros timestamp (UTC)."""
    t = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


BENCH_LINE = re.compile(r"^(\S+) \[bench\] (.*)$")


def print_timeline(nodes, start, total):
    """The -debug=bench lines every node logged during one round, in time order, in ms from submitblock."""
    events = []
    for i, n in enumerate(nodes):
        with open(n.debug_log) as f:
            for line in f:
                m = BENCH_LINE.match(line)
                if not m:
                    continue
                at = (log_time(m.group(1)) - start) * 1000
                if -1 <= at <= total * 1000 + 100:
                    events.append((at, i, m.group(2).strip()))
    print("  timeline of the median round (%.2f ms), ms after submitblock was sent:" % (total * 1000))
    for at, i, what in sorted(events):
        print("    %8.2f  node %d  %s" % (at, i, what))


CMPCT_LINE = re.compile(r"^(\S+) \[bench\] - cmpctblock ([0-9a-f]{64}) from peer=\d+: header accepted ([0-9.]+)ms")


def hop_times(nodes, hashes):
    """Seconds between consecutive nodes' receipt of each block's cmpctblock, nodes 1 to 4 (3 hops a block),
    from their -logtimemicros -debug=bench lines (receipt = the line's time minus the logged delay)."""
    receipts = []
    for n in nodes[1:]:
        got = {}
        with open(n.debug_log) as f:
            for line in f:
                m = CMPCT_LINE.match(line)
                if m and m.group(2) not in got:
                    got[m.group(2)] = log_time(m.group(1)) - float(m.group(3)) / 1e3
        receipts.append(got)
    hops = []
    for h in hashes:
        if all(h in r for r in receipts):
            hops.extend(receipts[i + 1][h] - receipts[i][h] for i in range(len(receipts) - 1))
    return hops


def warm_up(nodes, next_block):
    for _ in range(20):
        if hb_line(nodes):
            return
        h, raw = next_block()
        nodes[0].rpc("submitblock", raw)
        wait_all(nodes, h)
    raise RuntimeError("the high-bandwidth line was not set after 20 blocks")


def report(variant, times, msgs, extra):
    hops = sorted(t * 1000 for t in msgs.pop("hops", []))
    ms = sorted(t * 1000 for t in times)
    med = statistics.median(ms)
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    print("%s: %d rounds%s; total median %.2f ms, p90 %.2f ms, min %.2f ms, max %.2f ms; per hop (median/4) %.2f ms"
          % (variant, len(ms), extra, med, p90, ms[0], ms[-1], med / HOPS))
    got = ", ".join("%s %d" % kv for kv in sorted(msgs.items()))
    print("  bytes received by nodes 1-4 during the rounds: %s" % got)
    hop_med = statistics.median(hops) if hops else float("nan")
    if hops:
        print("  cmpctblock receipt to the next node's receipt, nodes 1-4 (%d hops): median %.2f ms, p90 %.2f ms, "
              "max %.2f ms" % (len(hops), hop_med, hops[min(len(hops) - 1, int(round(0.9 * (len(hops) - 1))))],
                               hops[-1]))
    print("SUMMARY p2p_propagation variant=%s rounds=%d median_ms=%.2f p90_ms=%.2f max_ms=%.2f per_hop_ms=%.2f "
          "relay_hop_median_ms=%.2f" % (variant, len(ms), med, p90, ms[-1], med / HOPS, hop_med))


def run_coinbase(args):
    env = test_framework.TestEnv(args.bindir, None, name="bench_p2p_prop_cb")
    ok = False
    try:
        miner = BenchNode(env, 0, extra_args=["-listen=0", "-connect=0"])
        env.nodes.append(miner)
        miner.start()
        hashes = miner.generatetoaddress(5, REGTEST_ADDR)
        nodes = build_line(env, [miner.getblock(h, 0) for h in hashes])

        def next_block():
            h = miner.generatetoaddress(1, REGTEST_ADDR)[0]
            return h, miner.getblock(h, 0)

        warm_up(nodes, next_block)
        times, msgs = run_rounds(nodes, next_block, args.rounds, poll_of(args), args.pause)
        report("coinbase", times, msgs, " of coinbase-only blocks (~%d B)" % (len(next_block()[1]) // 2))
        ok = True
    finally:
        env.teardown(ok)
    return ok


def run_mixed(args):
    if not os.path.exists(args.chain):
        print("mixed: %s is missing (make it with bench_node_connect --generate --mixed --recent --chain=FILE)"
              % args.chain)
        return False
    with open(args.chain, "rb") as f:
        blocks = test_framework.read_blk_file(f.read())
    setup = 100
    if len(blocks) < setup + 20 + args.rounds:
        raise RuntimeError("%s has %d blocks; need %d" % (args.chain, len(blocks), setup + 20 + args.rounds))
    env = test_framework.TestEnv(args.bindir, None, name="bench_p2p_prop_mixed")
    ok = False
    try:
        nodes, next_block = line_on_chain(env, blocks, setup)
        # Skip to the spending blocks (the warm-up may have used only funding/maturity blocks).
        sizes = []

        def next_spending():
            while True:
                h, raw = next_block()
                tx_count = raw[160:162]
                if int(tx_count, 16) > 1:  # the chain's blocks have < 0xfd transactions
                    sizes.append(len(raw) // 2)
                    return h, raw
                nodes[0].rpc("submitblock", raw)
                wait_all(nodes, h)

        times, msgs = run_rounds(nodes, next_spending, args.rounds, poll_of(args), args.pause)
        report("mixed", times, msgs, " of mixed-input blocks (median %d B, none of their transactions on the line)"
               % statistics.median(sizes))
        ok = True
    finally:
        env.teardown(ok)
    return ok


def send_batch(node, hexes):
    """sendrawtransaction of every hex in one JSON-RPC batch; each must be accepted."""
    conn = KeepAlive(node)
    try:
        body = json.dumps([{"method": "sendrawtransaction", "params": [h], "id": i} for i, h in enumerate(hexes)])
        conn.conn.request("POST", "/", body=body, headers=conn.headers)
        replies = json.loads(conn.conn.getresponse().read())
    finally:
        conn.close()
    bad = [r for r in replies if r.get("error") is not None]
    if bad:
        raise RuntimeError("sendrawtransaction: %d of %d refused, first %r" % (len(bad), len(hexes), bad[0]["error"]))


def pool_chain(path, bindir, need):
    """The pool variant's chain (blocks of 2,000 signed 1-input-2-output P2WPKH transactions):
    made by bench_node_connect (next to bindir) when missing, short of `need` spending blocks
    or over 12 hours old. Returns (number of setup blocks, every block's bytes)."""

    def spend_blocks():
        try:
            with open(path + ".info") as f:
                return int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            return 0

    if spend_blocks() < need or not os.path.exists(path) or time.time() - os.path.getmtime(path) > 12 * 3600:
        bench_bin = os.path.join(os.path.dirname(os.path.abspath(bindir)), "tests", "bench", "bench_node_connect")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([bench_bin, "--generate", "--chain=" + path, "--spend-blocks=%d" % need, "--inputs=2000",
                        "--inputs-per-tx=1", "--recent"], check=True)
    with open(path + ".info") as f:
        setup = int(f.read().split()[0])
    with open(path, "rb") as f:
        return setup, test_framework.read_blk_file(f.read())


def run_pool(args):
    from p2p_client.primitives import Block  # noqa: E402  (the functional tests' client, on sys.path)
    warm = 20
    setup, blocks = pool_chain(args.pool_chain, args.bindir, args.rounds + warm)
    env = test_framework.TestEnv(args.bindir, None, name="bench_p2p_prop_pool")
    ok = False
    try:
        nodes, next_block = line_on_chain(env, blocks, setup)
        sizes, counts = [], []

        def next_pooled():
            h, raw = next_block()
            blk = Block.deserialize(bytes.fromhex(raw))
            hexes = [tx.serialize().hex() for tx in blk.txs[1:]]
            for n in nodes:
                send_batch(n, hexes)
            test_framework.wait_until(lambda: all(n.rpc("getmempoolinfo")["size"] >= len(hexes) for n in nodes), 60,
                                      "the block's transactions in every mempool", interval=0.05)
            time.sleep(args.settle)
            sizes.append(len(raw) // 2)
            counts.append(len(blk.txs))
            return h, raw

        times, msgs = run_rounds(nodes, next_pooled, args.rounds, poll_of(args), args.pause, args.timeline)
        for n in nodes:
            if n.rpc("getmempoolinfo")["size"] != 0:
                raise RuntimeError("a mempool still holds transactions of the mined blocks")
        report("pool", times, msgs, " of blocks of %d transactions (median %d B) every node already had"
               % (statistics.median(counts), statistics.median(sizes)))
        ok = True
    finally:
        env.teardown(ok)
    return ok


def poll_of(args):
    """measure's poll argument: None to wait with waitforblock."""
    return None if args.watch == "wait" else args.poll


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "release", "node"))
    ap.add_argument("--rounds", type=int, default=None, help="rounds per variant (default 50; pool: 20)")
    ap.add_argument("--variant", choices=("coinbase", "mixed", "pool", "both"), default="coinbase")
    ap.add_argument("--pool-chain", default=os.path.join(tempfile.gettempdir(), "minicash-bench-node", "pool-2000.blk"))
    ap.add_argument("--settle", type=float, default=2.0, help="pool: seconds of quiet after the mempools are full")
    ap.add_argument("--chain", default=os.path.join(tempfile.gettempdir(), "minicash-bench-node", "mixed-recent.blk"))
    ap.add_argument("--watch", choices=("wait", "poll"), default="wait",
                    help="how the clock learns node 4's tip: its waitforblock reply, or getbestblockhash polled")
    ap.add_argument("--poll", type=float, default=0.001, help="--watch poll: seconds between polls (0: back to back)")
    ap.add_argument("--pause", type=float, default=0.1, help="seconds of quiet between rounds")
    ap.add_argument("--timeline", action="store_true",
                    help="pool: print every node's -debug=bench lines of the median round, in time order")
    args = ap.parse_args()
    if args.rounds is None:
        args.rounds = 20 if args.variant == "pool" else 50
    print("p2p_propagation: 5-node line on loopback, nproc %d, load average %s" % (
        os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())))
    ok = True
    if args.variant in ("coinbase", "both"):
        ok = run_coinbase(args) and ok
    if args.variant in ("mixed", "both"):
        ok = run_mixed(args) and ok
    if args.variant == "pool":
        ok = run_pool(args) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
