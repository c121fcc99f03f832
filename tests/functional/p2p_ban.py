"""p2p_ban: the ban list, discouragement, permissions, setnetworkactive and a connection flood.

Python P2P clients connect from chosen loopback sources (127.0.0.N) so one address can be banned and
another not. setban disconnects and then refuses the banned address only; listbanned shows Core's
fields; Core's errors (-23, -30); bans survive a restart (banlist.json in Core's format); clearbanned.
A bad checksum is only dropped (the peer stays); an invalid header (failed proof of work) is
misbehaviour: the peer is disconnected, and, as Core, a loopback peer is not discouraged (Core would
otherwise lock out localhost) while a noban-whitelisted one is not punished at all (getpeerinfo shows
its permissions). setnetworkactive false closes every connection and refuses new ones. Finally, under
`ulimit -n 256`, 1,500 connections (half of them sending a partial header) leave an honest peer and RPC
served, the node's descriptors and memory bounded (-maxconnections reduced to fit, as Core).
"""

import json
import os
import re
import resource
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import (MSG_WITNESS_BLOCK, BlockHeader, Inv, MsgGetData, MsgHeaders, P2PConnection, P2PError,  # noqa: E402
                        bad_frame, make_block)
from test_framework import (REGTEST_ADDR, SkipTest, free_port, assert_equal, assert_raises_rpc, check, log,  # noqa: E402
                            proc_status_kb, scaled, wait_until)

FD_LIMIT = 256
NFLOOD = 1500


def log_text(node):
    with open(node.debug_log, errors="replace") as f:
        return f.read()


def wait_log(node, text, what):
    wait_until(lambda: text in log_text(node), 30, what)


def peer_from(node, source):
    peers = [p for p in node.getpeerinfo() if p["addr"].startswith(source + ":")]
    return peers[0] if peers else None


def connect(node, source):
    c = P2PConnection()
    c.connect(node.p2p_port, source=source)
    return c


def refused(node, source):
    """True if a connection from source is closed by the node before any message."""
    c = connect(node, source)
    try:
        c.wait_for_disconnect(timeout=scaled(10))
        return True
    except P2PError:
        return False
    finally:
        c.close()


def bad_header(node):
    """A header on the genesis block whose proof of work fails (INVALID_HEADER, 'high-hash')."""
    h = BlockHeader(prev=bytes.fromhex(node.getblockhash(0))[::-1], time=node.getblock(node.getblockhash(0))["time"] + 1)
    h.nonce = 0
    while h.check_pow():
        h.nonce += 1
    return h


def test_setban(node):
    c2, c3 = connect(node, "127.0.0.2"), connect(node, "127.0.0.3")
    c2.handshake()
    c3.handshake()
    node.setban("127.0.0.2", "add")
    c2.wait_for_disconnect(timeout=scaled(10))
    c3.sync_with_ping()
    # The socket closes before the peer leaves the node's table (Core's getpeerinfo also lists a
    # peer marked for disconnection until the next pass drops it): wait for the table.
    wait_until(lambda: peer_from(node, "127.0.0.2") is None, 10, "127.0.0.2 gone from getpeerinfo")
    check(peer_from(node, "127.0.0.3") is not None, "setban disconnects 127.0.0.2 only")
    check(refused(node, "127.0.0.2"), "a new connection from the banned address is closed at once")
    wait_log(node, "dropped (banned)", "the refusal in the log")
    c3.close()

    banned = node.listbanned()
    assert_equal([b["address"] for b in banned], ["127.0.0.2/32"], "listbanned")
    assert_equal(banned[0]["ban_duration"], 86400, "the default ban time")
    check(0 < banned[0]["time_remaining"] <= 86400, "time_remaining")
    assert_equal(banned[0]["banned_until"] - banned[0]["ban_created"], 86400, "banned_until")

    assert_raises_rpc(-23, "Error: IP/Subnet already banned", node.setban, "127.0.0.2", "add")
    assert_raises_rpc(-30, "Error: Invalid IP/Subnet", node.setban, "127.0.0.1/33", "add")
    assert_raises_rpc(-30, "Error: Invalid IP/Subnet", node.setban, "not-an-ip", "add")
    assert_raises_rpc(-30, "Error: Unban failed. Requested address/subnet was not previously manually banned.",
                      node.setban, "127.0.0.5", "remove")
    node.setban("127.0.0.64/26", "add", 1000)
    node.setban("2001:db8:1::/48", "add", 2000000000, True)
    assert_equal(sorted(b["address"] for b in node.listbanned()),
                 ["127.0.0.2/32", "127.0.0.64/26", "2001:db8:1::/48"], "subnets in listbanned")
    check(refused(node, "127.0.0.100"), "an address inside a banned subnet is refused")
    log("ok: setban disconnects and refuses only the banned address or subnet; Core's errors")


