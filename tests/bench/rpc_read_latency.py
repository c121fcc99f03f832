#!/usr/bin/env python3
"""RPC read latency while minicashd validates blocks (Python 3 standard library only; run by hand,
never asserts on time). Issue 11, point 2. Results: docs/benchmarks.md, section "RPC read latency
during validation (issue 11)".

The chain is the connect benchmark's (bench_node_connect --generate: 20 funding, 100 maturity and
200 spending blocks of 2,000 P2WPKH inputs, in blk format: magic, LE32 length, block), which
minicashd imports with -loadblock as it is. The script generates it if FILE (or FILE.info) is
missing, and indexes it once (block hashes, txids of coins that are never spent) into
FILE.rpcbench.json.

Each run starts a regtest minicashd on a free 127.0.0.1 port with a temporary datadir and -par=N
(cookie auth, as rpc_load.py), then:

  --mode=loadblock            -loadblock=FILE into the empty datadir (all 320 blocks).
  --mode=reindex-chainstate   a datadir that already holds the chain (imported once, unmeasured,
                              with -loadblock and no clients; reused by every run) is restarted
                              with -reindex-chainstate.

While the import runs, --clients threads, each with one keep-alive HTTP connection, loop over
  getblockheader <hash>, getblock <hash> 1, gettxout <txid> <n>
with the block a random one at or below the tip last seen (any stored block with
-reindex-chainstate, where all are in the block index from the start), and the coin a random
output, in a block at or below that tip, that the chain never spends (so it exists). A monitor
thread tails debug.log every --poll seconds (no RPC: with all -rpcthreads held by readers that
wait on the chain, even getblockcount queues) and takes the tip from the UpdateTip lines (one
per block). A read is recorded if it started before "Import done" was seen (the import's final
flush included); afterwards getblockcount must return the last height. While the RPC methods still answer
the warm-up error (-28; today -reindex-chainstate reconnects the whole chain inside that
start-up step), a reader counts the reply apart, not as a read, and sleeps 10 ms.

Printed per run: p50/p90/p99/max/mean per method and overall, the number of reads and of
warm-up replies, the import's wall time (HTTP server answering -> "Import done" seen), the
spending blocks' connect rate (from the UpdateTip line of the last setup block to that of the
last block, as the monitor saw them: +-20 ms), the node's and the script's CPU seconds, and
/proc/loadavg before and after. Then the node is stopped with `stop` and the datadir removed.
--clients 0 gives the import alone. One line per run starts with SUMMARY.

    python3 tests/bench/rpc_read_latency.py --bindir build/release/node \\
        --bench-bin build/release/tests/bench/bench_node_connect --chain /tmp/nbench/chain.blk \\
        --mode=loadblock --par 2 --clients 4 --runs 3
"""

import argparse
import base64
import bisect
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree for the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rpc_load import Client, free_port, percentile, stop_node  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REGTEST_MAGIC = bytes.fromhex("fabfb5da")
METHODS = ("getblockheader", "getblock", "gettxout")


# ----------------------------------------------------------------------------- the chain


def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def read_varint(buf, pos):
    """Bitcoin CompactSize."""
    n = buf[pos]
    if n < 0xfd:
        return n, pos + 1
    if n == 0xfd:
        return int.from_bytes(buf[pos + 1:pos + 3], "little"), pos + 3
    if n == 0xfe:
        return int.from_bytes(buf[pos + 1:pos + 5], "little"), pos + 5
    return int.from_bytes(buf[pos + 1:pos + 9], "little"), pos + 9


