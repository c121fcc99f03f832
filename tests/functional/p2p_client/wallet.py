"""MiniWallet: a test wallet that signs with the harness's own signer (key.py, script.py), never with
minicash's C++ code. It owns keys, mines to its P2WPKH script (`generatetodescriptor raw(...)`), finds
its coins by reading blocks (`getblock <hash> 2`), and builds signed transactions of every standard
type. Transactions reach the node through `submit(txs)`: by default a block built with
`generateblock` (no mempool yet); pass submit=... to use `sendrawtransaction` instead.

    w = MiniWallet(node); w.generate(101)
    tx = w.create_self_transfer(fee_rate=2); w.submit([tx])
    info = w.spend_as("p2tr_script")   # funds a P2TR output, spends it by the script path
"""

import math

from .key import Key, taproot_tweak_pubkey, taproot_tweak_seckey
from .primitives import OutPoint, Tx, TxIn, TxOut, WITNESS_SCALE_FACTOR, p2wsh_script
from .script import (P2A_SCRIPT, SIGHASH_ALL, SIGHASH_DEFAULT, OP_CHECKSIG, build_script, control_block,
                     multisig_script, null_data_script, p2pk_script, p2pkh_script, p2sh_script, p2tr_script, p2wpkh_script,
                     push_data, sighash_legacy, sighash_segwit_v0, sighash_taproot, tap_leaf_hash, taptree)

COIN = 100_000_000
COINBASE_MATURITY = 100
SPEND_KINDS = ("p2pk", "p2pkh", "p2sh_multisig", "bare_multisig", "p2sh_p2wpkh", "p2wpkh", "p2wsh",
               "p2tr_key", "p2tr_script", "p2a")


def vsize_of(tx):
    """Virtual size: weight / 4 rounded up (BIP-141)."""
    return math.ceil(tx.weight() / WITNESS_SCALE_FACTOR)


def fee_for(fee_rate, vsize):
    """fee_rate in sat/vB (may be fractional) times vsize, rounded up to a whole satoshi."""
    return math.ceil(fee_rate * vsize - 1e-9)


class Utxo:
    def __init__(self, txid_hex, vout, value, script_pubkey, height=None, coinbase=False, kind="p2wpkh"):
        self.txid_hex, self.vout, self.value = txid_hex, vout, value
        self.script_pubkey, self.height, self.coinbase, self.kind = script_pubkey, height, coinbase, kind

    def outpoint(self):
        return OutPoint(bytes.fromhex(self.txid_hex)[::-1], self.vout)

    def txout(self):
        return TxOut(self.value, self.script_pubkey)

    def __repr__(self):
        return "Utxo(%s:%d, %d sat, %s)" % (self.txid_hex[:16], self.vout, self.value, self.kind)


