"""Self-checks of the Python P2P client's encodings against known bytes, with no node.

Known bytes: the mainnet verack frame and a captured `version` message (with its frame checksum)
from the protocol documentation, the mainnet and regtest genesis blocks built from their parts,
real mainnet blocks 1..255 (round trip, merkle roots, proof of work, hashes), Core's SipHash-2-4
vectors, Core's BIP-155 `addrv2` stream and a Tor v3 name, the default signet's magic, Core's valid
transactions (witness round trip). Then a loopback check of P2PConnection against a scripted
peer: handshake order (BIP-339/155), automatic pong, framing errors recorded.
"""

import bz2
import json
import os
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import (MAGIC, MSG_BLOCK, MSG_CMPCT_BLOCK, MSG_TX, MSG_WITNESS_BLOCK, MSG_WTX, AddrV2,  # noqa: E402
                        Block, BlockHeader, DecodeError, Inv, MsgAddr, MsgAddrV2, MsgBlockTxn, MsgCmpctBlock,
                        MsgFeeFilter, MsgGetBlockTxn, MsgGetData, MsgGetHeaders, MsgHeaders, MsgInv, MsgPing,
                        MsgSendCmpct, MsgVersion, OutPoint, P2PConnection, P2PError, Reader, Tx, TxIn, TxOut,
                        bad_frame, check_witness_commitment, decode_message, hash_hex, hex_hash, make_block,
                        p2wsh_script, parse_header, script_num, ser_compact_size, ser_frame, shortid_keys,
                        signet_magic, siphash24, torv3_onion)
from test_framework import TestFailure, assert_equal, check, load_vector_file, log  # noqa: E402

MAINNET_GENESIS = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
GENESIS_MERKLE = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
# The genesis coinbase: scriptSig (bits push, 4, The Times headline) and the 50 BTC P2PK output.
GENESIS_SCRIPT_SIG = bytes.fromhex(
    "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b"
    "206f66207365636f6e64206261696c6f757420666f722062616e6b73")
GENESIS_PUBKEY_SCRIPT = bytes.fromhex(
    "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c"
    "384df7ba0b8d578a4c702b6bf11d5fac")
# Protocol documentation's `version` hexdump (Satoshi 0.7.2, protocol 60002, no relay field); its
# mainnet frame header carries checksum 3b648d5a.
VERSION_60002 = bytes.fromhex(
    "62ea0000010000000000000011b2d05000000000010000000000000000000000000000000000ffff000000000000"
    "010000000000000000000000000000000000ffff0000000000003b2eb35d8ce617650f2f5361746f7368693a302e372e322f"
    "c03e0300")
VERSION_60002_HEADER = "f9beb4d976657273696f6e0000000000640000003b648d5a"
# developer.bitcoin.org's `version` example (Satoshi 0.9.3, protocol 70002, relay 1).
VERSION_70002 = bytes.fromhex(
    "721101000100000000000000bc8f5e5400000000010000000000000000000000000000000000ffffc61b6409208d"
    "010000000000000000000000000000000000ffffcb0071c0208d128035cbc97953f80f2f5361746f7368693a302e392e332f"
    "cf05050001")
# The protocol documentation's `addr` payload: one entry, 10.0.0.1:8333, NODE_NETWORK.
ADDR_V1 = bytes.fromhex("01e215104d010000000000000000000000000000000000ffff0a000001208d")
# Core's stream_addrv2_hex (src/test/netbase_tests.cpp): three IPv6 ::1 entries.
ADDRV2_CORE = bytes.fromhex(
    "03" "61bc6649" "00" "02" "10" "00000000000000000000000000000001" "0000"
    "79627683" "01" "02" "10" "00000000000000000000000000000001" "00f1"
    "ffffffff" "fd4804" "02" "10" "00000000000000000000000000000001" "f1f2")
# The default signet challenge (1-of-2 multisig); its magic is 0a03cf40.
SIGNET_CHALLENGE = bytes.fromhex(
    "512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be430210359ef5021964fe22d6f8e05b2"
    "463c9540ce96883fe3b278760f048f5189f2e6c452ae")
TORV3_NAME = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"


def refuses(fn, what):
    try:
        fn()
    except (DecodeError, ValueError):
        log("ok: refused: " + what)
        return
    check(False, "refused: " + what)


