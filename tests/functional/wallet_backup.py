"""Backups, restores and start-up wallets: restorewallet of a backupwallet copy (same addresses, same
history and balance, Core's errors for a missing backup and an existing name, owner-only files),
load_on_startup of createwallet/loadwallet/unloadwallet/restorewallet kept in settings.json across
restarts, getreceivedbyaddress/getreceivedbylabel, and walletdisplayaddress's error."""

import json
import os
import stat
from decimal import Decimal

from test_framework import assert_equal, assert_raises_rpc, check


def run(env):
    n = env.add_node()
    n.start(["-fallbackfee=0.0002"])
    n.createwallet("w", False, False, "", False, True, True)  # load_on_startup=true
    addr = n.wallet_rpc("w", "getnewaddress", "coins")
    n.generatetoaddress(101, addr)
    paid = n.wallet_rpc("w", "getnewaddress", "paid")
    txid = n.wallet_rpc("w", "sendtoaddress", paid, "3")
    n.generatetoaddress(1, addr)

    # ---- getreceivedbyaddress / getreceivedbylabel
    assert_equal(n.wallet_rpc("w", "getreceivedbyaddress", paid), Decimal(3), "getreceivedbyaddress")
    assert_equal(n.wallet_rpc("w", "getreceivedbyaddress", paid, 2), Decimal(0), "minconf 2")
    assert_equal(n.wallet_rpc("w", "getreceivedbylabel", "paid"), Decimal(3), "getreceivedbylabel")
    assert_equal(n.wallet_rpc("w", "getreceivedbyaddress", addr), Decimal(100), "mature coinbases only")
    assert_equal(n.wallet_rpc("w", "getreceivedbyaddress", addr, 1, True), Decimal("5100.0000") +
                 n.wallet_rpc("w", "gettransaction", n.getblock(n.getbestblockhash())["tx"][0])["amount"] - 50,
                 "with immature coinbases")
    assert_raises_rpc(-5, "Invalid Bitcoin address", n.wallet_rpc, "w", "getreceivedbyaddress", "nope")
    n.createwallet("other")
    foreign = n.wallet_rpc("other", "getnewaddress")
    assert_raises_rpc(-4, "Address not found in wallet", n.wallet_rpc, "w", "getreceivedbyaddress", foreign)
    assert_raises_rpc(-1, "There is no ScriptPubKeyManager for this address", n.wallet_rpc, "w",
                      "walletdisplayaddress", paid)
    assert_raises_rpc(-5, "Invalid address", n.wallet_rpc, "w", "walletdisplayaddress", "nope")

    # ---- backupwallet then restorewallet
    backup = os.path.join(env.tmpdir, "w.backup")
    n.wallet_rpc("w", "backupwallet", backup)
    later = n.wallet_rpc("w", "getnewaddress")
    n.generatetoaddress(1, later)
    res = n.restorewallet("restored", backup)
    assert_equal(res, {"name": "restored"}, "restorewallet")
    restored_dir = os.path.join(n.netdir, "wallets", "restored")
    check(stat.S_IMODE(os.stat(restored_dir).st_mode) == 0o700, "the restored folder is 0700")
    check(n.wallet_rpc("restored", "getaddressinfo", later)["ismine"], "the restored wallet derives later addresses")
    assert_equal(n.wallet_rpc("restored", "getbalances")["mine"], n.wallet_rpc("w", "getbalances")["mine"],
                 "same balances after the rescan")
    check(n.wallet_rpc("restored", "gettransaction", txid)["confirmations"] == 2, "the history came with it")
    assert_raises_rpc(-36, "Database already exists", n.restorewallet, "restored", backup)
    assert_raises_rpc(-8, "Backup file does not exist", n.restorewallet, "x", os.path.join(env.tmpdir, "missing"))
    check(not os.path.exists(os.path.join(n.netdir, "wallets", "x")), "nothing left behind by a failed restore")
    n.unloadwallet("restored")
    n.restorewallet("again", backup, True)  # load_on_startup

    # ---- load_on_startup: settings.json decides what loads at the next start
    n.unloadwallet("other", False)
    settings = json.load(open(os.path.join(n.netdir, "settings.json")))
    assert_equal(sorted(settings["wallet"]), ["again", "w"], "settings.json's start-up list")
    n.stop()
    n.start(["-fallbackfee=0.0002"])
    assert_equal(sorted(n.listwallets()), ["again", "w"], "the start-up wallets are loaded again")
    n.unloadwallet("again", False)
    n.loadwallet("other", True)
    n.stop()
    n.start(["-fallbackfee=0.0002"])
    assert_equal(sorted(n.listwallets()), ["other", "w"], "unload/load with load_on_startup change the list")

    # ---- minicash-cli -getinfo: one balance per wallet when several are loaded, none named
    rc, out, err = n.cli("-getinfo")
    lines = out.splitlines()
    check(rc == 0 and "Balances" in lines, "-getinfo has a Balances section: %s" % out)
    rows = lines[lines.index("Balances") + 1:lines.index("Balances") + 3]
    check(sorted(r.split()[1] for r in rows) == ["other", "w"] and all(len(r.split()[0]) >= 10 for r in rows),
          "one right-aligned line per wallet: %s" % rows)
    rc, out, err = n.cli("-rpcwallet=w", "-getinfo")
    check(rc == 0 and "Balance: " in out and "Balances" not in out, "-rpcwallet: the named wallet's balance")

    # ---- gethdkeys: one master key behind the eight generated descriptors, as Core's wallets
    keys = n.wallet_rpc("w", "gethdkeys")
    check(len(keys) == 1 and keys[0]["has_private"] and "xprv" not in keys[0] and keys[0]["xpub"].startswith("tpub") and
          len(keys[0]["descriptors"]) == 8 and all(d["active"] for d in keys[0]["descriptors"]),
          "gethdkeys: %s" % keys)
    priv = n.wallet_rpc("w", "gethdkeys", {"private": True})[0]
    check(priv["xprv"].startswith("tprv") and priv["xpub"] == keys[0]["xpub"], "gethdkeys private")
    # The master xprv with Core's BIP-84 path derives the wallet's own addresses.
    own = n.wallet_rpc("w", "getnewaddress", "", "bech32")
    raw = "wpkh(%s/84h/1h/0h/0/*)" % priv["xprv"]
    desc = raw + "#" + n.getdescriptorinfo(raw)["checksum"]
    info = n.wallet_rpc("w", "getaddressinfo", own)
    check(info["hdkeypath"].startswith("m/84h/1h/0h/0/") and info["desc"].startswith("wpkh([" + info["hdmasterfingerprint"]),
          "getaddressinfo's origin: %s" % info)
    index = int(info["hdkeypath"].split("/")[-1])
    assert_equal(n.deriveaddresses(desc, [index, index])[0], own, "the master key derives the wallet's address")
    n.createwallet("watch", True, True)
    assert_equal(n.wallet_rpc("watch", "gethdkeys"), [], "a blank wallet has no HD keys")
