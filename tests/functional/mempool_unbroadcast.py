"""mempool_unbroadcast: our own transactions that no peer asked for are announced again (Core's
ReattemptInitialBroadcast, every 10 to 15 minutes on the scheduler; mockscheduler brings it
forward, as in Core's mempool_unbroadcast.py).

A transaction sent with no peer connected stays "unbroadcast" (getmempoolentry, getmempoolinfo's
unbroadcastcount). A peer that connects later is not told of it; after mockscheduler moves the
scheduler 15 minutes on, the node announces it (wtxid inv); once the peer fetched it with getdata
it is unbroadcast no more and survives a restart as such (mempool.dat keeps the set).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from optrue_wallet import OpTrueWallet  # noqa: E402
from p2p_client import MSG_WTX, Inv, MsgGetData, P2PConnection, P2PError  # noqa: E402
from test_framework import assert_equal, check, wait_until  # noqa: E402


def announced(conn, wtxid, timeout):
    """The first queued inv naming wtxid, or None after timeout seconds."""
    try:
        return conn.wait_for("inv", lambda m: any(i.type == MSG_WTX and i.hash == wtxid for i in m.inv), timeout)
    except P2PError:
        return None


def run(env):
    # noban: announcements to the peer are not trickled (Core's -whitelist).
    node = env.add_node(extra_args=["-whitelist=noban@127.0.0.1"])
    node.start()
    w = OpTrueWallet(node)
    w.generate(101)
    t = w.send_self_transfer(fee_rate=10)
    txid, wtxid = t["txid"], bytes.fromhex(t["wtxid"])[::-1]
    check(node.getmempoolentry(txid)["unbroadcast"], "sent with no peer: unbroadcast")
    assert_equal(node.getmempoolinfo()["unbroadcastcount"], 1, "getmempoolinfo counts it")

    with P2PConnection() as conn:
        conn.connect(node.p2p_port)
        conn.handshake()
        conn.sync_with_ping()
        check(announced(conn, wtxid, 0.5) is None, "a peer connecting later is not told of it")
        node.mockscheduler(15 * 60)
        inv = announced(conn, wtxid, 30)
        check(inv is not None, "announced again after mockscheduler 900 (%s)" % (inv.inv if inv else None))
        conn.send_message(MsgGetData([Inv(MSG_WTX, wtxid)]))
        got = conn.wait_for("tx", timeout=30)
        assert_equal(got.tx.txid()[::-1].hex(), txid, "getdata: the peer gets the transaction")
        wait_until(lambda: not node.getmempoolentry(txid)["unbroadcast"], 30, "served: unbroadcast no more")
    assert_equal(node.getmempoolinfo()["unbroadcastcount"], 0, "unbroadcastcount 0")
    node.restart()
    node.wait_for_rpc()
    check(not node.getmempoolentry(txid)["unbroadcast"], "after a restart it is still broadcast")
