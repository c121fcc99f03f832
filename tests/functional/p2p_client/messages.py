"""Payload encodings of the P2P messages a current node exchanges for blocks and addresses.

Each message class has `command`, `serialize()` (the payload) and `deserialize(payload)`;
`decode_message(command, payload)` picks the class (MsgUnknown for anything else). Counts are
checked against the protocol's limits before anything is allocated.
"""

import base64
import hashlib
import ipaddress
import struct

from .primitives import Block, BlockHeader, Tx
from .serialize import (DecodeError, Reader, sha256, ser_compact_size, ser_var_bytes, ser_var_str,
                        siphash24)

PROTOCOL_VERSION = 70016
NODE_NETWORK = 1
NODE_BLOOM = 4
NODE_WITNESS = 8
NODE_COMPACT_FILTERS = 64
NODE_NETWORK_LIMITED = 1024
NODE_P2P_V2 = 2048

MSG_TX = 1
MSG_BLOCK = 2
MSG_FILTERED_BLOCK = 3
MSG_CMPCT_BLOCK = 4
MSG_WTX = 5
MSG_WITNESS_FLAG = 1 << 30
MSG_WITNESS_BLOCK = MSG_BLOCK | MSG_WITNESS_FLAG
MSG_WITNESS_TX = MSG_TX | MSG_WITNESS_FLAG

MAX_INV_SZ = 50_000
MAX_ADDR_TO_SEND = 1_000
MAX_HEADERS_RESULTS = 2_000
MAX_LOCATOR_SZ = 101
MAX_ADDRV2_SIZE = 512
MAX_SUBVERSION_LENGTH = 256
# A compact block cannot list more transactions than fit in a block (Core: 4,000,000 / 240).
MAX_CMPCT_TXS = 4_000_000 // 240

# BIP-155 network ids and their address lengths.
NET_IPV4, NET_IPV6, NET_TORV2, NET_TORV3, NET_I2P, NET_CJDNS = 1, 2, 3, 4, 5, 6
ADDRV2_LENGTHS = {NET_IPV4: 4, NET_IPV6: 16, NET_TORV2: 10, NET_TORV3: 32, NET_I2P: 32, NET_CJDNS: 16}
IPV4_IN_IPV6 = bytes(10) + b"\xff\xff"


# ---------------------------------------------------------------------------------------------
# Addresses

class NetAddr:
    """An `addr` (v1) entry: [time u32 when with_time] services u64, 16-byte IPv6 (IPv4 mapped),
    big-endian port."""

    def __init__(self, ip="0.0.0.0", port=0, services=0, time=0):
        self.ip16 = ip if isinstance(ip, bytes) else ipv6_bytes(ip)
        self.port = port
        self.services = services
        self.time = time

    def serialize(self, with_time=True):
        t = struct.pack("<I", self.time) if with_time else b""
        return t + struct.pack("<Q", self.services) + self.ip16 + struct.pack(">H", self.port)

    @classmethod
    def read(cls, r, with_time=True):
        t = r.u32() if with_time else 0
        services = r.u64()
        return cls(r.read(16), r.u16be(), services, t)

    def ip(self):
        a = ipaddress.IPv6Address(self.ip16)
        return str(a.ipv4_mapped) if a.ipv4_mapped else str(a)


def ipv6_bytes(s):
    """IPv4 text -> the IPv4-mapped 16 bytes; IPv6 text -> its 16 bytes."""
    a = ipaddress.ip_address(s)
    return IPV4_IN_IPV6 + a.packed if a.version == 4 else a.packed


