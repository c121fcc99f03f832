"""avoid_reuse wallets, as Core's (its wallet_avoidreuse.py, the same steps on one node): an
address the wallet has spent from is "used"; coins paid to it again are counted apart in
getbalances ("used"), left out of getbalance and of sendtoaddress's coins unless asked
(avoid_reuse=false), and marked "reused" in listunspent; setwalletflag turns the flag off and on
with Core's result and errors; the record survives a restart; a wallet without the flag gets
Core's -4 when asked to avoid reuse. Then listunspent's ancestor fields of unconfirmed coins."""

from decimal import Decimal

from test_framework import assert_equal, assert_raises_rpc, check, log

NO_FLAG = 'wallet does not have the "avoid reuse" feature enabled'


def coin_at(n, wallet, address):
    return [c for c in n.wallet_rpc(wallet, "listunspent") if c["address"] == address]


def run(env):
    n = env.add_node()
    n.start(["-fallbackfee=0.0002"])
    n.createwallet("miner")
    miner_addr = n.wallet_rpc("miner", "getnewaddress")
    n.generatetoaddress(101, miner_addr)

    # ---- a wallet without the flag: Core's -4 for avoid_reuse=true, no "used", no "reused"
    n.createwallet("plain")
    assert_raises_rpc(-4, NO_FLAG, n.wallet_rpc, "plain", "getbalance", "*", 0, True, True)
    assert_raises_rpc(-4, NO_FLAG, n.wallet_rpc, "plain", "sendtoaddress", miner_addr, 1, "", "", False, True, None,
                      None, True)
    check("used" not in n.wallet_rpc("plain", "getbalances")["mine"], "no used balance without the flag")
    check("avoid_reuse" not in n.wallet_rpc("plain", "getwalletinfo")["flags"], "flag not set")

    # ---- createwallet with avoid_reuse
    n.createwallet("r", False, False, "", True)
    info = n.wallet_rpc("r", "getwalletinfo")
    check(info["avoid_reuse"] is True, "getwalletinfo avoid_reuse: %s" % info)
    assert_equal(info["flags"], ["avoid_reuse", "last_hardened_xpub_cached", "descriptor_wallet"],
                 "Core's flag names in bit order")
    a = n.wallet_rpc("r", "getnewaddress")
    n.wallet_rpc("miner", "sendtoaddress", a, 10)
    n.generatetoaddress(1, miner_addr)
    mine = n.wallet_rpc("r", "getbalances")["mine"]
    assert_equal((mine["trusted"], mine["used"]), (Decimal(10), Decimal(0)), "nothing used yet")
    coins = coin_at(n, "r", a)
    check(len(coins) == 1 and coins[0]["reused"] is False, "listunspent: not reused: %s" % coins)
    assert_equal(list(coins[0])[-3:], ["parent_descs", "reused", "safe"], "Core's place for reused")

    # ---- spending from a marks it used; a second payment to it is counted apart
    n.wallet_rpc("r", "sendtoaddress", miner_addr, 5)
    n.generatetoaddress(1, miner_addr)
    clean = n.wallet_rpc("r", "getbalance")
    check(Decimal(4.99) < clean < 5, "the change is clean: %s" % clean)
    assert_equal(n.wallet_rpc("r", "getbalances")["mine"]["used"], Decimal(0), "the spent coin is gone")
    n.wallet_rpc("miner", "sendtoaddress", a, 10)
    n.generatetoaddress(1, miner_addr)
    mine = n.wallet_rpc("r", "getbalances")["mine"]
    assert_equal((mine["trusted"], mine["used"]), (clean, Decimal(10)), "the reused coin is counted apart")
    assert_equal(n.wallet_rpc("r", "getbalance"), clean, "getbalance leaves the used coin out")
    assert_equal(n.wallet_rpc("r", "getbalance", "*", 0, True, False), clean + 10, "avoid_reuse=false counts it")
    coins = coin_at(n, "r", a)
    check(len(coins) == 1 and coins[0]["reused"] is True and coins[0]["amount"] == 10,
          "listunspent marks it reused: %s" % coins)
    check(all(not c["reused"] for c in n.wallet_rpc("r", "listunspent") if c["address"] != a), "the change is not")

    # ---- the flag cleared and set again (Core's setwalletflag)
    assert_equal(n.wallet_rpc("r", "setwalletflag", "avoid_reuse", False),
                 {"flag_name": "avoid_reuse", "flag_state": False}, "setwalletflag off")
    mine = n.wallet_rpc("r", "getbalances")["mine"]
    check("used" not in mine and mine["trusted"] == clean + 10, "flag off: one balance: %s" % mine)
    check(all("reused" not in c for c in n.wallet_rpc("r", "listunspent")), "flag off: no reused field")
    assert_raises_rpc(-8, "Wallet flag is already set to false: avoid_reuse", n.wallet_rpc, "r", "setwalletflag",
                      "avoid_reuse", False)
    r = n.wallet_rpc("r", "setwalletflag", "avoid_reuse")
    check(r["flag_name"] == "avoid_reuse" and r["flag_state"] is True and "rescan" in r["warnings"],
          "setwalletflag on warns that older spends are not marked: %s" % r)
    assert_raises_rpc(-8, "Wallet flag is already set to true: avoid_reuse", n.wallet_rpc, "r", "setwalletflag",
                      "avoid_reuse")
    assert_raises_rpc(-8, "Wallet flag is immutable: blank", n.wallet_rpc, "r", "setwalletflag", "blank")
    assert_raises_rpc(-8, "Unknown wallet flag: nonsense", n.wallet_rpc, "r", "setwalletflag", "nonsense")
    rc, out, _ = n.cli("-rpcwallet=r", "setwalletflag", "avoid_reuse", "false")
    check(rc == 0 and '"flag_state": false' in out, "minicash-cli passes value as a boolean: %s" % out)
    n.wallet_rpc("r", "setwalletflag", "avoid_reuse", True)

    # ---- the flag and the used address survive a restart
    n.restart(["-fallbackfee=0.0002"])
    n.loadwallet("r")
    n.loadwallet("miner")
    mine = n.wallet_rpc("r", "getbalances")["mine"]
    assert_equal((mine["trusted"], mine["used"]), (clean, Decimal(10)), "after a restart")

    # ---- sendtoaddress takes only clean coins unless told otherwise
    assert_raises_rpc(-6, "Insufficient funds", n.wallet_rpc, "r", "sendtoaddress", miner_addr, 7)
    txid = n.wallet_rpc("r", "sendtoaddress", miner_addr, 7, "", "", False, True, None, None, False)
    spent = {(i["txid"], i["vout"]) for i in n.getrawtransaction(txid, True)["vin"]}
    check((coins[0]["txid"], coins[0]["vout"]) in spent, "avoid_reuse=false spends the used coin")

    # ---- listunspent's ancestor fields for unconfirmed coins (Core's getTransactionAncestry)
    entry = n.getmempoolentry(txid)
    change = [c for c in n.wallet_rpc("r", "listunspent", 0) if c["txid"] == txid]
    check(len(change) == 1, "the send's change: %s" % change)
    assert_equal((change[0]["ancestorcount"], change[0]["ancestorsize"], change[0]["ancestorfees"]),
                 (1, entry["vsize"], int(entry["fees"]["ancestor"] * 100000000)), "a parentless coin's ancestry")
    keys = list(change[0])
    at = keys.index("confirmations")
    assert_equal(keys[at:at + 5], ["confirmations", "ancestorcount", "ancestorsize", "ancestorfees", "spendable"],
                 "Core's place for the ancestor fields")
    child_to = n.wallet_rpc("r", "getnewaddress")
    raw = n.createrawtransaction([{"txid": txid, "vout": change[0]["vout"]}],
                                 [{child_to: str(change[0]["amount"] - Decimal("0.0001"))}])
    child = n.sendrawtransaction(n.wallet_rpc("r", "signrawtransactionwithwallet", raw)["hex"])
    child_entry = n.getmempoolentry(child)
    grandchild = [c for c in n.wallet_rpc("r", "listunspent", 0) if c["txid"] == child][0]
    assert_equal((grandchild["ancestorcount"], grandchild["ancestorsize"], grandchild["ancestorfees"]),
                 (2, entry["vsize"] + child_entry["vsize"], int(child_entry["fees"]["ancestor"] * 100000000)),
                 "a coin whose transaction has an unconfirmed parent")
    check(all("ancestorcount" not in c for c in n.wallet_rpc("r", "listunspent")), "confirmed coins have none")
    log("avoid_reuse: used coins counted apart, skipped by default, spendable on request")
