"""signrawtransactionwithkey: coins mined on regtest to P2PKH, P2WPKH, P2SH-P2WPKH and a 2-of-3
P2WSH multisig are spent by one transaction signed by the node with WIF keys (the scripts and
amounts given as prevtxs where the node needs them), which sendrawtransaction accepts and a block
mines. Partial multisig signing (one key, then the other) combines; Core's errors: a missing key,
an unknown input, a bad key, a bad sighash name, a prevtx whose script does not match."""

import hashlib
from decimal import Decimal
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client.base58 import b58check_encode  # noqa: E402
from p2p_client.key import Key  # noqa: E402
from p2p_client.script import hash160, multisig_script, p2pkh_script, p2sh_script, p2wpkh_script  # noqa: E402
from test_framework import assert_equal, assert_raises_rpc, check  # noqa: E402




def wif(key):
    """Regtest/testnet WIF of a compressed key."""
    return b58check_encode(b"\xef" + key.secret.to_bytes(32, "big") + b"\x01")


def p2wsh_script(script):
    return b"\x00\x20" + hashlib.sha256(script).digest()


def mine_to(node, script):
    """Mines one block paying its coinbase to script; returns (txid, vout, amount)."""
    block = node.generatetodescriptor(1, "raw(%s)" % script.hex())[0]
    cb = node.getblock(block, 2)["tx"][0]
    for out in cb["vout"]:
        if out["scriptPubKey"]["hex"] == script.hex():
            return cb["txid"], out["n"], out["value"]
    raise AssertionError("coinbase output not found")


