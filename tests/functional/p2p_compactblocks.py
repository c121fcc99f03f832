"""p2p_compactblocks: BIP-152 compact blocks (version 2), checked with the independent Python client
(tests/functional/p2p_client/, whose cmpctblock/getblocktxn/blocktxn encodings follow the BIP) and
between minicash nodes.

1. Negotiation and high-bandwidth announcements: after the handshake the node sends
   sendcmpct(announce=0, version=2); the client asks for high-bandwidth mode (sendcmpct 1, 2) and
   getpeerinfo shows bip152_hb_from; a block mined on the node reaches the client as a cmpctblock
   (no headers/inv), which the client decodes and rebuilds on its own (short ids computed in Python
   from its own copies of the block's transactions) into the node's block.
2. Receiving: the client sends a cmpctblock for a new block whose last transaction it does not
   prefill; the node (no mempool) asks for it with getblocktxn, the client answers with blocktxn
   and the block becomes the tip; the client, having given the node a new tip, is chosen as a
   high-bandwidth peer (sendcmpct 1 to it, getpeerinfo bip152_hb_to). A blocktxn with the wrong
   transaction (the rebuilt block misses its merkle root) gets a getdata for the full block and no
   punishment. The cmpctblocks of a block and of its child, both waiting for blocktxn from the
   same peer, are both rebuilt (a partial block for each block in flight, as Core).
2b. Announcements that cannot be placed: a block announced (inv or cmpctblock) while the node's
   getheaders is unanswered, and missing from that answer, is asked for again (at most 3 times
   for a block that never shows up); a cmpctblock right behind its parent's headers message
   connects in queue order, without a getheaders. With 16 blocks in flight from a peer, its
   cmpctblock gets no getblocktxn, and is used only if rebuilt whole (Core).
3. Serving: getdata MSG_CMPCT_BLOCK near the tip gets a cmpctblock, deeper than 5 blocks the full
   block; getblocktxn gets blocktxn (deeper than 10 blocks: the block); an index out of range
   disconnects the asker.
3b. Rebuilt from the pool: a cmpctblock of transactions the node holds, followed in the same write
   by a headers message for the block, connects with nothing asked (no getdata, no getblocktxn):
   the rebuilt block is in flight from its sender until processed, as in Core.
4. Mutated block (CVE-2012-2459: the last transaction duplicated, same merkle root): its sender is
   disconnected as Core does (Misbehaving, not banned: listbanned stays empty and it reconnects), the
   block is not marked invalid (getchaintips), and the real block is then accepted. The same for a
   segwit block with its witnesses stripped; and a cmpctblock whose blocktxn carries a transaction
   with a changed witness (same txid, the witness commitment fails) gets a getdata for the full
   block, unpunished (Core: a compact block's contents are never the peer's fault).
5. Announced before validation (Core's NewPoWValidBlock): a block whose header, structure and
   context are right but whose script fails reaches the high-bandwidth client as a cmpctblock
   although the node then refuses it; the client is not disconnected for asking nothing.
6. A 5-node line: a block mined on the first reaches the last, relayed as cmpctblock between
   minicash nodes (getpeerinfo bip152_hb_to/bip152_hb_from and bytesrecv_per_msg["cmpctblock"]).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import (MSG_BLOCK, MSG_CMPCT_BLOCK, MSG_WITNESS_BLOCK, Block, Inv, MsgBlock, MsgBlockTxn,  # noqa: E402
                        MsgCmpctBlock, MsgGetBlockTxn, MsgGetData, MsgGetHeaders, MsgHeaders, MsgInv, MsgSendCmpct, OutPoint,
                        P2PConnection, Tx, TxIn, TxOut, hash_hex, hex_hash, make_block, merkle_root,
                        p2wsh_script)
from test_framework import REGTEST_ADDR, assert_equal, check, log, scaled, wait_until  # noqa: E402

CLIENT_UA = "/minicash-p2p-test:0.1/"


def client_peer(node):
    peers = [p for p in node.getpeerinfo() if p["subver"] == CLIENT_UA]
    check(len(peers) == 1, "the client in getpeerinfo (%d)" % len(peers))
    return peers[0]


def spend(coinbase, fee=1000):
    """A transaction spending a mature OP_TRUE coinbase output to OP_TRUE."""
    value = coinbase.vout[0].value - fee
    return Tx(2, [TxIn(OutPoint(coinbase.txid(), 0), b"", 0xffffffff)], [TxOut(value, b"\x51")])


class Chain:
    """The client's own view of the node's chain (blocks it built and submitted)."""

    def __init__(self, node):
        self.node = node
        self.coinbases = []  # OP_TRUE coinbases of the client's blocks, oldest first

    def tip(self):
        h = self.node.getbestblockhash()
        return hex_hash(h), self.node.getblockheader(h)

    def build(self, txs=(), fees=0):
        prev, hdr = self.tip()
        return make_block(prev, hdr["height"] + 1, max(hdr["time"] + 1, int(time.time()) - 600), txs, fees=fees)

    def submit(self, blk):
        assert_equal(self.node.submitblock(blk.serialize().hex()), None, "submitblock")
        self.coinbases.append(blk.txs[0])

    def spends(self, n):
        """n transactions spending the oldest unspent client coinbases (mature: 100 deep)."""
        out = [spend(self.coinbases.pop(0)) for _ in range(n)]
        return out, 1000 * n


def negotiate_and_hb_announce(node, chain, c):
    sc = c.wait_for("sendcmpct", timeout=scaled(10))
    assert_equal((sc.announce, sc.version), (False, 2), "the node's sendcmpct after the handshake")
    recv = [cmd for (d, cmd) in c.events if d == "recv"]
    check(recv.index("sendcmpct") > recv.index("verack"), "sendcmpct after verack")
    check(not client_peer(node)["bip152_hb_from"], "no high-bandwidth request yet")
    c.send_message(MsgSendCmpct(True, 1))  # version 1 does not count
    c.sync_with_ping()
    check(not client_peer(node)["bip152_hb_from"], "sendcmpct version 1 is ignored")
    c.send_message(MsgSendCmpct(True, 2))
    c.sync_with_ping()
    check(client_peer(node)["bip152_hb_from"], "getpeerinfo bip152_hb_from after sendcmpct(1, 2)")
    log("ok: sendcmpct(0, 2) after verack; the client's sendcmpct(1, 2) shows as bip152_hb_from")

    # A block mined on the node: announced to the client as a cmpctblock (Core's condition: the
    # client has the parent, here because the node sent it the headers).
    c.send_message(MsgGetHeaders([hex_hash(node.getblockhash(0))]))
    assert_equal(len(c.wait_for("headers", timeout=scaled(10)).headers), node.getblockcount(), "headers")
    c.drain()
    h = node.generatetoaddress(1, REGTEST_ADDR)[0]
    cb = c.wait_for("cmpctblock", timeout=scaled(10))
    assert_equal(hash_hex(cb.header.hash()), h, "the cmpctblock's header is the new tip")
    assert_equal(len(cb.shortids), 0, "a coinbase-only block has no short ids")
    assert_equal([i for i, _ in cb.prefilled], [0], "the coinbase is prefilled")
    txs, missing = cb.reconstruct([])
    assert_equal(missing, [], "nothing missing")
    assert_equal(merkle_root([t.txid() for t in txs]), cb.header.merkle_root, "rebuilt merkle root")
    assert_equal(Block(cb.header, txs).serialize().hex(), node.getblock(h, 0), "the rebuilt block is the node's")

    # A block with transactions the client knows: it rebuilds it from its own copies.
    txs_in, fees = chain.spends(3)
    blk = chain.build(txs_in, fees)
    c.drain()
    chain.submit(blk)
    cb = c.wait_for("cmpctblock", timeout=scaled(10))
    assert_equal(cb.header.hash(), blk.hash(), "the announced block")
    assert_equal(len(cb.shortids), 3, "three short ids")
    txs, missing = cb.reconstruct([txs_in[2], txs_in[0], txs_in[1]])
    assert_equal(missing, [], "the client has every transaction")
    assert_equal(Block(cb.header, txs).serialize().hex(), node.getblock(hash_hex(blk.hash()), 0),
                 "the block rebuilt from short ids computed in Python")
    c.sync_with_ping()
    others = [m.command for m in c.drain() if m.command in ("headers", "inv")]
    assert_equal(others, [], "no headers/inv besides the cmpctblock")
    log("ok: high-bandwidth cmpctblock announcements, decoded and rebuilt by the client")


def receive_compact(node, chain, c):
    # The client's block, its last transaction not prefilled: the node has to ask for it.
    txs_in, fees = chain.spends(3)
    blk = chain.build(txs_in, fees)
    c.send_message(MsgCmpctBlock.from_block(blk, nonce=0x5eed, prefill=(0, 1, 2)))
    req = c.wait_for("getblocktxn", timeout=scaled(10))
    assert_equal(req.block_hash, blk.hash(), "getblocktxn names the block")
    assert_equal(req.indexes, [3], "getblocktxn asks for the one missing transaction")
    check(node.getbestblockhash() != hash_hex(blk.hash()), "not connected before the blocktxn")
    c.send_message(MsgBlockTxn(blk.hash(), [blk.txs[3]]))
    node.wait_for_height(blk_height(node, blk), timeout=scaled(10), hash_=hash_hex(blk.hash()))
    chain.coinbases.append(blk.txs[0])
    # Having given the node its new tip, the client is chosen for high-bandwidth announcements.
    sc = c.wait_for("sendcmpct", lambda m: m.announce, timeout=scaled(10))
    assert_equal(sc.version, 2, "sendcmpct version")
    check(client_peer(node)["bip152_hb_to"], "getpeerinfo bip152_hb_to")
    log("ok: cmpctblock -> getblocktxn [3] -> blocktxn -> tip; the client became a high-bandwidth peer")

    # A blocktxn with the wrong transaction: the rebuilt block misses its merkle root. Not the
    # peer's fault (Core's READ_STATUS_FAILED): the node asks for the full block, no punishment.
    txs_in, fees = chain.spends(3)
    blk = chain.build(txs_in, fees)
    c.send_message(MsgCmpctBlock.from_block(blk, nonce=0xbad, prefill=(0, 1, 2)))
    req = c.wait_for("getblocktxn", timeout=scaled(10))
    assert_equal(req.indexes, [3], "getblocktxn for the last one")
    stranger = spend(chain.coinbases.pop(0))
    c.send_message(MsgBlockTxn(blk.hash(), [stranger]))
    gd = c.wait_for("getdata", timeout=scaled(10))
    assert_equal([(i.type, i.hash) for i in gd.inv], [(MSG_WITNESS_BLOCK, blk.hash())], "the full block asked for")
    check(c.is_connected(), "no punishment for a reconstruction that fails")
    c.send_message(MsgBlock(blk))
    node.wait_for_height(blk_height(node, blk), timeout=scaled(10), hash_=hash_hex(blk.hash()))
    chain.coinbases.append(blk.txs[0])
    log("ok: a reconstruction that misses the merkle root gets a getdata for the full block, which is accepted")

    # All transactions prefilled but the cmpctblock's short ids carry the rest: every one missing.
    txs_in, fees = chain.spends(2)
    blk = chain.build(txs_in, fees)
    c.send_message(MsgCmpctBlock.from_block(blk, nonce=7))
    req = c.wait_for("getblocktxn", timeout=scaled(10))
    assert_equal(req.indexes, [1, 2], "both transactions asked for")
    c.send_message(MsgBlockTxn(blk.hash(), blk.txs[1:]))
    node.wait_for_height(blk_height(node, blk), timeout=scaled(10), hash_=hash_hex(blk.hash()))
    chain.coinbases.append(blk.txs[0])
    log("ok: a cmpctblock of short ids only is completed by blocktxn")

    # Two blocks rebuilt from one peer at once (Core keeps a partial block with each block in
    # flight): the cmpctblocks of a block and of its child, each missing a transaction, then the
    # two blocktxn answers. The first answer must not have been dropped for the second block.
    txs1, fees1 = chain.spends(2)
    blk1 = chain.build(txs1, fees1)
    txs2, fees2 = chain.spends(2)
    height1 = blk_height(node, blk1)
    blk2 = make_block(blk1.hash(), height1 + 1, blk1.header().time + 1, txs2, fees=fees2)
    c.send_message(MsgCmpctBlock.from_block(blk1, nonce=11, prefill=(0, 1)))
    assert_equal(c.wait_for("getblocktxn", timeout=scaled(10)).block_hash, blk1.hash(), "getblocktxn for the first")
    c.send_message(MsgCmpctBlock.from_block(blk2, nonce=12, prefill=(0, 1)))
    req = c.wait_for("getblocktxn", timeout=scaled(10))
    assert_equal((req.block_hash, req.indexes), (blk2.hash(), [2]), "getblocktxn for the second, beside the first")
    c.send_message(MsgBlockTxn(blk1.hash(), [blk1.txs[2]]))
    c.send_message(MsgBlockTxn(blk2.hash(), [blk2.txs[2]]))
    node.wait_for_height(height1 + 1, timeout=scaled(10), hash_=hash_hex(blk2.hash()))
    chain.coinbases += [blk1.txs[0], blk2.txs[0]]
    asked = [m.command for m in c.drain() if m.command in ("getdata", "getblocktxn")]
    assert_equal(asked, [], "neither block fetched again")
    log("ok: two cmpctblocks from one peer rebuilt at once, each completed by its blocktxn")


def whole_from_pool(node, chain):
    # Transactions the node holds in its pool: a cmpctblock of them is rebuilt whole. A headers
    # message for the same block right behind it must not make the node fetch the block too:
    # the rebuilt block counts as in flight from this peer until the node has processed it (as
    # Core marks a compact block before rebuilding it). Before, the headers' turn in the owner's
    # queue came first and the block download sent a getdata for a block it was holding.
    # To P2WSH(OP_TRUE): an OP_TRUE output would leave them under the 65-byte minimum.
    coinbases = [chain.coinbases.pop(0) for _ in range(4)]  # mature for the pool (100 deep at the next block)
    txs_in = [Tx(2, [TxIn(OutPoint(cb.txid(), 0), b"", 0xffffffff)], [TxOut(cb.vout[0].value - 1000,
                                                                               p2wsh_script(b"\x51"))])
              for cb in coinbases]
    for t in txs_in:
        node.sendrawtransaction(t.serialize().hex())
    blk = chain.build(txs_in, 1000 * len(txs_in))
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        c.sync_with_ping()
        c.drain()
        # Both in one write, so the node reads the headers before the rebuilt block is queued.
        c.send_raw(c.frame(MsgCmpctBlock.from_block(blk, nonce=0x600d)) + c.frame(MsgHeaders([blk.header()])))
        node.wait_for_height(blk_height(node, blk), timeout=scaled(10), hash_=hash_hex(blk.hash()))
        chain.coinbases.append(blk.txs[0])
        c.sync_with_ping()
        asked = [m.command for m in c.drain() if m.command in ("getdata", "getblocktxn")]
    assert_equal(asked, [], "nothing asked for a block rebuilt from the pool")
    assert_equal(node.getmempoolinfo()["size"], 0, "the pool emptied by the block")
    log("ok: a cmpctblock rebuilt from the pool, with a headers message behind it, is not fetched again")


def unplaced_announcement(node, chain, c):
    """A block announced while the node's getheaders is unanswered (so its own getheaders is held
    back, as Core's) and still unknown once that answer is processed (the answer was built before
    the block) is asked for again; at most 3 times for a block that never shows up."""
    c.send_message(MsgHeaders([]))  # answers the node's getheaders of the handshake
    c.sync_with_ping()
    c.drain()

    def serve(blocks):
        by_hash = {b.hash(): b for b in blocks}
        asked = set()
        while len(asked) < len(blocks):
            for i in c.wait_for("getdata", timeout=scaled(10)).inv:
                asked.add(i.hash)
                c.send_message(MsgBlock(by_hash[i.hash]))
        node.wait_for_height(blk_height(node, blocks[-1]), timeout=scaled(10), hash_=hash_hex(blocks[-1].hash()))
        chain.coinbases.extend(b.txs[0] for b in blocks)

    height = {}

    def next_block(prev):
        blk = make_block(prev.hash(), height[prev.hash()] + 1, prev.header().time + 1)
        height[blk.hash()] = height[prev.hash()] + 1
        return blk

    for announce in ("inv", "cmpctblock"):
        b1 = chain.build()
        height[b1.hash()] = blk_height(node, b1)
        b2 = next_block(b1)
        b3 = next_block(b2)
        c.send_message(MsgInv([Inv(MSG_BLOCK, b2.hash())]))
        c.wait_for("getheaders", timeout=scaled(10))
        if announce == "inv":
            c.send_message(MsgInv([Inv(MSG_BLOCK, b3.hash())]))
        else:
            c.send_message(MsgCmpctBlock.from_block(b3, nonce=3))
            # An owner job behind the cmpctblock's (queue order): its header check has run.
            node.reconsiderblock(node.getbestblockhash())
        c.sync_with_ping()
        check(not any(m.command == "getheaders" for m in c.drain()),
              "%s: one getheaders unanswered, no second one" % announce)
        c.send_message(MsgHeaders([b1.header(), b2.header()]))
        again = c.wait_for("getheaders", timeout=scaled(10))
        check(again.locator[0] == b2.hash(), "%s: asked again from the headers just received" % announce)
        c.send_message(MsgHeaders([b3.header()]))
        serve([b1, b2, b3])
        log("ok: a block announced (%s) while a getheaders was unanswered, not in its answer, is asked for again" %
            announce)
        prev = b3

    # A headers message and, in the same write, the cmpctblock of its child: the cmpctblock's
    # header connects in queue order (no getheaders), and the block is rebuilt from blocktxn.
    b1 = next_block(prev)
    txs, fees = chain.spends(1)
    b2 = make_block(b1.hash(), height[b1.hash()] + 1, b1.header().time + 1, txs, fees=fees)
    height[b2.hash()] = height[b1.hash()] + 1
    c.send_raw(c.frame(MsgHeaders([b1.header()])) + c.frame(MsgCmpctBlock.from_block(b2, nonce=5, prefill=(0,))))
    req = c.wait_for("getblocktxn", timeout=scaled(10))
    assert_equal((req.block_hash, req.indexes), (b2.hash(), [1]), "getblocktxn for the child")
    gd = c.wait_for("getdata", timeout=scaled(10))
    assert_equal([i.hash for i in gd.inv], [b1.hash()], "the parent asked for")
    c.send_message(MsgBlock(b1))
    c.send_message(MsgBlockTxn(b2.hash(), [b2.txs[1]]))
    node.wait_for_height(height[b2.hash()], timeout=scaled(10), hash_=hash_hex(b2.hash()))
    chain.coinbases += [b1.txs[0], b2.txs[0]]
    check(not any(m.command == "getheaders" for m in c.drain()), "no getheaders: the cmpctblock connected")
    log("ok: a cmpctblock right behind its parent's headers message connects in queue order")
    prev = b2

    # A block that never shows up: asked for again after each of the next 3 headers messages only.
    c.send_message(MsgInv([Inv(MSG_BLOCK, b"\x5a" * 32)]))
    c.wait_for("getheaders", timeout=scaled(10))
    for i in range(4):
        blk = next_block(prev)
        c.send_message(MsgHeaders([blk.header()]))
        serve([blk])
        c.sync_with_ping()
        asked = [m for m in c.drain() if m.command == "getheaders"]
        assert_equal(len(asked), 1 if i < 3 else 0, "getheaders after headers message %d" % (i + 1))
        prev = blk
    log("ok: a block that never shows up is asked for again 3 times, then no more")


def no_room_in_flight(env):
    """A peer with 16 blocks in flight gets no getblocktxn for a cmpctblock near the tip (Core: no
    room for another); a block whose transactions are all at hand (here only its coinbase) is used
    at once all the same, without being marked in flight."""
    node = env.add_node(extra_args=["-debug=net"])
    node.start()
    node.generatetoaddress(1, REGTEST_ADDR)  # a recent tip: out of initial block download
    tip_hash = hex_hash(node.getbestblockhash())
    tip = node.getblockheader(node.getbestblockhash())
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        c.send_message(MsgHeaders([]))  # answers the node's getheaders of the handshake
        # 17 blocks the client announces and never serves: the node asks for 16.
        line, prev = [], tip_hash
        for i in range(17):
            blk = make_block(prev, tip["height"] + 1 + i, tip["time"] + 1 + i)
            line.append(blk)
            prev = blk.hash()
        c.send_message(MsgHeaders([b.header() for b in line]))
        asked = []
        while len(asked) < 16:
            asked += [i.hash for i in c.wait_for("getdata", timeout=scaled(10)).inv]
        assert_equal(sorted(asked), sorted(b.hash() for b in line[:16]), "16 blocks in flight from the client")
        # A sibling of the first, one transaction short of whole: no partial block, no request.
        unseen = spend(line[0].txs[0])  # a transaction the node never saw (only its short id is sent)
        other = make_block(tip_hash, tip["height"] + 1, tip["time"] + 100, [unseen], fees=1000)
        c.send_message(MsgCmpctBlock.from_block(other, nonce=1))
        c.sync_with_ping()
        node.reconsiderblock(node.getbestblockhash())  # an owner job behind the cmpctblock's
        c.sync_with_ping()
        check(not any(m.command == "getblocktxn" for m in c.drain()), "no getblocktxn with 16 blocks in flight")
        # A sibling whose transactions are all at hand (its coinbase, prefilled): used at once.
        whole = make_block(tip_hash, tip["height"] + 1, tip["time"] + 200)
        c.send_message(MsgCmpctBlock.from_block(whole, nonce=2))
        node.wait_for_height(tip["height"] + 1, timeout=scaled(10), hash_=hash_hex(whole.hash()))
    node.stop()
    log("ok: with 16 blocks in flight, a cmpctblock is used only if rebuilt whole, without a getblocktxn")


def blk_height(node, blk):
    return node.getblockheader(hash_hex(blk.header().prev))["height"] + 1


def serve_compact(node, chain, c):
    tip = node.getbestblockhash()
    c.drain()
    c.send_message(MsgGetData([Inv(MSG_CMPCT_BLOCK, hex_hash(tip))]))
    cb = c.wait_for("cmpctblock", timeout=scaled(10))
    assert_equal(hash_hex(cb.header.hash()), tip, "getdata MSG_CMPCT_BLOCK at the tip: a cmpctblock")
    deep = node.getblockhash(node.getblockcount() - 6)
    c.send_message(MsgGetData([Inv(MSG_CMPCT_BLOCK, hex_hash(deep))]))
    b = c.wait_for("block", timeout=scaled(10))
    assert_equal(b.block.serialize().hex(), node.getblock(deep, 0), "6 deep: the full block with witnesses")
    log("ok: getdata MSG_CMPCT_BLOCK: cmpctblock near the tip, the full block 6 deep")

    full = node.getblock(tip, 2)
    check(len(full["tx"]) == 3, "the tip has two transactions beside the coinbase")
    c.send_message(MsgGetBlockTxn(hex_hash(tip), [0, 2]))
    bt = c.wait_for("blocktxn", timeout=scaled(10))
    assert_equal([hash_hex(t.txid()) for t in bt.txs], [full["tx"][0]["txid"], full["tx"][2]["txid"]],
                 "blocktxn carries the asked transactions in order")
    deep = node.getblockhash(node.getblockcount() - 11)
    c.send_message(MsgGetBlockTxn(hex_hash(deep), [0]))
    b = c.wait_for("block", timeout=scaled(10))
    assert_equal(hash_hex(b.block.hash()), deep, "getblocktxn 11 deep: the full block")
    log("ok: getblocktxn answered with blocktxn, 11 deep with the block")
    c.send_message(MsgGetBlockTxn(hex_hash(tip), [5]))
    c.wait_for_disconnect(timeout=scaled(10))
    log("ok: getblocktxn with an index out of range disconnects")


def announce_before_validation(node, chain, c):
    bad = spend(chain.coinbases[0])  # not popped: the block is refused, the coin stays unspent
    bad.vin[0].script_sig = b"\x6a"  # OP_RETURN: only running the script finds it
    blk = chain.build([bad], 1000)
    c.drain()
    r = node.submitblock(blk.serialize().hex())
    check(r is not None, "the node refuses the block when it connects it (%r)" % (r,))
    cb = c.wait_for("cmpctblock", lambda m: m.header.hash() == blk.hash(), timeout=scaled(10))
    assert_equal(len(cb.shortids), 1, "the announced block's one transaction")
    check(node.getbestblockhash() != hash_hex(blk.hash()), "not the tip")
    c.sync_with_ping()
    check(c.is_connected(), "the client is still connected")
    log("ok: a checked but unconnected block went to the high-bandwidth client first (%s)" % r)


def mutated_block(node, chain):
    # Three transactions: the merkle tree pairs the last with itself, so a copy of the block with
    # the last transaction twice has the same root (CVE-2012-2459).
    txs_in, fees = chain.spends(2)
    real = chain.build(txs_in, fees)
    mutated = Block(real.header(), real.txs + [real.txs[-1]])
    assert_equal(merkle_root([t.txid() for t in mutated.txs]), real.merkle_root, "same merkle root")
    h = hash_hex(real.hash())
    tip = node.getbestblockhash()
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        c.send_message(MsgBlock(mutated))
        c.wait_for_disconnect(timeout=scaled(10))  # Core: Misbehaving "mutated block"
    assert_equal(node.getbestblockhash(), tip, "the mutated copy is not connected")
    assert_equal(node.listbanned(), [], "the sender is not banned")
    statuses = {t["hash"]: t["status"] for t in node.getchaintips()}
    check(statuses.get(h) != "invalid", "the block's hash is not marked invalid (%s)" % statuses.get(h))
    log("ok: a mutated block disconnects its sender (as Core), no ban, the hash not marked invalid")
    with P2PConnection() as c:
        c.connect(node.p2p_port)  # the same address reconnects
        c.handshake()
        c.send_message(MsgBlock(real))
        node.wait_for_height(blk_height(node, real), timeout=scaled(10), hash_=h)
        check(c.is_connected(), "the sender of the real block stays connected")
    chain.coinbases.append(real.txs[0])
    log("ok: the real block is accepted afterwards")


def witness_mutations(node, chain):
    # A P2WSH(OP_TRUE) output, then a block spending it with a witness (and a commitment).
    ws = b"\x51"
    fund = chain.coinbases.pop(0)
    t1 = Tx(2, [TxIn(OutPoint(fund.txid(), 0), b"", 0xffffffff)], [TxOut(fund.vout[0].value - 1000, p2wsh_script(ws))])
    b1 = chain.build([t1], 1000)
    chain.submit(b1)
    t2 = Tx(2, [TxIn(OutPoint(t1.txid(), 0), b"", 0xffffffff, [ws])], [TxOut(t1.vout[0].value - 1000, b"\x51")])
    real = chain.build([t2], 1000)
    check(real.txs[0].vin[0].witness != [], "the block commits to its witnesses")
    h = hash_hex(real.hash())
    tip = node.getbestblockhash()
    # The block with every witness stripped: same hash, no commitment match (Core: mutated).
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        c.send_message(MsgBlock(real, witness=False))
        c.wait_for_disconnect(timeout=scaled(10))
    assert_equal(node.getbestblockhash(), tip, "the witness-stripped copy is not connected")
    statuses = {t["hash"]: t["status"] for t in node.getchaintips()}
    check(statuses.get(h) != "invalid", "the hash is not marked invalid (%s)" % statuses.get(h))
    log("ok: a witness-stripped block disconnects its sender (as Core), the hash not marked invalid")
    # Through a cmpctblock, with the missing transaction's witness changed (same txid, so the merkle
    # root matches; the witness commitment does not): the full block is asked for, no punishment.
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        c.send_message(MsgSendCmpct(False, 2))
        c.send_message(MsgCmpctBlock.from_block(real, nonce=0x77))
        req = c.wait_for("getblocktxn", timeout=scaled(10))
        assert_equal(req.indexes, [1], "getblocktxn for the witness spend")
        bent = Tx(2, [TxIn(OutPoint(t1.txid(), 0), b"", 0xffffffff, [ws, b"\x01"])], t2.vout)
        assert_equal(bent.txid(), t2.txid(), "same txid")
        c.send_message(MsgBlockTxn(real.hash(), [bent]))
        gd = c.wait_for("getdata", timeout=scaled(10))
        assert_equal([(i.type, i.hash) for i in gd.inv], [(MSG_WITNESS_BLOCK, real.hash())], "the full block asked for")
        check(c.is_connected(), "no punishment for a witness-mutated reconstruction")
        c.send_message(MsgBlock(real))
        node.wait_for_height(blk_height(node, real), timeout=scaled(10), hash_=h)
    chain.coinbases.append(real.txs[0])
    log("ok: a witness-mutated reconstruction gets a getdata for the full block; the real block is accepted")


def line_of_five(env):
    nodes = [env.add_node(extra_args=["-debug=net"]) for _ in range(5)]
    for n in nodes:
        n.start()
    nodes[0].generatetoaddress(5, REGTEST_ADDR)
    tip = nodes[0].getbestblockhash()
    # One link at a time: a node still in initial block download ignores getheaders (as Core), and
    # its downstream neighbour would ask again only after Core's 2-minute HEADERS_RESPONSE_TIME.
    for i, (a, b) in enumerate(zip(nodes, nodes[1:])):
        b.addnode("127.0.0.1:%d" % a.p2p_port, "add")
        wait_until(lambda: b.getbestblockhash() == tip, 30, "node %d synced" % (i + 1))
    # Blocks until each node has chosen its upstream neighbour as high-bandwidth peer.

    def hb_line():
        for a, b in zip(nodes, nodes[1:]):
            if not any(p["bip152_hb_to"] for p in b.getpeerinfo() if not p["inbound"]):
                return False
        return True

    for _ in range(10):
        if hb_line():
            break
        h = nodes[0].generatetoaddress(1, REGTEST_ADDR)[0]
        wait_until(lambda: all(n.getbestblockhash() == h for n in nodes), 30, "block through the line")
    check(hb_line(), "every node chose its upstream neighbour as high-bandwidth peer")
    before = sum(p["bytesrecv_per_msg"].get("cmpctblock", 0) for p in nodes[4].getpeerinfo())
    h = nodes[0].generatetoaddress(1, REGTEST_ADDR)[0]
    wait_until(lambda: nodes[4].getbestblockhash() == h, 30, "the block on the fifth node")
    for i, (a, b) in enumerate(zip(nodes, nodes[1:])):
        up = [p for p in b.getpeerinfo() if not p["inbound"]]
        check(any(p["bip152_hb_to"] for p in up), "node %d: upstream is bip152_hb_to" % (i + 1))
        down = [p for p in a.getpeerinfo() if p["inbound"]]
        check(any(p["bip152_hb_from"] for p in down), "node %d: downstream is bip152_hb_from" % i)
    after = sum(p["bytesrecv_per_msg"].get("cmpctblock", 0) for p in nodes[4].getpeerinfo())
    check(after > before, "the fifth node received the block as cmpctblock (%d -> %d bytes)" % (before, after))
    got_block = sum(p["bytesrecv_per_msg"].get("block", 0) for p in nodes[4].getpeerinfo())
    log("ok: 5-node line: the block reached the last node as cmpctblock (%d bytes of cmpctblock, %d of block)"
        % (after, got_block))


def run(env):
    # -acceptnonstdtxn: the client's transactions spend its OP_TRUE coinbases (whole_from_pool).
    node = env.add_node(extra_args=["-debug=net", "-acceptnonstdtxn=1"])
    node.start()
    chain = Chain(node)
    # 115 blocks of the client's own (OP_TRUE coinbases it can spend at 100 deep).
    for _ in range(115):
        chain.submit(chain.build())
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        negotiate_and_hb_announce(node, chain, c)
        receive_compact(node, chain, c)
        announce_before_validation(node, chain, c)
        serve_compact(node, chain, c)
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        unplaced_announcement(node, chain, c)
    whole_from_pool(node, chain)
    mutated_block(node, chain)
    witness_mutations(node, chain)
    line_of_five(env)
    no_room_in_flight(env)
