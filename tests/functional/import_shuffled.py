"""import_shuffled: blk files hold blocks in arrival order, not chain order. Mainnet blocks
1..255 shuffled (fixed seeds), with garbage between records, a duplicate and zero padding,
must import with -loadblock to the same tip and UTXO set hash as the ordered file; and a
datadir whose blk files hold the same blocks shuffled over two files must -reindex to it,
survive a plain restart, and disconnect/reconnect with the undo data written on the way."""

import os
import random
import struct

from test_framework import MAINNET_GENESIS, assert_equal, check, decompress_bz2, load_vector_file, log, read_blk_file

MAGIC = bytes.fromhex("f9beb4d9")


def frame(block):
    return MAGIC + struct.pack("<I", len(block)) + block


def shuffled_file(blocks, seed):
    """The blocks in a random order, some with garbage before them, one twice, zero padding at the end."""
    rng = random.Random(seed)
    order = list(range(len(blocks)))
    rng.shuffle(order)
    order.insert(rng.randrange(len(order)), order[rng.randrange(len(order))])  # a duplicate
    out = b""
    for i in order:
        if rng.random() < 0.2:
            out += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 30)))
        out += frame(blocks[i])
    return out + bytes(512)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def summary(node):
    u = node.gettxoutsetinfo()
    return node.getblockcount(), node.getbestblockhash(), u["hash_serialized_3"]


def run(env):
    src = load_vector_file(env, "mainnet/blocks1-256.bz2")
    data = decompress_bz2(src, os.path.join(env.tmpdir, "ordered.dat"))
    blocks = read_blk_file(data)
    n = len(blocks)

    ref = env.add_node(chain="main")
    ref.start(extra_args=["-loadblock=" + os.path.join(env.tmpdir, "ordered.dat")])
    ref.wait_for_height(n, timeout=120)
    expected = summary(ref)
    genesis = bytes.fromhex(ref.getblock(MAINNET_GENESIS, 0))
    ref.stop()
    log("ordered import: height %d, tip %s" % (expected[0], expected[1]))

    for seed in (1, 2):
        path = os.path.join(env.tmpdir, "shuffled%d.dat" % seed)
        write(path, shuffled_file(blocks, seed))
        node = env.add_node(chain="main")
        node.start(extra_args=["-loadblock=" + path])
        node.wait_for_height(n, timeout=120, hash_=expected[1])
        assert_equal(summary(node), expected, "-loadblock of a shuffled file (seed %d): height, tip, UTXO hash" % seed)
        node.stop()

    # -reindex of our own blk files holding the genesis block and 1..255 shuffled, over two files.
    node = env.add_node(chain="main")
    blocks_dir = os.path.join(node.netdir, "blocks")
    os.makedirs(blocks_dir, exist_ok=True)
    every = [genesis] + blocks
    rng = random.Random(3)
    rng.shuffle(every)
    write(os.path.join(blocks_dir, "blk00000.dat"), b"".join(frame(b) for b in every[:130]) + bytes(100))
    write(os.path.join(blocks_dir, "blk00001.dat"), b"".join(frame(b) for b in every[130:]))
    node.start(extra_args=["-reindex"], wait=False)
    node.wait_for_rpc(timeout=120)
    node.wait_for_height(n, timeout=120, hash_=expected[1])
    assert_equal(summary(node), expected, "-reindex of shuffled blk files: height, tip, UTXO hash")
    node.restart()
    assert_equal(summary(node), expected, "a plain restart after -reindex keeps the tip and UTXO hash")
    # The undo data written while reindexing is readable: disconnect everything and back.
    first = node.getblockhash(1)
    node.invalidateblock(first)
    assert_equal(node.getblockcount(), 0, "invalidateblock(height 1) disconnects down to the genesis block")
    node.reconsiderblock(first)
    assert_equal(summary(node), expected, "reconsiderblock reconnects to the same tip and UTXO hash")
    log_text = open(node.debug_log, errors="replace").read()
    check("Reindexing block file blk00001.dat" in log_text, "debug.log names the second blk file reindexed")
    node.stop()
