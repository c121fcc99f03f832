"""PSBT RPCs against Core's rpc_psbt.json: every valid PSBT decodes, every invalid one is refused
(-22, with Core's message where the file gives it), and createpsbt / combinepsbt / finalizepsbt give
the creator, combiner, finalizer and extractor results exactly. On regtest: createpsbt spending a
mined P2WPKH coin, utxoupdatepsbt filling its witness UTXO from the UTXO set (decodepsbt then shows
the fee), finalizepsbt of the unsigned PSBT (incomplete), converttopsbt, joinpsbts and Core's errors."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client.key import Key  # noqa: E402
from p2p_client.script import p2wpkh_script  # noqa: E402
from test_framework import assert_equal, assert_raises_rpc, check, load_vector_file  # noqa: E402
import json  # noqa: E402


def run(env):
    vectors = json.load(open(load_vector_file(env, "bitcoin-core/rpc_psbt.json")))
    n = env.add_node()
    n.start()

    # ---- Core's vectors
    for p in vectors["valid"]:
        n.decodepsbt(p)
    check(True, "all %d valid vectors decode" % len(vectors["valid"]))
    for p in vectors["invalid"]:
        assert_raises_rpc(-22, "TX decode failed", n.decodepsbt, p, what="invalid vector refused")
    for p, msg in vectors["invalid_with_msg"]:
        assert_raises_rpc(-22, msg, n.decodepsbt, p, what="invalid vector: %s" % msg)
    for c in vectors["creator"]:
        got = n.createpsbt(c["inputs"], c["outputs"], 0, False, 2, c["version"])
        assert_equal(got, c["result"], "createpsbt matches the creator vector")
    for c in vectors["combiner"]:
        assert_equal(n.combinepsbt(c["combine"]), c["result"], "combinepsbt matches the combiner vector")
    for c in vectors["finalizer"]:
        r = n.finalizepsbt(c["finalize"], False)
        assert_equal((r["psbt"], r["complete"]), (c["result"], True), "finalizepsbt matches the finalizer vector")
    for c in vectors["extractor"]:
        r = n.finalizepsbt(c["extract"])
        assert_equal((r["hex"], r["complete"]), (c["result"], True), "finalizepsbt extracts the extractor vector")

    # ---- regtest round trip
    key = Key.from_seed(b"psbt")
    spk = p2wpkh_script(key.pubkey)
    block = n.generatetodescriptor(1, "raw(%s)" % spk.hex())[0]
    cb = n.getblock(block, 2)["tx"][0]
    n.generatetodescriptor(100, "raw(51)")
    value = cb["vout"][0]["value"]
    dest = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
    psbt = n.createpsbt([{"txid": cb["txid"], "vout": 0}], [{dest: 1}])
    dec = n.decodepsbt(psbt)
    assert_equal(dec["psbt_version"], 0, "version 0 by default")
    check("fee" not in dec and dec["inputs"] == [{}], "no UTXO yet: no fee, empty input map")
    updated = n.utxoupdatepsbt(psbt)
    dec = n.decodepsbt(updated)
    assert_equal(dec["inputs"][0]["witness_utxo"]["scriptPubKey"]["hex"], spk.hex(), "witness UTXO from the UTXO set")
    assert_equal(float(dec["fee"]), round(float(value) - 1, 8), "fee = input - outputs")
    r = n.finalizepsbt(updated)
    check(r["complete"] is False and r["psbt"] == updated, "unsigned PSBT does not finalize")
    v2 = n.createpsbt([{"txid": cb["txid"], "vout": 0}], [{dest: 1}], 0, True, 2, 2)
    dec2 = n.decodepsbt(v2)
    check(dec2["psbt_version"] == 2 and "tx" not in dec2 and dec2["inputs"][0]["previous_txid"] == cb["txid"],
          "version 2 PSBT: per-input outpoint, no global tx")
    assert_equal(n.decodepsbt(n.utxoupdatepsbt(v2))["inputs"][0]["witness_utxo"]["amount"], value,
                 "utxoupdatepsbt on a version 2 PSBT")

    # converttopsbt
    raw = n.createrawtransaction([{"txid": cb["txid"], "vout": 0}], [{dest: 1}])
    assert_equal(n.converttopsbt(raw), psbt, "converttopsbt equals createpsbt")
    assert_raises_rpc(-22, "TX decode failed", n.converttopsbt, "00")

    # joinpsbts / combinepsbt errors
    other = n.createpsbt([{"txid": "11" * 32, "vout": 3}], [{dest: 2}])
    joined = n.decodepsbt(n.joinpsbts([psbt, other]))
    check(len(joined["inputs"]) == 2 and len(joined["outputs"]) == 2, "joinpsbts has both inputs and outputs")
    check({i["txid"] for i in joined["tx"]["vin"]} == {cb["txid"], "11" * 32}, "joined inputs")
    assert_raises_rpc(-8, "exists in multiple PSBTs", n.joinpsbts, [psbt, psbt])
    assert_raises_rpc(-8, "At least two PSBTs are required to join PSBTs.", n.joinpsbts, [psbt])
    assert_raises_rpc(-8, "PSBTs not compatible (different transactions)", n.combinepsbt, [psbt, other])
    assert_raises_rpc(-8, "Parameter 'txs' cannot be empty", n.combinepsbt, [])
    assert_raises_rpc(-22, "TX decode failed invalid base64", n.decodepsbt, "not base64!")
    assert_raises_rpc(-8, "The PSBT version can only be 0 or 2", n.createpsbt, [], [{dest: 1}], 0, True, 2, 1)
