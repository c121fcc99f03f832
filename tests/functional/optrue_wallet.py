"""A signature-free test wallet (the idea of Core's MiniWallet in its OP_TRUE mode, written
independently): every coin pays to P2WSH(OP_TRUE), spent with the witness [OP_TRUE]; no key, no
signature, so the tests can make hundreds of standard transactions quickly. Transactions are
built and serialized here in Python (p2p_client.primitives), never by minicash.
"""

import math

from p2p_client.primitives import OutPoint, Tx, TxIn, TxOut
from p2p_client.serialize import sha256

WITNESS_SCRIPT = b"\x51"  # OP_TRUE
SPK = b"\x00\x20" + sha256(WITNESS_SCRIPT)
DESCRIPTOR = "raw(%s)" % SPK.hex()
COIN = 100_000_000
SEQUENCE_RBF = 0xFFFFFFFD


class Utxo:
    def __init__(self, txid, n, value, height=None, coinbase=False):
        self.txid, self.n, self.value, self.height, self.coinbase = txid, n, value, height, coinbase

    def outpoint(self):
        return OutPoint(bytes.fromhex(self.txid)[::-1], self.n)


def vsize_of(tx):
    return (tx.weight() + 3) // 4


class OpTrueWallet:
    def __init__(self, node):
        self.node = node
        self.utxos = []

    def generate(self, n, node=None):
        """Mines n blocks paying to the wallet (on node, default its own); returns the block hashes."""
        node = node or self.node
        hashes = node.generatetodescriptor(n, DESCRIPTOR)
        for h in hashes:
            self.scan_block(node.getblock(h, 2))
        return hashes

    def scan_block(self, blk):
        """Adds the block's outputs paying to the wallet and drops the coins it spends."""
        spent = set()
        for tx in blk["tx"]:
            for vin in tx["vin"]:
                if "txid" in vin:
                    spent.add((vin["txid"], vin["vout"]))
        self.utxos = [u for u in self.utxos if (u.txid, u.n) not in spent]
        known = {(u.txid, u.n) for u in self.utxos}
        for i, tx in enumerate(blk["tx"]):
            for out in tx["vout"]:
                key = (tx["txid"], out["n"])
                if out["scriptPubKey"]["hex"] == SPK.hex() and key not in known and key not in spent:
                    value = int(round(float(out["value"]) * COIN))
                    self.utxos.append(Utxo(tx["txid"], out["n"], value, blk["height"], coinbase=(i == 0)))

    def get_utxo(self, mature_at=None):
        """Takes the oldest spendable coin (coinbases after 100 confirmations)."""
        tip = mature_at if mature_at is not None else self.node.getblockcount()
        for i, u in enumerate(self.utxos):
            if not u.coinbase or (u.height is not None and tip + 1 - u.height >= 100):
                return self.utxos.pop(i)
        raise AssertionError("no spendable coin in the wallet")

    def create_tx(self, utxos, n_outputs=1, fee_rate=2.0, fee=None, version=2, sequence=SEQUENCE_RBF, locktime=0,
                  extra_outputs=()):
        """A transaction spending utxos to n_outputs equal wallet outputs (plus extra_outputs, (value, spk)
        pairs), paying fee (satoshis) or fee_rate (sat/vB of its exact vsize). Returns a dict."""
        tx = Tx(version=version, locktime=locktime)
        tx.vin = [TxIn(u.outpoint(), b"", sequence, [WITNESS_SCRIPT]) for u in utxos]
        total = sum(u.value for u in utxos)
        extra_value = sum(v for v, _ in extra_outputs)
        tx.vout = [TxOut(0, SPK) for _ in range(n_outputs)] + [TxOut(v, s) for v, s in extra_outputs]
        if fee is None:
            fee = math.ceil(fee_rate * vsize_of(tx))
        each = (total - fee - extra_value) // n_outputs
        assert each > 0, "not enough value for the fee"
        for o in tx.vout[:n_outputs]:
            o.value = each
        fee = total - extra_value - each * n_outputs
        txid = tx.txid()[::-1].hex()
        return {
            "tx": tx,
            "hex": tx.serialize().hex(),
            "txid": txid,
            "wtxid": tx.wtxid()[::-1].hex(),
            "fee": fee,
            "vsize": vsize_of(tx),
            "new_utxos": [Utxo(txid, i, each) for i in range(n_outputs)],
        }

    def create_self_transfer(self, utxo=None, **kw):
        return self.create_tx([utxo or self.get_utxo()], **kw)

    def send(self, t, node=None):
        """sendrawtransaction of a created transaction; its outputs join the wallet."""
        (node or self.node).sendrawtransaction(t["hex"])
        self.utxos.extend(t["new_utxos"])
        return t

    def send_self_transfer(self, node=None, **kw):
        return self.send(self.create_self_transfer(**kw), node)
