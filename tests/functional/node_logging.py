"""node_logging: the daemon and its log as a bitcoind user expects them.

-printtoconsole defaults to on in the foreground; an UpdateTip line per connected and
disconnected block with Core's fields; a line naming the fork point and depth of a reorg;
invalidateblock's line names the reason; verificationprogress is 1 at the tip of regtest;
-daemonwait waits for start-up and fails with an error on a locked datadir (which a plain
-daemon also logs); -help lists only debug categories that some code logs under."""

import os
import re
import subprocess
import time

from test_framework import REGTEST_ADDR, REGTEST_ADDR2, assert_equal, check, wait_until

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

UPDATE_TIP = re.compile(
    r"UpdateTip: new best=([0-9a-f]{64}) height=(\d+) version=0x([0-9a-f]{8}) log2_work=(\d+\.\d{6}) "
    r"tx=(\d+) date='(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)' progress=(\d\.\d{6}) cache=(\d+\.\d)MiB\((\d+)txo\)$")


def read(path):
    with open(path, "r", errors="replace") as f:
        return f.read()


def update_tips(node):
    return [m for m in (UPDATE_TIP.search(line) for line in read(node.debug_log).splitlines()) if m]


def loopback_p2p(node):
    """P2P on the node's own loopback port: a daemon started by hand must not listen on every address
    or on regtest's default port (two tests doing so at once would collide)."""
    return ["-port=%d" % node.p2p_port, "-bind=127.0.0.1"]


def check_console_default(env):
    node = env.add_node()
    node.base_args = lambda: [env.minicashd, "-datadir=" + node.datadir] + loopback_p2p(node)  # no -printtoconsole
    node.start()
    node.stop()
    out = read(os.path.join(node.datadir, "stdout.txt"))
    check("minicash version" in out and "Shutdown: done" in out,
          "without -daemon the log goes to stdout by default (-printtoconsole defaults to 1)")


def check_update_tip_and_progress(env):
    a = env.add_node()
    b = env.add_node()
    a.start()
    b.start()
    assert_equal(a.getblockchaininfo()["verificationprogress"], 1, "verificationprogress at regtest's genesis tip is 1")
    mined = a.generatetoaddress(3, REGTEST_ADDR)
    assert_equal(a.getblockchaininfo()["verificationprogress"], 1, "verificationprogress at regtest's tip is 1")
    genesis = a.getblockhash(0)
    tips = update_tips(a)
    assert_equal([m.group(1) for m in tips], [genesis] + mined,
                 "one UpdateTip line per connected block (genesis at the first start too, as Core), naming it")
    for height, m in enumerate(tips[1:], start=1):
        header = a.getblockheader(m.group(1))
        assert_equal(int(m.group(2)), height, "UpdateTip height")
        assert_equal(m.group(3), header["versionHex"], "UpdateTip version")
        assert_equal(int(m.group(5)), height + 1, "UpdateTip tx (chain transaction count)")
        assert_equal(m.group(7), "1.000000", "UpdateTip progress")
        assert_equal(int(m.group(9)), height, "UpdateTip txo count (one new coinbase output per block in the cache)")
        work = int(header["chainwork"], 16)
        check(abs(float(m.group(4)) - __import__("math").log2(work)) < 1e-5, "UpdateTip log2_work matches chainwork")
        check(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(header["time"])) == m.group(6), "UpdateTip date")

    # A longer chain from B makes A reorganise from its height 3 at genesis, when B's 4th block arrives.
    other = b.generatetoaddress(5, REGTEST_ADDR2)
    for h in other:
        a.submitblock(b.getblock(h, 0))
    assert_equal(a.getbestblockhash(), other[-1], "A reorganised to B's chain")
    log = read(a.debug_log)
    check(re.search(r"Reorganizing: fork point %s height=0, disconnecting 3 block\(s\) from %s, connecting 4 towards %s "
                    r"height=4" % (genesis, mined[-1], other[3]), log) is not None,
          "a reorg logs its fork point and depth")
    after = [m.group(1) for m in update_tips(a)][4:]
    assert_equal(after, [mined[1], mined[0], genesis] + other,
                 "UpdateTip lines for each disconnect (new best = the parent) then each connect")

    # invalidateblock names its reason
    a.invalidateblock(other[2])
    check(re.search(r"InvalidateBlock: %s at height 3: invalidated, manually marked invalid by invalidateblock" % other[2],
                    read(a.debug_log)) is not None, "invalidateblock's log line names the reason")


