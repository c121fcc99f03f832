"""p2p_btcd_interop: minicashd and btcd (an independent Go node, ../shared/tools/btcd/) sync from each
other over the P2P protocol on regtest.

1. btcd mines 60 blocks; a fresh minicash node with -connect=btcd syncs them (same tip and hashes).
2. minicash mines 5 blocks on top; btcd gets them through minicash's announcement and getdata.
3. Two partitions (minicash restarted without -connect, so nothing reconnects by itself; joined again
   with addnode onetry): btcd mines 2 blocks and minicash 4, and btcd reorganises to minicash's
   heavier branch; then btcd mines 4 and minicash 1, and minicash reorganises to btcd's.
Skips loudly when btcd is missing, fails when CI=true.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client_btcd import Btcd, find_btcd  # noqa: E402
from test_framework import REGTEST_ADDR, assert_equal, check, log, wait_until  # noqa: E402


def run(env):
    find_btcd()
    btcd = Btcd(env.tmpdir)
    try:
        btcd.start()
        btcd.ctl("generate", "60")
        btcd_tip = btcd.ctl("getbestblockhash")
        node = env.add_node(extra_args=["-connect=127.0.0.1:%d" % btcd.p2p_port])
        node.start()
        wait_until(lambda: node.getbestblockhash() == btcd_tip, 60, "minicash to sync btcd's 60 blocks",
                   interval=0.2)
        for h in (1, 30, 60):
            assert_equal(node.getblockhash(h), btcd.ctl("getblockhash", str(h)), "block %d hash" % h)
        peer = node.getpeerinfo()[0]
        check("btcd" in peer["subver"], "the peer is btcd (%s)" % peer["subver"])
        log("ok: minicash synced 60 blocks mined by btcd")

        node.generatetoaddress(5, REGTEST_ADDR)
        ours = node.getbestblockhash()
        wait_until(lambda: btcd.ctl("getbestblockhash") == ours, 60, "btcd to take minicash's 5 blocks",
                   interval=0.2)
        assert_equal(int(btcd.ctl("getblockcount")), 65, "btcd's height")
        log("ok: btcd synced 5 blocks mined by minicash")

        # Partitions: each side mines alone, then they meet again.
        def partition(btcd_blocks, our_blocks):
            node.extra_args = []  # no -connect: nothing reconnects until addnode
            node.restart()
            base = node.getbestblockhash()
            btcd.ctl("generate", str(btcd_blocks))
            node.generatetoaddress(our_blocks, REGTEST_ADDR)
            check(btcd.ctl("getbestblockhash") != node.getbestblockhash(), "apart, btcd and minicash have different tips")
            theirs, ours = btcd.ctl("getbestblockhash"), node.getbestblockhash()
            node.addnode("127.0.0.1:%d" % btcd.p2p_port, "onetry")
            return base, theirs, ours

        base, theirs, ours = partition(2, 4)
        wait_until(lambda: btcd.ctl("getbestblockhash") == ours, 60,
                   "btcd to reorganise to minicash's heavier branch", interval=0.2)
        assert_equal(int(btcd.ctl("getblockcount")), 69, "btcd's height after the reorg")
        log("ok: after a partition btcd reorganised to minicash's heavier branch")

        base, theirs, ours = partition(4, 1)
        wait_until(lambda: node.getbestblockhash() == theirs, 60,
                   "minicash to reorganise to btcd's heavier branch", interval=0.2)
        assert_equal(node.getblockcount(), 73, "minicash's height after the reorg")
        tips = {t["hash"]: t["status"] for t in node.getchaintips()}
        assert_equal(tips.get(ours), "valid-fork", "minicash's own block is now a fork")
        log("ok: after a partition minicash reorganised to btcd's heavier branch")
    finally:
        btcd.stop()