def check_frames():
    assert_equal(ser_frame(MAGIC["main"], "verack", b"").hex(),
                 "f9beb4d976657261636b000000000000000000005df6e0e2", "mainnet verack frame")
    assert_equal(ser_frame(MAGIC["regtest"], "verack", b"")[:4].hex(), "fabfb5da", "regtest magic")
    assert_equal({k: v.hex() for k, v in MAGIC.items()},
                 {"main": "f9beb4d9", "test": "0b110907", "testnet4": "1c163f28", "regtest": "fabfb5da",
                  "signet": "0a03cf40"}, "network magics")
    assert_equal(signet_magic(SIGNET_CHALLENGE).hex(), "0a03cf40", "default signet magic from its challenge")
    h = parse_header(bytes.fromhex(VERSION_60002_HEADER))
    assert_equal((h.command, h.length, h.command_ok), ("version", 100, True), "captured version header")
    check(not parse_header(b"\0" * 4 + b"ver\0ack\0\0\0\0\0" + b"\0" * 8).command_ok,
          "a command with bytes after a NUL is malformed")
    f = bad_frame(MAGIC["regtest"], "ping", bytes(8), bad_checksum=True)
    check(f[20:24] != ser_frame(MAGIC["regtest"], "ping", bytes(8))[20:24], "bad_frame breaks the checksum")
    f = bad_frame(MAGIC["regtest"], "ping", bytes(8), length=4_000_001)
    assert_equal((parse_header(f[:24]).length, len(f)), (4_000_001, 32), "bad_frame claims an oversized length")
    for n, hx in ((0, "00"), (0xfc, "fc"), (0xfd, "fdfd00"), (0xffff, "fdffff"), (0x10000, "fe00000100"),
                  (0xffffffff, "feffffffff"), (0x100000000, "ff0000000001000000")):
        assert_equal(ser_compact_size(n).hex(), hx, "CompactSize(%#x)" % n)
        assert_equal(Reader(bytes.fromhex(hx)).compact_size(range_check=False), n, "CompactSize %s decodes" % hx)
    for hx in ("fdfc00", "feffff0000", "ffffffffff00000000"):
        refuses(lambda: Reader(bytes.fromhex(hx)).compact_size(range_check=False), "non-canonical CompactSize " + hx)
    refuses(lambda: Reader(bytes.fromhex("fe01000002")).compact_size(), "CompactSize above MAX_SIZE")


def check_version():
    v = MsgVersion.deserialize(VERSION_60002)
    assert_equal((v.version, v.services, v.timestamp, v.nonce, v.user_agent, v.start_height, v.relay),
                 (60002, 1, 1355854353, 0x6517E68C5DB32E3B, "/Satoshi:0.7.2/", 212672, None),
                 "captured version 60002 fields")
    assert_equal(v.serialize(), VERSION_60002, "version 60002 re-encodes to the capture")
    assert_equal(ser_frame(MAGIC["main"], "version", v.serialize())[:24].hex(), VERSION_60002_HEADER,
                 "version 60002 frame header (length 100, checksum 3b648d5a)")
    v = MsgVersion.deserialize(VERSION_70002)
    assert_equal((v.version, v.addr_recv.ip(), v.addr_recv.port, v.addr_from.ip(), v.user_agent,
                  v.start_height, v.relay),
                 (70002, "198.27.100.9", 8333, "203.0.113.192", "/Satoshi:0.9.3/", 329167, True),
                 "developer docs' version 70002 fields")
    assert_equal(v.serialize(), VERSION_70002, "version 70002 re-encodes")
    assert_equal(MsgPing(0x0102030405060708).serialize().hex(), "0807060504030201", "ping nonce is LE64")
    assert_equal(MsgSendCmpct(True, 2).serialize().hex(), "010200000000000000", "sendcmpct(1, 2)")
    assert_equal(MsgFeeFilter(1000).serialize().hex(), "e803000000000000", "feefilter 1000")
    refuses(lambda: MsgPing.deserialize(bytes(9)), "ping with a trailing byte")


