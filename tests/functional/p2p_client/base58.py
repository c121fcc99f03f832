"""Base58Check, written here from its definition (double-SHA256 checksum), for the tests' keys."""
import hashlib

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _checksum(data):
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()[:4]


def b58check_encode(payload):
    data = payload + _checksum(payload)
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


def b58check_decode(s):
    n = 0
    for c in s:
        n = n * 58 + B58.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    raw = b"\x00" * (len(s) - len(s.lstrip("1"))) + raw
    data, check = raw[:-4], raw[-4:]
    assert _checksum(data) == check, "bad Base58Check checksum"
    return data
