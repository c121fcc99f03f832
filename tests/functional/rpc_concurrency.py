"""RPC readers hammer the chain while the main thread mines and reorganises it.

Four client threads call getblockheader, getblock (verbosity 1), getblockhash, getchaintips,
gettxout and getbestblockhash in a loop while the main thread mines blocks and builds competing
branches (invalidateblock + mine + reconsiderblock: the first disconnects two blocks, the second
reorganises back to the longer branch). Every reply is checked:

- against facts that never change: a block hash's height and previous block (recorded the first
  time anyone sees the block, compared on every later sighting);
- for consistency inside one reply, which a handler that reads the tip twice, or reads fields
  while validation writes them, can break: getblockheader/getblock's confirmations and
  nextblockhash agree (-1: no next; the tip: 1 and no next; deeper: a next block whose previous
  block is this one, at height + 1); gettxout of a deep coinbase has a bestblock that exists and
  confirmations = bestblock's height - the coin's height + 1; getchaintips has exactly one
  active tip at branchlen 0;
- across calls, in windows where the main thread is known not to be changing the chain (a
  sequence number it bumps before and after each change, like a seqlock): a block that
  getblockheader says is in the active chain is what getblockhash returns at its height, and
  getbestblockhash, getchaintips' active tip and gettxout's bestblock are the same block.

The main thread waits (on a condition, not a timer) until every reader has completed one such
stable check after each change, so the strict checks run throughout. The only RPC error allowed is
getblockhash's -8 "Block height out of range" while the chain is shorter than the reader asked for.
"""

import random
import threading

from test_framework import REGTEST_ADDR, REGTEST_ADDR2, RPCError, TestFailure, check, log

READERS = 4
ROUNDS = 30  # each: mine a block; every third round also a fork (invalidate, mine, reconsider)
DEEP_HEIGHT = 1  # its coinbase is queried with gettxout; reorgs never reach it


class Shared:
    """State shared by the main thread and the readers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.facts = {}  # hash -> (height, previousblockhash or None)
        self.max_height = 0  # highest tip the main thread has produced
        self.seq = 0  # even: the chain is not being changed; odd: a change is in progress
        self.stable_done = {}  # seq -> set of reader ids that completed a stable check at seq
        self.stop = False
        self.errors = []
        self.calls = 0
        self.strict_checks = 0

    def fail(self, msg):
        with self.lock:
            self.errors.append(msg)
            self.stop = True
            self.cond.notify_all()


def note_fact(sh, h, height, prev, where):
    """Records a block's height and parent, or checks them against the first sighting."""
    with sh.lock:
        known = sh.facts.get(h)
        if known is None:
            sh.facts[h] = (height, prev)
            return
    if known != (height, prev):
        raise TestFailure("%s: block %s seen as (height %s, prev %s), earlier as %s" % (where, h, height, prev, known))


def check_header_reply(sh, r, where):
    """getblockheader / getblock verbosity 1: immutable facts and confirmations vs nextblockhash."""
    h, height, conf = r["hash"], r["height"], r["confirmations"]
    note_fact(sh, h, height, r.get("previousblockhash"), where)
    nxt = r.get("nextblockhash")
    if conf == -1:
        if nxt is not None:
            raise TestFailure("%s: %s has confirmations -1 but nextblockhash %s" % (where, h, nxt))
    elif conf == 1:
        if nxt is not None:
            raise TestFailure("%s: %s has confirmations 1 (the tip) but nextblockhash %s" % (where, h, nxt))
    elif conf > 1:
        if nxt is None:
            raise TestFailure("%s: %s has confirmations %d but no nextblockhash" % (where, h, conf))
        with sh.lock:
            known_next = sh.facts.get(nxt)
        if known_next is not None and known_next != (height + 1, h):
            raise TestFailure("%s: nextblockhash %s of %s (height %d) is %s" % (where, nxt, h, height, known_next))
    else:
        raise TestFailure("%s: %s has confirmations %r" % (where, h, conf))
    with sh.lock:
        limit = sh.max_height + 2  # a reader may see a block the main thread has not recorded yet
    if conf > 0 and height + conf - 1 > limit:
        raise TestFailure("%s: %s implies a tip at height %d, above anything mined" % (where, h, height + conf - 1))


