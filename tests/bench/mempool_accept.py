#!/usr/bin/env python3
"""mempool_accept (issue 13 benchmark): how fast one regtest minicashd accepts transactions into its
mempool, submitted over JSON-RPC and over P2P, by one stream and by 8 parallel streams; then how long
`submitblock` takes for a block whose transactions are all in the mempool ("warm") against the same
block on a node that has none of them ("cold").

The transactions: 1-input-2-output P2WPKH, signed with BIP-143 ECDSA (one signature each), taken
from the spending blocks of a chain made by `bench_node_connect --generate --inputs-per-tx=1
--recent` (generated on first use into --chain). Every one spends a confirmed funding output, so
they are independent and any split between streams is valid.

  1. Node A gets the chain's funding and maturity blocks (submitblock), nothing else.
  2. For each (transport, streams) in rpc/1, rpc/8, rpcbatch/1, rpcbatch/8, p2p/1, p2p/8: one
     spending block's transactions (6,000) are split round-robin between the streams. Each
     stream is its own process (no shared interpreter lock), connected and idle before the
     clock starts.
     - rpc: `sendrawtransaction` one after the other on a keep-alive HTTP connection; the clock
       stops when every stream has its last reply. Each call's latency is recorded.
     - rpcraw: the same one-call requests, framed before the clock starts and written on a raw
       socket, each reply read by its Content-Length and checked for an error (not in the
       default list): http.client costs ~150 us of the client's CPU a call on the same two
       cores, this ~40-50 us, so the figure is closer to what the node itself can serve.
     - rpcbatch: the same calls as JSON-RPC batches (an array of calls in one HTTP request, as
       Core's server takes them) of --batch calls each; every call's reply is checked.
     - p2p: after the version handshake (wtxidrelay), the stream writes its `tx` messages
       back to back (framed before the clock starts); the clock stops when `getmempoolinfo`
       (polled every 5 ms) counts them all. The node asked for none of them (Core accepts
       unsolicited transactions too).
     The node's mempool must hold exactly the transactions sent so far: every one accepted.
  3. Node B (cold) gets the same funding and maturity blocks. For each spending block in turn:
     `submitblock` to A (warm: its transactions are in A's mempool, their scripts in A's script
     execution cache) and to B (cold), each call timed on its own keep-alive connection.
  4. The raw libsecp256k1 rates (`bench_node_connect --yardstick --par=2`) before and after.

  tests/bench/mempool_accept.py --bindir build/release/node [--streams 1,8] [--transports rpc,p2p]

Standard library only; the functional tests' framework starts the nodes. SUMMARY lines at the end.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
from bench_node import ROOT, BenchNode  # noqa: E402  (puts tests/functional on sys.path)
import test_framework  # noqa: E402
from p2p_client import P2PConnection  # noqa: E402
from p2p_client.primitives import Block  # noqa: E402
from p2p_client.serialize import ser_frame  # noqa: E402

TXS_PER_BLOCK = 6000


def rpc_conn(port, auth):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", "Authorization": auth, "Connection": "keep-alive"}
    return conn, headers


def rpc_call(conn, headers, method, *params):
    conn.request("POST", "/", body=json.dumps({"method": method, "params": list(params), "id": 1}), headers=headers)
    reply = json.loads(conn.getresponse().read())
    if reply.get("error") is not None:
        raise RuntimeError("%s: %r" % (method, reply["error"]))
    return reply.get("result")


def rpc_stream(port, auth, hexes, barrier, out):
    """One RPC stream (its own process): waits at the barrier, sends, reports (start, end, latencies)."""
    conn, headers = rpc_conn(port, auth)
    rpc_call(conn, headers, "getblockcount")  # connected before the clock starts
    lat = []
    barrier.wait()
    start = time.monotonic()
    for h in hexes:
        t0 = time.monotonic()
        rpc_call(conn, headers, "sendrawtransaction", h)
        lat.append(time.monotonic() - t0)
    out.put((start, time.monotonic(), lat))
    conn.close()


def rpcraw_stream(port, auth, hexes, barrier, out):
    """One RPC stream of single calls over a raw socket (requests framed before the clock starts)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    requests = []
    for h in hexes:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "sendrawtransaction", "params": [h]}).encode()
        requests.append(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n"
                        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                        % (auth.encode(), len(body), body))
    buf = b""
    barrier.wait()
    start = time.monotonic()
    for req in requests:
        sock.sendall(req)
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                header = buf[:end].lower()
                at = header.find(b"content-length:")
                if at < 0:
                    raise RuntimeError("a reply without Content-Length: %r" % header[:200])
                length = int(header[at + 15:].split(b"\r\n", 1)[0])
                if len(buf) >= end + 4 + length:
                    body, buf = buf[end + 4:end + 4 + length], buf[end + 4 + length:]
                    if not header.startswith(b"http/1.1 200") or b'"error"' in body:
                        raise RuntimeError("sendrawtransaction: %r" % body[:300])
                    break
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("the node closed the connection")
            buf += chunk
    out.put((start, time.monotonic(), []))
    sock.close()


