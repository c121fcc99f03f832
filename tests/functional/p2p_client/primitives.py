"""Transactions, block headers and blocks (BIP-141/144 witness serialization), merkle roots, and a
tiny block maker for regtest (BIP-34 coinbase height, witness commitment, proof-of-work grind)."""

import struct

from .serialize import DecodeError, Reader, dsha256, hash_hex, sha256, ser_compact_size, ser_var_bytes

MAX_BLOCK_WEIGHT = 4_000_000
WITNESS_SCALE_FACTOR = 4
REGTEST_BITS = 0x207fffff
# The witness commitment's output script starts with OP_RETURN, push 36, and this tag (BIP-141).
WITNESS_COMMITMENT_HEADER = bytes.fromhex("6a24aa21a9ed")


class OutPoint:
    def __init__(self, txid=b"\x00" * 32, n=0xffffffff):
        self.txid = txid  # 32 bytes, internal order
        self.n = n

    def serialize(self):
        return self.txid + struct.pack("<I", self.n)

    @classmethod
    def read(cls, r):
        return cls(r.hash(), r.u32())


class TxIn:
    def __init__(self, prevout=None, script_sig=b"", sequence=0xffffffff, witness=None):
        self.prevout = prevout or OutPoint()
        self.script_sig = script_sig
        self.sequence = sequence
        self.witness = witness or []  # list of stack items (bytes)

    def serialize(self):
        return self.prevout.serialize() + ser_var_bytes(self.script_sig) + struct.pack("<I", self.sequence)

    @classmethod
    def read(cls, r):
        return cls(OutPoint.read(r), r.var_bytes(), r.u32())


class TxOut:
    def __init__(self, value=0, script_pubkey=b""):
        self.value = value
        self.script_pubkey = script_pubkey

    def serialize(self):
        return struct.pack("<q", self.value) + ser_var_bytes(self.script_pubkey)

    @classmethod
    def read(cls, r):
        return cls(r.i64(), r.var_bytes())


class Tx:
    """A transaction; serialize(witness=True) uses the BIP-144 form when any input has a witness."""

    def __init__(self, version=2, vin=None, vout=None, locktime=0):
        self.version = version
        self.vin = vin or []
        self.vout = vout or []
        self.locktime = locktime

    def has_witness(self):
        return any(i.witness for i in self.vin)

    def serialize(self, witness=True):
        body = ser_compact_size(len(self.vin)) + b"".join(i.serialize() for i in self.vin)
        body += ser_compact_size(len(self.vout)) + b"".join(o.serialize() for o in self.vout)
        if witness and self.has_witness():
            wit = b"".join(ser_compact_size(len(i.witness)) + b"".join(ser_var_bytes(x) for x in i.witness)
                           for i in self.vin)
            return struct.pack("<i", self.version) + b"\x00\x01" + body + wit + struct.pack("<I", self.locktime)
        return struct.pack("<i", self.version) + body + struct.pack("<I", self.locktime)

    def txid(self):
        """hash256 of the serialization without witness (internal order)."""
        return dsha256(self.serialize(witness=False))

    def wtxid(self):
        """hash256 of the serialization with witness (= txid when there is none)."""
        return dsha256(self.serialize(witness=True))

    def weight(self):
        return len(self.serialize(False)) * (WITNESS_SCALE_FACTOR - 1) + len(self.serialize(True))

    @classmethod
    def read(cls, r):
        version = r.i32()
        # An empty input vector followed by flag 1 marks the extended (witness) form.
        nin = r.compact_size()
        flags = 0
        vin, vout = [], []
        if nin == 0:
            flags = r.u8()  # read as the output count when it is 0: no inputs, no outputs
            if flags != 0:
                vin = [TxIn.read(r) for _ in range(_bounded(r.compact_size(), r, 41))]
                vout = [TxOut.read(r) for _ in range(_bounded(r.compact_size(), r, 9))]
        else:
            vin = [TxIn.read(r) for _ in range(_bounded(nin, r, 41))]
            vout = [TxOut.read(r) for _ in range(_bounded(r.compact_size(), r, 9))]
        if flags & 1:
            flags ^= 1
            for i in vin:
                i.witness = [r.var_bytes() for _ in range(_bounded(r.compact_size(), r, 1))]
            if not any(i.witness for i in vin):
                raise DecodeError("superfluous witness record")
        if flags:
            raise DecodeError("unknown transaction optional data")
        return cls(version, vin, vout, r.u32())

    @classmethod
    def deserialize(cls, b):
        r = Reader(b)
        tx = cls.read(r)
        r.done()
        return tx


