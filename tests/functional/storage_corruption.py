"""storage_corruption: a corrupt coins table is a storage error, never a verdict on a block.

A regtest chain's coins are flushed into a LevelDB table file (<datadir>/regtest/chainstate/*.ldb);
with the node stopped, one data block in the middle of that table (holding a mature coin) is
overwritten with garbage (a backup is kept). The restarted node is offered a valid block that spends
that coin. It must stop cleanly (exit code 1, no signal, no assertion), say in debug.log which
database failed and advise -reindex-chainstate, and mark nothing invalid: with the table restored,
the next start shows no invalid chain tip and the block becomes the tip."""

import glob
import os
import shutil
import struct

from test_framework import REGTEST_ADDR, REGTEST_ADDR2, add_op_true_witness, assert_equal, check, log

LDB_MAGIC = 0xdb4775248b80fb57


def varint(b, i):
    result, shift = 0, 0
    while True:
        c = b[i]
        i += 1
        result |= (c & 0x7f) << shift
        if c < 0x80:
            return result, i
        shift += 7


def block_entries(data, offset, size):
    """(key, value) pairs of one uncompressed LevelDB table block (prefix-compressed keys)."""
    blk = data[offset:offset + size]
    restarts = struct.unpack("<I", blk[-4:])[0]
    limit = len(blk) - 4 - 4 * restarts
    i, key, out = 0, b"", []
    while i < limit:
        shared, i = varint(blk, i)
        non_shared, i = varint(blk, i)
        vlen, i = varint(blk, i)
        key = key[:shared] + blk[i:i + non_shared]
        i += non_shared
        out.append((key, blk[i:i + vlen]))
        i += vlen
    return out


def data_blocks(data):
    """[(offset, size, [user keys])] of a LevelDB table, from its footer and index block."""
    footer = data[-48:]
    check(struct.unpack("<Q", footer[-8:])[0] == LDB_MAGIC, "the coins table file has LevelDB's table magic")
    _, j = varint(footer, 0)
    _, j = varint(footer, j)  # metaindex handle
    index_off, j = varint(footer, j)
    index_size, j = varint(footer, j)
    blocks = []
    for _, handle in block_entries(data, index_off, index_size):
        off, k = varint(handle, 0)
        size, k = varint(handle, k)
        keys = [key[:-8] for key, _ in block_entries(data, off, size)]  # internal key = user key + 8 bytes
        blocks.append((off, size, keys))
    return blocks


def coin_outpoint(user_key):
    """'C' + txid (stored byte order) + big-endian index -> (txid hex, n), or None."""
    if len(user_key) != 37 or user_key[:1] != b"C":
        return None
    return user_key[1:33][::-1].hex(), struct.unpack(">I", user_key[33:])[0]


def run(env):
    node = env.add_node(extra_args=["-dbcache=4"])
    node.start()
    node.generatetoaddress(200, REGTEST_ADDR2)  # coinbases paying P2WSH(OP_TRUE): spendable without keys
    tip_height = node.getblockcount()
    mature = {}
    for h in range(1, tip_height + 2 - 100):  # spendable in the block at tip_height + 1
        mature[node.getblock(node.getblockhash(h))["tx"][0]] = h
    node.stop()
    node.start()  # LevelDB moves the coins of the last flush from its log into a table file
    chainstate = os.path.join(node.netdir, "chainstate")
    tables = sorted(glob.glob(os.path.join(chainstate, "*.ldb")), key=os.path.getsize)
    check(len(tables) >= 1, "the coins database has a table file")
    table = tables[-1]
    with open(table, "rb") as f:
        data = bytearray(f.read())
    blocks = data_blocks(data)
    log("coins table %s: %d bytes, %d data blocks" % (os.path.basename(table), len(data), len(blocks)))
    check(len(blocks) >= 3, "the coins table has at least three data blocks")
    # A block in the middle (not the first, which also holds the best-block record) with a mature coin.
    target = None
    for off, size, keys in sorted(blocks[1:], key=lambda b: abs(b[0] - blocks[len(blocks) // 2][0])):
        for key in keys:
            op = coin_outpoint(key)
            if op and op[0] in mature and op[1] == 0:
                target = (off, size, op)
                break
        if target:
            break
    check(target is not None, "a data block in the middle of the table holds a mature coin")
    off, size, (txid, vout) = target
    log("spending %s:%d (height %d), stored in the data block at offset %d (%d bytes)" %
        (txid, vout, mature[txid], off, size))
    value = node.gettxout(txid, vout)["value"]
    raw = node.createrawtransaction([{"txid": txid, "vout": vout}], [{REGTEST_ADDR: float(value) - 0.001}])
    block = node.generateblock(REGTEST_ADDR, [add_op_true_witness(raw, 1)], False)
    block_hex, block_hash = block["hex"], block["hash"]
    node.stop()
    check(os.path.exists(table), "the table file is still there after the stop (no compaction replaced it)")

    backup = table + ".backup"
    shutil.copyfile(table, backup)
    data[off:off + size + 5] = bytes((i * 37 + 11) & 0xff for i in range(size + 5))  # block and its trailer
    with open(table, "wb") as f:
        f.write(data)
    log("overwrote %d bytes in the middle of the coins table" % (size + 5))

    node.start()
    try:
        r = node.rpc("submitblock", block_hex, timeout=30)
        log("submitblock answered %r before the node stopped" % (r,))
    except Exception as e:  # the node may close the connection on its way down
        log("submitblock: %s" % e)
    rc = node.wait_for_exit(timeout=60)
    check(rc == 1, "the node stopped with exit code 1 (got %s; negative would be a signal)" % rc)
    stderr = node.read_stderr()
    check("Assertion" not in stderr, "no assertion in stderr")
    check("A fatal internal error occurred, see debug.log for details" in stderr,
          "stderr says a fatal error occurred (as Core's AbortNode)")
    with open(node.debug_log, errors="replace") as f:
        debug_log = f.read()
    fatal = [line for line in debug_log.splitlines() if "*** " in line]
    check(len(fatal) >= 1, "debug.log has the AbortNode line: %s" % (fatal[:1],))
    check("coins database, chainstate" in fatal[0] and "-reindex-chainstate" in fatal[0],
          "the line names the coins database and advises -reindex-chainstate")
    check("InvalidBlockFound" not in debug_log and "bad-txns-inputs-missingorspent" not in debug_log,
          "no block was found invalid")

    shutil.copyfile(backup, table)
    node.start()
    # The block was stored before the fault: it is connected after warm-up, on the validation owner.
    node.wait_caught_up()
    tips = node.getchaintips()
    check(all(t["status"] != "invalid" for t in tips), "getchaintips shows no invalid tip: %s" % tips)
    if node.getbestblockhash() != block_hash:
        assert_equal(node.submitblock(block_hex), None, "submitblock accepts the block once the table is restored")
    assert_equal(node.getbestblockhash(), block_hash, "the block spending the coin is the tip")
    assert_equal(node.getblockcount(), tip_height + 1, "the tip advanced by one block")
    check(node.gettxout(txid, vout) is None, "the coin is spent")
    node.stop()
