"""p2p_rpc_cli: the P2P RPCs and CLI views that read the peer list, against nodes with real peers.

1. getaddednodeinfo: B added A with -addnode and an unreachable address with addnode: A's entry is
   connected (outbound, A's address), the unreachable one is not (no addresses); -connect peers are
   not listed; asking for a node not added is Core's -24 "Error: Node has not been added.".
2. minicash-cli -getinfo shows the connection counts from getnetworkinfo ("Network: in N, out M,
   total T") on both ends.
3. minicash-cli -netinfo (levels 0 and 4, outonly, help, a bad level) on a node with one minicash
   peer and two Python client peers: the counts table and one peers table row per peer.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import P2PConnection  # noqa: E402
from test_framework import assert_equal, assert_raises_rpc, check, log, wait_until  # noqa: E402


# A row of -netinfo's peers table: direction, type (6 wide), network.
PEER_ROW = re.compile(r"^( in|out) .{6}  ipv4 ")


def addr(node):
    return "127.0.0.1:%d" % node.p2p_port


def getinfo_network(node):
    rc, out, err = node.cli("-getinfo")
    assert_equal(rc, 0, "-getinfo exit code (%s)" % err)
    lines = [line for line in out.splitlines() if line.startswith("Network: ")]
    assert_equal(len(lines), 1, "-getinfo has one Network line")
    return lines[0]


def run(env):
    a = env.add_node()
    a.start()
    b = env.add_node(extra_args=["-addnode=" + addr(a)])
    b.start()
    c = env.add_node(extra_args=["-connect=" + addr(a)])
    c.start()
    wait_until(lambda: len(a.getpeerinfo()) == 2, 30, "A to see B and C")

    # 1. getaddednodeinfo.
    b.addnode("127.0.0.1:1", "add")
    wait_until(lambda: b.getaddednodeinfo(addr(a))[0]["connected"], 30, "B's added A to be connected")
    info = b.getaddednodeinfo()
    assert_equal([e["addednode"] for e in info], [addr(a), "127.0.0.1:1"], "B's added nodes, in order")
    assert_equal(info[0]["addresses"], [{"address": addr(a), "connected": "outbound"}], "A's entry: connected out")
    assert_equal((info[1]["connected"], info[1]["addresses"]), (False, []), "the unreachable entry")
    assert_equal(b.getaddednodeinfo("127.0.0.1:1"), [info[1]], "one node asked for by name")
    assert_raises_rpc(-24, "Error: Node has not been added.", b.getaddednodeinfo, "127.0.0.1:2")
    assert_equal(c.getaddednodeinfo(), [], "-connect peers are not added nodes")
    assert_raises_rpc(-24, "Node could not be removed", c.addnode, addr(a), "remove")
    c.addnode(addr(a), "add")  # not a duplicate of the -connect entry
    assert_equal([e["addednode"] for e in c.getaddednodeinfo()], [addr(a)], "added beside -connect")
    c.addnode(addr(a), "remove")
    assert_equal(a.getaddednodeinfo(), [], "A added nobody")
    b.addnode("127.0.0.1:1", "remove")
    assert_equal(len(b.getaddednodeinfo()), 1, "removed from getaddednodeinfo")
    log("ok: getaddednodeinfo (connected outbound with its address, unreachable, by name, -24, -connect not listed)")

    with P2PConnection() as p1, P2PConnection() as p2:
        p1.connect(a.p2p_port)
        p1.handshake()
        p2.connect(a.p2p_port)
        p2.handshake()
        wait_until(lambda: len(a.getpeerinfo()) == 4, 30, "A to see the two clients")

        # 2. -getinfo's Network line.
        assert_equal(getinfo_network(a), "Network: in 4, out 0, total 4", "A's -getinfo Network line")
        assert_equal(getinfo_network(b), "Network: in 0, out 1, total 1", "B's -getinfo Network line")
        log("ok: -getinfo shows the connections (in 4 on A, out 1 on B)")

        # 3. -netinfo.
        rc, out, err = a.cli("-netinfo")
        assert_equal(rc, 0, "-netinfo exit code (%s)" % err)
        lines = out.splitlines()
        check(lines[0].startswith("Minicash client v") and lines[0].endswith(" regtest - server 70016/minicash:%s/"
                                                                               % lines[0].split(" ")[2][1:]),
              "-netinfo header: %r" % lines[0])
        assert_equal(lines[2].split(), ["ipv4", "ipv6", "total", "block"], "-netinfo counts header")
        assert_equal(lines[3].split(), ["in", "4", "0", "4"], "-netinfo in row")
        assert_equal(lines[4].split(), ["out", "0", "0", "0", "0"], "-netinfo out row")
        assert_equal(lines[5].split(), ["total", "4", "0", "4"], "-netinfo total row")
        check("Local addresses: n/a" in out, "-netinfo local addresses")

        rc, out, err = a.cli("-netinfo", "4")
        assert_equal(rc, 0, "-netinfo 4 exit code (%s)" % err)
        rows = [line for line in out.splitlines() if PEER_ROW.match(line)]
        assert_equal(len(rows), 4, "-netinfo 4 lists the four peers")
        ids = sorted(p["id"] for p in a.getpeerinfo())
        for p in a.getpeerinfo():
            row = [r for r in rows if (" %s " % p["addr"]) in r]
            assert_equal(len(row), 1, "one row for peer %s" % p["addr"])
            check(row[0].rstrip().endswith("70016" + p["subver"]), "version column of %s: %r" % (p["addr"], row[0]))
        check(out.splitlines()[2].startswith("<->   type   net  v  mping   ping send recv  txn  blk  hb addrp addrl"),
              "-netinfo 4 table header")
        log("ok: -netinfo 0 counts (in 4) and -netinfo 4 rows for peers %s" % ids)

        rc, out, err = b.cli("-netinfo", "1", "outonly")
        assert_equal(rc, 0, "-netinfo 1 outonly exit code (%s)" % err)
        rows = [line for line in out.splitlines() if PEER_ROW.match(line)]
        assert_equal(len(rows), 1, "B's outbound peer A listed")
        check(rows[0].startswith("out manual  ipv4"), "B's row: out, manual, ipv4: %r" % rows[0])
        rc, out, err = a.cli("-netinfo", "1", "outonly")
        check(not any(PEER_ROW.match(line) for line in out.splitlines()), "outonly hides A's inbound peers")
        check("\nin          4       0       4\n" in out, "outonly keeps them in the counts")
        rc, out, err = a.cli("-netinfo", "help")
        check(rc == 0 and out.startswith("-netinfo (level [outonly]) | help"), "-netinfo help")
        rc, out, err = a.cli("-netinfo", "x")
        check(rc != 0 and "invalid -netinfo level argument: x" in err, "-netinfo x fails: %r" % err)
        log("ok: -netinfo outonly, help and a bad level")
