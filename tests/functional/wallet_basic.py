"""The wallet on one regtest node: createwallet/loadwallet/unloadwallet/listwallets/listwalletdir
with Core's errors, /wallet/<name> endpoints and -rpcwallet, receiving (coinbase maturity,
balances, listunspent, gettransaction, listtransactions), the keypool lookahead (a copy of the
wallet finds a payment to an address it never handed out), a reorg that undoes a payment and
redoes it, catch-up after the wallet was unloaded, restarts and kill -9 keeping every address
handed out, -disablewallet, and owner-only files."""

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
    assert_equal(n.unloadwallet("w2"), {}, "unloadwallet")
    assert_raises_rpc(-18, "Requested wallet does not exist or is not loaded", n.unloadwallet, "w2")
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