def rpcbatch_stream(port, auth, hexes, batch, barrier, out):
    """One RPC stream sending JSON-RPC batches of `batch` sendrawtransaction calls."""
    conn, headers = rpc_conn(port, auth)
    rpc_call(conn, headers, "getblockcount")
    bodies = [json.dumps([{"jsonrpc": "2.0", "method": "sendrawtransaction", "params": [h], "id": i}
                          for i, h in enumerate(hexes[j:j + batch])]) for j in range(0, len(hexes), batch)]
    barrier.wait()
    start = time.monotonic()
    for body in bodies:
        conn.request("POST", "/", body=body, headers=headers)
        replies = json.loads(conn.getresponse().read())
        bad = [r for r in replies if r.get("error") is not None]
        if bad:
            raise RuntimeError("sendrawtransaction in a batch: %r" % (bad[0]["error"],))
    out.put((start, time.monotonic(), []))
    conn.close()


def p2p_stream(port, raw_txs, barrier, done, out):
    """One P2P stream (its own process): handshake, barrier, every tx message written back to back."""
    conn = P2PConnection()
    conn.connect(port)
    conn.handshake()
    conn.sync_with_ping()
    data = b"".join(ser_frame(conn.magic, "tx", raw) for raw in raw_txs)
    barrier.wait()
    start = time.monotonic()
    conn.send_raw(data)
    out.put((start, time.monotonic(), []))
    done.wait(300)
    conn.close()


def block_txs(raw_block):
    """The non-coinbase transactions of a serialized block: (hex, raw bytes)."""
    blk = Block.deserialize(raw_block)
    return [(tx.serialize().hex(), tx.serialize()) for tx in blk.txs[1:]]


def measure(node, transport, streams, txs, expect_total, batch):
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(streams + 1)
    done = ctx.Event()
    out = ctx.Queue()
    slices = [txs[i::streams] for i in range(streams)]
    procs = []
    for s in slices:
        if transport == "rpc":
            p = ctx.Process(target=rpc_stream, args=(node.rpc_port, node.auth_header(), [h for h, _ in s], barrier, out))
        elif transport == "rpcraw":
            p = ctx.Process(target=rpcraw_stream, args=(node.rpc_port, node.auth_header(), [h for h, _ in s], barrier, out))
        elif transport == "rpcbatch":
            p = ctx.Process(target=rpcbatch_stream,
                            args=(node.rpc_port, node.auth_header(), [h for h, _ in s], batch, barrier, out))
        else:
            p = ctx.Process(target=p2p_stream, args=(node.p2p_port, [r for _, r in s], barrier, done, out))
        p.start()
        procs.append(p)
    barrier.wait(timeout=120)
    t0 = time.monotonic()
    results = [out.get(timeout=600) for _ in procs]
    if transport in ("rpc", "rpcraw", "rpcbatch"):
        t1 = max(r[1] for r in results)
    else:
        conn, headers = rpc_conn(node.rpc_port, node.auth_header())
        while True:
            size = rpc_call(conn, headers, "getmempoolinfo")["size"]
            if size >= expect_total:
                t1 = time.monotonic()
                break
            if time.monotonic() - t0 > 600:
                raise RuntimeError("p2p: mempool holds %d of %d after 600 s" % (size, expect_total))
            time.sleep(0.005)
        conn.close()
    done.set()
    for p in procs:
        p.join(60)
        if p.exitcode != 0:
            raise RuntimeError("a %s stream failed (exit %s)" % (transport, p.exitcode))
    size = node.rpc("getmempoolinfo")["size"]
    if size != expect_total:
        raise RuntimeError("mempool holds %d transactions, expected %d" % (size, expect_total))
    lat = sorted(x for r in results for x in r[2])
    secs = t1 - min(min(r[0] for r in results), t0)
    return secs, lat


def timed_submit(node, raw_hex):
    conn, headers = rpc_conn(node.rpc_port, node.auth_header())
    rpc_call(conn, headers, "getblockcount")
    t0 = time.monotonic()
    r = rpc_call(conn, headers, "submitblock", raw_hex)
    secs = time.monotonic() - t0
    conn.close()
    if r is not None:
        raise RuntimeError("submitblock: %r" % (r,))
    return secs