def genesis(time_, bits, nonce):
    cb = Tx(1, [TxIn(OutPoint(), GENESIS_SCRIPT_SIG)], [TxOut(50 * 10**8, GENESIS_PUBKEY_SCRIPT)], 0)
    blk = Block(BlockHeader(1, b"\0" * 32, b"\0" * 32, time_, bits, nonce), [cb])
    blk.merkle_root = blk.calc_merkle_root()
    return blk


def check_blocks(env):
    main = genesis(1231006505, 0x1d00ffff, 2083236893)
    assert_equal(hash_hex(main.merkle_root), GENESIS_MERKLE, "genesis merkle root (= coinbase txid)")
    assert_equal(main.hash_hex(), MAINNET_GENESIS, "mainnet genesis hash from its serialized header")
    check(main.check_pow(), "mainnet genesis meets its target")
    reg = genesis(1296688602, 0x207fffff, 2)
    assert_equal(reg.hash_hex(), REGTEST_GENESIS, "regtest genesis hash from its serialized header")
    check(reg.check_pow(), "regtest genesis meets 207fffff")
    main.nonce += 1
    check(not main.check_pow(), "mainnet genesis with another nonce does not")

    path = load_vector_file(env, "mainnet/blocks1-256.bz2")
    data = bz2.decompress(open(path, "rb").read())
    raws, i = [], 0
    while i + 8 <= len(data):
        n = struct.unpack("<I", data[i + 4:i + 8])[0]
        raws.append(data[i + 8:i + 8 + n])
        i += 8 + n
    prev, ntx, ok = hex_hash(MAINNET_GENESIS), 0, True
    blocks = [Block.deserialize(r) for r in raws]
    for raw, b in zip(raws, blocks):
        ok &= b.serialize() == raw and b.prev == prev and b.calc_merkle_root() == b.merkle_root and b.check_pow()
        prev, ntx = b.hash(), ntx + len(b.txs)
    check(ok and len(blocks) == 255, "mainnet blocks 1..255: round trip, chain links, merkle roots, PoW "
          "(%d blocks, %d txs)" % (len(blocks), ntx))
    assert_equal(blocks[0].hash_hex(), "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048",
                 "mainnet block 1 hash")
    hdrs = MsgHeaders([b.header() for b in blocks])
    hp = hdrs.serialize()
    assert_equal(len(hp), 3 + 255 * 81, "headers message of 255 headers is 3 + 255*81 bytes")
    assert_equal([h.hash() for h in MsgHeaders.deserialize(hp).headers], [b.hash() for b in blocks],
                 "headers message round trip")
    txt = open(load_vector_file(env, "mainnet/blockheaders-mainnet-1-11.txt")).read().split()
    assert_equal([b.serialize_header().hex() for b in blocks[:11]], txt, "headers 1..11 equal the vector file")
    refuses(lambda: MsgHeaders.deserialize(b"\x01" + raws[0][:80] + b"\x01"), "headers entry with a tx count")
    refuses(lambda: MsgHeaders.deserialize(ser_compact_size(2001)), "2001 headers")
    refuses(lambda: Block.deserialize(raws[0][:-1]), "truncated block")


