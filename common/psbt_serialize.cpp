// Reading the PSBT wire format (BIP-174 key-value maps; BIP-370 version 2; BIP-371 taproot and
// BIP-373 MuSig2 fields) with Core's checks and messages; psbt_write.cpp writes it.
#include "common/psbt.h"

#include "consensus/hex.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/pubkey.h"
#include "consensus/serialize.h"
#include "util/strencodings.h"

#include <algorithm>
#include <cstring>

namespace common {

using consensus::ByteReader;
using consensus::ByteWriter;
using consensus::DecodeError;
using consensus::Uint160;
using consensus::Uint256;

bool ExtPubKeyLess::operator()(const ExtPubKeyBytes& a, const ExtPubKeyBytes& b) const
{
    // version(4) depth(1) parent fingerprint(4) child(4) chain code(32) key(33)
    const int k = std::memcmp(a.data() + 45, b.data() + 45, 33);
    if (k != 0) return k < 0;
    const int c = std::memcmp(a.data() + 13, b.data() + 13, 32);
    if (c != 0) return c < 0;
    return a < b;
}

namespace {

using consensus::IsFullyValidPubKey;

[[noreturn]] void Fail(const std::string& msg) { throw DecodeError(msg); }

/** A CompactSize-prefixed byte string, its length checked against what remains before copying. */
Bytes ReadVec(ByteReader& r)
{
    const uint64_t n = consensus::ReadCompactSize(r);
    if (n > r.Remaining()) Fail("DataStream::read(): end of data");
    auto s = r.ReadSpan(static_cast<size_t>(n));
    return Bytes(s.begin(), s.end());
}

/** Core's UnserializeFromVector: a length, then exactly that many bytes read by f from r. */
template <typename F>
void ReadValue(ByteReader& r, F&& f)
{
    const uint64_t expected = consensus::ReadCompactSize(r);
    const size_t before = r.Remaining();
    f(r);
    if (before - r.Remaining() != expected) Fail("Size of value was not the stated size");
}

uint32_t ReadU32Value(ByteReader& r)
{
    uint32_t v = 0;
    ReadValue(r, [&](ByteReader& in) { v = consensus::ReadLE32(in); });
    return v;
}

template <size_t N>
std::array<uint8_t, N> ToArray(std::span<const uint8_t> s)
{
    std::array<uint8_t, N> a{};
    std::copy(s.begin(), s.begin() + N, a.begin());
    return a;
}

Uint256 ToU256(std::span<const uint8_t> s)
{
    Uint256 h;
    std::copy(s.begin(), s.begin() + 32, h.begin());
    return h;
}

Uint160 ToU160(std::span<const uint8_t> s)
{
    Uint160 h;
    std::copy(s.begin(), s.begin() + 20, h.begin());
    return h;
}

void ExpectedKeySize(const std::string& name, const Bytes& key, size_t size)
{
    if (key.size() != size) Fail("Size of key was not " + std::to_string(size) + " for the type " + name);
}

KeyOrigin ReadKeyOrigin(ByteReader& r, uint64_t length)
{
    if (length % 4 || length == 0) Fail("Invalid length for HD key path");
    if (length > r.Remaining()) Fail("DataStream::read(): end of data");
    KeyOrigin o;
    r.Read(o.fingerprint);
    for (uint64_t i = 4; i < length; i += 4) o.path.push_back(consensus::ReadLE32(r));
    return o;
}

void ReadHdKeypath(ByteReader& r, const Bytes& key, std::map<Bytes, KeyOrigin>& out)
{
    if (key.size() != 66 && key.size() != 34) Fail("Size of key was not the expected size for the type BIP32 keypath");
    Bytes pubkey(key.begin() + 1, key.end());
    if (!IsFullyValidPubKey(pubkey)) Fail("Invalid pubkey");
    KeyOrigin o = ReadKeyOrigin(r, consensus::ReadCompactSize(r));
    out.emplace(std::move(pubkey), std::move(o));
}

/** The leaf hashes then the origin of a taproot BIP-32 derivation value. */
std::pair<std::set<Uint256>, KeyOrigin> ReadTapKeypath(ByteReader& r, const std::string& what)
{
    const uint64_t value_len = consensus::ReadCompactSize(r);
    const size_t before = r.Remaining();
    const uint64_t count = consensus::ReadCompactSize(r);
    if (count > r.Remaining() / 32) Fail("DataStream::read(): end of data");
    std::set<Uint256> hashes;
    for (uint64_t i = 0; i < count; ++i) hashes.insert(ToU256(r.ReadSpan(32)));
    const size_t hashes_len = before - r.Remaining();
    if (hashes_len > value_len) Fail(what + " Taproot BIP32 keypath has an invalid length");
    return {std::move(hashes), ReadKeyOrigin(r, value_len - hashes_len)};
}

void ReadMusigParticipants(ByteReader& r, const Bytes& key, std::map<Bytes, std::vector<Bytes>>& out,
                           const std::string& context)
{
    Bytes agg(key.begin() + 1, key.end());
    if (!IsFullyValidPubKey(agg) || agg.size() != 33) Fail(context + " musig2 aggregate pubkey is invalid");
    const Bytes val = ReadVec(r);
    std::vector<Bytes> parts;
    size_t pos = 0;
    for (; pos + 33 <= val.size(); pos += 33) {
        Bytes p(val.begin() + static_cast<long>(pos), val.begin() + static_cast<long>(pos + 33));
        if (!IsFullyValidPubKey(p)) Fail(context + " musig2 participant pubkey is invalid");
        parts.push_back(std::move(p));
    }
    if (pos != val.size()) Fail(context + " musig2 participants pubkeys value size is not a multiple of 33");
    out.emplace(std::move(agg), std::move(parts));
}

/** (aggregate key, participant key, leaf hash) of a MuSig2 nonce or partial signature key. */
void ReadMusigIds(const Bytes& key, Bytes& agg, Bytes& part, Uint256& leaf)
{
    part.assign(key.begin() + 1, key.begin() + 34);
    agg.assign(key.begin() + 34, key.begin() + 67);
    if (!IsFullyValidPubKey(agg) || agg[0] == 4) Fail("musig2 aggregate pubkey is invalid");
    if (!IsFullyValidPubKey(part) || part[0] == 4) Fail("musig2 participant pubkey is invalid");
    leaf = key.size() > 67 ? ToU256(std::span<const uint8_t>(key).subspan(67)) : Uint256();
}

bool IsValidSigEncoding(const Bytes& sig)
{
    // Core's CheckSignatureEncoding with DERSIG|STRICTENC: strict DER and a defined hash type.
    if (sig.empty() || !consensus::IsValidSignatureEncoding(sig)) return false;
    const uint8_t ht = sig.back() & ~consensus::SIGHASH_ANYONECANPAY;
    return ht >= consensus::SIGHASH_ALL && ht <= consensus::SIGHASH_SINGLE;
}

void ReadInput(ByteReader& r, PsbtInput& in)
{
    std::set<Bytes> seen;
    bool found_sep = false, found_txid = false, found_index = false;
    const bool v0 = in.version < 2;
    while (!r.Empty()) {
        Bytes key = ReadVec(r);
        if (key.empty()) {
            found_sep = true;
            break;
        }
        if (!seen.insert(key).second) {
            Fail("Duplicate Key, input key \"" + consensus::HexStr(key) + "\" already provided");
        }
        ByteReader skey(key);
        const uint64_t type = consensus::ReadCompactSize(skey);
        switch (type) {
        case PSBT_IN_NON_WITNESS_UTXO:
            ExpectedKeySize("Input Non-witness UTXO", key, 1);
            ReadValue(r, [&](ByteReader& v) {
                in.non_witness_utxo = std::make_shared<const consensus::Transaction>(
                    consensus::MutableTransaction::Deserialize(v, consensus::TxWitness::WITH));
            });
            break;
        case PSBT_IN_WITNESS_UTXO:
            ExpectedKeySize("Input Witness UTXO", key, 1);
            ReadValue(r, [&](ByteReader& v) { in.witness_utxo = consensus::TxOut::Deserialize(v); });
            break;
        case PSBT_IN_PARTIAL_SIG: {
            if (key.size() != 66 && key.size() != 34) {
                Fail("Size of key was not the expected size for the type partial signature pubkey");
            }
            Bytes pubkey(key.begin() + 1, key.end());
            if (!IsFullyValidPubKey(pubkey)) Fail("Invalid pubkey");
            Bytes sig = ReadVec(r);
            if (!IsValidSigEncoding(sig)) Fail("Signature is not a valid encoding");
            const KeyId id = KeyIdOf(pubkey);
            in.partial_sigs.emplace(id, SigPair(std::move(pubkey), std::move(sig)));
            break;
        }
        case PSBT_IN_SIGHASH:
            ExpectedKeySize("Input Sighash Type", key, 1);
            in.sighash_type = static_cast<int>(ReadU32Value(r));
            break;
        case PSBT_IN_REDEEMSCRIPT:
            ExpectedKeySize("Input redeemScript", key, 1);
            in.redeem_script = consensus::Script(ReadVec(r));
            break;
        case PSBT_IN_WITNESSSCRIPT:
            ExpectedKeySize("Input witnessScript", key, 1);
            in.witness_script = consensus::Script(ReadVec(r));
            break;
        case PSBT_IN_BIP32_DERIVATION: ReadHdKeypath(r, key, in.hd_keypaths); break;
        case PSBT_IN_SCRIPTSIG:
            ExpectedKeySize("Input Final scriptSig", key, 1);
            in.final_script_sig = consensus::Script(ReadVec(r));
            break;
        case PSBT_IN_SCRIPTWITNESS:
            ExpectedKeySize("Input Final scriptWitness", key, 1);
            ReadValue(r, [&](ByteReader& v) {
                const uint64_t n = consensus::ReadCompactSize(v);
                if (n > v.Remaining()) Fail("DataStream::read(): end of data");
                in.final_script_witness.stack.clear();
                for (uint64_t i = 0; i < n; ++i) in.final_script_witness.stack.push_back(ReadVec(v));
            });
            break;
        case PSBT_IN_RIPEMD160:
            ExpectedKeySize("Input RIPEMD160 Preimage", key, 21);
            in.ripemd160_preimages.emplace(ToU160(std::span<const uint8_t>(key).subspan(1)), ReadVec(r));
            break;
        case PSBT_IN_SHA256:
            ExpectedKeySize("Input SHA256 Preimage", key, 33);
            in.sha256_preimages.emplace(ToU256(std::span<const uint8_t>(key).subspan(1)), ReadVec(r));
            break;
        case PSBT_IN_HASH160:
            ExpectedKeySize("Input Hash160 Preimage", key, 21);
            in.hash160_preimages.emplace(ToU160(std::span<const uint8_t>(key).subspan(1)), ReadVec(r));
            break;
        case PSBT_IN_HASH256:
            ExpectedKeySize("Input Hash256 Preimage", key, 33);
            in.hash256_preimages.emplace(ToU256(std::span<const uint8_t>(key).subspan(1)), ReadVec(r));
            break;
        case PSBT_IN_PREVIOUS_TXID:
            ExpectedKeySize("Input Previous TXID", key, 1);
            if (v0) Fail("Previous txid is not allowed in PSBTv0");
            ReadValue(r, [&](ByteReader& v) { in.prev_txid = ToU256(v.ReadSpan(32)); });
            found_txid = true;
            break;
        case PSBT_IN_OUTPUT_INDEX:
            ExpectedKeySize("Input Previous Output's Index", key, 1);
            if (v0) Fail("Previous output's index is not allowed in PSBTv0");
            in.prev_out = ReadU32Value(r);
            found_index = true;
            break;
        case PSBT_IN_SEQUENCE:
            ExpectedKeySize("Input Sequence", key, 1);
            if (v0) Fail("Sequence is not allowed in PSBTv0");
            in.sequence = ReadU32Value(r);
            break;
        case PSBT_IN_REQUIRED_TIME_LOCKTIME:
            ExpectedKeySize("Input Required Time Based Locktime", key, 1);
            if (v0) Fail("Required time based locktime is not allowed in PSBTv0");
            in.time_locktime = ReadU32Value(r);
            if (*in.time_locktime < consensus::LOCKTIME_THRESHOLD) {
                Fail("Required time based locktime is invalid (less than 500000000)");
            }
            break;
        case PSBT_IN_REQUIRED_HEIGHT_LOCKTIME:
            ExpectedKeySize("Input Required Height Based Locktime", key, 1);
            if (v0) Fail("Required height based locktime is not allowed in PSBTv0");
            in.height_locktime = ReadU32Value(r);
            if (*in.height_locktime >= consensus::LOCKTIME_THRESHOLD) {
                Fail("Required height based locktime is invalid (greater than or equal to 500000000)");
            } else if (*in.height_locktime == 0) {
                Fail("Required height based locktime is invalid (0)");
            }
            break;
        case PSBT_IN_TAP_KEY_SIG:
            ExpectedKeySize("Input Taproot Key Path Signature", key, 1);
            in.tap_key_sig = ReadVec(r);
            if (in.tap_key_sig.size() < 64) Fail("Input Taproot key path signature is shorter than 64 bytes");
            if (in.tap_key_sig.size() > 65) Fail("Input Taproot key path signature is longer than 65 bytes");
            break;
        case PSBT_IN_TAP_SCRIPT_SIG: {
            ExpectedKeySize("Input Taproot Script Path Signature", key, 65);
            const auto xonly = ToArray<32>(std::span<const uint8_t>(key).subspan(1));
            const Uint256 leaf = ToU256(std::span<const uint8_t>(key).subspan(33));
            Bytes sig = ReadVec(r);
            if (sig.size() < 64) Fail("Input Taproot script path signature is shorter than 64 bytes");
            if (sig.size() > 65) Fail("Input Taproot script path signature is longer than 65 bytes");
            in.tap_script_sigs.emplace(std::make_pair(xonly, leaf), std::move(sig));
            break;
        }
        case PSBT_IN_TAP_LEAF_SCRIPT: {
            if (key.size() < 34) Fail("Input Taproot leaf script key is not at least 34 bytes");
            if ((key.size() - 2) % 32 != 0) Fail("Input Taproot leaf script key's control block size is not valid");
            Bytes script = ReadVec(r);
            if (script.empty()) Fail("Input Taproot leaf script must be at least 1 byte");
            const int leaf_ver = script.back();
            script.pop_back();
            in.tap_scripts[{std::move(script), leaf_ver}].insert(Bytes(key.begin() + 1, key.end()));
            break;
        }
        case PSBT_IN_TAP_BIP32_DERIVATION: {
            ExpectedKeySize("Input Taproot BIP32 Keypath", key, 33);
            const auto xonly = ToArray<32>(std::span<const uint8_t>(key).subspan(1));
            in.tap_bip32_paths.emplace(xonly, ReadTapKeypath(r, "Input"));
            break;
        }
        case PSBT_IN_TAP_INTERNAL_KEY:
            ExpectedKeySize("Input Taproot Internal Key", key, 1);
            ReadValue(r, [&](ByteReader& v) { in.tap_internal_key = ToArray<32>(v.ReadSpan(32)); });
            break;
        case PSBT_IN_TAP_MERKLE_ROOT:
            ExpectedKeySize("Input Taproot Merkle Root", key, 1);
            ReadValue(r, [&](ByteReader& v) { in.tap_merkle_root = ToU256(v.ReadSpan(32)); });
            break;
        case PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS:
            ExpectedKeySize("Input MuSig2 Participants Pubkeys", key, 34);
            ReadMusigParticipants(r, key, in.musig2_participants, "Input");
            break;
        case PSBT_IN_MUSIG2_PUB_NONCE: {
            if (key.size() != 67 && key.size() != 99) {
                Fail("Input musig2 pubnonce key is not expected size of 67 or 99 bytes");
            }
            Bytes agg, part;
            Uint256 leaf;
            ReadMusigIds(key, agg, part, leaf);
            Bytes nonce = ReadVec(r);
            if (nonce.size() != 66) Fail("Input musig2 pubnonce value is not 66 bytes");
            in.musig2_pubnonces[{agg, leaf}].emplace(part, std::move(nonce));
            break;
        }
        case PSBT_IN_MUSIG2_PARTIAL_SIG: {
            if (key.size() != 67 && key.size() != 99) {
                Fail("Input musig2 partial sig key is not expected size of 67 or 99 bytes");
            }
            Bytes agg, part;
            Uint256 leaf;
            ReadMusigIds(key, agg, part, leaf);
            Uint256 psig;
            ReadValue(r, [&](ByteReader& v) { psig = ToU256(v.ReadSpan(32)); });
            in.musig2_partial_sigs[{agg, leaf}].emplace(part, psig);
            break;
        }
        case PSBT_IN_PROPRIETARY: {
            PsbtProprietary p;
            p.identifier = ReadVec(skey);
            p.subtype = consensus::ReadCompactSize(skey);
            p.key = key;
            p.value = ReadVec(r);
            in.proprietary.insert(std::move(p));
            break;
        }
        default: in.unknown.emplace(std::move(key), ReadVec(r)); break;
        }
    }
    if (!found_sep) Fail("Separator is missing at the end of an input map");
    if (!v0) {
        if (!found_txid) Fail("Previous TXID is required in PSBTv2");
        if (!found_index) Fail("Previous output's index is required in PSBTv2");
    }
}

/** Core's TaprootBuilder check of PSBT_OUT_TAP_TREE: the depths, in order, form a complete tree (BIP-371). */
bool TreeIsComplete(const std::vector<std::tuple<uint8_t, uint8_t, Bytes>>& leaves)
{
    // branch[d]: a finished subtree waits at depth d for its sibling.
    std::vector<bool> branch;
    for (const auto& leaf : leaves) {
        size_t depth = std::get<0>(leaf);
        if (depth + 1 < branch.size()) return false;
        while (branch.size() > depth && branch[depth]) {
            branch.pop_back();
            if (depth == 0) return false; // nothing above the root
            --depth;
        }
        if (branch.size() <= depth) branch.resize(depth + 1, false);
        branch[depth] = true;
    }
    return branch.size() == 1 && branch[0];
}

void ReadOutput(ByteReader& r, PsbtOutput& out)
{
    std::set<Bytes> seen;
    bool found_sep = false, found_amount = false, found_script = false;
    const bool v0 = out.version < 2;
    while (!r.Empty()) {
        Bytes key = ReadVec(r);
        if (key.empty()) {
            found_sep = true;
            break;
        }
        if (!seen.insert(key).second) {
            Fail("Duplicate Key, output key \"" + consensus::HexStr(key) + "\" already provided");
        }
        ByteReader skey(key);
        const uint64_t type = consensus::ReadCompactSize(skey);
        switch (type) {
        case PSBT_OUT_REDEEMSCRIPT:
            ExpectedKeySize("Output redeemScript", key, 1);
            out.redeem_script = consensus::Script(ReadVec(r));
            break;
        case PSBT_OUT_WITNESSSCRIPT:
            ExpectedKeySize("Output witnessScript", key, 1);
            out.witness_script = consensus::Script(ReadVec(r));
            break;
        case PSBT_OUT_BIP32_DERIVATION: ReadHdKeypath(r, key, out.hd_keypaths); break;
        case PSBT_OUT_AMOUNT:
            ExpectedKeySize("Output Amount", key, 1);
            if (v0) Fail("Output amount is not allowed in PSBTv0");
            ReadValue(r, [&](ByteReader& v) {
                out.amount = consensus::Amount{static_cast<int64_t>(consensus::ReadLE64(v))};
            });
            found_amount = true;
            break;
        case PSBT_OUT_SCRIPT:
            ExpectedKeySize("Output Script", key, 1);
            if (v0) Fail("Output script is not allowed in PSBTv0");
            out.script = consensus::Script(ReadVec(r));
            found_script = true;
            break;
        case PSBT_OUT_TAP_INTERNAL_KEY:
            ExpectedKeySize("Output Taproot Internal Key", key, 1);
            ReadValue(r, [&](ByteReader& v) { out.tap_internal_key = ToArray<32>(v.ReadSpan(32)); });
            break;
        case PSBT_OUT_TAP_TREE: {
            ExpectedKeySize("Output Taproot Tree Key", key, 1);
            const Bytes tree = ReadVec(r);
            ByteReader t(tree);
            if (t.Empty()) Fail("Output Taproot tree must not be empty");
            out.tap_tree.clear();
            while (!t.Empty()) {
                const uint8_t depth = consensus::ReadLE8(t);
                const uint8_t leaf_ver = consensus::ReadLE8(t);
                Bytes script = ReadVec(t);
                if (depth > consensus::TAPROOT_CONTROL_MAX_NODE_COUNT) {
                    Fail("Output Taproot tree has as leaf greater than Taproot maximum depth");
                }
                if ((leaf_ver & ~consensus::TAPROOT_LEAF_MASK) != 0) {
                    Fail("Output Taproot tree has a leaf with an invalid leaf version");
                }
                out.tap_tree.emplace_back(depth, leaf_ver, std::move(script));
            }
            if (!TreeIsComplete(out.tap_tree)) Fail("Output Taproot tree is malformed");
            break;
        }
        case PSBT_OUT_TAP_BIP32_DERIVATION: {
            ExpectedKeySize("Output Taproot BIP32 Keypath", key, 33);
            const auto xonly = ToArray<32>(std::span<const uint8_t>(key).subspan(1));
            out.tap_bip32_paths.emplace(xonly, ReadTapKeypath(r, "Output"));
            break;
        }
        case PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS:
            ExpectedKeySize("Output MuSig2 Participants Pubkeys", key, 34);
            ReadMusigParticipants(r, key, out.musig2_participants, "Output");
            break;
        case PSBT_OUT_PROPRIETARY: {
            PsbtProprietary p;
            p.identifier = ReadVec(skey);
            p.subtype = consensus::ReadCompactSize(skey);
            p.key = key;
            p.value = ReadVec(r);
            out.proprietary.insert(std::move(p));
            break;
        }
        default: out.unknown.emplace(std::move(key), ReadVec(r)); break;
        }
    }
    if (!found_sep) Fail("Separator is missing at the end of an output map");
    if (!v0) {
        if (!found_amount) Fail("Output amount is required in PSBTv2");
        if (!found_script) Fail("Output script is required in PSBTv2");
    }
}

void ReadPsbt(ByteReader& r, Psbt& psbt)
{
    static constexpr uint8_t MAGIC[5] = {'p', 's', 'b', 't', 0xff};
    if (r.Remaining() < 5 || std::memcmp(r.ReadSpan(5).data(), MAGIC, 5) != 0) Fail("Invalid PSBT magic bytes");
    std::set<Bytes> seen;
    bool found_sep = false, found_in_count = false, found_out_count = false, found_tx_version = false,
         found_fallback = false;
    std::optional<consensus::MutableTransaction> tx;
    uint64_t in_count = 0, out_count = 0;
    while (!r.Empty()) {
        Bytes key = ReadVec(r);
        if (key.empty()) {
            found_sep = true;
            break;
        }
        if (!seen.insert(key).second) {
            Fail("Duplicate Key, global key \"" + consensus::HexStr(key) + "\" already provided");
        }
        ByteReader skey(key);
        const uint64_t type = consensus::ReadCompactSize(skey);
        switch (type) {
        case PSBT_GLOBAL_UNSIGNED_TX:
            ExpectedKeySize("Global Unsigned TX", key, 1);
            ReadValue(r, [&](ByteReader& v) {
                tx = consensus::MutableTransaction::Deserialize(v, consensus::TxWitness::WITHOUT);
            });
            for (const auto& in : tx->vin) {
                if (!in.script_sig.empty() || !in.witness.IsNull()) {
                    Fail("Unsigned tx does not have empty scriptSigs and scriptWitnesses.");
                }
            }
            psbt.tx_version = tx->version;
            psbt.fallback_locktime = tx->locktime;
            in_count = tx->vin.size();
            out_count = tx->vout.size();
            break;
        case PSBT_GLOBAL_TX_VERSION:
            ExpectedKeySize("Global Transaction Version", key, 1);
            psbt.tx_version = ReadU32Value(r);
            found_tx_version = true;
            break;
        case PSBT_GLOBAL_FALLBACK_LOCKTIME:
            ExpectedKeySize("Global Fallback Locktime", key, 1);
            psbt.fallback_locktime = ReadU32Value(r);
            found_fallback = true;
            break;
        case PSBT_GLOBAL_INPUT_COUNT:
            ExpectedKeySize("Global Input Count", key, 1);
            ReadValue(r, [&](ByteReader& v) { in_count = consensus::ReadCompactSize(v); });
            found_in_count = true;
            break;
        case PSBT_GLOBAL_OUTPUT_COUNT:
            ExpectedKeySize("Global Output Count", key, 1);
            ReadValue(r, [&](ByteReader& v) { out_count = consensus::ReadCompactSize(v); });
            found_out_count = true;
            break;
        case PSBT_GLOBAL_TX_MODIFIABLE:
            ExpectedKeySize("Global TX Modifiable Flags", key, 1);
            ReadValue(r, [&](ByteReader& v) { psbt.tx_modifiable = consensus::ReadLE8(v); });
            break;
        case PSBT_GLOBAL_XPUB: {
            ExpectedKeySize("Global XPUB", key, 79);
            const auto xpub = ToArray<78>(std::span<const uint8_t>(key).subspan(1));
            if (!IsFullyValidPubKey(std::span<const uint8_t>(xpub).subspan(45))) Fail("Invalid pubkey");
            KeyOrigin origin = ReadKeyOrigin(r, consensus::ReadCompactSize(r));
            psbt.xpubs[std::move(origin)].insert(xpub);
            break;
        }
        case PSBT_GLOBAL_VERSION:
            ExpectedKeySize("Global PSBT Version", key, 1);
            psbt.version_field = ReadU32Value(r);
            if (*psbt.version_field > PSBT_HIGHEST_VERSION) Fail("Unsupported version number");
            break;
        case PSBT_GLOBAL_PROPRIETARY: {
            PsbtProprietary p;
            p.identifier = ReadVec(skey);
            p.subtype = consensus::ReadCompactSize(skey);
            p.key = key;
            p.value = ReadVec(r);
            psbt.proprietary.insert(std::move(p));
            break;
        }
        default: psbt.unknown.emplace(std::move(key), ReadVec(r)); break;
        }
    }
    if (!found_sep) Fail("Separator is missing at the end of the global map");
    const uint32_t ver = psbt.GetVersion();
    if (ver == 0) {
        if (!tx) Fail("No unsigned transaction was provided");
        if (found_tx_version) Fail("PSBT_GLOBAL_TX_VERSION is not allowed in PSBTv0");
        if (found_fallback) Fail("PSBT_GLOBAL_FALLBACK_LOCKTIME is not allowed in PSBTv0");
        if (found_in_count) Fail("PSBT_GLOBAL_INPUT_COUNT is not allowed in PSBTv0");
        if (found_out_count) Fail("PSBT_GLOBAL_OUTPUT_COUNT is not allowed in PSBTv0");
        if (psbt.tx_modifiable) Fail("PSBT_GLOBAL_TX_MODIFIABLE is not allowed in PSBTv0");
    }
    if (ver == 1) Fail("There is no PSBT version 1");
    if (ver == 2) {
        if (!found_tx_version) Fail("PSBT_GLOBAL_TX_VERSION is required in PSBTv2");
        if (!found_in_count) Fail("PSBT_GLOBAL_INPUT_COUNT is required in PSBTv2");
        if (!found_out_count) Fail("PSBT_GLOBAL_OUTPUT_COUNT is required in PSBTv2");
        if (tx) Fail("PSBT_GLOBAL_UNSIGNED_TX is not allowed in PSBTv2");
    }
    // Each map has at least its separator, so the counts are bounded by what remains.
    for (uint64_t i = 0; !r.Empty() && i < in_count; ++i) {
        PsbtInput in;
        in.version = ver;
        if (ver < 2) {
            in.prev_txid = tx->vin[i].prevout.hash;
            in.prev_out = tx->vin[i].prevout.n;
            in.sequence = tx->vin[i].sequence;
        }
        ReadInput(r, in);
        if (in.non_witness_utxo) {
            if (in.non_witness_utxo->GetTxid() != in.prev_txid) Fail("Non-witness UTXO does not match outpoint hash");
            if (in.prev_out >= in.non_witness_utxo->vout.size()) {
                Fail("Input specifies output index that does not exist");
            }
        }
        psbt.inputs.push_back(std::move(in));
    }
    if (psbt.inputs.size() != in_count) Fail("Inputs provided does not match the number of inputs in transaction.");
    for (uint64_t i = 0; !r.Empty() && i < out_count; ++i) {
        PsbtOutput out;
        out.version = ver;
        if (ver < 2) {
            out.amount = tx->vout[i].value;
            out.script = tx->vout[i].script_pubkey;
        }
        ReadOutput(r, out);
        psbt.outputs.push_back(std::move(out));
    }
    if (psbt.outputs.size() != out_count) {
        Fail("Outputs provided does not match the number of outputs in transaction.");
    }
}

} // namespace

bool DecodeRawPsbt(std::span<const uint8_t> data, Psbt& psbt, std::string& error)
{
    Psbt parsed;
    try {
        ByteReader r(data);
        ReadPsbt(r, parsed);
        if (!r.Empty()) {
            error = "extra data after PSBT";
            return false;
        }
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
    psbt = std::move(parsed);
    return true;
}

bool DecodeBase64Psbt(const std::string& base64, Psbt& psbt, std::string& error)
{
    const auto raw = util::DecodeBase64(base64);
    if (!raw) {
        error = "invalid base64";
        return false;
    }
    return DecodeRawPsbt(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(raw->data()), raw->size()), psbt,
                         error);
}

} // namespace common
