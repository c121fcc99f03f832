"""bumpfee, psbtbumpfee, send and sendall on a 3-node regtest network (issue 14's acceptance:
"bumpfee replaces and the replacement is mined"): A funds B's wallet; B pays A; B bumps the fee;
the original leaves every node's mempool, the replacement is mined, balances are right, and
gettransaction shows replaced_by_txid / replaces_txid and the conflict; Core's errors for a mined
transaction, a second bump of the original, a too low fee_rate, a watch-only wallet; psbtbumpfee;
send with and without psbt=true; sendall empties a wallet to one address."""

from decimal import Decimal

from test_framework import assert_equal, assert_raises_rpc, check, log, wait_until


def sync_blocks(nodes):
    wait_until(lambda: len({n.getbestblockhash() for n in nodes}) == 1, 60, "every node has the same tip")


def wait_in_pools(nodes, txid):
    wait_until(lambda: all(txid in n.getrawmempool() for n in nodes), 60, "%s in every pool" % txid[:16])


def wait_gone(nodes, txid):
    wait_until(lambda: all(txid not in n.getrawmempool() for n in nodes), 60, "%s gone from every pool" % txid[:16])


def mine(node, nodes, count=1):
    hashes = node.generatetoaddress(count, node.wallet_rpc("a", "getnewaddress"))
    sync_blocks(nodes)
    return hashes


def trusted(node, wallet):
    return node.wallet_rpc(wallet, "getbalances")["mine"]["trusted"]