def check_transactions(env):
    cases = [c for c in json.load(open(load_vector_file(env, "bitcoin-core/tx_valid.json"))) if len(c) == 3]
    nwit, bad = 0, []
    for c in cases:
        raw = bytes.fromhex(c[1])
        tx = Tx.deserialize(raw)
        if tx.serialize() != raw:
            bad.append(c[1][:64])
        if tx.has_witness():
            nwit += 1
            # Without witness: shorter, and a different hash (txid != wtxid).
            if not (tx.txid() != tx.wtxid() and len(tx.serialize(False)) < len(raw)):
                bad.append(c[1][:64])
        elif tx.txid() != tx.wtxid():
            bad.append(c[1][:64])
    check(not bad and nwit >= 20, "Core's tx_valid: %d transactions round trip, %d with witness (txid != wtxid "
          "exactly for those)%s" % (len(cases), nwit, (": bad " + ", ".join(bad[:3])) if bad else ""))
    refuses(lambda: Tx.deserialize(bytes.fromhex("02000000" "0001" "00" "00" "00000000")),
            "witness flag with no witness (superfluous witness record)")
    refuses(lambda: Tx.deserialize(bytes.fromhex("02000000" "fd0010") + bytes(20)), "input count beyond data")

    # A block with a witness spend: commitment in the coinbase, txid vs wtxid in the two roots.
    spend = Tx(2, [TxIn(OutPoint(b"\x11" * 32, 0), b"", 0xffffffff, [b"\x51"])],
               [TxOut(10**8, p2wsh_script(b"\x51"))])
    blk = make_block(hex_hash(REGTEST_GENESIS), 1, 1296688603, [spend])
    check(check_witness_commitment(blk) and blk.check_pow(), "block maker: witness commitment and PoW")
    assert_equal(blk.txs[0].vin[0].script_sig[:1].hex(), "51", "BIP-34 height 1 is OP_1")
    check(blk.calc_merkle_root() == blk.merkle_root and blk.calc_witness_merkle_root() != blk.merkle_root,
          "merkle root over txids, witness root over wtxids")
    blk.txs[1].vin[0].witness = [b"\x52"]
    check(not check_witness_commitment(blk), "a changed witness breaks the commitment")
    assert_equal(Block.deserialize(blk.serialize()).serialize(), blk.serialize(), "witness block round trip")
    assert_equal(make_block(b"\0" * 32, 1000, 0, solve=False).txs[0].vin[0].script_sig[:3].hex(), "02e803",
                 "BIP-34 height 1000 is a 2-byte push")
    assert_equal([script_num(n).hex() for n in (0, 16, 17, 127, 128, 255, 256, 65535, 8388608)],
                 ["00", "60", "0111", "017f", "028000", "02ff00", "020001", "03ffff00", "0400008000"],
                 "BIP-34 height pushes (minimal CScriptNum: sign bit needs an extra byte)")


def check_inventory():
    h = bytes(range(32))
    assert_equal(MsgGetData([Inv(MSG_WITNESS_BLOCK, h)]).serialize().hex(), "01" "02000040" + h.hex(),
                 "getdata MSG_WITNESS_BLOCK (2 | 1<<30)")
    assert_equal([i.type for i in MsgInv.deserialize(MsgInv([Inv(t, h) for t in (MSG_TX, MSG_BLOCK, MSG_CMPCT_BLOCK,
                                                                                   MSG_WTX)]).serialize()).inv],
                 [1, 2, 4, 5], "inv types round trip")
    refuses(lambda: MsgInv.deserialize(ser_compact_size(50001)), "inv of 50001 entries")
    gh = MsgGetHeaders([h, b"\x22" * 32], b"\0" * 32, 70016)
    assert_equal(gh.serialize().hex(), "80110100" "02" + h.hex() + "22" * 32 + "00" * 32, "getheaders layout")
    refuses(lambda: MsgGetHeaders.deserialize(b"\x80\x11\x01\x00" + ser_compact_size(102)), "locator of 102")
    assert_equal(decode_message("getblocks", gh.serialize()).locator, gh.locator, "getblocks shares the layout")
    check(decode_message("reject", b"\x05block\x10\x03bad").reason == "bad", "reject decoded for logging")
    assert_equal(decode_message("xyz", b"ab").payload, b"ab", "unknown command kept raw")


