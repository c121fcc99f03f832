"""mempool_relay: transactions across a 4-node line A-B-C-D (each node dials its left neighbour,
-whitelist=noban so announcements are not trickled), made in Python (optrue_wallet, and the
signer's MiniWallet for every standard type):

1. a transaction sent to A reaches D's mempool and D mines it; every pool empties;
2. a replacement sent to A reaches D and evicts the original everywhere;
3. a child sent to D by the Python P2P client before its parent is held as an orphan (not in the
   pool), and accepted when the parent, sent to A, arrives;
4. a reorganisation on every node returns the disconnected transactions to every pool;
5. every standard output type, signed by the harness, sent to A, reaches D and is mined by D;
   A, B and C (high-bandwidth peers by now) rebuild D's compact block (BIP-152) from their
   mempools: no blocktxn anywhere;
6. a zero-fee TRUC parent with its child, submitted to A as a package, reaches D (each node
   takes the pair as a package, as Core 28's 1p1c relay) and D mines both.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from optrue_wallet import COIN, OpTrueWallet  # noqa: E402
from p2p_client import MsgTx, P2PConnection  # noqa: E402
from test_framework import assert_equal, check, log, wait_until  # noqa: E402


def in_pool(node, txid):
    return txid in node.getrawmempool()


def wait_everywhere(nodes, txid, what):
    wait_until(lambda: all(in_pool(n, txid) for n in nodes), 60, what)


def recv_bytes(nodes, command):
    """Bytes of one message type the nodes received, over all their peers."""
    return sum(p["bytesrecv_per_msg"].get(command, 0) for n in nodes for p in n.getpeerinfo())


def check_rebuilt_from_pool(nodes, before):
    """D's block reached A, B, C as cmpctblock and none of them needed blocktxn (BIP-152 from the pool)."""
    check(recv_bytes(nodes, "cmpctblock") > before[0], "the block travelled as cmpctblock")
    assert_equal(recv_bytes(nodes, "blocktxn"), before[1], "no blocktxn: rebuilt from the mempool")


def sync_blocks(nodes):
    """Wait until every node has the same tip (A's tip read once could predate a block mined at D)."""
    wait_until(lambda: len({n.getbestblockhash() for n in nodes}) == 1, 60, "the line agrees on the tip")


