#!/usr/bin/env python3
"""p2p_idle_rss (issue 12 benchmark): VmRSS of an idle regtest minicashd at -dbcache=4 with no peer,
then with 8 peers, then after they leave. The peers are 8 other minicashd (each -connect to it;
--peers=client: 8 Python P2P client connections that complete the handshake and answer pings).
Goal (issue 12): under 50 MB with 8 peers, so that 50 nodes fit this machine.

  tests/bench/p2p_idle_rss.py --bindir build/release/node [--peers node|client] [--idle 5] [--blocks 200]

The node first mines --blocks blocks (so peers sync something and the chainstate is not empty).
VmRSS and VmHWM are read from /proc/<pid>/status after --idle seconds of quiet.
"""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True
from bench_node import ROOT, BenchNode  # noqa: E402  (puts tests/functional on sys.path)
import test_framework  # noqa: E402
from p2p_client import P2PConnection  # noqa: E402



def wait_height(node, height, timeout):
    test_framework.wait_until(lambda: node.rpc("getblockcount") >= height, timeout, "height %d" % height)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "release", "node"))
    ap.add_argument("--peers", choices=("node", "client"), default="node")
    ap.add_argument("--count", type=int, default=8)
    ap.add_argument("--idle", type=float, default=5.0)
    ap.add_argument("--blocks", type=int, default=200)
    args = ap.parse_args()

    env = test_framework.TestEnv(args.bindir, None, name="bench_p2p_idle_rss")
    ok = False
    clients = []
    try:
        node = BenchNode(env, 0, extra_args=["-dbcache=4"])
        env.nodes.append(node)
        node.start()
        node.generatetoaddress(args.blocks, test_framework.REGTEST_ADDR)
        time.sleep(args.idle)
        alone = test_framework.proc_status_kb(node.process.pid, "VmRSS")
        if args.peers == "node":
            for i in range(args.count):
                p = BenchNode(env, len(env.nodes), extra_args=["-dbcache=4", "-listen=0",
                                                               "-connect=127.0.0.1:%d" % node.p2p_port])
                env.nodes.append(p)
                p.start()
            for p in env.nodes[1:]:
                wait_height(p, args.blocks, 120)
        else:
            for i in range(args.count):
                c = P2PConnection()
                c.connect(node.p2p_port)
                c.handshake()
                clients.append(c)
        test_framework.wait_until(lambda: len(node.getpeerinfo()) == args.count, 60, "the peers to connect")
        time.sleep(args.idle)
        with_peers = test_framework.proc_status_kb(node.process.pid, "VmRSS")
        peer_rss = [test_framework.proc_status_kb(p.process.pid, "VmRSS") for p in env.nodes[1:]]
        for c in clients:
            c.close()
        for p in env.nodes[1:]:
            p.stop()
        test_framework.wait_until(lambda: len(node.getpeerinfo()) == 0, 60, "the peers to leave")
        time.sleep(args.idle)
        after = test_framework.proc_status_kb(node.process.pid, "VmRSS")
        hwm = test_framework.proc_status_kb(node.process.pid, "VmHWM")
        print("p2p_idle_rss: -dbcache=4, %d blocks, %d %s peers, nproc %d" % (
            args.blocks, args.count, "minicashd" if args.peers == "node" else "Python client", os.cpu_count()))
        print("VmRSS alone %.1f MB, with %d peers %.1f MB, after they left %.1f MB; VmHWM %.1f MB" % (
            alone / 1024, args.count, with_peers / 1024, after / 1024, hwm / 1024))
        if peer_rss:
            print("each peer node's VmRSS: %s MB" % ", ".join("%.1f" % (k / 1024) for k in peer_rss))
        ok = True
    finally:
        for c in clients:
            try:
                c.close()
            except Exception:
                pass
        env.teardown(ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
