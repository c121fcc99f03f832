"""mempool_rpc: one node's mempool through its RPCs, with transactions made in Python
(optrue_wallet): acceptance and Core's errors, replacement, chains, prioritisation, packages,
mining from the pool, a reorganisation returning transactions, a full pool evicting the cheapest,
and mempool.dat across a restart."""

import json
import os
from decimal import ROUND_DOWN, Decimal

from optrue_wallet import COIN, OpTrueWallet
from test_framework import assert_equal, assert_raises_rpc, check


def btc(sats):
    return Decimal(sats) / COIN


def run(env):
    node = env.add_node(extra_args=["-maxmempool=5"])
    node.start()
    w = OpTrueWallet(node)
    w.generate(220)

    # ---- testmempoolaccept judges without adding
    t = w.create_self_transfer(fee_rate=2)
    res = node.testmempoolaccept([t["hex"]])[0]
    assert_equal(res["allowed"], True, "testmempoolaccept allows a standard P2WSH spend")
    assert_equal(res["txid"], t["txid"], "testmempoolaccept txid")
    assert_equal(res["vsize"], t["vsize"], "testmempoolaccept vsize is the Python-computed vsize")
    assert_equal(Decimal(str(res["fees"]["base"])), btc(t["fee"]), "testmempoolaccept base fee")
    assert_equal(node.getmempoolinfo()["size"], 0, "testmempoolaccept adds nothing")

    # ---- testmempoolaccept of several transactions: one package (Core's ProcessNewPackage, test_accept)
    tp = w.create_self_transfer(fee_rate=2)
    tc = w.create_self_transfer(utxo=tp["new_utxos"][0], fee_rate=3)
    res = node.testmempoolaccept([tp["hex"], tc["hex"]])
    assert_equal([r["allowed"] for r in res], [True, True], "a child of an earlier package transaction is allowed")
    assert_equal(res[1]["fees"]["effective-includes"], [tc["wtxid"]], "a test package: each at its own fee rate")
    assert_equal(node.testmempoolaccept([tc["hex"], tp["hex"]]),
                 [{"txid": x["txid"], "wtxid": x["wtxid"], "package-error": "package-not-sorted"} for x in (tc, tp)],
                 "an unsorted package: package-error on every entry, nothing judged")
    assert_equal(node.testmempoolaccept([tp["hex"], tp["hex"]])[0]["package-error"], "package-contains-duplicates",
                 "a duplicate: package-contains-duplicates")
    zp = w.create_self_transfer(fee=0, version=3)
    zc = w.create_self_transfer(utxo=zp["new_utxos"][0], fee_rate=50, version=3)
    res = node.testmempoolaccept([zp["hex"], zc["hex"]])
    assert_equal((res[0]["allowed"], res[0]["reject-reason"]), (False, "min relay fee not met"),
                 "no CPFP in a test package: the zero-fee parent fails")
    assert_equal(res[1], {"txid": zc["txid"], "wtxid": zc["wtxid"]}, "the child after a failure is not judged")
    rp = w.create_self_transfer(fee_rate=2)
    rc = w.create_self_transfer(utxo=rp["new_utxos"][0], fee_rate=20000)
    res = node.testmempoolaccept([rp["hex"], rc["hex"]])
    assert_equal((res[0]["allowed"], res[1]["allowed"], res[1]["reject-reason"]), (True, False, "max-fee-exceeded"),
                 "maxfeerate applies to each package transaction")
    assert_equal(node.getmempoolinfo()["size"], 0, "a test package adds nothing")

    # ---- sendrawtransaction and the read methods
    assert_equal(node.sendrawtransaction(t["hex"]), t["txid"], "sendrawtransaction returns the txid")
    w.utxos.extend(t["new_utxos"])
    assert_equal(node.getrawmempool(), [t["txid"]], "getrawmempool lists it")
    info = node.getmempoolinfo()
    assert_equal((info["size"], info["bytes"], info["loaded"]), (1, t["vsize"], True), "getmempoolinfo size, bytes")
    check(info["usage"] > t["vsize"], "getmempoolinfo usage counts memory")
    assert_equal(Decimal(str(info["minrelaytxfee"])), Decimal("0.00000100"), "minrelaytxfee is Core v30's 100 sat/kvB")
    e = node.getmempoolentry(t["txid"])
    assert_equal((e["vsize"], e["ancestorcount"], e["descendantcount"], e["wtxid"]), (t["vsize"], 1, 1, t["wtxid"]),
                 "getmempoolentry vsize, counts, wtxid")
    assert_equal(Decimal(str(e["fees"]["base"])), btc(t["fee"]), "getmempoolentry base fee")
    assert_equal(node.getrawtransaction(t["txid"]), t["hex"], "getrawtransaction finds a mempool transaction")
    out = node.gettxout(t["txid"], 0)
    assert_equal(out["confirmations"], 0, "gettxout of a mempool output: 0 confirmations")
    spent = t["tx"].vin[0].prevout
    spent_txid = spent.txid[::-1].hex()
    assert_equal(node.gettxout(spent_txid, spent.n), None, "gettxout of an output the pool spends: null")
    check(node.gettxout(spent_txid, spent.n, False) is not None, "gettxout without the mempool: still unspent")
    seq = node.getrawmempool(False, True)
    assert_equal(seq["txids"], [t["txid"]], "getrawmempool with mempool_sequence")
    check(seq["mempool_sequence"] >= 2, "mempool_sequence counts additions")
    assert_equal(node.gettxspendingprevout([{"txid": spent_txid, "vout": spent.n}])[0]["spendingtxid"], t["txid"],
                 "gettxspendingprevout names the spender")
    assert_equal(node.sendrawtransaction(t["hex"]), t["txid"], "sending it again returns the txid")

    # ---- refusals with Core's codes and reasons
    from optrue_wallet import Utxo
    ghost = Utxo("ab" * 32, 0, 10 * COIN)
    g = w.create_self_transfer(utxo=ghost)
    assert_raises_rpc(-25, "Inputs missing or spent", node.sendrawtransaction, g["hex"], what="missing inputs: -25")
    assert_equal(node.testmempoolaccept([g["hex"]])[0]["reject-reason"], "missing-inputs",
                 "testmempoolaccept says missing-inputs")
    u = w.get_utxo()
    zero = w.create_self_transfer(utxo=u, fee=0)
    assert_raises_rpc(-26, "min relay fee not met", node.sendrawtransaction, zero["hex"],
                      what="a zero-fee transaction: -26 min relay fee not met")
    rich = w.create_self_transfer(utxo=u, fee_rate=20000)
    assert_raises_rpc(-25, "Fee exceeds maximum configured by user", node.sendrawtransaction, rich["hex"],
                      what="above maxfeerate: -25")
    assert_equal(node.testmempoolaccept([rich["hex"]])[0]["reject-reason"], "max-fee-exceeded",
                 "testmempoolaccept says max-fee-exceeded")
    w.utxos.append(u)

    # ---- a JSON-RPC batch of sendrawtransaction calls: the node begins them ahead (their scripts
    # checked on its workers meanwhile) and answers each as if called one by one, in order; a call
    # of another method waits for the ones before it.
    ub = w.get_utxo()
    bp = w.create_self_transfer(utxo=ub, fee_rate=2)
    bc = w.create_self_transfer(utxo=bp["new_utxos"][0], fee_rate=2)
    bconf = w.create_self_transfer(utxo=ub, fee_rate=2, n_outputs=2)  # spends bp's coin, pays no more
    ur = w.get_utxo()
    ra = w.create_self_transfer(utxo=ur, fee_rate=2)
    node.sendrawtransaction(ra["hex"])  # in the pool before the batch, replaced in it
    rb = w.create_self_transfer(utxo=ur, fee_rate=10)
    size0 = node.getmempoolinfo()["size"]
    u_rich = w.get_utxo()
    brich = w.create_self_transfer(utxo=u_rich, fee_rate=20000)
    bl = w.create_self_transfer(fee_rate=2)
    calls = [("sendrawtransaction", [bp["hex"]]), ("sendrawtransaction", [bc["hex"]]),
             ("sendrawtransaction", [bp["hex"]]), ("sendrawtransaction", [bconf["hex"]]),
             ("sendrawtransaction", [brich["hex"]]),
             ("sendrawtransaction", [g["hex"]]), ("sendrawtransaction", ["zz"]), ("getmempoolinfo", []),
             ("sendrawtransaction", [bl["hex"]]), ("sendrawtransaction", [rb["hex"]]),
             ("sendrawtransaction", [ra["hex"]])]
    batch = [{"jsonrpc": "2.0", "method": m, "params": p, "id": i} for i, (m, p) in enumerate(calls)]
    status, data, _ = node.http_post(json.dumps(batch))
    replies = json.loads(data)
    assert_equal(status, 200, "a batch of sendrawtransaction calls: HTTP 200")
    assert_equal([r["id"] for r in replies], list(range(len(calls))), "the batch's replies keep its order")
    got = [r.get("result") if "result" in r else (r["error"]["code"], r["error"]["message"]) for r in replies]
    assert_equal(got[:3], [bp["txid"], bc["txid"], bp["txid"]], "a parent, its child, the parent again: their txids")
    check(got[3][0] == -26 and "insufficient fee" in got[3][1],
          "a conflict paying no more in a batch: -26 (%r)" % (got[3],))
    check(got[4][0] == -25 and "Fee exceeds maximum" in got[4][1],
          "above maxfeerate in a batch: -25 (%r)" % (got[4],))
    assert_equal(got[5], (-25, "Inputs missing or spent"), "missing inputs in a batch: -25")
    assert_equal(got[6][0], -22, "undecodable hex in a batch: -22")
    assert_equal(got[7]["size"], size0 + 2, "getmempoolinfo in the batch sees the calls before it")
    assert_equal(got[8], bl["txid"], "the call after getmempoolinfo: its txid")
    assert_equal(got[9], rb["txid"], "a replacement of a pool transaction in a batch: its txid")
    check(got[10][0] == -26 and "insufficient fee" in got[10][1],
          "the replaced transaction again, after its replacement in the batch: -26 as one by one (%r)" % (got[10],))
    pool = node.getrawmempool()
    check(all(x["txid"] in pool for x in (bp, bc, bl, rb)) and not any(x["txid"] in pool for x in (brich, ra)),
          "the batch's pool")
    w.utxos.extend(bc["new_utxos"] + bl["new_utxos"] + rb["new_utxos"] + [u_rich])

    # ---- replacement (full RBF): more fee replaces, too little is refused
    u = w.get_utxo()
    a = w.send(w.create_self_transfer(utxo=u, fee_rate=2))
    same = w.create_self_transfer(utxo=u, fee_rate=2, n_outputs=2)
    assert_raises_rpc(-26, "insufficient fee", node.sendrawtransaction, same["hex"],
                      what="a replacement paying no more is refused")
    b = w.create_self_transfer(utxo=u, fee_rate=5)
    node.sendrawtransaction(b["hex"])
    check(a["txid"] not in node.getrawmempool(), "the replaced transaction left the pool")
    check(b["txid"] in node.getrawmempool(), "the replacement is in the pool")
    w.utxos = [x for x in w.utxos if x.txid != a["txid"]] + b["new_utxos"]

    # ---- a chain: ancestors, descendants, prioritisation
    parent = w.send(w.create_self_transfer(fee_rate=2, n_outputs=2))
    child = w.send(w.create_self_transfer(utxo=parent["new_utxos"][0], fee_rate=2))
    w.utxos = [x for x in w.utxos if (x.txid, x.n) != (parent["txid"], 0)]
    e = node.getmempoolentry(child["txid"])
    assert_equal((e["ancestorcount"], e["ancestorsize"], e["depends"]), (2, parent["vsize"] + child["vsize"],
                 [parent["txid"]]), "a child's ancestor count, size and depends")
    assert_equal(node.getmempoolancestors(child["txid"]), [parent["txid"]], "getmempoolancestors")
    assert_equal(node.getmempooldescendants(parent["txid"]), [child["txid"]], "getmempooldescendants")
    assert_equal(node.getmempoolentry(parent["txid"])["spentby"], [child["txid"]], "spentby")
    assert_equal(node.prioritisetransaction(parent["txid"], 0, 10000), True, "prioritisetransaction")
    assert_equal(node.getprioritisedtransactions()[parent["txid"]]["fee_delta"], 10000, "getprioritisedtransactions")
    e = node.getmempoolentry(parent["txid"])
    assert_equal(Decimal(str(e["fees"]["modified"])), btc(parent["fee"] + 10000), "modified fee includes the delta")
    assert_equal(Decimal(str(e["fees"]["descendant"])), btc(parent["fee"] + 10000 + child["fee"]),
                 "descendant fees include the child")

    # ---- a package: a zero-fee TRUC parent paid for by its child (a v2 one may not: Core v28-v30)
    pu = w.get_utxo()
    v2p = w.create_self_transfer(utxo=pu, fee=0)
    v2c = w.create_self_transfer(utxo=v2p["new_utxos"][0], fee_rate=20)
    pkg = node.submitpackage([v2p["hex"], v2c["hex"]])
    check(pkg["package_msg"] != "success", "a zero-fee version-2 parent stays out, even with a child (%s)"
          % pkg["package_msg"])
    assert_equal(pkg["tx-results"][v2p["wtxid"]]["error"], "min relay fee not met, 0 < 10", "the v2 parent's error")
    check(v2p["txid"] not in node.getrawmempool(), "the v2 parent is not in the pool")
    p0 = w.create_self_transfer(utxo=pu, fee=0, version=3)
    c0 = w.create_self_transfer(utxo=p0["new_utxos"][0], fee_rate=20, version=3)
    assert_raises_rpc(-26, "min relay fee not met", node.sendrawtransaction, p0["hex"], what="the parent alone is refused")
    pkg = node.submitpackage([p0["hex"], c0["hex"]])
    assert_equal(pkg["package_msg"], "success", "submitpackage: success")
    res = pkg["tx-results"][c0["wtxid"]]
    assert_equal(set(res["fees"]["effective-includes"]), {p0["wtxid"], c0["wtxid"]}, "package fee rate covers both")
    check(p0["txid"] in node.getrawmempool(), "the zero-fee parent is in the pool")
    w.utxos.extend(c0["new_utxos"])

    # ---- submitpackage's maxfeerate (each transaction's own rate) and maxburnamount (Core v28-v30)
    mp = w.create_self_transfer(fee_rate=10)
    mc = w.create_self_transfer(utxo=mp["new_utxos"][0], fee_rate=10)
    below = Decimal(mp["fee"] * 1000 - 1) / mp["vsize"] / COIN  # BTC/kvB just under the parent's rate
    pkg = node.submitpackage([mp["hex"], mc["hex"]], str(below.quantize(Decimal("0.00000001"), rounding=ROUND_DOWN)))
    assert_equal((pkg["package_msg"], pkg["tx-results"][mp["wtxid"]]["error"],
                  pkg["tx-results"][mc["wtxid"]]["error"]),
                 ("transaction failed", "max feerate exceeded", "bad-txns-inputs-missingorspent"),
                 "submitpackage: a parent above maxfeerate fails, its child lacks the input")
    check(mp["txid"] not in node.getrawmempool(), "nothing of it entered")
    burn = w.create_self_transfer(utxo=mp["new_utxos"][0], fee_rate=10, extra_outputs=[(1000, b"\x6a\x01\x01")])
    assert_raises_rpc(-25, "Unspendable output exceeds maximum configured by user (maxburnamount)",
                      node.submitpackage, [mp["hex"], burn["hex"]], what="an OP_RETURN output of 1000 sat: -25")
    check(mp["txid"] not in node.getrawmempool(), "the burn check comes before any acceptance")
    bad_op = w.create_self_transfer(fee_rate=10, extra_outputs=[(1000, b"\xff")])  # no OP_RETURN, an invalid opcode
    assert_raises_rpc(-25, "Unspendable output exceeds maximum configured by user (maxburnamount)",
                      node.sendrawtransaction, bad_op["hex"],
                      what="an output script with an invalid opcode is unspendable too (Core's HasValidOps): -25")
    pkg = node.submitpackage([mp["hex"], burn["hex"]], "0.1", "0.00001")
    assert_equal(pkg["package_msg"], "success", "with maxburnamount=0.00001 the package enters")
    w.utxos.extend(burn["new_utxos"])
    g1 = w.create_self_transfer(fee_rate=10)
    g2 = w.create_self_transfer(utxo=g1["new_utxos"][0], fee_rate=10)
    g3 = w.create_self_transfer(utxo=g2["new_utxos"][0], fee_rate=10)
    assert_raises_rpc(-25, "package topology disallowed. not child-with-parents or parents depend on each other.",
                      node.submitpackage, [g1["hex"], g2["hex"], g3["hex"]], what="a chain of three: -25")
    cu = w.get_utxo()
    k1 = w.create_self_transfer(utxo=cu, fee_rate=10)
    k2 = w.create_self_transfer(utxo=cu, fee_rate=20)
    kc = w.create_tx([k1["new_utxos"][0], k2["new_utxos"][0]], fee_rate=10)
    assert_equal(node.submitpackage([k1["hex"], k2["hex"], kc["hex"]]),
                 {"package_msg": "conflict-in-package", "tx-results": {}, "replaced-transactions": []},
                 "parents spending one coin: package_msg conflict-in-package, no results (Core v28-v30)")

    # ---- package RBF (Core 28): a parent too cheap to replace alone gets in with its child
    ru = w.get_utxo()
    orig = w.send(w.create_self_transfer(utxo=ru, fee_rate=5))
    bp = w.create_self_transfer(utxo=ru, fee_rate=2)
    bc = w.create_self_transfer(utxo=bp["new_utxos"][0], fee_rate=50)
    assert_raises_rpc(-26, "insufficient fee", node.sendrawtransaction, bp["hex"], what="the parent alone: -26")
    pkg = node.submitpackage([bp["hex"], bc["hex"]])
    assert_equal((pkg["package_msg"], pkg["replaced-transactions"]), ("success", [orig["txid"]]),
                 "submitpackage replaces the conflict (replaced-transactions)")
    check(orig["txid"] not in node.getrawmempool(), "the replaced transaction left the pool")
    w.utxos = [x for x in w.utxos if x.txid != orig["txid"]] + bc["new_utxos"]

    # ---- getblocktemplate and mining take the pool
    pool = set(node.getrawmempool())
    tmpl = node.getblocktemplate({"rules": ["segwit"]})
    assert_equal({x["txid"] for x in tmpl["transactions"]}, pool, "getblocktemplate offers every pool transaction")
    by_txid = {x["txid"]: i + 1 for i, x in enumerate(tmpl["transactions"])}
    entry = next(x for x in tmpl["transactions"] if x["txid"] == child["txid"])
    assert_equal(entry["depends"], [by_txid[parent["txid"]]], "a child depends on its parent's template index")
    fees = sum(x["fee"] for x in tmpl["transactions"])
    assert_equal(tmpl["coinbasevalue"], 50 * COIN // 2 ** ((node.getblockcount() + 1) // 150) + fees,
                 "coinbasevalue: the subsidy plus the fees")
    mined = w.generate(1)[0]
    assert_equal(node.getrawmempool(), [], "a block takes every pool transaction")
    assert_equal(set(node.getblock(mined)["tx"][1:]), pool, "the block holds them")
    assert_raises_rpc(-27, "already in utxo set", node.sendrawtransaction, child["hex"],
                      what="a confirmed transaction: -27")

    # ---- a reorganisation returns the block's transactions
    node.invalidateblock(mined)
    assert_equal(set(node.getrawmempool()), pool, "invalidateblock returns the transactions to the pool")
    node.reconsiderblock(mined)
    assert_equal(node.getrawmempool(), [], "reconsiderblock confirms them again")

    # ---- a full pool (-maxmempool=5) evicts the cheapest and raises mempoolminfee
    big = []
    for i in range(90):
        data = bytes([i]) * 79_000
        spk = b"\x6a\x4e" + len(data).to_bytes(4, "little") + data  # OP_RETURN OP_PUSHDATA4 <79 kB>
        t = w.create_self_transfer(fee_rate=2 + i, extra_outputs=[(0, spk)])
        try:
            node.sendrawtransaction(t["hex"], 0)
        except Exception:
            vin = t["tx"].vin[0].prevout
            raise AssertionError("big tx %d spending %s:%d failed; gettxout %s" % (
                i, vin.txid[::-1].hex(), vin.n, node.gettxout(vin.txid[::-1].hex(), vin.n, False)))
        big.append(t)
    info = node.getmempoolinfo()
    check(info["usage"] <= 5_000_000, "usage stays within -maxmempool (%d)" % info["usage"])
    check(info["size"] < 90, "some transactions were evicted (%d left)" % info["size"])
    check(big[0]["txid"] not in node.getrawmempool(), "the cheapest went first")
    check(big[-1]["txid"] in node.getrawmempool(), "the richest stayed")
    check(Decimal(str(info["mempoolminfee"])) > Decimal("0.00000100"), "mempoolminfee rose (%s)" % info["mempoolminfee"])
    cheap = w.create_self_transfer(fee_rate=1.5)
    assert_raises_rpc(-26, "mempool min fee not met", node.sendrawtransaction, cheap["hex"],
                      what="below the raised minimum: mempool min fee not met")

    # ---- the unbroadcast set: our own transactions no peer asked for yet (there is no peer)
    verbose = node.getrawmempool(True)
    unbroadcast = {txid for txid, e in verbose.items() if e["unbroadcast"]}
    check(len(unbroadcast) > 0, "sendrawtransaction's transactions are unbroadcast (%d)" % len(unbroadcast))
    assert_equal(node.getmempoolinfo()["unbroadcastcount"], len(unbroadcast), "unbroadcastcount")

    # ---- mempool.dat: savemempool, and a restart keeps the pool
    before = set(node.getrawmempool())
    saved = node.savemempool()
    check(os.path.exists(saved["filename"]), "savemempool wrote %s" % saved["filename"])
    node.restart()
    node.wait_for_rpc()
    from test_framework import wait_until
    wait_until(lambda: node.getmempoolinfo()["loaded"], 60, "the mempool loads after a restart")
    assert_equal(set(node.getrawmempool()), before, "a restart keeps the pool's transactions")
    check("Imported mempool transactions from disk" in open(node.debug_log).read(), "the load is logged as Core's")
    assert_equal(node.getmempoolinfo()["unbroadcastcount"], len(unbroadcast), "the unbroadcast set survives a restart")

    # ---- a peer asking for one of ours ends its initial broadcast
    from p2p_client import MSG_WTX, Inv, MsgGetData, P2PConnection
    with P2PConnection() as c:
        c.connect(node.p2p_port)
        c.handshake()
        c.sync_with_ping()
        t = w.send_self_transfer(fee_rate=50)
        wtxid = bytes.fromhex(t["wtxid"])[::-1]
        c.wait_for("inv", lambda m: any(i.hash == wtxid for i in m.inv), timeout=60)
        check(node.getmempoolentry(t["txid"])["unbroadcast"], "announced but not asked for: still unbroadcast")
        c.send_message(MsgGetData([Inv(MSG_WTX, wtxid)]))
        got = c.wait_for("tx", timeout=30)
        assert_equal(got.tx.txid()[::-1].hex(), t["txid"], "the node serves its transaction")
        c.sync_with_ping()
    check(not node.getmempoolentry(t["txid"])["unbroadcast"], "once a peer asked for it, it is broadcast")
    assert_equal(node.getmempoolinfo()["unbroadcastcount"], len(unbroadcast), "unbroadcastcount back")
