"""mempool_btcd_interop: transaction relay between minicashd and btcd (an independent Go node,
../shared/tools/btcd/) on regtest, with transactions signed by the harness (MiniWallet), never by
minicash's C++ code.

btcd mines 450 blocks to MiniWallet's P2WPKH address (its regtest activates segwit and taproot by
version bits at 432); minicash syncs them over P2P (it dials btcd: btcd is an outbound peer, and
relays by txid: btcd sends no wtxidrelay).
1. minicash -> btcd: a P2WPKH spend, its unconfirmed child, and a transaction funding P2PKH,
   P2SH-P2WPKH, P2WSH (2-of-2) and P2TR outputs, sent to minicash with sendrawtransaction, reach
   btcd's mempool (btcctl getrawmempool), as does a BIP-125 replacement (evicting its original in
   btcd too); btcd mines them and minicash accepts that block (its pool empties).
2. btcd -> minicash: spends of those four outputs (legacy ECDSA, nested and native segwit v0,
   a BIP-341 key path Schnorr signature) and a P2WPKH spend, sent to btcd with btcctl
   sendrawtransaction, reach minicash's mempool; minicash mines them (generatetoaddress takes its
   pool, with a witness commitment) and btcd accepts that block (its pool empties).
Skips loudly when btcd is missing, fails when CI=true.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client.wallet import COIN, MiniWallet  # noqa: E402
from p2p_client_btcd import Btcd, find_btcd  # noqa: E402
from test_framework import assert_equal, check, log, wait_until  # noqa: E402

BTCD_BLOCKS = 450  # past btcd's regtest segwit/taproot activation at 432
KINDS = ("p2pkh", "p2sh_p2wpkh", "p2wsh", "p2tr_key")


def txid_of(tx):
    return tx.txid()[::-1].hex()


def run(env):
    find_btcd()
    node = env.add_node(extra_args=["-debug=mempool", "-debug=net"])
    node.start()
    w = MiniWallet(node, submit=lambda txs: None)
    addr = node.decodescript(w.script_pubkey.hex())["address"]
    btcd = Btcd(env.tmpdir, mining_addr=addr)
    try:
        btcd.start()
        btcd.ctl("generate", str(BTCD_BLOCKS))
        node.addnode("127.0.0.1:%d" % btcd.p2p_port, "add")
        btcd_tip = btcd.ctl("getbestblockhash")
        wait_until(lambda: node.getbestblockhash() == btcd_tip, 90, "minicash to sync btcd's blocks",
                   interval=0.2)
        check("btcd" in node.getpeerinfo()[0]["subver"], "minicash's peer is btcd")
        for h in range(1, 31):
            w.scan_block(node.getblockhash(h))
        check(len(w.utxos) == 30, "btcd's first 30 coinbases pay MiniWallet (%d coins)" % len(w.utxos))

        def btcd_pool():
            return set(json.loads(btcd.ctl("getrawmempool")))

        # 1. minicash -> btcd, mined by btcd
        t1 = w.create_self_transfer(fee_rate=3)
        child = w.create_self_transfer(fee_rate=3, utxo=w.outputs_of(t1)[0])
        fund = w.fund_kinds(KINDS, amount=COIN // 10, fee_rate=3)
        sent = [t1, child, fund]
        for t in sent:
            assert_equal(node.sendrawtransaction(t.serialize().hex()), txid_of(t), "minicash takes the transaction")
        ours = {txid_of(t) for t in sent}
        wait_until(lambda: ours <= btcd_pool(), 60, "minicash's transactions in btcd's mempool", interval=0.2)
        log("ok: a P2WPKH spend, its child and a P2PKH/P2SH-P2WPKH/P2WSH/P2TR funding reached btcd's mempool")
        for t in (t1, child, fund):
            raw = btcd.ctl("getrawtransaction", txid_of(t))
            assert_equal(raw, t.serialize().hex(), "btcd holds %s with its witness, byte for byte" % txid_of(t)[:16])
        # a replacement (BIP-125 signalling: nSequence 0xfffffffd, which btcd requires) sent to
        # minicash reaches btcd and evicts the original there too
        coin = w.get_utxo()
        orig = w.create_self_transfer(fee_rate=3, utxo=coin)
        node.sendrawtransaction(orig.serialize().hex())
        wait_until(lambda: txid_of(orig) in btcd_pool(), 60, "the original in btcd's mempool", interval=0.2)
        repl = w.create_self_transfer(fee_rate=10, utxo=coin)
        node.sendrawtransaction(repl.serialize().hex())
        wait_until(lambda: txid_of(repl) in btcd_pool(), 60, "the replacement in btcd's mempool", interval=0.2)
        check(txid_of(orig) not in btcd_pool() and txid_of(orig) not in node.getrawmempool(),
              "the original left both pools")
        log("ok: a replacement sent to minicash replaced the original in btcd's mempool")
        ours.add(txid_of(repl))
        h = json.loads(btcd.ctl("generate", "1"))[0]
        mined = set(json.loads(btcd.ctl("getblock", h))["tx"])
        check(ours <= mined, "btcd's block %s contains minicash's transactions" % h[:16])
        wait_until(lambda: node.getbestblockhash() == h, 60, "minicash to accept btcd's block", interval=0.2)
        assert_equal(node.getrawmempool(), [], "btcd's block emptied minicash's pool")
        check(set(node.getblock(h)["tx"]) == mined, "minicash's copy of the block has btcd's transactions")
        w.scan_block(h)
        log("ok: btcd mined minicash's transactions and minicash accepted the block")

        # 2. btcd -> minicash, mined by minicash
        back = [w.create_self_transfer(fee_rate=3, utxo=w.get_utxo(k)) for k in KINDS]
        back.append(w.create_self_transfer(fee_rate=3))
        for kind, t in zip(KINDS + ("p2wpkh",), back):
            assert_equal(btcd.ctl("sendrawtransaction", t.serialize().hex()), txid_of(t),
                         "btcd takes the %s spend" % kind)
        theirs = {txid_of(t) for t in back}
        wait_until(lambda: theirs <= set(node.getrawmempool()), 60, "btcd's transactions in minicash's mempool",
                   interval=0.2)
        for t in back:
            assert_equal(node.getrawtransaction(txid_of(t)), t.serialize().hex(),
                         "minicash holds %s with its witness, byte for byte" % txid_of(t)[:16])
        log("ok: P2PKH, P2SH-P2WPKH, P2WSH, P2TR key path and P2WPKH spends sent to btcd reached minicash's mempool")
        h = node.generatetoaddress(1, addr)[0]
        blk = node.getblock(h, 2)
        check(theirs <= {t["txid"] for t in blk["tx"]}, "minicash's block contains btcd's transactions")
        check(any(o["scriptPubKey"]["hex"].startswith("6a24aa21a9ed") for o in blk["tx"][0]["vout"]),
              "its coinbase has a witness commitment (BIP-141)")
        wait_until(lambda: btcd.ctl("getbestblockhash") == h, 60, "btcd to accept minicash's block",
                   interval=0.2)
        assert_equal(set(json.loads(btcd.ctl("getblock", h))["tx"]), set(node.getblock(h)["tx"]),
                     "btcd's copy of minicash's block")
        assert_equal(btcd_pool(), set(), "minicash's block emptied btcd's pool")
        assert_equal(node.getrawmempool(), [], "and minicash's")
        log("ok: minicash mined btcd's transactions (witness commitment) and btcd accepted the block")
    except Exception:
        print("    --- btcd log tail:\n" + btcd.log_tail())
        raise
    finally:
        btcd.stop()