def check_daemonwait(env):
    node = env.add_node()
    base = [env.minicashd, "-datadir=" + node.datadir] + loopback_p2p(node)
    p = subprocess.run(base + ["-daemonwait"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert_equal(p.returncode, 0, "-daemonwait exits 0 once the node has started")
    # No waiting here: the parent returned only after start-up, so the RPC server answers at once.
    try:
        assert_equal(node.getblockcount(), 0, "the -daemonwait node answers RPC as soon as the parent has exited")

        p = subprocess.run(base + ["-daemonwait"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        check(p.returncode != 0, "-daemonwait on a locked datadir exits non-zero (%d)" % p.returncode)
        check("Error during initialization - check debug.log for details" in p.stderr.decode(),
              "-daemonwait reports the failure on stderr")
        locked = "Cannot obtain a lock on data directory"
        wait_until(lambda: read(node.debug_log).count(locked) >= 1, 10, "the -daemonwait child's error in debug.log")

        p = subprocess.run(base + ["-daemon"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        assert_equal(p.returncode, 0, "plain -daemon's parent exits 0 at once (as Core)")
        wait_until(lambda: read(node.debug_log).count(locked) >= 2, 10,
                   "the plain -daemon child's lock failure is logged in debug.log")
    finally:
        node.rpc("stop")
        wait_until(lambda: "Shutdown: done" in read(node.debug_log), 60, "the daemon to shut down")

    # A plain -daemon that starts: no -daemonwait parent to notify, and no warning about one.
    plain = env.add_node()
    p = subprocess.run([env.minicashd, "-datadir=" + plain.datadir, "-daemon"] + loopback_p2p(plain), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    assert_equal(p.returncode, 0, "plain -daemon exits 0")
    try:
        wait_until(lambda: os.path.exists(plain.cookie_path) and plain.getblockcount() == 0, 60, "the -daemon node to answer")
    finally:
        plain.rpc("stop")
        wait_until(lambda: "Shutdown: done" in read(plain.debug_log), 60, "the -daemon node to shut down")
    check("-daemonwait parent" not in read(plain.debug_log), "a plain -daemon logs no warning about a -daemonwait parent")


def check_debug_categories(env):
    p = subprocess.run([env.minicashd, "-help", "-help-debug"], stdout=subprocess.PIPE, timeout=30)
    text = " ".join(p.stdout.decode().split())
    m = re.search(r"Other valid values for <category> are: ([a-z, ]+)\.", text)
    check(m is not None, "-help lists the -debug categories")
    names = [n.strip() for n in m.group(1).split(",")]
    check(len(names) > 0, "at least one category listed (%s)" % ", ".join(names))
    sources = []
    for top in ("node", "net", "wallet", "consensus"):
        for root, _, files in os.walk(os.path.join(REPO, top)):
            for f in files:
                if f.endswith((".cpp", ".h")) and not f.startswith("logging."):
                    sources.append(read(os.path.join(root, f)))
    code = "\n".join(sources)
    for n in names:
        check("LogCategory::%s" % n.upper() in code, "-debug=%s is listed and some code logs under it" % n)


def check_logtimemicros(env):
    n = env.add_node(extra_args=["-logtimemicros", "-debug=bench"])
    n.start()
    n.generatetoaddress(1, REGTEST_ADDR)
    lines = read(n.debug_log).splitlines()
    stamped = [ln for ln in lines if re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z ", ln)]
    check(len(stamped) == len(lines) and lines, "-logtimemicros: every line's timestamp has microseconds (%d lines)"
          % len(lines))
    check(any("[bench] - Process new block" in ln for ln in lines), "-debug=bench times a new block")
    n.stop()


def run(env):
    check_logtimemicros(env)
    check_console_default(env)
    check_update_tip_and_progress(env)
    check_daemonwait(env)
    check_debug_categories(env)
