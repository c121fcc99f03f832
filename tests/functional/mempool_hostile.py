"""mempool_hostile: hostile transaction input over P2P, handled as Bitcoin Core v30 handles it.

Node A (-maxmempool=5, -whitelist=noban@127.0.0.2) under test, node B dialling A (the honest
relay target), Python P2P peers (p2p_client) sending transactions made in Python.

1. Punishment (Core v30's MaybePunishNodeForTx: only TX_CONSENSUS is Misbehaving; since v30 a
   script failure is "mempool-script-verify-flag-failed", TX_NOT_STANDARD, not punished): a peer
   sending a bad signature, a non-standard version, a zero fee, dust and missing inputs keeps its
   connection; duplicate inputs and outputs above the inputs (consensus) get it disconnected (a
   loopback peer is disconnected, not discouraged, so it may connect again); a noban peer sending
   a consensus-invalid transaction is only logged. testmempoolaccept shows each reason. A copy with
   a bad witness, once rejected, does not block the same txid with the good witness (announced by
   txid by a peer without wtxidrelay, it is still asked for: recent rejects hold wtxids). A
   transaction refused as non-final is taken from the same peer after the next block (Core resets
   its recent rejects when the tip changes).
2. A flood from one peer (2,000 bad-signature variants of a signed P2WPKH spend, 2,000 zero-fee
   spends, 2,000 spends of made-up outputs) while an honest peer sends 20 valid transactions:
   every honest one reaches A's pool (accepted before the flood's last verdict: not
   queued behind it) and B's; none of the flood does; the flooder is kept (none of
   it is consensus-invalid).
3. The orphan pool's per-peer limits (Core v30, node/p2p/orphanage.h): an honest peer sends 10
   small orphans, then a flooder 8 orphans of ~160,000 WU each, more than the 404,000 WU each
   of the two peers may hold; once the parents arrive every honest child is accepted, and of
   the flooder's only its newest (its oldest were evicted: the flooder's own, not the honest
   peer's older ones); the orphans of a peer that disconnected are dropped (their parents come,
   they are not accepted), a connected peer's are accepted.
4. -maxmempool=5: 90 transactions of 79 kB at rising fee rates over P2P: the pool's usage stays
   within 5,000,000 bytes, the cheapest went, mempoolminfee rose; A's VmRSS grows by less than
   200 MB over the whole test.
"""

import os
import sys
import threading
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from optrue_wallet import COIN, SPK, OpTrueWallet, Utxo  # noqa: E402
from p2p_client import MSG_TX, MSG_WITNESS_TX, Inv, MsgInv, MsgTx, P2PConnection, Tx, ser_frame  # noqa: E402
from p2p_client.wallet import MiniWallet  # noqa: E402
from test_framework import assert_equal, check, log, proc_status_kb, scaled, wait_until  # noqa: E402

FLOOD_EACH = 2000
HONEST = 20
HONEST_ORPHANS = 10
HEAVY_ORPHANS = 8
RESERVED_ORPHAN_WEIGHT = 404_000  # DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER, node/p2p/orphanage.h (Core v30)
BIG = 90


def peer(node, source=None, wtxidrelay=True):
    conn = P2PConnection().connect(node.p2p_port, source=source)
    conn.handshake(wtxidrelay=wtxidrelay)
    conn.sync_with_ping()
    return conn


def tx_frame(conn, t):
    return ser_frame(conn.magic, "tx", t.serialize())


def reject_reason(node, t):
    res = node.testmempoolaccept([t.serialize().hex()])[0]
    check(not res["allowed"], "testmempoolaccept refuses it: %s" % res.get("reject-reason"))
    return res["reject-reason"]


def txid_hex(tx):
    return tx.txid()[::-1].hex()


def read_log(node):
    with open(node.debug_log, errors="replace") as f:
        return f.read()


def made_up_utxo(i):
    return Utxo(os.urandom(32).hex(), i % 4, 100_000)