def run(env):
    nodes = [env.add_node(extra_args=["-whitelist=noban@127.0.0.1", "-debug=mempool", "-debug=net"]) for _ in range(4)]
    for n in nodes:
        n.start()
    a, b, c, d = nodes
    w = OpTrueWallet(a)
    w.generate(120)
    # One link at a time: a node in initial block download ignores getheaders (as Core).
    for left, right in zip(nodes, nodes[1:]):
        right.addnode("127.0.0.1:%d" % left.p2p_port, "add")
        wait_until(lambda: right.getbestblockhash() == a.getbestblockhash(), 60, "synced down the line")

    # 1. A -> D, mined by D
    t = w.send_self_transfer(fee_rate=3)
    wait_everywhere(nodes, t["txid"], "a transaction sent to A reaches every pool")
    log("ok: a transaction sent to A reached D's mempool")
    mined = OpTrueWallet(d).generate(1)[0]
    check(t["txid"] in d.getblock(mined)["tx"], "D mined it")
    sync_blocks(nodes)
    w.scan_block(a.getblock(mined, 2))
    check(all(n.getrawmempool() == [] for n in nodes), "every pool is empty after D's block")

    # 2. a replacement evicts the original everywhere
    u = w.get_utxo()
    orig = w.create_self_transfer(utxo=u, fee_rate=2)
    a.sendrawtransaction(orig["hex"])
    wait_everywhere(nodes, orig["txid"], "the original reaches every pool")
    repl = w.create_self_transfer(utxo=u, fee_rate=10)
    a.sendrawtransaction(repl["hex"])
    wait_everywhere(nodes, repl["txid"], "the replacement reaches every pool")
    check(all(not in_pool(n, orig["txid"]) for n in nodes), "the original left every pool")
    log("ok: a replacement propagated and evicted the original everywhere")
    w.utxos.extend(repl["new_utxos"])

    # 3. an orphan: the child reaches D (through the Python client) before its parent
    parent = w.create_self_transfer(fee_rate=3)
    child = w.create_self_transfer(utxo=parent["new_utxos"][0], fee_rate=3)
    with P2PConnection() as conn:
        conn.connect(d.p2p_port)
        conn.handshake()
        conn.send_message(MsgTx(child["tx"]))
        conn.sync_with_ping()
        check(not in_pool(d, child["txid"]), "the child without its parent is not in D's pool")
        a.sendrawtransaction(parent["hex"])
        wait_everywhere(nodes, parent["txid"], "the parent reaches every pool")
        wait_until(lambda: in_pool(d, child["txid"]), 60, "D accepts the orphan once its parent is in")
    log("ok: an orphan was held and accepted when its parent arrived")
    wait_everywhere(nodes, child["txid"], "the former orphan reaches every pool from D")
    w.utxos.extend(child["new_utxos"])

    # 4. a reorganisation returns the block's transactions to every pool
    pool = set(a.getrawmempool())
    h = OpTrueWallet(a).generate(1)[0]
    sync_blocks(nodes)
    check(all(n.getrawmempool() == [] for n in nodes), "mined everywhere")
    for n in nodes:
        n.invalidateblock(h)
    for n in nodes:
        wait_until(lambda: set(n.getrawmempool()) == pool, 30, "the transactions are back in the pool")
    for n in nodes:
        n.reconsiderblock(h)
    log("ok: a reorganisation returned the disconnected transactions to every pool")
    sync_blocks(nodes)
    w.scan_block(a.getblock(h, 2))

    # 5. every standard type, signed by the harness, reaches D and is mined by D
    from p2p_client.wallet import SPEND_KINDS, MiniWallet
    mw = MiniWallet(a, submit=lambda txs: [a.sendrawtransaction(t.serialize().hex()) for t in txs])
    mw.generate(115)  # 15 mature coins: one per kind
    sync_blocks(nodes)
    sent = []
    for kind in SPEND_KINDS + ("op_return",):
        res = mw.spend_as(kind, amount=COIN // 4, fee_rate=2)
        for role in ("fund", "spend"):
            if res[role] is not None:
                sent.append(("%s %s" % (kind, role), res[role].txid()[::-1].hex()))
    for kind, txid in sent:
        wait_until(lambda: in_pool(d, txid), 60, "%s spend reaches D" % kind)
    before = (recv_bytes(nodes[:3], "cmpctblock"), recv_bytes(nodes[:3], "blocktxn"))
    h = OpTrueWallet(d).generate(1)[0]
    block = d.getblock(h)
    for kind, txid in sent:
        check(txid in block["tx"], "D mined the %s spend" % kind)
    sync_blocks(nodes)
    check_rebuilt_from_pool(nodes[:3], before)
    log("ok: D's compact block of %d transactions was rebuilt from the mempools" % len(block["tx"]))
    assert_equal(a.getrawmempool(), [], "A's pool emptied by D's block")

    # 6. a 1p1c package with a zero-fee TRUC parent, submitted to A, is relayed down the line:
    #    each node refuses the parent alone (below its minimum fee), holds the child as an orphan,
    #    asks the sender for the parent again and takes the pair as a package (Core 28's 1p1c).
    w.scan_block(d.getblock(h, 2))
    parent = w.create_self_transfer(fee=0, version=3)
    child = w.create_self_transfer(utxo=parent["new_utxos"][0], fee_rate=20, version=3)
    pkg = a.submitpackage([parent["hex"], child["hex"]])
    assert_equal(pkg["package_msg"], "success", "A takes the package")
    for t in (parent, child):
        wait_everywhere(nodes, t["txid"], "the package member %s reaches every pool" % t["txid"][:16])
    log("ok: a zero-fee parent and its child were relayed as a package to D")
    h = OpTrueWallet(d).generate(1)[0]
    mined = d.getblock(h)["tx"]
    check(parent["txid"] in mined and child["txid"] in mined, "D mined the package")
    sync_blocks(nodes)