class AddrV2:
    """An `addrv2` entry (BIP-155): time u32, services CompactSize, network id u8, address
    (CompactSize length, at most 512), big-endian port."""

    def __init__(self, net_id=NET_IPV4, addr=b"\x7f\x00\x00\x01", port=0, services=0, time=0):
        self.net_id = net_id
        self.addr = addr
        self.port = port
        self.services = services
        self.time = time

    def serialize(self):
        return (struct.pack("<I", self.time) + ser_compact_size(self.services) + bytes([self.net_id]) +
                ser_var_bytes(self.addr) + struct.pack(">H", self.port))

    @classmethod
    def read(cls, r):
        t = r.u32()
        services = r.compact_size(range_check=False)
        net_id = r.u8()
        addr = r.var_bytes(MAX_ADDRV2_SIZE)
        want = ADDRV2_LENGTHS.get(net_id)
        if want is not None and len(addr) != want:
            raise DecodeError("BIP-155 network %d with a %d-byte address" % (net_id, len(addr)))
        return cls(net_id, addr, r.u16be(), services, t)

    def to_string(self):
        """The address as Core shows it (IP text, .onion, .b32.i2p); None for unknown networks."""
        if self.net_id == NET_IPV4:
            return str(ipaddress.IPv4Address(self.addr))
        if self.net_id in (NET_IPV6, NET_CJDNS):
            return str(ipaddress.IPv6Address(self.addr))
        if self.net_id == NET_TORV3:
            return torv3_onion(self.addr)
        if self.net_id == NET_I2P:
            return base64.b32encode(self.addr).decode().lower().rstrip("=") + ".b32.i2p"
        if self.net_id == NET_TORV2:
            return base64.b32encode(self.addr).decode().lower() + ".onion"
        return None


def torv3_onion(pubkey):
    """Tor v3 onion name: base32(pubkey || checksum(2) || version 3) + '.onion', the checksum
    being SHA3-256('.onion checksum' || pubkey || version)[:2] (Tor's rend-spec-v3)."""
    ver = b"\x03"
    csum = hashlib.sha3_256(b".onion checksum" + pubkey + ver).digest()[:2]
    return base64.b32encode(pubkey + csum + ver).decode().lower() + ".onion"


# ---------------------------------------------------------------------------------------------
# Messages

class Message:
    command = ""

    def serialize(self):
        return b""

    @classmethod
    def deserialize(cls, payload):
        r = Reader(payload)
        m = cls._read(r)
        r.done()
        return m

    @classmethod
    def _read(cls, r):
        return cls()

    def __repr__(self):
        fields = ", ".join("%s=%r" % (k, v) for k, v in sorted(vars(self).items()) if not k.startswith("_"))
        return "%s(%s)" % (type(self).__name__, fields[:300])


class MsgVersion(Message):
    command = "version"

    def __init__(self, version=PROTOCOL_VERSION, services=NODE_NETWORK | NODE_WITNESS, timestamp=0,
                 addr_recv=None, addr_from=None, nonce=0, user_agent="/minicash-p2p-test:0.1/",
                 start_height=0, relay=True):
        self.version = version
        self.services = services
        self.timestamp = timestamp
        self.addr_recv = addr_recv or NetAddr()
        self.addr_from = addr_from or NetAddr()
        self.nonce = nonce
        self.user_agent = user_agent
        self.start_height = start_height
        self.relay = relay  # None: field omitted (versions before 70001)

    def serialize(self):
        b = (struct.pack("<iQq", self.version, self.services, self.timestamp) +
             self.addr_recv.serialize(with_time=False) + self.addr_from.serialize(with_time=False) +
             struct.pack("<Q", self.nonce) + ser_var_str(self.user_agent) + struct.pack("<i", self.start_height))
        if self.relay is not None:
            b += b"\x01" if self.relay else b"\x00"
        return b

    @classmethod
    def _read(cls, r):
        m = cls(r.i32(), r.u64(), r.i64(), NetAddr.read(r, with_time=False))
        # Like Core: the fields after addr_recv are each optional at the end of the message.
        m.addr_from = NetAddr.read(r, with_time=False) if r.remaining() else NetAddr()
        m.nonce = r.u64() if r.remaining() else 0
        m.user_agent = r.var_str(MAX_SUBVERSION_LENGTH) if r.remaining() else ""
        m.start_height = r.i32() if r.remaining() else 0
        m.relay = r.bool() if r.remaining() else None
        return m


