"""txindex: -txindex switched on for an existing datadir builds the index in the background from the
stored blocks (getindexinfo reports it; early transactions become available), follows new blocks,
survives a kill -9 (caught up from its own best block), and logs as Core's BaseIndex."""

from test_framework import REGTEST_ADDR, assert_equal, assert_raises_rpc, check, wait_until


def log_text(node):
    with open(node.debug_log, encoding="utf-8", errors="replace") as f:
        return f.read()


def run(env):
    n = env.add_node()
    n.start()
    hashes = n.generatetoaddress(150, REGTEST_ADDR)
    early_cb = n.getblock(hashes[0], 2)["tx"][0]
    late_cb = n.getblock(hashes[-1], 2)["tx"][0]
    assert_equal(n.getindexinfo(), {}, "getindexinfo without -txindex is an empty object")
    assert_raises_rpc(-5, "Use -txindex", n.getrawtransaction, early_cb["txid"],
                      what="getrawtransaction without -txindex")

    # ---- switch -txindex on for the existing datadir
    n.restart(extra_args=["-txindex"])
    wait_until(lambda: n.getindexinfo()["txindex"]["synced"], 60, "txindex synced")
    assert_equal(n.getindexinfo(), {"txindex": {"synced": True, "best_block_height": 150}},
                 "getindexinfo after the background sync")
    assert_equal(n.getindexinfo("txindex"), n.getindexinfo(), "getindexinfo filtered by name")
    assert_equal(n.getindexinfo("coinstatsindex"), {}, "getindexinfo for an index that is not running")
    assert_equal(n.getrawtransaction(early_cb["txid"]), early_cb["hex"],
                 "getrawtransaction of block 1's coinbase without a blockhash (indexed from stored blocks)")
    assert_equal(n.getrawtransaction(late_cb["txid"], True)["blockhash"], hashes[-1], "verbose blockhash of the tip's coinbase")
    text = log_text(n)
    check("txindex thread start" in text, "log: 'txindex thread start'")
    check("Syncing txindex with block chain from height 0" in text, "log: 'Syncing txindex with block chain from height 0'")
    check("txindex is enabled at height 150" in text, "log: 'txindex is enabled at height 150'")

    # ---- following new blocks
    new = n.generatetoaddress(1, REGTEST_ADDR)[0]
    new_cb = n.getblock(new, 2)["tx"][0]
    assert_equal(n.getrawtransaction(new_cb["txid"]), new_cb["hex"], "a new block's coinbase is found right away")
    assert_equal(n.getindexinfo()["txindex"]["best_block_height"], 151, "best_block_height follows the tip")

    # ---- a reorg: the index's best block follows the active chain
    n.invalidateblock(new)
    assert_equal(n.getindexinfo()["txindex"]["best_block_height"], 150, "invalidateblock rewinds the index")
    n.reconsiderblock(new)
    assert_equal(n.getindexinfo()["txindex"]["best_block_height"], 151, "reconsiderblock moves it forward again")

    # ---- a clean stop: thread exit, and no resync on the next start
    n.stop()
    check("txindex thread exit" in log_text(n), "log: 'txindex thread exit'")
    before = log_text(n).count("Syncing txindex")
    n.start(extra_args=["-txindex"])
    wait_until(lambda: n.getindexinfo()["txindex"]["synced"], 60, "txindex synced after a clean restart")
    assert_equal(log_text(n).count("Syncing txindex"), before, "no sync needed after a clean stop")
    check("txindex is enabled at height 151" in log_text(n), "log: 'txindex is enabled at height 151'")

    # ---- blocks mined without the index are caught up on the next start with it
    n.restart()
    more = n.generatetoaddress(5, REGTEST_ADDR)
    n.restart(extra_args=["-txindex"])
    wait_until(lambda: n.getindexinfo()["txindex"] == {"synced": True, "best_block_height": 156}, 60,
               "txindex caught up to height 156")
    check("Syncing txindex with block chain from height 152" in log_text(n),
          "log: the sync starts after the index's own best block (152)")
    cb = n.getblock(more[2], 2)["tx"][0]
    assert_equal(n.getrawtransaction(cb["txid"]), cb["hex"], "a coinbase of a block mined without -txindex")

    # ---- -reindex-chainstate keeps the index (Core wipes indexes on -reindex only); it resumes after the rebuild
    syncs = log_text(n).count("Syncing txindex")
    n.restart(extra_args=["-txindex", "-reindex-chainstate"])
    wait_until(lambda: n.getblockcount() == 156 and n.getindexinfo()["txindex"] == {"synced": True, "best_block_height": 156},
               60, "txindex synced at 156 after -reindex-chainstate")
    assert_equal(log_text(n).count("Syncing txindex"), syncs, "-reindex-chainstate did not wipe the index (no resync)")
    n.restart(extra_args=["-txindex"])

    # ---- kill -9 and start again: still consistent
    n.generatetoaddress(3, REGTEST_ADDR)
    n.kill()
    n.start(extra_args=["-txindex"])
    wait_until(lambda: n.getindexinfo()["txindex"] == {"synced": True, "best_block_height": 159}, 60,
               "txindex synced at 159 after kill -9")
    cb = n.getblock(n.getblockhash(159), 2)["tx"][0]
    assert_equal(n.getrawtransaction(cb["txid"]), cb["hex"], "the tip's coinbase after kill -9")
