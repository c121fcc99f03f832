"""reindex: build a 150-block regtest chain with some spending transactions, then check that
-reindex-chainstate and -reindex rebuild exactly the same tip and UTXO set."""

from test_framework import REGTEST_ADDR, REGTEST_ADDR2, add_op_true_witness, assert_equal, check, log

TARGET = 150


def build_chain_with_txs(node, target):
    """Mine `target` blocks: 5 coinbases to bare OP_TRUE, maturity, then blocks holding chains of
    spends (bare OP_TRUE -> P2WSH(OP_TRUE) -> P2WSH(OP_TRUE)). Returns the number of non-coinbase txs."""
    cb_blocks = node.generatetodescriptor(5, "raw(51)")
    node.generatetoaddress(101, REGTEST_ADDR)
    ntx = 0
    for bh in cb_blocks:
        cb = node.getblock(bh, 2)["tx"][0]
        tx1 = node.createrawtransaction([{"txid": cb["txid"], "vout": 0}], [{REGTEST_ADDR2: "30"}, {REGTEST_ADDR: "19.999"}])
        tx1_txid = node.decoderawtransaction(tx1)["txid"]
        tx2 = add_op_true_witness(node.createrawtransaction([{"txid": tx1_txid, "vout": 0}], [{REGTEST_ADDR2: "29.998"}]), 1)
        tx2_txid = node.decoderawtransaction(tx2)["txid"]
        tx3 = add_op_true_witness(node.createrawtransaction([{"txid": tx2_txid, "vout": 0}],
                                                            [{REGTEST_ADDR2: "10"}, {REGTEST_ADDR: "5"}, {"data": "6d696e6963617368"}]), 1)
        r = node.generateblock(REGTEST_ADDR, [tx1, tx2, tx3])
        blk = node.getblock(r["hash"], 1)
        assert_equal(len(blk["tx"]), 4, "generateblock with a chain of 3 spends (block %d)" % blk["height"])
        # As Core's, the coinbase claims the subsidy only (regtest halves every 150 blocks), not the fees.
        cb_sats = sum(int(round(float(o["value"]) * 1e8)) for o in node.getblock(r["hash"], 2)["tx"][0]["vout"])
        assert_equal(cb_sats, (50 * 10**8) >> (blk["height"] // 150), "generateblock coinbase pays the subsidy only")
        ntx += 3
    height = node.getblockcount()
    node.generatetoaddress(target - height, REGTEST_ADDR)
    return ntx


def wait_reindexed(node, height, tip, what):
    node.wait_for_rpc(timeout=120)  # -reindex keeps RPC in warm-up (-28) until the import finishes
    node.wait_for_height(height, timeout=120, hash_=tip)
    assert_equal(node.getbestblockhash(), tip, "tip after %s" % what)
    assert_equal(node.getblockcount(), height, "height after %s" % what)


def run(env):
    node = env.add_node()
    node.start()
    ntx = build_chain_with_txs(node, TARGET)
    log("mined %d blocks with %d non-coinbase transactions" % (TARGET, ntx))
    tip = node.getbestblockhash()
    assert_equal(node.getblockcount(), TARGET, "height after mining")
    before = node.gettxoutsetinfo()
    check(before["transactions"] < before["txouts"], "UTXO set has multi-output transactions (%d txs, %d outs)" %
          (before["transactions"], before["txouts"]))
    chaintips = node.getchaintips()

    node.stop()
    node.start(extra_args=["-reindex-chainstate"], wait=False)
    wait_reindexed(node, TARGET, tip, "-reindex-chainstate")
    after = node.gettxoutsetinfo()
    for k in ("hash_serialized_3", "txouts", "transactions", "total_amount", "bestblock"):
        assert_equal(after[k], before[k], "gettxoutsetinfo %s after -reindex-chainstate" % k)
    assert_equal(node.getchaintips(), chaintips, "getchaintips after -reindex-chainstate")

    node.stop()
    node.start(extra_args=["-reindex"], wait=False)
    wait_reindexed(node, TARGET, tip, "-reindex")
    after = node.gettxoutsetinfo()
    for k in ("hash_serialized_3", "txouts", "transactions", "total_amount", "bestblock"):
        assert_equal(after[k], before[k], "gettxoutsetinfo %s after -reindex" % k)
    assert_equal(node.getchaintips(), chaintips, "getchaintips after -reindex")
    check(all(node.getblockhash(h) == node.getblock(node.getblockhash(h))["hash"] for h in range(0, TARGET + 1, 10)),
          "block index usable after -reindex (getblockhash/getblock every 10 blocks)")

    # a plain restart afterwards must not reindex again and must keep the same state
    node.restart()
    assert_equal(node.getbestblockhash(), tip, "tip after a plain restart following -reindex")
    assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], before["hash_serialized_3"], "UTXO hash after the plain restart")
    # the chain still extends normally
    node.generatetoaddress(5, REGTEST_ADDR)
    assert_equal(node.getblockcount(), TARGET + 5, "mining continues after reindexing")
    node.stop()
