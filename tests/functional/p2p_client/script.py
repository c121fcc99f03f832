"""Scripts and signature hashes for the test signer: opcodes, minimal pushes, the standard output
scripts, taproot trees (BIP-341 leaf/branch hashes, control blocks), and the three signature hash
algorithms: legacy (with SIGHASH_NONE/SINGLE/ANYONECANPAY), BIP-143 (segwit v0), BIP-341 (taproot,
key and script path, no annex)."""

import hashlib
import struct

from .key import tagged_hash
from .primitives import p2wsh_script  # noqa: F401 (re-exported: one of the standard scripts)
from .serialize import dsha256, ser_compact_size, ser_var_bytes, sha256

OP_0, OP_PUSHDATA1, OP_PUSHDATA2, OP_PUSHDATA4, OP_1NEGATE = 0x00, 0x4c, 0x4d, 0x4e, 0x4f
OP_1, OP_16 = 0x51, 0x60
OP_RETURN, OP_DUP, OP_EQUAL, OP_EQUALVERIFY = 0x6a, 0x76, 0x87, 0x88
OP_HASH160, OP_CHECKSIG, OP_CHECKSIGVERIFY, OP_CHECKMULTISIG = 0xa9, 0xac, 0xad, 0xae
OP_CHECKSIGADD, OP_NUMEQUAL, OP_DROP, OP_TRUE = 0xba, 0x9c, 0x75, 0x51
OP_CODESEPARATOR = 0xab

SIGHASH_DEFAULT, SIGHASH_ALL, SIGHASH_NONE, SIGHASH_SINGLE = 0, 1, 2, 3
SIGHASH_ANYONECANPAY = 0x80
TAPROOT_LEAF_TAPSCRIPT = 0xc0


def hash160(b):
    return hashlib.new("ripemd160", hashlib.sha256(b).digest()).digest()


def push_data(d):
    """The minimal push of d (BIP-62 rule 3 / MINIMALDATA): OP_0, OP_1..16, OP_1NEGATE, direct
    push, PUSHDATA1/2/4."""
    n = len(d)
    if n == 0:
        return bytes([OP_0])
    if n == 1 and 1 <= d[0] <= 16:
        return bytes([OP_1 - 1 + d[0]])
    if n == 1 and d[0] == 0x81:
        return bytes([OP_1NEGATE])
    if n < OP_PUSHDATA1:
        return bytes([n]) + d
    if n <= 0xff:
        return bytes([OP_PUSHDATA1, n]) + d
    if n <= 0xffff:
        return bytes([OP_PUSHDATA2]) + struct.pack("<H", n) + d
    return bytes([OP_PUSHDATA4]) + struct.pack("<I", n) + d


def small_int(n):
    """OP_0 or OP_1..OP_16."""
    assert 0 <= n <= 16
    return bytes([OP_0 if n == 0 else OP_1 - 1 + n])


def build_script(*items):
    """Items: int = an opcode, bytes = data pushed minimally."""
    return b"".join(bytes([i]) if isinstance(i, int) else push_data(i) for i in items)


# Standard output scripts ----------------------------------------------------------------------

def p2pk_script(pubkey):
    return build_script(pubkey, OP_CHECKSIG)


def p2pkh_script(pubkey):
    return bytes([OP_DUP, OP_HASH160, 20]) + hash160(pubkey) + bytes([OP_EQUALVERIFY, OP_CHECKSIG])


def p2sh_script(redeem_script):
    return bytes([OP_HASH160, 20]) + hash160(redeem_script) + bytes([OP_EQUAL])


def multisig_script(m, pubkeys):
    return small_int(m) + b"".join(push_data(k) for k in pubkeys) + small_int(len(pubkeys)) + \
        bytes([OP_CHECKMULTISIG])


def p2wpkh_script(pubkey):
    return b"\x00\x14" + hash160(pubkey)


def p2tr_script(output_xonly):
    return b"\x51\x20" + output_xonly


def null_data_script(data):
    return bytes([OP_RETURN]) + push_data(data)


P2A_SCRIPT = bytes.fromhex("51024e73")  # pay-to-anchor: OP_1 <0x4e73>


# Taproot trees --------------------------------------------------------------------------------

def tap_leaf_hash(script, leaf_version=TAPROOT_LEAF_TAPSCRIPT):
    return tagged_hash("TapLeaf", bytes([leaf_version]) + ser_var_bytes(script))


def tap_branch_hash(a, b):
    return tagged_hash("TapBranch", min(a, b) + max(a, b))


def taptree(tree):
    """tree: a leaf (script bytes, or (script, leaf_version)) or a pair [left, right] of trees.
    Returns (merkle root, [(script, leaf_version, merkle path bytes)...])."""
    if isinstance(tree, (bytes, bytearray)):
        tree = (bytes(tree), TAPROOT_LEAF_TAPSCRIPT)
    if isinstance(tree, tuple):
        return tap_leaf_hash(tree[0], tree[1]), [(tree[0], tree[1], b"")]
    lh, ll = taptree(tree[0])
    rh, rl = taptree(tree[1])
    leaves = [(s, v, p + rh) for s, v, p in ll] + [(s, v, p + lh) for s, v, p in rl]
    return tap_branch_hash(lh, rh), leaves


def control_block(internal_xonly, parity, leaf_version, path):
    """BIP-341: (leaf version | output key parity) || internal key || merkle path."""
    return bytes([leaf_version | parity]) + internal_xonly + path


# Signature hashes -----------------------------------------------------------------------------

