"""crash_recovery: kill -9 the daemon while it mines and while it imports with -loadblock (the kill
must land mid-import); restart on the same datadir and check the recovered state is consistent
and durable. A coins flush cut between its batches (then replayed on restart) is covered by the
chainstate unit tests through a fault-injecting LevelDB Env (tests/unit/storage/fault_env.h).
The random kill points come from a seed that is logged; MINICASH_TEST_SEED repeats it."""

import os
import random
import threading
import time

from loadblock import expected_utxo
from test_framework import REGTEST_ADDR, RPCError, assert_equal, check, log, \
    parse_block, read_blk_file

TRIALS = 4


def mine_until_killed(node, stop, mined, errors, enough, target):
    """Mines one block per call; sets `enough` once `target` blocks are acknowledged."""
    while not stop.is_set():
        try:
            mined.extend(node.rpc("generatetoaddress", 1, REGTEST_ADDR, timeout=10))
        except Exception as e:  # the kill breaks the connection: that is the point
            errors.append(e)
            enough.set()
            return
        if len(mined) >= target:
            enough.set()


def check_recovered(node, label, min_height):
    """Node just restarted after a crash: consistent tip, UTXO set readable. Returns (height, tip, utxo)."""
    # The blocks stored but not connected before the kill are connected after warm-up (as Core's).
    node.wait_caught_up()
    height = node.getblockcount()
    tip = node.getbestblockhash()
    utxo = node.gettxoutsetinfo()
    check(utxo["height"] == height and utxo["bestblock"] == tip,
          "%s: gettxoutsetinfo succeeds and matches the tip (height %d)" % (label, height))
    check(height >= min_height, "%s: height %d >= %d (height at the last clean restart)" % (label, height, min_height))
    blk = node.getblock(tip)
    check(blk["height"] == height and blk["confirmations"] == 1, "%s: tip block readable" % label)
    if height > 0:
        prev = node.getblock(blk["previousblockhash"])
        check(prev.get("nextblockhash") == tip, "%s: previous block links to the tip" % label)
    tips = node.getchaintips()
    active = [t for t in tips if t["status"] == "active"]
    check(len(active) == 1 and active[0]["hash"] == tip, "%s: getchaintips has the tip as the only active tip" % label)
    return height, tip, utxo


def clean_restart_and_reindex(node, label, height, tip, utxo, extra_args=()):
    node.restart(extra_args=list(extra_args))
    assert_equal(node.getbestblockhash(), tip, "%s: tip after a clean restart" % label)
    assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], utxo["hash_serialized_3"],
                 "%s: UTXO hash after a clean restart equals the recovered one" % label)
    node.stop()
    node.start(extra_args=["-reindex-chainstate"] + list(extra_args), wait=False)
    node.wait_for_rpc(timeout=120)
    node.wait_for_height(height, timeout=120, hash_=tip)
    assert_equal(node.getbestblockhash(), tip, "%s: tip after -reindex-chainstate" % label)
    assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], utxo["hash_serialized_3"],
                 "%s: UTXO hash after -reindex-chainstate equals the recovered one" % label)


def run(env):
    seed = int(os.environ.get("MINICASH_TEST_SEED") or time.time_ns() % (1 << 63))
    log("random seed %d (MINICASH_TEST_SEED=%d repeats this run)" % (seed, seed))
    rng = random.Random(seed)
    kill_while_mining(env, rng)
    kill_during_import(env, rng)