def test_restart_keeps_bans(node):
    node.stop()
    with open(os.path.join(node.netdir, "banlist.json")) as f:
        data = json.load(f)
    entries = {e["address"]: e for e in data["banned_nets"]}
    assert_equal(sorted(entries), ["127.0.0.2/32", "127.0.0.64/26", "2001:db8:1::/48"], "banlist.json's addresses")
    check(all(e["version"] == 1 and e["banned_until"] > e["ban_created"] for e in entries.values()),
          "banlist.json in Core's format")
    assert_equal(entries["2001:db8:1::/48"]["banned_until"], 2000000000, "an absolute ban time kept")
    node.start()
    assert_equal(len(node.listbanned()), 3, "bans after a restart")
    check(refused(node, "127.0.0.2"), "still refused after a restart")
    node.setban("127.0.0.64/26", "remove")
    assert_equal(len(node.listbanned()), 2, "setban remove")
    node.clearbanned()
    assert_equal(node.listbanned(), [], "clearbanned")
    c = connect(node, "127.0.0.2")
    c.handshake()
    c.close()
    log("ok: bans survive a restart (banlist.json), remove and clearbanned lift them")


def test_misbehaving(node):
    c = connect(node, "127.0.0.4")
    c.handshake()
    c.send_raw(bad_frame(c.magic, "ping", b"\x00" * 8, bad_checksum=True))
    c.sync_with_ping()
    check(c.is_connected(), "a bad checksum is dropped, the peer kept")
    c.send_message(MsgHeaders([bad_header(node)]))
    c.wait_for_disconnect(timeout=scaled(10))
    wait_log(node, "Warning: disconnecting but not discouraging local peer", "Core's rule for a loopback peer")
    check("Misbehaving: peer=" in log_text(node), "the misbehaviour is logged")

    w = connect(node, "127.0.0.9")  # -whitelist=noban@127.0.0.9
    w.handshake()
    assert_equal(peer_from(node, "127.0.0.9")["permissions"], ["noban", "download"],
                 "getpeerinfo permissions of a noban@ whitelisted peer (noban implies download)")
    implicit = connect(node, "127.0.0.12")  # -whitelist=127.0.0.12: Core's implicit set
    implicit.handshake()
    assert_equal(peer_from(node, "127.0.0.12")["permissions"], ["noban", "relay", "mempool", "download"],
                 "getpeerinfo permissions of a whitelisted peer without named permissions")
    implicit.close()
    assert_equal(peer_from(node, "127.0.0.4"), None, "the misbehaving peer is gone")
    w.send_message(MsgHeaders([bad_header(node)]))
    wait_log(node, "Warning: not punishing noban peer", "the noban peer is not punished")
    w.sync_with_ping()
    check(w.is_connected(), "the noban peer stays connected")
    w.close()
    c2 = connect(node, "127.0.0.10")
    c2.handshake()
    assert_equal(peer_from(node, "127.0.0.10")["permissions"], [], "no permissions for other peers")
    c2.close()
    log("ok: misbehaviour disconnects (loopback: not discouraged, as Core); noban peers are not punished")


def test_networkactive(node):
    c = connect(node, "127.0.0.11")
    c.handshake()
    assert_equal(node.setnetworkactive(False), False, "setnetworkactive false")
    c.wait_for_disconnect(timeout=scaled(10))
    info = node.getnetworkinfo()
    assert_equal((info["networkactive"], info["connections"]), (False, 0), "getnetworkinfo while inactive")
    check(refused(node, "127.0.0.11"), "no connection accepted while inactive")
    wait_log(node, "dropped: not accepting new connections", "the refusal in the log")
    assert_equal(node.setnetworkactive(True), True, "setnetworkactive true")
    c = connect(node, "127.0.0.11")
    c.handshake()
    assert_equal(node.getnetworkinfo()["networkactive"], True, "getnetworkinfo active again")
    c.close()
    log("ok: setnetworkactive closes and refuses connections, and back")


