"""p2p_flood: hostile input over P2P, handled as Bitcoin Core handles it, while an honest peer
keeps being served (its getheaders answered after every step) and the node's memory stays bounded.

1. An inv flood: 50,000 announcements of unknown blocks in 1,000 messages. Not misbehaviour (the
   peer stays connected), and, as Core (one getheaders in flight per peer: HEADERS_RESPONSE_TIME),
   the node asks the flooding peer for headers at most once, not once per message.
2. An inv of 50,001 entries (over Core's MAX_INV_SZ): the peer is disconnected.
3. Messages before version (ping, getheaders, inv, headers): ignored, as Core ("non-version message
   before version handshake"): no answer, the connection kept, the handshake then completes; and
   messages between version and verack other than the BIP-339/155 ones are ignored too.
4. A garbage command with a payload: ignored (Core logs unknown messages), the connection kept.
5. A frame header whose length is over 4,000,000 bytes: disconnected (Core's "Size too large").
6. wtxidrelay after verack and a getheaders locator of 102 entries: disconnected without
   Misbehaving (no discouragement), as Core.
The node's VmRSS grows by less than 64 MB over all of it.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import (MSG_BLOCK, Inv, MsgGetHeaders, MsgHeaders, MsgInv, MsgPing, MsgVerack,  # noqa: E402
                        P2PConnection, bad_frame, hex_hash, make_block, ser_compact_size, ser_frame)
from test_framework import REGTEST_ADDR, assert_equal, check, log, proc_status_kb, scaled  # noqa: E402

CHAIN = 20


def run(env):
    node = env.add_node(extra_args=["-debug=net"])
    node.start()
    node.generatetoaddress(CHAIN, REGTEST_ADDR)
    genesis = hex_hash(node.getblockhash(0))
    rss_start = proc_status_kb(node.process.pid)

    with P2PConnection() as honest:
        honest.connect(node.p2p_port)
        honest.handshake()

        def served(what):
            honest.drain()
            honest.send_message(MsgGetHeaders([genesis]))
            headers = honest.wait_for("headers", timeout=scaled(30)).headers
            assert_equal(len(headers), CHAIN, "the honest peer's getheaders answered after %s" % what)

        served("its handshake")

        # 1. 50,000 unknown block announcements in 1,000 inv messages.
        with P2PConnection() as flood:
            flood.connect(node.p2p_port)
            flood.handshake()
            flood.sync_with_ping()
            before = sum(1 for m in flood.received if m.command == "getheaders")
            batch = []
            for i in range(1000):
                payload = ser_compact_size(50) + b"".join(struct.pack("<I", MSG_BLOCK) + os.urandom(32)
                                                          for _ in range(50))
                batch.append(ser_frame(flood.magic, "inv", payload))
                if len(batch) == 100:
                    flood.send_raw(b"".join(batch))
                    batch = []
            flood.sync_with_ping(timeout=scaled(60))
            check(flood.is_connected(), "the inv flooder is still connected (not misbehaviour)")
            asked = sum(1 for m in flood.received if m.command == "getheaders") - before
            log("getheaders sent to the flooder for 1,000 inv messages: %d" % asked)
            check(asked <= 1, "at most one getheaders in flight to the flooder (got %d)" % asked)
            served("an inv flood")
            log("ok: 50,000 block invs in 1,000 messages: the flooder kept, asked for headers %d time(s)" % asked)

            # 2. Over Core's MAX_INV_SZ in one message.
            payload = ser_compact_size(50_001) + (struct.pack("<I", MSG_BLOCK) + b"\x33" * 32) * 50_001
            flood.send_raw(ser_frame(flood.magic, "inv", payload))
            flood.wait_for_disconnect(timeout=scaled(30))
        served("an oversized inv")
        log("ok: an inv of 50,001 entries disconnects")

        # 3. Messages before version, then between version and verack.
        with P2PConnection() as early:
            early.connect(node.p2p_port)
            early.send_message(MsgPing(1))
            early.send_message(MsgGetHeaders([genesis]))
            early.send_message(MsgInv([Inv(MSG_BLOCK, b"\x44" * 32)]))
            tip = node.getblockheader(node.getbestblockhash())
            early.send_message(MsgHeaders([make_block(hex_hash(tip["hash"]), CHAIN + 1, tip["time"] + 1)]))
            early.send_message(early.make_version())
            early.wait_for("version", timeout=scaled(30))
            early.send_message(MsgPing(2))  # between version and verack: ignored too
            early.send_message(MsgGetHeaders([genesis]))
            early.send_message(MsgVerack())
            early.wait_for("verack", timeout=scaled(30))
            early.sync_with_ping()
            answered = [m.command for m in early.received if m.command in ("pong", "headers", "getheaders")]
            pongs = [m.nonce for m in early.received if m.command == "pong"]
            check(1 not in pongs and 2 not in pongs, "no pong for pings before verack (%s)" % pongs)
            check("headers" not in answered, "no headers for a getheaders before verack")
            assert_equal(node.getblockcount(), CHAIN, "the early headers were not taken")
            check(early.is_connected(), "the early peer is still connected")
        served("messages before version")
        log("ok: messages before version and before verack are ignored, the connection kept")

        # 4. A garbage command.
        with P2PConnection() as garbage:
            garbage.connect(node.p2p_port)
            garbage.handshake()
            garbage.send_raw(ser_frame(garbage.magic, "garbagecmd", os.urandom(1000)))
            garbage.send_raw(ser_frame(garbage.magic, "\x01\x02", b""))
            garbage.sync_with_ping()
            check(garbage.is_connected(), "a peer sending unknown commands stays connected")
        served("a garbage command")
        log("ok: unknown commands are ignored")

        # 5. An oversized length in a frame header.
        with P2PConnection() as big:
            big.connect(node.p2p_port)
            big.handshake()
            big.send_raw(bad_frame(big.magic, "ping", b"\x00" * 8, length=4_000_001))
            big.wait_for_disconnect(timeout=scaled(30))
        served("an oversized length")
        log("ok: a length over 4,000,000 disconnects")

        # 6. Protocol slips Core answers with a plain disconnect, not Misbehaving (no
        # discouragement): wtxidrelay after verack, a locator over 101 entries.
        def misbehaving_lines():
            with open(node.debug_log, errors="replace") as f:
                return f.read().count("Misbehaving: peer=")

        before = misbehaving_lines()  # the oversized inv above was one (Core: Misbehaving)
        locator = struct.pack("<I", 70016) + bytes([102]) + b"\x11" * 32 * 102 + b"\x00" * 32
        for name, frame in (("wtxidrelay after verack", lambda c: ser_frame(c.magic, "wtxidrelay", b"")),
                            ("a 102-entry locator", lambda c: ser_frame(c.magic, "getheaders", locator))):
            with P2PConnection() as slip:
                slip.connect(node.p2p_port)
                slip.handshake()
                slip.send_raw(frame(slip))
                slip.wait_for_disconnect(timeout=scaled(30))
            served(name)
        assert_equal(misbehaving_lines(), before, "no Misbehaving for the slips (Core only disconnects)")
        log("ok: wtxidrelay after verack and a 102-entry locator disconnect without punishment")

    rss_end = proc_status_kb(node.process.pid)
    log("VmRSS %d kB -> %d kB" % (rss_start, rss_end))
    check(rss_end - rss_start < 64 * 1024, "VmRSS grew by %d kB" % (rss_end - rss_start))
    log("ok: memory bounded through the flood")
