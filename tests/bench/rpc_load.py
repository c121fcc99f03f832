#!/usr/bin/env python3
"""RPC load benchmark for minicashd (Python 3 standard library only; run by hand, never asserts on time).

Starts a regtest minicashd on a free 127.0.0.1 port with a temporary datadir (RPC bound to
127.0.0.1 only), then runs THREADS client threads, each with its own keep-alive
http.client.HTTPConnection, sending JSON-RPC `getblockcount` back to back for SECONDS
seconds. Reports requests/s and latency percentiles, then stops the node with the `stop`
RPC and removes the datadir. Results: docs/benchmarks.md, section "Node".

    python3 tests/bench/rpc_load.py --bindir build-nbench/node [--threads 8] [--seconds 10]
        [--warmup 1] [--node-arg=-rpcthreads=4 ...] [--keep-datadir]
"""

import argparse
import base64
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list (p in 0..100)."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


class Client:
    """One keep-alive JSON-RPC connection."""

    def __init__(self, port, auth_header, timeout=30):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.headers = {"Authorization": auth_header, "Content-Type": "application/json",
                        "Connection": "keep-alive"}
        self.next_id = 0

    def call(self, method, params=None):
        self.next_id += 1
        body = json.dumps({"jsonrpc": "1.0", "id": self.next_id, "method": method, "params": params or []})
        self.conn.request("POST", "/", body=body, headers=self.headers)
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise RuntimeError("HTTP %d: %r" % (resp.status, data[:200]))
        reply = json.loads(data)
        if reply.get("error"):
            raise RuntimeError("RPC error: %r" % (reply["error"],))
        if resp.will_close:
            raise RuntimeError("server closed the keep-alive connection")
        return reply["result"]

    def close(self):
        self.conn.close()


def start_node(bindir, datadir, port, node_args):
    with open(os.path.join(datadir, "minicash.conf"), "w") as f:
        f.write("regtest=1\n[regtest]\nrpcport=%d\n" % port)
    args = [os.path.join(bindir, "minicashd"), "-regtest", "-datadir=" + datadir, "-rpcport=%d" % port,
            "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1", "-printtoconsole=0"] + list(node_args)
    out = open(os.path.join(datadir, "stdout.txt"), "wb")
    err = open(os.path.join(datadir, "stderr.txt"), "wb")
    proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    cookie = os.path.join(datadir, "regtest", ".cookie")
    deadline = time.time() + 60
    last = None
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("minicashd exited with code %s during startup; see %s" % (proc.returncode, datadir))
        try:
            if not os.path.exists(cookie):
                raise OSError("no cookie yet")
            with open(cookie) as f:
                auth = "Basic " + base64.b64encode(f.read().strip().encode()).decode()
            c = Client(port, auth, timeout=5)
            try:
                c.call("getblockcount")
            finally:
                c.close()
            return proc, auth
        except (OSError, http.client.HTTPException, RuntimeError, ValueError) as e:
            last = e
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError("RPC did not become ready within 60 s (last: %s)" % (last,))


def stop_node(proc, port, auth):
    c = Client(port, auth, timeout=30)
    try:
        c.call("stop")
    except (OSError, http.client.HTTPException, RuntimeError):
        pass
    finally:
        c.close()
    try:
        return proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def worker(port, auth, warmup_end, end, results, errors, index):
    latencies = []
    try:
        c = Client(port, auth)
        try:
            while True:
                t0 = time.perf_counter()
                if t0 >= end:
                    break
                c.call("getblockcount")
                t1 = time.perf_counter()
                if t0 >= warmup_end:
                    latencies.append(t1 - t0)
        finally:
            c.close()
    except Exception as e:  # noqa: BLE001 - reported to the main thread
        errors.append("thread %d: %r" % (index, e))
    results[index] = latencies


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build",
                                                     "node"), help="directory holding minicashd (default: build/node)")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0, help="measured duration (after the warm-up)")
    ap.add_argument("--warmup", type=float, default=1.0, help="seconds of load before measuring")
    ap.add_argument("--node-arg", action="append", default=[], help="extra minicashd argument (repeatable)")
    ap.add_argument("--keep-datadir", action="store_true")
    args = ap.parse_args()

    datadir = tempfile.mkdtemp(prefix="minicash-rpcload-")
    port = free_port()
    proc = None
    auth = None
    try:
        proc, auth = start_node(args.bindir, datadir, port, args.node_arg)
        start = time.perf_counter()
        warmup_end = start + args.warmup
        end = warmup_end + args.seconds
        results = [None] * args.threads
        errors = []
        threads = [threading.Thread(target=worker, args=(port, auth, warmup_end, end, results, errors, i))
                   for i in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            print("errors:\n  " + "\n  ".join(errors), file=sys.stderr)
            return 1
        lat = sorted(x for r in results for x in r)
        n = len(lat)
        per_thread = [len(r) for r in results]
        print("rpc_load: %d threads x keep-alive connection, getblockcount, %.1f s measured (after %.1f s warm-up)" %
              (args.threads, args.seconds, args.warmup))
        print("node: %s -regtest, 127.0.0.1:%d, extra args %s" % (os.path.join(args.bindir, "minicashd"), port,
                                                                   args.node_arg or "none"))
        print("requests: %d (per thread min %d, max %d)" % (n, min(per_thread), max(per_thread)))
        print("throughput: %.0f requests/s" % (n / args.seconds))
        print("latency: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms, mean %.3f ms" % (
            percentile(lat, 50) * 1e3, percentile(lat, 90) * 1e3, percentile(lat, 99) * 1e3, lat[-1] * 1e3 if lat else
            float("nan"), (sum(lat) / n * 1e3) if n else float("nan")))
        return 0
    finally:
        if proc is not None:
            rc = stop_node(proc, port, auth)
            print("node stopped (exit code %s)" % rc)
        if args.keep_datadir:
            print("datadir kept: %s" % datadir)
        else:
            shutil.rmtree(datadir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