def parse_tx(buf, pos):
    """Returns (txid hex, number of inputs, number of outputs, end position)."""
    start = pos
    pos += 4  # version
    segwit = buf[pos] == 0 and buf[pos + 1] == 1
    if segwit:
        pos += 2
    body_start = pos
    n_in, pos = read_varint(buf, pos)
    for _ in range(n_in):
        pos += 36
        n, pos = read_varint(buf, pos)
        pos += n + 4
    n_out, pos = read_varint(buf, pos)
    for _ in range(n_out):
        pos += 8
        n, pos = read_varint(buf, pos)
        pos += n
    body_end = pos
    if segwit:
        for _ in range(n_in):
            items, pos = read_varint(buf, pos)
            for _ in range(items):
                n, pos = read_varint(buf, pos)
                pos += n
    stripped = buf[start:start + 4] + buf[body_start:body_end] + buf[pos:pos + 4]
    pos += 4  # locktime
    return sha256d(stripped)[::-1].hex(), n_in, n_out, pos


def index_chain(chain, setup_blocks):
    """Block hashes by height (genesis excluded: index 0 is height 1) and, per height, the
    outpoints the chain never spends: output 0 of every coinbase after the funding blocks, and
    both outputs of every spending transaction (the generator spends funding outputs only)."""
    hashes, coins, inputs = [], [], 0
    with open(chain, "rb") as f:
        data = f.read()
    pos, prev = 0, None
    while pos + 8 <= len(data):
        if data[pos:pos + 4] != REGTEST_MAGIC:
            raise RuntimeError("bad magic at byte %d of %s" % (pos, chain))
        length = int.from_bytes(data[pos + 4:pos + 8], "little")
        block = data[pos + 8:pos + 8 + length]
        pos += 8 + length
        header = block[:80]
        if prev is not None and header[4:36] != prev:
            raise RuntimeError("%s is not one chain in order" % chain)
        prev = sha256d(header)
        hashes.append(prev[::-1].hex())
        height = len(hashes)
        n_tx, p = read_varint(block, 80)
        outs = []
        for i in range(n_tx):
            txid, n_in, _n_out, p = parse_tx(block, p)
            if i == 0:
                if height > setup_blocks - 100:  # funding coinbases are spent; the others are not
                    outs.append([txid, 0])
            else:
                inputs += n_in
                outs.extend([[txid, 0], [txid, 1]])
        coins.append(outs)
    return {"size": os.path.getsize(chain), "mtime": os.path.getmtime(chain), "hashes": hashes, "coins": coins,
            "spend_inputs": inputs}


def load_chain(args):
    chain = os.path.abspath(args.chain)
    if not (os.path.exists(chain) and os.path.exists(chain + ".info")):
        os.makedirs(os.path.dirname(chain), exist_ok=True)
        print("generating %s with %s --generate" % (chain, args.bench_bin), flush=True)
        subprocess.run([args.bench_bin, "--generate", "--chain=" + chain], check=True)
    with open(chain + ".info") as f:
        setup_blocks, spend_blocks, spend_inputs = (int(x) for x in f.read().split())
    cache = chain + ".rpcbench.json"
    idx = None
    if os.path.exists(cache):
        with open(cache) as f:
            idx = json.load(f)
        if idx.get("size") != os.path.getsize(chain) or idx.get("mtime") != os.path.getmtime(chain):
            idx = None
    if idx is None:
        t0 = time.time()
        idx = index_chain(chain, setup_blocks)
        with open(cache, "w") as f:
            json.dump(idx, f)
        print("indexed %s in %.1f s -> %s" % (chain, time.time() - t0, cache), flush=True)
    if len(idx["hashes"]) != setup_blocks + spend_blocks or idx["spend_inputs"] != spend_inputs:
        raise RuntimeError("%s does not match %s.info" % (chain, chain))
    idx["chain"], idx["setup_blocks"], idx["spend_blocks"] = chain, setup_blocks, spend_blocks
    return idx


# ----------------------------------------------------------------------------- one run

RPC_IN_WARMUP = -28
UPDATE_TIP_HEIGHT = re.compile(rb" height=(\d+) ")


