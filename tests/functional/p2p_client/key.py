"""secp256k1 in pure Python for the test signer: group arithmetic in Jacobian coordinates, ECDSA
(RFC 6979 nonces, low-S as BIP-62/BIP-146 require for standardness, strict DER per BIP-66), BIP-340
Schnorr signatures, x-only keys and the BIP-341 taproot key tweak.

Written for tests, not for secrets: nothing here is constant time."""

import hashlib
import hmac

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def tagged_hash(tag, msg):
    """BIP-340: sha256(sha256(tag) || sha256(tag) || msg)."""
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + msg).digest()


# Points: affine (x, y) or None for infinity; Jacobian (X, Y, Z) internally, Z == 0 for infinity.

def _to_jac(p):
    return (0, 1, 0) if p is None else (p[0], p[1], 1)


def _from_jac(j):
    X, Y, Z = j
    if Z == 0:
        return None
    zi = pow(Z, P - 2, P)
    zi2 = zi * zi % P
    return (X * zi2 % P, Y * zi2 * zi % P)


def _jdouble(j):
    X, Y, Z = j
    if Z == 0 or Y == 0:
        return (0, 1, 0)
    YY = Y * Y % P
    S = 4 * X * YY % P
    M = 3 * X * X % P  # a = 0
    X3 = (M * M - 2 * S) % P
    Y3 = (M * (S - X3) - 8 * YY * YY) % P
    return (X3, Y3, 2 * Y * Z % P)


def _jadd(a, b):
    X1, Y1, Z1 = a
    X2, Y2, Z2 = b
    if Z1 == 0:
        return b
    if Z2 == 0:
        return a
    Z1Z1, Z2Z2 = Z1 * Z1 % P, Z2 * Z2 % P
    U1, U2 = X1 * Z2Z2 % P, X2 * Z1Z1 % P
    S1, S2 = Y1 * Z2 * Z2Z2 % P, Y2 * Z1 * Z1Z1 % P
    if U1 == U2:
        return _jdouble(a) if S1 == S2 else (0, 1, 0)
    H = (U2 - U1) % P
    R = (S2 - S1) % P
    HH = H * H % P
    HHH = H * HH % P
    V = U1 * HH % P
    X3 = (R * R - HHH - 2 * V) % P
    Y3 = (R * (V - X3) - S1 * HHH) % P
    return (X3, Y3, Z1 * Z2 * H % P)


def point_add(p, q):
    return _from_jac(_jadd(_to_jac(p), _to_jac(q)))


def point_mul(p, k):
    """k * p by double-and-add in Jacobian coordinates."""
    k %= N
    acc, base = (0, 1, 0), _to_jac(p)
    while k:
        if k & 1:
            acc = _jadd(acc, base)
        base = _jdouble(base)
        k >>= 1
    return _from_jac(acc)


def point_neg(p):
    return None if p is None else (p[0], P - p[1])


