"""rawtransaction: getrawtransaction with -txindex and with a blockhash (no -txindex), gettxout of a
coinbase output, createrawtransaction/decoderawtransaction round trip, decodescript."""

import decimal
import json

from test_framework import REGTEST_ADDR, REGTEST_ADDR2, assert_equal, assert_raises_rpc, check


def run(env):
    ti = env.add_node(extra_args=["-txindex"])
    ti.start()
    hashes = ti.generatetoaddress(3, REGTEST_ADDR)
    blk = ti.getblock(hashes[0], 2)
    cb = blk["tx"][0]
    txid = cb["txid"]

    # ---- -txindex
    ti.wait_for_height(3)
    raw = ti.getrawtransaction(txid)
    assert_equal(raw, cb["hex"], "getrawtransaction(coinbase txid) with -txindex returns its hex")
    v = ti.getrawtransaction(txid, True)
    for k in ("txid", "hash", "version", "size", "vsize", "weight", "locktime", "vin", "vout", "hex"):
        assert_equal(v[k], cb[k], "verbose getrawtransaction field %s equals getblock's" % k)
    assert_equal(v["blockhash"], hashes[0], "verbose blockhash")
    assert_equal(v["confirmations"], 3, "verbose confirmations")
    assert_equal(v["time"], blk["time"], "verbose time")
    assert_equal(v["blocktime"], blk["time"], "verbose blocktime")
    check("coinbase" in v["vin"][0], "verbose vin[0] is a coinbase input")
    assert_equal(ti.getrawtransaction(txid, 1), v, "verbosity 1 equals verbose=true")
    ti.restart()
    assert_equal(ti.getrawtransaction(txid), cb["hex"], "txindex lookup after restart")
    assert_raises_rpc(-5, "No such", ti.getrawtransaction, "33" * 32, what="getrawtransaction(unknown txid) with -txindex -> -5")

    # ---- without -txindex
    n = env.add_node()
    n.start()
    hashes = n.generatetoaddress(3, REGTEST_ADDR)
    cb = n.getblock(hashes[0], 2)["tx"][0]
    txid = cb["txid"]
    assert_raises_rpc(-5, "-txindex", n.getrawtransaction, txid, what="getrawtransaction(txid) without -txindex -> -5 mentioning -txindex")
    assert_equal(n.getrawtransaction(txid, False, hashes[0]), cb["hex"], "getrawtransaction(txid, false, blockhash)")
    v = n.getrawtransaction(txid, True, hashes[0])
    assert_equal((v["txid"], v["in_active_chain"], v["blockhash"], v["confirmations"]), (txid, True, hashes[0], 3),
                 "verbose getrawtransaction with blockhash: txid, in_active_chain, blockhash, confirmations")
    assert_raises_rpc(-5, "No such transaction found in the provided block", n.getrawtransaction, txid, False, hashes[1],
                      what="getrawtransaction with the wrong blockhash -> -5")
    assert_raises_rpc(-5, "Block hash not found", n.getrawtransaction, txid, False, "44" * 32,
                      what="getrawtransaction with an unknown blockhash -> -5")

    # ---- gettxout of a coinbase output
    out = n.gettxout(txid, 0)
    assert_equal(out["bestblock"], hashes[-1], "gettxout bestblock")
    assert_equal(out["confirmations"], 3, "gettxout confirmations")
    assert_equal(out["value"], decimal.Decimal("50.00000000"), "gettxout value")
    assert_equal(out["coinbase"], True, "gettxout coinbase flag")
    assert_equal(out["scriptPubKey"]["address"], REGTEST_ADDR, "gettxout address")
    assert_equal(out["scriptPubKey"]["type"], "witness_v0_keyhash", "gettxout script type")
    assert_equal(n.gettxout(txid, 5), None, "gettxout of a missing output index returns null")
    assert_equal(n.gettxout("55" * 32, 0), None, "gettxout of an unknown txid returns null")

    # ---- createrawtransaction / decoderawtransaction round trip
    inputs = [{"txid": txid, "vout": 0, "sequence": 1000}, {"txid": "66" * 32, "vout": 7}]
    outputs = [{REGTEST_ADDR2: "1.5"}, {REGTEST_ADDR: 0.25}, {"data": "deadbeef"}]
    rawtx = n.createrawtransaction(inputs, outputs, 77)
    d = n.decoderawtransaction(rawtx)
    assert_equal([(i["txid"], i["vout"]) for i in d["vin"]], [(txid, 0), ("66" * 32, 7)], "decoded inputs")
    assert_equal(d["vin"][0]["sequence"], 1000, "decoded explicit sequence")
    assert_equal(d["vin"][1]["sequence"], 4294967293, "decoded default sequence: replaceable defaults to true (0xfffffffd)")
    d_nonrbf = n.decoderawtransaction(n.createrawtransaction(inputs[1:], outputs[:1], 77, False))
    assert_equal(d_nonrbf["vin"][0]["sequence"], 4294967294, "replaceable=false with a locktime -> 0xfffffffe")
    d_final = n.decoderawtransaction(n.createrawtransaction(inputs[1:], outputs[:1], 0, False))
    assert_equal(d_final["vin"][0]["sequence"], 4294967295, "replaceable=false without locktime -> 0xffffffff")
    assert_equal(d["locktime"], 77, "decoded locktime")
    assert_equal([o["value"] for o in d["vout"]], [decimal.Decimal("1.5"), decimal.Decimal("0.25"), decimal.Decimal(0)],
                 "decoded output values")
    assert_equal(d["vout"][0]["scriptPubKey"]["address"], REGTEST_ADDR2, "decoded output 0 address")
    assert_equal(d["vout"][1]["scriptPubKey"]["address"], REGTEST_ADDR, "decoded output 1 address")
    assert_equal(d["vout"][2]["scriptPubKey"]["asm"], "OP_RETURN -1874767326", "decoded data output asm")
    assert_equal(d["vout"][2]["scriptPubKey"]["type"], "nulldata", "decoded data output type")
    assert_equal(d["version"], 2, "decoded version")
    assert_equal(d["size"], len(rawtx) // 2, "decoded size")
    assert_raises_rpc(-22, "TX decode failed", n.decoderawtransaction, "00", what="decoderawtransaction(garbage) -> -22")
    # ---- createrawtransaction's version (Core 29+): 1..3, default 2; through the CLI too
    for version in (1, 3):
        d_v = n.decoderawtransaction(n.createrawtransaction(inputs[1:], outputs[:1], 0, True, version))
        assert_equal(d_v["version"], version, "createrawtransaction version=%d" % version)
    for bad in (0, 4, 2147483648):
        assert_raises_rpc(-8, "Invalid parameter, version out of range(1~3)", n.createrawtransaction, [], [], 0, True,
                          bad, what="createrawtransaction version=%d -> -8" % bad)
    for bad in (-1, 4294967296):
        assert_raises_rpc(-1, "JSON integer out of range", n.createrawtransaction, [], [], 0, True, bad,
                          what="createrawtransaction version=%d (outside uint32) -> integer out of range (-1, as Core's UniValue getInt)" % bad)
    ins_json, outs_json = json.dumps(inputs[1:]), json.dumps([{REGTEST_ADDR2: 1.5}])
    rc, out, err = n.cli("-named", "createrawtransaction", "inputs=" + ins_json, "outputs=" + outs_json, "version=3")
    assert_equal((rc, n.decoderawtransaction(out.strip())["version"] if rc == 0 else err), (0, 3),
                 "minicash-cli -named createrawtransaction ... version=3 (converted to a number)")
    rc, out, err = n.cli("createrawtransaction", ins_json, outs_json, "0", "false", "1")
    assert_equal((rc, n.decoderawtransaction(out.strip())["version"] if rc == 0 else err), (0, 1),
                 "minicash-cli createrawtransaction with a positional version")
    assert_raises_rpc(-5, "Invalid Bitcoin address", n.createrawtransaction, [], [{"nonsense": 1}],
                      what="createrawtransaction with a bad address -> -5")
    assert_raises_rpc(-8, "duplicated address", n.createrawtransaction, [], [{REGTEST_ADDR: 1}, {REGTEST_ADDR: 2}],
                      what="createrawtransaction with a duplicated address -> -8")

    # ---- decodescript
    p2pkh = "76a914" + "11" * 20 + "88ac"
    ds = n.decodescript(p2pkh)
    assert_equal(ds["asm"], "OP_DUP OP_HASH160 " + "11" * 20 + " OP_EQUALVERIFY OP_CHECKSIG", "decodescript(p2pkh) asm")
    assert_equal(ds["type"], "pubkeyhash", "decodescript(p2pkh) type")
    check(ds.get("address", "").startswith(("m", "n")), "decodescript(p2pkh) regtest address (%s)" % ds.get("address"))
    check("p2sh" in ds and "segwit" in ds, "decodescript(p2pkh) has p2sh and segwit entries")
    ds = n.decodescript("51")
    assert_equal((ds["asm"], ds["type"]), ("1", "nonstandard"), "decodescript(51)")
    ds = n.decodescript("0014" + "751e76e8199196d454941c45d1b3a323f1433bd6")
    assert_equal((ds["type"], ds["address"]), ("witness_v0_keyhash", REGTEST_ADDR), "decodescript(p2wpkh) type and address")
    check("segwit" not in ds, "decodescript(p2wpkh) has no segwit wrapper entry")
    ds = n.decodescript("")
    assert_equal(ds["asm"], "", "decodescript('') asm")
    assert_raises_rpc(-8, None, n.decodescript, "zz", what="decodescript(non-hex) -> -8")
    ti.stop()
    n.stop()
