"""p2p_addr: the address manager, address relay and automatic outbound connections.

Node A runs with -connect=0 -listen=1 (it learns addresses but never dials any: the addresses here
are public ones, never contacted). The Python client (tests/functional/p2p_client/):
- as an inbound peer, floods A with addr messages: Core's token bucket (0.1 address a second, 1
  to start) drops almost all of them and counts them in getpeerinfo's addr_rate_limited, A stays
  responsive and learns no more than it processed; an addr of 1,001 entries is a disconnect;
- as an outbound peer A dialled (addnode onetry), answers A's getaddr with an addrv2 of 300 public
  addresses plus private/loopback ones: A learns the public ones (getnodeaddresses), not the others;
- as another inbound peer, sends getaddr twice: one answer (at most 23% of what A knows), then none;
  a getaddr from an outbound peer is never answered.
A restarts and still knows the same addresses (peers.dat); a corrupt peers.dat stops start-up.
Node B (regtest's -addrmanunroutable: it may learn 127.0.0.x) is given node C's address with
addpeeraddress and connects to C by itself (outbound-full-relay).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import (NET_IPV4, NODE_NETWORK, NODE_WITNESS, AddrV2, MsgAddr, MsgAddrV2,  # noqa: E402
                        MsgGetAddr, NetAddr, P2PConnection)
from test_framework import assert_equal, assert_raises_rpc, check, log, scaled, wait_until  # noqa: E402

SERVICES = NODE_NETWORK | NODE_WITNESS


def public_v4(i):
    """A distinct public IPv4 address per i < 1000, each in its own /16 (never contacted)."""
    return "%d.%d.%d.%d" % (11 + i // 200, i % 200, 7, 9)


def flood_v4(k, j):
    """The j-th address of the k-th flood message (k < 60, j < 1000)."""
    return "%d.%d.%d.9" % (160 + k, j // 250, j % 250)


def peer_of(node, pred):
    peers = [p for p in node.getpeerinfo() if pred(p)]
    check(len(peers) == 1, "one matching peer in getpeerinfo (%d)" % len(peers))
    return peers[0]


def known(node):
    return {(a["address"], a["port"]) for a in node.getnodeaddresses(0)}


def flood(a):
    with P2PConnection() as c:
        c.connect(a.p2p_port)
        c.handshake()
        now = int(time.time())
        sent = 0
        for k in range(60):
            c.send_message(MsgAddr([NetAddr(flood_v4(k, j), 8333, SERVICES, now) for j in range(1000)]))
            sent += 1000
        c.sync_with_ping(timeout=scaled(60))
        p = peer_of(a, lambda p: p["inbound"])
        # Tokens: 1 to start, 0.1 a second since; a generous bound for a slow machine.
        check(p["addr_processed"] <= 20, "A processed at most a handful of the flood (%d)" % p["addr_processed"])
        assert_equal(p["addr_processed"] + p["addr_rate_limited"], sent, "every flooded address counted")
        check(p["addr_relay_enabled"], "addr relay enabled for an inbound peer that sent addr")
        check(len(a.getnodeaddresses(0)) <= p["addr_processed"], "A learned no more than it processed")
        assert_equal(a.getblockcount(), 0, "A answers RPC during the flood")
        # More than MAX_ADDR_TO_SEND entries in one message: Misbehaving, disconnected.
        c.send_message(MsgAddr([NetAddr(public_v4(j), 8333, SERVICES, now) for j in range(1001)]))
        c.wait_for_disconnect(timeout=scaled(30))
    log("ok: an addr flood of %d entries was rate limited; 1,001 entries disconnect" % sent)


def learn_from_getaddr(a):
    with P2PConnection() as c:
        port = c.listen()
        a.addnode("127.0.0.1:%d" % port, "onetry")
        c.accept(timeout=scaled(30))
        c.handshake(inbound=True)
        c.wait_for("getaddr", timeout=scaled(30))
        now = int(time.time())
        entries = [AddrV2(NET_IPV4, bytes(int(x) for x in public_v4(i).split(".")), 8333, SERVICES, now)
                   for i in range(300)]
        private = ["10.1.2.3", "192.168.7.7", "127.0.0.9", "172.16.1.1"]
        entries += [AddrV2(NET_IPV4, bytes(int(x) for x in ip.split(".")), 8333, SERVICES, now) for ip in private]
        # A banned address is not learned (nor counted as processed), as Core.
        a.setban("13.1.2.3", "add")
        entries.append(AddrV2(NET_IPV4, bytes([13, 1, 2, 3]), 8333, SERVICES, now))
        c.send_message(MsgAddrV2(entries))
        c.sync_with_ping(timeout=scaled(30))
        p = peer_of(a, lambda p: not p["inbound"])
        assert_equal(p["connection_type"], "manual", "the addnode peer's connection_type")
        assert_equal(p["addr_rate_limited"], 0, "the answer to A's getaddr is not rate limited")
        assert_equal(p["addr_processed"], len(entries) - 1, "every entry but the banned one processed")
        got = known(a)
        learned = {(public_v4(i), 8333) for i in range(300)} & got
        # One source: a few may collide in its 64 buckets, most are kept.
        check(len(learned) >= 250, "A learned the public addresses (%d of 300)" % len(learned))
        check(not any(ip in {g[0] for g in got} for ip in private), "no private or loopback address learned")
        check(("13.1.2.3", 8333) not in got, "the banned address not learned")
        assert_equal(len(a.getnodeaddresses()), 1, "getnodeaddresses' default count")
        assert_equal(a.getnodeaddresses(0, "ipv6"), [], "no IPv6 addresses")
        check(all(x["network"] == "ipv4" and x["services"] == SERVICES for x in a.getnodeaddresses(5, "ipv4")),
              "getnodeaddresses' fields")
        assert_raises_rpc(-8, "Address count out of range", a.getnodeaddresses, -1)
        assert_raises_rpc(-8, "Network not recognized: mars", a.getnodeaddresses, 1, "mars")
        # A getaddr from a peer A dialled is ignored (Core: against fingerprinting).
        c.send_message(MsgGetAddr())
        c.sync_with_ping(timeout=scaled(30))
        time.sleep(0.5)
        c.sync_with_ping(timeout=scaled(30))
        check(not [m for m in c.drain() if m.command in ("addr", "addrv2")], "no answer to an outbound peer's getaddr")
    log("ok: A learned %d addresses from its getaddr" % len(learned))
    return got


def getaddr_once(a, total):
    with P2PConnection() as c:
        c.connect(a.p2p_port)
        c.handshake()
        c.send_message(MsgGetAddr())
        answer = c.wait_for("addrv2", timeout=scaled(30))
        check(0 < len(answer.addrs) <= total * 23 // 100 + 1, "at most 23%% of %d known (%d)" % (total, len(answer.addrs)))
        c.send_message(MsgGetAddr())
        c.sync_with_ping(timeout=scaled(30))
        time.sleep(0.5)
        c.sync_with_ping(timeout=scaled(30))
        check(not [m for m in c.drain() if m.command in ("addr", "addrv2")], "a second getaddr is not answered")
    # Another connection gets the same sample (Core's getaddr response cache), not a new one.
    with P2PConnection() as c:
        c.connect(a.p2p_port)
        c.handshake()
        c.send_message(MsgGetAddr())
        again = c.wait_for("addrv2", timeout=scaled(30))
        as_set = lambda m: {(e.to_string(), e.port) for e in m.addrs}  # noqa: E731
        check(as_set(again) == as_set(answer), "a new connection gets the cached sample")
    log("ok: getaddr answered once (%d addresses), from a cache" % len(answer.addrs))


def relay(a):
    """A fresh address in a small unsolicited addr goes on to a peer with address relay on."""
    with P2PConnection() as x, P2PConnection() as y:
        y.connect(a.p2p_port)
        y.handshake()
        y.send_message(MsgAddr([]))  # address relay starts when an inbound peer uses it (Core)
        y.sync_with_ping(timeout=scaled(30))
        x.connect(a.p2p_port)
        x.handshake()
        fresh = AddrV2(NET_IPV4, bytes([99, 88, 77, 66]), 8333, SERVICES, int(time.time()))
        x.send_message(MsgAddrV2([fresh]))
        got = y.wait_for("addrv2", lambda m: any(e.to_string() == "99.88.77.66" for e in m.addrs),
                         timeout=scaled(30))
        check(len(got.addrs) <= 10, "the relay carries the fresh address (%d entries)" % len(got.addrs))
        x.sync_with_ping(timeout=scaled(30))
        check(not [m for m in x.drain() if m.command in ("addr", "addrv2") and
                   any(e.to_string() == "99.88.77.66" for e in m.addrs)], "not relayed back to its sender")
    log("ok: a fresh address was relayed to another peer")


def seednode(env):
    """-seednode: an addr-fetch connection that asks for addresses and leaves once it has them."""
    with P2PConnection() as s:
        port = s.listen()
        d = env.add_node(extra_args=["-seednode=127.0.0.1:%d" % port])
        d.start()
        s.accept(timeout=scaled(30))
        s.handshake(inbound=True)
        s.wait_for("getaddr", timeout=scaled(30))
        assert_equal([p["connection_type"] for p in d.getpeerinfo()], ["addr-fetch"], "D's seed connection")
        now = int(time.time())
        s.send_message(MsgAddrV2([AddrV2(NET_IPV4, bytes([21, i, 3, 4]), 8333, SERVICES, now) for i in range(5)]))
        s.wait_for_disconnect(timeout=scaled(30))
    assert_equal(len(d.getnodeaddresses(0)), 5, "D learned the seed's addresses")
    d.stop()
    log("ok: -seednode fetched addresses and disconnected")


def restart_keeps_addresses(a, before):
    a.restart()
    after = known(a)
    check(after == before, "the same addresses known after a restart (%d, before %d)" % (len(after), len(before)))
    a.stop()
    peers = os.path.join(a.netdir, "peers.dat")
    with open(peers, "r+b") as f:
        f.seek(100)
        b = f.read(1)
        f.seek(100)
        f.write(bytes([b[0] ^ 0xff]))
    a.start(wait=False)
    rc = a.wait_for_exit(timeout=60)
    check(rc != 0, "a corrupt peers.dat stops start-up (exit code %s)" % rc)
    check("Invalid or corrupt peers.dat" in a.read_stderr(), "the error names peers.dat")
    os.remove(peers)
    a.start()
    assert_equal(a.getnodeaddresses(0), [], "a fresh address table after the file was removed")
    log("ok: peers.dat kept %d addresses across a restart; a corrupt one is refused" % len(before))


def automatic_connection(env, a):
    c = env.add_node()
    c.start()
    b = env.add_node(extra_args=["-addrmanunroutable", "-debug=net"])
    b.start()
    # Without -addrmanunroutable a loopback address is refused, as Core refuses it.
    assert_equal(a.addpeeraddress("127.0.0.1", c.p2p_port), {"success": False, "error": "failed-adding-to-new"},
                 "addpeeraddress of a loopback address on A")
    assert_equal(b.addpeeraddress("127.0.0.1", c.p2p_port, True), {"success": True}, "addpeeraddress on B")
    wait_until(lambda: any(p["connection_type"] == "outbound-full-relay" and p["addr"] == "127.0.0.1:%d" % c.p2p_port
                           for p in b.getpeerinfo()), 30, "B to connect to C by itself")
    wait_until(lambda: any(p["inbound"] for p in c.getpeerinfo()), 30, "C to see B inbound")
    log("ok: B connected by itself to the address it was given")


def run(env):
    a = env.add_node(extra_args=["-connect=0", "-listen=1", "-debug=net"])
    a.start()
    flood(a)
    got = learn_from_getaddr(a)
    getaddr_once(a, len(got))
    relay(a)
    got = known(a)
    restart_keeps_addresses(a, got)
    automatic_connection(env, a)
    seednode(env)
