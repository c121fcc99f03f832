"""loadblock: import real mainnet blocks 1..255 from the shared vector file with -loadblock on the
main chain (no P2P), and check height, tip hash and UTXO totals against values computed in Python."""

import decimal
import os

from test_framework import MAINNET_GENESIS, assert_equal, wait_until, check, decompress_bz2, load_vector_file, log, parse_block, \
    read_blk_file


def expected_utxo(blocks):
    """(txouts, total sat) of the UTXO set after connecting `blocks` (genesis output excluded, as Core)."""
    utxos = {}
    for blk in blocks:
        for tx in blk["txs"]:
            for prev in tx["inputs"]:
                if prev[0] != "00" * 32:
                    del utxos[prev]
            for n, (value, script) in enumerate(tx["outputs"]):
                if not (len(script) > 0 and script[0] == 0x6a):  # OP_RETURN outputs are never added
                    utxos[(tx["txid"], n)] = value
    return len(utxos), sum(utxos.values())


def run(env):
    src = load_vector_file(env, "mainnet/blocks1-256.bz2")
    path = os.path.join(env.tmpdir, "blocks1-256.dat")
    data = decompress_bz2(src, path)
    raw_blocks = read_blk_file(data)
    blocks = [parse_block(b) for b in raw_blocks]
    n = len(blocks)
    log("vector file: %d blocks, %d bytes decompressed" % (n, len(data)))
    check(blocks[0]["prev"] == MAINNET_GENESIS, "the file's first block builds on the mainnet genesis")
    check(all(blocks[i]["prev"] == blocks[i - 1]["hash"] for i in range(1, n)), "the file's blocks form one chain")
    last_hash = blocks[-1]["hash"]
    txouts, total_sat = expected_utxo(blocks)

    node = env.add_node(chain="main")
    node.start(extra_args=["-loadblock=" + path])
    node.wait_for_height(n, timeout=120)
    assert_equal(node.getblockcount(), n, "final height equals the number of blocks in the file")
    assert_equal(node.getbestblockhash(), last_hash, "getbestblockhash equals the file's last block hash (computed in Python)")
    assert_equal(node.getblockhash(0), MAINNET_GENESIS, "mainnet genesis at height 0")
    got = [node.getblockhash(h) for h in range(1, n + 1)]
    check(got == [b["hash"] for b in blocks], "getblockhash(1..%d) equals the hashes computed in Python" % n)
    for h in (1, 170, n):
        raw = node.getblock(blocks[h - 1]["hash"], 0)
        check(raw == raw_blocks[h - 1].hex(), "getblock(height %d, 0) returns the file's bytes" % h)
    b170 = node.getblock(blocks[169]["hash"], 2)
    assert_equal([t["txid"] for t in b170["tx"]], [t["txid"] for t in blocks[169]["txs"]], "block 170 txids (first payment)")
    chain_info = node.getblockchaininfo()
    assert_equal(chain_info["chain"], "main", "getblockchaininfo chain")
    assert_equal(chain_info["blocks"], n, "getblockchaininfo blocks")
    utxo = node.gettxoutsetinfo()
    assert_equal(utxo["height"], n, "gettxoutsetinfo height")
    assert_equal(utxo["txouts"], txouts, "gettxoutsetinfo txouts (computed in Python)")
    assert_equal(utxo["total_amount"], decimal.Decimal(total_sat) / decimal.Decimal(100000000),
                 "gettxoutsetinfo total_amount (computed in Python)")
    tips = node.getchaintips()
    assert_equal(tips, [{"height": n, "hash": last_hash, "branchlen": 0, "status": "active"}], "getchaintips")
    check(os.path.exists(os.path.join(node.netdir, "blocks", "blk00000.dat")), "blocks/blk00000.dat written")

    # restart without -loadblock: same state
    node.restart()
    assert_equal(node.getbestblockhash(), last_hash, "tip after restart")
    assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], utxo["hash_serialized_3"], "UTXO hash after restart")
    # importing the same file again is harmless
    node.restart(extra_args=["-loadblock=" + path])
    node.wait_for_height(n, timeout=60)
    wait_until(lambda: open(node.debug_log, errors="replace").read().count("Import done") >= 2, 60,
               "the second import to finish (debug.log 'Import done')")
    log("ok: second import finished")
    assert_equal(node.getbestblockhash(), last_hash, "tip after importing the same file again")
    assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], utxo["hash_serialized_3"], "UTXO hash after re-import")
    node.stop()
