#!/usr/bin/env python3
"""wallet_bench (issue 14 §5 benchmark): the wallet on one regtest minicashd.

Phase "rescan" (node A, the connect benchmark's chain imported with -loadblock):
  1. A blank wallet ("big") imports the 16 keys of `bench_node_connect --generate` as
     `wpkh(<WIF>)` descriptors (secrets 0x40 + 3*i + 17*k), with a timestamp after the chain's
     last block so that the import itself scans nothing (the chain's blocks are 1 s apart, so
     "now", the tip's median time past, minus Core's 2-hour window would rescan all of them).
  2. `rescanblockchain 0`, timed: blocks/s, and the transactions the wallet then holds (about
     100,000 with --spend-blocks=100: every spending transaction pays two of the 16 keys).
  3. `getbalance`: the first call, then --calls calls on one keep-alive connection (median, p90,
     p99, max), stopping early after --seconds; `getbalances` likewise (--calls / 10); the
     balance checked against `scantxoutset`'s total for the same descriptors (last: its reply
     grows the node's memory a lot).
  4. Wallet load time: `unloadwallet`, then a timed `loadwallet` (--loads times); the node's
     log lines about the load; the node's VmHWM/VmRSS.
Phase "send" (node B, a fresh regtest node, -fallbackfee=0.0002):
  1. A wallet "miner" mines 101 + --utxos/1000 blocks; a wallet "sender" gets --utxos confirmed outputs of
     0.01 BTC by sendmany calls of 1,000 outputs (to 1,000 of its addresses, reused per call),
     a block mined after each call.
     --sender single-keys: the 1,000 addresses are imported wpkh(<WIF>) descriptors instead, so
     spending them needs no BIP-32 derivation (an A/B of coin selection's input sizing).
  2. --sends `sendtoaddress` calls of 0.001 BTC to an address of "miner", one after the other on
     a keep-alive connection (stopping early after --send-seconds): calls/s and latency
     percentiles. Every --mine-every sends a block is mined outside the timing (0: never), so
     that unconfirmed change does not pile up.
     --ab-bindir DIR: a second node B' of DIR's minicashd is set up the same way, and each send
     goes to B and to B' in turns (which first alternates), so two builds meet the same machine
     (a shared VM's speed drifts within a minute); a SUMMARY line each, with build=<its dir>.
The raw libsecp256k1 rates (`bench_node_connect --yardstick`) before and after, for scale.

  tests/bench/wallet_bench.py --bindir build/release/node [--phases rescan,send] [--chain FILE]

Generates the chain (`bench_node_connect --generate --spend-blocks=100`: 10 funding, 100
maturity and 100 spending blocks of 1,000 two-input transactions) into --chain if it is missing.
Standard library only; the functional tests' framework starts the nodes (loopback only).
SUMMARY lines at the end. Goals (issue 14): getbalance under 1 ms at 100,000 transactions,
sendtoaddress over 200 calls/s.
"""

import argparse
import decimal
import hashlib
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True
from bench_node import ROOT, BenchNode, node_cpu_seconds, wait_height  # noqa: E402  (puts tests/functional on sys.path)
import test_framework  # noqa: E402
from p2p_client.base58 import b58check_encode  # noqa: E402

NUM_KEYS = 16



def bench_keys():
    """The connect benchmark's 16 secrets (connect_bench.cpp: byte i of key k is 0x40 + 3*i + 17*k)."""
    return [bytes((0x40 + 3 * i + 17 * k) & 0xff for i in range(32)) for k in range(NUM_KEYS)]


def wif(secret):
    """Test-network WIF of a secret, compressed public key."""
    return b58check_encode(b"\xef" + secret + b"\x01")


def tprv(seed32):
    """A test-network extended private key (BIP-32 serialization, depth 0) with seed32 as both
    chain code and key: any 32 bytes below the curve order make a valid one."""
    return b58check_encode(bytes.fromhex("04358394") + b"\x00" * 9 + seed32 + b"\x00" + seed32)