def run(env):
    a = env.add_node(extra_args=["-maxmempool=5", "-whitelist=noban@127.0.0.2", "-debug=net", "-debug=mempool",
                                 "-debug=mempoolrej"])
    b = env.add_node(extra_args=["-debug=mempool"])
    a.start()
    b.start()
    rss_start = proc_status_kb(a.process.pid)
    w = OpTrueWallet(a)
    w.generate(105)
    mw = MiniWallet(a, submit=lambda txs: None)
    # One coinbase fanned out into 400 coins, three of them MiniWallet's (P2WPKH, signed).
    fan = w.create_tx([w.get_utxo()], n_outputs=400, fee_rate=2, extra_outputs=[(COIN, mw.script_pubkey)] * 3)
    a.sendrawtransaction(fan["hex"])
    w.utxos.extend(fan["new_utxos"])
    h = w.generate(1)[0]
    mw.scan_block(h)
    check(len(mw.utxos) == 3 and len(w.utxos) >= 400, "coins: %d OP_TRUE, %d P2WPKH" % (len(w.utxos), len(mw.utxos)))
    b.addnode("127.0.0.1:%d" % a.p2p_port, "add")
    wait_until(lambda: b.getbestblockhash() == a.getbestblockhash(), 60, "B to sync with A")

    # ---- 1. what gets a peer disconnected, and what does not
    signed = mw.create_self_transfer(fee_rate=2)  # valid, never sent: its variants carry a bad signature
    check(a.testmempoolaccept([signed.serialize().hex()])[0]["allowed"], "the signed original is valid")
    bad_sig = Tx.deserialize(signed.serialize())
    bad_sig.vout[0].value -= 1  # the signature commits to the old amount
    u = w.get_utxo()
    policy = {
        "a bad signature": bad_sig,
        "version 4": w.create_tx([u], version=4)["tx"],
        "a zero fee": w.create_tx([u], fee=0)["tx"],
        "a dust output": w.create_tx([u], extra_outputs=[(0, SPK)])["tx"],
        "missing inputs": w.create_tx([made_up_utxo(0)])["tx"],
    }
    expected = {"a bad signature": "mempool-script-verify-flag-failed", "version 4": "version",
                "a zero fee": "min relay fee not met", "a dust output": "dust", "missing inputs": "missing-inputs"}
    with peer(a) as conn:
        for what, t in policy.items():
            reason = reject_reason(a, t)
            check(reason.startswith(expected[what]), "%s: rejected for %r" % (what, reason))
            conn.send_message(MsgTx(t))
            conn.sync_with_ping()
        # the verdicts come from the validation owner: wait for the last one's log line
        wait_until(lambda: "stored orphan tx %s" % txid_hex(policy["missing inputs"]) in read_log(a), 20,
                   "the orphan to be stored")
        conn.sync_with_ping()
        check(conn.is_connected(), "a peer sending transactions with a bad signature, version 4, a zero fee, "
                                   "dust and missing inputs is kept (policy failures are not punished)")
        check(not any(txid_hex(t) in a.getrawmempool() for t in policy.values()), "none of them entered the pool")
        check("Misbehaving: peer=" not in read_log(a), "no Misbehaving line")

    # A bad witness does not get the transaction itself refused: recent rejects hold the wtxid
    # (Core; the reason for BIP-339), so the same txid with a good witness is taken afterwards.
    good = mw.create_self_transfer(fee_rate=2)
    mutated = Tx.deserialize(good.serialize())
    sig = bytearray(mutated.vin[0].witness[0])
    sig[10] ^= 1  # inside r: still strict DER, no longer a valid signature
    mutated.vin[0].witness[0] = bytes(sig)
    check(txid_hex(mutated) == txid_hex(good) and mutated.wtxid() != good.wtxid(), "same txid, another wtxid")
    with peer(a) as mallory, peer(a, wtxidrelay=False) as honest:
        mallory.send_message(MsgTx(mutated))
        wait_until(lambda: "%s (wtxid=%s) from peer" % (txid_hex(mutated), mutated.wtxid()[::-1].hex()) in read_log(a),
                   20, "the bad-witness copy to be rejected")
        # a peer relaying by txid (no wtxidrelay, as btcd) announces the same txid: A still asks for it
        honest.send_message(MsgInv([Inv(MSG_TX, good.txid())]))
        req = honest.wait_for("getdata", lambda m: any(i.hash == good.txid() for i in m.inv), timeout=scaled(20))
        assert_equal([i.type for i in req.inv], [MSG_WITNESS_TX], "A asks the txid-relay peer with the witness flag")
        honest.send_message(MsgTx(good))
        wait_until(lambda: txid_hex(good) in a.getrawmempool(), 20,
                   "the good copy (same txid) to be accepted after the bad-witness one was rejected")
        log("ok: a bad-witness copy did not block the transaction with its good witness (asked for by txid)")

    def invalid(fee):
        """Two consensus-invalid spends of u (CheckTransaction's and CheckTxInputs' failures)."""
        dup = w.create_tx([u], fee=fee)["tx"]
        dup.vin.append(dup.vin[0])
        belowout = w.create_tx([u], fee=fee)["tx"]
        belowout.vout[0].value = u.value + fee
        return {"duplicate inputs": (dup, "bad-txns-inputs-duplicate"),
                "outputs above its inputs": (belowout, "bad-txns-in-belowout")}
    consensus = invalid(500)
    for what, (t, want) in consensus.items():
        assert_equal(reject_reason(a, t), want, "%s: the reject reason" % what)
        conn = peer(a)
        conn.send_message(MsgTx(t))
        conn.wait_for_disconnect(timeout=scaled(20))
        log("ok: a peer sending a transaction with %s (TX_CONSENSUS) is disconnected" % what)
        conn.close()
    text = read_log(a)
    check(text.count("Misbehaving: peer=") == 2 and "disconnecting but not discouraging local peer" in text,
          "Misbehaving logged; the loopback peer disconnected but not discouraged (Core's local-peer rule)")
    with peer(a) as again:
        check(again.is_connected(), "127.0.0.1 may connect again after the disconnection")
    with peer(a, source="127.0.0.2") as noban:
        # fresh ones: a transaction rejected before is not looked at again (recent rejects)
        for t, _ in invalid(600).values():
            noban.send_message(MsgTx(t))
        noban.sync_with_ping()
        wait_until(lambda: read_log(a).count("Misbehaving: peer=") == 4, 20, "the noban peer's Misbehaving lines")
        noban.sync_with_ping()
        check("not punishing noban peer" in read_log(a), "logged: not punishing noban peer")
        check(noban.is_connected(), "a noban peer (127.0.0.2) sending consensus-invalid transactions is kept")

    # Rejections are remembered only until the tip changes (Core resets its recent rejects then):
    # a transaction refused as non-final is taken from the same peer once the next block makes
    # it final.
    height = a.getblockcount()
    early = w.create_tx([w.get_utxo()], fee_rate=2, locktime=height + 1)
    assert_equal(reject_reason(a, early["tx"]), "non-final", "nLockTime at the next height + 1: non-final now")
    with peer(a) as sender:
        sender.send_message(MsgTx(early["tx"]))
        wait_until(lambda: "(wtxid=%s) from peer" % early["wtxid"] in read_log(a), 20, "the non-final refusal")
        w.generate(1)
        b.wait_for_height(height + 1)
        check(a.testmempoolaccept([early["hex"]])[0]["allowed"], "after a block it is final")
        sender.send_message(MsgTx(early["tx"]))
        wait_until(lambda: early["txid"] in a.getrawmempool(), 20,
                   "the transaction refused before the block to be accepted after it")
        log("ok: a transaction refused as non-final was accepted from the same peer after the next block")
        w.utxos.extend(early["new_utxos"])

    # ---- 2. a flood from one peer does not starve an honest one
    flood = []
    low = w.get_utxo()
    for k in range(FLOOD_EACH):
        t = Tx.deserialize(signed.serialize())
        t.vout[0].value -= 2 + k  # a valid-looking spend whose signature is for another amount
        flood.append(t)
        # zero fee, distinct by nSequence (bit 31 set: no relative lock time, BIP-68)
        flood.append(w.create_tx([low], fee=0, sequence=0x80000000 + k)["tx"])
        flood.append(w.create_tx([made_up_utxo(k)], fee_rate=2)["tx"])
    honest = [w.create_tx([w.get_utxo()], fee_rate=2) for _ in range(HONEST)]
    flood_ids = {txid_hex(t) for t in flood}
    with peer(a) as flooder, peer(a) as good:
        frames = [tx_frame(flooder, t) for t in flood]
        t0 = time.time()
        sender = threading.Thread(target=lambda: [flooder.send_raw(b"".join(frames[i:i + 100]))
                                                 for i in range(0, len(frames), 100)])
        sender.start()
        for t in honest:
            good.send_message(MsgTx(t["tx"]))
        want = {t["txid"] for t in honest}
        wait_until(lambda: want <= set(a.getrawmempool()), 60, "the honest transactions in A's pool")
        t_honest = time.time() - t0
        wait_until(lambda: want <= set(b.getrawmempool()), 60, "the honest transactions relayed to B")
        log("ok: %d honest transactions reached A's pool (%.1f s) and B's during a flood of %d" %
            (HONEST, t_honest, len(flood)))
        sender.join()
        flooder.sync_with_ping(timeout=scaled(60))
        check(flooder.is_connected(), "the flooder is kept (no consensus-invalid transaction)")
        check(not (flood_ids & set(a.getrawmempool())), "nothing of the flood is in A's pool")
        check(not (flood_ids & set(b.getrawmempool())), "nor in B's")
        # Served during the flood, not after it: in A's log every honest acceptance comes before
        # the verdict on the flood's last transaction (each verdict is logged on the owner's thread).
        # The ping only says the messages were read: the verdicts come from the validation owner,
        # so wait for the last one to be logged (under load it can come a little later).
        last_marks = ("%s (wtxid=" % txid_hex(flood[-1]), "stored orphan tx %s" % txid_hex(flood[-1]))
        wait_until(lambda: any(x in read_log(a) for x in last_marks), 60, "the verdict on the flood's last transaction")
        lines = read_log(a).splitlines()
        last_flood = max(i for i, line in enumerate(lines) if any(x in line for x in last_marks))
        honest_at = [next(i for i, line in enumerate(lines) if "accepted %s" % t["txid"] in line) for t in honest]
        check(max(honest_at) < last_flood, "every honest transaction was accepted before the flood's last verdict "
                                           "(log lines %d..%d < %d)" % (min(honest_at), max(honest_at), last_flood))
        for t in honest:
            w.utxos.extend(t["new_utxos"])
    wait_until(lambda: len(a.getpeerinfo()) == 1, 20, "A to drop the closed connections (B stays)")

    # ---- 3. the orphan pool's per-peer limits: a flooder loses its own orphans
    parents = [w.create_tx([w.get_utxo()], fee_rate=2) for _ in range(HONEST_ORPHANS + HEAVY_ORPHANS)]
    honest_children = [w.create_tx([p["new_utxos"][0]], fee_rate=2) for p in parents[:HONEST_ORPHANS]]
    heavy_children = []
    for i, p in enumerate(parents[HONEST_ORPHANS:]):
        data = bytes([0x80 + i]) * 40_000
        spk = b"\x6a\x4e" + len(data).to_bytes(4, "little") + data  # OP_RETURN OP_PUSHDATA4 <40 kB>: ~160,000 WU
        heavy_children.append(w.create_tx([p["new_utxos"][0]], fee_rate=2, extra_outputs=[(0, spk)]))
    weights = [c["tx"].weight() for c in heavy_children]
    check(sum(weights) > 2 * RESERVED_ORPHAN_WEIGHT, "the flooder's orphans weigh more than two peers may hold "
                                                     "(%d WU)" % sum(weights))
    with peer(a) as honest_peer, peer(a) as flooder, peer(a) as parent_peer:
        honest_peer.send_raw(b"".join(tx_frame(honest_peer, c["tx"]) for c in honest_children))
        last = "stored orphan tx %s" % honest_children[-1]["txid"]
        wait_until(lambda: last in read_log(a), 30, "the honest peer's orphans to be stored")
        flooder.send_raw(b"".join(tx_frame(flooder, c["tx"]) for c in heavy_children))
        last = "stored orphan tx %s" % heavy_children[-1]["txid"]
        wait_until(lambda: last in read_log(a), 30, "the flooder's last orphan to be stored")
        pool = set(a.getrawmempool())
        check(not ({c["txid"] for c in honest_children + heavy_children} & pool), "no child is in the pool yet")
        parent_peer.send_raw(b"".join(tx_frame(parent_peer, p["tx"]) for p in parents))
        wait_until(lambda: {p["txid"] for p in parents} <= set(a.getrawmempool()), 30, "the parents in A's pool")
        wait_until(lambda: {c["txid"] for c in honest_children} <= set(a.getrawmempool()), 30,
                   "every honest child to be accepted")
        for _ in range(3):
            for c in (honest_peer, flooder, parent_peer):
                c.sync_with_ping()
        pool = set(a.getrawmempool())
        kept = [c["txid"] in pool for c in heavy_children]
        log("    the flooder's children accepted: %s" % "".join("x" if k else "." for k in kept))
        check(kept[-1] and not kept[0], "the flooder's newest orphan was kept, its oldest evicted")
        check(kept == sorted(kept), "the flooder lost its oldest orphans first")
        kept_weight = sum(wt for wt, k in zip(weights, kept) if k)
        check(kept_weight <= 2 * RESERVED_ORPHAN_WEIGHT,
              "what the flooder kept (%d WU) fits the two peers' reservations" % kept_weight)
        check(flooder.is_connected() and honest_peer.is_connected(), "both senders are kept")
        for c in honest_children + [c for c, k in zip(heavy_children, kept) if k]:
            w.utxos.extend(c["new_utxos"])

    # orphans leave with the peer that sent them (Core's EraseForPeer)
    ps = [w.create_tx([w.get_utxo()], fee_rate=2) for _ in range(6)]
    cs = [w.create_tx([p["new_utxos"][0]], fee_rate=2) for p in ps]
    wait_until(lambda: len(a.getpeerinfo()) == 1, 20, "A to drop the closed connections (B stays)")
    with peer(a) as leaving:
        leaving.send_raw(b"".join(tx_frame(leaving, c["tx"]) for c in cs[:5]))
        wait_until(lambda: "stored orphan tx %s" % cs[4]["txid"] in read_log(a), 20, "5 orphans stored")
    wait_until(lambda: len(a.getpeerinfo()) == 1, 20, "A to drop the orphans' sender")
    with peer(a) as staying:
        staying.send_message(MsgTx(cs[5]["tx"]))
        wait_until(lambda: "stored orphan tx %s" % cs[5]["txid"] in read_log(a), 20, "a 6th orphan stored")
        staying.send_raw(b"".join(tx_frame(staying, p["tx"]) for p in ps))
        # the parents' verdicts come in order: the last child's acceptance follows every earlier one's
        wait_until(lambda: cs[5]["txid"] in a.getrawmempool(), 20, "the connected peer's orphan accepted")
        pool = set(a.getrawmempool())
        check({p["txid"] for p in ps} <= pool and not ({c["txid"] for c in cs[:5]} & pool),
              "the orphans of the peer that left were dropped: their parents came, they did not")

    # ---- 4. -maxmempool=5 over P2P
    big = []
    for i in range(BIG):
        data = bytes([i]) * 79_000
        spk = b"\x6a\x4e" + len(data).to_bytes(4, "little") + data  # OP_RETURN OP_PUSHDATA4 <79 kB>
        big.append(w.create_tx([w.get_utxo()], fee_rate=3 + i, extra_outputs=[(0, spk)]))
    with peer(a) as filler:
        for t in big:
            filler.send_message(MsgTx(t["tx"]))
        wait_until(lambda: big[-1]["txid"] in a.getrawmempool(), 60, "the richest big transaction in A's pool")
        filler.sync_with_ping()
        info = a.getmempoolinfo()
        pool = set(a.getrawmempool())
        kept = sum(1 for t in big if t["txid"] in pool)
        check(info["usage"] <= 5_000_000, "usage %d stays within -maxmempool=5 (5,000,000 bytes)" % info["usage"])
        check(kept < BIG, "the full pool evicted %d of the %d big transactions" % (BIG - kept, BIG))
        check(big[0]["txid"] not in pool, "the cheapest went first")
        check(Decimal(str(info["mempoolminfee"])) > Decimal("0.00000100"),
              "mempoolminfee rose (%s)" % info["mempoolminfee"])
        check(filler.is_connected(), "the filling peer is kept")
    grown = (proc_status_kb(a.process.pid) - rss_start) // 1024
    log("A's VmRSS grew by %d MB" % grown)
    check(grown < 200, "A's VmRSS grew by less than 200 MB (%d MB)" % grown)