class RpcClient(Client):
    """rpc_load.Client that returns an RPC error instead of raising it."""

    def call_raw(self, method, params=None):
        """(result, None) or (None, error object); raises on HTTP or transport errors."""
        self.next_id += 1
        body = json.dumps({"jsonrpc": "1.0", "id": self.next_id, "method": method, "params": params or []})
        self.conn.request("POST", "/", body=body, headers=self.headers)
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.will_close:
            raise RuntimeError("server closed the keep-alive connection (HTTP %d)" % resp.status)
        reply = json.loads(data)
        if reply.get("error"):
            return None, reply["error"]
        if resp.status != 200:
            raise RuntimeError("HTTP %d: %r" % (resp.status, data[:200]))
        return reply["result"], None


def start_node_http(bindir, datadir, port, node_args):
    """Starts minicashd and returns (proc, auth) once its HTTP server answers a JSON-RPC call,
    with a result or with the warm-up error (the RPC methods answer -28 until the chainstate is
    open; -reindex-chainstate reconnects the chain inside that step today)."""
    with open(os.path.join(datadir, "minicash.conf"), "w") as f:
        f.write("regtest=1\n[regtest]\nrpcport=%d\n" % port)
    args = [os.path.join(bindir, "minicashd"), "-regtest", "-datadir=" + datadir, "-rpcport=%d" % port,
            "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1", "-printtoconsole=0"] + list(node_args)
    proc = subprocess.Popen(args, stdout=open(os.path.join(datadir, "stdout.txt"), "ab"),
                            stderr=open(os.path.join(datadir, "stderr.txt"), "ab"), stdin=subprocess.DEVNULL)
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
            c = RpcClient(port, auth, timeout=5)
            try:
                _, err = c.call_raw("getblockcount")
            finally:
                c.close()
            if err is None or err.get("code") == RPC_IN_WARMUP:
                return proc, auth
            raise RuntimeError("getblockcount: %r" % (err,))
        except (OSError, http.client.HTTPException, RuntimeError, ValueError) as e:
            last = e
            time.sleep(0.02)
    proc.kill()
    proc.wait()
    raise RuntimeError("the HTTP server did not answer within 60 s (last: %s)" % (last,))


class Run:
    """Shared state of one measured import: the tip seen, and whether the import is over."""

    def __init__(self, idx, all_blocks):
        self.idx = idx
        self.all_blocks = all_blocks  # -reindex-chainstate: every block is in the index from the start
        self.tip = 0
        self.done = threading.Event()
        self.t_http = None  # the HTTP server answers (warm-up error or result)
        # Times the monitor first saw these debug.log lines:
        self.t_ready = None  # "Loaded chain" (the RPC methods' warm-up ends right after it)
        self.t_setup = None  # "UpdateTip: ... height=<last setup block>"
        self.t_tip = None  # the same for the last block
        self.t_done = None  # "Import done"
        self.done_line = None
        # heights (1-based) whose blocks hold never-spent coins, for bisect
        self.coin_heights = [h + 1 for h, c in enumerate(idx["coins"]) if c]


def monitor(proc, run, debug_log, log_pos, poll, stop_at, errors):
    """Tails debug.log every poll seconds (no RPC: with every RPC worker thread held by a reader
    that waits on the chain, even a lock-free getblockcount queues). Sets the tip from the
    UpdateTip lines (one per block connected), the end of warm-up from "Loaded chain", and the
    end from "Import done" (written after the import's final flush)."""
    final = len(run.idx["hashes"])
    setup = run.idx["setup_blocks"]
    try:
        while time.perf_counter() < stop_at:
            try:
                with open(debug_log, "rb") as f:
                    f.seek(log_pos)
                    chunk = f.read()
            except OSError:
                chunk = b""
            now = time.perf_counter()
            last_nl = chunk.rfind(b"\n")
            if last_nl >= 0:
                log_pos += last_nl + 1
                for line in chunk[:last_nl].split(b"\n"):
                    if b"UpdateTip: " in line:
                        m = UPDATE_TIP_HEIGHT.search(line)
                        height = int(m.group(1)) if m else -1
                        run.tip = max(run.tip, height)
                        if height == setup and run.t_setup is None:
                            run.t_setup = now
                        if height == final and run.t_tip is None:
                            run.t_tip = now
                    elif b"Loaded chain: height" in line and run.t_ready is None:
                        run.t_ready = now
                    elif b"Import done" in line:
                        run.t_done, run.done_line = now, line.decode(errors="replace").strip()
            if run.t_done is not None:
                break
            if proc.poll() is not None:
                errors.append("monitor: minicashd exited with code %s during the import" % proc.returncode)
                break
            time.sleep(poll)
        else:
            errors.append("monitor: the import did not finish within the time limit (tip %d of %d)" % (run.tip, final))
    except Exception as e:  # noqa: BLE001 - reported to the main thread
        errors.append("monitor: %r" % (e,))
    finally:
        run.done.set()