def run(env):
    n = env.add_node()
    n.start()
    k_pkh, k_wpkh, k_sh = Key.from_seed(b"pkh"), Key.from_seed(b"wpkh"), Key.from_seed(b"shwpkh")
    ms_keys = [Key.from_seed(b"ms%d" % i) for i in range(3)]
    ms = multisig_script(2, [k.pubkey for k in ms_keys])
    sh_redeem = p2wpkh_script(k_sh.pubkey)
    scripts = {
        "p2pkh": p2pkh_script(k_pkh.pubkey),
        "p2wpkh": p2wpkh_script(k_wpkh.pubkey),
        "p2sh-p2wpkh": p2sh_script(sh_redeem),
        "p2wsh-multisig": p2wsh_script(ms),
    }
    coins = {name: mine_to(n, spk) for name, spk in scripts.items()}
    n.generatetodescriptor(100, "raw(51)")  # mature the coinbases

    inputs = [{"txid": coins[name][0], "vout": coins[name][1]} for name in scripts]
    total = sum(coins[name][2] for name in scripts)
    dest = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
    raw = n.createrawtransaction(inputs, [{dest: str(total - Decimal("0.001"))}])
    prevtxs = [
        {"txid": coins["p2sh-p2wpkh"][0], "vout": coins["p2sh-p2wpkh"][1], "scriptPubKey": scripts["p2sh-p2wpkh"].hex(),
         "redeemScript": sh_redeem.hex(), "amount": str(coins["p2sh-p2wpkh"][2])},
        {"txid": coins["p2wsh-multisig"][0], "vout": coins["p2wsh-multisig"][1],
         "scriptPubKey": scripts["p2wsh-multisig"].hex(), "witnessScript": ms.hex(), "amount": str(coins["p2wsh-multisig"][2])},
    ]
    single_keys = [wif(k_pkh), wif(k_wpkh), wif(k_sh)]

    # ---- one multisig key only: every other input completes, the multisig one reports Core's error
    r = n.signrawtransactionwithkey(raw, single_keys + [wif(ms_keys[2])], prevtxs)
    check(r["complete"] is False, "one multisig key: incomplete")
    assert_equal(len(r["errors"]), 1, "one error (the multisig input)")
    e = r["errors"][0]
    assert_equal((e["txid"], e["vout"]), (coins["p2wsh-multisig"][0], coins["p2wsh-multisig"][1]), "error names the input")
    assert_equal(e["error"], "CHECK(MULTI)SIG failing with non-zero signature (possibly need more signatures)",
                 "Core's partial multisig message")
    check(len(e["witness"]) == 4 and e["witness"][-1] == ms.hex(), "partial witness keeps the witness script")
    assert_equal(sorted(e), ["error", "scriptSig", "sequence", "txid", "vout", "witness"], "error entry fields")

    # ---- the second key on the partially signed transaction completes it
    r2 = n.signrawtransactionwithkey(r["hex"], [wif(ms_keys[0])], prevtxs)
    check(r2["complete"] is True and "errors" not in r2, "second multisig key completes the transaction")
    dec = n.decoderawtransaction(r2["hex"])
    check(all(vin["txinwitness"] for vin in dec["vin"][1:]), "segwit inputs carry witnesses")
    check(dec["vin"][2]["scriptSig"]["hex"] == (bytes([len(sh_redeem)]) + sh_redeem).hex(),
          "P2SH-P2WPKH scriptSig pushes the redeem script")
    accept = n.testmempoolaccept([r2["hex"]])[0]
    check(accept["allowed"] is True, "testmempoolaccept allows the signed transaction: %s" % accept)
    txid = n.sendrawtransaction(r2["hex"])
    check(txid in n.getrawmempool(), "sendrawtransaction accepted it")
    block = n.generatetodescriptor(1, "raw(51)")[0]
    check(txid in n.getblock(block)["tx"], "mined")

    # ---- all keys at once on a fresh transaction (coins now spent): "Input not found or already spent"
    r3 = n.signrawtransactionwithkey(raw, single_keys)
    check(r3["complete"] is False, "spent inputs: incomplete")
    assert_equal({x["error"] for x in r3["errors"]}, {"Input not found or already spent"}, "spent-coin error")

    # ---- Core's errors
    k_new = Key.from_seed(b"new")
    spk_new = p2pkh_script(k_new.pubkey)
    txid_new, vout_new, _ = mine_to(n, spk_new)
    n.generatetodescriptor(100, "raw(51)")
    raw2 = n.createrawtransaction([{"txid": txid_new, "vout": vout_new}], [{dest: 1}])
    r4 = n.signrawtransactionwithkey(raw2, [wif(k_pkh)])
    assert_equal(r4["errors"][0]["error"], "Unable to sign input, invalid stack size (possibly missing key)",
                 "wrong key: Core's message")
    check(n.signrawtransactionwithkey(raw2, [wif(k_new)], None, "ALL|ANYONECANPAY")["complete"],
          "ALL|ANYONECANPAY signs")
    assert_raises_rpc(-5, "Invalid private key", n.signrawtransactionwithkey, raw2, ["notakey"])
    assert_raises_rpc(-8, "'ALL|FOO' is not a valid sighash parameter.", n.signrawtransactionwithkey, raw2,
                      [wif(k_new)], None, "ALL|FOO")
    assert_raises_rpc(-22, "TX decode failed", n.signrawtransactionwithkey, "00", [wif(k_new)])
    assert_raises_rpc(-22, "Previous output scriptPubKey mismatch", n.signrawtransactionwithkey, raw2, [wif(k_new)],
                      [{"txid": txid_new, "vout": vout_new, "scriptPubKey": "51"}])
    other = p2sh_script(b"\x51")
    assert_raises_rpc(-8, "Missing redeemScript/witnessScript", n.signrawtransactionwithkey, raw2, [wif(k_new)],
                      [{"txid": "11" * 32, "vout": 0, "scriptPubKey": other.hex()}])
    assert_raises_rpc(-8, "redeemScript/witnessScript does not match scriptPubKey", n.signrawtransactionwithkey,
                      raw2, [wif(k_new)], [{"txid": "11" * 32, "vout": 0, "scriptPubKey": other.hex(),
                                            "redeemScript": "52"}])
    # A segwit input with no amount: Core's RPC_TYPE_ERROR naming the output.
    wpkh_new = p2wpkh_script(k_new.pubkey)
    raw3 = n.createrawtransaction([{"txid": "22" * 32, "vout": 0}], [{dest: 1}])
    assert_raises_rpc(-3, "Missing amount for CTxOut(nValue=21000000.00000000, scriptPubKey=%s)" % wpkh_new.hex()[:30],
                      n.signrawtransactionwithkey, raw3, [wif(k_new)],
                      [{"txid": "22" * 32, "vout": 0, "scriptPubKey": wpkh_new.hex()}])
    check(hash160(k_new.pubkey) in wpkh_new, "sanity")
