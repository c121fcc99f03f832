"""blockstats: getblockstats over a block with fee-paying segwit and legacy transactions (every
statistic recomputed here from the transactions' own bytes), its selection and errors, the
genesis block; getchaintxstats' fields, window and errors."""

import hashlib
import struct

from test_framework import REGTEST_ADDR, REGTEST_ADDR2, assert_equal, assert_raises_rpc, check

COIN = 100000000
PER_UTXO_OVERHEAD = 36 + 4 + 1
P2WSH_TRUE = bytes.fromhex("0020") + hashlib.sha256(b"\x51").digest()  # REGTEST_ADDR2's script
P2WPKH = bytes.fromhex("0014751e76e8199196d454941c45d1b3a323f1433bd6")  # REGTEST_ADDR's script
OP_RETURN = bytes.fromhex("6a04deadbeef")


def compact(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    return b"\xfe" + struct.pack("<I", n)


def ser_tx(inputs, outputs, witness):
    """(with witness, without witness) serializations. inputs: [(txid hex, vout, scriptSig bytes)],
    outputs: [(sats, script bytes)], witness: per input a list of stack items or None."""
    body = compact(len(inputs))
    for txid, vout, script_sig in inputs:
        body += bytes.fromhex(txid)[::-1] + struct.pack("<I", vout) + compact(len(script_sig)) + script_sig
        body += struct.pack("<I", 0xfffffffd)
    body += compact(len(outputs))
    for value, spk in outputs:
        body += struct.pack("<q", value) + compact(len(spk)) + spk
    version, locktime = struct.pack("<i", 2), struct.pack("<I", 0)
    stripped = version + body + locktime
    if not any(witness):
        return stripped, stripped
    wit = b""
    for stack in witness:
        stack = stack or []
        wit += compact(len(stack)) + b"".join(compact(len(item)) + item for item in stack)
    return version + b"\x00\x01" + body + wit + locktime, stripped


def txid_of(stripped):
    return hashlib.sha256(hashlib.sha256(stripped).digest()).digest()[::-1].hex()


def out_size(spk):
    return 8 + len(compact(len(spk))) + len(spk) + PER_UTXO_OVERHEAD


def truncated_median(values):
    v = sorted(values)
    if not v:
        return 0
    return (v[len(v) // 2 - 1] + v[len(v) // 2]) // 2 if len(v) % 2 == 0 else v[len(v) // 2]


def percentiles(scores, total_weight):
    """Feerate at the 10/25/50/75/90th percentile weight unit (BIP-less definition: Core's getblockstats)."""
    if not scores:
        return [0] * 5
    scores = sorted(scores)
    marks = [total_weight / 10.0, total_weight / 4.0, total_weight / 2.0, total_weight * 3.0 / 4.0,
             total_weight * 9.0 / 10.0]
    result, i, cum = [], 0, 0
    for feerate, weight in scores:
        cum += weight
        while i < 5 and cum >= marks[i]:
            result.append(feerate)
            i += 1
    return result + [scores[-1][0]] * (5 - len(result))


def run(env):
    n = env.add_node()
    n.start()
    hashes = n.generatetoaddress(110, REGTEST_ADDR2)  # coinbases pay 50 BTC to P2WSH(OP_TRUE)
    cb1 = n.getblock(hashes[0])["tx"][0]
    cb2 = n.getblock(hashes[1])["tx"][0]
    p2sh_true = bytes.fromhex(n.decoderawtransaction(n.createrawtransaction(
        [], [{n.decodescript("51")["p2sh"]: 1}]))["vout"][0]["scriptPubKey"]["hex"])

    # A: segwit, P2WSH(OP_TRUE) -> P2SH(OP_TRUE), fee 10000
    a_wit, a_base = ser_tx([(cb1, 0, b"")], [(50 * COIN - 10000, p2sh_true)], [[b"\x51"]])
    # B: segwit, 3 outputs including an unspendable OP_RETURN, fee 30000
    b_wit, b_base = ser_tx([(cb2, 0, b"")], [(20 * COIN, P2WSH_TRUE), (30 * COIN - 30000, P2WPKH), (0, OP_RETURN)],
                           [[b"\x51"]])
    # C: legacy, spends A's P2SH(OP_TRUE) output in the same block (scriptSig pushes the redeem script), fee 100000
    c_wit, c_base = ser_tx([(txid_of(a_base), 0, b"\x01\x51")], [(50 * COIN - 10000 - 100000, P2WSH_TRUE)], [None])
    check(c_wit == c_base, "transaction C has no witness")
    txs = [(a_wit, a_base, 10000, [P2WSH_TRUE]), (b_wit, b_base, 30000, [P2WSH_TRUE]), (c_wit, c_base, 100000, [p2sh_true])]
    blockhash = n.generateblock(REGTEST_ADDR, [t[0].hex() for t in txs])["hash"]
    height = n.getblockcount()
    blk = n.getblock(blockhash, 2)
    assert_equal([t["txid"] for t in blk["tx"][1:]], [txid_of(t[1]) for t in txs], "block holds A, B, C in order")
    coinbase_spks = [bytes.fromhex(o["scriptPubKey"]["hex"]) for o in blk["tx"][0]["vout"]]

    # ---- the statistics, recomputed from the transactions
    sizes = [len(w) for w, _, _, _ in txs]
    weights = [len(b) * 3 + len(w) for w, b, _, _ in txs]
    fees = [f for _, _, f, _ in txs]
    feerates = [f * 4 // w for f, w in zip(fees, weights)]
    outs_spk = [[spk for _, spk in o] for o in ([(0, p2sh_true)], [(0, P2WSH_TRUE), (0, P2WPKH), (0, OP_RETURN)],
                                                [(0, P2WSH_TRUE)])]
    all_out_spks = coinbase_spks + [s for o in outs_spk for s in o]
    spent_spks = [s for _, _, _, prev in txs for s in prev]
    total_out = (50 * COIN - 10000) + (50 * COIN - 30000) + (50 * COIN - 110000)
    header = n.getblockheader(blockhash)
    expected = {
        "avgfee": sum(fees) // 3,
        "avgfeerate": sum(fees) * 4 // sum(weights),
        "avgtxsize": sum(sizes) // 3,
        "blockhash": blockhash,
        "feerate_percentiles": percentiles(list(zip(feerates, weights)), sum(weights)),
        "height": height,
        "ins": 3,
        "maxfee": max(fees),
        "maxfeerate": max(feerates),
        "maxtxsize": max(sizes),
        "medianfee": truncated_median(fees),
        "mediantime": header["mediantime"],
        "mediantxsize": truncated_median(sizes),
        "minfee": min(fees),
        "minfeerate": min(feerates),
        "mintxsize": min(sizes),
        "outs": len(all_out_spks),
        "subsidy": 50 * COIN,
        "swtotal_size": sizes[0] + sizes[1],
        "swtotal_weight": weights[0] + weights[1],
        "swtxs": 2,
        "time": header["time"],
        "total_out": total_out,
        "total_size": sum(sizes),
        "total_weight": sum(weights),
        "totalfee": sum(fees),
        "txs": 4,
        "utxo_increase": len(all_out_spks) - 3,
        "utxo_size_inc": sum(out_size(s) for s in all_out_spks) - sum(out_size(s) for s in spent_spks),
        "utxo_increase_actual": sum(1 for s in all_out_spks if s[:1] != b"\x6a") - 3,
        "utxo_size_inc_actual": sum(out_size(s) for s in all_out_spks if s[:1] != b"\x6a") -
                                sum(out_size(s) for s in spent_spks),
    }
    check(len(set(fees)) == 3 and expected["minfeerate"] != expected["maxfeerate"], "the block's fees and feerates differ")
    stats = n.getblockstats(height)
    for key in sorted(expected):
        assert_equal(stats.get(key), expected[key], "getblockstats %s" % key)
    assert_equal(sorted(stats), sorted(expected), "getblockstats returns exactly Core's statistics")
    assert_equal(n.getblockstats(blockhash), stats, "getblockstats by hash equals by height")
    assert_equal(n.getblockstats(height, ["minfee", "maxfee", "txs"]), {"maxfee": 100000, "minfee": 10000, "txs": 4},
                 "a selection returns only the selected statistics")
    cli = n.cli("getblockstats", str(height), '["totalfee"]', parse=True)
    assert_equal(cli, {"totalfee": 140000}, "minicash-cli getblockstats <height> '[...]' (conversion table)")

    # ---- a block without transactions and the genesis block
    empty = n.getblockstats(height - 1)
    assert_equal((empty["txs"], empty["ins"], empty["totalfee"], empty["minfee"], empty["mintxsize"],
                  empty["feerate_percentiles"]), (1, 0, 0, 0, 0, [0, 0, 0, 0, 0]), "coinbase-only block")
    g = n.getblockstats(0)
    assert_equal((g["height"], g["txs"], g["utxo_increase_actual"], g["utxo_size_inc_actual"], g["outs"]), (0, 1, 0, 0, 1),
                 "genesis: its output never entered the UTXO set")

    # ---- errors
    assert_raises_rpc(-8, "Target block height -1 is negative", n.getblockstats, -1, what="negative height -> -8")
    assert_raises_rpc(-8, "Target block height %d after current tip %d" % (height + 1, height), n.getblockstats,
                      height + 1, what="height after the tip -> -8")
    assert_raises_rpc(-5, "Block not found", n.getblockstats, "00" * 32, what="unknown hash -> -5")
    assert_raises_rpc(-8, "Invalid selected statistic 'nonsense'", n.getblockstats, height, ["txs", "nonsense"],
                      what="unknown statistic -> -8")
    assert_raises_rpc(-8, "hash_or_height must be of length 64", n.getblockstats, "zz", what="bad hash string -> -8")

    # ---- getchaintxstats
    txcount = height + 1 + 3  # one coinbase per block plus A, B, C
    s = n.getchaintxstats()
    first = n.getblockheader(n.getblockhash(1))
    tip_header = n.getblockheader(n.getbestblockhash())
    interval = tip_header["mediantime"] - first["mediantime"]
    expected = {"time": tip_header["time"], "txcount": txcount, "window_final_block_hash": n.getbestblockhash(),
                "window_final_block_height": height, "window_block_count": height - 1, "window_interval": interval,
                "window_tx_count": txcount - 2}
    check(interval > 0, "the window spans time (%d s)" % interval)
    txrate = s.pop("txrate")
    assert_equal(s, expected, "getchaintxstats defaults: window of height - 1 blocks ending at the tip")
    check(abs(float(txrate) - (txcount - 2) / interval) < 1e-9, "txrate = window_tx_count / window_interval")
    s = n.getchaintxstats(5, hashes[20])
    h20 = n.getblockheader(hashes[20])
    assert_equal((s["txcount"], s["window_final_block_height"], s["window_block_count"], s["window_tx_count"],
                  s["window_interval"]), (22, 21, 5, 5, h20["mediantime"] - n.getblockheader(hashes[15])["mediantime"]),
                 "getchaintxstats 5 blocks ending at block 21")
    z = n.getchaintxstats(0)
    assert_equal(sorted(z), ["time", "txcount", "window_block_count", "window_final_block_hash",
                             "window_final_block_height"], "nblocks 0: no window fields")
    assert_raises_rpc(-8, "Invalid block count: should be between 0 and the block's height - 1", n.getchaintxstats,
                      height, what="nblocks = height -> -8")
    assert_raises_rpc(-8, "Invalid block count", n.getchaintxstats, -1, what="negative nblocks -> -8")
    assert_raises_rpc(-5, "Block not found", n.getchaintxstats, None, "00" * 32, what="unknown block -> -5")
    tip = n.getbestblockhash()
    n.invalidateblock(tip)
    assert_raises_rpc(-8, "Block is not in main chain", n.getchaintxstats, None, tip, what="block off the active chain -> -8")
    n.reconsiderblock(tip)
    n.stop()