def test_options(env, node):
    # Malformed options stop the node with Core's init errors.
    for bad, message in (("-onlynet=foo", "Unknown network specified in -onlynet: 'foo'"),
                         ("-onlynet=onion", "Outbound connections restricted to Tor (-onlynet=onion) but the proxy"),
                         ("-whitebind=bogus@127.0.0.1:1", "Invalid P2P permission: 'bogus'"),
                         ("-whitebind=noban@127.0.0.1", "Need to specify a port with -whitebind: '127.0.0.1'"),
                         ("-whitelist=127.0.0.1/99", "Invalid netmask specified in -whitelist: '127.0.0.1/99'"),
                         ("-maxuploadtarget=12x", "Unable to parse -maxuploadtarget: '12x'")):
        node.start(extra_args=[bad], wait=False)
        node.wait_for_exit(timeout=scaled(60), expect_code=1)
        check(message in node.read_stderr(), "%s refused: %s" % (bad, message))

    # -whitebind listens too and grants its permissions; -onlynet=ipv4 limits ipv6;
    # -maxuploadtarget shows in getnettotals; -networkactive=0 starts inactive.
    wport = free_port()
    node.start(extra_args=["-whitebind=noban,mempool@127.0.0.1:%d" % wport, "-onlynet=ipv4",
                           "-maxuploadtarget=800M", "-networkactive=0"])
    assert_equal(node.getnetworkinfo()["networkactive"], False, "-networkactive=0")
    check(refused(node, "127.0.0.13"), "-networkactive=0 accepts nothing")
    node.setnetworkactive(True)
    c = P2PConnection()
    c.connect(wport, source="127.0.0.13")
    c.handshake()
    assert_equal(peer_from(node, "127.0.0.13")["permissions"], ["noban", "mempool", "download"],
                 "permissions of a peer on the -whitebind address")
    c.close()
    nets = {n["name"]: (n["limited"], n["reachable"]) for n in node.getnetworkinfo()["networks"]}
    assert_equal((nets["ipv4"], nets["ipv6"], nets["onion"]), ((False, True), (True, False), (True, False)),
                 "getnetworkinfo networks with -onlynet=ipv4")
    up = node.getnettotals()["uploadtarget"]
    assert_equal((up["timeframe"], up["target"], up["target_reached"], up["serve_historical_blocks"]),
                 (86400, 800 * 1024 * 1024, False, True), "getnettotals uploadtarget with -maxuploadtarget=800M")
    check(0 < up["bytes_left_in_cycle"] <= 800 * 1024 * 1024 and 0 < up["time_left_in_cycle"] <= 86400,
          "uploadtarget's cycle")
    node.stop()
    log("ok: Core's init errors for the new options; -whitebind, -onlynet, -maxuploadtarget, -networkactive")


def test_upload_target(env):
    """-maxuploadtarget: old blocks are no longer served (the peer is disconnected) once the
    target is near, recent ones are, and a peer with the download permission gets old ones too."""
    node = env.add_node(extra_args=["-debug=net", "-maxuploadtarget=1M", "-whitelist=download@127.0.0.21"])
    node.start()
    genesis = node.getblock(node.getblockhash(0))
    prev, blocks = bytes.fromhex(genesis["hash"])[::-1], []
    for height in range(1, 5):  # three blocks of 2011, then one of now: the first three are historical
        blk = make_block(prev, height, genesis["time"] + height if height < 4 else int(time.time()))
        assert_equal(node.submitblock(blk.serialize().hex()), None, "block %d accepted" % height)
        prev = blk.hash()
        blocks.append(blk)
    assert_equal(node.getnettotals()["uploadtarget"]["serve_historical_blocks"], False,
                 "a 1 MiB target is below the day's buffer: no historical blocks")
    old, recent = Inv(MSG_WITNESS_BLOCK, blocks[0].hash()), Inv(MSG_WITNESS_BLOCK, blocks[3].hash())

    c = connect(node, "127.0.0.20")
    c.handshake()
    c.send_message(MsgGetData([recent]))
    check(c.wait_for("block", timeout=scaled(10)).block.hash() == blocks[3].hash(), "a recent block is served")
    c.send_message(MsgGetData([old]))
    c.wait_for_disconnect(timeout=scaled(10))
    wait_log(node, "historical block serving limit reached, disconnect peer", "the reason in the log")
    c.close()

    d = connect(node, "127.0.0.21")
    d.handshake()
    d.send_message(MsgGetData([old]))
    check(d.wait_for("block", timeout=scaled(10)).block.hash() == blocks[0].hash(),
          "a peer with the download permission still gets historical blocks")
    d.close()
    node.stop()
    log("ok: -maxuploadtarget stops historical blocks except for download peers; recent ones go out")