class _Empty(Message):
    pass


class MsgVerack(_Empty):
    command = "verack"


class MsgSendHeaders(_Empty):
    command = "sendheaders"


class MsgWtxidRelay(_Empty):
    command = "wtxidrelay"


class MsgSendAddrV2(_Empty):
    command = "sendaddrv2"


class MsgGetAddr(_Empty):
    command = "getaddr"


class MsgPing(Message):
    command = "ping"

    def __init__(self, nonce=0):
        self.nonce = nonce

    def serialize(self):
        return struct.pack("<Q", self.nonce)

    @classmethod
    def _read(cls, r):
        return cls(r.u64())


class MsgPong(MsgPing):
    command = "pong"


class MsgAddr(Message):
    command = "addr"

    def __init__(self, addrs=None):
        self.addrs = addrs or []

    def serialize(self):
        return ser_compact_size(len(self.addrs)) + b"".join(a.serialize() for a in self.addrs)

    @classmethod
    def _read(cls, r):
        return cls([NetAddr.read(r) for _ in range(r.count(MAX_ADDR_TO_SEND))])


class MsgAddrV2(MsgAddr):
    command = "addrv2"

    @classmethod
    def _read(cls, r):
        return cls([AddrV2.read(r) for _ in range(r.count(MAX_ADDR_TO_SEND))])


class Inv:
    def __init__(self, type_, hash_):
        self.type = type_
        self.hash = hash_  # 32 bytes, internal order

    def serialize(self):
        return struct.pack("<I", self.type) + self.hash

    def __eq__(self, other):
        return isinstance(other, Inv) and (self.type, self.hash) == (other.type, other.hash)

    def __repr__(self):
        return "Inv(%d, %s)" % (self.type, self.hash[::-1].hex())


class MsgInv(Message):
    command = "inv"

    def __init__(self, inv=None):
        self.inv = inv or []

    def serialize(self):
        return ser_compact_size(len(self.inv)) + b"".join(i.serialize() for i in self.inv)

    @classmethod
    def _read(cls, r):
        return cls([Inv(r.u32(), r.hash()) for _ in range(r.count(MAX_INV_SZ))])


class MsgGetData(MsgInv):
    command = "getdata"


class MsgNotFound(MsgInv):
    command = "notfound"


class MsgGetHeaders(Message):
    command = "getheaders"

    def __init__(self, locator=None, hash_stop=b"\x00" * 32, version=PROTOCOL_VERSION):
        self.version = version
        self.locator = locator or []  # hashes, internal order, newest first
        self.hash_stop = hash_stop

    def serialize(self):
        return (struct.pack("<I", self.version) + ser_compact_size(len(self.locator)) +
                b"".join(self.locator) + self.hash_stop)

    @classmethod
    def _read(cls, r):
        version = r.u32()
        locator = [r.hash() for _ in range(r.count(MAX_LOCATOR_SZ))]
        return cls(locator, r.hash(), version)


class MsgGetBlocks(MsgGetHeaders):
    command = "getblocks"


class MsgHeaders(Message):
    command = "headers"

    def __init__(self, headers=None):
        self.headers = headers or []

    def serialize(self):
        # Each header is followed by a transaction count, always 0.
        return ser_compact_size(len(self.headers)) + b"".join(h.serialize_header() + b"\x00" for h in self.headers)

    @classmethod
    def _read(cls, r):
        out = []
        for _ in range(r.count(MAX_HEADERS_RESULTS)):
            out.append(BlockHeader.read_header(r))
            if r.compact_size() != 0:
                raise DecodeError("headers entry with a non-zero transaction count")
        return cls(out)


class MsgBlock(Message):
    command = "block"

    def __init__(self, block=None, witness=True):
        self.block = block or Block()
        self.witness = witness

    def serialize(self):
        return self.block.serialize(self.witness)

    @classmethod
    def _read(cls, r):
        return cls(Block.read(r))


