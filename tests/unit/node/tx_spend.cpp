#include "tx_spend.h"

#include "consensus/hash.h"
#include "consensus/script/key.h"

#include <catch2/catch.hpp>

using namespace consensus;

namespace testutil {

namespace {

std::vector<uint8_t> Bytes(const Uint160& h) { return {h.begin(), h.end()}; }
std::vector<uint8_t> Bytes(const Uint256& h) { return {h.begin(), h.end()}; }

} // namespace

TestKey::TestKey(uint8_t n)
{
    secret[31] = n;
    auto pub = PubKeyFromSecret(secret, true);
    REQUIRE(pub);
    pubkey = *pub;
}

Script TestKey::P2PKH() const
{
    Script s;
    s << OP_DUP << OP_HASH160 << Bytes(Hash160(pubkey)) << OP_EQUALVERIFY << OP_CHECKSIG;
    return s;
}

Script TestKey::P2WPKH() const
{
    Script s;
    s << OP_0 << Bytes(Hash160(pubkey));
    return s;
}

Script TestKey::P2TR() const
{
    const auto tweaked = TweakSecretForTaproot(secret, nullptr);
    REQUIRE(tweaked);
    const auto xonly = XOnlyFromSecret(*tweaked);
    REQUIRE(xonly);
    Script s;
    s << OP_1 << std::vector<uint8_t>(xonly->begin(), xonly->end());
    return s;
}

Script P2SH(const Script& redeem)
{
    Script s;
    s << OP_HASH160 << Bytes(Hash160(redeem)) << OP_EQUAL;
    return s;
}

Script P2WSH(const Script& witness_script)
{
    Script s;
    s << OP_0 << Bytes(Sha256Hash(witness_script));
    return s;
}

Utxo CoinOf(const TransactionRef& tx, uint32_t n)
{
    REQUIRE(n < tx->vout.size());
    return {OutPoint(tx->GetTxid(), n), tx->vout[n]};
}

Utxo CoinbaseCoin(ChainBuilder& b, int height)
{
    const auto [out, value] = b.CoinbaseAt(height);
    return {out, TxOut(value, b.ScriptPubKey())};
}

MutableTransaction MakeTx(const std::vector<Utxo>& coins, const std::vector<TxOut>& outputs, uint32_t version,
                          uint32_t locktime, uint32_t sequence)
{
    MutableTransaction tx;
    tx.version = version;
    tx.locktime = locktime;
    for (const Utxo& c : coins) {
        TxIn in;
        in.prevout = c.out;
        in.sequence = sequence;
        tx.vin.push_back(in);
    }
    tx.vout = outputs;
    return tx;
}

std::vector<uint8_t> SignWitnessV0(const MutableTransaction& tx, size_t input, const TestKey& key,
                                   const Script& script_code, Amount amount)
{
    const Uint256 hash =
        SignatureHash(script_code, tx, static_cast<unsigned>(input), SIGHASH_ALL, amount, SigVersion::WITNESS_V0);
    auto sig = SignEcdsa(key.secret, hash);
    REQUIRE(sig);
    sig->push_back(SIGHASH_ALL);
    return *sig;
}

std::vector<uint8_t> SignLegacy(const MutableTransaction& tx, size_t input, const TestKey& key,
                                const Script& script_code)
{
    const Uint256 hash =
        SignatureHash(script_code, tx, static_cast<unsigned>(input), SIGHASH_ALL, Amount{0}, SigVersion::BASE);
    auto sig = SignEcdsa(key.secret, hash);
    REQUIRE(sig);
    sig->push_back(SIGHASH_ALL);
    return *sig;
}

std::vector<uint8_t> SignTaproot(const MutableTransaction& tx, size_t input, const TestKey& key,
                                 const std::vector<TxOut>& spent, uint8_t hash_type)
{
    PrecomputedTransactionData txdata;
    txdata.Init(tx, std::vector<TxOut>(spent), true);
    ScriptExecutionData execdata;
    execdata.m_annex_init = true;
    execdata.m_annex_present = false;
    Uint256 hash;
    REQUIRE(SignatureHashSchnorr(hash, execdata, tx, static_cast<uint32_t>(input), hash_type, SigVersion::TAPROOT,
                                 txdata, MissingDataBehavior::FAIL));
    const auto tweaked = TweakSecretForTaproot(key.secret, nullptr);
    REQUIRE(tweaked);
    const std::array<uint8_t, 32> aux{};
    const auto sig = SignSchnorr(*tweaked, hash.Span(), aux);
    REQUIRE(sig);
    std::vector<uint8_t> out(sig->begin(), sig->end());
    if (hash_type != SIGHASH_DEFAULT) out.push_back(hash_type);
    return out;
}

TransactionRef SignTx(MutableTransaction tx, const std::vector<Utxo>& coins, const TestKey& key)
{
    REQUIRE(coins.size() == tx.vin.size());
    std::vector<TxOut> spent;
    for (const Utxo& c : coins) spent.push_back(c.txout);
    const Script p2pkh = key.P2PKH(), p2wpkh = key.P2WPKH(), p2tr = key.P2TR();
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const Script& spk = coins[i].txout.script_pubkey;
        if (spk == p2wpkh) {
            tx.vin[i].witness.stack = {SignWitnessV0(tx, i, key, p2pkh, coins[i].txout.value), key.pubkey};
        } else if (spk == p2pkh) {
            tx.vin[i].script_sig = Script() << SignLegacy(tx, i, key, p2pkh) << key.pubkey;
        } else if (spk == p2tr) {
            tx.vin[i].witness.stack = {SignTaproot(tx, i, key, spent)};
        }
    }
    return MakeTransactionRef(std::move(tx));
}

std::vector<uint8_t> PadDerR(const std::vector<uint8_t>& sig)
{
    // 0x30 len 0x02 rlen R 0x02 slen S hashtype: one more byte in R (a leading zero that
    // lax parsing drops and strict DER forbids), and in the total length.
    REQUIRE(sig.size() > 8);
    REQUIRE(sig[0] == 0x30);
    REQUIRE(sig[2] == 0x02);
    std::vector<uint8_t> out(sig.begin(), sig.begin() + 4);
    out[1] = static_cast<uint8_t>(sig[1] + 1);
    out[3] = static_cast<uint8_t>(sig[3] + 1);
    out.push_back(0x00);
    out.insert(out.end(), sig.begin() + 4, sig.end());
    return out;
}

} // namespace testutil