def check_addresses():
    m = MsgAddr.deserialize(ADDR_V1)
    a = m.addrs[0]
    assert_equal((a.time, a.services, a.ip(), a.port), (0x4d1015e2, 1, "10.0.0.1", 8333), "docs' addr entry")
    assert_equal(m.serialize(), ADDR_V1, "addr re-encodes")
    m = MsgAddrV2.deserialize(ADDRV2_CORE)
    assert_equal([(x.time, x.services, x.net_id, x.to_string(), x.port) for x in m.addrs],
                 [(1231469665, 0, 2, "::1", 0), (2205573753, 1, 2, "::1", 241),
                  (0xffffffff, 0x448, 2, "::1", 0xf1f2)],
                 "Core's stream_addrv2_hex decodes to its fixture")
    assert_equal(m.serialize(), ADDRV2_CORE, "Core's addrv2 stream re-encodes (services as CompactSize)")
    # Core's net_tests / netbase_tests BIP-155 addresses: Tor v3 (two), I2P, CJDNS.
    tor1 = bytes.fromhex("79bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f")
    tor2 = bytes.fromhex("53cd5648488c4707914182655b7664034e09e66f7e8cbf1084e654eb56c5bd88")
    i2p = bytes.fromhex("a2894dabaec08c0051a481a6dac88b64f98232ae42d4b6fd2fa81952dfe36a87")
    assert_equal([torv3_onion(tor1), torv3_onion(tor2)],
                 [TORV3_NAME, "kpgvmscirrdqpekbqjsvw5teanhatztpp2gl6eee4zkowvwfxwenqaid.onion"],
                 "Tor v3 names: SHA3 checksum and version from the pubkey")
    entries = [AddrV2(1, bytes([1, 2, 3, 4]), 8333, 9, 7), AddrV2(4, tor1, 9050, 1, 8),
               AddrV2(5, i2p, 0, 0, 9), AddrV2(6, bytes.fromhex("fc000000000000000000000000000001"), 1, 0, 10),
               AddrV2(0xaa, b"future", 2, 0, 11)]
    wire = MsgAddrV2(entries).serialize()
    assert_equal(wire[1 + 4 + 1:1 + 4 + 1 + 1 + 1 + 4 + 2].hex(), "0104010203042" + "08d",
                 "addrv2 IPv4 entry: network 1, length 4, address, port 8333 big-endian")
    back = MsgAddrV2.deserialize(wire).addrs
    assert_equal([(e.net_id, e.addr, e.port, e.services, e.time) for e in back],
                 [(e.net_id, e.addr, e.port, e.services, e.time) for e in entries],
                 "addrv2 round trip: IPv4, TORv3, I2P, CJDNS, an unknown network")
    assert_equal([e.to_string() for e in back[:4]],
                 ["1.2.3.4", TORV3_NAME, "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p", "fc00::1"],
                 "addrv2 entries shown as Core shows them")
    refuses(lambda: MsgAddrV2.deserialize(b"\x01" + AddrV2(1, b"\1\2\3\4\5").serialize()), "IPv4 with 5 bytes")
    refuses(lambda: MsgAddrV2.deserialize(b"\x01" + AddrV2(0xaa, b"x" * 513).serialize()), "a 513-byte address")
    refuses(lambda: MsgAddrV2.deserialize(ser_compact_size(1001)), "addrv2 of 1001 entries")


def check_siphash_and_compact(env):
    cases = json.load(open(load_vector_file(env, "bitcoin-core/siphash.json")))
    bad = [c for c in cases if siphash24(int(c["key"][0], 16), int(c["key"][1], 16),
                                         b"".join(bytes.fromhex(x) for x in c["input"]))
           != int(c["expected"]["siphash24"], 16)]
    check(not bad and len(cases) > 100, "SipHash-2-4: %d vectors of Core's siphash.json" % len(cases))

    txs = [Tx(2, [TxIn(OutPoint(bytes([i]) * 32, i), b"", 0, [bytes([i])] if i % 2 else [])], [TxOut(i, b"\x51")])
           for i in range(1, 6)]
    blk = make_block(hex_hash(REGTEST_GENESIS), 1, 1296688603, txs)
    nonce = 0x0123456789abcdef
    k0, k1 = shortid_keys(blk, nonce)
    key = __import__("hashlib").sha256(blk.serialize_header() + struct.pack("<Q", nonce)).digest()
    assert_equal((k0, k1), struct.unpack("<QQ", key[:16]), "short id key from SHA256(header || nonce)")
    cmpct = MsgCmpctBlock.from_block(blk, nonce)
    assert_equal(cmpct.shortids, [siphash24(k0, k1, t.wtxid()) & (2**48 - 1) for t in blk.txs[1:]],
                 "short ids are SipHash of the wtxid, 6 bytes")
    wire = cmpct.serialize()
    assert_equal(len(wire), 80 + 8 + 1 + 5 * 6 + 1 + 1 + len(blk.txs[0].serialize()), "cmpctblock size")
    back = MsgCmpctBlock.deserialize(wire)
    rebuilt, missing = back.reconstruct(txs[:2] + txs[3:])
    assert_equal(missing, [3], "reconstruction misses only the transaction not in the pool")
    req = MsgGetBlockTxn(blk.hash(), missing + [5])
    assert_equal(req.serialize()[32:].hex(), "020301", "getblocktxn indexes differentially encoded")
    assert_equal(MsgGetBlockTxn.deserialize(req.serialize()).indexes, [3, 5], "getblocktxn round trip")
    resp = MsgBlockTxn.deserialize(MsgBlockTxn(blk.hash(), [txs[2]]).serialize())
    rebuilt[3] = resp.txs[0]
    assert_equal([t.wtxid() for t in rebuilt], [t.wtxid() for t in blk.txs], "block rebuilt from compact + blocktxn")
    check(Block(blk.header(), rebuilt).calc_merkle_root() == blk.merkle_root, "rebuilt block's merkle root")
    refuses(lambda: MsgGetBlockTxn.deserialize(bytes(32) + b"\x02\xfd\xff\xff\x00"), "index past 16 bits")
    dup = MsgCmpctBlock(back.header, back.nonce, back.shortids[:1] * 2, back.prefilled)
    refuses(lambda: dup.reconstruct(txs), "a compact block whose short ids collide")