class MiniWallet:
    def __init__(self, node, seed=b"miniwallet", submit=None):
        self.node = node
        self.keys = [Key.from_seed(seed + bytes([i])) for i in range(3)]
        self.key = self.keys[0]
        self.script_pubkey = p2wpkh_script(self.key.pubkey)
        self.utxos = []
        self._submit = submit
        self._kinds = {k: self._kind_info(k) for k in SPEND_KINDS}

    # Coins ------------------------------------------------------------------------------------

    def generate(self, n):
        """Mine n blocks paying this wallet; their coinbases are added (mature after 100)."""
        hashes = self.node.rpc("generatetodescriptor", n, "raw(%s)" % self.script_pubkey.hex())
        for h in hashes:
            self.scan_block(h)
        return hashes

    def scan_block(self, block_hash):
        """Add this block's outputs paying one of our scripts, drop the ones its inputs spend."""
        blk = self.node.rpc("getblock", block_hash, 2)
        ours = {self.script_pubkey.hex(): "p2wpkh"}
        ours.update({info["spk"].hex(): k for k, info in self._kinds.items()})
        for tx in blk["tx"]:
            spent = {(i["txid"], i["vout"]) for i in tx["vin"] if "txid" in i}
            self.utxos = [u for u in self.utxos if (u.txid_hex, u.vout) not in spent]
            cb = "coinbase" in tx["vin"][0]
            for o in tx["vout"]:
                spk = o["scriptPubKey"]["hex"]
                if spk in ours:
                    self.utxos.append(Utxo(tx["txid"], o["n"], round(o["value"] * COIN), bytes.fromhex(spk),
                                           blk["height"], cb, ours[spk]))

    def get_utxo(self, kind="p2wpkh", mark_spent=True):
        """The largest spendable (mature) coin of a kind; removed from the list unless told."""
        tip = self.node.rpc("getblockcount")
        ok = [u for u in self.utxos if u.kind == kind and
              (not u.coinbase or tip + 1 - u.height >= COINBASE_MATURITY)]
        if not ok:
            raise RuntimeError("MiniWallet: no mature %s coin" % kind)
        u = max(ok, key=lambda c: c.value)
        if mark_spent:
            self.utxos.remove(u)
        return u

    def submit(self, txs):
        """Send txs to the node; by default in one block built with generateblock (the block is
        scanned). Returns the block hash, or what the submit hook returns."""
        if self._submit:
            return self._submit(txs)
        res = self.node.rpc("generateblock", "raw(%s)" % self.script_pubkey.hex(), [t.serialize().hex() for t in txs])
        self.scan_block(res["hash"])
        return res["hash"]

    # Kinds of outputs and their signers ---------------------------------------------------------

    def _kind_info(self, kind):
        k0, k1, k2 = self.keys
        if kind == "p2pk":
            return {"spk": p2pk_script(k0.pubkey)}
        if kind == "p2pkh":
            return {"spk": p2pkh_script(k0.pubkey)}
        if kind == "p2wpkh":
            return {"spk": p2wpkh_script(k0.pubkey)}
        if kind == "p2sh_p2wpkh":
            return {"spk": p2sh_script(p2wpkh_script(k0.pubkey)), "redeem": p2wpkh_script(k0.pubkey)}
        if kind in ("p2sh_multisig", "bare_multisig"):
            ms = multisig_script(2, [k0.pubkey, k1.pubkey, k2.pubkey])
            return {"spk": p2sh_script(ms) if kind == "p2sh_multisig" else ms, "redeem": ms}
        if kind == "p2wsh":
            ws = multisig_script(2, [k0.pubkey, k1.pubkey])
            return {"spk": p2wsh_script(ws), "redeem": ws}
        if kind == "p2a":
            return {"spk": P2A_SCRIPT}  # pay-to-anchor: anyone can spend it with an empty witness
        if kind == "p2tr_key":
            # No script tree: the tweak commits to the key alone (BIP-86).
            out_x, _ = taproot_tweak_pubkey(k0.xonly, b"")
            return {"spk": p2tr_script(out_x), "root": b""}
        if kind == "p2tr_script":
            leaf_a = build_script(k1.xonly, OP_CHECKSIG)
            leaf_b = build_script(k2.xonly, OP_CHECKSIG)
            root, leaves = taptree([leaf_a, leaf_b])
            out_x, parity = taproot_tweak_pubkey(k0.xonly, root)
            script, ver, path = leaves[0]
            return {"spk": p2tr_script(out_x), "root": root, "leaf": script, "leaf_version": ver,
                    "control": control_block(k0.xonly, parity, ver, path)}
        raise ValueError("unknown kind %s" % kind)

    def sign_input(self, tx, i, kind, spent_outputs, hash_type=SIGHASH_ALL):
        """Fill input i's scriptSig/witness for a coin of this wallet's kind. spent_outputs: TxOut
        per input (needed by taproot; segwit v0 uses spent_outputs[i].value)."""
        info = self._kinds.get(kind) or {"spk": self.script_pubkey}
        k0, k1, k2 = self.keys
        txin, amount = tx.vin[i], spent_outputs[i].value
        if kind in ("p2pk", "p2pkh"):
            sig = k0.sign_ecdsa(sighash_legacy(tx, i, info["spk"], hash_type)) + bytes([hash_type])
            txin.script_sig = push_data(sig) + (push_data(k0.pubkey) if kind == "p2pkh" else b"")
        elif kind in ("p2sh_multisig", "bare_multisig"):
            h = sighash_legacy(tx, i, info["redeem"], hash_type)
            sigs = [k.sign_ecdsa(h) + bytes([hash_type]) for k in (k0, k1)]
            # The dummy element CHECKMULTISIG pops must be empty (BIP-147 NULLDUMMY).
            txin.script_sig = b"\x00" + b"".join(push_data(s) for s in sigs)
            if kind == "p2sh_multisig":
                txin.script_sig += push_data(info["redeem"])
        elif kind in ("p2wpkh", "p2sh_p2wpkh"):
            h = sighash_segwit_v0(tx, i, p2pkh_script(k0.pubkey), amount, hash_type)
            txin.witness = [k0.sign_ecdsa(h) + bytes([hash_type]), k0.pubkey]
            txin.script_sig = push_data(info["redeem"]) if kind == "p2sh_p2wpkh" else b""
        elif kind == "p2wsh":
            h = sighash_segwit_v0(tx, i, info["redeem"], amount, hash_type)
            txin.witness = [b""] + [k.sign_ecdsa(h) + bytes([hash_type]) for k in (k0, k1)] + [info["redeem"]]
        elif kind == "p2tr_key":
            ht = SIGHASH_DEFAULT if hash_type == SIGHASH_ALL else hash_type
            h = sighash_taproot(tx, i, spent_outputs, ht)
            sig = Key(taproot_tweak_seckey(k0.secret, info["root"])).sign_schnorr(h)
            txin.witness = [sig + (bytes([ht]) if ht else b"")]
        elif kind == "p2tr_script":
            ht = SIGHASH_DEFAULT if hash_type == SIGHASH_ALL else hash_type
            leaf_hash = tap_leaf_hash(info["leaf"], info["leaf_version"])
            h = sighash_taproot(tx, i, spent_outputs, ht, leaf_hash=leaf_hash)
            txin.witness = [k1.sign_schnorr(h) + (bytes([ht]) if ht else b""), info["leaf"], info["control"]]
        elif kind == "p2a":
            txin.script_sig, txin.witness = b"", []
        else:
            raise ValueError("cannot sign %s" % kind)

    # Transactions -------------------------------------------------------------------------------

    def _finish(self, tx, utxos, fee_rate, change_index=None, fixed_fee=None):
        """Sign every input; when fee_rate is given, adjust output change_index (default: the last)
        until the fee equals fee_rate * vsize (re-signing: signature lengths move vsize)."""
        ci = len(tx.vout) - 1 if change_index is None else change_index
        spent = [u.txout() for u in utxos]
        total_in = sum(u.value for u in utxos)
        for attempt in range(6):
            for i, u in enumerate(utxos):
                self.sign_input(tx, i, u.kind, spent)
            fee = total_in - sum(o.value for o in tx.vout)
            want = fixed_fee if fixed_fee is not None else fee_for(fee_rate, vsize_of(tx))
            if fee == want or (fee > want and attempt >= 3):
                return tx
            tx.vout[ci].value -= want - fee
            if tx.vout[ci].value < 0:
                raise RuntimeError("MiniWallet: coin too small for the fee")
        raise RuntimeError("MiniWallet: the fee did not settle (signature sizes kept changing)")

    def create_self_transfer(self, fee_rate=1, utxo=None, version=2, sequence=0xfffffffd, locktime=0,
                             kind=None):
        """One input (utxo, or our largest mature P2WPKH coin) to one output back to the wallet."""
        utxo = utxo or self.get_utxo(kind or "p2wpkh")
        tx = Tx(version, [TxIn(utxo.outpoint(), sequence=sequence)], [TxOut(utxo.value, self.script_pubkey)], locktime)
        return self._finish(tx, [utxo], fee_rate)

    def create_self_transfer_multi(self, utxos, num_outputs=1, fee_per_output=1000, version=2,
                                   sequence=0xfffffffd):
        """All utxos into num_outputs equal outputs to the wallet, paying fee_per_output each."""
        fee = fee_per_output * num_outputs
        each = (sum(u.value for u in utxos) - fee) // num_outputs
        tx = Tx(version, [TxIn(u.outpoint(), sequence=sequence) for u in utxos],
                [TxOut(each, self.script_pubkey) for _ in range(num_outputs)])
        tx.vout[0].value += sum(u.value for u in utxos) - fee - each * num_outputs  # the remainder
        return self._finish(tx, utxos, None, fixed_fee=fee)

    def outputs_of(self, tx):
        """The outputs of tx paying this wallet, as Utxos (to chain unconfirmed transactions)."""
        ours = {self.script_pubkey: "p2wpkh"}
        ours.update({info["spk"]: k for k, info in self._kinds.items()})
        return [Utxo(tx.txid()[::-1].hex(), n, o.value, o.script_pubkey, kind=ours[o.script_pubkey])
                for n, o in enumerate(tx.vout) if o.script_pubkey in ours]

    def send_to(self, script_pubkey, amount, fee_rate=1, utxo=None):
        """A signed transaction paying amount to script_pubkey, change (last output) to the wallet."""
        utxo = utxo or self.get_utxo()
        tx = Tx(2, [TxIn(utxo.outpoint(), sequence=0xfffffffd)],
                [TxOut(amount, script_pubkey), TxOut(utxo.value - amount, self.script_pubkey)])
        return self._finish(tx, [utxo], fee_rate)

    def fund_kinds(self, kinds, amount=COIN, fee_rate=1, utxo=None):
        """A signed transaction with an output of amount for each kind, change last."""
        utxo = utxo or self.get_utxo()
        outs = [TxOut(amount, self.script_of(k)) for k in kinds]
        tx = Tx(2, [TxIn(utxo.outpoint(), sequence=0xfffffffd)],
                outs + [TxOut(utxo.value - amount * len(kinds), self.script_pubkey)])
        return self._finish(tx, [utxo], fee_rate)

    def script_of(self, kind):
        return self._kinds[kind]["spk"]

    def spend_as(self, kind, amount=COIN, fee_rate=2):
        """Fund an output of kind (one of SPEND_KINDS, or "op_return": an OP_RETURN output, which is
        only funded), submit it, then spend it back to the wallet and submit that. Returns
        {"fund": tx, "spend": tx or None}."""
        if kind == "op_return":
            tx = self.send_to(null_data_script(b"minicash test signer"), 0, fee_rate)
            self.submit([tx])
            return {"fund": tx, "spend": None}
        fund = self.send_to(self.script_of(kind), amount, fee_rate)
        self.submit([fund])
        coin = next(u for u in self.outputs_of(fund) if u.kind == kind)
        self.utxos = [u for u in self.utxos if (u.txid_hex, u.vout) != (coin.txid_hex, coin.vout)]
        spend = self.create_self_transfer(fee_rate, utxo=coin)
        self.submit([spend])
        return {"fund": fund, "spend": spend}
