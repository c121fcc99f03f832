"""Wire primitives of the Bitcoin P2P protocol, written from the protocol documentation.

Nothing here comes from minicash's C++ code: the point of this client is that a wire bug in the
node cannot cancel itself out in the tests. Python 3 standard library only.
"""

import hashlib
import struct

# Network magic (the first 4 bytes of every v1 frame), as bytes on the wire.
MAGIC = {
    "main": bytes.fromhex("f9beb4d9"),
    "test": bytes.fromhex("0b110907"),      # testnet3
    "testnet4": bytes.fromhex("1c163f28"),
    "regtest": bytes.fromhex("fabfb5da"),
    "signet": bytes.fromhex("0a03cf40"),    # the default signet (see signet_magic)
}

HEADER_SIZE = 24
MAX_PROTOCOL_MESSAGE_LENGTH = 4_000_000   # Core refuses (and disconnects on) a larger length
MAX_SIZE = 0x02000000                     # Core's limit on any CompactSize used as a length


class DecodeError(Exception):
    """Bytes that do not decode as the message they claim to be."""


def sha256(b):
    return hashlib.sha256(b).digest()


def dsha256(b):
    """Double SHA-256 (hash256)."""
    return sha256(sha256(b))


def checksum(payload):
    """The frame checksum: the first 4 bytes of hash256(payload)."""
    return dsha256(payload)[:4]


def hash_hex(h):
    """A 32-byte hash as Bitcoin shows it: byte-reversed hex."""
    return h[::-1].hex()


def hex_hash(s):
    """The inverse of hash_hex: displayed hex -> 32 bytes in internal order."""
    b = bytes.fromhex(s)
    if len(b) != 32:
        raise ValueError("not a 32-byte hash: %r" % s)
    return b[::-1]


# ---------------------------------------------------------------------------------------------
# CompactSize and fixed-width integers

def ser_compact_size(n):
    if n < 0:
        raise ValueError("negative CompactSize")
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xffffffff:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def ser_var_bytes(b):
    return ser_compact_size(len(b)) + bytes(b)


def ser_var_str(s):
    return ser_var_bytes(s.encode("utf-8") if isinstance(s, str) else s)


def ser_vector(items):
    """CompactSize count followed by each item's serialize()."""
    return ser_compact_size(len(items)) + b"".join(i.serialize() for i in items)


class Reader:
    """Reads fields off a byte string; every short read is a DecodeError."""

    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def read(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise DecodeError("end of data: need %d bytes at offset %d of %d" % (n, self.pos, len(self.data)))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def remaining(self):
        return len(self.data) - self.pos

    def _unpack(self, fmt, n):
        return struct.unpack(fmt, self.read(n))[0]

    def u8(self):
        return self._unpack("<B", 1)

    def u16(self):
        return self._unpack("<H", 2)

    def u16be(self):
        return self._unpack(">H", 2)

    def u32(self):
        return self._unpack("<I", 4)

    def i32(self):
        return self._unpack("<i", 4)

    def u64(self):
        return self._unpack("<Q", 8)

    def i64(self):
        return self._unpack("<q", 8)

    def bool(self):
        return self.u8() != 0

    def hash(self):
        return self.read(32)

    def compact_size(self, range_check=True):
        """CompactSize, refusing non-canonical encodings (as Core does) and, with range_check,
        values above MAX_SIZE."""
        first = self.u8()
        if first < 0xfd:
            n = first
        elif first == 0xfd:
            n = self.u16()
            if n < 0xfd:
                raise DecodeError("non-canonical CompactSize")
        elif first == 0xfe:
            n = self.u32()
            if n < 0x10000:
                raise DecodeError("non-canonical CompactSize")
        else:
            n = self.u64()
            if n < 0x100000000:
                raise DecodeError("non-canonical CompactSize")
        if range_check and n > MAX_SIZE:
            raise DecodeError("CompactSize too large: %d" % n)
        return n

    def var_bytes(self, limit=MAX_SIZE):
        n = self.compact_size()
        if n > limit:
            raise DecodeError("length %d above %d" % (n, limit))
        return self.read(n)

    def var_str(self, limit=MAX_SIZE):
        return self.var_bytes(limit).decode("utf-8", errors="replace")

    def count(self, limit):
        """A CompactSize element count, refused above limit before anything is allocated."""
        n = self.compact_size()
        if n > limit:
            raise DecodeError("count %d above %d" % (n, limit))
        return n

    def done(self):
        """Raise unless everything was read (a message with trailing bytes is malformed here)."""
        if self.pos != len(self.data):
            raise DecodeError("%d trailing bytes" % (len(self.data) - self.pos))


# ---------------------------------------------------------------------------------------------
# The v1 frame: magic (4) | command (12, NUL padded) | length (LE32) | checksum (4) | payload

def ser_header(magic, command, payload_len, csum):
    cmd = command.encode("ascii") if isinstance(command, str) else command
    if len(cmd) > 12:
        raise ValueError("command longer than 12 bytes")
    return magic + cmd.ljust(12, b"\x00") + struct.pack("<I", payload_len) + csum


def ser_frame(magic, command, payload):
    """A whole v1 frame: header + payload."""
    return ser_header(magic, command, len(payload), checksum(payload)) + payload


class FrameHeader:
    """A decoded 24-byte header; command_ok is False for a command that is not printable ASCII
    followed only by NULs (Core drops such a message)."""

    def __init__(self, magic, command_raw, length, csum):
        self.magic = magic
        self.command_raw = command_raw
        self.length = length
        self.checksum = csum
        name = command_raw.rstrip(b"\x00")
        self.command_ok = (b"\x00" not in name) and all(0x20 <= c < 0x7f for c in name)
        self.command = name.decode("ascii", errors="replace")


def parse_header(b):
    if len(b) != HEADER_SIZE:
        raise DecodeError("header is %d bytes" % len(b))
    return FrameHeader(b[0:4], b[4:16], struct.unpack("<I", b[16:20])[0], b[20:24])


def signet_magic(challenge):
    """The magic of a signet with this challenge script: the first 4 bytes of
    hash256(CompactSize(len) || challenge)."""
    return dsha256(ser_var_bytes(challenge))[:4]


# ---------------------------------------------------------------------------------------------
# SipHash-2-4 (BIP-152 short ids), from the SipHash paper

_M64 = 0xffffffffffffffff


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & _M64


def _sipround(v0, v1, v2, v3):
    v0 = (v0 + v1) & _M64
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & _M64
    v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & _M64
    v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & _M64
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def siphash24(k0, k1, data):
    """SipHash-2-4 of data with the 128-bit key (k0, k1), two 64-bit integers (k0 is the
    little-endian reading of the key's first 8 bytes)."""
    v0 = k0 ^ 0x736f6d6570736575
    v1 = k1 ^ 0x646f72616e646f6d
    v2 = k0 ^ 0x6c7967656e657261
    v3 = k1 ^ 0x7465646279746573
    n = len(data)
    tail = n - n % 8
    for i in range(0, tail, 8):
        m = struct.unpack_from("<Q", data, i)[0]
        v3 ^= m
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0 ^= m
    last = (n & 0xff) << 56
    for j, c in enumerate(data[tail:]):
        last |= c << (8 * j)
    v3 ^= last
    v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    v0 ^= last
    v2 ^= 0xff
    for _ in range(4):
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3