def limit_fds():
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


def test_flood(env):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = NFLOOD + 200
    if soft != resource.RLIM_INFINITY and soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            raise SkipTest("the hard descriptor limit (%d) is below %d" % (hard, want))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    node = env.add_node(extra_args=["-debug=net"])
    node.preexec_fn = limit_fds
    node.start()
    pid = node.process.pid
    wait_log(node, "Reducing -maxconnections from 125 to", "-maxconnections reduced to the descriptors (Core)")
    m = re.search(r"Reducing -maxconnections from 125 to (\d+)", log_text(node))
    maxconn = int(m.group(1))
    check(maxconn <= FD_LIMIT - 150, "-maxconnections (%d) leaves Core's 150 descriptors" % maxconn)
    node.generatetoaddress(5, REGTEST_ADDR)
    honest = connect(node, "127.0.0.1")
    honest.handshake()
    honest.sync_with_ping()
    rss0 = proc_status_kb(pid)

    log("opening %d connections, half of them sending a partial header" % NFLOOD)
    socks, failed = [], 0
    for i in range(NFLOOD):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.bind(("127.0.%d.%d" % (1 + i // 250, 2 + i % 250), 0))
            s.connect(("127.0.0.1", node.p2p_port))
            if i % 2:
                s.sendall(honest.magic + b"vers")  # 8 of the 24 header bytes
        except OSError:
            failed += 1
            s.close()
            continue
        socks.append(s)
    try:
        log("%d connected, %d failed" % (len(socks), failed))
        check(len(socks) > NFLOOD // 2, "most flood connections reached the node")
        honest.sync_with_ping(timeout=scaled(30))
        check(honest.is_connected(), "the honest peer is still served")
        assert_equal(node.getblockcount(), 5, "RPC answers during the flood")
        # Inbound slots are -maxconnections less Core's 19 outbound ones; an evicted peer may still be closing.
        wait_until(lambda: node.getconnectioncount() <= maxconn - 19, 30, "connections within the inbound slots")
        fds = len(os.listdir("/proc/%d/fd" % pid))
        check(fds < FD_LIMIT - 20, "the node keeps descriptors free (%d open of %d)" % (fds, FD_LIMIT))
        rss = proc_status_kb(pid)
        log("VmRSS %d kB before, %d kB during the flood" % (rss0, rss))
        check(rss < 300 * 1024, "memory bounded (VmRSS %d kB)" % rss)
        # Each newcomer past the full inbound slots evicted a peer (the node may still be taking
        # connections from its backlog on a slow build, so compare with those it took so far).
        slots = maxconn - 19

        def evicted_for_each():
            text = log_text(node)
            added, evictions = text.count("(inbound)"), text.count("for eviction")
            return added > slots + 100 and evictions >= added - slots - 10

        wait_until(evicted_for_each, 30, "an eviction for each newcomer past the full slots")
        evictions = log_text(node).count("for eviction")
        log("ok: full slots evict an unprotected peer for each newcomer (%d evictions)" % evictions)
    finally:
        for s in socks:
            s.close()
    honest.sync_with_ping(timeout=scaled(30))
    honest.close()
    node.generatetoaddress(1, REGTEST_ADDR)
    assert_equal(node.getblockcount(), 6, "the node still mines after the flood")
    log("ok: a flood of connections leaves the honest peer, RPC, descriptors and memory fine")


def run(env):
    node = env.add_node(extra_args=["-debug=net", "-whitelist=noban@127.0.0.9", "-whitelist=127.0.0.12"])
    node.start()
    test_setban(node)
    test_restart_keeps_bans(node)
    test_misbehaving(node)
    test_networkactive(node)
    node.stop()
    test_options(env, node)
    test_upload_target(env)
    test_flood(env)