def yardstick(bench_bin):
    out = subprocess.run([bench_bin, "--yardstick", "--par=2"], check=True, capture_output=True, text=True).stdout
    line = [x for x in out.splitlines() if x.startswith("SUMMARY yardstick")][0]
    return {k: float(v) for k, v in (f.split("=") for f in line.split()[2:])}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "release", "node"))
    ap.add_argument("--bench-bin", default=None, help="bench_node_connect (default: beside --bindir)")
    ap.add_argument("--chain", default=os.path.join(tempfile.gettempdir(), "minicash-bench-node", "pool-1in2out.blk"))
    ap.add_argument("--streams", default="1,8")
    ap.add_argument("--transports", default="rpc,rpcbatch,p2p")
    ap.add_argument("--batch", type=int, default=100, help="calls per JSON-RPC batch (rpcbatch)")
    args = ap.parse_args()
    bench_bin = args.bench_bin or os.path.join(os.path.dirname(os.path.abspath(args.bindir)), "tests", "bench",
                                               "bench_node_connect")
    streams = [int(x) for x in args.streams.split(",")]
    transports = args.transports.split(",")
    cases = [(t, s) for t in transports for s in streams]
    def spending_blocks():
        try:
            with open(args.chain + ".info") as f:
                return int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            return 0
    if (not os.path.exists(args.chain) or time.time() - os.path.getmtime(args.chain) > 12 * 3600
            or spending_blocks() < len(cases)):
        os.makedirs(os.path.dirname(args.chain), exist_ok=True)
        subprocess.run([bench_bin, "--generate", "--chain=" + args.chain, "--spend-blocks=%d" % len(cases),
                        "--inputs=%d" % TXS_PER_BLOCK, "--inputs-per-tx=1", "--recent"], check=True)
    with open(args.chain + ".info") as f:
        setup, spend = (int(x) for x in f.read().split()[:2])
    if spend < len(cases):
        raise RuntimeError("%s has %d spending blocks; %d needed (delete it to regenerate)" % (args.chain, spend,
                                                                                               len(cases)))
    with open(args.chain, "rb") as f:
        blocks = test_framework.read_blk_file(f.read())
    print("mempool_accept: nproc %d, load average %s" % (os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())))
    raw0 = yardstick(bench_bin)
    env = test_framework.TestEnv(args.bindir, None, name="bench_mempool_accept")
    ok = False
    summary = []
    try:
        a = BenchNode(env, 0, extra_args=["-listen=1"])
        b = BenchNode(env, 1, extra_args=["-listen=0", "-connect=0"])
        env.nodes.extend([a, b])
        a.start()
        b.start()
        for n in (a, b):
            for raw in blocks[:setup]:
                n.rpc("submitblock", raw.hex())
        spending = blocks[setup:setup + len(cases)]
        total = 0
        for (transport, nstreams), raw_block in zip(cases, spending):
            txs = block_txs(raw_block)
            total += len(txs)
            secs, lat = measure(a, transport, nstreams, txs, total, args.batch)
            rate = len(txs) / secs
            extra = ""
            if lat:
                extra = "; per call median %.3f ms, p90 %.3f ms" % (statistics.median(lat) * 1e3,
                                                                    lat[int(0.9 * (len(lat) - 1))] * 1e3)
            print("%s x%d: %d transactions in %.3f s = %.0f tx/s%s" % (transport, nstreams, len(txs), secs, rate, extra))
            summary.append("SUMMARY mempool_accept transport=%s streams=%d txs=%d secs=%.3f tx_per_s=%.0f" %
                           (transport, nstreams, len(txs), secs, rate))
        warm, cold = [], []
        for raw_block in spending:
            warm.append(timed_submit(a, raw_block.hex()))
            cold.append(timed_submit(b, raw_block.hex()))
        if a.getbestblockhash() != b.getbestblockhash():
            raise RuntimeError("the nodes disagree on the tip")
        if a.rpc("getmempoolinfo")["size"] != 0:
            raise RuntimeError("node A's mempool is not empty after its transactions were mined")
        for i, (w, c) in enumerate(zip(warm, cold)):
            print("block %d (%d transactions): submitblock warm %.1f ms, cold %.1f ms (cold/warm %.2f)"
                  % (i + 1, TXS_PER_BLOCK, w * 1e3, c * 1e3, c / w))
        summary.append("SUMMARY mempool_block warm_median_ms=%.1f cold_median_ms=%.1f ratio=%.2f" %
                       (statistics.median(warm) * 1e3, statistics.median(cold) * 1e3,
                        statistics.median(cold) / statistics.median(warm)))
        ok = True
    finally:
        env.teardown(ok)
    raw1 = yardstick(bench_bin)
    for name, r in (("before", raw0), ("after", raw1)):
        print("raw libsecp256k1 %s: bench_verify %.0f/s on 1 thread, %.0f/s on 2 threads at once; pre-parsed verify "
              "%.0f/s on 1 thread" % (name, r["bench_verify_1"], r["bench_verify_par"], r["preparsed_1"]))
    print("load average at the end: %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    for line in summary:
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
