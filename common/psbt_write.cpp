// Writing the PSBT wire format in Core's field order, so that a PSBT Core wrote reads
// (psbt_serialize.cpp) and writes back byte for byte.
#include "common/psbt.h"

#include "consensus/serialize.h"
#include "util/strencodings.h"

namespace common {

using consensus::ByteWriter;
using consensus::Uint256;

namespace {

void PutVec(ByteWriter& w, std::span<const uint8_t> b)
{
    consensus::WriteCompactSize(w, b.size());
    w.Write(b);
}

/** A key of one type byte followed by data. */
void WriteKey(ByteWriter& w, uint8_t type, std::span<const uint8_t> data = {}, std::span<const uint8_t> more = {},
              std::span<const uint8_t> more2 = {})
{
    consensus::WriteCompactSize(w, 1 + data.size() + more.size() + more2.size());
    consensus::WriteLE8(w, type);
    w.Write(data);
    w.Write(more);
    w.Write(more2);
}

void WriteU32Value(ByteWriter& w, uint32_t v)
{
    consensus::WriteCompactSize(w, 4);
    consensus::WriteLE32(w, v);
}

void WriteCompactValue(ByteWriter& w, uint64_t n)
{
    consensus::WriteCompactSize(w, consensus::CompactSizeLen(n));
    consensus::WriteCompactSize(w, n);
}

template <typename T>
void WriteSerializedValue(ByteWriter& w, const T& obj)
{
    Bytes tmp;
    ByteWriter tw(tmp);
    obj.Serialize(tw);
    PutVec(w, tmp);
}

void WriteOrigin(ByteWriter& w, const KeyOrigin& o)
{
    w.Write(o.fingerprint);
    for (uint32_t step : o.path) consensus::WriteLE32(w, step);
}

void WriteHdKeypaths(ByteWriter& w, const std::map<Bytes, KeyOrigin>& paths, uint8_t type)
{
    for (const auto& [pubkey, origin] : paths) {
        WriteKey(w, type, pubkey);
        consensus::WriteCompactSize(w, (origin.path.size() + 1) * 4);
        WriteOrigin(w, origin);
    }
}

void WriteTapPaths(ByteWriter& w, const std::map<XOnlyKey, std::pair<std::set<Uint256>, KeyOrigin>>& paths,
                   uint8_t type)
{
    for (const auto& [xonly, leaf_origin] : paths) {
        WriteKey(w, type, xonly);
        Bytes value;
        ByteWriter vw(value);
        consensus::WriteCompactSize(vw, leaf_origin.first.size());
        for (const auto& h : leaf_origin.first) vw.Write(h.Span());
        WriteOrigin(vw, leaf_origin.second);
        PutVec(w, value);
    }
}

void WriteMusigParticipants(ByteWriter& w, const std::map<Bytes, std::vector<Bytes>>& parts, uint8_t type)
{
    for (const auto& [agg, list] : parts) {
        WriteKey(w, type, agg);
        Bytes value;
        for (const auto& p : list) value.insert(value.end(), p.begin(), p.end());
        PutVec(w, value);
    }
}

void WriteExtras(ByteWriter& w, const std::set<PsbtProprietary>& prop, const std::map<Bytes, Bytes>& unknown,
                 bool proprietary)
{
    if (proprietary) {
        for (const auto& p : prop) {
            PutVec(w, p.key);
            PutVec(w, p.value);
        }
    }
    for (const auto& [k, v] : unknown) {
        PutVec(w, k);
        PutVec(w, v);
    }
}

void WriteInput(ByteWriter& w, const PsbtInput& in)
{
    if (in.non_witness_utxo) {
        WriteKey(w, PSBT_IN_NON_WITNESS_UTXO);
        Bytes tmp;
        ByteWriter tw(tmp);
        in.non_witness_utxo->Serialize(tw, consensus::TxWitness::WITHOUT);
        PutVec(w, tmp);
    }
    if (!in.witness_utxo.IsNull()) {
        WriteKey(w, PSBT_IN_WITNESS_UTXO);
        WriteSerializedValue(w, in.witness_utxo);
    }
    if (in.final_script_sig.empty() && in.final_script_witness.IsNull()) {
        for (const auto& [id, pair] : in.partial_sigs) {
            WriteKey(w, PSBT_IN_PARTIAL_SIG, pair.first);
            PutVec(w, pair.second);
        }
        if (in.sighash_type) {
            WriteKey(w, PSBT_IN_SIGHASH);
            WriteU32Value(w, static_cast<uint32_t>(*in.sighash_type));
        }
        if (!in.redeem_script.empty()) {
            WriteKey(w, PSBT_IN_REDEEMSCRIPT);
            PutVec(w, in.redeem_script);
        }
        if (!in.witness_script.empty()) {
            WriteKey(w, PSBT_IN_WITNESSSCRIPT);
            PutVec(w, in.witness_script);
        }
        WriteHdKeypaths(w, in.hd_keypaths, PSBT_IN_BIP32_DERIVATION);
        for (const auto& [h, pre] : in.ripemd160_preimages) {
            WriteKey(w, PSBT_IN_RIPEMD160, h.Span());
            PutVec(w, pre);
        }
        for (const auto& [h, pre] : in.sha256_preimages) {
            WriteKey(w, PSBT_IN_SHA256, h.Span());
            PutVec(w, pre);
        }
        for (const auto& [h, pre] : in.hash160_preimages) {
            WriteKey(w, PSBT_IN_HASH160, h.Span());
            PutVec(w, pre);
        }
        for (const auto& [h, pre] : in.hash256_preimages) {
            WriteKey(w, PSBT_IN_HASH256, h.Span());
            PutVec(w, pre);
        }
        if (!in.tap_key_sig.empty()) {
            WriteKey(w, PSBT_IN_TAP_KEY_SIG);
            PutVec(w, in.tap_key_sig);
        }
        for (const auto& [key_leaf, sig] : in.tap_script_sigs) {
            WriteKey(w, PSBT_IN_TAP_SCRIPT_SIG, key_leaf.first, key_leaf.second.Span());
            PutVec(w, sig);
        }
        for (const auto& [leaf, controls] : in.tap_scripts) {
            for (const auto& control : controls) {
                WriteKey(w, PSBT_IN_TAP_LEAF_SCRIPT, control);
                Bytes value = leaf.first;
                value.push_back(static_cast<uint8_t>(leaf.second));
                PutVec(w, value);
            }
        }
        WriteTapPaths(w, in.tap_bip32_paths, PSBT_IN_TAP_BIP32_DERIVATION);
        if (in.tap_internal_key != XOnlyKey{}) {
            WriteKey(w, PSBT_IN_TAP_INTERNAL_KEY);
            PutVec(w, in.tap_internal_key);
        }
        if (!in.tap_merkle_root.IsNull()) {
            WriteKey(w, PSBT_IN_TAP_MERKLE_ROOT);
            PutVec(w, in.tap_merkle_root.Span());
        }
        WriteMusigParticipants(w, in.musig2_participants, PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS);
        for (const auto& [agg_leaf, nonces] : in.musig2_pubnonces) {
            for (const auto& [part, nonce] : nonces) {
                if (agg_leaf.second.IsNull()) {
                    WriteKey(w, PSBT_IN_MUSIG2_PUB_NONCE, part, agg_leaf.first);
                } else {
                    WriteKey(w, PSBT_IN_MUSIG2_PUB_NONCE, part, agg_leaf.first, agg_leaf.second.Span());
                }
                PutVec(w, nonce);
            }
        }
        for (const auto& [agg_leaf, sigs] : in.musig2_partial_sigs) {
            for (const auto& [part, sig] : sigs) {
                if (agg_leaf.second.IsNull()) {
                    WriteKey(w, PSBT_IN_MUSIG2_PARTIAL_SIG, part, agg_leaf.first);
                } else {
                    WriteKey(w, PSBT_IN_MUSIG2_PARTIAL_SIG, part, agg_leaf.first, agg_leaf.second.Span());
                }
                PutVec(w, sig.Span());
            }
        }
    }
    if (!in.final_script_sig.empty()) {
        WriteKey(w, PSBT_IN_SCRIPTSIG);
        PutVec(w, in.final_script_sig);
    }
    if (!in.final_script_witness.IsNull()) {
        WriteKey(w, PSBT_IN_SCRIPTWITNESS);
        WriteSerializedValue(w, in.final_script_witness);
    }
    if (in.version >= 2) {
        WriteKey(w, PSBT_IN_PREVIOUS_TXID);
        PutVec(w, in.prev_txid.Span());
        WriteKey(w, PSBT_IN_OUTPUT_INDEX);
        WriteU32Value(w, in.prev_out);
        if (in.sequence) {
            WriteKey(w, PSBT_IN_SEQUENCE);
            WriteU32Value(w, *in.sequence);
        }
        if (in.time_locktime) {
            WriteKey(w, PSBT_IN_REQUIRED_TIME_LOCKTIME);
            WriteU32Value(w, *in.time_locktime);
        }
        if (in.height_locktime) {
            WriteKey(w, PSBT_IN_REQUIRED_HEIGHT_LOCKTIME);
            WriteU32Value(w, *in.height_locktime);
        }
    }
    WriteExtras(w, in.proprietary, in.unknown, true);
    consensus::WriteLE8(w, 0);
}

void WriteOutput(ByteWriter& w, const PsbtOutput& out)
{
    if (!out.redeem_script.empty()) {
        WriteKey(w, PSBT_OUT_REDEEMSCRIPT);
        PutVec(w, out.redeem_script);
    }
    if (!out.witness_script.empty()) {
        WriteKey(w, PSBT_OUT_WITNESSSCRIPT);
        PutVec(w, out.witness_script);
    }
    WriteHdKeypaths(w, out.hd_keypaths, PSBT_OUT_BIP32_DERIVATION);
    if (out.version >= 2) {
        WriteKey(w, PSBT_OUT_AMOUNT);
        consensus::WriteCompactSize(w, 8);
        consensus::WriteLE64(w, static_cast<uint64_t>(out.amount.sats));
        WriteKey(w, PSBT_OUT_SCRIPT);
        PutVec(w, out.script);
    }
    // Core writes the proprietary entries before the taproot fields of an output.
    for (const auto& p : out.proprietary) {
        PutVec(w, p.key);
        PutVec(w, p.value);
    }
    if (out.tap_internal_key != XOnlyKey{}) {
        WriteKey(w, PSBT_OUT_TAP_INTERNAL_KEY);
        PutVec(w, out.tap_internal_key);
    }
    if (!out.tap_tree.empty()) {
        WriteKey(w, PSBT_OUT_TAP_TREE);
        Bytes value;
        ByteWriter vw(value);
        for (const auto& [depth, ver, script] : out.tap_tree) {
            consensus::WriteLE8(vw, depth);
            consensus::WriteLE8(vw, ver);
            PutVec(vw, script);
        }
        PutVec(w, value);
    }
    WriteTapPaths(w, out.tap_bip32_paths, PSBT_OUT_TAP_BIP32_DERIVATION);
    WriteMusigParticipants(w, out.musig2_participants, PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS);
    WriteExtras(w, out.proprietary, out.unknown, false);
    consensus::WriteLE8(w, 0);
}

} // namespace

Bytes SerializePsbt(const Psbt& psbt)
{
    Bytes out;
    ByteWriter w(out);
    static constexpr uint8_t MAGIC[5] = {'p', 's', 'b', 't', 0xff};
    w.Write(MAGIC);
    const uint32_t ver = psbt.GetVersion();
    if (ver < 2) {
        WriteKey(w, PSBT_GLOBAL_UNSIGNED_TX);
        const auto tx = psbt.GetUnsignedTx();
        Bytes tmp;
        ByteWriter tw(tmp);
        (tx ? *tx : consensus::MutableTransaction()).Serialize(tw, consensus::TxWitness::WITHOUT);
        PutVec(w, tmp);
    }
    for (const auto& [origin, xpubs] : psbt.xpubs) {
        for (const auto& xpub : xpubs) {
            WriteKey(w, PSBT_GLOBAL_XPUB, xpub);
            consensus::WriteCompactSize(w, (origin.path.size() + 1) * 4);
            WriteOrigin(w, origin);
        }
    }
    if (ver >= 2) {
        WriteKey(w, PSBT_GLOBAL_TX_VERSION);
        WriteU32Value(w, psbt.tx_version);
        if (psbt.fallback_locktime) {
            WriteKey(w, PSBT_GLOBAL_FALLBACK_LOCKTIME);
            WriteU32Value(w, *psbt.fallback_locktime);
        }
        WriteKey(w, PSBT_GLOBAL_INPUT_COUNT);
        WriteCompactValue(w, psbt.inputs.size());
        WriteKey(w, PSBT_GLOBAL_OUTPUT_COUNT);
        WriteCompactValue(w, psbt.outputs.size());
        if (psbt.tx_modifiable) {
            WriteKey(w, PSBT_GLOBAL_TX_MODIFIABLE);
            consensus::WriteCompactSize(w, 1);
            consensus::WriteLE8(w, *psbt.tx_modifiable);
        }
    }
    if (ver > 0) {
        WriteKey(w, PSBT_GLOBAL_VERSION);
        WriteU32Value(w, ver);
    }
    WriteExtras(w, psbt.proprietary, psbt.unknown, true);
    consensus::WriteLE8(w, 0);
    for (const auto& in : psbt.inputs) WriteInput(w, in);
    for (const auto& out : psbt.outputs) WriteOutput(w, out);
    return out;
}

std::string EncodeBase64Psbt(const Psbt& psbt)
{
    const Bytes raw = SerializePsbt(psbt);
    return util::EncodeBase64(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

} // namespace common
