"""p2p_sync: minicashd speaks the Bitcoin P2P protocol, checked with the independent Python client
(tests/functional/p2p_client/) and between minicash nodes.

1. Handshake with the client (inbound to the node): the node's version (protocol 70016, NETWORK |
   WITNESS | NETWORK_LIMITED, its user agent and height), wtxidrelay and sendaddrv2 between version and
   verack (BIP-339/155), then sendheaders and a getheaders; ping answered with pong; getheaders answered
   with the active chain's headers; getdata of a block with and without the witness flag equals getblock's
   bytes; an unknown block gets notfound; getpeerinfo shows the client. A tip mined while a
   client is between its version and its verack is announced (inv) once the verack arrives.
2. Three nodes in a line A - B - C: A mines 300 blocks; B (addnode A) and C (addnode B) reach A's tip;
   C got its blocks from B (C never connects to A).
3. A fourth node starts empty with -connect=C only and syncs the whole chain.
4. Competing forks: two nodes mine apart (5 and 8 blocks on the common chain), are connected with
   addnode onetry, and both end on the heavier branch (the lighter one reorganises).
5. Hostile peers: a block whose merkle root does not match gets the sender disconnected and the node's
   tip unchanged; a wrong network magic gets a disconnect; a bad checksum is dropped and the connection
   kept.
"""

import os
import re
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import (MSG_BLOCK, MSG_WITNESS_BLOCK, NODE_NETWORK, NODE_WITNESS, Inv, MsgBlock,  # noqa: E402
                        MsgGetData, MsgGetHeaders, MsgHeaders, MsgVerack, P2PConnection, bad_frame, hash_hex,
                        hex_hash, make_block)
from test_framework import (REGTEST_ADDR, TestFailure, assert_equal, assert_raises_rpc, check, log, scaled,  # noqa: E402
                            wait_until)

NODE_NETWORK_LIMITED = 1 << 10


def addr(node):
    return "127.0.0.1:%d" % node.p2p_port


def wait_same_tip(nodes, timeout=60):
    try:
        wait_until(lambda: len({n.getbestblockhash() for n in nodes}) == 1, timeout,
                   "nodes %s on the same tip" % [n.index for n in nodes])
    except TestFailure:
        for n in nodes:
            dump_sync_state(n)
        raise


def dump_sync_state(n):
    """What a node knows of its peers and tips, for a sync that did not finish."""
    try:
        log("node %d: height %d, tips %s" % (n.index, n.getblockcount(), n.getchaintips()[:3]))
        for p in n.getpeerinfo():
            log("node %d peer %s: synced_headers %s synced_blocks %s inflight %s hb_to %s hb_from %s bytesrecv %s" %
                (n.index, p["addr"], p.get("synced_headers"), p.get("synced_blocks"), p.get("inflight"),
                 p.get("bip152_hb_to"), p.get("bip152_hb_from"), p.get("bytesrecv_per_msg")))
        with open(n.debug_log, errors="replace") as f:
            lines = [ln for ln in f.read().splitlines() if not re.search(r" (ping|pong) ", ln)]
        log("node %d debug.log tail (pings left out):\n%s" % (n.index, "\n".join(lines[-80:])))
    except Exception as e:  # a node that stopped answering: the failure itself says enough
        log("node %d: no state (%s)" % (n.index, e))