def _bounded(n, r, min_item_size):
    """Refuse a count that cannot fit in what is left (never allocate what a peer claims)."""
    if n * min_item_size > r.remaining():
        raise DecodeError("count %d cannot fit in %d bytes" % (n, r.remaining()))
    return n


class BlockHeader:
    def __init__(self, version=0x20000000, prev=b"\x00" * 32, merkle_root=b"\x00" * 32, time=0,
                 bits=REGTEST_BITS, nonce=0):
        self.version = version
        self.prev = prev
        self.merkle_root = merkle_root
        self.time = time
        self.bits = bits
        self.nonce = nonce

    def serialize_header(self):
        return (struct.pack("<i", self.version) + self.prev + self.merkle_root +
                struct.pack("<III", self.time, self.bits, self.nonce))

    def hash(self):
        """hash256 of the 80-byte header (internal order; hash_hex() shows it reversed)."""
        return dsha256(self.serialize_header())

    def hash_hex(self):
        return hash_hex(self.hash())

    def check_pow(self):
        """The header's hash, read as a little-endian number, is at most the target from bits."""
        target = bits_to_target(self.bits)
        return target > 0 and int.from_bytes(self.hash(), "little") <= target

    def solve(self):
        """Grind the nonce until check_pow (instant at regtest's 207fffff)."""
        target = bits_to_target(self.bits)
        head = self.serialize_header()[:76]
        self.nonce = 0
        while int.from_bytes(dsha256(head + struct.pack("<I", self.nonce)), "little") > target:
            self.nonce += 1
            if self.nonce > 0xffffffff:
                raise RuntimeError("nonce space exhausted")

    @classmethod
    def read_header(cls, r):
        return cls(r.i32(), r.hash(), r.hash(), r.u32(), r.u32(), r.u32())

    @classmethod
    def from_bytes(cls, b80):
        r = Reader(b80)
        h = cls.read_header(r)
        r.done()
        return h


class Block(BlockHeader):
    def __init__(self, header=None, txs=None):
        h = header or BlockHeader()
        super().__init__(h.version, h.prev, h.merkle_root, h.time, h.bits, h.nonce)
        self.txs = txs or []

    def header(self):
        return BlockHeader.from_bytes(self.serialize_header())

    def serialize(self, witness=True):
        return (self.serialize_header() + ser_compact_size(len(self.txs)) +
                b"".join(t.serialize(witness) for t in self.txs))

    def calc_merkle_root(self):
        return merkle_root([t.txid() for t in self.txs])

    def calc_witness_merkle_root(self):
        """The witness root of BIP-141: the merkle root of the wtxids, the coinbase's taken as 0."""
        return merkle_root([b"\x00" * 32] + [t.wtxid() for t in self.txs[1:]])

    def weight(self):
        return len(self.serialize(False)) * (WITNESS_SCALE_FACTOR - 1) + len(self.serialize(True))

    @classmethod
    def read(cls, r):
        h = BlockHeader.read_header(r)
        n = r.compact_size()
        return cls(h, [Tx.read(r) for _ in range(_bounded(n, r, 10))])

    @classmethod
    def deserialize(cls, b):
        r = Reader(b)
        blk = cls.read(r)
        r.done()
        return blk