def reader(node, sh, rid, deep_txid, deep_hash):
    rng = random.Random(rid)
    try:
        while True:
            with sh.lock:
                if sh.stop:
                    return
                seq0 = sh.seq
                hashes = list(sh.facts)
                top = sh.max_height
            # One round of every reader call, each reply checked on its own.
            h = rng.choice(hashes)
            hdr = node.getblockheader(h)
            check_header_reply(sh, hdr, "getblockheader")
            blk = node.getblock(rng.choice(hashes), 1)
            check_header_reply(sh, blk, "getblock")
            if blk["nTx"] != len(blk["tx"]):
                raise TestFailure("getblock: nTx %s but %d txids" % (blk["nTx"], len(blk["tx"])))
            want = rng.randint(0, top + 1)
            try:
                got = node.getblockhash(want)
                hdr2 = node.getblockheader(got)
                check_header_reply(sh, hdr2, "getblockheader(getblockhash)")
                if hdr2["height"] != want:
                    raise TestFailure("getblockhash(%d) returned %s at height %d" % (want, got, hdr2["height"]))
            except RPCError as e:
                if e.code != -8 or "Block height out of range" not in e.message:
                    raise
            tips = node.getchaintips()
            active = [t for t in tips if t["status"] == "active"]
            if len(active) != 1 or active[0]["branchlen"] != 0:
                raise TestFailure("getchaintips: active tips %r" % (active,))
            for t in tips:
                with sh.lock:
                    known = sh.facts.get(t["hash"])
                if known is not None and known[0] != t["height"]:
                    raise TestFailure("getchaintips: tip %s at height %d, known at %d" % (t["hash"], t["height"], known[0]))
            txout = node.gettxout(deep_txid, 0)
            if txout is None:
                raise TestFailure("gettxout: the coinbase of block %d is missing" % DEEP_HEIGHT)
            best_hdr = node.getblockheader(txout["bestblock"])
            check_header_reply(sh, best_hdr, "getblockheader(gettxout bestblock)")
            if txout["confirmations"] != best_hdr["height"] - DEEP_HEIGHT + 1:
                raise TestFailure("gettxout: bestblock %s at height %d but confirmations %d" %
                                  (txout["bestblock"], best_hdr["height"], txout["confirmations"]))
            best = node.getbestblockhash()
            at_height = None
            if hdr["confirmations"] > 0:
                try:
                    at_height = node.getblockhash(hdr["height"])
                except RPCError as e:
                    if e.code != -8 or "Block height out of range" not in e.message:
                        raise
            deep_now = node.getblockhash(DEEP_HEIGHT)
            if deep_now != deep_hash:
                raise TestFailure("getblockhash(%d) changed to %s" % (DEEP_HEIGHT, deep_now))
            with sh.lock:
                sh.calls += 12
                if sh.seq != seq0 or seq0 % 2:
                    continue
            # Nothing changed the chain while this round ran: its replies must agree with each other.
            if hdr["confirmations"] > 0 and at_height != hdr["hash"]:
                raise TestFailure("getblockheader says %s is active at height %d; getblockhash says %s" %
                                  (hdr["hash"], hdr["height"], at_height))
            if active[0]["hash"] != best or txout["bestblock"] != best:
                raise TestFailure("stable chain: getbestblockhash %s, active tip %s, gettxout bestblock %s" %
                                  (best, active[0]["hash"], txout["bestblock"]))
            with sh.lock:
                sh.strict_checks += 1
                sh.stable_done.setdefault(seq0, set()).add(rid)
                sh.cond.notify_all()
    except Exception as e:  # noqa: BLE001 - any failure of a reader fails the test
        sh.fail("reader %d: %s: %s" % (rid, type(e).__name__, e))


def run(env):
    node = env.add_node(extra_args=["-rpcthreads=%d" % (READERS + 1)])
    node.start()
    sh = Shared()
    hashes = node.generatetoaddress(10, REGTEST_ADDR)
    for h in [node.getblockhash(0)] + hashes:
        hdr = node.getblockheader(h)
        note_fact(sh, h, hdr["height"], hdr.get("previousblockhash"), "setup")
    sh.max_height = 10
    deep_hash = node.getblockhash(DEEP_HEIGHT)
    deep_txid = node.getblock(deep_hash)["tx"][0]

    threads = [threading.Thread(target=reader, args=(node, sh, i, deep_txid, deep_hash)) for i in range(READERS)]
    for t in threads:
        t.start()

    def change(fn):
        """Runs one chain change with the sequence number odd, then waits for a stable check by every reader."""
        with sh.lock:
            sh.seq += 1
        result = fn()
        with sh.lock:
            sh.seq += 1
            seq = sh.seq
            ok = sh.cond.wait_for(lambda: sh.stop or len(sh.stable_done.get(seq, ())) == READERS, timeout=300)
            if not ok:
                sh.stop = True
                raise TestFailure("readers did not complete a stable check within 300 s")
        return result

    def record(new_hashes):
        for h in new_hashes:
            hdr = node.getblockheader(h)
            note_fact(sh, h, hdr["height"], hdr.get("previousblockhash"), "main")
            with sh.lock:
                sh.max_height = max(sh.max_height, hdr["height"])

    reorgs = 0
    try:
        for rnd in range(ROUNDS):
            if sh.stop:
                break
            record(change(lambda: node.generatetoaddress(1, REGTEST_ADDR)))
            if rnd % 3 != 2:
                continue
            # A competing branch: drop the top two blocks, mine one on a different address
            # (a shorter branch), then reconsider: the old, longer branch wins again.
            tip_height = node.getblockcount()
            old = node.getblockhash(tip_height - 1)
            change(lambda: node.invalidateblock(old))
            record(change(lambda: node.generatetoaddress(1, REGTEST_ADDR2)))
            change(lambda: node.reconsiderblock(old))
            reorgs += 1
    finally:
        with sh.lock:
            sh.stop = True
            sh.cond.notify_all()
        for t in threads:
            t.join()
    if sh.errors:
        raise TestFailure("FAILED: " + "; ".join(sh.errors))
    log("%d reader calls, %d stable-window cross-checks, %d forks" % (sh.calls, sh.strict_checks, reorgs))
    check(reorgs == ROUNDS // 3, "every fork was built and reorganised (%d)" % reorgs)
    check(sh.strict_checks >= READERS * ROUNDS, "every reader cross-checked the chain after every change")
    tips = node.getchaintips()
    check(sum(1 for t in tips if t["status"] == "valid-fork") == reorgs,
          "getchaintips lists the %d abandoned branches as valid-fork" % reorgs)