def kill_while_mining(env, rng):
    # Small batches: the coins flush of each clean stop is written in several LevelDB
    # writes (the head-blocks marker path) and the restarts check its result. A kill -9
    # between those writes is not aimed at here (regtest's coinbase-only blocks never fill
    # the cache, so no flush runs while mining); the chainstate unit tests cover it.
    node = env.add_node(extra_args=["-dbcache=4", "-dbbatchsize=2048"])
    node.start()
    clean_height = 0
    for trial in range(1, TRIALS + 1):
        label = "trial %d" % trial
        if not node.is_running():
            node.start()
        start_height = node.getblockcount()
        stop, enough, mined, errors = threading.Event(), threading.Event(), [], []
        target = rng.randint(1, 40)
        t = threading.Thread(target=mine_until_killed, args=(node, stop, mined, errors, enough, target), daemon=True)
        t.start()
        # The kill follows the target-th acknowledged block, while the next one is being mined.
        check(enough.wait(timeout=120) and len(mined) >= target,
              "%s: %d blocks acknowledged before the kill" % (label, target))
        node.kill()
        stop.set()
        t.join(timeout=30)
        check(not t.is_alive(), "%s: mining thread ended after the kill" % label)
        log("%s: killed after block %d; %d blocks acknowledged (heights %d..%d)" %
            (label, target, len(mined), start_height + 1, start_height + len(mined)))

        node.start()
        height, tip, utxo = check_recovered(node, label, max(clean_height, start_height))
        lost = start_height + len(mined) - height
        log("%s: recovered at height %d (%d acknowledged blocks not recovered)" % (label, height, lost))
        check(height >= start_height + len(mined), "%s: every acknowledged block survived the kill" % label)
        check(height <= start_height + len(mined) + 1, "%s: no block beyond the acknowledged ones (+1 in flight)" % label)
        sample = sorted(set([start_height + 1, (start_height + height) // 2, height]))
        for h in sample:
            if start_height < h <= min(height, start_height + len(mined)):
                check(node.getblockhash(h) == mined[h - start_height - 1],
                      "%s: block at height %d is the one mined there" % (label, h))
        clean_restart_and_reindex(node, label, height, tip, utxo)
        clean_height = height
        # mining continues normally on the recovered chain
        node.generatetoaddress(2, REGTEST_ADDR)
        assert_equal(node.getblockcount(), height + 2, "%s: mining continues after recovery" % label)
        clean_height = height + 2
        node.stop()  # durable point for the next trial



IMPORT_BLOCKS = 3000


def kill_during_import(env, rng):
    """kill -9 during a -loadblock import of a regtest chain of IMPORT_BLOCKS blocks (long enough
    that polling can catch it part-way; mainnet's 255 blocks import before RPC is up on a fast
    machine). The kill must land mid-import: the node reported a height strictly between 0 and
    the end just before it; a trial whose import had already finished is repeated, and one that
    never lands fails."""
    src_node = env.add_node()
    src_node.start()
    for _ in range(IMPORT_BLOCKS // 500):
        src_node.rpc("generatetoaddress", 500, REGTEST_ADDR, timeout=300)
    src_node.stop()
    path = os.path.join(env.tmpdir, "regtest-chain.dat")
    with open(os.path.join(src_node.netdir, "blocks", "blk00000.dat"), "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data)
    blocks = [parse_block(b) for b in read_blk_file(data)][1:]  # the file starts with genesis
    n = len(blocks)
    assert_equal(n, IMPORT_BLOCKS, "blocks in the chain to import")
    txouts, total_sat = expected_utxo(blocks)
    for trial in range(1, 3):
        label = "loadblock trial %d" % trial
        for attempt in range(1, 11):
            mnode = env.add_node(extra_args=["-dbcache=4"])
            mnode.start(extra_args=["-loadblock=" + path], wait=False)
            mnode.wait_for_rpc(timeout=60, allow_warmup=True)
            target = rng.randint(1, n - 1)
            last_reported = None
            deadline = time.time() + 60
            # Paced by the RPC itself: each answer is the newest height the node reported.
            while time.time() < deadline:
                try:
                    last_reported = mnode.rpc("getblockcount", timeout=5)
                except RPCError as e:
                    if e.code == -28:
                        continue  # warming up
                    raise
                if last_reported >= target:
                    break
            mnode.kill()
            log("%s.%d: killed after the node reported height %s (target %d)" % (label, attempt, last_reported, target))
            if last_reported is not None and 0 < last_reported < n:
                break
            check(last_reported == n, "%s.%d: the node answered before the kill" % (label, attempt))
        check(last_reported is not None and 0 < last_reported < n,
              "%s: the kill landed mid-import (reported height %s strictly between 0 and %d)" % (label, last_reported, n))
        mnode.start()
        height, tip, utxo = check_recovered(mnode, label, 0)
        check(height <= n, "%s: recovered height %d <= %d" % (label, height, n))
        if height > 0:
            assert_equal(tip, blocks[height - 1]["hash"], "%s: recovered tip is the file's block at that height" % label)
        clean_restart_and_reindex(mnode, label, height, tip, utxo)
        # Finish the import as a user would, with the same -loadblock: the node gets back to at
        # least the last height it reported before the kill (the import made no per-block
        # durability promise, as Core's does not), then to the file's end.
        mnode.restart(extra_args=["-loadblock=" + path])
        mnode.wait_for_height(last_reported, timeout=120)
        assert_equal(mnode.getblockhash(last_reported), blocks[last_reported - 1]["hash"],
                     "%s: the block at the last reported height is the file's" % label)
        log("%s: back at the last height reported before the kill (%d)" % (label, last_reported))
        mnode.wait_for_height(n, timeout=120, hash_=blocks[-1]["hash"])
        assert_equal(mnode.getbestblockhash(), blocks[-1]["hash"], "%s: import completes after the crash" % label)
        u = mnode.gettxoutsetinfo()
        assert_equal((u["txouts"], int(u["total_amount"] * 100000000)), (txouts, total_sat),
                     "%s: UTXO set after completing the import (computed in Python)" % label)
        mnode.stop()
