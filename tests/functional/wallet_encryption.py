"""Wallet encryption on one regtest node (Core's wallet_encryption.py, the parts that apply):
encryptwallet; a locked wallet refuses to send (-13) but still hands out addresses; a wrong
passphrase (-14); walletpassphrase, then a send that is mined; the relock after a short timeout;
walletlock (gethdkeys then still says has_private, and refuses its private form);
walletpassphrasechange; a restart finds the wallet encrypted and locked; createwallet with a
passphrase; Core's errors for the wrong encryption state and bad parameters; and no passphrase
in debug.log, even with -debug=rpc."""

import time
from decimal import Decimal

from test_framework import assert_equal, assert_raises_rpc, check, log, wait_until

PASS1 = "Tr0ub4dor&3-first-passphrase"
PASS2 = "correct-horse-battery-staple-second"
PASS3 = "createwallet-birth-passphrase"
LOCKED = "Error: Please enter the wallet passphrase with walletpassphrase first."
WRONG = "Error: The wallet passphrase entered was incorrect."


def info(node, w):
    return node.wallet_rpc(w, "getwalletinfo")


def run(env):
    args = ["-fallbackfee=0.0002", "-debug=rpc"]
    n = env.add_node(extra_args=args)
    n.start()
    n.createwallet("w")
    n.generatetoaddress(101, n.wallet_rpc("w", "getnewaddress"))
    wait_until(lambda: info(n, "w")["lastprocessedblock"]["height"] == 101, 60, "the wallet saw 101 blocks")
    check("unlocked_until" not in info(n, "w"), "no unlocked_until on a plain wallet")

    # ---- the wrong encryption state on a plain wallet
    assert_raises_rpc(-15, "running with an unencrypted wallet, but walletpassphrase was called", n.wallet_rpc, "w",
                      "walletpassphrase", PASS1, 10)
    assert_raises_rpc(-15, "running with an unencrypted wallet, but walletlock was called", n.wallet_rpc, "w",
                      "walletlock")
    assert_raises_rpc(-15, "running with an unencrypted wallet, but walletpassphrasechange was called", n.wallet_rpc,
                      "w", "walletpassphrasechange", PASS1, PASS2)
    assert_raises_rpc(-8, "passphrase cannot be empty", n.wallet_rpc, "w", "encryptwallet", "")

    # ---- encryptwallet
    msg = n.wallet_rpc("w", "encryptwallet", PASS1)
    check(msg.startswith("wallet encrypted;"), "encryptwallet's answer: %s" % msg)
    assert_equal(info(n, "w")["unlocked_until"], 0, "encrypted and locked")
    assert_raises_rpc(-15, "running with an encrypted wallet, but encryptwallet was called", n.wallet_rpc, "w",
                      "encryptwallet", PASS2)

    # ---- locked: no send, but addresses
    dest = n.wallet_rpc("w", "getnewaddress")
    change = n.wallet_rpc("w", "getrawchangeaddress")
    check(dest and change, "addresses while locked")
    assert_raises_rpc(-13, LOCKED, n.wallet_rpc, "w", "sendtoaddress", dest, 1)
    assert_raises_rpc(-13, LOCKED, n.wallet_rpc, "w", "sendmany", "", {dest: 1})
    assert_equal(n.getrawmempool(), [], "nothing sent while locked")

    # ---- walletpassphrase: errors, then a send that is mined
    assert_raises_rpc(-14, WRONG, n.wallet_rpc, "w", "walletpassphrase", "not the passphrase", 10)
    assert_raises_rpc(-8, "Timeout cannot be negative.", n.wallet_rpc, "w", "walletpassphrase", PASS1, -1)
    assert_raises_rpc(-8, "passphrase cannot be empty", n.wallet_rpc, "w", "walletpassphrase", "", 10)
    before = int(time.time())
    n.wallet_rpc("w", "walletpassphrase", PASS1, 600)
    until = info(n, "w")["unlocked_until"]
    check(before + 600 <= until <= int(time.time()) + 600, "unlocked_until is now + 600: %s" % until)
    txid = n.wallet_rpc("w", "sendtoaddress", dest, 1)
    check(txid in n.getrawmempool(), "the send reached the mempool")
    block = n.generatetoaddress(1, change)[0]
    check(txid in n.getblock(block)["tx"], "the send was mined")
    # The cap: a huge timeout is cut to 100000000 s.
    n.wallet_rpc("w", "walletpassphrase", PASS1, 10 ** 12)
    check(info(n, "w")["unlocked_until"] <= int(time.time()) + 100000000, "timeout capped")

    # ---- walletlock
    hd_unlocked = n.wallet_rpc("w", "gethdkeys")
    n.wallet_rpc("w", "walletlock")
    assert_equal(info(n, "w")["unlocked_until"], 0, "locked by walletlock")
    assert_raises_rpc(-13, LOCKED, n.wallet_rpc, "w", "sendtoaddress", dest, 1)
    # gethdkeys while locked: the keys are still the wallet's (Core's HasPrivKey counts encrypted
    # ones), but showing them needs the passphrase.
    hd = n.wallet_rpc("w", "gethdkeys")
    check(len(hd) >= 1 and all(k["has_private"] and "xprv" not in k for k in hd), "gethdkeys locked: %s" % hd)
    # The master keys (the first seed's and encryptwallet's new one), as unlocked (Core's
    # descriptors hold the master xpub), not the account keys of the sixteen descriptors: a
    # depth-0 tpub, no parent fingerprint or child number, starts "tpubD6NzVbkrYhZ4".
    check(len(hd) == 2 and all(k["xpub"].startswith("tpubD6NzVbkrYhZ4") and len(k["descriptors"]) == 8 for k in hd),
          "locked: two master keys, eight descriptors each: %s" % hd)
    assert_equal(hd, hd_unlocked, "gethdkeys locked is gethdkeys unlocked")
    n.unloadwallet("w")
    n.loadwallet("w")
    assert_equal(n.wallet_rpc("w", "gethdkeys"), hd_unlocked, "and after a reload (locked)")
    assert_raises_rpc(-13, LOCKED, n.wallet_rpc, "w", "gethdkeys", {"private": True})

    # ---- relock after a short timeout
    n.wallet_rpc("w", "walletpassphrase", PASS1, 2)
    check(info(n, "w")["unlocked_until"] > 0, "unlocked for 2 s")
    n.wallet_rpc("w", "sendtoaddress", dest, 0.5)
    wait_until(lambda: info(n, "w")["unlocked_until"] == 0, 30, "relocked after the timeout")
    assert_raises_rpc(-13, LOCKED, n.wallet_rpc, "w", "sendtoaddress", dest, 1)

    # ---- walletpassphrasechange
    assert_raises_rpc(-14, WRONG, n.wallet_rpc, "w", "walletpassphrasechange", "not it", PASS2)
    assert_raises_rpc(-8, "passphrase cannot be empty", n.wallet_rpc, "w", "walletpassphrasechange", PASS1, "")
    n.wallet_rpc("w", "walletpassphrasechange", PASS1, PASS2)
    assert_raises_rpc(-14, WRONG, n.wallet_rpc, "w", "walletpassphrase", PASS1, 10)
    n.wallet_rpc("w", "walletpassphrase", PASS2, 600)
    n.wallet_rpc("w", "walletlock")

    # ---- restart: still encrypted and locked; the new passphrase works
    n.stop()
    n.start(args + ["-wallet=w"])
    assert_equal(info(n, "w")["unlocked_until"], 0, "locked after a restart")
    assert_raises_rpc(-13, LOCKED, n.wallet_rpc, "w", "sendtoaddress", dest, 1)
    assert_raises_rpc(-14, WRONG, n.wallet_rpc, "w", "walletpassphrase", PASS1, 10)
    n.wallet_rpc("w", "walletpassphrase", PASS2, 600)
    txid = n.wallet_rpc("w", "sendtoaddress", dest, 1)
    n.generatetoaddress(1, change)
    check(n.wallet_rpc("w", "gettransaction", txid)["confirmations"] == 1, "a send after the restart is mined")
    n.wallet_rpc("w", "walletlock")

    # ---- createwallet with a passphrase
    assert_raises_rpc(-4, "Passphrase provided but private keys are disabled.", n.createwallet, "wo", True, False,
                      PASS3)
    res = n.createwallet("c", False, False, PASS3)
    assert_equal(res["name"], "c", "created")
    assert_equal(info(n, "c")["unlocked_until"], 0, "created encrypted and locked")
    caddr = n.wallet_rpc("c", "getnewaddress")
    n.wallet_rpc("w", "walletpassphrase", PASS2, 600)
    n.wallet_rpc("w", "sendtoaddress", caddr, 2)
    n.generatetoaddress(1, change)
    wait_until(lambda: n.wallet_rpc("c", "getbalance") == Decimal(2), 30, "c received")
    assert_raises_rpc(-13, LOCKED, n.wallet_rpc, "c", "sendtoaddress", dest, 1)
    n.wallet_rpc("c", "walletpassphrase", PASS3, 600)
    n.wallet_rpc("c", "sendtoaddress", dest, 1)
    n.createwallet("blank", False, True, PASS3)  # Core allows a blank wallet with a passphrase
    assert_equal(info(n, "blank")["unlocked_until"], 0, "blank and encrypted")
    res = n.createwallet("plain", False, False, "")
    check("Empty string given as passphrase, wallet will not be encrypted." in res.get("warnings", []),
          "createwallet warns of an empty passphrase: %s" % res)
    check("unlocked_until" not in info(n, "plain"), "an empty passphrase does not encrypt")
    # A watch-only wallet has nothing to encrypt.
    n.createwallet("watch", True)
    assert_raises_rpc(-16, "Error: wallet does not contain private keys, nothing to encrypt.", n.wallet_rpc, "watch",
                      "encryptwallet", PASS1)

    # ---- no passphrase in the log
    n.stop()
    with open(n.debug_log, "rb") as f:
        text = f.read()
    check(b"walletpassphrase" in text, "debug.log has the RPC calls (-debug=rpc)")
    for p in (PASS1, PASS2, PASS3, "not the passphrase"):
        check(p.encode() not in text, "the passphrase %r is not in debug.log" % p[:6])
    log("ok: encrypt, locked send refused, wrong passphrase, unlock and send, relock, walletlock, change, restart, "
        "createwallet with a passphrase, no passphrase in the log")
