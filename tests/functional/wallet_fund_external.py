"""Funding with inputs the wallet does not own, as Core's rpc_fundrawtransaction test_external_inputs
and rpc_psbt's external-input checks: wallet "keys" holds coins; wallet "ext" on the same node
funds transactions spending them. Without solving data such an input is refused (-4 "Not
solvable pre-selected input COutPoint(...)") except a P2TR output, sized as a key-path spend;
solving_data (pubkeys, scripts, descriptors) or input_weights size it; a given weight overrides
the computed one and the fee pays for it; Core's errors for bad solving data and weights. The
same through walletcreatefundedpsbt (a weight per input) and send; an input of a mempool
transaction is found too; fundrawtransaction adds wallet coins to given inputs by default,
walletcreatefundedpsbt does not."""

import math
from decimal import Decimal

from test_framework import assert_equal, assert_raises_rpc, check, log


def run(env):
    node = env.add_node(extra_args=["-fallbackfee=0.0002"])
    node.start()
    for name in ("miner", "keys", "ext"):
        node.createwallet(name)

    def w(name, method, *args):
        return node.wallet_rpc(name, method, *args)

    mine_to = w("miner", "getnewaddress")
    node.generatetoaddress(105, mine_to)
    addr = {t: w("keys", "getnewaddress", "", t) for t in ("bech32", "p2sh-segwit", "bech32m", "legacy")}
    for a in addr.values():
        w("miner", "sendtoaddress", a, 10)
    w("miner", "sendtoaddress", w("ext", "getnewaddress"), 10)
    node.generatetoaddress(1, mine_to)

    def utxo(t):
        u = w("keys", "listunspent", 1, 9999999, [addr[t]])[0]
        return {"txid": u["txid"], "vout": u["vout"]}

    def outpoint_str(u):
        return "COutPoint(%s, %d)" % (u["txid"][:10], u["vout"])

    dest = w("miner", "getnewaddress")
    wpkh = utxo("bech32")
    raw = node.createrawtransaction([wpkh], [{dest: 5}])

    # ---- without solving data: refused, as Core
    assert_raises_rpc(-4, "Not solvable pre-selected input " + outpoint_str(wpkh), w, "ext", "fundrawtransaction", raw)
    assert_raises_rpc(-4, "Not solvable pre-selected input " + outpoint_str(wpkh), w, "ext", "walletcreatefundedpsbt",
                      [wpkh], [{dest: 5}])

    # ---- Core's errors for bad solving data and weights
    bad = [
        (-5, 'Pubkey "not a pubkey" must be a hex string', {"solving_data": {"pubkeys": ["not a pubkey"]}}),
        (-5, 'Pubkey "01234567890a0b0c0d0e0f" must have a length of either 33 or 65 bytes',
         {"solving_data": {"pubkeys": ["01234567890a0b0c0d0e0f"]}}),
        (-5, 'must be cryptographically valid.', {"solving_data": {"pubkeys": ["02" + "00" * 32]}}),
        (-5, 'Pubkey "" must be a hex string', {"solving_data": {"pubkeys": [""]}}),
        (-5, "'not a script' is not hex", {"solving_data": {"scripts": ["not a script"]}}),
        (-5, "'' is not hex", {"solving_data": {"scripts": [""]}}),
        (-8, "Unable to parse descriptor 'not a descriptor'", {"solving_data": {"descriptors": ["not a descriptor"]}}),
        (-8, "Invalid parameter, missing vout key", {"input_weights": [{"txid": wpkh["txid"]}]}),
        (-8, "Invalid parameter, vout cannot be negative", {"input_weights": [{"txid": wpkh["txid"], "vout": -1}]}),
        (-8, "Invalid parameter, missing weight key", {"input_weights": [dict(wpkh)]}),
        (-8, "Invalid parameter, weight cannot be less than 165", {"input_weights": [dict(wpkh, weight=164)]}),
        (-8, "Invalid parameter, weight cannot be less than 165", {"input_weights": [dict(wpkh, weight=-1)]}),
        (-8, "Invalid parameter, weight cannot be greater than the maximum standard tx weight of 400000",
         {"input_weights": [dict(wpkh, weight=400001)]}),
    ]
    for code, msg, options in bad:
        assert_raises_rpc(code, msg, w, "ext", "fundrawtransaction", raw, options)
    info = w("keys", "getaddressinfo", addr["bech32"])
    no_checksum = info["desc"].split("#")[0]
    assert_raises_rpc(-8, "Unable to parse descriptor '%s': Missing checksum" % no_checksum, w, "ext",
                      "fundrawtransaction", raw, {"solving_data": {"descriptors": [no_checksum]}})

    # ---- solving data: a public key (P2WPKH), its own P2SH-P2WPKH script added with it, a descriptor
    def fund_and_sign(raw_tx, options, what):
        funded = w("ext", "fundrawtransaction", raw_tx, options)
        half = w("ext", "signrawtransactionwithwallet", funded["hex"])
        check(not half["complete"], "%s: ext cannot sign the external input" % what)
        full = w("keys", "signrawtransactionwithwallet", half["hex"])
        check(full["complete"], "%s: keys signs it" % what)
        accept = node.testmempoolaccept([full["hex"]])[0]
        check(accept["allowed"], "%s: the signed transaction is valid: %s" % (what, accept))
        return funded, full, accept

    rate = 5
    funded, full, accept = fund_and_sign(raw, {"solving_data": {"pubkeys": [info["pubkey"]]}, "fee_rate": rate},
                                         "P2WPKH by its pubkey")
    vsize = node.decoderawtransaction(full["hex"])["vsize"]
    fee_sats = int(funded["fee"] * 100_000_000)
    check(rate * vsize <= fee_sats <= rate * (vsize + 2),
          "the fee pays %d sat/vB for the signed size (%d sat for %d vB)" % (rate, fee_sats, vsize))

    sh = utxo("p2sh-segwit")
    sh_info = w("keys", "getaddressinfo", addr["p2sh-segwit"])
    # getaddressinfo describes what the wallet knows of the script (Core's DescribeWalletAddress).
    check(len(info["pubkey"]) == 66 and "iscompressed" not in info and "embedded" not in info,
          "getaddressinfo of a P2WPKH address: its pubkey (iscompressed is for P2PKH only, as Core)")
    emb = sh_info.get("embedded", {})
    check(sh_info["script"] == "witness_v0_keyhash" and sh_info["hex"] == emb.get("scriptPubKey")
          and emb.get("iswitness") is True and emb.get("witness_version") == 0
          and emb.get("address", "").startswith("bcrt1q") and emb.get("pubkey") == sh_info["pubkey"],
          "getaddressinfo of a P2SH-P2WPKH address: the redeem script, embedded, pubkey at the top: %s" % sh_info)
    raw_sh = node.createrawtransaction([sh], [{dest: 5}])
    fund_and_sign(raw_sh, {"solving_data": {"pubkeys": [sh_info["pubkey"]]}}, "P2SH-P2WPKH by its pubkey")
    fund_and_sign(raw_sh, {"solving_data": {"descriptors": [sh_info["desc"]]}}, "P2SH-P2WPKH by its descriptor")
    legacy = utxo("legacy")
    leg_info = w("keys", "getaddressinfo", addr["legacy"])
    check(leg_info["iscompressed"] is True and len(leg_info["pubkey"]) == 66, "getaddressinfo of P2PKH: iscompressed")
    raw_leg = node.createrawtransaction([legacy], [{dest: 5}])
    assert_raises_rpc(-4, "Not solvable pre-selected input " + outpoint_str(legacy), w, "ext", "fundrawtransaction",
                      raw_leg, {"solving_data": {"scripts": [sh_info["scriptPubKey"]]}})
    fund_and_sign(raw_leg, {"solving_data": {"pubkeys": [leg_info["pubkey"]]}}, "P2PKH by its pubkey")

    # ---- P2TR with nothing known: sized as a key-path spend
    tr = utxo("bech32m")
    raw_tr = node.createrawtransaction([tr], [{dest: 5}])
    funded, full, _ = fund_and_sign(raw_tr, {"fee_rate": rate}, "P2TR without solving data")
    vsize = node.decoderawtransaction(full["hex"])["vsize"]
    fee_sats = int(funded["fee"] * 100_000_000)
    check(rate * vsize <= fee_sats <= rate * (vsize + 2), "P2TR: the key-path size pays the rate (%d sat for %d vB)"
          % (fee_sats, vsize))
    # The same input through walletcreatefundedpsbt and send: sized the same way (one input, the
    # payment and change each time), so the same fee.
    psbt_tr = w("ext", "walletcreatefundedpsbt", [tr], [{dest: 5}], 0, {"fee_rate": rate})
    assert_equal(psbt_tr["fee"], funded["fee"], "walletcreatefundedpsbt sizes the P2TR input as a key-path spend")
    sent_tr = w("ext", "send", [{dest: 5}], None, "unset", rate, {"inputs": [tr], "add_to_wallet": False})
    decoded_tr = node.decodepsbt(sent_tr["psbt"])
    assert_equal(len(decoded_tr["tx"]["vin"]), 1, "send spends the given P2TR input alone")
    # (decodepsbt shows no fee: the PSBT holds no UTXO of an input the wallet does not know, as Core's.)
    sent_fee = node.gettxout(tr["txid"], tr["vout"])["value"] - sum(o["value"] for o in decoded_tr["tx"]["vout"])
    assert_equal(sent_fee, funded["fee"], "send sizes the P2TR input as a key-path spend")

    # ---- input_weights: the input's real weight, less, more; a given weight overrides solving data
    unsigned_weight = node.decoderawtransaction(funded["hex"])["weight"]
    signed_weight = node.decoderawtransaction(full["hex"])["weight"]
    input_weight = signed_weight - unsigned_weight + 41 * 4
    low, high = max(165, input_weight // 2), input_weight * 2

    def fee_with(weight, rate=2, extra=None):
        options = dict(extra or {}, input_weights=[dict(tr, weight=weight)], fee_rate=rate)
        return w("ext", "fundrawtransaction", raw_tr, options)

    exact = fee_with(input_weight)
    signed = w("keys", "signrawtransactionwithwallet", exact["hex"])
    check(signed["complete"] and node.testmempoolaccept([signed["hex"]])[0]["allowed"],
          "funded with the input's weight: signed and valid")
    check(fee_with(low)["fee"] < exact["fee"] < fee_with(high)["fee"], "a lower weight, a lower fee; higher, higher")
    assert_equal(fee_with(high, extra={"solving_data": {"descriptors": [w("keys", "getaddressinfo",
                                                                          addr["bech32m"])["desc"]]}})["fee"],
                 fee_with(high)["fee"], "a given weight overrides the solving data's")
    f10 = fee_with(high, rate=10)
    decoded = node.decoderawtransaction(f10["hex"])
    # Core's test: the unsigned transaction holds the input's skeleton; the given weight adds the rest.
    tx_weight = decoded["weight"] + high - (41 * 4 + 1)
    tx_vsize = math.ceil(tx_weight / 4)
    fee_sats = int(f10["fee"] * 100_000_000)
    check(10 * tx_vsize <= fee_sats <= 10 * (tx_vsize + 2),
          "the fee rate is met with the given weight (%d sat for %d vB)" % (fee_sats, tx_vsize))
    # Exactly: with no other witness, the segwit marker and flag and each input's witness count are
    # counted too, so the size is never short of a segwit input's.
    assert_equal(fee_sats, 10 * math.ceil((tx_weight + 2 + len(decoded["vin"])) / 4),
                 "the fee is the rate times the size with the weighted input and a witness")
    for weight in (255, 65539):
        check(fee_with(weight)["fee"] > 0, "a weight at a CompactSize boundary (%d) funds" % weight)

    # A weight given for a coin of the wallet's own counts too (in coin selection and the fee).
    own = w("ext", "listunspent")[0]
    raw_own = node.createrawtransaction([{"txid": own["txid"], "vout": own["vout"]}], [{dest: 1}])
    plain = w("ext", "fundrawtransaction", raw_own, {"fee_rate": 2})
    heavy = w("ext", "fundrawtransaction", raw_own,
              {"fee_rate": 2, "input_weights": [{"txid": own["txid"], "vout": own["vout"], "weight": 4000}]})
    extra = int((heavy["fee"] - plain["fee"]) * 100_000_000)
    check(2 * (1000 - 110) <= extra <= 2 * 1000, "a 4,000 WU weight on a wallet coin adds its size to the fee (%d sat)"
          % extra)

    # ---- walletcreatefundedpsbt: a weight per input; both ways at once refused
    psbt = w("ext", "walletcreatefundedpsbt", [dict(wpkh, weight=input_weight)], [{dest: 5}], 0, {"fee_rate": 2})
    check(Decimal(0) < psbt["fee"], "walletcreatefundedpsbt with a weighted external input: %s" % psbt["fee"])
    assert_raises_rpc(-8, "Input weights should be specified in inputs rather than in options.", w, "ext",
                      "walletcreatefundedpsbt", [dict(wpkh, weight=input_weight)], [{dest: 5}], 0,
                      {"input_weights": [dict(wpkh, weight=input_weight)]})
    by_key = w("keys", "walletprocesspsbt", psbt["psbt"])
    check(by_key["complete"], "keys signs the PSBT's external input and completes it")
    check(node.testmempoolaccept([by_key["hex"]])[0]["allowed"], "the PSBT's transaction is valid")
    psbt = w("ext", "walletcreatefundedpsbt", [wpkh], [{dest: 5}], 0,
             {"solving_data": {"descriptors": [info["desc"]]}})
    check(w("keys", "walletprocesspsbt", psbt["psbt"])["complete"], "walletcreatefundedpsbt with a descriptor")
    # Given inputs: walletcreatefundedpsbt adds none by default, fundrawtransaction does (Core).
    raw_big = node.createrawtransaction([tr], [{dest: 15}])
    assert_raises_rpc(-4, "The preselected coins total amount does not cover the transaction target", w, "ext",
                      "walletcreatefundedpsbt", [tr], [{dest: 15}])
    big = w("ext", "fundrawtransaction", raw_big)
    assert_equal(len(node.decoderawtransaction(big["hex"])["vin"]), 2, "fundrawtransaction adds ext's coin")
    assert_raises_rpc(-4, "The preselected coins total amount does not cover the transaction target", w, "ext",
                      "fundrawtransaction", raw_big, {"add_inputs": False})

    # ---- send: the same options; the external input leaves the result incomplete
    sent = w("ext", "send", [{dest: 5}], None, "unset", None,
             {"inputs": [dict(wpkh, weight=input_weight)], "add_to_wallet": False})
    check(sent["complete"] is False and "psbt" in sent, "send with an external input: an incomplete PSBT")
    assert_raises_rpc(-8, "Input weights should be specified in inputs rather than in options.", w, "ext", "send",
                      [{dest: 5}], None, "unset", None, {"inputs": [wpkh], "input_weights": []})
    sent = w("ext", "send", [{dest: 5}], None, "unset", None,
             {"inputs": [wpkh], "solving_data": {"pubkeys": [info["pubkey"]]}, "add_to_wallet": False})
    check(w("keys", "walletprocesspsbt", sent["psbt"])["complete"], "send with solving data: keys completes it")

    # ---- an output of a mempool transaction is found; an unknown one is not
    pending_addr = w("keys", "getnewaddress", "", "bech32")
    pending_txid = w("miner", "sendtoaddress", pending_addr, 3)
    pending = [u for u in w("keys", "listunspent", 0, 0, [pending_addr])][0]
    pend_info = w("keys", "getaddressinfo", pending_addr)
    raw_pending = node.createrawtransaction([{"txid": pending_txid, "vout": pending["vout"]}], [{dest: 1}])
    fund_and_sign(raw_pending, {"solving_data": {"pubkeys": [pend_info["pubkey"]]}}, "an unconfirmed external input")
    raw_unknown = node.createrawtransaction([{"txid": "ab" * 32, "vout": 0}], [{dest: 1}])
    assert_raises_rpc(-4, "Unable to find UTXO for external input", w, "ext", "fundrawtransaction", raw_unknown)
    log("funding with external inputs: ok")
