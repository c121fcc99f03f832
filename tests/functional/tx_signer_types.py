"""Transactions signed by the harness's own signer (p2p_client.key/script/wallet, not minicash's C++)
are valid to the node: a coin is mined to each standard output type (P2PK, P2PKH, P2SH 2-of-3
multisig, bare 2-of-3 multisig, P2SH-P2WPKH, P2WPKH, P2WSH 2-of-2, P2TR key path, P2TR script path, P2A
anchor) and spent in a block built with `generateblock`; an OP_RETURN output is mined; a chain
(one parent, three outputs, a child spending two) is mined in one block; fees equal fee_rate * vsize
as the node computes them; a signature over the wrong amount or a flipped taproot signature makes the
block invalid (so the node really checks what the signer made); inputs signed with SIGHASH_NONE,
SINGLE and ANYONECANPAY (legacy, BIP-143, BIP-341) are valid. Then every type is also sent
through `sendrawtransaction` (accepted by the mempool's standardness rules) and mined from the pool."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import Tx, TxIn, TxOut  # noqa: E402
from p2p_client.script import SIGHASH_ALL, SIGHASH_ANYONECANPAY, SIGHASH_NONE, SIGHASH_SINGLE  # noqa: E402
from p2p_client.wallet import COIN, SPEND_KINDS, MiniWallet, fee_for  # noqa: E402
from test_framework import RPCError, assert_equal, check, log  # noqa: E402


def block_tx(node, block_hash, txid):
    """The verbose entry of txid in block_hash, or None."""
    for t in node.getblock(block_hash, 2)["tx"]:
        if t["txid"] == txid:
            return t
    return None


def check_mined(node, block_hash, tx, fee_rate, what):
    entry = block_tx(node, block_hash, tx.txid()[::-1].hex())
    check(entry is not None, "%s: mined in %s" % (what, block_hash[:16]))
    assert_equal(entry["vsize"], -(-tx.weight() // 4), "%s: node's vsize equals the signer's" % what)
    fee_sat = round(entry["fee"] * COIN)
    assert_equal(fee_sat, fee_for(fee_rate, entry["vsize"]), "%s: fee = %s sat/vB * vsize" % (what, fee_rate))


def expect_rejected(node, wallet, tx, what):
    try:
        node.generateblock("raw(%s)" % wallet.script_pubkey.hex(), [tx.serialize().hex()])
    except RPCError as e:
        check(e.code == -25 or "invalid" in e.message.lower() or "failed" in e.message.lower(),
              "%s: block refused (%s)" % (what, e.message))
        return
    raise AssertionError("%s: a block with a bad signature was accepted" % what)


def run(env):
    node = env.add_node()
    node.start()
    w = MiniWallet(node)
    w.generate(120)
    check(len([u for u in w.utxos if u.coinbase]) == 120, "MiniWallet found its 120 coinbases in the blocks")

    # A tampered signature is refused by the node: first the wrong amount in a BIP-143 signature ...
    coin = w.get_utxo(mark_spent=False)
    bad = w.create_self_transfer(fee_rate=1, utxo=coin)
    coin.value += 1
    w.sign_input(bad, 0, "p2wpkh", [coin.txout()])
    coin.value -= 1
    expect_rejected(node, w, bad, "P2WPKH signed over another amount")
    # ... then one bit of a taproot key path signature.
    fund = w.send_to(w.script_of("p2tr_key"), COIN, fee_rate=1)
    w.submit([fund])
    tr = next(u for u in w.outputs_of(fund) if u.kind == "p2tr_key")
    bad = w.create_self_transfer(fee_rate=1, utxo=tr)
    bad.vin[0].witness[0] = bytes([bad.vin[0].witness[0][0] ^ 1]) + bad.vin[0].witness[0][1:]
    expect_rejected(node, w, bad, "P2TR key path with a flipped signature bit")
    good = w.create_self_transfer(fee_rate=1, utxo=tr)
    check_mined(node, w.submit([good]), good, 1, "the same P2TR coin correctly signed")

    for i, kind in enumerate(SPEND_KINDS):
        rate = [1, 2, 3.5, 10][i % 4]
        res = w.spend_as(kind, amount=COIN // 2, fee_rate=rate)
        fund_hash = node.getblockhash(node.getblockcount() - 1)
        check_mined(node, fund_hash, res["fund"], rate, "%s: funding transaction" % kind)
        check_mined(node, node.getbestblockhash(), res["spend"], rate, "%s: spend by the test signer" % kind)
        fund_txid = res["fund"].txid()[::-1].hex()
        check(node.gettxout(fund_txid, 0) is None, "%s: the funded output is spent" % kind)

    res = w.spend_as("op_return")
    entry = block_tx(node, node.getbestblockhash(), res["fund"].txid()[::-1].hex())
    check(entry is not None and entry["vout"][0]["scriptPubKey"]["type"] == "nulldata",
          "OP_RETURN output mined (%s)" % (entry and entry["vout"][0]["scriptPubKey"]["asm"]))

    # A chain in one block: parent with 3 outputs, child spending 2 of them, grandchild of the child.
    parent = w.create_self_transfer_multi([w.get_utxo()], num_outputs=3, fee_per_output=500)
    outs = w.outputs_of(parent)
    child = w.create_self_transfer_multi(outs[:2], num_outputs=1, fee_per_output=700)
    grandchild = w.create_self_transfer(fee_rate=5, utxo=w.outputs_of(child)[0], version=3, sequence=0)
    h = w.submit([parent, child, grandchild])
    for name, t, fee in (("parent", parent, 1500), ("child", child, 700)):
        e = block_tx(node, h, t.txid()[::-1].hex())
        check(e is not None and round(e["fee"] * COIN) == fee, "chain %s mined with fee %d" % (name, fee))
    check_mined(node, h, grandchild, 5, "chain grandchild (version 3, sequence 0)")
    check_hash_types(node, w)
    check_mempool(node, w)
    node.stop()


def check_hash_types(node, w):
    """Six inputs of three signature hash algorithms, each with another hash type."""
    kinds = ["p2pkh", "p2pkh", "p2wpkh", "p2wpkh", "p2tr_key", "p2tr_key"]
    types = [SIGHASH_SINGLE | SIGHASH_ANYONECANPAY, SIGHASH_NONE, SIGHASH_SINGLE,
             SIGHASH_ALL | SIGHASH_ANYONECANPAY, SIGHASH_SINGLE | SIGHASH_ANYONECANPAY, SIGHASH_NONE]
    fund = w.fund_kinds(kinds, amount=COIN // 10, fee_rate=1)
    w.submit([fund])
    coins = w.outputs_of(fund)[:len(kinds)]
    tx = Tx(2, [TxIn(c.outpoint(), sequence=0xfffffffe) for c in coins],
            [TxOut(COIN // 10 - 1000, w.script_pubkey) for _ in range(len(kinds))], locktime=5)
    spent = [c.txout() for c in coins]
    for i, (c, ht) in enumerate(zip(coins, types)):
        w.sign_input(tx, i, c.kind, spent, hash_type=ht)
    h = w.submit([tx])
    check(block_tx(node, h, tx.txid()[::-1].hex()) is not None,
          "inputs signed with SINGLE|ACP, NONE (legacy), SINGLE, ALL|ACP (BIP-143), SINGLE|ACP, NONE "
          "(BIP-341) are valid to the node")


def check_mempool(node, w):
    """Each type through sendrawtransaction, then mined from the mempool by generatetodescriptor."""
    def via_mempool(txs):
        for t in txs:
            assert_equal(node.sendrawtransaction(t.serialize().hex()), t.txid()[::-1].hex(),
                         "sendrawtransaction accepts the signer's transaction")
        h = w.generate(1)[0]
        mined = set(node.getblock(h)["tx"])
        check(all(t.txid()[::-1].hex() in mined for t in txs), "mined from the mempool")
        return h

    w._submit = via_mempool
    try:
        for kind in SPEND_KINDS + ("op_return",):
            res = w.spend_as(kind, amount=COIN // 4, fee_rate=2)
            log("%s through the mempool: fund %s, spend %s" % (
                kind, res["fund"].txid()[::-1].hex()[:16], res["spend"] and res["spend"].txid()[::-1].hex()[:16]))
    finally:
        w._submit = None
