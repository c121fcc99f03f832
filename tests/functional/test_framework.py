"""Minimal functional test framework for minicashd / minicash-cli (Python 3 standard library only).

Nodes are real `minicashd` processes listening for RPC on free loopback ports (127.0.0.1 / ::1
only) with temporary datadirs. Talks JSON-RPC over real sockets (http.client) using the cookie
from the datadir, and runs `minicash-cli` as a subprocess. Never uses a non-loopback address.
"""

import base64
import bz2
import decimal
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.parse

# A fixed regtest address (BIP-173 example, P2WPKH) used to mine to.
REGTEST_ADDR = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
# Another regtest address (P2WSH of OP_TRUE, as in Core's functional tests).
REGTEST_ADDR2 = "bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85"

MAINNET_GENESIS = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"

# Every time limit the framework waits with is multiplied by this (test_runner.py
# --timeout-factor, or $MINICASH_TIMEOUT_FACTOR): sanitizer builds run several times slower.
TIMEOUT_FACTOR = float(os.environ.get("MINICASH_TIMEOUT_FACTOR", "1"))

# What a sanitizer prints to a node's stderr when it finds a bug; teardown fails the test on it
# (a report does not always stop the process, e.g. TSan without halt_on_error).
SANITIZER_REPORTS = ("WARNING: ThreadSanitizer:", "ERROR: AddressSanitizer:", "ERROR: LeakSanitizer:",
                     "runtime error:")


def scaled(timeout):
    return None if timeout is None else timeout * TIMEOUT_FACTOR


class TestFailure(Exception):
    """A check failed."""


class SkipTest(Exception):
    """The test cannot run in this environment (reported loudly, counted as skipped, never as passed)."""


class RPCError(Exception):
    def __init__(self, code, message, http_status=None):
        super().__init__("RPC error %s: %s" % (code, message))
        self.code = code
        self.message = message
        self.http_status = http_status


# ---------------------------------------------------------------------------------------------
# Logging and assertions

def log(msg):
    print("    " + msg, flush=True)


def check(cond, what):
    """Print what is checked; raise TestFailure when it does not hold."""
    if not cond:
        raise TestFailure("FAILED: " + what)
    log("ok: " + what)


def assert_equal(actual, expected, what):
    if actual != expected:
        raise TestFailure("FAILED: %s: expected %r, got %r" % (what, expected, actual))
    log("ok: %s (%s)" % (what, _short(actual)))


def assert_raises_rpc(code, message_part, fn, *args, what=None):
    what = what or "%s raises RPC error %s" % (getattr(fn, "__name__", "call"), code)
    try:
        r = fn(*args)
    except RPCError as e:
        if e.code != code:
            raise TestFailure("FAILED: %s: expected code %s, got %s (%s)" % (what, code, e.code, e.message))
        if message_part is not None and message_part not in e.message:
            raise TestFailure("FAILED: %s: expected message containing %r, got %r" % (what, message_part, e.message))
        log("ok: %s (%s: %s)" % (what, e.code, _short(e.message)))
        return e
    raise TestFailure("FAILED: %s: expected an RPC error, got result %r" % (what, _short(r)))


def _short(v, n=100):
    s = repr(v) if not isinstance(v, str) else v
    return s if len(s) <= n else s[:n] + "..."


def wait_until(pred, timeout, what, interval=0.05):
    timeout = scaled(timeout)
    deadline = time.time() + timeout
    last_exc = None
    while time.time() < deadline:
        try:
            if pred():
                return
            last_exc = None
        except (RPCError, OSError, http.client.HTTPException) as e:
            last_exc = e
        time.sleep(interval)
    raise TestFailure("FAILED: timed out after %ss waiting for %s%s" %
                      (timeout, what, (" (last error: %s)" % last_exc) if last_exc else ""))


# ---------------------------------------------------------------------------------------------
# Helpers

_handed_out = set()  # ports free_port gave this process: a node given two before it binds either


def _port_candidate():
    """A port free on 127.0.0.1 now and not handed out before by this process: from
    $MINICASH_PORT_RANGE ("lo-hi", set by the runner for each of its parallel slots) when
    given, else whatever bind(0) hands out."""
    span = os.environ.get("MINICASH_PORT_RANGE")
    lo, hi = (int(x) for x in span.split("-")) if span else (0, 0)
    for _ in range(1000):
        port = random.randint(lo, hi) if span else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise TestFailure("no free port in %s" % (("MINICASH_PORT_RANGE " + span) if span else "the ephemeral range"))