def reader(port, auth, run, seed, results, errors, index):
    """Round robin over METHODS until the import is seen done. Blocks: a random one at or below
    the tip seen (any stored block with -reindex-chainstate); coins: a never-spent output of a
    block at or below the tip seen. A warm-up reply (-28) is counted apart and followed by 10 ms
    of sleep."""
    rng = random.Random(seed)
    hashes, coins = run.idx["hashes"], run.idx["coins"]
    lat = {m: [] for m in METHODS}
    warmup = []
    nulls = 0
    try:
        c = RpcClient(port, auth, timeout=120)
        try:
            step = 0
            while not run.done.is_set():
                method = METHODS[step % 3]
                step += 1
                tip = run.tip
                if method == "gettxout":
                    k = bisect.bisect_right(run.coin_heights, tip)
                    if k == 0:
                        time.sleep(0.001)  # no never-spent coin connected yet
                        continue
                    txid, n = rng.choice(coins[run.coin_heights[rng.randrange(k)] - 1])
                    params = [txid, n]
                else:
                    top = len(hashes) if run.all_blocks else tip
                    if top < 1:
                        time.sleep(0.001)  # only genesis so far (not in the index)
                        continue
                    bhash = hashes[rng.randint(1, top) - 1]
                    params = [bhash] if method == "getblockheader" else [bhash, 1]
                t0 = time.perf_counter()
                result, err = c.call_raw(method, params)
                t1 = time.perf_counter()
                if run.t_done is not None and t0 >= run.t_done:
                    break
                if err is not None:
                    if err.get("code") != RPC_IN_WARMUP:
                        raise RuntimeError("%s %r: %r" % (method, params, err))
                    warmup.append(t1 - t0)
                    time.sleep(0.01)
                    continue
                lat[method].append(t1 - t0)
                if method == "gettxout" and result is None:
                    nulls += 1
                elif method != "gettxout" and result.get("hash") != params[0]:
                    raise RuntimeError("%s %s returned block %r" % (method, params[0], result.get("hash")))
        finally:
            c.close()
    except Exception as e:  # noqa: BLE001 - reported to the main thread
        errors.append("client %d: %r" % (index, e))
    results[index] = (lat, nulls, warmup)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu_seconds(pid):
    """User + system CPU seconds of a process (all its threads), from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def positive(end, start):
    """end - start, or None if either is unknown or both were seen at the same poll."""
    return end - start if end is not None and start is not None and end > start else None


def measure(args, idx, datadir, port, node_args, seed, all_blocks):
    """Starts the node with node_args on datadir, reads while it imports, stops it; returns a dict."""
    run = Run(idx, all_blocks)
    debug_log = os.path.join(datadir, "regtest", "debug.log")
    log_pos = os.path.getsize(debug_log) if os.path.exists(debug_log) else 0  # a reused datadir's old lines
    load_before = loadavg()
    t_start = time.perf_counter()
    proc, auth = start_node_http(args.bindir, datadir, port, node_args)
    run.t_http = time.perf_counter()
    node_cpu0, self_cpu0 = cpu_seconds(proc.pid), time.process_time()
    errors, results = [], [None] * args.clients
    mon = threading.Thread(target=monitor, args=(proc, run, debug_log, log_pos, args.poll,
                                                 run.t_http + args.timeout, errors))
    readers = [threading.Thread(target=reader, args=(port, auth, run, seed * 1000 + i, results, errors, i))
               for i in range(args.clients)]
    mon.start()
    for t in readers:
        t.start()
    mon.join()
    for t in readers:
        t.join()
    load_after = loadavg()
    node_cpu, self_cpu = cpu_seconds(proc.pid) - node_cpu0, time.process_time() - self_cpu0
    c = RpcClient(port, auth, timeout=120)
    try:
        height, err = c.call_raw("getblockcount")
    except (OSError, http.client.HTTPException, RuntimeError, ValueError) as e:
        height, err = None, e
    finally:
        c.close()
    if height != len(idx["hashes"]):
        errors.append("getblockcount after the import: %r %r (expected %d)" % (height, err, len(idx["hashes"])))
    rc = stop_node(proc, port, auth)
    done = [r for r in results if r]
    return {
        "errors": errors, "rc": rc, "lat": {m: sorted(x for r in done for x in r[0][m]) for m in METHODS},
        "nulls": sum(r[1] for r in done), "warmup": sorted(x for r in done for x in r[2]),
        "startup": run.t_http - t_start,
        "warmup_secs": (run.t_ready - run.t_http) if run.t_ready else None,
        "import": (run.t_done - run.t_http) if run.t_done else None,
        "to_tip": (run.t_tip - run.t_http) if run.t_tip else None,
        "spend": positive(run.t_tip, run.t_setup),
        "node_cpu": node_cpu, "self_cpu": self_cpu, "done_line": run.done_line,
        "load_before": load_before, "load_after": load_after,
    }


def fmt_ms(values, p):
    return "%.1f" % (percentile(values, p) * 1e3) if values else "-"


def report(args, idx, r, label):
    print("--- %s: %s, -par=%d, %d clients; loadavg before %s, after %s" % (
        label, args.mode, args.par, args.clients, r["load_before"], r["load_after"]))
    for e in r["errors"]:
        print("ERROR " + e)
    spend_inputs = idx["spend_inputs"]
    f2 = lambda v: "%.2f" % v if v is not None else "?"  # noqa: E731
    rate = "%.0f" % (spend_inputs / r["spend"]) if r["spend"] else "?"
    print("import: %s s wall (HTTP server answering -> \"Import done\" seen); RPC methods in warm-up (-28) for "
          "the first %s s; node start-up to HTTP %.2f s; node exit %s" % (
              f2(r["import"]), f2(r["warmup_secs"]), r["startup"], r["rc"]))
    print("spending blocks (%d inputs): %s s = %s inputs/s between the UpdateTip lines of heights %d and %d; "
          "tip %d at %s s" % (spend_inputs, f2(r["spend"]), rate, idx["setup_blocks"], len(idx["hashes"]),
                              len(idx["hashes"]), f2(r["to_tip"])))
    print("CPU over that time: node %.1f s, this script (readers, monitor) %.1f s" % (r["node_cpu"], r["self_cpu"]))
    w = r["warmup"]
    if w:
        print("warm-up replies (-28, not reads; each followed by 10 ms of sleep): %d, p50 %s ms, max %s ms" % (
            len(w), fmt_ms(w, 50), fmt_ms(w, 100)))
    all_lat = sorted(x for m in METHODS for x in r["lat"][m])
    print("%-15s %7s %8s %8s %8s %8s %8s" % ("reads (ms)", "n", "p50", "p90", "p99", "max", "mean"))
    for name, vals in [(m, r["lat"][m]) for m in METHODS] + [("all", all_lat)]:
        mean = "%.1f" % (sum(vals) / len(vals) * 1e3) if vals else "-"
        print("%-15s %7d %8s %8s %8s %8s %8s" % (name, len(vals), fmt_ms(vals, 50), fmt_ms(vals, 90),
                                                 fmt_ms(vals, 99), fmt_ms(vals, 100), mean))
    if r["nulls"]:
        print("gettxout returned null %d times (should not happen)" % r["nulls"])
    # One line per run for docs/benchmarks.md.
    print("SUMMARY mode=%s par=%d clients=%d load=%s import=%s warmup=%s spend_rate=%s warmup_replies=%d reads=%d "
          "p50=%s p90=%s p99=%s max=%s" % (
        args.mode, args.par, args.clients, r["load_before"].replace(" ", ","), f2(r["import"]),
        f2(r["warmup_secs"]), rate, len(w), len(all_lat),
        fmt_ms(all_lat, 50), fmt_ms(all_lat, 90), fmt_ms(all_lat, 99), fmt_ms(all_lat, 100)), flush=True)
    return not r["errors"] and r["rc"] == 0 and r["import"] is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bindir", default=os.path.join(ROOT, "build", "release", "node"),
                    help="directory holding minicashd (default: build/release/node)")
    ap.add_argument("--bench-bin", default=os.path.join(ROOT, "build", "release", "tests", "bench",
                                                        "bench_node_connect"),
                    help="bench_node_connect, to generate a missing chain")
    ap.add_argument("--chain", default=os.path.join(tempfile.gettempdir(), "minicash-bench-node", "chain.blk"),
                    help="the connect benchmark's chain file (default: bench_node_connect's default)")
    ap.add_argument("--mode", choices=("loadblock", "reindex-chainstate"), default="loadblock")
    ap.add_argument("--par", type=int, default=2, help="the node's -par")
    ap.add_argument("--clients", type=int, default=4, help="reader threads (0: the import time alone)")
    ap.add_argument("--runs", type=int, default=1, help="measured imports, each with a fresh node process")
    ap.add_argument("--seed", type=int, default=1, help="seed of the readers' choices (run i uses seed+i)")
    ap.add_argument("--poll", type=float, default=0.02, help="seconds between the monitor's reads of debug.log")
    ap.add_argument("--timeout", type=float, default=900, help="seconds an import may take before giving up")
    ap.add_argument("--node-arg", action="append", default=[], help="extra minicashd argument (repeatable)")
    ap.add_argument("--keep-datadir", action="store_true")
    args = ap.parse_args()

    idx = load_chain(args)
    print("rpc_read_latency: %s, %d blocks (%d setup + %d spending, %d P2WPKH inputs), mode %s, -par=%d, "
          "%d clients, %d runs, node %s, extra args %s" % (
              idx["chain"], len(idx["hashes"]), idx["setup_blocks"], idx["spend_blocks"], idx["spend_inputs"],
              args.mode, args.par, args.clients, args.runs, os.path.join(args.bindir, "minicashd"),
              args.node_arg or "none"), flush=True)
    base_args = ["-par=%d" % args.par] + args.node_arg
    loadblock = "-loadblock=" + idx["chain"]
    ok = True
    datadir = None
    try:
        if args.mode == "reindex-chainstate":
            datadir = tempfile.mkdtemp(prefix="minicash-rpclat-")
            saved, args.clients = args.clients, 0
            r = measure(args, idx, datadir, free_port(), base_args + [loadblock], args.seed, False)
            args.clients = saved
            print("prepared %s: -loadblock without readers took %s s (%s)" % (
                datadir, "%.2f" % r["import"] if r["import"] else "?", r["done_line"]), flush=True)
            if r["errors"] or r["import"] is None or r["rc"] != 0:
                print("\n".join(r["errors"]) or "preparing the datadir failed", file=sys.stderr)
                return 1
        for i in range(args.runs):
            if args.mode == "loadblock":
                if datadir and not args.keep_datadir:
                    shutil.rmtree(datadir, ignore_errors=True)
                datadir = tempfile.mkdtemp(prefix="minicash-rpclat-")
                node_args = base_args + [loadblock]
            else:
                node_args = base_args + ["-reindex-chainstate"]
            r = measure(args, idx, datadir, free_port(), node_args, args.seed + i,
                        args.mode == "reindex-chainstate")
            ok = report(args, idx, r, "run %d/%d" % (i + 1, args.runs)) and ok
    finally:
        if datadir:
            if args.keep_datadir:
                print("datadir kept: %s" % datadir)
            else:
                shutil.rmtree(datadir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
