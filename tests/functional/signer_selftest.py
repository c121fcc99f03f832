"""The test signer (p2p_client.key / p2p_client.script) against published vectors, no node needed:
BIP-340 sign/verify, Core's legacy sighash.json, BIP-341's wallet vectors (scriptPubKeys and
control blocks from script trees; key path spending: tweaked keys, sighashes, signatures), and an
ECDSA round trip (RFC 6979 determinism, low S, strict DER, tampered signatures refused)."""

import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import Tx, TxOut  # noqa: E402
from p2p_client.key import (G, N, Key, der_decode, ecdsa_sign, ecdsa_verify, point_mul,  # noqa: E402
                            schnorr_sign, schnorr_verify, taproot_tweak_pubkey, taproot_tweak_seckey)
from p2p_client.script import (control_block, p2tr_script, sighash_legacy, sighash_taproot,  # noqa: E402
                               taptree)
from test_framework import assert_equal, check, load_vector_file  # noqa: E402


def check_bip340(env):
    path = load_vector_file(env, "bips/bip340-test-vectors.csv")
    bad, n = [], 0
    with open(path) as f:
        for row in csv.DictReader(f):
            n += 1
            pub, msg, sig = (bytes.fromhex(row[k]) for k in ("public key", "message", "signature"))
            expect = row["verification result"] == "TRUE"
            if row["secret key"]:
                sk = int(row["secret key"], 16)
                assert_pub = point_mul(G, sk)[0].to_bytes(32, "big")
                got = schnorr_sign(sk, msg, bytes.fromhex(row["aux_rand"]))
                if got != sig or assert_pub != pub:
                    bad.append(("sign", row["index"]))
            if schnorr_verify(pub, msg, sig) != expect:
                bad.append(("verify", row["index"]))
    check(not bad and n >= 15, "BIP-340: %d vectors signed/verified as published (bad: %s)" % (n, bad))


def check_legacy_sighash(env):
    path = load_vector_file(env, "bitcoin-core/sighash.json")
    with open(path) as f:
        cases = [c for c in json.load(f) if len(c) == 5]
    bad = []
    for raw, script, index, hash_type, expected in cases:
        tx = Tx.deserialize(bytes.fromhex(raw))
        got = sighash_legacy(tx, index, bytes.fromhex(script), hash_type)
        if got[::-1].hex() != expected:
            bad.append(expected)
    check(not bad and len(cases) >= 500,
          "legacy sighash: %d cases of Core's sighash.json (mismatches: %d)" % (len(cases), len(bad)))


def _tree(node):
    if node is None:
        return None
    if isinstance(node, dict):
        return (bytes.fromhex(node["script"]), node["leafVersion"])
    return [_tree(node[0]), _tree(node[1])]


def check_bip341(env):
    path = load_vector_file(env, "bips/bip341-wallet-test-vectors.json")
    with open(path) as f:
        vec = json.load(f)
    bad = []
    for i, case in enumerate(vec["scriptPubKey"]):
        internal = bytes.fromhex(case["given"]["internalPubkey"])
        tree = _tree(case["given"]["scriptTree"])
        root, leaves = taptree(tree) if tree is not None else (b"", [])
        out_x, parity = taproot_tweak_pubkey(internal, root)
        if root and root.hex() != case["intermediary"]["merkleRoot"]:
            bad.append((i, "root"))
        if p2tr_script(out_x).hex() != case["expected"]["scriptPubKey"]:
            bad.append((i, "spk"))
        cbs = [control_block(internal, parity, v, p).hex() for _, v, p in leaves]
        if cbs != case["expected"].get("scriptPathControlBlocks", []):
            bad.append((i, "control blocks"))
    check(not bad, "BIP-341 scriptPubKey: %d trees give the published output keys and control blocks "
          "(bad: %s)" % (len(vec["scriptPubKey"]), bad))

    n = 0
    for case in vec["keyPathSpending"]:
        tx = Tx.deserialize(bytes.fromhex(case["given"]["rawUnsignedTx"]))
        spent = [TxOut(u["amountSats"], bytes.fromhex(u["scriptPubKey"])) for u in case["given"]["utxosSpent"]]
        for inp in case["inputSpending"]:
            n += 1
            g, im = inp["given"], inp["intermediary"]
            sk = int(g["internalPrivkey"], 16)
            root = bytes.fromhex(g["merkleRoot"]) if g["merkleRoot"] else b""
            tweaked = taproot_tweak_seckey(sk, root)
            if tweaked.to_bytes(32, "big").hex() != im["tweakedPrivkey"]:
                bad.append((n, "tweaked key"))
            h = sighash_taproot(tx, g["txinIndex"], spent, g["hashType"])
            if h.hex() != im["sigHash"]:
                bad.append((n, "sighash"))
            sig = schnorr_sign(tweaked, h, b"\x00" * 32)
            if g["hashType"]:
                sig += bytes([g["hashType"]])
            if [sig.hex()] != inp["expected"]["witness"]:
                bad.append((n, "witness"))
    check(not bad and n >= 7, "BIP-341 key path spending: %d inputs' tweaked keys, sighashes and "
          "signatures as published (bad: %s)" % (n, bad))


def check_ecdsa():
    key = Key(0xC0FFEE)
    h = bytes(range(32))
    sig = key.sign_ecdsa(h)
    assert_equal(sig, ecdsa_sign(0xC0FFEE, h), "ECDSA signatures are deterministic (RFC 6979)")
    r, s = der_decode(sig)
    check(s <= N // 2, "ECDSA signature has a low S")
    lens = {len(Key(1000 + i).sign_ecdsa(bytes([i]) * 32)) for i in range(8)}
    check(lens <= {70, 71} and all(der_decode(Key(2000 + i).sign_ecdsa(h))[0] < 2**255 for i in range(4)),
          "ECDSA with low-R grinding: r < 2^255, DER signatures of at most 70 bytes (%s)" % sorted(lens))
    check(ecdsa_verify(key.pubkey, h, sig), "ECDSA signature verifies with its public key")
    check(not ecdsa_verify(key.pubkey, bytes(31) + b"\x01", sig), "ECDSA signature refused for another hash")
    check(not ecdsa_verify(Key(7).pubkey, h, sig), "ECDSA signature refused for another key")
    # RFC 6979 A.2.5's secp256k1 analogue is not published there; a well-known vector instead: the
    # secret 1 signing sha256("Satoshi Nakamoto") gives this signature with RFC 6979 nonces.
    import hashlib
    v = ecdsa_sign(1, hashlib.sha256(b"Satoshi Nakamoto").digest(), grind_r=False)
    assert_equal(v.hex(), "3045022100934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
                 "02202442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5",
                 "ECDSA: the secret 1 signing sha256('Satoshi Nakamoto') (RFC 6979 nonce, low S)")


def run(env):
    check_ecdsa()
    check_bip340(env)
    check_legacy_sighash(env)
    check_bip341(env)
