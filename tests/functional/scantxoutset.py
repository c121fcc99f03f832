"""scantxoutset: start / status / abort as Core, with descriptors (fixed keys, addresses, ranged
extended keys with key origins), on a snapshot of the UTXO set taken without stopping validation."""

import threading

from descriptors import TR_SCRIPT, TR_XONLY, WPKH_SCRIPTS, XPUB_13, to_test_network
from test_framework import REGTEST_ADDR, assert_equal, assert_raises_rpc, check, wait_until


def run(env):
    n = env.add_node()
    n.start()
    tpub13 = to_test_network(XPUB_13)
    tr_blocks = n.generatetodescriptor(3, "tr(%s)" % TR_XONLY)
    wpkh_block = n.generatetodescriptor(1, "wpkh([ffffffff/13']%s/1/2/1)" % tpub13)[0]
    n.generatetoaddress(101, REGTEST_ADDR)
    tip = n.getblockcount()

    # ---- a fixed key: every coinbase paid to it, with Core's fields
    r = n.scantxoutset("start", ["tr(%s)" % TR_XONLY])
    assert_equal((r["success"], r["height"], r["bestblock"]), (True, tip, n.getbestblockhash()),
                 "success, height and bestblock of the scan")
    assert_equal(r["txouts"], n.gettxoutsetinfo("none")["txouts"], "txouts counts every coin scanned")
    assert_equal(sorted(u["blockhash"] for u in r["unspents"]), sorted(tr_blocks), "one unspent per block mined to tr()")
    for u in r["unspents"]:
        height = n.getblock(u["blockhash"])["height"]
        cb = n.getblock(u["blockhash"], 2)["tx"][0]
        assert_equal((u["txid"], u["vout"], u["scriptPubKey"], u["coinbase"], u["height"], u["confirmations"]),
                     (cb["txid"], 0, TR_SCRIPT, True, height, tip - height + 1), "unspent at height %d" % height)
        assert_equal(u["amount"], cb["vout"][0]["value"], "amount")
        check(u["desc"].startswith("tr([") and ("]%s)#" % TR_XONLY) in u["desc"],
              "desc is tr([fingerprint]x-only key)#checksum: %s" % u["desc"])
    assert_equal(r["total_amount"], sum(u["amount"] for u in r["unspents"]), "total_amount")

    # ---- a ranged extended key with a key origin, as a string (range 0..1000) and as an object
    for obj in ("wpkh([ffffffff/13']%s/1/2/*)" % tpub13, {"desc": "wpkh([ffffffff/13']%s/1/2/*)" % tpub13, "range": [1, 3]}):
        r = n.scantxoutset("start", [obj])
        assert_equal([u["blockhash"] for u in r["unspents"]], [wpkh_block], "the ranged descriptor finds position 1")
        assert_equal(r["unspents"][0]["scriptPubKey"], WPKH_SCRIPTS[1], "the BIP-382 script of position 1")
        check(r["unspents"][0]["desc"].startswith("wpkh([ffffffff/13h/1/2/1]"),
              "desc carries the origin and the derived path: %s" % r["unspents"][0]["desc"])
    r = n.scantxoutset("start", [{"desc": "wpkh([ffffffff/13']%s/1/2/*)" % tpub13, "range": 0}])
    assert_equal(r["unspents"], [], "range 0 (only position 0) misses position 1")
    # an address and a raw script find the same coins as the key
    addr = n.getblock(tr_blocks[0], 2)["tx"][0]["vout"][0]["scriptPubKey"]["address"]
    r = n.scantxoutset("start", ["addr(%s)" % addr, "raw(%s)" % TR_SCRIPT])
    assert_equal(len(r["unspents"]), 3, "addr() and raw() of the same script: found once each coin")
    # As Core's InferDescriptor without the internal key: rawtr(output key).
    check(r["unspents"][0]["desc"].startswith("rawtr(%s)#" % TR_SCRIPT[4:]), "desc of addr(P2TR): %s" % r["unspents"][0]["desc"])

    # ---- errors as Core
    assert_raises_rpc(-8, "Invalid action 'foo'", n.scantxoutset, "foo", [], what="unknown action")
    assert_raises_rpc(-1, "scanobjects argument is required for the start action", n.scantxoutset, "start",
                      what="start without scan objects")
    assert_raises_rpc(-8, "Descriptor needs to be provided in scan object", n.scantxoutset, "start", [{"range": 10}],
                      what="a scan object without desc -> -8 as Core")
    assert_raises_rpc(-8, "Scan object needs to be either a string or an object", n.scantxoutset, "start", [5],
                      what="a number as scan object")
    assert_raises_rpc(-5, "is not a valid descriptor function", n.scantxoutset, "start", ["foo(00)"],
                      what="a bad descriptor")
    ranged = "wpkh(%s/*)" % tpub13
    assert_raises_rpc(-8, "Range is too large", n.scantxoutset, "start", [{"desc": ranged, "range": [0, 1000000]}],
                      what="a range of 10^6 + 1")
    assert_raises_rpc(-8, "Range specified as [begin,end] must not have begin after end", n.scantxoutset, "start",
                      [{"desc": ranged, "range": [5, 1]}], what="begin after end")
    assert_raises_rpc(-8, "Range should be greater or equal than 0", n.scantxoutset, "start",
                      [{"desc": ranged, "range": [-1, 1]}], what="a negative range")
    assert_raises_rpc(-5, "Cannot derive script without private keys", n.scantxoutset, "start",
                      ["wpkh(%s/1h/*)" % tpub13], what="hardened steps from a tpub")
    assert_equal(n.scantxoutset("status"), None, "status with no scan running is null")
    assert_equal(n.scantxoutset("abort"), False, "abort with no scan running is false")

    # ---- one scan at a time: a long one (100,000 derived keys) is seen by status, blocks a
    # second start, and can be told to abort; blocks connect meanwhile (validation does not stop).
    result = {}

    def long_scan():
        try:
            result["r"] = n.rpc("scantxoutset", "start", [{"desc": ranged, "range": [0, 99999]}], timeout=600)
        except Exception as e:  # noqa: BLE001 - reported below
            result["e"] = e

    t = threading.Thread(target=long_scan)
    t.start()
    try:
        wait_until(lambda: n.scantxoutset("status") is not None, 60, "the long scan to be in progress")
        status = n.scantxoutset("status")
        check(isinstance(status, dict) and 0 <= status["progress"] <= 100, "status reports progress: %r" % (status,))
        assert_raises_rpc(-8, 'Scan already in progress, use action "abort" or "status"', n.scantxoutset, "start",
                          ["tr(%s)" % TR_XONLY], what="a second scan while one runs")
        n.generatetoaddress(1, REGTEST_ADDR)
        assert_equal(n.getblockcount(), tip + 1, "a block connects while the scan runs")
        assert_equal(n.scantxoutset("abort"), True, "abort while a scan runs")
    finally:
        t.join(600)
    check("r" in result, "the long scan returned: %r" % result.get("e"))
    check(result["r"]["height"] in (tip, tip + 1), "the long scan reports the height of its snapshot")
    assert_equal(n.scantxoutset("status"), None, "status after the scan is null")
