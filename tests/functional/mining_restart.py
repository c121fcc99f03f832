"""mining_restart: mine 200 blocks via minicash-cli, restart, and check the chain RPCs agree."""

import decimal
import json

from test_framework import REGTEST_ADDR, TestFailure, assert_equal, assert_raises_rpc, block_hash_from_header, check, \
    log

NBLOCKS = 200


def run(env):
    node = env.add_node()
    node.start()
    assert_equal(node.getblockcount(), 0, "fresh regtest node is at height 0")
    genesis = node.getblockhash(0)
    assert_equal(genesis, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206", "regtest genesis hash")

    # --- mine with the CLI, check its pretty JSON output
    rc, out, err = node.cli("generatetoaddress", NBLOCKS, REGTEST_ADDR)
    assert_equal(rc, 0, "minicash-cli generatetoaddress exit code")
    hashes = json.loads(out)
    assert_equal(len(hashes), NBLOCKS, "generatetoaddress returned one hash per block")
    check(all(isinstance(h, str) and len(h) == 64 and int(h, 16) >= 0 for h in hashes), "all returned hashes are 64-hex")
    assert_equal(out, json.dumps(hashes, indent=2) + "\n", "CLI output is pretty-printed JSON (2-space indent)")
    assert_equal(err, "", "CLI stderr is empty")
    assert_equal(node.getblockcount(), NBLOCKS, "getblockcount after mining")
    tip = node.getbestblockhash()
    assert_equal(tip, hashes[-1], "getbestblockhash is the last mined hash")
    utxo = node.gettxoutsetinfo()
    assert_equal(utxo["height"], NBLOCKS, "gettxoutsetinfo height")
    assert_equal(utxo["bestblock"], tip, "gettxoutsetinfo bestblock")
    assert_equal(utxo["txouts"], NBLOCKS, "gettxoutsetinfo txouts (one spendable coinbase output per block)")
    assert_equal(utxo["total_amount"], decimal.Decimal(149 * 50 + 51 * 25), "gettxoutsetinfo total_amount (halving at height 150)")

    # --- restart: same tip and UTXO set
    node.restart()
    assert_equal(node.getbestblockhash(), tip, "getbestblockhash after restart")
    utxo2 = node.gettxoutsetinfo()
    assert_equal(utxo2["hash_serialized_3"], utxo["hash_serialized_3"], "hash_serialized_3 after restart")
    assert_equal(utxo2["txouts"], utxo["txouts"], "txouts after restart")
    assert_equal(utxo2["total_amount"], utxo["total_amount"], "total_amount after restart")
    # disk_size: Core's estimate of the coin records' bytes on disk (LevelDB's approximate size of
    # the 'C' key range; data still only in the write log is not counted). Core's rpc_blockchain.py
    # expects 6400 < disk_size < 64000 for 200 coins on a restarted node; it grows with the set.
    check(6400 < utxo2["disk_size"] < 64000, "gettxoutsetinfo disk_size of 200 coins is in Core's range: %s" % utxo2["disk_size"])
    assert_equal(node.gettxoutsetinfo("none")["disk_size"], utxo2["disk_size"], "disk_size does not depend on hash_type")
    assert_equal(node.getblockcount(), NBLOCKS, "getblockcount after restart")

    # --- getblockhash for every height matches what generatetoaddress returned
    got = [node.getblockhash(h) for h in range(1, NBLOCKS + 1)]
    assert_equal(got, hashes, "getblockhash(1..%d) equals the mined hashes" % NBLOCKS)
    assert_raises_rpc(-8, "Block height out of range", node.getblockhash, NBLOCKS + 1, what="getblockhash(tip+1)")
    assert_raises_rpc(-8, "Block height out of range", node.getblockhash, -1, what="getblockhash(-1)")

    # --- getblock 0/1/2 consistency
    for h in (0, 1, 2, 100, 149, 150, NBLOCKS - 1, NBLOCKS):
        bh = node.getblockhash(h)
        raw = node.getblock(bh, 0)
        b1 = node.getblock(bh, 1)
        b2 = node.getblock(bh, 2)
        bdef = node.getblock(bh)
        rawb = bytes.fromhex(raw)
        check(bdef == b1, "height %d: getblock default verbosity is 1" % h)
        check(block_hash_from_header(rawb[:80]) == bh, "height %d: double-SHA256 of the raw header is the hash" % h)
        check(b1["hash"] == bh and b1["height"] == h and b2["height"] == h, "height %d: hash/height fields" % h)
        check(b1["confirmations"] == NBLOCKS - h + 1, "height %d: confirmations = %d" % (h, NBLOCKS - h + 1))
        check(b1["size"] == len(rawb), "height %d: size equals raw length %d" % (h, len(rawb)))
        check(b1["nTx"] == len(b1["tx"]) == len(b2["tx"]) == 1, "height %d: one transaction" % h)
        cb = b2["tx"][0]
        check(cb["txid"] == b1["tx"][0], "height %d: verbosity-2 txid equals verbosity-1 txid" % h)
        check(rawb[81:].hex().startswith(cb["hex"]), "height %d: coinbase hex follows the header in the raw block" % h)
        dec = node.decoderawtransaction(cb["hex"])
        check(dec["txid"] == cb["txid"] and dec["hash"] == cb["hash"], "height %d: decoderawtransaction(coinbase) txid/wtxid" % h)
        check("coinbase" in dec["vin"][0], "height %d: decoded input is a coinbase" % h)
        check(b1["merkleroot"] == cb["txid"], "height %d: merkleroot equals the only txid" % h)
        check(rawb[36:68][::-1].hex() == b1["merkleroot"], "height %d: merkleroot in raw header" % h)
        if h > 0:
            check(b1["previousblockhash"] == node.getblockhash(h - 1), "height %d: previousblockhash link" % h)
            check(rawb[4:36][::-1].hex() == b1["previousblockhash"], "height %d: prev hash in raw header" % h)
            exp_subsidy = decimal.Decimal(50 if h < 150 else 25)
            check(cb["vout"][0]["value"] == exp_subsidy, "height %d: coinbase pays %s" % (h, exp_subsidy))
            check(cb["vout"][0]["scriptPubKey"].get("address") == REGTEST_ADDR, "height %d: coinbase pays the address" % h)
        else:
            check("previousblockhash" not in b1, "genesis has no previousblockhash")
        if h < NBLOCKS:
            check(b1["nextblockhash"] == node.getblockhash(h + 1), "height %d: nextblockhash link" % h)
        else:
            check("nextblockhash" not in b1, "tip has no nextblockhash")
        # header
        hdr = node.getblockheader(bh)
        hdr_raw = node.getblockheader(bh, False)
        check(hdr_raw == raw[:160], "height %d: getblockheader(false) is the first 80 bytes" % h)
        for k in ("hash", "confirmations", "height", "version", "merkleroot", "time", "mediantime", "nonce",
                  "bits", "difficulty", "chainwork", "nTx"):
            if hdr.get(k) != b1.get(k):
                raise TestFailure("FAILED: height %d: getblockheader[%s]=%r != getblock[%s]=%r" % (h, k, hdr.get(k), k, b1.get(k)))
        log("ok: height %d: getblockheader fields equal getblock's" % h)
    assert_raises_rpc(-5, "Block not found", node.getblock, "00" * 32, what="getblock(unknown hash)")
    assert_raises_rpc(-5, "Block not found", node.getblockheader, "00" * 32, what="getblockheader(unknown hash)")

    # --- chain tips, difficulty, mining info, uptime, help
    tips = node.getchaintips()
    assert_equal(tips, [{"height": NBLOCKS, "hash": tip, "branchlen": 0, "status": "active"}], "getchaintips")
    diff = node.getdifficulty()
    check(abs(float(diff) - 4.656542373906925e-10) < 1e-20, "getdifficulty is the regtest minimum (%s)" % diff)
    mi = node.getmininginfo()
    assert_equal(mi["blocks"], NBLOCKS, "getmininginfo blocks")
    assert_equal(mi["chain"], "regtest", "getmininginfo chain")
    assert_equal(mi["difficulty"], diff, "getmininginfo difficulty equals getdifficulty")
    up = node.uptime()
    check(isinstance(up, int) and 0 <= up < 600, "uptime is a small integer (%r)" % up)
    bci = node.getblockchaininfo()
    assert_equal((bci["chain"], bci["blocks"], bci["headers"], bci["bestblockhash"]), ("regtest", NBLOCKS, NBLOCKS, tip),
                 "getblockchaininfo chain/blocks/headers/bestblockhash")
    helptext = node.help()
    for m in ("getblockcount", "getblockhash", "getblock", "generatetoaddress", "stop", "uptime"):
        check(m in helptext, "help lists %s" % m)
    check(node.help("getblockhash").startswith("getblockhash height"), "help getblockhash starts with its signature")
    check("help: unknown command" in node.help("nosuchcommand"), "help of an unknown command says so")
    rc, out, err = node.cli("getblockcount")
    assert_equal((rc, out), (0, "%d\n" % NBLOCKS), "minicash-cli getblockcount output")
    rc, out, err = node.cli("getbestblockhash")
    assert_equal((rc, out), (0, tip + "\n"), "minicash-cli getbestblockhash prints the bare string")
    info = node.cli("getblock", tip, parse=True)
    assert_equal(info["hash"], tip, "minicash-cli getblock output parses")

    node.stop()
    check(not node.is_running(), "node stopped cleanly")