def free_port():
    """A free TCP port on loopback (127.0.0.1, and ::1 when it exists)."""
    port = _port_candidate()
    # Also make sure ::1 has it free when IPv6 exists (the daemon binds both by default).
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
            s6.bind(("::1", port))
    except OSError as e:
        if e.errno == 98:  # EADDRINUSE: try another one
            return free_port()
    return port


def dsha256(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def block_hash_from_header(header80):
    return dsha256(header80)[::-1].hex()


def read_blk_file(data):
    """Split Core blk-file framed data (magic, LE32 size, block) into a list of raw blocks."""
    blocks = []
    i = 0
    while i + 8 <= len(data):
        if data[i:i + 4] == b"\x00\x00\x00\x00":
            break
        size = struct.unpack("<I", data[i + 4:i + 8])[0]
        blocks.append(data[i + 8:i + 8 + size])
        i += 8 + size
    return blocks


def decompress_bz2(src, dst):
    with open(src, "rb") as f:
        data = bz2.decompress(f.read())
    with open(dst, "wb") as f:
        f.write(data)
    return data


def proc_status_kb(pid, key="VmRSS"):
    """A field of /proc/<pid>/status in kB (VmRSS, VmHWM, ...)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/%d/status" % (key, pid))


def parse_proc_net_listeners(port):
    """Local addresses listening on TCP `port`, from /proc/net/tcp and tcp6, as text."""
    found = []
    for fname, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(fname) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, state = parts[1], parts[3]
            if state != "0A":  # LISTEN
                continue
            addr_hex, port_hex = local.split(":")
            if int(port_hex, 16) != port:
                continue
            raw = bytes.fromhex(addr_hex)
            if not v6:
                found.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
            else:
                # four host-order 32-bit words
                b = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                found.append(socket.inet_ntop(socket.AF_INET6, b))
    return found


# ---------------------------------------------------------------------------------------------
# Node

CHAIN_SUBDIR = {"regtest": "regtest", "main": "", "test": "testnet3", "signet": "signet", "testnet4": "testnet4"}


class Node:
    def __init__(self, env, index, chain="regtest", extra_args=None, datadir=None, write_conf=True):
        self.env = env
        self.index = index
        self.chain = chain
        self.extra_args = list(extra_args or [])
        self.datadir = datadir or tempfile.mkdtemp(prefix="node%d_" % index, dir=env.tmpdir)
        self.rpc_port = free_port()
        self.p2p_port = free_port()
        self.process = None
        self.stdout_f = None
        self.stderr_f = None
        self.rpc_timeout = scaled(60)
        self.auth_override = None  # (user, password) instead of the cookie
        self.preexec_fn = None  # runs in the child before exec, e.g. to set resource limits
        if write_conf:
            self.write_conf()

    # -- paths
    @property
    def netdir(self):
        sub = CHAIN_SUBDIR[self.chain]
        return os.path.join(self.datadir, sub) if sub else self.datadir

    @property
    def cookie_path(self):
        return os.path.join(self.netdir, ".cookie")

    @property
    def debug_log(self):
        return os.path.join(self.netdir, "debug.log")

    def write_conf(self, extra_lines=()):
        """minicash.conf: chain selection and the RPC port (in the chain's section, as Core wants)."""
        lines = []
        if self.chain == "regtest":
            lines += ["regtest=1", "[regtest]", "rpcport=%d" % self.rpc_port]
        else:
            lines += ["chain=%s" % self.chain]
            if self.chain == "main":
                lines += ["rpcport=%d" % self.rpc_port]
            else:
                lines += ["[%s]" % self.chain, "rpcport=%d" % self.rpc_port]
        lines += list(extra_lines)
        with open(os.path.join(self.datadir, "minicash.conf"), "w") as f:
            f.write("\n".join(lines) + "\n")

    # -- process control
    def base_args(self):
        # -rpcdoccheck: every RPC result of every test is checked against its method's declared results
        # (as Core's functional tests do), so help and behaviour cannot drift.
        # P2P on loopback only, on a port of its own (tests never listen on other addresses).
        return [self.env.minicashd, "-datadir=" + self.datadir, "-printtoconsole=0", "-rpcdoccheck=1",
                "-port=%d" % self.p2p_port, "-bind=127.0.0.1"]

    def start(self, extra_args=None, wait=True, timeout=60):
        assert self.process is None or self.process.poll() is not None, "node already running"
        args = self.base_args() + self.extra_args + list(extra_args or [])
        # A cookie left by a killed node would be read before the new node writes its own
        # (after binding the port) and fail with 401; remove it first, as Core's framework does.
        try:
            os.remove(self.cookie_path)
        except FileNotFoundError:
            pass
        self.stdout_f = open(os.path.join(self.datadir, "stdout.txt"), "ab")
        self.stderr_f = open(os.path.join(self.datadir, "stderr.txt"), "ab")
        self.process = subprocess.Popen(args, stdout=self.stdout_f, stderr=self.stderr_f, stdin=subprocess.DEVNULL,
                                        preexec_fn=self.preexec_fn)
        self.env.running.add(self)
        if wait:
            self.wait_for_rpc(timeout=timeout)
        return self

    def wait_for_rpc(self, timeout=60, allow_warmup=False):
        """Poll with a JSON-RPC call until it answers; warm-up (-28) and connection errors mean retry."""
        timeout = scaled(timeout)
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise TestFailure("FAILED: minicashd exited with code %s during startup; stderr: %s; log tail:\n%s" %
                                  (self.process.returncode, self.read_stderr()[-2000:], self.log_tail()))
            try:
                if not os.path.exists(self.cookie_path) and self.auth_override is None:
                    raise OSError("no cookie yet")
                self.rpc("getblockcount", timeout=5)
                return
            except RPCError as e:
                if e.code == -28:
                    last = e
                    if allow_warmup:
                        return
                else:
                    raise
            except (OSError, http.client.HTTPException) as e:
                last = e
            time.sleep(0.05)
        raise TestFailure("FAILED: RPC did not become ready within %ss (last: %s)" % (timeout, last))

    def stop(self, timeout=120):
        """stop via RPC, then wait for the process to exit (exit code 0 expected)."""
        r = self.rpc("stop")
        if not (isinstance(r, str) and "stopping" in r):
            raise TestFailure("FAILED: unexpected stop reply %r" % (r,))
        return self.wait_for_exit(timeout=timeout, expect_code=0)

    def wait_for_exit(self, timeout=120, expect_code=None):
        timeout = scaled(timeout)
        try:
            rc = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TestFailure("FAILED: minicashd did not exit within %ss after stop; log tail:\n%s" %
                              (timeout, self.log_tail()))
        self._close_files()
        self.env.running.discard(self)
        if expect_code is not None and rc != expect_code:
            raise TestFailure("FAILED: minicashd exited with code %s (expected %s); stderr: %s; log tail:\n%s" %
                              (rc, expect_code, self.read_stderr()[-2000:], self.log_tail()))
        return rc

    def kill(self):
        """SIGKILL (kill -9) and reap."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.kill(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        self._close_files()
        self.env.running.discard(self)

    def restart(self, extra_args=None, wait=True):
        self.stop()
        return self.start(extra_args=extra_args, wait=wait)

    def is_running(self):
        return self.process is not None and self.process.poll() is None

    def _close_files(self):
        for f in (self.stdout_f, self.stderr_f):
            if f is not None:
                f.close()
        self.stdout_f = self.stderr_f = None

    def read_stderr(self):
        try:
            with open(os.path.join(self.datadir, "stderr.txt"), "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n=25):
        try:
            with open(self.debug_log, "r", errors="replace") as f:
                return "\n".join(f.read().splitlines()[-n:])
        except OSError:
            return "(no debug.log)"

    # -- RPC over HTTP
    def auth_header(self):
        if self.auth_override is not None:
            user, pw = self.auth_override
            cred = "%s:%s" % (user, pw)
        else:
            with open(self.cookie_path) as f:
                cred = f.read().strip()
        return "Basic " + base64.b64encode(cred.encode()).decode()

    def http_post(self, body, headers=None, auth=True, timeout=None, path="/"):
        """POST body to the RPC port; returns (status, response body bytes, response headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.rpc_port, timeout=scaled(timeout) or self.rpc_timeout)
        try:
            h = {"Content-Type": "application/json"}
            if auth is True:
                h["Authorization"] = self.auth_header()
            elif isinstance(auth, str):
                h["Authorization"] = auth
            h.update(headers or {})
            if isinstance(body, str):
                body = body.encode()
            conn.request("POST", path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, data, dict(resp.getheaders())
        finally:
            conn.close()

    def rpc(self, method, *params, timeout=None, **named):
        """A JSON-RPC 1.0 call; returns the result, raises RPCError for an error reply."""
        req = {"method": method, "params": (named if named else list(params)), "id": 1}
        status, data, _ = self.http_post(json.dumps(req), timeout=timeout)
        try:
            reply = json.loads(data, parse_float=decimal.Decimal)
        except ValueError:
            raise RPCError(None, "HTTP %s with non-JSON body %r" % (status, data[:200]), status)
        if not isinstance(reply, dict):
            raise RPCError(None, "unexpected reply %r" % (reply,), status)
        if reply.get("error") is not None:
            err = reply["error"]
            raise RPCError(err.get("code"), err.get("message"), status)
        return reply.get("result")

    def wallet_rpc(self, wallet, method, *params, timeout=None):
        """A call to /wallet/<wallet> (Core's multiwallet endpoint); as rpc otherwise."""
        req = {"method": method, "params": list(params), "id": 1}
        path = "/wallet/" + urllib.parse.quote(wallet, safe="")
        status, data, _ = self.http_post(json.dumps(req), timeout=timeout, path=path)
        reply = json.loads(data, parse_float=decimal.Decimal)
        if reply.get("error") is not None:
            raise RPCError(reply["error"].get("code"), reply["error"].get("message"), status)
        return reply.get("result")

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *a, **k: self.rpc(name, *a, **k)

    # -- CLI
    def cli(self, *args, timeout=120, parse=False):
        """Run minicash-cli; returns (returncode, stdout, stderr), or the parsed JSON when parse=True."""
        cmd = [self.env.minicash_cli, "-datadir=" + self.datadir, "-rpcport=%d" % self.rpc_port]
        if self.chain == "regtest":
            cmd.append("-regtest")
        elif self.chain != "main":
            cmd.append("-chain=" + self.chain)
        if self.auth_override is not None:
            cmd += ["-rpcuser=" + self.auth_override[0], "-rpcpassword=" + self.auth_override[1]]
        cmd += [str(a) for a in args]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=scaled(timeout),
                           stdin=subprocess.DEVNULL)
        out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
        if parse:
            if p.returncode != 0:
                raise TestFailure("FAILED: minicash-cli %s exited %s: %s" % (" ".join(map(str, args)), p.returncode, err))
            return json.loads(out, parse_float=decimal.Decimal)
        return p.returncode, out, err

    # -- convenience
    def wait_caught_up(self, timeout=120):
        """Wait until the node has connected every block it has stored (blocks == headers): after a
        crash, as in Core, RPC answers from the coins' tip while the validation owner catches up."""
        def ok():
            info = self.rpc("getblockchaininfo")
            return info["blocks"] == info["headers"]
        wait_until(ok, timeout, "node %d to connect the blocks it has stored" % self.index)

    def wait_for_height(self, height, timeout=120, hash_=None):
        def ok():
            if self.rpc("getblockcount") < height:
                return False
            return hash_ is None or self.rpc("getbestblockhash") == hash_
        wait_until(ok, timeout, "node %d to reach height %d" % (self.index, height))


class TestEnv:
    """Per-test environment: binaries, temp dir and the nodes to tear down."""

    def __init__(self, bindir, vectors, keep=False, name="test"):
        self.bindir = bindir
        self.vectors = vectors
        self.keep = keep
        self.minicashd = os.path.join(bindir, "minicashd")
        self.minicash_cli = os.path.join(bindir, "minicash-cli")
        self.tmpdir = tempfile.mkdtemp(prefix="minicash_func_%s_" % name)
        self.running = set()
        self.nodes = []

    def add_node(self, chain="regtest", extra_args=None, **kw):
        n = Node(self, len(self.nodes), chain=chain, extra_args=extra_args, **kw)
        self.nodes.append(n)
        return n

    def teardown(self, success):
        for n in list(self.running):
            if n.is_running():
                if success:
                    try:
                        n.stop(timeout=30)
                        continue
                    except Exception:
                        pass
                n.kill()
            else:
                n._close_files()
        self.running.clear()
        reports = []
        for n in self.nodes:
            err = n.read_stderr()
            at = min((i for i in (err.find(m) for m in SANITIZER_REPORTS) if i >= 0), default=-1)
            if at >= 0:
                reports.append("node %d stderr:\n%s" % (n.index, err[max(0, at - 200):at + 6000]))
        if reports:
            print("    sanitizer report(s):\n" + "\n".join(reports))
            success = False
        if not success:
            for n in self.nodes:
                print("    --- node %d (%s) debug.log tail:\n%s" % (n.index, n.datadir, n.log_tail(15)))
        if self.keep:
            print("    (kept %s)" % self.tmpdir)
        else:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        if reports:
            raise TestFailure("FAILED: a sanitizer reported a bug in minicashd (above)")


# ---------------------------------------------------------------------------------------------
# Minimal transaction / block parsing (enough to count what the chain RPCs report)

def _varint(b, i):
    n = b[i]
    if n < 0xfd:
        return n, i + 1
    if n == 0xfd:
        return struct.unpack("<H", b[i + 1:i + 3])[0], i + 3
    if n == 0xfe:
        return struct.unpack("<I", b[i + 1:i + 5])[0], i + 5
    return struct.unpack("<Q", b[i + 1:i + 9])[0], i + 9


def parse_tx(b, i):
    """Returns (tx dict, next offset). tx: {'inputs': [(prev_txid_hex, n)], 'outputs': [(value_sat, script)],
    'txid': hex}. Handles the segwit serialization."""
    start = i
    i += 4
    segwit = b[i] == 0 and b[i + 1] == 1
    if segwit:
        i += 2
    body_start = i
    nin, i = _varint(b, i)
    inputs = []
    for _ in range(nin):
        prev = b[i:i + 32][::-1].hex()
        n = struct.unpack("<I", b[i + 32:i + 36])[0]
        i += 36
        slen, i = _varint(b, i)
        i += slen + 4
        inputs.append((prev, n))
    nout, i = _varint(b, i)
    outputs = []
    for _ in range(nout):
        value = struct.unpack("<q", b[i:i + 8])[0]
        i += 8
        slen, i = _varint(b, i)
        outputs.append((value, b[i:i + slen]))
        i += slen
    body_end = i
    if segwit:
        for _ in range(nin):
            nitems, i = _varint(b, i)
            for _ in range(nitems):
                l, i = _varint(b, i)
                i += l
    locktime = b[i:i + 4]
    i += 4
    stripped = b[start:start + 4] + b[body_start:body_end] + locktime
    return {"inputs": inputs, "outputs": outputs, "txid": dsha256(stripped)[::-1].hex()}, i


def parse_block(b):
    ntx, i = _varint(b, 80)
    txs = []
    for _ in range(ntx):
        tx, i = parse_tx(b, i)
        txs.append(tx)
    return {"hash": block_hash_from_header(b[:80]), "prev": b[4:36][::-1].hex(), "txs": txs}


def add_op_true_witness(raw_hex, ninputs):
    """Turn an unsigned legacy-serialized tx spending P2WSH(OP_TRUE) outputs into a segwit one whose
    every input carries the witness [OP_TRUE]."""
    return raw_hex[:8] + "0001" + raw_hex[8:-8] + "010151" * ninputs + raw_hex[-8:]


def load_vector_file(env, rel):
    """Path of a shared vector file. Missing: a loud SKIP, or a failure when CI=true."""
    path = os.path.join(env.vectors, rel) if env.vectors else None
    if path and os.path.exists(path):
        return path
    msg = "vector file %s not found (vectors dir: %s)" % (rel, env.vectors)
    if os.environ.get("CI", "").lower() == "true":
        raise TestFailure("FAILED: " + msg + " and CI=true")
    raise SkipTest(msg)
