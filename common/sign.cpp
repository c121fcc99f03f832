#include "common/sign.h"

#include "common/solver.h"
#include "consensus/hash.h"
#include "consensus/script/key.h"
#include "consensus/script/script_error.h"

#include <secp256k1.h>

#include <algorithm>

namespace common {

using consensus::Script;
using consensus::SigVersion;
using consensus::Uint256;

KeyId KeyIdOf(const Bytes& pubkey) { return consensus::Hash160(pubkey); }

void MergeTaprootSpendData(TaprootSpendData& a, const TaprootSpendData& b)
{
    if (a.internal_key == XOnlyKey{} && b.internal_key != XOnlyKey{}) a.internal_key = b.internal_key;
    if (!a.merkle_root && b.merkle_root) a.merkle_root = b.merkle_root;
    for (const auto& [leaf, controls] : b.scripts) a.scripts[leaf].insert(controls.begin(), controls.end());
}

void SignatureData::MergeSignatureData(SignatureData other)
{
    if (complete) return;
    if (other.complete) {
        *this = std::move(other);
        return;
    }
    if (redeem_script.empty() && !other.redeem_script.empty()) redeem_script = other.redeem_script;
    if (witness_script.empty() && !other.witness_script.empty()) witness_script = other.witness_script;
    signatures.insert(other.signatures.begin(), other.signatures.end());
}

// ---- creators ----

namespace {

/**
 * ECDSA with an RFC 6979 nonce, ground for a low R (Core's CKey::Sign with grind): retried
 * with a counter as extra entropy until R's top bit is clear, so the DER signature is at most
 * 71 bytes and equals the one Core makes for the same key and hash.
 */
std::optional<Bytes> SignEcdsaLowR(std::span<const uint8_t> seckey32, const Uint256& hash)
{
    const secp256k1_context* ctx = consensus::SecpSignContext();
    secp256k1_ecdsa_signature sig;
    std::array<uint8_t, 32> extra{};
    uint32_t counter = 0;
    int ok = secp256k1_ecdsa_sign(ctx, &sig, hash.data(), seckey32.data(), secp256k1_nonce_function_rfc6979, nullptr);
    while (ok) {
        uint8_t compact[64];
        secp256k1_ecdsa_signature_serialize_compact(ctx, compact, &sig);
        if (compact[0] < 0x80) break;
        ++counter;
        for (int i = 0; i < 4; ++i) extra[i] = static_cast<uint8_t>(counter >> (8 * i));
        ok = secp256k1_ecdsa_sign(ctx, &sig, hash.data(), seckey32.data(), secp256k1_nonce_function_rfc6979,
                                  extra.data());
    }
    if (!ok) return std::nullopt;
    Bytes der(72);
    size_t len = der.size();
    if (!secp256k1_ecdsa_signature_serialize_der(ctx, der.data(), &len, &sig)) return std::nullopt;
    der.resize(len);
    return der;
}

} // namespace

TransactionSignatureCreator::TransactionSignatureCreator(const consensus::MutableTransaction& tx, unsigned in,
                                                         consensus::Amount amount,
                                                         const consensus::PrecomputedTransactionData* txdata,
                                                         int hash_type)
    : m_tx(tx), m_in(in), m_amount(amount), m_txdata(txdata), m_hash_type(hash_type)
{
    if (txdata) {
        m_checker = std::make_unique<consensus::MutableTransactionSignatureChecker>(
            &tx, in, amount, *txdata, consensus::MissingDataBehavior::FAIL);
    } else {
        m_checker = std::make_unique<consensus::MutableTransactionSignatureChecker>(
            &tx, in, amount, consensus::MissingDataBehavior::FAIL);
    }
}

bool TransactionSignatureCreator::CreateSig(const SigningProvider& provider, Bytes& sig, const KeyId& keyid,
                                            const Script& script_code, SigVersion sigversion) const
{
    if (sigversion != SigVersion::BASE && sigversion != SigVersion::WITNESS_V0) return false;
    const auto key = provider.GetKey(keyid);
    if (!key) return false;
    // BIP-143 inputs: no uncompressed keys (policy), and the amount must be known.
    if (sigversion == SigVersion::WITNESS_V0 && !key->compressed) return false;
    if (sigversion == SigVersion::WITNESS_V0 && !consensus::MoneyRange(m_amount)) return false;
    // SIGHASH_DEFAULT exists only for BIP-341; ECDSA inputs sign with SIGHASH_ALL instead.
    const int hash_type = m_hash_type == consensus::SIGHASH_DEFAULT ? consensus::SIGHASH_ALL : m_hash_type;
    const Uint256 hash = consensus::SignatureHash(script_code, m_tx, m_in, hash_type, m_amount, sigversion, m_txdata);
    auto der = SignEcdsaLowR(key->bytes, hash);
    if (!der) return false;
    sig = std::move(*der);
    sig.push_back(static_cast<uint8_t>(hash_type));
    return true;
}

bool TransactionSignatureCreator::CreateSchnorrSig(const SigningProvider& provider, Bytes& sig, const XOnlyKey& pubkey,
                                                   const Uint256* leaf_hash, const Uint256* merkle_root,
                                                   SigVersion sigversion) const
{
    if (sigversion != SigVersion::TAPROOT && sigversion != SigVersion::TAPSCRIPT) return false;
    const auto key = GetKeyByXOnly(provider, pubkey);
    if (!key) return false;
    // BIP-341 signature messages commit to every spent output: sign only with all of them.
    if (!m_txdata || !m_txdata->m_bip341_taproot_ready || !m_txdata->m_spent_outputs_ready) return false;
    consensus::ScriptExecutionData execdata;
    execdata.m_annex_init = true;
    execdata.m_annex_present = false; // no annex
    if (sigversion == SigVersion::TAPSCRIPT) {
        if (!leaf_hash) return false;
        execdata.m_codeseparator_pos_init = true;
        execdata.m_codeseparator_pos = 0xffffffff; // no OP_CODESEPARATOR executed
        execdata.m_tapleaf_hash_init = true;
        execdata.m_tapleaf_hash = *leaf_hash;
    }
    Uint256 hash;
    if (!consensus::SignatureHashSchnorr(hash, execdata, m_tx, m_in, static_cast<uint8_t>(m_hash_type), sigversion,
                                         *m_txdata, consensus::MissingDataBehavior::FAIL)) {
        return false;
    }
    std::array<uint8_t, 32> seckey = key->bytes;
    if (sigversion == SigVersion::TAPROOT) {
        // BIP-341 key path: the output key is the internal key tweaked with the tree's root.
        auto tweaked = consensus::TweakSecretForTaproot(key->bytes, merkle_root);
        if (!tweaked) return false;
        seckey = *tweaked;
        consensus::WipeSecret(tweaked->data(), tweaked->size());
    }
    // Deterministic signatures: 32 zero bytes of auxiliary randomness, as Core.
    const std::array<uint8_t, 32> aux{};
    const auto made = consensus::SignSchnorr(seckey, hash.Span(), aux);
    consensus::WipeSecret(seckey.data(), seckey.size());
    if (!made) return false;
    sig.assign(made->begin(), made->end());
    if (m_hash_type != consensus::SIGHASH_DEFAULT) sig.push_back(static_cast<uint8_t>(m_hash_type));
    return true;
}

namespace {

/** Accepts every signature: for size estimation. */
class DummyChecker final : public consensus::BaseSignatureChecker {
public:
    bool CheckECDSASignature(const std::vector<uint8_t>&, const std::vector<uint8_t>&, const Script&,
                             SigVersion) const override
    {
        return true;
    }
    bool CheckSchnorrSignature(std::span<const uint8_t>, std::span<const uint8_t>, SigVersion,
                               consensus::ScriptExecutionData&, consensus::ScriptError*) const override
    {
        return true;
    }
};

class DummyCreator final : public SignatureCreator {
public:
    DummyCreator(uint8_t r_len, uint8_t s_len) : m_r_len(r_len), m_s_len(s_len) {}
    const consensus::BaseSignatureChecker& Checker() const override { return m_checker; }
    bool CreateSig(const SigningProvider&, Bytes& sig, const KeyId&, const Script&, SigVersion) const override
    {
        // A well-formed DER shape: 30 len 02 rlen r.. 02 slen s.. hashtype.
        sig.assign(m_r_len + m_s_len + 7, 0);
        sig[0] = 0x30;
        sig[1] = static_cast<uint8_t>(m_r_len + m_s_len + 4);
        sig[2] = 0x02;
        sig[3] = m_r_len;
        sig[4] = 0x01;
        sig[4 + m_r_len] = 0x02;
        sig[5 + m_r_len] = m_s_len;
        sig[6 + m_r_len] = 0x01;
        sig[6 + m_r_len + m_s_len] = consensus::SIGHASH_ALL;
        return true;
    }
    bool CreateSchnorrSig(const SigningProvider&, Bytes& sig, const XOnlyKey&, const Uint256*, const Uint256*,
                          SigVersion) const override
    {
        sig.assign(64, 0);
        return true;
    }

private:
    uint8_t m_r_len, m_s_len;
    DummyChecker m_checker;
};

Bytes FullKey(uint8_t prefix, const XOnlyKey& x)
{
    Bytes k{prefix};
    k.insert(k.end(), x.begin(), x.end());
    return k;
}

/** A public key known from sigdata or the provider. */
std::optional<Bytes> FindPubKey(const SigningProvider& provider, const SignatureData& sigdata, const KeyId& id)
{
    if (auto it = sigdata.signatures.find(id); it != sigdata.signatures.end()) return it->second.first;
    if (auto it = sigdata.misc_pubkeys.find(id); it != sigdata.misc_pubkeys.end()) return it->second.first;
    if (auto pk = provider.GetPubKey(id)) return pk;
    // A provider that knows only the secret still knows its public key.
    if (auto key = provider.GetKey(id)) {
        if (auto pk = consensus::PubKeyFromSecret(key->bytes, key->compressed); pk && KeyIdOf(*pk) == id) return pk;
    }
    return std::nullopt;
}

std::optional<Script> FindScript(const SigningProvider& provider, const SignatureData& sigdata, const ScriptId& id)
{
    if (auto s = provider.GetScript(id)) return s;
    // Scripts a PSBT (or an earlier pass) already carries.
    if (!sigdata.redeem_script.empty() && consensus::Hash160(sigdata.redeem_script) == id) return sigdata.redeem_script;
    if (!sigdata.witness_script.empty() && consensus::Hash160(sigdata.witness_script) == id) {
        return sigdata.witness_script;
    }
    return std::nullopt;
}

bool CreateSig(const SignatureCreator& creator, SignatureData& sigdata, const SigningProvider& provider, Bytes& sig,
               const Bytes& pubkey, const Script& script_code, SigVersion sigversion)
{
    const KeyId id = KeyIdOf(pubkey);
    if (auto it = sigdata.signatures.find(id); it != sigdata.signatures.end()) {
        sig = it->second.second;
        return true;
    }
    if (auto origin = provider.GetKeyOrigin(id)) sigdata.misc_pubkeys.emplace(id, std::make_pair(pubkey, *origin));
    if (creator.CreateSig(provider, sig, id, script_code, sigversion)) {
        sigdata.signatures.emplace(id, SigPair(pubkey, sig));
        return true;
    }
    sigdata.missing_sigs.push_back(id);
    return false;
}

bool CreateTaprootScriptSig(const SignatureCreator& creator, SignatureData& sigdata, const SigningProvider& provider,
                            Bytes& sig, const XOnlyKey& pubkey, const Uint256& leaf_hash)
{
    if (auto origin = GetKeyOriginByXOnly(provider, pubkey)) {
        auto [it, inserted] =
            sigdata.taproot_misc_pubkeys.emplace(pubkey, std::make_pair(std::set<Uint256>(), *origin));
        it->second.first.insert(leaf_hash);
    }
    const auto lookup = std::make_pair(pubkey, leaf_hash);
    if (auto it = sigdata.taproot_script_sigs.find(lookup); it != sigdata.taproot_script_sigs.end()) {
        sig = it->second;
        return true;
    }
    if (creator.CreateSchnorrSig(provider, sig, pubkey, &leaf_hash, nullptr, SigVersion::TAPSCRIPT)) {
        sigdata.taproot_script_sigs[lookup] = sig;
        return true;
    }
    return false;
}

/** A multi_a leaf (BIP-387): <k1> CHECKSIG <k2> CHECKSIGADD ... <kn> CHECKSIGADD <m> NUMEQUAL. */
std::optional<std::pair<int, std::vector<XOnlyKey>>> MatchMultiA(const Script& script)
{
    std::vector<XOnlyKey> keys;
    auto pc = script.begin();
    consensus::Opcode op;
    Bytes data;
    while (true) {
        if (!script.GetOp(pc, op, &data)) return std::nullopt;
        if (data.size() != 32) break;
        XOnlyKey k;
        std::copy(data.begin(), data.end(), k.begin());
        keys.push_back(k);
        if (!script.GetOp(pc, op)) return std::nullopt;
        if (op != (keys.size() == 1 ? consensus::OP_CHECKSIG : consensus::OP_CHECKSIGADD)) return std::nullopt;
    }
    if (keys.empty()) return std::nullopt;
    // op/data now hold the threshold push.
    int64_t m = 0;
    if (op >= consensus::OP_1 && op <= consensus::OP_16) {
        m = consensus::DecodeOpN(op);
    } else if (!data.empty() && data.size() <= 4) {
        try {
            m = consensus::ScriptNum(data, true).GetInt64();
        } catch (const consensus::ScriptNumError&) {
            return std::nullopt;
        }
    } else {
        return std::nullopt;
    }
    if (m < 1 || m > static_cast<int64_t>(keys.size())) return std::nullopt;
    if (!script.GetOp(pc, op) || op != consensus::OP_NUMEQUAL || pc != script.end()) return std::nullopt;
    return std::make_pair(static_cast<int>(m), std::move(keys));
}

bool SignTaprootScript(const SigningProvider& provider, const SignatureCreator& creator, SignatureData& sigdata,
                       int leaf_version, const Bytes& script_bytes, std::vector<Bytes>& result)
{
    if (leaf_version != consensus::TAPROOT_LEAF_TAPSCRIPT) return false;
    const Uint256 leaf_hash = consensus::ComputeTapleafHash(static_cast<uint8_t>(leaf_version), script_bytes);
    const Script script(script_bytes);
    // pk(): <32-byte key> OP_CHECKSIG
    if (script.size() == 34 && script[0] == 0x20 && script[33] == consensus::OP_CHECKSIG) {
        XOnlyKey key;
        std::copy(script.begin() + 1, script.begin() + 33, key.begin());
        Bytes sig;
        if (!CreateTaprootScriptSig(creator, sigdata, provider, sig, key, leaf_hash)) return false;
        result = {std::move(sig)};
        return true;
    }
    if (auto match = MatchMultiA(script)) {
        // The stack holds one item per key, the last key's first; empty for keys not signing.
        std::vector<Bytes> sigs;
        int good = 0;
        for (auto it = match->second.rbegin(); it != match->second.rend(); ++it) {
            Bytes sig;
            const bool ok = CreateTaprootScriptSig(creator, sigdata, provider, sig, *it, leaf_hash);
            if (ok && good < match->first) {
                ++good;
                sigs.push_back(std::move(sig));
            } else {
                sigs.emplace_back();
            }
        }
        if (good != match->first) return false;
        result = std::move(sigs);
        return true;
    }
    return false;
}

size_t StackSize(const std::vector<Bytes>& stack)
{
    // The serialized size of the stack (compact-size counts and items).
    auto compact = [](size_t n) -> size_t { return n < 253 ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9; };
    size_t n = compact(stack.size());
    for (const auto& item : stack) n += compact(item.size()) + item.size();
    return n;
}

bool SignTaproot(const SigningProvider& provider, const SignatureCreator& creator, const XOnlyKey& output,
                 SignatureData& sigdata, std::vector<Bytes>& result)
{
    if (auto spend = provider.GetTaprootSpendData(output)) MergeTaprootSpendData(sigdata.tr_spenddata, *spend);
    const auto& spend = sigdata.tr_spenddata;
    // Key path (BIP-341), preferred.
    if (auto origin = GetKeyOriginByXOnly(provider, spend.internal_key)) {
        sigdata.taproot_misc_pubkeys.emplace(spend.internal_key, std::make_pair(std::set<Uint256>(), *origin));
    }
    if (sigdata.taproot_key_path_sig.empty()) {
        Bytes sig;
        const Uint256* root = spend.merkle_root ? &*spend.merkle_root : nullptr;
        if (creator.CreateSchnorrSig(provider, sig, spend.internal_key, nullptr, root, SigVersion::TAPROOT)) {
            sigdata.taproot_key_path_sig = std::move(sig);
        }
    }
    if (!sigdata.taproot_key_path_sig.empty()) {
        result = {sigdata.taproot_key_path_sig};
        return true;
    }
    // Script path (BIP-342): the smallest witness among the leaves we can satisfy.
    std::vector<Bytes> best;
    for (const auto& [leaf, controls] : spend.scripts) {
        if (controls.empty()) continue;
        std::vector<Bytes> stack;
        if (!SignTaprootScript(provider, creator, sigdata, leaf.second, leaf.first, stack)) continue;
        stack.push_back(leaf.first);
        stack.push_back(*controls.begin()); // the shortest proof sorts first among equal-length ones
        if (best.empty() || StackSize(stack) < StackSize(best)) best = std::move(stack);
    }
    if (best.empty()) return false;
    result = std::move(best);
    return true;
}

/**
 * One step of Core's SignStep: the stack items that satisfy script (or, for P2SH/P2WSH, the
 * inner script to recurse into; for P2WPKH the key hash).
 */
bool SignStep(const SigningProvider& provider, const SignatureCreator& creator, const Script& script,
              std::vector<Bytes>& ret, TxoutType& type, SigVersion sigversion, SignatureData& sigdata)
{
    ret.clear();
    std::vector<Bytes> sol;
    type = SolveScript(script, sol);
    Bytes sig;
    switch (type) {
    case TxoutType::NONSTANDARD:
    case TxoutType::NULL_DATA:
    case TxoutType::WITNESS_UNKNOWN:
    case TxoutType::ANCHOR: return false;
    case TxoutType::PUBKEY:
        if (!CreateSig(creator, sigdata, provider, sig, sol[0], script, sigversion)) return false;
        ret.push_back(std::move(sig));
        return true;
    case TxoutType::PUBKEYHASH: {
        KeyId id;
        std::copy(sol[0].begin(), sol[0].end(), id.begin());
        const auto pubkey = FindPubKey(provider, sigdata, id);
        if (!pubkey) {
            sigdata.missing_pubkeys.push_back(id);
            return false;
        }
        if (!CreateSig(creator, sigdata, provider, sig, *pubkey, script, sigversion)) return false;
        ret.push_back(std::move(sig));
        ret.push_back(*pubkey);
        return true;
    }
    case TxoutType::SCRIPTHASH: {
        ScriptId id;
        std::copy(sol[0].begin(), sol[0].end(), id.begin());
        if (auto s = FindScript(provider, sigdata, id)) {
            ret.emplace_back(s->begin(), s->end());
            return true;
        }
        sigdata.missing_redeem_script = id;
        return false;
    }
    case TxoutType::MULTISIG: {
        const size_t required = sol.front()[0];
        ret.emplace_back(); // the extra item CHECKMULTISIG pops (BIP-147: must be empty)
        for (size_t i = 1; i + 1 < sol.size(); ++i) {
            // Always try every key so sigdata learns all signatures that can be made (PSBT).
            if (CreateSig(creator, sigdata, provider, sig, sol[i], script, sigversion) && ret.size() < required + 1) {
                ret.push_back(sig);
            }
        }
        const bool ok = ret.size() == required + 1;
        while (ret.size() < required + 1) ret.emplace_back();
        return ok;
    }
    case TxoutType::WITNESS_V0_KEYHASH: ret.push_back(sol[0]); return true;
    case TxoutType::WITNESS_V0_SCRIPTHASH: {
        const ScriptId id = consensus::Ripemd160(sol[0]);
        if (auto s = FindScript(provider, sigdata, id)) {
            ret.emplace_back(s->begin(), s->end());
            return true;
        }
        std::copy(sol[0].begin(), sol[0].end(), sigdata.missing_witness_script.begin());
        return false;
    }
    case TxoutType::WITNESS_V1_TAPROOT: {
        XOnlyKey output;
        std::copy(sol[0].begin(), sol[0].end(), output.begin());
        return SignTaproot(provider, creator, output, sigdata, ret);
    }
    }
    return false;
}

Script PushAll(const std::vector<Bytes>& items)
{
    Script s;
    for (const auto& v : items) {
        if (v.empty()) {
            s << consensus::OP_0;
        } else if (v.size() == 1 && v[0] >= 1 && v[0] <= 16) {
            s << consensus::EncodeOpN(v[0]);
        } else {
            s << v;
        }
    }
    return s;
}

} // namespace

const SignatureCreator& DummySignatureCreator()
{
    static const DummyCreator creator(32, 32);
    return creator;
}

const SignatureCreator& DummyMaximumSignatureCreator()
{
    static const DummyCreator creator(33, 32);
    return creator;
}

std::optional<SecretKey> GetKeyByXOnly(const SigningProvider& provider, const XOnlyKey& key)
{
    for (uint8_t prefix : {uint8_t{0x02}, uint8_t{0x03}}) {
        if (auto k = provider.GetKey(KeyIdOf(FullKey(prefix, key)))) return k;
    }
    return std::nullopt;
}

std::optional<KeyOrigin> GetKeyOriginByXOnly(const SigningProvider& provider, const XOnlyKey& key)
{
    for (uint8_t prefix : {uint8_t{0x02}, uint8_t{0x03}}) {
        if (auto o = provider.GetKeyOrigin(KeyIdOf(FullKey(prefix, key)))) return o;
    }
    return std::nullopt;
}

bool ProduceSignature(const SigningProvider& provider, const SignatureCreator& creator, const Script& script_pubkey,
                      SignatureData& sigdata)
{
    if (sigdata.complete) return true;
    std::vector<Bytes> result;
    TxoutType type;
    bool solved = SignStep(provider, creator, script_pubkey, result, type, SigVersion::BASE, sigdata);
    bool p2sh = false;
    Script subscript;
    if (solved && type == TxoutType::SCRIPTHASH) {
        // BIP-16: solve the redeem script, which must not be P2SH again.
        subscript = Script(result[0]);
        sigdata.redeem_script = subscript;
        solved = SignStep(provider, creator, subscript, result, type, SigVersion::BASE, sigdata) &&
                 type != TxoutType::SCRIPTHASH;
        p2sh = true;
    }
    if (solved && type == TxoutType::WITNESS_V0_KEYHASH) {
        // BIP-143: P2WPKH signs the P2PKH script of the key hash.
        Script code;
        code << consensus::OP_DUP << consensus::OP_HASH160 << result[0] << consensus::OP_EQUALVERIFY
             << consensus::OP_CHECKSIG;
        TxoutType sub;
        solved = SignStep(provider, creator, code, result, sub, SigVersion::WITNESS_V0, sigdata);
        sigdata.script_witness.stack = result;
        sigdata.witness = true;
        result.clear();
    } else if (solved && type == TxoutType::WITNESS_V0_SCRIPTHASH) {
        const Script witness_script(result[0]);
        sigdata.witness_script = witness_script;
        TxoutType sub = TxoutType::NONSTANDARD;
        solved = SignStep(provider, creator, witness_script, result, sub, SigVersion::WITNESS_V0, sigdata) &&
                 sub != TxoutType::SCRIPTHASH && sub != TxoutType::WITNESS_V0_SCRIPTHASH &&
                 sub != TxoutType::WITNESS_V0_KEYHASH && sub != TxoutType::WITNESS_V1_TAPROOT;
        result.emplace_back(witness_script.begin(), witness_script.end());
        sigdata.script_witness.stack = result;
        sigdata.witness = true;
        result.clear();
    } else if (type == TxoutType::WITNESS_V1_TAPROOT && !p2sh) {
        sigdata.witness = true;
        if (solved) sigdata.script_witness.stack = std::move(result);
        result.clear();
    } else if (solved && type == TxoutType::WITNESS_UNKNOWN) {
        sigdata.witness = true;
    }
    if (!sigdata.witness) sigdata.script_witness.stack.clear();
    if (p2sh) result.emplace_back(subscript.begin(), subscript.end());
    sigdata.script_sig = PushAll(result);
    sigdata.complete = solved && consensus::VerifyScript(sigdata.script_sig, script_pubkey, &sigdata.script_witness,
                                                         SIGNING_VERIFY_FLAGS, creator.Checker());
    return sigdata.complete;
}

namespace {

/** Records every valid ECDSA signature it checks into sigdata (Core's SignatureExtractorChecker). */
class ExtractorChecker final : public consensus::BaseSignatureChecker {
public:
    ExtractorChecker(SignatureData& sigdata, const consensus::BaseSignatureChecker& inner)
        : m_sigdata(sigdata), m_inner(inner)
    {}
    bool CheckECDSASignature(const std::vector<uint8_t>& sig, const std::vector<uint8_t>& pubkey,
                             const Script& script_code, SigVersion sigversion) const override
    {
        if (!m_inner.CheckECDSASignature(sig, pubkey, script_code, sigversion)) return false;
        m_sigdata.signatures.emplace(KeyIdOf(pubkey), SigPair(pubkey, sig));
        return true;
    }
    bool CheckSchnorrSignature(std::span<const uint8_t> sig, std::span<const uint8_t> pubkey, SigVersion sigversion,
                               consensus::ScriptExecutionData& execdata, consensus::ScriptError* serror) const override
    {
        return m_inner.CheckSchnorrSignature(sig, pubkey, sigversion, execdata, serror);
    }
    bool CheckLockTime(const consensus::ScriptNum& n) const override { return m_inner.CheckLockTime(n); }
    bool CheckSequence(const consensus::ScriptNum& n) const override { return m_inner.CheckSequence(n); }

private:
    SignatureData& m_sigdata;
    const consensus::BaseSignatureChecker& m_inner;
};

} // namespace

SignatureData DataFromTransaction(const consensus::MutableTransaction& tx, unsigned in, const consensus::TxOut& txout)
{
    SignatureData data;
    if (in >= tx.vin.size()) return data;
    data.script_sig = tx.vin[in].script_sig;
    data.script_witness = tx.vin[in].witness;
    // The pushes of the scriptSig (evaluated with no signature checker) and the witness stack.
    std::vector<Bytes> script_stack;
    {
        consensus::BaseSignatureChecker none;
        if (!consensus::EvalScript(script_stack, data.script_sig, consensus::SCRIPT_VERIFY_STRICTENC, none,
                                   SigVersion::BASE)) {
            script_stack.clear();
        }
    }
    std::vector<Bytes> witness_stack = data.script_witness.stack;

    const consensus::MutableTransactionSignatureChecker tx_checker(&tx, in, txout.value,
                                                                   consensus::MissingDataBehavior::FAIL);
    const ExtractorChecker extractor(data, tx_checker);
    if (consensus::VerifyScript(data.script_sig, txout.script_pubkey, &data.script_witness, SIGNING_VERIFY_FLAGS,
                                extractor)) {
        data.complete = true;
        return data;
    }
    std::vector<Bytes> sol;
    TxoutType type = SolveScript(txout.script_pubkey, sol);
    SigVersion sigversion = SigVersion::BASE;
    Script next = txout.script_pubkey;
    if (type == TxoutType::SCRIPTHASH && !script_stack.empty() && !script_stack.back().empty()) {
        data.redeem_script = Script(script_stack.back());
        next = data.redeem_script;
        type = SolveScript(next, sol);
        script_stack.pop_back();
    }
    if (type == TxoutType::WITNESS_V0_SCRIPTHASH && !witness_stack.empty() && !witness_stack.back().empty()) {
        data.witness_script = Script(witness_stack.back());
        next = data.witness_script;
        type = SolveScript(next, sol);
        witness_stack.pop_back();
        script_stack = std::move(witness_stack);
        witness_stack.clear();
        sigversion = SigVersion::WITNESS_V0;
    }
    if (type == TxoutType::MULTISIG && !script_stack.empty()) {
        // Match signatures to keys in order (CHECKMULTISIG's rule), keeping the valid ones.
        const size_t num_keys = sol.size() - 2;
        size_t next_key = 0;
        for (const auto& sig : script_stack) {
            for (size_t i = next_key; i < num_keys; ++i) {
                const Bytes& pubkey = sol[i + 1];
                if (data.signatures.count(KeyIdOf(pubkey)) ||
                    extractor.CheckECDSASignature(sig, pubkey, next, sigversion)) {
                    next_key = i + 1;
                    break;
                }
            }
        }
    }
    return data;
}

void UpdateInput(consensus::TxIn& input, const SignatureData& sigdata)
{
    input.script_sig = sigdata.script_sig;
    input.witness = sigdata.script_witness;
}

bool SignTransaction(consensus::MutableTransaction& tx, const SigningProvider& provider,
                     const std::map<consensus::OutPoint, consensus::Coin>& coins, int hash_type,
                     std::map<int, std::string>& input_errors)
{
    const bool hash_single = (hash_type & ~consensus::SIGHASH_ANYONECANPAY) == consensus::SIGHASH_SINGLE;
    const consensus::Transaction tx_const(tx);
    // BIP-341 hashes need every spent output; without them only non-taproot inputs sign.
    consensus::PrecomputedTransactionData txdata;
    std::vector<consensus::TxOut> spent;
    for (const auto& txin : tx.vin) {
        auto it = coins.find(txin.prevout);
        if (it == coins.end() || it->second.IsSpent()) break;
        spent.push_back(it->second.out);
    }
    if (spent.size() == tx.vin.size()) {
        txdata.Init(tx_const, std::move(spent), /*force=*/true);
    } else {
        txdata.Init(tx_const, {}, /*force=*/true);
    }

    for (unsigned i = 0; i < tx.vin.size(); ++i) {
        consensus::TxIn& txin = tx.vin[i];
        auto it = coins.find(txin.prevout);
        if (it == coins.end() || it->second.IsSpent()) {
            input_errors[static_cast<int>(i)] = "Input not found or already spent";
            continue;
        }
        const consensus::TxOut& prev = it->second.out;
        SignatureData sigdata = DataFromTransaction(tx, i, prev);
        // SIGHASH_SINGLE needs an output at the same index.
        if (!hash_single || i < tx.vout.size()) {
            ProduceSignature(provider, TransactionSignatureCreator(tx, i, prev.value, &txdata, hash_type),
                             prev.script_pubkey, sigdata);
        }
        UpdateInput(txin, sigdata);
        // A witness signature commits to the amount, which must have been given.
        if (prev.value == consensus::MAX_MONEY && !txin.witness.IsNull()) {
            input_errors[static_cast<int>(i)] = "Missing amount";
            continue;
        }
        consensus::ScriptError serror = consensus::ScriptError::OK;
        const consensus::TransactionSignatureChecker checker(&tx_const, i, prev.value, txdata,
                                                             consensus::MissingDataBehavior::FAIL);
        if (!sigdata.complete && !consensus::VerifyScript(txin.script_sig, prev.script_pubkey, &txin.witness,
                                                          SIGNING_VERIFY_FLAGS, checker, &serror)) {
            if (serror == consensus::ScriptError::INVALID_STACK_OPERATION) {
                input_errors[static_cast<int>(i)] = "Unable to sign input, invalid stack size (possibly missing key)";
            } else if (serror == consensus::ScriptError::SIG_NULLFAIL) {
                input_errors[static_cast<int>(i)] =
                    "CHECK(MULTI)SIG failing with non-zero signature (possibly need more signatures)";
            } else {
                input_errors[static_cast<int>(i)] = consensus::ScriptErrorString(serror);
            }
        } else {
            input_errors.erase(static_cast<int>(i));
        }
    }
    return input_errors.empty();
}

namespace {
const std::pair<int, const char*> SIGHASH_NAMES[] = {
    {consensus::SIGHASH_DEFAULT, "DEFAULT"},
    {consensus::SIGHASH_ALL, "ALL"},
    {consensus::SIGHASH_ALL | consensus::SIGHASH_ANYONECANPAY, "ALL|ANYONECANPAY"},
    {consensus::SIGHASH_NONE, "NONE"},
    {consensus::SIGHASH_NONE | consensus::SIGHASH_ANYONECANPAY, "NONE|ANYONECANPAY"},
    {consensus::SIGHASH_SINGLE, "SINGLE"},
    {consensus::SIGHASH_SINGLE | consensus::SIGHASH_ANYONECANPAY, "SINGLE|ANYONECANPAY"},
};
} // namespace

std::optional<int> SighashFromStr(const std::string& str)
{
    for (const auto& [type, name] : SIGHASH_NAMES) {
        if (str == name) return type;
    }
    return std::nullopt;
}

std::string SighashToStr(int hash_type)
{
    for (const auto& [type, name] : SIGHASH_NAMES) {
        if (hash_type == type && type != consensus::SIGHASH_DEFAULT) return name;
    }
    return "";
}

} // namespace common