def client_checks(node):
    node.generatetoaddress(10, REGTEST_ADDR)  # a recent tip: the node is out of initial block download
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        version = c.handshake()
        assert_equal(version.version, 70016, "protocol version")
        assert_equal(version.services, NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED, "services")
        check(version.user_agent.startswith("/minicash:"), "user agent %r" % version.user_agent)
        assert_equal(version.start_height, 10, "start height")
        recv = [cmd for (d, cmd) in c.events if d == "recv"]
        check(recv.index("verack") > recv.index("wtxidrelay") > recv.index("version"), "wtxidrelay before verack")
        check(recv.index("verack") > recv.index("sendaddrv2"), "sendaddrv2 before verack")
        c.wait_for("sendheaders")
        c.wait_for("getheaders")
        nonce = c.ping()
        log("ok: handshake, version fields, BIP-339/155 order, sendheaders, getheaders, ping %s answered" % nonce)

        genesis = hex_hash(node.getblockhash(0))
        c.send_message(MsgGetHeaders([genesis]))
        headers = c.wait_for("headers").headers
        assert_equal(len(headers), 10, "headers after genesis")
        assert_equal(hash_hex(headers[-1].hash()), node.getbestblockhash(), "last header is the tip")

        tip = hex_hash(node.getbestblockhash())
        c.send_message(MsgGetData([Inv(MSG_WITNESS_BLOCK, tip)]))
        blk = c.wait_for("block").block
        assert_equal(blk.serialize().hex(), node.getblock(node.getbestblockhash(), 0), "witness block bytes")
        c.send_message(MsgGetData([Inv(MSG_BLOCK, tip)]))
        blk2 = c.wait_for("block").block
        assert_equal(hash_hex(blk2.hash()), node.getbestblockhash(), "block without witness flag")
        c.send_message(MsgGetData([Inv(MSG_BLOCK, b"\x11" * 32)]))
        nf = c.wait_for("notfound")
        assert_equal(nf.inv[0].hash, b"\x11" * 32, "notfound for an unknown block")
        peers = node.getpeerinfo()
        assert_equal(len(peers), 1, "getpeerinfo lists the client")
        assert_equal(peers[0]["subver"], "/minicash-p2p-test:0.1/", "the client's user agent")
        check(peers[0]["inbound"], "the client is inbound")
        assert_equal((peers[0]["last_block"], peers[0]["last_transaction"]), (0, 0), "no block from the client yet")
        info = node.getnetworkinfo()
        assert_equal((info["connections"], info["connections_in"], info["connections_out"]), (1, 1, 0),
                     "getnetworkinfo's connection counts")
        assert_equal(info["localservicesnames"], ["NETWORK", "WITNESS", "NETWORK_LIMITED"], "local services")
        assert_equal(node.getconnectioncount(), 1, "getconnectioncount")
        totals = node.getnettotals()
        check(totals["totalbytesrecv"] > 0 and totals["totalbytessent"] > 0, "getnettotals counts bytes")
        log("ok: getheaders, getdata with/without witness, notfound, getpeerinfo, getnetworkinfo, getnettotals")
    # A tip that changes while a peer is still handshaking is announced once the handshake is
    # done (Core queues announcements for every peer and sends them after verack).
    node.createwallet("sync")
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.send_message(c.make_version())
        c.wait_for("version")
        c.wait_for("verack")
        tip = node.generatetoaddress(1, REGTEST_ADDR)[0]
        # A wallet call waits for the chain's notifications (the peer manager's tip update among
        # them), so the tip is announced before the verack arrives, not by a late notification.
        node.wallet_rpc("sync", "getbalance")
        c.send_message(MsgVerack())
        c.wait_for("inv", lambda m: any(i.hash == hex_hash(tip) for i in m.inv), timeout=scaled(10))
    log("ok: a tip mined during a peer's handshake is announced after its verack")
    # Core's addnode/disconnectnode errors.
    node.addnode("127.0.0.1:1", "add")
    assert_raises_rpc(-23, "Node already added", node.addnode, "127.0.0.1:1", "add")
    node.addnode("127.0.0.1:1", "remove")
    assert_raises_rpc(-24, "has not been added", node.addnode, "127.0.0.1:1", "remove")
    assert_raises_rpc(-29, "Node not found", node.disconnectnode, "127.0.0.1:9")
    log("ok: addnode and disconnectnode errors")


def hostile_checks(node):
    tip = node.getbestblockhash()
    height = node.getblockcount()
    header = node.getblockheader(tip)
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        c.send_raw(bad_frame(c.magic, "ping", b"\x00" * 8, bad_checksum=True))
        c.sync_with_ping()
        log("ok: a bad checksum is dropped, the connection kept")
        blk = make_block(hex_hash(tip), height + 1, header["time"] + 1)
        blk.merkle_root = b"\x42" * 32
        blk.solve()
        c.send_message(MsgBlock(blk))
        c.wait_for_disconnect(timeout=scaled(30))
    assert_equal(node.getbestblockhash(), tip, "tip unchanged after the bad block")
    log("ok: a block with a bad merkle root disconnects its sender, tip unchanged")
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.send_raw(bad_frame(c.magic, "version", b"", bad_magic=b"\xf9\xbe\xb4\xd9"))
        c.wait_for_disconnect(timeout=scaled(30))
    log("ok: a wrong network magic disconnects")
    # Headers: ten that connect to nothing we know, then one with bad proof of work.
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        orphan = make_block(b"\x77" * 32, height + 5, header["time"] + 1)
        for i in range(9):
            c.send_message(MsgHeaders([orphan]))
            c.wait_for("getheaders", timeout=scaled(30))  # asked for what we missed
        c.send_message(MsgHeaders([orphan]))
        c.wait_for_disconnect(timeout=scaled(30))
    log("ok: the tenth non-connecting headers message disconnects")
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        bad = make_block(hex_hash(tip), height + 1, header["time"] + 1, solve=False)
        bad.bits = 0x1d00ffff  # not regtest's difficulty
        c.send_message(MsgHeaders([bad]))
        c.wait_for_disconnect(timeout=scaled(30))
    check(all(t["hash"] != hash_hex(bad.hash()) for t in node.getchaintips()), "the bad header is not stored")
    log("ok: a header with the wrong difficulty disconnects")

    # A getdata naming a 900 kB block 300 times, from a peer that reads nothing: the node
    # serves it only as the peer's send buffer drains, so it queues a few MB, not 270 MB.
    tip = node.getbestblockhash()
    header = node.getblockheader(tip)
    big = make_block(hex_hash(tip), header["height"] + 1, header["time"] + 1,
                     coinbase_script=b"\x6a" + b"\x00" * 900_000)
    assert_equal(node.submitblock(big.serialize().hex()), None, "a 900 kB block is valid")
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        c.paused = True
        c.send_message(MsgGetData([Inv(MSG_WITNESS_BLOCK, big.hash())] * 300))

        def queued():
            peer = [p for p in node.getpeerinfo() if p["subver"] == "/minicash-p2p-test:0.1/"][0]
            return peer["bytessent_per_msg"].get("block", 0)
        wait_until(lambda: queued() > 0, 30, "the node to start serving the getdata")
        # Until the count stops growing (the node waits for the peer to read).
        last = [-1]

        def settled():
            now, before = queued(), last[0]
            last[0] = now
            return now == before
        wait_until(settled, 60, "the served bytes to settle", interval=0.5)
        check(last[0] < 50_000_000, "blocks queued for a peer that does not read: %d bytes" % last[0])
    log("ok: a getdata flood is served only as fast as the peer reads")

    # With no inbound slot, connections that reset at once are closed without harm.
    n = node.env.add_node(extra_args=["-maxconnections=0", "-debug=net"])
    n.start()
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", n.p2p_port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()  # RST

    def dropped():
        with open(n.debug_log) as f:
            return f.read().count("dropped (full)")
    wait_until(lambda: dropped() == 50, 30, "the node to drop the 50 connections")
    assert_equal(n.getblockcount(), 0, "the node still answers after 50 reset connections")
    log("ok: reset connections past the inbound slots do not hurt the node")


