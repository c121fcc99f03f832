"""invalidate_reorg: two unconnected nodes (no P2P); blocks move between them with submitblock.
A longer fork submitted to A makes it reorg; invalidateblock/reconsiderblock round trip;
waitforblockheight with a timeout."""

from test_framework import REGTEST_ADDR, REGTEST_ADDR2, assert_equal, assert_raises_rpc, check


def relay(src, dst, hashes, what, expect=None):
    """submitblock each block; Core answers null when the block got connected and "inconclusive"
    when it was stored without becoming (part of) the active chain."""
    results = [dst.submitblock(src.getblock(h, 0)) for h in hashes]
    expect = expect if expect is not None else [None] * len(hashes)
    assert_equal(results, expect, "%s: submitblock results" % what)


def run(env):
    a = env.add_node()
    b = env.add_node()
    a.start()
    b.start()

    common = a.generatetoaddress(10, REGTEST_ADDR)
    relay(a, b, common, "A -> B common chain")
    assert_equal(b.getbestblockhash(), common[-1], "B follows A's chain")
    assert_equal(b.submitblock(a.getblock(common[-1], 0)), "duplicate", "resubmitting a known block -> 'duplicate'")
    assert_raises_rpc(-22, "Block decode failed", b.submitblock, "00", what="submitblock of garbage -> -22")
    assert_equal(a.gettxoutsetinfo()["hash_serialized_3"], b.gettxoutsetinfo()["hash_serialized_3"], "same UTXO set on A and B")

    fork_a = a.generatetoaddress(2, REGTEST_ADDR)
    fork_b = b.generatetoaddress(4, REGTEST_ADDR2)
    utxo_a_before = a.gettxoutsetinfo()["hash_serialized_3"]
    utxo_b = b.gettxoutsetinfo()["hash_serialized_3"]
    check(set(fork_a).isdisjoint(fork_b), "the two forks have different blocks")

    # A's shorter fork to B: stored, but B stays on its chain
    relay(a, b, fork_a, "A's 2-block fork -> B", ["inconclusive"] * 2)
    assert_equal(b.getbestblockhash(), fork_b[-1], "B keeps its longer chain")

    # B's longer fork to A: A reorgs
    relay(b, a, fork_b, "B's 4-block fork -> A", ["inconclusive", "inconclusive", None, None])
    assert_equal(a.getbestblockhash(), fork_b[-1], "A reorged to B's longer fork")
    assert_equal(a.getblockcount(), 14, "A height after the reorg")
    assert_equal(a.gettxoutsetinfo()["hash_serialized_3"], utxo_b, "A's UTXO set after the reorg equals B's")
    # MuHash (Core's rolling set hash) agrees too, though A reached the set by a reorg and B directly.
    mu_a, mu_b = a.gettxoutsetinfo("muhash"), b.gettxoutsetinfo("muhash")
    check("muhash" in mu_a and "hash_serialized_3" not in mu_a and len(mu_a["muhash"]) == 64,
          "gettxoutsetinfo muhash reports muhash only")
    assert_equal(mu_a["muhash"], mu_b["muhash"], "A's and B's muhash after the reorg")
    check(mu_a["muhash"] != a.gettxoutsetinfo("none").get("muhash"), "hash_type none reports no hash")
    tips = sorted(a.getchaintips(), key=lambda t: -t["height"])
    assert_equal(tips, [{"height": 14, "hash": fork_b[-1], "branchlen": 0, "status": "active"},
                        {"height": 12, "hash": fork_a[-1], "branchlen": 2, "status": "valid-fork"}],
                 "A's getchaintips: active tip and the old branch as valid-fork")
    old = a.getblock(fork_a[-1])
    assert_equal(old["confirmations"], -1, "a block off the main chain has confirmations -1")
    assert_equal(a.getblock(common[-1])["nextblockhash"], fork_b[0], "fork point's nextblockhash follows the active chain")
    assert_equal(a.getblockhash(11), fork_b[0], "getblockhash(11) is on the new active chain")

    # invalidateblock / reconsiderblock round trip
    assert_equal(a.invalidateblock(fork_b[0]), None, "invalidateblock returns null")
    assert_equal(a.getbestblockhash(), fork_a[-1], "after invalidating B's fork, A goes back to its own fork")
    assert_equal(a.getblockcount(), 12, "height after invalidateblock")
    assert_equal(a.gettxoutsetinfo()["hash_serialized_3"], utxo_a_before, "UTXO set equals A's pre-reorg one")
    tips = {t["hash"]: t for t in a.getchaintips()}
    assert_equal(tips[fork_b[-1]]["status"], "invalid", "the invalidated branch's tip is 'invalid'")
    assert_equal(tips[fork_a[-1]]["status"], "active", "A's own fork is active again")
    assert_equal(a.reconsiderblock(fork_b[0]), None, "reconsiderblock returns null")
    assert_equal(a.getbestblockhash(), fork_b[-1], "after reconsiderblock, A is back on the longer fork")
    assert_equal(a.gettxoutsetinfo()["hash_serialized_3"], utxo_b, "UTXO set after reconsiderblock")
    assert_raises_rpc(-5, "Block not found", a.invalidateblock, "22" * 32, what="invalidateblock(unknown) -> -5")

    # invalidating a main-chain block deep in the common part, then reconsidering
    a.invalidateblock(common[5])
    assert_equal(a.getblockcount(), 5, "invalidating height 6 rewinds to height 5")
    a.reconsiderblock(common[5])
    assert_equal(a.getbestblockhash(), fork_b[-1], "reconsider restores the best tip")

    # restart keeps the chosen chain and the fork
    a.restart()
    assert_equal(a.getbestblockhash(), fork_b[-1], "A's tip after restart")
    assert_equal(len(a.getchaintips()), 2, "A still knows both tips after restart")

    # waitforblockheight
    r = a.waitforblockheight(14, 1000)
    assert_equal(r, {"hash": fork_b[-1], "height": 14}, "waitforblockheight(current height) returns the tip at once")
    # (No assertion on how long it waited: tests never assert on wall-clock time.)
    r = a.waitforblockheight(100, 500)
    assert_equal(r, {"hash": fork_b[-1], "height": 14}, "waitforblockheight(100, 500ms) times out returning the tip")
    a.stop()
    b.stop()
