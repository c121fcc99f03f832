"""The wallet's PSBT flow across two wallets (issue 14's acceptance): node A mines and funds
wallet "signer" on node B; wallet "watch" (disable_private_keys, blank) imports signer's public
descriptors (listdescriptors) and sees the same balance; walletcreatefundedpsbt on watch,
walletprocesspsbt on signer, finalizepsbt, sendrawtransaction, mined: balances right on both.
listdescriptors private=true on signer round-trips through importdescriptors into a third blank
wallet (same addresses). descriptorprocesspsbt, signrawtransactionwithwallet, fundrawtransaction, and Core's errors (bad
descriptor, private keys into a watch-only wallet, bad PSBT, range and label checks)."""

from decimal import Decimal

from test_framework import assert_equal, assert_raises_rpc, check, log, wait_until


def sync_blocks(nodes):
    wait_until(lambda: len({n.getbestblockhash() for n in nodes}) == 1, 60, "every node has the same tip")


def run(env):
    args = ["-keypool=50", "-fallbackfee=0.0002", "-whitelist=noban@127.0.0.1"]
    a, b = nodes = [env.add_node(extra_args=args) for _ in range(2)]
    for n in nodes:
        n.start()
    a.createwallet("a")
    b.createwallet("signer")
    b.addnode("127.0.0.1:%d" % a.p2p_port, "add")
    a_addr = a.wallet_rpc("a", "getnewaddress")
    a.generatetoaddress(101, a_addr)
    sync_blocks(nodes)

    # ---- signer is funded
    s_addr = b.wallet_rpc("signer", "getnewaddress")
    a.wallet_rpc("a", "sendtoaddress", s_addr, 10)
    a.generatetoaddress(1, a_addr)
    sync_blocks(nodes)
    assert_equal(b.wallet_rpc("signer", "getbalances")["mine"]["trusted"], Decimal(10), "signer funded")

    # ---- watch imports signer's public descriptors
    b.createwallet("watch", True, True)
    public = b.wallet_rpc("signer", "listdescriptors")["descriptors"]
    assert_equal(len(public), 8, "signer has Core's eight descriptors")
    requests = [{"desc": d["desc"], "timestamp": 0, "active": d["active"], "internal": d["internal"],
                 "range": d["range"], "next_index": d["next_index"]} for d in public]
    results = b.wallet_rpc("watch", "importdescriptors", requests)
    check(all(r["success"] for r in results), "every public descriptor imported: %s" % results)
    assert_equal(b.wallet_rpc("watch", "getbalances")["mine"]["trusted"], Decimal(10),
                 "the rescan found signer's coin in watch")
    watch_descs = sorted(d["desc"] for d in b.wallet_rpc("watch", "listdescriptors")["descriptors"])
    assert_equal(watch_descs, sorted(d["desc"] for d in public), "watch lists the same descriptors")
    # The same descriptor again: its range must include the one watched (Core's
    # CanUpdateToWalletDescriptor: the import's range or the keypool past the next index); a
    # larger one is an update, not a second descriptor.
    def listed(wallet, desc):
        return [d for d in b.wallet_rpc(wallet, "listdescriptors")["descriptors"] if d["desc"] == desc][0]

    watched = listed("watch", requests[0]["desc"])["range"]
    check(watched[0] == 0 and watched[1] >= requests[0]["range"][1], "at least the imported range is watched: %s"
          % watched)
    small = b.wallet_rpc("watch", "importdescriptors", [dict(requests[0], range=[0, watched[1] - 1])])[0]
    assert_equal(small.get("error"), {"code": -4, "message": "Could not add descriptor '%s': new range must include "
                                      "current range = [0,%d]" % (requests[0]["desc"], watched[1])},
                 "a re-import with a smaller range")
    again = dict(requests[0], range=[0, watched[1] + 100])
    check(b.wallet_rpc("watch", "importdescriptors", [again])[0]["success"], "re-import updates")
    assert_equal(len(b.wallet_rpc("watch", "listdescriptors")["descriptors"]), 8, "still eight descriptors")
    assert_equal(listed("watch", again["desc"])["range"], [0, watched[1] + 100], "the range grew to the import's")

    # ---- a range from 5: index 5 is the wallet's, index 4 is not (Core's wallet once reloaded;
    # right after the import its first top-up also derives 0-4)
    b.createwallet("ranges", True, True)
    ext = [d for d in public if d["desc"].startswith("wpkh(") and not d["internal"]][0]["desc"]
    res = b.wallet_rpc("ranges", "importdescriptors", [{"desc": ext, "timestamp": "now", "range": [5, 10]}])[0]
    check(res["success"], "import with range [5,10]: %s" % res)
    got = listed("ranges", ext)
    check(got["range"][0] == 5 and got["next_index"] == 5, "listdescriptors: from 5, next 5: %s" % got)
    at4, at5 = b.deriveaddresses(ext, [4, 5])
    check(b.wallet_rpc("ranges", "getaddressinfo", at5)["ismine"], "index 5 is watched")
    check(not b.wallet_rpc("ranges", "getaddressinfo", at4)["ismine"], "index 4 is not")
    res = b.wallet_rpc("ranges", "importdescriptors", [{"desc": ext, "timestamp": "now", "range": [6, 2000]}])[0]
    check(not res["success"] and "new range must include current range = [5," in res["error"]["message"],
          "a later start does not include the current range: %s" % res)

    # ---- BIP-389 multipath: <0;1> imports two descriptors, the second internal (Core's importdescriptors)
    b.createwallet("multi", True, True)
    body = ext.split("#")[0]
    check("/0/*)" in body, "the external descriptor ends in /0/*: %s" % body)
    mp = body.replace("/0/*)", "/<0;1>/*)")
    mp += "#" + b.getdescriptorinfo(mp)["checksum"]
    res = b.wallet_rpc("multi", "importdescriptors", [{"desc": mp, "timestamp": "now", "active": True,
                                                       "range": [0, 20]}])[0]
    check(res["success"], "multipath import: %s" % res)
    descs = b.wallet_rpc("multi", "listdescriptors")["descriptors"]
    check(len(descs) == 2 and all(d["active"] for d in descs) and sorted(d["internal"] for d in descs) == [False, True],
          "two active descriptors, one internal: %s" % descs)
    change_desc = [d["desc"] for d in public if d["desc"].startswith("wpkh(") and d["internal"]][0]
    info = b.getdescriptorinfo(mp)
    assert_equal(info["multipath_expansion"], [ext, change_desc], "getdescriptorinfo: multipath_expansion")
    assert_equal(info["descriptor"], ext, "getdescriptorinfo: the first expansion")
    assert_equal(b.deriveaddresses(mp, [0, 1]), [b.deriveaddresses(ext, [0, 1]), b.deriveaddresses(change_desc, [0, 1])],
                 "deriveaddresses: a list per path")
    # The import's rescan (from "now" less Core's 2 hours) saw the signer's funding at index 0.
    nxt = {d["internal"]: d["next_index"] for d in descs}
    assert_equal(b.wallet_rpc("multi", "getnewaddress"), b.deriveaddresses(ext, [nxt[False]] * 2)[0], "receive: path 0")
    assert_equal(b.wallet_rpc("multi", "getrawchangeaddress"), b.deriveaddresses(change_desc, [nxt[True]] * 2)[0],
                 "change: path 1")
    res = b.wallet_rpc("multi", "importdescriptors", [{"desc": mp, "timestamp": "now", "label": "x"}])[0]
    assert_equal(res.get("error"), {"code": -8, "message": "Multipath descriptors should not have a label"},
                 "multipath with a label")
    res = b.wallet_rpc("multi", "importdescriptors", [{"desc": mp, "timestamp": "now", "internal": False}])[0]
    assert_equal(res.get("error"), {"code": -5, "message": "Cannot have multipath descriptor while also specifying "
                                    "'internal'"}, "multipath with internal")

    # ---- errors (Core's codes and messages)
    bad = b.wallet_rpc("watch", "importdescriptors", [{"desc": "wpkh(nope)", "timestamp": "now"}])[0]
    check(not bad["success"] and bad["error"]["code"] == -5, "bad descriptor: -5 (%s)" % bad)
    nochk = b.wallet_rpc("watch", "importdescriptors", [{"desc": public[0]["desc"].split("#")[0], "timestamp": "now"}])
    check(not nochk[0]["success"] and nochk[0]["error"]["message"] == "Missing checksum", "checksum required: %s" % nochk)
    priv = b.wallet_rpc("signer", "listdescriptors", True)["descriptors"]
    refused = b.wallet_rpc("watch", "importdescriptors", [{"desc": priv[0]["desc"], "timestamp": "now"}])[0]
    assert_equal(refused["error"], {"code": -4, "message": "Cannot import private keys to a wallet with private keys "
                                    "disabled"}, "private keys into a watch-only wallet")
    unranged = [d for d in public if "*" not in d["desc"]]
    check(not unranged, "every wallet descriptor is ranged")
    lbl = b.wallet_rpc("watch", "importdescriptors", [{"desc": public[0]["desc"], "timestamp": "now", "label": "x"}])[0]
    assert_equal(lbl["error"], {"code": -8, "message": "Ranged descriptors should not have a label"}, "label refused")
    nxt = b.wallet_rpc("watch", "importdescriptors", [{"desc": public[0]["desc"], "timestamp": "now",
                                                        "range": [0, 10], "next_index": 11}])[0]
    assert_equal(nxt["error"], {"code": -8, "message": "next_index is out of range"}, "next_index checked")
    assert_raises_rpc(-3, "Missing required timestamp field for key", b.wallet_rpc, "watch", "importdescriptors",
                      [{"desc": public[0]["desc"]}])
    assert_raises_rpc(-4, "Can't get private descriptor string for watch-only wallets", b.wallet_rpc, "watch",
                      "listdescriptors", True)
    assert_raises_rpc(-22, "TX decode failed", b.wallet_rpc, "signer", "walletprocesspsbt", "bm90IGEgcHNidA==")

    # ---- the PSBT flow: watch creates, signer signs, finalize, broadcast
    dest = a.wallet_rpc("a", "getnewaddress")
    funded = b.wallet_rpc("watch", "walletcreatefundedpsbt", [], [{dest: 3}], 0, {"fee_rate": 5})
    check(funded["changepos"] in (0, 1) and Decimal(0) < funded["fee"] < Decimal("0.001"), "funded: %s" % funded)
    unsigned = b.wallet_rpc("watch", "walletprocesspsbt", funded["psbt"])
    check(unsigned["complete"] is False, "watch cannot sign")
    signed = b.wallet_rpc("signer", "walletprocesspsbt", funded["psbt"])
    check(signed["complete"] is True and "hex" in signed, "signer signs every input")
    final = b.finalizepsbt(signed["psbt"])
    check(final["complete"], "finalizepsbt completes")
    assert_equal(final["hex"], signed["hex"], "walletprocesspsbt's hex is finalizepsbt's")
    # The node's descriptorprocesspsbt signs the same with signer's private descriptors.
    by_desc = b.descriptorprocesspsbt(funded["psbt"], [d["desc"] for d in priv])
    check(by_desc["complete"] is True, "descriptorprocesspsbt completes with the private descriptors")
    assert_equal(by_desc["hex"], signed["hex"], "descriptorprocesspsbt's transaction is the wallet's (RFC 6979)")
    by_pub = b.descriptorprocesspsbt(funded["psbt"], [{"desc": d["desc"], "range": 100} for d in public])
    check(by_pub["complete"] is False, "public descriptors cannot sign")
    assert_raises_rpc(-5, None, b.descriptorprocesspsbt, funded["psbt"], ["wpkh(nope)"])
    # Core's EvalDescriptorStringOrObject: its message for an object without "desc", no checksum
    # required, and a range given to an un-ranged descriptor ignored.
    assert_raises_rpc(-8, "Descriptor needs to be provided in scan object", b.descriptorprocesspsbt,
                      funded["psbt"], [{"range": 5}])
    assert_raises_rpc(-8, "Scan object needs to be either a string or an object", b.descriptorprocesspsbt,
                      funded["psbt"], [5])
    check(b.descriptorprocesspsbt(funded["psbt"], [public[0]["desc"].split("#")[0]])["complete"] is False,
          "a descriptor without its checksum is taken")
    check(b.descriptorprocesspsbt(funded["psbt"], [{"desc": "addr(%s)" % a_addr, "range": 5}])["complete"] is False,
          "a range on an un-ranged descriptor is ignored")
    # Core's ParseDescriptorRange, shared by every descriptor RPC: checked in Core's order.
    for rng, msg in ((-1, "End of range is too high"), ([-1, 10], "Range should be greater or equal than 0"),
                     ([(2 << 32) - 1000000, 2 << 32], "End of range is too high"), ([0, 1000000], "Range is too large"),
                     ([2, 0], "Range specified as [begin,end] must not have begin after end")):
        assert_raises_rpc(-8, msg, b.descriptorprocesspsbt, funded["psbt"], [{"desc": public[0]["desc"], "range": rng}])
        res = b.wallet_rpc("watch", "importdescriptors", [{"desc": public[0]["desc"], "timestamp": "now", "range": rng}])
        assert_equal(res[0]["error"], {"code": -8, "message": msg}, "importdescriptors range %s" % (rng,))
    txid = b.sendrawtransaction(final["hex"])
    wait_until(lambda: txid in a.getrawmempool(), 60, "the PSBT's transaction reached A")
    a.generatetoaddress(1, a_addr)
    sync_blocks(nodes)
    expected = Decimal(10) - 3 - funded["fee"]
    assert_equal(b.wallet_rpc("signer", "getbalances")["mine"]["trusted"], expected, "signer's balance after")
    assert_equal(b.wallet_rpc("watch", "getbalances")["mine"]["trusted"], expected, "watch's balance after")
    check(b.wallet_rpc("signer", "gettransaction", txid)["confirmations"] == 1, "signer sees it confirmed")

    # ---- listdescriptors private round-trips into a blank wallet with private keys
    b.createwallet("copy", False, True)
    res = b.wallet_rpc("copy", "importdescriptors",
                       [{"desc": d["desc"], "timestamp": 0, "active": d["active"], "internal": d["internal"],
                         "next_index": d["next_index"], "range": d["range"]} for d in priv])
    check(all(r["success"] for r in res), "private descriptors import: %s" % res)
    assert_equal(sorted(d["desc"] for d in b.wallet_rpc("copy", "listdescriptors", True)["descriptors"]),
                 sorted(d["desc"] for d in priv), "the private descriptors round-trip")
    for t in ["legacy", "p2sh-segwit", "bech32", "bech32m"]:
        assert_equal(b.wallet_rpc("copy", "getnewaddress", "", t), b.wallet_rpc("signer", "getnewaddress", "", t),
                     "the same %s address" % t)
    assert_equal(b.wallet_rpc("copy", "getbalances")["mine"]["trusted"], expected, "copy sees the coins")
    pub_only = b.wallet_rpc("copy", "importdescriptors", [{"desc": public[0]["desc"], "timestamp": "now"}])[0]
    assert_equal(pub_only["error"]["message"], "Cannot import descriptor without private keys to a wallet with "
                 "private keys enabled", "public descriptor into a wallet with keys")

    # ---- signrawtransactionwithwallet and fundrawtransaction
    raw = b.createrawtransaction([], [{dest: 1}])
    fr = b.wallet_rpc("signer", "fundrawtransaction", raw, {"fee_rate": 3})
    check(fr["changepos"] in (0, 1) and fr["fee"] > 0, "fundrawtransaction: %s" % fr)
    half = b.wallet_rpc("watch", "signrawtransactionwithwallet", fr["hex"])
    check(half["complete"] is False and len(half["errors"]) >= 1, "watch-only: cannot sign")
    sr = b.wallet_rpc("signer", "signrawtransactionwithwallet", fr["hex"])
    check(sr["complete"] is True and "errors" not in sr, "signer signs: %s" % sr)
    accept = b.testmempoolaccept([sr["hex"]])[0]
    check(accept["allowed"], "the signed transaction is valid: %s" % accept)
    assert_raises_rpc(-22, "TX decode failed", b.wallet_rpc, "signer", "signrawtransactionwithwallet", "zz")
    assert_raises_rpc(-8, "'FOO' is not a valid sighash parameter.", b.wallet_rpc, "signer",
                      "signrawtransactionwithwallet", fr["hex"], None, "FOO")
    log("wallet PSBT flow, imports and signing: ok")