class MsgTx(Message):
    command = "tx"

    def __init__(self, tx=None, witness=True):
        self.tx = tx or Tx()
        self.witness = witness

    def serialize(self):
        return self.tx.serialize(self.witness)

    @classmethod
    def _read(cls, r):
        return cls(Tx.read(r))


class MsgSendCmpct(Message):
    command = "sendcmpct"

    def __init__(self, announce=False, version=2):
        self.announce = announce
        self.version = version

    def serialize(self):
        return struct.pack("<?Q", self.announce, self.version)

    @classmethod
    def _read(cls, r):
        return cls(r.bool(), r.u64())


class MsgFeeFilter(Message):
    command = "feefilter"

    def __init__(self, feerate=0):
        self.feerate = feerate  # satoshis per 1000 virtual bytes

    def serialize(self):
        return struct.pack("<q", self.feerate)

    @classmethod
    def _read(cls, r):
        return cls(r.i64())


class MsgReject(Message):
    """`reject` (BIP-61): Core neither sends nor reads it any more; btcd still sends it. Decoded
    only so tests can log what a peer said; this client never sends one."""
    command = "reject"

    def __init__(self, message="", code=0, reason="", data=b""):
        self.message, self.code, self.reason, self.data = message, code, reason, data

    def serialize(self):
        return ser_var_str(self.message) + bytes([self.code]) + ser_var_str(self.reason) + self.data

    @classmethod
    def _read(cls, r):
        return cls(r.var_str(), r.u8(), r.var_str(), r.read(r.remaining()))


# ---------------------------------------------------------------------------------------------
# Compact blocks (BIP-152)

def _ser_diff_indexes(indexes):
    """Differential encoding: each index as CompactSize(index - previous index - 1)."""
    out, prev = [ser_compact_size(len(indexes))], -1
    for i in indexes:
        if i <= prev or i > 0xffff:
            raise ValueError("indexes must be increasing and fit 16 bits")
        out.append(ser_compact_size(i - prev - 1))
        prev = i
    return b"".join(out)


def _read_diff_index(r, prev):
    i = prev + 1 + r.compact_size(range_check=False)
    if i > 0xffff:
        raise DecodeError("differentially encoded index overflows 16 bits")
    return i


def shortid_keys(header, nonce):
    """(k0, k1): the first two little-endian 64-bit words of SHA256(header || nonce LE64)."""
    k = sha256(header.serialize_header() + struct.pack("<Q", nonce))
    return struct.unpack("<QQ", k[:16])


def shortid(k0, k1, txhash):
    """The 6-byte short id of a transaction hash (wtxid for version 2) as an integer."""
    return siphash24(k0, k1, txhash) & 0xffffffffffff