def run(env):
    # -debug=net: a sync that does not finish leaves the peers' messages in the logs.
    a = env.add_node(extra_args=["-debug=net"])
    a.start()
    client_checks(a)

    b = env.add_node(extra_args=["-addnode=" + addr(a), "-debug=net"])
    b.start()
    # C connects once B has A's first blocks: a node in initial block download (B with only the
    # genesis block) ignores getheaders, as Core, and C would then ask again only after Core's
    # 2-minute HEADERS_RESPONSE_TIME (an inv does not answer it; B announces by inv what C lacks).
    wait_same_tip([a, b], timeout=60)
    check(not b.getblockchaininfo()["initialblockdownload"], "B left initial block download")
    c = env.add_node(extra_args=["-addnode=" + addr(b), "-debug=net"])
    c.start()
    a.generatetoaddress(289, REGTEST_ADDR)  # 11 before it (client_checks)
    wait_same_tip([a, b, c], timeout=120)
    assert_equal(c.getblockcount(), 300, "C reached A's height through B")
    check(all(p["addr"] != addr(a) for p in c.getpeerinfo()), "C has no connection to A")
    check(all(p["last_block"] > 0 for p in c.getpeerinfo()), "getpeerinfo's last_block: C got new blocks from B")
    log("ok: A - B - C: C reached A's tip (300) through B")
    with open(b.debug_log) as f:
        text = f.read()
    check(re.search(r"received: headers \(\d+ bytes\) peer=\d+\n", text) and
          re.search(r"sending getheaders \(\d+ bytes\) peer=\d+\n", text),
          "-debug=net logs each message received and sent, as Core ('received: headers (N bytes) peer=N')")

    d = env.add_node(extra_args=["-connect=" + addr(c)])
    d.start()
    wait_same_tip([a, d], timeout=120)
    assert_equal(d.getconnectioncount(), 1, "D connects to C only")
    log("ok: D, started empty with -connect=C, synced the whole chain")

    # Competing forks: two fresh nodes on A's chain, then apart.
    x = env.add_node(extra_args=["-connect=" + addr(a)])
    y = env.add_node(extra_args=["-connect=" + addr(a)])
    x.start()
    y.start()
    wait_same_tip([a, x, y], timeout=120)
    x.stop()
    y.stop()
    x.extra_args, y.extra_args = [], []  # no -connect: apart until addnode
    x.start()
    y.start()
    x.generatetoaddress(5, REGTEST_ADDR)
    y.generatetoaddress(8, REGTEST_ADDR)
    heavier = y.getbestblockhash()
    check(x.getbestblockhash() != heavier, "apart, the two nodes are on different tips")
    x.addnode(addr(y), "onetry")
    wait_same_tip([x, y], timeout=120)
    assert_equal(x.getbestblockhash(), heavier, "x reorganised to the heavier branch")
    assert_equal(x.getblockcount(), 308, "x's height after the reorg")
    log("ok: competing forks converge on the heavier branch")

    # Honest peers were never punished (a headers message that builds on one still queued for
    # validation is not "non-connecting").
    for n in (a, b, c, d, x, y):
        with open(n.debug_log) as f:
            check("Misbehaving" not in f.read(), "node %d punished no honest peer" % n.index)
    hostile_checks(a)
