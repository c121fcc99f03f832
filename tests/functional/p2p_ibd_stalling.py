"""p2p_ibd_stalling: a peer that announces a long chain and never sends its blocks cannot hold the sync.

Node A mines 1,100 blocks. A fresh node N first hears the whole chain's headers from a Python peer
(tests/functional/p2p_client/) that answers no getdata, so N asks it for the first 16 blocks; then N
connects to A. N fetches blocks from A up to the end of its 1,024-block download window, which is then
full while the stalling peer holds its start: after the stalling timeout (2 s) N disconnects that peer
(Core's "Peer is stalling block download"), asks A for those blocks and reaches A's tip.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import MsgGetHeaders, MsgHeaders, P2PConnection, hex_hash  # noqa: E402
from test_framework import REGTEST_ADDR, assert_equal, check, log, scaled, wait_until  # noqa: E402


def run(env):
    a = env.add_node()
    a.start()
    for _ in range(11):
        a.generatetoaddress(100, REGTEST_ADDR)
    tip = a.getbestblockhash()

    # The staller learns A's headers (it never has the blocks).
    headers = []
    with P2PConnection() as c:
        c.connect(a.p2p_port)
        c.handshake()
        locator = [hex_hash(a.getblockhash(0))]
        while len(headers) < 1100:
            c.send_message(MsgGetHeaders(locator))
            got = c.wait_for("headers", timeout=scaled(30)).headers
            check(len(got) > 0, "A answers getheaders")
            headers += got
            locator = [got[-1].hash()]
    assert_equal(len(headers), 1100, "headers of A's chain")

    n = env.add_node(extra_args=["-debug=net"])
    n.start()
    with P2PConnection() as staller:
        staller.connect(n.p2p_port)
        staller.handshake()
        staller.send_message(MsgHeaders(headers[:2000]))
        getdata = staller.wait_for("getdata", timeout=scaled(30))
        check(len(getdata.inv) > 0, "N asks the stalling peer for blocks (%d)" % len(getdata.inv))
        peer = [p for p in n.getpeerinfo() if p["subver"] == "/minicash-p2p-test:0.1/"][0]
        assert_equal(peer["inflight"], list(range(1, len(getdata.inv) + 1)), "getpeerinfo's inflight heights")
        assert_equal(peer["synced_headers"], 1100, "getpeerinfo's synced_headers")
        # Never answered. Now the honest peer.
        n.addnode("127.0.0.1:%d" % a.p2p_port, "onetry")
        staller.wait_for_disconnect(timeout=scaled(60))
    with open(n.debug_log) as f:
        check("Peer is stalling block download" in f.read(), "N names the staller in its log")
    wait_until(lambda: n.getbestblockhash() == tip, 120, "N to reach A's tip from A", interval=0.2)
    log("ok: the stalling peer was disconnected and N synced 1,100 blocks from A")
