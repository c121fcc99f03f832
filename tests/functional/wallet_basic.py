"""The wallet on one regtest node: createwallet/loadwallet/unloadwallet/listwallets/listwalletdir
with Core's errors, /wallet/<name> endpoints and -rpcwallet, receiving (coinbase maturity,
balances, listunspent, gettransaction, listtransactions), the keypool lookahead (a copy of the
wallet finds a payment to an address it never handed out), a reorg that undoes a payment and
redoes it, catch-up after the wallet was unloaded (blocks, and a payment still in the mempool),
restarts and kill -9 keeping every address handed out, -disablewallet, and owner-only files."""

import os
import stat
from decimal import Decimal

from test_framework import RPCError, assert_equal, assert_raises_rpc, check, log


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def total(n, wallet):
    mine = n.wallet_rpc(wallet, "getbalances")["mine"]
    return mine["trusted"] + mine["immature"] + mine["untrusted_pending"]


def run(env):
    n = env.add_node()
    n.start(["-keypool=50"])
    walletdir = os.path.join(n.netdir, "wallets")

    # ---- lifecycle and Core's errors
    assert_equal(n.listwallets(), [], "no wallet at first")
    assert_raises_rpc(-18, "No wallet is loaded", n.getbalance)
    assert_equal(n.createwallet("w1"), {"name": "w1"}, "createwallet")
    assert_raises_rpc(-35, 'Wallet "w1" is already loaded.', n.createwallet, "w1")
    assert_raises_rpc(-18, "Path does not exist", n.loadwallet, "nowhere")
    assert_raises_rpc(-4, "no longer possible to create a legacy wallet", n.createwallet, "legacy", False, False, "",
                      False, False)
    n.createwallet("w2")
    assert_equal(n.listwallets(), ["w1", "w2"], "two wallets loaded")
    assert_raises_rpc(-19, "Multiple wallets are loaded", n.getbalance)
    assert_raises_rpc(-18, "Requested wallet does not exist or is not loaded", n.wallet_rpc, "w3", "getbalance")
    assert_equal(n.listwalletdir(), {"wallets": [{"name": "w1"}, {"name": "w2"}]}, "listwalletdir")
    info = n.wallet_rpc("w1", "getwalletinfo")
    check(info["walletname"] == "w1" and info["keypoolsize"] == 4 * 50 and info["descriptors"] is True,
          "getwalletinfo: %s" % info)
    descs = n.wallet_rpc("w1", "listdescriptors")["descriptors"]
    assert_equal(sorted(d["desc"].split("(")[0] for d in descs), ["pkh", "pkh", "sh", "sh", "tr", "tr", "wpkh", "wpkh"],
                 "Core's eight descriptors")
    check(all("/84h/1h/0h]tpub" in d["desc"] for d in descs if d["desc"].startswith("wpkh")), "BIP-84 paths with tpubs")

    # ---- file modes: the wallet is its owner's only
    wdir = os.path.join(walletdir, "w1")
    check(mode(wdir) == 0o700, "wallet folder is 0700 (%o)" % mode(wdir))
    files = [os.path.join(wdir, "wallet.ldb", f) for f in os.listdir(os.path.join(wdir, "wallet.ldb"))]
    check(files and all(mode(f) == 0o600 for f in files), "wallet files are 0600")

    # ---- receiving: coinbase maturity, balances, coins, history
    addr = n.wallet_rpc("w1", "getnewaddress", "mining")
    check(addr.startswith("bcrt1q"), "default address type is bech32")
    for kind, prefix in (("bech32m", "bcrt1p"), ("legacy", ("m", "n")), ("p2sh-segwit", "2")):
        a = n.wallet_rpc("w1", "getnewaddress", "", kind)
        check(a.startswith(prefix), "%s address %s" % (kind, a))
        check(n.wallet_rpc("w1", "getaddressinfo", a)["ismine"], "%s address is mine" % kind)
    assert_raises_rpc(-5, "Unknown address type 'p2wpkh'", n.wallet_rpc, "w1", "getnewaddress", "", "p2wpkh")
    assert_raises_rpc(-11, "Invalid label name", n.wallet_rpc, "w1", "getnewaddress", "*")
    change = n.wallet_rpc("w1", "getrawchangeaddress")
    ci = n.wallet_rpc("w1", "getaddressinfo", change)
    check(ci["ischange"] and ci["ismine"] and ci["labels"] == [], "change address: %s" % ci)
    check(not n.wallet_rpc("w2", "getaddressinfo", addr)["ismine"], "w1's address is not w2's")

    n.generatetoaddress(101, addr)
    b = n.wallet_rpc("w1", "getbalances")["mine"]
    assert_equal((b["trusted"], b["immature"], b["untrusted_pending"]), (Decimal(50), Decimal(5000), Decimal(0)),
                 "one mature coinbase, 100 immature")
    assert_equal(n.wallet_rpc("w1", "getbalance"), Decimal(50), "getbalance")
    assert_equal(n.wallet_rpc("w2", "getbalance"), Decimal(0), "the other wallet has nothing")
    rc, out, err = n.cli("-rpcwallet=w1", "getbalance")
    assert_equal((rc, out.strip()), (0, "50.00000000"), "minicash-cli -rpcwallet")
    rc, out, err = n.cli("getbalance")
    check(rc != 0 and "-rpcwallet" in err, "the CLI suggests -rpcwallet with several wallets loaded")
    coins = n.wallet_rpc("w1", "listunspent")
    check(len(coins) == 1 and coins[0]["amount"] == 50 and coins[0]["confirmations"] == 101 and
          coins[0]["address"] == addr and coins[0]["label"] == "mining", "listunspent: %s" % coins)
    tx = n.wallet_rpc("w1", "gettransaction", coins[0]["txid"])
    check(tx["confirmations"] == 101 and tx["generated"] and tx["details"][0]["category"] == "generate" and
          tx["amount"] == 50, "gettransaction of the mature coinbase")
    check("decoded" not in tx, "no decoded transaction without verbose")
    assert_equal(list(tx)[-2:], ["hex", "lastprocessedblock"], "Core's last fields")
    assert_equal(tx["lastprocessedblock"], {"hash": n.getbestblockhash(), "height": 101}, "lastprocessedblock")
    verbose = n.wallet_rpc("w1", "gettransaction", coins[0]["txid"], True, True)
    assert_equal(list(verbose)[-3:], ["hex", "decoded", "lastprocessedblock"], "decoded follows hex")
    assert_equal(verbose["decoded"], n.decoderawtransaction(verbose["hex"]), "decoded is decoderawtransaction's object")
    check(verbose["decoded"]["vin"][0]["coinbase"] and verbose["decoded"]["txid"] == coins[0]["txid"],
          "the decoded coinbase: %s" % verbose["decoded"])
    # listunspent: the coin's own descriptor (with key origin) and the active descriptor deriving it.
    wpkh_active = [d["desc"] for d in descs if d["desc"].startswith("wpkh(") and d["active"] and not d["internal"]]
    coin = coins[0]
    assert_equal(coin["parent_descs"], wpkh_active, "parent_descs is the active receiving wpkh descriptor")
    fingerprint_path = wpkh_active[0][len("wpkh(["):].split("]")[0]  # e.g. 1a2b3c4d/84h/1h/0h
    check(coin["desc"].startswith("wpkh([%s/0/0]" % fingerprint_path) and "*" not in coin["desc"],
          "the coin's descriptor has its key origin: %s" % coin["desc"])
    assert_equal(n.getdescriptorinfo(coin["desc"])["checksum"], coin["desc"].split("#")[1], "its checksum is valid")
    check("redeemScript" not in coin and "witnessScript" not in coin, "no redeem or witness script for P2WPKH")
    assert_equal(list(coin), ["txid", "vout", "address", "label", "scriptPubKey", "amount", "confirmations", "spendable",
                              "solvable", "desc", "parent_descs", "safe"], "Core's order of listunspent's fields")
    hist = n.wallet_rpc("w1", "listtransactions", "*", 3)
    check(len(hist) == 3 and all(e["category"] == "immature" for e in hist), "listtransactions: newest are immature")
    assert_equal(n.wallet_rpc("w1", "listlabels"), ["", "mining"], "labels")

    # ---- the keypool lookahead: a copy made earlier finds what is paid to a later address
    backup = os.path.join(env.tmpdir, "w1-backup")
    n.wallet_rpc("w1", "backupwallet", backup)
    later = [n.wallet_rpc("w1", "getnewaddress") for _ in range(5)][-1]
    n.generatetoaddress(1, later)
    n.loadwallet(backup)  # an absolute path: the copy, never told about these addresses
    check(n.wallet_rpc(backup, "getaddressinfo", later)["ismine"], "the copy recognises an address it never handed out")
    assert_equal(total(n, backup), Decimal(5100), "the copy sees the payment")
    n.unloadwallet(backup)

    # ---- a reorg undoes a payment, reconsidering redoes it
    tip = n.getbestblockhash()
    paid = n.getblock(tip)["tx"][0]
    n.invalidateblock(tip)
    assert_equal(total(n, "w1"), Decimal(5050), "payment undone by the reorg")
    undone = n.wallet_rpc("w1", "gettransaction", paid)
    check(undone["confirmations"] == 0 and "blockhash" not in undone, "the disconnected coinbase is unconfirmed: %s" % undone)
    n.reconsiderblock(tip)
    assert_equal(total(n, "w1"), Decimal(5100), "payment back")

    # ---- catch-up: blocks connected while the wallet is unloaded are scanned when it loads
    n.unloadwallet("w2")
    n.loadwallet("w2")
    w2addr_before = n.wallet_rpc("w2", "getnewaddress")
    n.unloadwallet("w2")
    n.generatetoaddress(2, w2addr_before)
    n.loadwallet("w2")
    assert_equal(n.wallet_rpc("w2", "getbalances")["mine"]["immature"], Decimal(100), "caught up after loading")

    # ---- restart and kill -9: nothing handed out is forgotten
    handed = n.wallet_rpc("w1", "getnewaddress", "kept")
    n.kill()
    n.start(["-keypool=50", "-wallet=w1", "-wallet=w2"])
    n.wait_caught_up()
    check(n.wallet_rpc("w1", "getaddressinfo", handed)["labels"] == ["kept"], "the address handed out before kill -9")
    check(n.wallet_rpc("w1", "getnewaddress") != handed, "and it is not handed out again")
    assert_equal(total(n, "w1"), Decimal(5100), "balance after kill -9")
    assert_equal(n.wallet_rpc("w2", "getbalances")["mine"]["immature"], Decimal(100), "w2 after kill -9")
    # ---- a payment that entered the mempool while a wallet was unloaded is found when it loads
    # (Core's requestMempoolTransactions)
    w2addr_pending = n.wallet_rpc("w2", "getnewaddress")
    n.unloadwallet("w2")
    pending = n.wallet_rpc("w1", "sendtoaddress", w2addr_pending, 1.5, "", "", False, True, None, "unset", None, 10)
    n.loadwallet("w2")
    assert_equal(n.wallet_rpc("w2", "getbalances")["mine"]["untrusted_pending"], Decimal("1.5"),
                 "a mempool payment found at load")
    assert_equal(n.wallet_rpc("w2", "gettransaction", pending)["confirmations"], 0, "its transaction, unconfirmed")
    assert_equal(n.unloadwallet("w2"), {}, "unloadwallet")
    assert_raises_rpc(-18, "Requested wallet does not exist or is not loaded", n.unloadwallet, "w2")

    # ---- listunspent's redeemScript (P2SH) and witnessScript (P2WSH, P2SH-P2WSH)
    n.createwallet("ms", True, True)  # watch-only and blank
    keys = ["0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
            "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"]
    multi = "multi(1,%s,%s)" % tuple(keys)
    witness_script = "5121%s21%s52ae" % tuple(keys)
    # Core's InferDescriptor gives a bare key the origin its expansion recorded: the first four
    # bytes of its HASH160 (these are the well-known hashes of G and 2G), with no path.
    with_origins = "multi(1,[751e76e8]%s,[06afd46b]%s)" % tuple(keys)
    imported, inferred = {}, {}
    for form in ("wsh(%s)", "sh(wsh(%s))"):
        desc = n.getdescriptorinfo(form % multi)["descriptor"]
        res = n.wallet_rpc("ms", "importdescriptors", [{"desc": desc, "timestamp": "now"}])
        check(res[0]["success"], "import %s: %s" % (desc, res))
        imported[n.deriveaddresses(desc)[0]] = desc
        inferred[n.deriveaddresses(desc)[0]] = n.getdescriptorinfo(form % with_origins)["descriptor"]
    # An address alone (addr()): watched, but not solvable, so no descriptor (Core's listunspent).
    watched = n.deriveaddresses(n.getdescriptorinfo("wpkh(%s)" % keys[0])["descriptor"])[0]
    res = n.wallet_rpc("ms", "importdescriptors", [{"desc": n.getdescriptorinfo("addr(%s)" % watched)["descriptor"],
                                                    "timestamp": "now"}])
    check(res[0]["success"], "import addr(): %s" % res)
    wrapped = n.wallet_rpc("w1", "getnewaddress", "", "p2sh-segwit")
    for a in list(imported) + [wrapped, watched]:
        n.generatetoaddress(1, a)
    n.generatetoaddress(100, handed)
    ms_coins = {c["address"]: c for c in n.wallet_rpc("ms", "listunspent")}
    assert_equal(sorted(ms_coins), sorted(list(imported) + [watched]), "the watch-only wallet lists its three coins")
    c = ms_coins[watched]
    check(c["solvable"] is False and "desc" not in c and c["parent_descs"][0].startswith("addr("),
          "addr(): not solvable, no desc: %s" % c)
    check(all(ms_coins[a]["solvable"] for a in imported), "the multisig coins are solvable")
    p2wsh = [a for a in imported if imported[a].startswith("wsh(")][0]
    nested = [a for a in imported if imported[a].startswith("sh(")][0]
    c = ms_coins[p2wsh]
    check("redeemScript" not in c and c["witnessScript"] == witness_script, "P2WSH: its witness script: %s" % c)
    assert_equal((c["desc"], c["parent_descs"]), (inferred[p2wsh], [imported[p2wsh]]), "P2WSH descriptors")
    c = ms_coins[nested]
    p2wsh_spk = n.validateaddress(p2wsh)["scriptPubKey"]
    check(c["redeemScript"] == p2wsh_spk and c["witnessScript"] == witness_script,
          "P2SH-P2WSH: the P2WSH program as redeem script, and the witness script: %s" % c)
    order = [k for k in c if k in ("redeemScript", "witnessScript", "scriptPubKey")]
    assert_equal(order, ["redeemScript", "witnessScript", "scriptPubKey"], "the scripts come before scriptPubKey")
    assert_equal((c["desc"], c["parent_descs"]), (inferred[nested], [imported[nested]]), "P2SH-P2WSH descriptors")
    c = [u for u in n.wallet_rpc("w1", "listunspent") if u["address"] == wrapped][0]
    check(c["redeemScript"].startswith("0014") and len(c["redeemScript"]) == 44 and "witnessScript" not in c,
          "P2SH-P2WPKH: the P2WPKH program as redeem script: %s" % c)
    check(c["desc"].startswith("sh(wpkh([%s/" % fingerprint_path.split("/")[0]), "its descriptor: %s" % c["desc"])
    n.stop()

    # ---- -disablewallet: no wallet methods
    n.start(["-disablewallet", "-wallet=w1"])
    try:
        n.listwallets()
        raise AssertionError("listwallets answered with -disablewallet")
    except RPCError as e:
        assert_equal(e.code, -32601, "wallet methods are not found with -disablewallet")
    n.stop()
    log("ok: wallet lifecycle, receiving, lookahead, reorg, catch-up, kill -9, -disablewallet")