def run(env):
    args = ["-keypool=50", "-fallbackfee=0.0002", "-whitelist=noban@127.0.0.1"]
    a, b, c = nodes = [env.add_node(extra_args=args) for _ in range(3)]
    for n in nodes:
        n.start()
    a.createwallet("a")
    b.createwallet("b")
    mine(a, [a], 101)
    b.addnode("127.0.0.1:%d" % a.p2p_port, "add")
    sync_blocks([a, b])
    # C joins once B has the chain: C's one initial getheaders could otherwise reach B while B
    # still syncs from A, and C would then wait for B's next announcement (seen once in CI).
    c.addnode("127.0.0.1:%d" % b.p2p_port, "add")
    sync_blocks(nodes)

    # ---- A funds B with two coins, confirmed
    for amount in ("3", "2"):
        wait_in_pools(nodes, a.wallet_rpc("a", "sendtoaddress", b.wallet_rpc("b", "getnewaddress"), amount))
    mine(a, nodes)
    assert_equal(trusted(b, "b"), Decimal(5), "B funded")

    # ---- B pays A; bumpfee replaces it
    a_addr = a.wallet_rpc("a", "getnewaddress")
    orig = b.wallet_rpc("b", "sendtoaddress", a_addr, "1", "", "", False, True, None, "unset", None, "2")
    wait_in_pools(nodes, orig)
    orig_fee = -b.wallet_rpc("b", "gettransaction", orig)["fee"]
    assert_raises_rpc(-8, "Insufficient total fee", b.wallet_rpc, "b", "bumpfee", orig, {"fee_rate": "2.05"})
    assert_raises_rpc(-8, "Invalid conf_target", b.wallet_rpc, "b", "bumpfee", orig, {"conf_target": 0})
    assert_raises_rpc(-8, "Cannot specify both conf_target and fee_rate", b.wallet_rpc, "b", "bumpfee", orig,
                      {"conf_target": 2, "fee_rate": "5"})
    assert_raises_rpc(-5, "Invalid or non-wallet transaction id", b.wallet_rpc, "b", "bumpfee", "00" * 32)
    res = b.wallet_rpc("b", "bumpfee", orig)
    bumped = res["txid"]
    check(res["origfee"] == orig_fee and res["fee"] > orig_fee and res["errors"] == [], "bumpfee result %s" % res)
    wait_in_pools(nodes, bumped)
    wait_gone(nodes, orig)
    assert_equal(b.wallet_rpc("b", "gettransaction", orig)["replaced_by_txid"], bumped, "original: replaced_by_txid")
    assert_equal(b.wallet_rpc("b", "gettransaction", bumped)["replaces_txid"], orig, "replacement: replaces_txid")
    assert_raises_rpc(-4, "Cannot bump transaction %s which was already bumped by transaction %s" % (orig, bumped),
                      b.wallet_rpc, "b", "bumpfee", orig)
    # A fee_rate (sat/vB) of the replacement's plus a full increment is accepted: bumped again.
    res2 = b.wallet_rpc("b", "bumpfee", bumped, {"fee_rate": "25"})
    bumped2 = res2["txid"]
    check(res2["origfee"] == res["fee"] and res2["fee"] > res["fee"], "second bump %s" % res2)
    wait_in_pools(nodes, bumped2)
    wait_gone(nodes, bumped)

    mine(a, nodes)
    check(b.wallet_rpc("b", "gettransaction", bumped2)["confirmations"] == 1, "the replacement is mined")
    for t in (orig, bumped):
        tx = b.wallet_rpc("b", "gettransaction", t)
        check(tx["confirmations"] < 0 and bumped2 in tx["walletconflicts"], "%s conflicted: %s" % (t[:16], tx))
    assert_equal(trusted(b, "b"), Decimal(4) - res2["fee"], "B paid 1 BTC and the last fee only")
    check(Decimal(1) in [e["amount"] for e in a.wallet_rpc("a", "listtransactions", "*", 50)
                         if e["txid"] == bumped2], "A received 1 BTC in the replacement")
    assert_raises_rpc(-4, "Transaction has been mined, or is conflicted with a mined transaction", b.wallet_rpc, "b",
                      "bumpfee", bumped2)

    # ---- psbtbumpfee: an unsigned replacement, nothing broadcast
    t3 = b.wallet_rpc("b", "sendtoaddress", a_addr, "0.5")
    wait_in_pools(nodes, t3)
    pres = b.wallet_rpc("b", "psbtbumpfee", t3)
    dec = b.decodepsbt(pres["psbt"])
    check(pres["fee"] > pres["origfee"] and len(dec["inputs"]) >= 1 and "final_scriptwitness" not in dec["inputs"][0],
          "psbtbumpfee: an unsigned PSBT %s" % pres)
    check(t3 in b.getrawmempool(), "psbtbumpfee broadcasts nothing")
    b.createwallet("watch", True)
    assert_raises_rpc(-4, "bumpfee is not available with wallets that have private keys disabled. Use psbtbumpfee "
                      "instead.", b.wallet_rpc, "watch", "bumpfee", t3)
    b.unloadwallet("watch")
    # bumpfee's outputs option: new recipients, the change recreated.
    assert_raises_rpc(-8, "Change position is out of range", b.wallet_rpc, "b", "bumpfee", t3,
                      {"original_change_index": 5})
    assert_raises_rpc(-8, "The options 'outputs' and 'original_change_index' are incompatible", b.wallet_rpc, "b",
                      "bumpfee", t3, {"outputs": [{a_addr: "0.4"}], "original_change_index": 0})
    a_addr2 = a.wallet_rpc("a", "getnewaddress")
    t3b = b.wallet_rpc("b", "bumpfee", t3, {"outputs": [{a_addr2: "0.4"}]})["txid"]
    wait_in_pools(nodes, t3b)
    wait_gone(nodes, t3)
    outs = b.decoderawtransaction(b.wallet_rpc("b", "gettransaction", t3b)["hex"])["vout"]
    check(len(outs) == 2 and [o["value"] for o in outs if o["scriptPubKey"].get("address") == a_addr2] ==
          [Decimal("0.4")], "bumpfee outputs: 0.4 to the new address and change: %s" % outs)

    # ---- send: committed, or handed back with psbt=true
    sres = b.wallet_rpc("b", "send", [{a_addr: "0.25"}], None, "unset", "3")
    check(sres["complete"] is True and "hex" not in sres and "psbt" not in sres, "send result %s" % sres)
    wait_in_pools(nodes, sres["txid"])
    pres = b.wallet_rpc("b", "send", {a_addr: "0.25"}, None, None, None, {"psbt": True, "fee_rate": "3"})
    check(pres["complete"] is True and "hex" in pres and "psbt" in pres, "send psbt=true: %s" % pres)
    check(pres["txid"] not in b.getrawmempool(), "send psbt=true broadcasts nothing")
    assert_equal(b.decoderawtransaction(pres["hex"])["txid"], pres["txid"], "send psbt=true: the hex is the tx")
    # change_position and lock_unspents, not added to the wallet.
    lres = b.wallet_rpc("b", "send", {a_addr: "0.1"}, None, None, None,
                        {"change_position": 0, "lock_unspents": True, "add_to_wallet": False, "fee_rate": "3"})
    ltx = b.decoderawtransaction(lres["hex"])
    check(ltx["vout"][1]["scriptPubKey"]["address"] == a_addr and ltx["vout"][0]["value"] > 0,
          "send change_position=0: %s" % ltx["vout"])
    locked = b.wallet_rpc("b", "listlockunspent")
    check(sorted((x["txid"], x["vout"]) for x in locked) == sorted((i["txid"], i["vout"]) for i in ltx["vin"]),
          "send lock_unspents locked the inputs: %s" % locked)
    b.wallet_rpc("b", "lockunspent", True)
    # Given inputs keep the "sequence" given for them (Core's ConstructTransaction), the others
    # the default; the lock time is the one given, 0 by default (Core's FundTransaction).
    given = ltx["vin"][0]
    more = b.gettxout(given["txid"], given["vout"])["value"] + Decimal("0.01")  # the wallet must add a coin
    sq = b.wallet_rpc("b", "send", {a_addr: str(more)}, None, None, None,
                      {"inputs": [{"txid": given["txid"], "vout": given["vout"], "sequence": 1000}],
                       "add_inputs": True, "add_to_wallet": False, "fee_rate": "3"})
    stx = b.decoderawtransaction(sq["hex"])
    seqs = {(i["txid"], i["vout"]): i["sequence"] for i in stx["vin"]}
    check(len(seqs) >= 2, "send: the wallet added inputs to the given one: %s" % seqs)
    assert_equal(seqs[(given["txid"], given["vout"])], 1000, "send: the given input's sequence")
    check(all(v == 0xfffffffd for k, v in seqs.items() if k != (given["txid"], given["vout"])),
          "send: inputs added by the wallet signal BIP-125: %s" % seqs)
    assert_equal((stx["locktime"], ltx["locktime"]), (0, 0), "send: lock time 0 unless given (no anti-fee-sniping)")
    assert_raises_rpc(-8, "Sequence number(s) contradict replaceable option", b.wallet_rpc, "b", "send",
                      {a_addr: "0.1"}, None, None, None,
                      {"inputs": [{"txid": given["txid"], "vout": given["vout"], "sequence": 0xffffffff}],
                       "add_to_wallet": False, "fee_rate": "3"})  # replaceable: the wallet's default, true
    assert_raises_rpc(-8, "sequence number is out of range", b.wallet_rpc, "b", "send", {a_addr: "0.1"}, None, None,
                      None, {"inputs": [{"txid": given["txid"], "vout": given["vout"], "sequence": -1}],
                             "add_to_wallet": False, "fee_rate": "3"})
    assert_raises_rpc(-8, "Pass fee_rate either as positional argument or in the options object, but not both",
                      b.wallet_rpc, "b", "send", {a_addr: "0.1"}, None, None, "3", {"fee_rate": "3"})

    # ---- sendall: everything to one address of C's... to A
    small = a.wallet_rpc("a", "sendtoaddress", b.wallet_rpc("b", "getnewaddress"), "0.00002")
    wait_in_pools(nodes, small)
    mine(a, nodes)
    # send_max leaves behind a coin worth less than its input costs at the fee rate (2,000 sat
    # against 68 vB at 50 sat/vB); without it every coin goes.
    small_tx = b.decoderawtransaction(b.wallet_rpc("b", "gettransaction", small)["hex"])
    small_vout = [o["n"] for o in small_tx["vout"] if o["value"] == Decimal("0.00002")]
    small_in = (small, small_vout[0])
    for send_max, taken in ((True, False), (False, True)):
        sm = b.wallet_rpc("b", "sendall", [a_addr], None, None, None,
                          {"send_max": send_max, "fee_rate": "50", "add_to_wallet": False})
        ins = [(i["txid"], i["vout"]) for i in b.decoderawtransaction(sm["hex"])["vin"]]
        check((small_in in ins) == taken and len(ins) >= 2 - (not taken),
              "sendall send_max=%s: the 2,000 sat coin %s: %s" % (send_max, "taken" if taken else "left", ins))
    assert_raises_rpc(-8, "Must provide at least one address without a specified amount", b.wallet_rpc, "b",
                      "sendall", [{a_addr: "0.1"}])
    assert_raises_rpc(-8, "Cannot combine send_max with specific inputs.", b.wallet_rpc, "b", "sendall", [a_addr],
                      None, None, None, {"send_max": True, "inputs": []})
    # sendall's given inputs keep their "sequence" too (Core's sendall reads it as send does).
    coin = b.wallet_rpc("b", "listunspent")[0]
    sa = b.wallet_rpc("b", "sendall", [a_addr], None, None, None,
                      {"inputs": [{"txid": coin["txid"], "vout": coin["vout"], "sequence": 1000}],
                       "add_to_wallet": False, "fee_rate": "3"})
    sa_vin = b.decoderawtransaction(sa["hex"])["vin"]
    assert_equal([(i["txid"], i["vout"], i["sequence"]) for i in sa_vin], [(coin["txid"], coin["vout"], 1000)],
                 "sendall: the given input and its sequence")
    before = trusted(a, "a")
    all_res = b.wallet_rpc("b", "sendall", [a_addr], None, "unset", "2")
    check(all_res["complete"] is True, "sendall result %s" % all_res)
    wait_in_pools(nodes, all_res["txid"])
    mine(a, nodes)
    assert_equal(b.wallet_rpc("b", "getbalances")["mine"], {"trusted": 0, "untrusted_pending": 0, "immature": 0},
                 "sendall emptied B")
    assert_equal(b.wallet_rpc("b", "listunspent"), [], "B has no coins")
    check(trusted(a, "a") > before, "A received B's coins")
    assert_raises_rpc(-6, "Total value of UTXO pool too low to pay for transaction", b.wallet_rpc, "b", "sendall",
                      [a_addr])

    # ---- a transaction another wallet's transaction spends in the mempool is not bumped (Core)
    wait_in_pools(nodes, a.wallet_rpc("a", "sendtoaddress", b.wallet_rpc("b", "getnewaddress"), "1"))
    mine(a, nodes)
    a_addr3 = a.wallet_rpc("a", "getnewaddress")
    parent = b.wallet_rpc("b", "sendtoaddress", a_addr3, "0.5")
    wait_in_pools(nodes, parent)
    vout = [o["n"] for o in b.getrawtransaction(parent, True)["vout"] if o["scriptPubKey"].get("address") == a_addr3]
    child = a.wallet_rpc("a", "send", [{a_addr: "0.4"}], None, "unset", "2",
                         {"inputs": [{"txid": parent, "vout": vout[0]}]})
    wait_in_pools(nodes, child["txid"])
    for method in ("bumpfee", "psbtbumpfee"):
        assert_raises_rpc(-8, "Transaction has descendants in the mempool", b.wallet_rpc, "b", method, parent)
    log("ok: bumpfee replaced and mined, bump errors, psbtbumpfee, send (psbt or not), sendall")