class Rpc:
    """One keep-alive JSON-RPC connection (to /wallet/<name> when wallet is given)."""

    def __init__(self, node, wallet=None, timeout=3600):
        self.port, self.timeout = node.rpc_port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        self.headers = {"Content-Type": "application/json", "Authorization": node.auth_header(),
                        "Connection": "keep-alive"}
        self.path = "/" if wallet is None else "/wallet/" + urllib.parse.quote(wallet, safe="")
        self.last = time.monotonic()

    def __call__(self, method, *params, **named):
        body = json.dumps({"method": method, "params": named if named else list(params), "id": 1})
        if time.monotonic() - self.last > 1:  # the server may have closed an idle keep-alive connection
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.conn.request("POST", self.path, body=body, headers=self.headers)
        reply = json.loads(self.conn.getresponse().read(), parse_float=decimal.Decimal)
        self.last = time.monotonic()
        if reply.get("error") is not None:
            raise RuntimeError("%s: %r" % (method, reply["error"]))
        return reply.get("result")

    def timed(self, method, *params, **named):
        t0 = time.perf_counter()
        r = self(method, *params, **named)
        return time.perf_counter() - t0, r

    def close(self):
        self.conn.close()


def pct(sorted_vals, p):
    return sorted_vals[min(len(sorted_vals) - 1, int(p * (len(sorted_vals) - 1) + 0.5))]


def latency_line(name, lat):
    s = sorted(lat)
    return "%s: %d calls, median %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms, %.0f calls/s" % (
        name, len(s), statistics.median(s) * 1e3, pct(s, 0.9) * 1e3, pct(s, 0.99) * 1e3, s[-1] * 1e3,
        len(s) / sum(s))


def repeat(rpc, method, calls, seconds):
    """Latencies of up to `calls` calls, one after the other, stopping early after `seconds`."""
    lat = []
    deadline = time.monotonic() + seconds
    while len(lat) < calls and (not lat or time.monotonic() < deadline):
        lat.append(rpc.timed(method)[0])
    return lat


def yardstick(bench_bin):
    out = subprocess.run(["nice", bench_bin, "--yardstick", "--par=2"], check=True, capture_output=True,
                         text=True).stdout
    line = [x for x in out.splitlines() if x.startswith("SUMMARY yardstick")][0]
    return {k: float(v) for k, v in (f.split("=") for f in line.split()[2:])}


def mem(node):
    return "VmHWM %.0f MiB, VmRSS %.0f MiB" % (test_framework.proc_status_kb(node.process.pid, "VmHWM") / 1024,
                                              test_framework.proc_status_kb(node.process.pid, "VmRSS") / 1024)



def log_lines_since(node, offset, pattern):
    with open(node.debug_log, "r", errors="replace") as f:
        f.seek(offset)
        return [line.rstrip() for line in f if re.search(pattern, line, re.I)]


