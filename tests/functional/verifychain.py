"""verifychain: levels 0-4 pass on a good chain (with transactions to undo and redo); a corrupted undo
record or block in a copy of the block files makes it return false with Core's log line, and the
levels below the corrupted data still pass."""

import os
import shutil
import struct

from blockstats import COIN, P2WSH_TRUE, ser_tx
from test_framework import REGTEST_ADDR, REGTEST_ADDR2, assert_equal, assert_raises_rpc, check


def records(path, trailer):
    """(offset of the payload, size) of each record of a blk/rev file (magic, LE32 size, payload, trailer)."""
    data = open(path, "rb").read()
    out, i = [], 0
    while i + 8 <= len(data) and data[i:i + 4] != b"\x00\x00\x00\x00":
        size = struct.unpack("<I", data[i + 4:i + 8])[0]
        out.append((i + 8, size))
        i += 8 + size + trailer
    return out


def flip_byte(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x55]))


def log_has(node, text):
    with open(node.debug_log, encoding="utf-8", errors="replace") as f:
        return text in f.read()


def run(env):
    n = env.add_node()
    n.start()
    hashes = n.generatetoaddress(105, REGTEST_ADDR2)
    # Three blocks that spend and create coins, so disconnecting them restores coins from undo data.
    for i in range(3):
        cb = n.getblock(hashes[i])["tx"][0]
        tx, _ = ser_tx([(cb, 0, b"")], [(50 * COIN - 1000 * (i + 1), P2WSH_TRUE)], [[b"\x51"]])
        n.generateblock(REGTEST_ADDR, [tx.hex()])
    height = n.getblockcount()

    for level in range(5):
        assert_equal(n.verifychain(level), True, "verifychain level %d (default 6 blocks)" % level)
    assert_equal(n.verifychain(), True, "verifychain defaults (level 3, 6 blocks)")
    check(log_has(n, "Verifying last 6 blocks at level 3"), "log: Verifying last 6 blocks at level 3")
    check(log_has(n, "Verification: No coin database inconsistencies in last 6 blocks (%d transactions)" % (6 + 3)),
          "log: no inconsistencies in the last 6 blocks (9 transactions)")
    assert_equal(n.verifychain(4, 0), True, "verifychain level 4 over the whole chain")
    check(log_has(n, "Verifying last %d blocks at level 4" % height), "log: all %d blocks at level 4" % height)
    assert_equal(n.verifychain(9, 2), True, "a level above 4 is clamped to 4")
    assert_equal(n.cli("verifychain", "4", "3", parse=True), True, "minicash-cli verifychain 4 3 (numbers converted)")
    assert_raises_rpc(-3, None, n.verifychain, "3", what="checklevel as a string -> -3 type error")
    assert_equal(n.getblockcount(), height, "verifychain leaves the chain as it was")
    tip = n.getbestblockhash()
    utxo = n.gettxoutsetinfo()
    n.stop()

    blocks_dir = os.path.join(n.netdir, "blocks")
    rev = os.path.join(blocks_dir, "rev00000.dat")
    blk = os.path.join(blocks_dir, "blk00000.dat")
    shutil.copy(rev, rev + ".orig")
    shutil.copy(blk, blk + ".orig")

    # ---- a corrupted undo record: the last one written is the tip's
    payload, size = records(rev, 32)[-1]
    flip_byte(rev, payload + size // 2)
    n.start()
    assert_equal(n.verifychain(1), True, "corrupted undo data: levels 0-1 do not read it")
    assert_equal(n.verifychain(2), False, "corrupted undo data: level 2 fails")
    check(log_has(n, "Verification error: found bad undo data at %d, hash=%s" % (height, tip)),
          "log: found bad undo data at the tip")
    assert_equal(n.verifychain(3), False, "corrupted undo data: level 3 fails")
    assert_raises_rpc(-1, "Can't read undo data from disk", n.getblockstats, height,
                      what="getblockstats of a block whose undo data is unreadable -> -1")
    n.stop()
    shutil.copy(rev + ".orig", rev)

    # ---- a corrupted block: a byte of the tip block's last transaction
    payload, size = records(blk, 0)[-1]
    flip_byte(blk, payload + size - 10)
    n.start()
    assert_equal(n.verifychain(1, 2), False, "corrupted block: verifychain level 1 fails (CheckBlock)")
    check(log_has(n, "Verification error: ReadBlock failed at %d" % height) or
          log_has(n, "Verification error: found bad block at %d" % height), "log: the bad block at the tip is named")
    n.stop()
    shutil.copy(blk + ".orig", blk)

    n.start()
    assert_equal(n.verifychain(4, 0), True, "files restored: verifychain passes again")
    assert_equal(n.gettxoutsetinfo()["hash_serialized_3"], utxo["hash_serialized_3"], "the UTXO set never changed")
    n.stop()
