"""What a wallet received and what changed since a block: listreceivedbyaddress and listreceivedbylabel
(minconf, include_empty, address_filter, immature coinbases, change left out) and listsinceblock
(entries less deep than the block, lastblock by target_confirmations, include_change, the label
filter, a block that left the active chain listing its branch in "removed"), with Core's errors."""

from decimal import Decimal

from test_framework import assert_equal, assert_raises_rpc, check


def run(env):
    n = env.add_node()
    n.start(["-fallbackfee=0.0002"])
    n.createwallet("w")
    rpc = lambda method, *p: n.wallet_rpc("w", method, *p)  # noqa: E731
    mining = rpc("getnewaddress", "mining")
    n.generatetoaddress(101, mining)

    # ---- listreceivedbyaddress / listreceivedbylabel
    got = rpc("listreceivedbyaddress")
    check(len(got) == 1 and got[0]["address"] == mining and got[0]["amount"] == 50 and
          got[0]["confirmations"] == 101 and got[0]["label"] == "mining" and len(got[0]["txids"]) == 1,
          "only the mature coinbase counts: %s" % got)
    got = rpc("listreceivedbyaddress", 1, False, True, None, True)
    check(got[0]["amount"] == 5050 and got[0]["confirmations"] == 1 and len(got[0]["txids"]) == 101,
          "include_immature_coinbase counts all of them")
    lab = rpc("getnewaddress", "lab")
    empty = rpc("getnewaddress", "lab")
    txid = rpc("sendtoaddress", lab, "1.5")
    got = {e["address"]: e for e in rpc("listreceivedbyaddress", 0)}
    check(lab in got and got[lab]["amount"] == Decimal("1.5") and got[lab]["confirmations"] == 0 and
          got[lab]["txids"] == [txid], "an unconfirmed payment with minconf 0: %s" % got.get(lab))
    check(lab not in {e["address"] for e in rpc("listreceivedbyaddress")}, "but not with minconf 1")
    check(empty not in got, "no empty address by default")
    change_addrs = [e["address"] for e in rpc("listsinceblock", "", 1, True, True, True)["transactions"]
                    if e["category"] == "receive" and e["txid"] == txid and e["address"] != lab]
    check(len(change_addrs) == 1 and change_addrs[0] not in got, "the change is not listed as received")
    with_empty = {e["address"]: e for e in rpc("listreceivedbyaddress", 0, True)}
    check(with_empty[empty]["amount"] == 0 and with_empty[empty]["txids"] == [] and
          with_empty[empty]["confirmations"] == 0, "include_empty lists the unused address")
    filtered = rpc("listreceivedbyaddress", 0, True, True, lab)
    check(len(filtered) == 1 and filtered[0]["address"] == lab, "address_filter")
    assert_raises_rpc(-4, "address_filter parameter was invalid", rpc, "listreceivedbyaddress", 0, True, True, "nope")
    labels = {e["label"]: e for e in rpc("listreceivedbylabel", 0)}
    check(labels["lab"]["amount"] == Decimal("1.5") and labels["mining"]["amount"] == 50 and "txids" not in labels["lab"],
          "listreceivedbylabel sums per label: %s" % labels)

    # ---- listsinceblock
    since = n.getbestblockhash()
    b1 = n.generatetoaddress(1, mining)[0]
    txid2 = rpc("sendtoaddress", lab, "2")
    b2 = n.generatetoaddress(1, mining)[0]
    res = rpc("listsinceblock", since)
    txids = {e["txid"] for e in res["transactions"]}
    check(txid in txids and txid2 in txids, "payments after the block are listed")
    check(all(e["confirmations"] < 3 for e in res["transactions"]), "nothing as deep as the block itself")
    assert_equal(res["lastblock"], b2, "lastblock is the tip")
    assert_equal(rpc("listsinceblock", since, 2)["lastblock"], b1, "target_confirmations 2")
    assert_equal(res["removed"], [], "nothing removed")
    since_b1 = {e["txid"] for e in rpc("listsinceblock", b1)["transactions"]}
    check(txid2 in since_b1 and txid not in since_b1, "since b1: only the later payment")
    assert_equal(len(rpc("listsinceblock")["transactions"]), len(rpc("listtransactions", "*", 10000)),
                 "without a block: every entry")
    only_lab = rpc("listsinceblock", since, 1, True, True, False, "lab")["transactions"]
    check(only_lab and all(e["category"] == "receive" and e["label"] == "lab" for e in only_lab),
          "the label filter keeps the label's receive entries only")
    check("removed" not in rpc("listsinceblock", since, 1, True, False), "include_removed=false")
    assert_raises_rpc(-5, "Block not found", rpc, "listsinceblock", "11" * 32)
    assert_raises_rpc(-8, "Invalid parameter", rpc, "listsinceblock", since, 0)

    # ---- a block that left the active chain: its transactions are "removed"
    n.invalidateblock(b2)
    n.generatetoaddress(2, rpc("getnewaddress"))  # another coinbase: not the invalidated block again
    res = rpc("listsinceblock", b2)
    check(txid2 in {e["txid"] for e in res["removed"]}, "the payment of the stale block is in removed: %s" % res["removed"])
    check(txid2 in {e["txid"] for e in res["transactions"]}, "and, mined again, in transactions")