def phase_rescan(env, args, summary):
    with open(args.chain + ".info") as f:
        setup, spend = (int(x) for x in f.read().split()[:2])
    tip = setup + spend
    a = BenchNode(env, len(env.nodes), extra_args=["-listen=0", "-connect=0", "-par=2", "-loadblock=" + args.chain])
    env.nodes.append(a)
    t0 = time.monotonic()
    a.start(wait=False)
    a.wait_for_rpc(timeout=600, allow_warmup=True)
    wait_height(a, tip, args.timeout)
    print("node A: %d blocks imported with -loadblock in %.1f s; %s" % (tip, time.monotonic() - t0, mem(a)),
          flush=True)

    rpc = Rpc(a)
    rpc("createwallet", wallet_name="big", blank=True)
    w = Rpc(a, "big")
    last_time = rpc("getblockheader", rpc("getbestblockhash"))["time"]
    birth = max(int(time.time()), last_time + 3 * 3600)  # after the tip + the 2-hour window: no scan
    descs = []
    for secret in bench_keys():
        d = "wpkh(%s)" % wif(secret)
        descs.append({"desc": d + "#" + rpc("getdescriptorinfo", d)["checksum"], "timestamp": birth})
    secs, res = w.timed("importdescriptors", descs)
    if not all(r["success"] for r in res):
        raise RuntimeError("importdescriptors: %r" % (res,))
    before = w("getwalletinfo")["txcount"]
    print("importdescriptors of %d keys: %.3f s, wallet txcount after it %d (no scan)" % (len(descs), secs, before),
          flush=True)

    secs, res = w.timed("rescanblockchain", 0)
    blocks = res["stop_height"] - res["start_height"] + 1
    info = w("getwalletinfo")
    txs = info["txcount"]
    print("rescanblockchain %d..%d: %.2f s = %.1f blocks/s, %.0f wallet transactions/s; txcount %d; %s" % (
        res["start_height"], res["stop_height"], secs, blocks / secs, txs / secs, txs, mem(a)), flush=True)
    summary.append("SUMMARY wallet_rescan blocks=%d secs=%.2f blocks_per_s=%.1f txcount=%d" % (
        blocks, secs, blocks / secs, txs))

    first, bal = w.timed("getbalance")
    lat = repeat(w, "getbalance", args.calls, args.seconds)
    print("getbalance first call %.3f ms (balance %s)" % (first * 1e3, bal))
    print(latency_line("getbalance", lat) + "; " + mem(a), flush=True)
    s = sorted(lat)
    summary.append("SUMMARY wallet_getbalance txcount=%d first_ms=%.3f median_ms=%.3f p99_ms=%.3f" % (
        txs, first * 1e3, statistics.median(s) * 1e3, pct(s, 0.99) * 1e3))
    lat_b = repeat(w, "getbalances", max(1, args.calls // 10), args.seconds)
    print(latency_line("getbalances", lat_b) + "; " + mem(a), flush=True)
    balances = w("getbalances")["mine"]
    w.close()

    loads = []
    for i in range(args.loads):
        rpc("unloadwallet", "big")
        print("unloadwallet %d: %s" % (i + 1, mem(a)))
        offset = os.path.getsize(a.debug_log)
        secs, _ = rpc.timed("loadwallet", "big")
        loads.append(secs)
        lines = log_lines_since(a, offset, r"wallet|big")
        print("loadwallet %d: %.3f s; %s" % (i + 1, secs, mem(a)))
        for line in lines[:8]:
            print("    log: " + line)
        first = Rpc(a, "big").timed("getbalance")[0]
        print("    getbalance first call after the load %.3f ms" % (first * 1e3), flush=True)
    hwm = test_framework.proc_status_kb(a.process.pid, "VmHWM") / 1024
    summary.append("SUMMARY wallet_load txcount=%d secs=%s hwm_mib=%.0f" % (
        txs, ",".join("%.3f" % x for x in loads), hwm))
    # Last: its reply of 200,000 unspent outputs grows the node's memory by ~600 MiB (measured),
    # which would hide the wallet's own in the figures above.
    scan = rpc("scantxoutset", "start", [d["desc"] for d in descs])
    same = balances["trusted"] + balances["immature"] == scan["total_amount"]
    print("getbalances mine: trusted %s, untrusted_pending %s, immature %s; scantxoutset: %d outputs, total %s "
          "(%s); after it %s" % (balances["trusted"], balances["untrusted_pending"], balances["immature"],
                                 len(scan["unspents"]), scan["total_amount"], "equal" if same else "DIFFERENT",
                                 mem(a)), flush=True)
    if not same:
        raise RuntimeError("the wallet's balance differs from scantxoutset's total for its descriptors")
    rpc.close()
    a.stop(timeout=600)


class OtherBuildNode(BenchNode):
    """A node of another build's minicashd (--ab-bindir)."""

    def __init__(self, env, index, minicashd, **kw):
        super().__init__(env, index, **kw)
        self.minicashd = minicashd

    def base_args(self):
        return [self.minicashd] + super().base_args()[1:]


def setup_sender(b, args):
    """Starts node b with wallets "miner" and "sender" funded as described above; returns its clients."""
    b.start()
    rpc = Rpc(b)
    rpc("createwallet", "miner")
    rpc("createwallet", wallet_name="sender", blank=args.sender == "single-keys")
    miner, sender = Rpc(b, "miner"), Rpc(b, "sender")
    mine_addr = miner("getnewaddress")
    batches = (args.utxos + 999) // 1000
    rpc("generatetoaddress", 100 + batches + 1, mine_addr)
    t0 = time.monotonic()
    count = min(1000, args.utxos)
    if args.sender == "hd":
        addrs = [sender("getnewaddress") for _ in range(count)]
    else:
        # One non-ranged wpkh(<WIF>) descriptor an address (spending needs no BIP-32 derivation),
        # and an active ranged descriptor for the change.
        def checked(d):
            return d + "#" + rpc("getdescriptorinfo", d)["checksum"]
        descs = [checked("wpkh(%s)" % wif(hashlib.sha256(b"wallet_bench %d" % i).digest())) for i in range(count)]
        change = checked("wpkh(%s/1/*)" % tprv(hashlib.sha256(b"wallet_bench change").digest()))
        res = sender("importdescriptors", [{"desc": d, "timestamp": "now"} for d in descs] +
                     [{"desc": change, "timestamp": "now", "active": True, "internal": True}])
        if not all(r["success"] for r in res):
            raise RuntimeError("importdescriptors: %r" % ([r for r in res if not r["success"]][:1],))
        addrs = [rpc("deriveaddresses", d)[0] for d in descs]
    t_addr = time.monotonic() - t0
    t0 = time.monotonic()
    left = args.utxos
    while left > 0:
        n = min(1000, left)
        miner("sendmany", "", {a: "0.01" for a in addrs[:n]})
        rpc("generatetoaddress", 1, mine_addr)
        left -= n
    t_fund = time.monotonic() - t0
    info = sender("getwalletinfo")
    utxos = len(sender("listunspent"))
    print("sender (%s) on %s: %d addresses in %.2f s; %d UTXOs funded by %d sendmany + blocks in %.1f s; "
          "txcount %d; balance %s" % (args.sender, b.base_args()[0], len(addrs), t_addr, utxos, batches, t_fund,
                                      info["txcount"], sender("getbalance")), flush=True)
    return {"node": b, "rpc": rpc, "miner": miner, "sender": sender, "mine_addr": mine_addr,
            "dest": miner("getnewaddress"), "utxos": utxos, "lat": [], "mined": 0}


def phase_send(env, args, summary):
    extra = ["-listen=0", "-connect=0", "-fallbackfee=0.0002"]
    nodes = [BenchNode(env, len(env.nodes), extra_args=extra)]
    env.nodes.append(nodes[0])
    if args.ab_bindir:
        # The same sends on a node of another build, call for call in turns: both builds meet
        # the same machine (a shared VM's speed drifts within a minute).
        nodes.append(OtherBuildNode(env, len(env.nodes), os.path.join(args.ab_bindir, "minicashd"),
                                    extra_args=extra))
        env.nodes.append(nodes[1])
    runs = [setup_sender(b, args) for b in nodes]
    deadline = time.monotonic() + args.send_seconds
    cpu0 = [node_cpu_seconds(r["node"].process.pid) for r in runs]
    for i in range(args.sends):
        if time.monotonic() > deadline:
            break
        # Which build goes first alternates.
        for r in runs if i % 2 == 0 else reversed(runs):
            if args.mine_every and i and i % args.mine_every == 0:
                r["rpc"]("generatetoaddress", 1, r["mine_addr"])
                r["mined"] += 1
            r["lat"].append(r["sender"].timed("sendtoaddress", r["dest"], "0.001")[0])
    for r, c0 in zip(runs, cpu0):
        b, lat = r["node"], r["lat"]
        cpu_ms = (node_cpu_seconds(b.process.pid) - c0) / max(1, len(lat)) * 1e3
        pool = r["rpc"]("getmempoolinfo")["size"]
        utxos_after = len(r["sender"]("listunspent", 0))
        print(latency_line("sendtoaddress on %s (%d UTXOs, %d blocks mined between)" % (
            b.base_args()[0], r["utxos"], r["mined"]), lat))
        print("    mempool %d transactions after; sender UTXOs (incl. unconfirmed) %d; node CPU %.3f ms a call "
              "(mined blocks included); %s" % (pool, utxos_after, cpu_ms, mem(b)), flush=True)
        s = sorted(lat)
        build = "" if len(runs) == 1 else " build=%s" % os.path.dirname(b.base_args()[0])
        summary.append("SUMMARY wallet_sendtoaddress%s sender=%s utxos=%d calls=%d calls_per_s=%.1f median_ms=%.3f "
                       "p99_ms=%.3f node_cpu_ms=%.3f" % (
            build, args.sender, r["utxos"], len(s), len(s) / sum(s), statistics.median(s) * 1e3,
            pct(s, 0.99) * 1e3, cpu_ms))
        for c in (r["rpc"], r["miner"], r["sender"]):
            c.close()
        b.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "release", "node"))
    ap.add_argument("--bench-bin", default=None, help="bench_node_connect (default: beside --bindir)")
    ap.add_argument("--chain", default=os.path.join(tempfile.gettempdir(), "minicash-bench-node",
                                                    "wallet-connect-100.blk"))
    ap.add_argument("--spend-blocks", type=int, default=100, help="when generating the chain")
    ap.add_argument("--phases", default="rescan,send")
    ap.add_argument("--calls", type=int, default=1000, help="getbalance calls (getbalances: a tenth); see --seconds")
    ap.add_argument("--seconds", type=float, default=30, help="stop a latency series early after this long")
    ap.add_argument("--loads", type=int, default=3, help="unloadwallet + loadwallet rounds")
    ap.add_argument("--utxos", type=int, default=10000)
    ap.add_argument("--sends", type=int, default=1000)
    ap.add_argument("--send-seconds", type=float, default=180, help="stop the sends early after this long")
    ap.add_argument("--sender", choices=("hd", "single-keys"), default="hd",
                    help="the sender's addresses: getnewaddress of its HD descriptors, or one imported "
                         "wpkh(<WIF>) descriptor each (change from an active ranged descriptor)")
    ap.add_argument("--mine-every", type=int, default=0, help="mine a block every N sends, untimed (0: never)")
    ap.add_argument("--ab-bindir", default=None,
                    help="phase send: also a node of this build's minicashd, the two sent to in turns")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    bench_bin = args.bench_bin or os.path.join(os.path.dirname(os.path.abspath(args.bindir)), "tests", "bench",
                                               "bench_node_connect")
    phases = args.phases.split(",")
    if "rescan" in phases and not os.path.exists(args.chain + ".info"):
        os.makedirs(os.path.dirname(os.path.abspath(args.chain)), exist_ok=True)
        subprocess.run([bench_bin, "--generate", "--chain=" + args.chain, "--spend-blocks=%d" % args.spend_blocks],
                       check=True)
    print("wallet_bench: nproc %d, load average %s, phases %s" % (
        os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg()), ",".join(phases)), flush=True)
    raw0 = yardstick(bench_bin)
    env = test_framework.TestEnv(args.bindir, None, keep=args.keep, name="bench_wallet")
    ok = False
    summary = []
    try:
        if "rescan" in phases:
            phase_rescan(env, args, summary)
        if "send" in phases:
            phase_send(env, args, summary)
        ok = True
    finally:
        env.teardown(ok)
    raw1 = yardstick(bench_bin)
    for name, r in (("before", raw0), ("after", raw1)):
        print("raw libsecp256k1 %s: bench_verify %.0f/s on 1 thread, %.0f/s on 2 threads at once" % (
            name, r["bench_verify_1"], r["bench_verify_par"]))
    print("load average at the end: %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    for line in summary:
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
