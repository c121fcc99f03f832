"""Sending between wallets on a 3-node regtest network (the issue's acceptance flow, the parts that
exist): A mines and pays B's legacy, p2sh-segwit, bech32 and bech32m addresses; B spends each back;
balances are right on every node after each block; C, a third node, relays and sees the same chain;
a reorg that drops B's payment makes it untrusted/pending and then confirmed again; kill -9 of B
between receiving and sending loses nothing; Core's errors for bad addresses, amounts and fee rates."""

from decimal import Decimal

from test_framework import assert_equal, assert_raises_rpc, check, log, wait_until


def sync_blocks(nodes):
    wait_until(lambda: len({n.getbestblockhash() for n in nodes}) == 1, 60, "every node has the same tip")


def wait_in_pools(nodes, txid):
    wait_until(lambda: all(txid in n.getrawmempool() for n in nodes), 60, "%s in every pool" % txid[:16])


def mine(node, wallet, nodes, count=1):
    addr = node.wallet_rpc(wallet, "getnewaddress")
    hashes = node.generatetoaddress(count, addr)
    sync_blocks(nodes)
    return hashes


def bal(node, wallet):
    return node.wallet_rpc(wallet, "getbalances")["mine"]


def run(env):
    args = ["-keypool=50", "-fallbackfee=0.0002", "-whitelist=noban@127.0.0.1"]
    a, b, c = nodes = [env.add_node(extra_args=args) for _ in range(3)]
    for n in nodes:
        n.start()
    a.createwallet("a")
    b.createwallet("b")
    mine(a, "a", [a], 101)
    b.addnode("127.0.0.1:%d" % a.p2p_port, "add")
    wait_until(lambda: b.getbestblockhash() == a.getbestblockhash(), 60, "B synced")
    c.addnode("127.0.0.1:%d" % b.p2p_port, "add")
    sync_blocks(nodes)
    assert_equal(bal(a, "a")["trusted"], Decimal(50), "A has one mature coinbase")

    # ---- Core's errors
    assert_raises_rpc(-5, "Invalid Bitcoin address: nope", a.wallet_rpc, "a", "sendtoaddress", "nope", 1)
    baddr = b.wallet_rpc("b", "getnewaddress")
    assert_raises_rpc(-3, "Invalid amount for send", a.wallet_rpc, "a", "sendtoaddress", baddr, 0)
    assert_raises_rpc(-3, "Amount out of range", a.wallet_rpc, "a", "sendtoaddress", baddr, -1)
    assert_raises_rpc(-6, "Insufficient funds", a.wallet_rpc, "a", "sendtoaddress", baddr, 51)
    assert_raises_rpc(-8, "Cannot specify both conf_target and fee_rate", a.wallet_rpc, "a", "sendtoaddress", baddr, 1,
                      "", "", False, True, 6, "unset", None, 10)
    assert_raises_rpc(-8, "Invalid estimate_mode parameter", a.wallet_rpc, "a", "sendtoaddress", baddr, 1, "", "",
                      False, True, 6, "fast")
    assert_raises_rpc(-6, "is lower than the minimum fee rate setting", a.wallet_rpc, "a", "sendtoaddress", baddr, 1,
                      "", "", False, True, None, None, None, 0.01)
    # A send that fails after its change address was taken gives it back (Core's ReserveDestination).
    def change_index():
        return int(a.wallet_rpc("a", "getaddressinfo", a.wallet_rpc("a", "getrawchangeaddress"))["hdkeypath"]
                   .split("/")[-1])
    before = change_index()
    assert_raises_rpc(-6, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)", a.wallet_rpc, "a",
                      "sendtoaddress", baddr, 1, "", "", False, True, None, None, None, 100000)
    assert_equal(change_index(), before + 1, "the failed send's change index is handed out next")
    assert_equal(a.getrawmempool(), [], "no failed send left anything in the pool")
    a.createwallet("watch", True)
    assert_raises_rpc(-4, "Error: This wallet has no available keys", a.wallet_rpc, "watch", "getnewaddress")
    assert_raises_rpc(-4, "Error: Private keys are disabled for this wallet", a.wallet_rpc, "watch", "sendtoaddress",
                      baddr, 1)
    a.unloadwallet("watch")
    check(a.wallet_rpc("a", "settxfee", "0.0005") is True, "settxfee")
    assert_equal(a.wallet_rpc("a", "getwalletinfo")["paytxfee"], Decimal("0.0005"), "getwalletinfo shows settxfee")
    a.wallet_rpc("a", "settxfee", 0)

    # ---- A pays each of B's address types
    types = ["legacy", "p2sh-segwit", "bech32", "bech32m"]
    paid = {}
    for t in types:
        addr = b.wallet_rpc("b", "getnewaddress", t, t)
        txid = a.wallet_rpc("a", "sendtoaddress", addr, 1.25, "to B", "Bob")
        paid[t] = (addr, txid)
        wait_in_pools(nodes, txid)
    assert_equal(bal(b, "b"), {"trusted": 0, "untrusted_pending": Decimal(5), "immature": 0}, "B: pending")
    sent = a.wallet_rpc("a", "gettransaction", paid["bech32"][1])
    check(sent["amount"] == Decimal("-1.25") and sent["fee"] < 0 and sent["comment"] == "to B" and
          sent["to"] == "Bob" and sent["bip125-replaceable"] == "yes", "A's side of a payment: %s" % sent)
    check(bal(a, "a")["trusted"] < Decimal(45) and bal(a, "a")["trusted"] > Decimal("44.99"),
          "A's change is trusted while unconfirmed")
    a.generatetoaddress(1, a.wallet_rpc("a", "getnewaddress"))
    sync_blocks(nodes)
    assert_equal(bal(b, "b"), {"trusted": Decimal(5), "untrusted_pending": 0, "immature": 0}, "B: confirmed")
    for t in types:
        coins = [u for u in b.wallet_rpc("b", "listunspent") if u["address"] == paid[t][0]]
        check(len(coins) == 1 and coins[0]["amount"] == Decimal("1.25") and coins[0]["label"] == t,
              "B holds the %s coin" % t)

    # ---- kill -9 of B after receiving: nothing lost
    b.kill()
    b.start(args + ["-wallet=b"])
    b.wait_caught_up()
    b.addnode("127.0.0.1:%d" % a.p2p_port, "add")
    c.addnode("127.0.0.1:%d" % b.p2p_port, "onetry")  # at once, not at C's next retry of its added node
    wait_until(lambda: len(b.getpeerinfo()) == 2, 60, "B is connected to A and C again")
    assert_equal(bal(b, "b")["trusted"], Decimal(5), "B's balance after kill -9")

    # ---- B spends each type back to A (one coin at a time: coin control by amount)
    back = a.wallet_rpc("a", "getnewaddress")
    before_a = bal(a, "a")["trusted"]
    for t in types:
        txid = b.wallet_rpc("b", "sendtoaddress", back, 1.2)
        wait_in_pools([a, b], txid)
        tx = b.getrawtransaction(txid, True)
        check(all(i["sequence"] == 0xfffffffd for i in tx["vin"]), "BIP-125 signalled")
        check(tx["locktime"] >= b.getblockcount() - 100, "anti-fee-sniping lock time")
    a.generatetoaddress(1, a.wallet_rpc("a", "getnewaddress"))
    sync_blocks(nodes)
    check(bal(a, "a")["trusted"] >= before_a + Decimal("4.8"), "A received B's four payments")
    b_left = bal(b, "b")
    check(Decimal("0.19") < b_left["trusted"] < Decimal("0.2") and b_left["untrusted_pending"] == 0,
          "B keeps the change minus fees: %s" % b_left)
    # every coin B had was spent (the four types), only change remains
    check(all(u["address"] not in [p[0] for p in paid.values()] for u in b.wallet_rpc("b", "listunspent")),
          "every received type was spent")

    # ---- subtractfeefromamount: the recipient pays the fee
    everything = bal(b, "b")["trusted"]
    txid = b.wallet_rpc("b", "sendtoaddress", back, str(everything), "", "", True)
    tx = b.wallet_rpc("b", "gettransaction", txid)
    check(len(b.getrawtransaction(txid, True)["vout"]) == 1 and tx["fee"] < 0, "one output, the fee from the amount")
    a.generatetoaddress(1, a.wallet_rpc("a", "getnewaddress"))
    sync_blocks(nodes)
    assert_equal(bal(b, "b")["trusted"], Decimal(0), "B sent everything")

    # ---- a reorg drops a payment to B: pending again, then confirmed again
    addr = b.wallet_rpc("b", "getnewaddress")
    txid = a.wallet_rpc("a", "sendtoaddress", addr, 2)
    wait_in_pools(nodes, txid)
    tip = a.generatetoaddress(1, a.wallet_rpc("a", "getnewaddress"))[0]
    sync_blocks(nodes)
    assert_equal(bal(b, "b")["trusted"], Decimal(2), "B: the payment confirmed")
    for n in nodes:
        n.invalidateblock(tip)
    wait_until(lambda: txid in b.getrawmempool(), 60, "the payment is back in B's pool")
    assert_equal(bal(b, "b"), {"trusted": 0, "untrusted_pending": Decimal(2), "immature": 0}, "B: untrusted after the reorg")
    for n in nodes:
        n.reconsiderblock(tip)
    sync_blocks(nodes)
    assert_equal(bal(b, "b")["trusted"], Decimal(2), "B: trusted again")
    log("ok: payments of every type both ways, balances on each block, kill -9, subtract fee, reorg")