def bits_to_target(bits):
    """The compact target encoding: a mantissa of 3 bytes and a size byte. Negative or
    overflowing encodings give 0 (never satisfied)."""
    size = bits >> 24
    word = bits & 0x007fffff
    if bits & 0x00800000 and word:
        return 0
    target = word >> (8 * (3 - size)) if size <= 3 else word << (8 * (size - 3))
    return target if target < (1 << 256) else 0


def merkle_root(hashes):
    """Bitcoin's merkle tree: pairs hashed with hash256, an odd last element paired with itself."""
    if not hashes:
        return b"\x00" * 32
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [dsha256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


# ---------------------------------------------------------------------------------------------
# Block maker

def script_num(n):
    """A minimally-encoded script number (CScriptNum) push for BIP-34: OP_0, OP_1..OP_16, else a
    push of the little-endian sign-magnitude bytes."""
    if n == 0:
        return b"\x00"
    if 1 <= n <= 16:
        return bytes([0x50 + n])
    neg, v, out = n < 0, abs(n), bytearray()
    while v:
        out.append(v & 0xff)
        v >>= 8
    if out[-1] & 0x80:
        out.append(0x80 if neg else 0)
    elif neg:
        out[-1] |= 0x80
    return bytes([len(out)]) + bytes(out)


def create_coinbase(height, value=50 * 100_000_000, script_pubkey=b"\x51", extra=b"\x00"):
    """A coinbase for height: its scriptSig starts with the BIP-34 height push, then extra (so it is
    at least 2 bytes); one output paying script_pubkey (OP_TRUE by default)."""
    tin = TxIn(OutPoint(), script_num(height) + ser_var_bytes(extra) if extra else script_num(height))
    return Tx(version=2, vin=[tin], vout=[TxOut(value, script_pubkey)])


def block_subsidy(height, halving_interval=150):
    """Regtest subsidy (halving every 150 blocks)."""
    halvings = height // halving_interval
    return 0 if halvings >= 64 else (50 * 100_000_000) >> halvings


def add_witness_commitment(block, nonce=b"\x00" * 32):
    """BIP-141: the coinbase gets the witness reserved value as its witness and an output
    OP_RETURN aa21a9ed || hash256(witness root || reserved value)."""
    cb = block.txs[0]
    cb.vin[0].witness = [nonce]
    commitment = dsha256(block.calc_witness_merkle_root() + nonce)
    cb.vout.append(TxOut(0, WITNESS_COMMITMENT_HEADER + commitment))


def make_block(prev_hash, height, time, txs=(), bits=REGTEST_BITS, version=0x20000000,
               coinbase_script=b"\x51", fees=0, solve=True):
    """A block on prev_hash (internal order) at height: coinbase (+ witness commitment when a
    transaction has a witness), merkle root, and solved proof of work."""
    cb = create_coinbase(height, block_subsidy(height) + fees, coinbase_script)
    blk = Block(BlockHeader(version, prev_hash, b"\x00" * 32, time, bits, 0), [cb] + list(txs))
    if any(t.has_witness() for t in txs):
        add_witness_commitment(blk)
    blk.merkle_root = blk.calc_merkle_root()
    if solve:
        blk.solve()
    return blk


def witness_commitment(block):
    """The commitment in the coinbase (the last output carrying the tag), or None."""
    found = None
    for o in block.txs[0].vout:
        s = o.script_pubkey
        if len(s) >= 38 and s[:6] == WITNESS_COMMITMENT_HEADER:
            found = s[6:38]
    return found


def check_witness_commitment(block):
    """True when a block whose transactions have witnesses commits to them correctly."""
    c = witness_commitment(block)
    if c is None:
        return not any(t.has_witness() for t in block.txs)
    wit = block.txs[0].vin[0].witness
    if len(wit) != 1 or len(wit[0]) != 32:
        return False
    return dsha256(block.calc_witness_merkle_root() + wit[0]) == c


def p2wsh_script(witness_script):
    """OP_0 <sha256(witness_script)>."""
    return b"\x00\x20" + sha256(witness_script)