def check_connection():
    """P2PConnection against a scripted peer on loopback: the client's handshake order, pong, and
    the framing errors it records."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    got, errors = [], []
    magic = MAGIC["regtest"]

    def peer():
        try:
            s, _ = srv.accept()
            buf = b""
            def next_msg():
                nonlocal buf
                while True:
                    if len(buf) >= 24:
                        n = struct.unpack("<I", buf[16:20])[0]
                        if len(buf) >= 24 + n:
                            cmd, p = buf[4:16].rstrip(b"\0").decode(), buf[24:24 + n]
                            buf = buf[24 + n:]
                            return cmd, p
                    buf += s.recv(4096)
            got.append(next_msg()[0])
            v = MsgVersion(start_height=7, user_agent="/scripted/")
            s.sendall(ser_frame(magic, "version", v.serialize()) + ser_frame(magic, "sendheaders", b""))
            for _ in range(3):
                got.append(next_msg()[0])
            s.sendall(ser_frame(magic, "verack", b"") + ser_frame(magic, "ping", struct.pack("<Q", 42)))
            cmd, p = next_msg()
            got.append((cmd, struct.unpack("<Q", p)[0]))
            s.sendall(bad_frame(magic, "ping", bytes(8), bad_checksum=True) +
                      ser_frame(magic, "pong", struct.pack("<Q", 5)) +
                      bad_frame(magic, "ping", b"", bad_magic=b"abcd"))
            s.recv(1)
            s.close()
        except Exception as e:  # reported by the main thread
            errors.append(repr(e))

    t = threading.Thread(target=peer, daemon=True)
    t.start()
    c = P2PConnection("regtest").connect(port)
    try:
        try:
            v = c.handshake()
            c.wait_for("pong", lambda m: m.nonce == 5, timeout=10)
        except P2PError as e:
            raise TestFailure("FAILED: exchange with the scripted peer: %s (the peer got %s; its errors: %s)" %
                              (e, got, errors))
        assert_equal((v.start_height, v.user_agent), (7, "/scripted/"), "handshake returns the peer's version")
        assert_equal(got, ["version", "wtxidrelay", "sendaddrv2", "verack", ("pong", 42)],
                     "client sends version, wtxidrelay, sendaddrv2, verack; answers ping 42")
        assert_equal(c.peer_before_verack, ["sendheaders"], "peer's messages between its version and verack")
        sends = [cmd for d, cmd in c.events if d == "send"]
        check(sends[:4] == ["version", "wtxidrelay", "sendaddrv2", "verack"] and
              c.events.index(("recv", "version")) < c.events.index(("send", "wtxidrelay")),
              "outbound: our version first; wtxidrelay, sendaddrv2, verack after the peer's version")
        c.wait_for_disconnect(10)
        assert_equal(c.errors, ["bad checksum on 'ping'", "bad magic 61626364"],
                     "bad checksum skipped (pong after it read), bad magic ends the connection")
    finally:
        c.close()
        srv.close()
        t.join(10)
    check(not errors, "scripted peer ran without socket errors")


def run(env):
    check_frames()
    check_version()
    check_inventory()
    check_addresses()
    check_connection()
    check_blocks(env)
    check_transactions(env)
    check_siphash_and_compact(env)