class MsgCmpctBlock(Message):
    """`cmpctblock`: header, nonce, 6-byte short ids, prefilled transactions (index differentially
    encoded, transaction with witness)."""
    command = "cmpctblock"

    def __init__(self, header=None, nonce=0, shortids=None, prefilled=None):
        self.header = header or BlockHeader()
        self.nonce = nonce
        self.shortids = shortids or []      # integers < 2**48
        self.prefilled = prefilled or []    # [(absolute index, Tx)]

    @classmethod
    def from_block(cls, block, nonce, prefill=(0,), use_wtxid=True):
        k0, k1 = shortid_keys(block, nonce)
        ids = [shortid(k0, k1, t.wtxid() if use_wtxid else t.txid())
               for i, t in enumerate(block.txs) if i not in prefill]
        return cls(block.header(), nonce, ids, [(i, block.txs[i]) for i in sorted(prefill)])

    def serialize(self):
        b = self.header.serialize_header() + struct.pack("<Q", self.nonce)
        b += ser_compact_size(len(self.shortids)) + b"".join(struct.pack("<Q", s)[:6] for s in self.shortids)
        b += ser_compact_size(len(self.prefilled))
        prev = -1
        for i, tx in self.prefilled:
            b += ser_compact_size(i - prev - 1) + tx.serialize(True)
            prev = i
        return b

    @classmethod
    def _read(cls, r):
        header = BlockHeader.read_header(r)
        nonce = r.u64()
        ids = [int.from_bytes(r.read(6), "little") for _ in range(r.count(MAX_CMPCT_TXS))]
        prefilled, prev = [], -1
        for _ in range(r.count(MAX_CMPCT_TXS)):
            prev = _read_diff_index(r, prev)
            prefilled.append((prev, Tx.read(r)))
        if len(ids) + len(prefilled) > MAX_CMPCT_TXS:
            raise DecodeError("compact block lists too many transactions")
        return cls(header, nonce, ids, prefilled)

    def reconstruct(self, pool, use_wtxid=True):
        """Fill the block's transactions from prefilled ones and `pool` (Tx list). Returns
        (txs, missing_indexes); txs has None at the missing positions."""
        n = len(self.shortids) + len(self.prefilled)
        txs = [None] * n
        for i, tx in self.prefilled:
            if i >= n:
                raise DecodeError("prefilled index out of range")
            txs[i] = tx
        if len(set(self.shortids)) != len(self.shortids):
            raise DecodeError("short id collision inside the compact block (fetch the full block)")
        k0, k1 = shortid_keys(self.header, self.nonce)
        by_id = {}
        for t in pool:
            sid = shortid(k0, k1, t.wtxid() if use_wtxid else t.txid())
            # Two pool transactions with one short id: neither is used (the slot is requested).
            by_id[sid] = None if sid in by_id and by_id[sid] is not t else t
        slots = [i for i in range(n) if txs[i] is None]
        for slot, sid in zip(slots, self.shortids):
            txs[slot] = by_id.get(sid)
        return txs, [i for i in range(n) if txs[i] is None]


class MsgGetBlockTxn(Message):
    command = "getblocktxn"

    def __init__(self, block_hash=b"\x00" * 32, indexes=None):
        self.block_hash = block_hash
        self.indexes = indexes or []  # absolute, increasing

    def serialize(self):
        return self.block_hash + _ser_diff_indexes(self.indexes)

    @classmethod
    def _read(cls, r):
        h = r.hash()
        out, prev = [], -1
        for _ in range(r.count(MAX_CMPCT_TXS)):
            prev = _read_diff_index(r, prev)
            out.append(prev)
        return cls(h, out)


class MsgBlockTxn(Message):
    command = "blocktxn"

    def __init__(self, block_hash=b"\x00" * 32, txs=None):
        self.block_hash = block_hash
        self.txs = txs or []

    def serialize(self):
        return self.block_hash + ser_compact_size(len(self.txs)) + b"".join(t.serialize(True) for t in self.txs)

    @classmethod
    def _read(cls, r):
        h = r.hash()
        return cls(h, [Tx.read(r) for _ in range(r.count(MAX_CMPCT_TXS))])


class MsgUnknown(Message):
    """Any other command, kept as raw payload."""

    def __init__(self, command="", payload=b""):
        self.command = command
        self.payload = payload

    def serialize(self):
        return self.payload


MESSAGES = {c.command: c for c in (
    MsgVersion, MsgVerack, MsgSendHeaders, MsgWtxidRelay, MsgSendAddrV2, MsgGetAddr, MsgPing, MsgPong,
    MsgAddr, MsgAddrV2, MsgInv, MsgGetData, MsgNotFound, MsgGetHeaders, MsgGetBlocks, MsgHeaders,
    MsgBlock, MsgTx, MsgSendCmpct, MsgFeeFilter, MsgReject, MsgCmpctBlock, MsgGetBlockTxn, MsgBlockTxn)}


def decode_message(command, payload):
    """The message object for a command and payload (DecodeError when malformed)."""
    cls = MESSAGES.get(command)
    if cls is None:
        return MsgUnknown(command, payload)
    return cls.deserialize(payload)