def strip_codeseparators(script):
    """The script with every OP_CODESEPARATOR removed, as the legacy algorithm signs it; bytes after
    a truncated push are kept unchanged."""
    out, i = bytearray(), 0
    while i < len(script):
        op, start = script[i], i
        i += 1
        if op < OP_PUSHDATA1:
            n = op
        elif op in (OP_PUSHDATA1, OP_PUSHDATA2, OP_PUSHDATA4):
            w = {OP_PUSHDATA1: 1, OP_PUSHDATA2: 2, OP_PUSHDATA4: 4}[op]
            if i + w > len(script):
                return bytes(out + script[start:])
            n = int.from_bytes(script[i:i + w], "little")
            i += w
        else:
            n = 0
        if i + n > len(script):
            return bytes(out + script[start:])
        i += n
        if op != OP_CODESEPARATOR:
            out += script[start:i]
    return bytes(out)


def sighash_legacy(tx, index, script_code, hash_type):
    """The original algorithm: OP_CODESEPARATORs are removed from the script code (FindAndDelete of
    the signature is not done: standard scripts never contain it). Keeps its quirk: SIGHASH_SINGLE
    without a matching output signs the number one."""
    script_code = strip_codeseparators(script_code)
    if index >= len(tx.vin):
        return (1).to_bytes(32, "little")
    base = hash_type & 0x1f
    if base == SIGHASH_SINGLE and index >= len(tx.vout):
        return (1).to_bytes(32, "little")
    anyone = hash_type & SIGHASH_ANYONECANPAY
    ins = [index] if anyone else range(len(tx.vin))
    out = struct.pack("<i", tx.version) + ser_compact_size(len(ins))
    for i in ins:
        txin = tx.vin[i]
        seq = txin.sequence
        if i != index and base in (SIGHASH_NONE, SIGHASH_SINGLE):
            seq = 0
        out += txin.prevout.serialize() + ser_var_bytes(script_code if i == index else b"") + \
            struct.pack("<I", seq)
    if base == SIGHASH_NONE:
        out += ser_compact_size(0)
    elif base == SIGHASH_SINGLE:
        out += ser_compact_size(index + 1)
        out += b"".join(struct.pack("<q", -1) + ser_var_bytes(b"") for _ in range(index))
        out += tx.vout[index].serialize()
    else:
        out += ser_compact_size(len(tx.vout)) + b"".join(o.serialize() for o in tx.vout)
    out += struct.pack("<I", tx.locktime) + struct.pack("<i", hash_type)
    return dsha256(out)


def sighash_segwit_v0(tx, index, script_code, amount, hash_type):
    """BIP-143."""
    base = hash_type & 0x1f
    anyone = hash_type & SIGHASH_ANYONECANPAY
    zero = b"\x00" * 32
    prevouts = zero if anyone else dsha256(b"".join(i.prevout.serialize() for i in tx.vin))
    seqs = zero if anyone or base in (SIGHASH_NONE, SIGHASH_SINGLE) else \
        dsha256(b"".join(struct.pack("<I", i.sequence) for i in tx.vin))
    if base not in (SIGHASH_NONE, SIGHASH_SINGLE):
        outs = dsha256(b"".join(o.serialize() for o in tx.vout))
    elif base == SIGHASH_SINGLE and index < len(tx.vout):
        outs = dsha256(tx.vout[index].serialize())
    else:
        outs = zero
    txin = tx.vin[index]
    msg = struct.pack("<i", tx.version) + prevouts + seqs + txin.prevout.serialize() + \
        ser_var_bytes(script_code) + struct.pack("<q", amount) + struct.pack("<I", txin.sequence) + \
        outs + struct.pack("<I", tx.locktime) + struct.pack("<I", hash_type)
    return dsha256(msg)


def p2wpkh_script_code(pubkey):
    """BIP-143: the script code of a P2WPKH input is the P2PKH script of the key."""
    return p2pkh_script(pubkey)


def sighash_taproot(tx, index, spent_outputs, hash_type=SIGHASH_DEFAULT, leaf_hash=None,
                    codesep_pos=0xffffffff):
    """BIP-341 SigMsg hashed with TapSighash (BIP-342 extension when leaf_hash is given).
    spent_outputs: a TxOut per input (amount and scriptPubKey). No annex."""
    if hash_type not in (0, 1, 2, 3, 0x81, 0x82, 0x83):
        raise ValueError("bad taproot hash type")
    base = hash_type & 3
    anyone = hash_type & SIGHASH_ANYONECANPAY
    msg = bytes([0, hash_type]) + struct.pack("<i", tx.version) + struct.pack("<I", tx.locktime)
    if not anyone:
        msg += sha256(b"".join(i.prevout.serialize() for i in tx.vin))
        msg += sha256(b"".join(struct.pack("<q", o.value) for o in spent_outputs))
        msg += sha256(b"".join(ser_var_bytes(o.script_pubkey) for o in spent_outputs))
        msg += sha256(b"".join(struct.pack("<I", i.sequence) for i in tx.vin))
    if base not in (SIGHASH_NONE, SIGHASH_SINGLE):
        msg += sha256(b"".join(o.serialize() for o in tx.vout))
    ext_flag = 1 if leaf_hash is not None else 0
    msg += bytes([ext_flag * 2])  # spend_type: ext_flag * 2 + annex_present (0)
    if anyone:
        txin = tx.vin[index]
        msg += txin.prevout.serialize() + spent_outputs[index].serialize() + struct.pack("<I", txin.sequence)
    else:
        msg += struct.pack("<I", index)
    if base == SIGHASH_SINGLE:
        if index >= len(tx.vout):
            raise ValueError("SIGHASH_SINGLE without a matching output")
        msg += sha256(tx.vout[index].serialize())
    if ext_flag:
        msg += leaf_hash + b"\x00" + struct.pack("<I", codesep_pos)
    return tagged_hash("TapSighash", msg)