def lift_x(x):
    """BIP-340: the point with x and an even y, or None."""
    if x >= P:
        return None
    c = (pow(x, 3, P) + 7) % P
    y = pow(c, (P + 1) // 4, P)
    if y * y % P != c:
        return None
    return (x, y if y % 2 == 0 else P - y)


def serialize_point(p, compressed=True):
    if compressed:
        return bytes([2 + (p[1] & 1)]) + p[0].to_bytes(32, "big")
    return b"\x04" + p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big")


def parse_point(b):
    """A compressed (33) or uncompressed (65) SEC1 public key; ValueError when invalid."""
    if len(b) == 33 and b[0] in (2, 3):
        p = lift_x(int.from_bytes(b[1:], "big"))
        if p is None:
            raise ValueError("not on the curve")
        return p if (p[1] & 1) == (b[0] & 1) else point_neg(p)
    if len(b) == 65 and b[0] == 4:
        x, y = int.from_bytes(b[1:33], "big"), int.from_bytes(b[33:], "big")
        if x >= P or y >= P or (y * y - x * x * x - 7) % P:
            raise ValueError("not on the curve")
        return (x, y)
    raise ValueError("bad public key encoding")


# ---------------------------------------------------------------------------------------------
# ECDSA

def _rfc6979_nonce(secret, h32, extra=b""):
    """RFC 6979 section 3.2 with HMAC-SHA256; qlen = hlen = 256 so bits2octets is a reduction."""
    x = secret.to_bytes(32, "big")
    h = (int.from_bytes(h32, "big") % N).to_bytes(32, "big")
    V, K = b"\x01" * 32, b"\x00" * 32
    K = hmac.new(K, V + b"\x00" + x + h + extra, hashlib.sha256).digest()
    V = hmac.new(K, V, hashlib.sha256).digest()
    K = hmac.new(K, V + b"\x01" + x + h + extra, hashlib.sha256).digest()
    V = hmac.new(K, V, hashlib.sha256).digest()
    while True:
        V = hmac.new(K, V, hashlib.sha256).digest()
        k = int.from_bytes(V, "big")
        if 1 <= k < N:
            return k
        K = hmac.new(K, V + b"\x00", hashlib.sha256).digest()
        V = hmac.new(K, V, hashlib.sha256).digest()


def der_encode(r, s):
    """Strict DER (BIP-66): SEQUENCE of two minimal positive INTEGERs."""
    def integer(v):
        b = v.to_bytes((v.bit_length() + 7) // 8 or 1, "big")
        if b[0] & 0x80:
            b = b"\x00" + b
        return b"\x02" + bytes([len(b)]) + b
    body = integer(r) + integer(s)
    return b"\x30" + bytes([len(body)]) + body


def der_decode(sig):
    """(r, s) from a strict DER signature (no hash type byte); ValueError otherwise."""
    if len(sig) < 8 or len(sig) > 72 or sig[0] != 0x30 or sig[1] != len(sig) - 2:
        raise ValueError("bad DER")
    out, i = [], 2
    for _ in range(2):
        if i + 2 > len(sig) or sig[i] != 2:
            raise ValueError("bad DER integer")
        n = sig[i + 1]
        v = sig[i + 2:i + 2 + n]
        if n == 0 or len(v) != n or v[0] & 0x80 or (n > 1 and v[0] == 0 and not v[1] & 0x80):
            raise ValueError("bad DER integer")
        out.append(int.from_bytes(v, "big"))
        i += 2 + n
    if i != len(sig):
        raise ValueError("trailing bytes")
    return out[0], out[1]


def ecdsa_sign(secret, h32, low_s=True, grind_r=True):
    """DER signature of the 32-byte hash h32 with a deterministic (RFC 6979) nonce; s <= N/2.
    grind_r: as Core's signer, retry with extra entropy (a little-endian counter given to RFC 6979
    as additional data) until r < 2^255, so the signature is 71 bytes or less with its hash type
    (stable transaction sizes: exact fee rates)."""
    z = int.from_bytes(h32, "big") % N
    counter = 0
    while True:
        extra = counter.to_bytes(32, "little") if counter else b""
        counter += 1
        k = _rfc6979_nonce(secret, h32, extra)
        r = point_mul(G, k)[0] % N
        s = pow(k, N - 2, N) * (z + r * secret) % N
        if r == 0 or s == 0 or (grind_r and r >= 2**255):
            continue
        break
    if low_s and s > N // 2:
        s = N - s
    return der_encode(r, s)


def ecdsa_verify(pubkey, h32, der_sig):
    """True when der_sig (no hash type) is a valid signature of h32 by pubkey (point or bytes)."""
    try:
        pub = parse_point(pubkey) if isinstance(pubkey, (bytes, bytearray)) else pubkey
        r, s = der_decode(der_sig)
    except ValueError:
        return False
    if not (1 <= r < N and 1 <= s < N):
        return False
    z = int.from_bytes(h32, "big") % N
    w = pow(s, N - 2, N)
    R = _from_jac(_jadd(_to_jac(point_mul(G, z * w)), _to_jac(point_mul(pub, r * w))))
    return R is not None and R[0] % N == r


# ---------------------------------------------------------------------------------------------
# BIP-340 Schnorr

def schnorr_sign(secret, msg, aux=b"\x00" * 32):
    """64-byte BIP-340 signature of msg (any length is accepted; taproot uses 32 bytes)."""
    if not 1 <= secret < N:
        raise ValueError("bad secret key")
    Pp = point_mul(G, secret)
    d = secret if Pp[1] % 2 == 0 else N - secret
    t = d ^ int.from_bytes(tagged_hash("BIP0340/aux", aux), "big")
    px = Pp[0].to_bytes(32, "big")
    k0 = int.from_bytes(tagged_hash("BIP0340/nonce", t.to_bytes(32, "big") + px + msg), "big") % N
    if k0 == 0:
        raise ValueError("nonce is zero")
    R = point_mul(G, k0)
    k = k0 if R[1] % 2 == 0 else N - k0
    rx = R[0].to_bytes(32, "big")
    e = int.from_bytes(tagged_hash("BIP0340/challenge", rx + px + msg), "big") % N
    sig = rx + ((k + e * d) % N).to_bytes(32, "big")
    if not schnorr_verify(px, msg, sig):
        raise RuntimeError("schnorr self-check failed")
    return sig


def schnorr_verify(pub_x, msg, sig):
    """BIP-340 verification with a 32-byte x-only public key."""
    if len(pub_x) != 32 or len(sig) != 64:
        return False
    Pp = lift_x(int.from_bytes(pub_x, "big"))
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    if Pp is None or r >= P or s >= N:
        return False
    e = int.from_bytes(tagged_hash("BIP0340/challenge", sig[:32] + pub_x + msg), "big") % N
    R = _from_jac(_jadd(_to_jac(point_mul(G, s)), _to_jac(point_mul(point_neg(Pp), e))))
    return R is not None and R[1] % 2 == 0 and R[0] == r


# ---------------------------------------------------------------------------------------------
# BIP-341 tweak

def taproot_tweak_pubkey(internal_x, merkle_root=b""):
    """(output key x-only bytes, parity of its y) for internal key x and a script tree root
    (b"" or None: no scripts; the tweak then commits to the key alone, BIP-341/BIP-86)."""
    t = int.from_bytes(tagged_hash("TapTweak", internal_x + (merkle_root or b"")), "big")
    if t >= N:
        raise ValueError("tweak out of range")
    Q = point_add(lift_x(int.from_bytes(internal_x, "big")), point_mul(G, t))
    return Q[0].to_bytes(32, "big"), Q[1] & 1


def taproot_tweak_seckey(secret, merkle_root=b""):
    """The secret key of the tweaked output key (negated first when the internal key's y is odd)."""
    Pp = point_mul(G, secret)
    d = secret if Pp[1] % 2 == 0 else N - secret
    t = int.from_bytes(tagged_hash("TapTweak", Pp[0].to_bytes(32, "big") + (merkle_root or b"")), "big")
    return (d + t) % N


class Key:
    """A private key with its compressed public key and x-only key."""

    def __init__(self, secret):
        if isinstance(secret, (bytes, bytearray)):
            secret = int.from_bytes(secret, "big")
        if not 1 <= secret < N:
            raise ValueError("bad secret key")
        self.secret = secret
        self.point = point_mul(G, secret)
        self.pubkey = serialize_point(self.point)
        self.xonly = self.point[0].to_bytes(32, "big")

    @classmethod
    def from_seed(cls, seed):
        return cls(int.from_bytes(hashlib.sha256(b"minicash-test-key" + seed).digest(), "big") % (N - 1) + 1)

    def sign_ecdsa(self, h32, grind_r=True):
        return ecdsa_sign(self.secret, h32, grind_r=grind_r)

    def sign_schnorr(self, msg, aux=b"\x00" * 32):
        return schnorr_sign(self.secret, msg, aux)
