#!/usr/bin/env python3
"""Memory held by idle RPC connections (Python 3 standard library only; run by hand, never
asserts). Starts a regtest minicashd on a free 127.0.0.1 port with a temporary datadir, reads
its VmRSS, opens N connections that send nothing, reads VmRSS again and stops the node; then
the same with a fresh node and N connections that each send half a request header; last, the
peak VmRSS while 16 connections without credentials each send a 32 MiB body. Raises its own
descriptor limit (and so the node's, which inherits it) to fit N connections.
Results: docs/benchmarks.md, section "RPC: memory of idle connections".

    python3 tests/bench/rpc_idle_connections.py --bindir build/release/node [--connections 1000]
"""

import argparse
import base64
import http.client
import json
import os
import resource
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


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def rpc(port, cookie, method, params=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        auth = "Basic " + base64.b64encode(cookie.encode()).decode()
        conn.request("POST", "/", body=json.dumps({"id": 1, "method": method, "params": params or []}),
                     headers={"Authorization": auth, "Content-Type": "application/json"})
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def hold(port, n, payload):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if payload:
            s.sendall(payload)
        socks.append(s)
    return socks


def settle(pid, seconds=2.0):
    time.sleep(seconds)  # let the node accept and read everything
    return vm_rss_kib(pid)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", required=True)
    ap.add_argument("--connections", type=int, default=1000)
    args = ap.parse_args()
    n = args.connections

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * n + 400
    if hard != resource.RLIM_INFINITY and hard < want:
        sys.exit("the hard descriptor limit (%d) is below %d" % (hard, want))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    for label, payload in (("idle connections", b""),
                           ("half-sent headers",
                            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nAuthorization: Basic QUFBQUFB")):
        phase(args.bindir, n, label, payload)
    unauthenticated_bodies(args.bindir)


def start_node(bindir):
    datadir = tempfile.mkdtemp(prefix="minicash_idle_")
    port = free_port()
    node = subprocess.Popen([os.path.join(bindir, "minicashd"), "-regtest", "-datadir=" + datadir,
                             "-printtoconsole=0", "-rpcport=%d" % port, "-rpcbind=127.0.0.1",
                             "-rpcallowip=127.0.0.1"], stdin=subprocess.DEVNULL)
    return node, datadir, port


def unauthenticated_bodies(bindir, clients=16, body=32 << 20):
    """Peak VmRSS while `clients` connections without credentials each send a 32 MiB body."""
    node, datadir, port = start_node(bindir)
    try:
        time.sleep(2)
        base = vm_rss_kib(node.pid)
        peak = [base]

        def client():
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            try:
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % body)
                chunk = b"x" * 65536
                for _ in range(body // len(chunk)):
                    s.sendall(chunk)
            except OSError:
                pass  # the server answered 401 and closed: expected
            s.close()

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            peak[0] = max(peak[0], vm_rss_kib(node.pid))
            time.sleep(0.05)
        print("%d unauthenticated %d MiB bodies: VmRSS %.1f MB idle, peak %.1f MB" %
              (clients, body >> 20, base / 1024, peak[0] / 1024))
    finally:
        node.terminate()
        node.wait()
        shutil.rmtree(datadir, ignore_errors=True)


def phase(bindir, n, label, payload):
    """A fresh node: VmRSS idle, then with n connections sending payload (freed memory stays in malloc)."""
    datadir = tempfile.mkdtemp(prefix="minicash_idle_")
    port = free_port()
    node = subprocess.Popen([os.path.join(bindir, "minicashd"), "-regtest", "-datadir=" + datadir,
                             "-printtoconsole=0", "-rpcport=%d" % port, "-rpcbind=127.0.0.1",
                             "-rpcallowip=127.0.0.1"], stdin=subprocess.DEVNULL)
    try:
        cookie_path = os.path.join(datadir, "regtest", ".cookie")
        deadline = time.time() + 60
        while True:
            try:
                with open(cookie_path) as f:
                    cookie = f.read().strip()
                if rpc(port, cookie, "getblockcount").get("error") is None:
                    break
            except (OSError, ValueError, http.client.HTTPException):
                pass
            if time.time() > deadline:
                raise RuntimeError("node did not start")
            time.sleep(0.1)
        with open(os.path.join(datadir, "regtest", "debug.log")) as f:
            budget = [l.strip() for l in f if "RPC connections" in l]
        base = settle(node.pid, 1.0)
        print("budget: %s" % (budget[-1] if budget else "(not logged)"))
        socks = hold(port, n, payload)
        rss = settle(node.pid)
        print("%d %s: VmRSS %.1f MB -> %.1f MB (+%.1f MB, %.1f KiB each)" %
              (n, label, base / 1024, rss / 1024, (rss - base) / 1024, (rss - base) / n))
        ok = rpc(port, cookie, "getblockcount").get("error") is None
        print("  authenticated call with them held: %s" % ("ok" if ok else "FAILED"))
        for s in socks:
            s.close()
        rpc(port, cookie, "stop")
        node.wait(timeout=60)
        print("  node exit code %d" % node.returncode)
    finally:
        if node.poll() is None:
            node.kill()
            node.wait()
        shutil.rmtree(datadir, ignore_errors=True)


if __name__ == "__main__":
    main()
