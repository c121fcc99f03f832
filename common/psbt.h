// Partially signed transactions (BIP-174 version 0, BIP-370 version 2, with the taproot fields
// of BIP-371 and the MuSig2 fields of BIP-373), as Bitcoin Core keeps them: every input and
// output carries its own outpoint/amount/script (a version 0 PSBT fills them from its unsigned
// transaction), unknown and proprietary entries are kept and written back. Parsing refuses
// every malformed PSBT with Core's message and checks each length before allocating.
// Roles: combine, sign (via common/sign's ProduceSignature), finalize, extract. Pure data
// and functions, any thread.
#pragma once

#include "common/sign.h"
#include "consensus/primitives/transaction.h"
#include "consensus/uint256.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace common {

// Key types (BIP-174, BIP-370, BIP-371, BIP-373).
inline constexpr uint8_t PSBT_GLOBAL_UNSIGNED_TX = 0x00, PSBT_GLOBAL_XPUB = 0x01, PSBT_GLOBAL_TX_VERSION = 0x02,
                         PSBT_GLOBAL_FALLBACK_LOCKTIME = 0x03, PSBT_GLOBAL_INPUT_COUNT = 0x04,
                         PSBT_GLOBAL_OUTPUT_COUNT = 0x05, PSBT_GLOBAL_TX_MODIFIABLE = 0x06, PSBT_GLOBAL_VERSION = 0xfb,
                         PSBT_GLOBAL_PROPRIETARY = 0xfc;
inline constexpr uint8_t PSBT_IN_NON_WITNESS_UTXO = 0x00, PSBT_IN_WITNESS_UTXO = 0x01, PSBT_IN_PARTIAL_SIG = 0x02,
                         PSBT_IN_SIGHASH = 0x03, PSBT_IN_REDEEMSCRIPT = 0x04, PSBT_IN_WITNESSSCRIPT = 0x05,
                         PSBT_IN_BIP32_DERIVATION = 0x06, PSBT_IN_SCRIPTSIG = 0x07, PSBT_IN_SCRIPTWITNESS = 0x08,
                         PSBT_IN_RIPEMD160 = 0x0a, PSBT_IN_SHA256 = 0x0b, PSBT_IN_HASH160 = 0x0c,
                         PSBT_IN_HASH256 = 0x0d, PSBT_IN_PREVIOUS_TXID = 0x0e, PSBT_IN_OUTPUT_INDEX = 0x0f,
                         PSBT_IN_SEQUENCE = 0x10, PSBT_IN_REQUIRED_TIME_LOCKTIME = 0x11,
                         PSBT_IN_REQUIRED_HEIGHT_LOCKTIME = 0x12, PSBT_IN_TAP_KEY_SIG = 0x13,
                         PSBT_IN_TAP_SCRIPT_SIG = 0x14, PSBT_IN_TAP_LEAF_SCRIPT = 0x15,
                         PSBT_IN_TAP_BIP32_DERIVATION = 0x16, PSBT_IN_TAP_INTERNAL_KEY = 0x17,
                         PSBT_IN_TAP_MERKLE_ROOT = 0x18, PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS = 0x1a,
                         PSBT_IN_MUSIG2_PUB_NONCE = 0x1b, PSBT_IN_MUSIG2_PARTIAL_SIG = 0x1c, PSBT_IN_PROPRIETARY = 0xfc;
inline constexpr uint8_t PSBT_OUT_REDEEMSCRIPT = 0x00, PSBT_OUT_WITNESSSCRIPT = 0x01, PSBT_OUT_BIP32_DERIVATION = 0x02,
                         PSBT_OUT_AMOUNT = 0x03, PSBT_OUT_SCRIPT = 0x04, PSBT_OUT_TAP_INTERNAL_KEY = 0x05,
                         PSBT_OUT_TAP_TREE = 0x06, PSBT_OUT_TAP_BIP32_DERIVATION = 0x07,
                         PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS = 0x08, PSBT_OUT_PROPRIETARY = 0xfc;
/** Highest PSBT version understood. */
inline constexpr uint32_t PSBT_HIGHEST_VERSION = 2;

/** A proprietary entry (0xfc): identifier, subtype, and the whole key and value as read. */
struct PsbtProprietary {
    uint64_t subtype{0};
    Bytes identifier;
    Bytes key;
    Bytes value;
    bool operator<(const PsbtProprietary& o) const { return key < o.key; }
    bool operator==(const PsbtProprietary& o) const { return key == o.key; }
};

/** Orders control blocks shortest first (Core's ShortestVectorFirstComparator). */
struct ShortestFirst {
    bool operator()(const Bytes& a, const Bytes& b) const
    {
        if (a.size() != b.size()) return a.size() < b.size();
        return a < b;
    }
};

/** Orders key origins as Core's KeyOriginInfo: fingerprint, then path length, then path. */
struct KeyOriginLess {
    bool operator()(const KeyOrigin& a, const KeyOrigin& b) const
    {
        if (a.fingerprint != b.fingerprint) return a.fingerprint < b.fingerprint;
        if (a.path.size() != b.path.size()) return a.path.size() < b.path.size();
        return a.path < b.path;
    }
};

/** A 78-byte BIP-32 extended public key with its version bytes, ordered as Core's CExtPubKey (key, then chain code). */
using ExtPubKeyBytes = std::array<uint8_t, 78>;
struct ExtPubKeyLess {
    bool operator()(const ExtPubKeyBytes& a, const ExtPubKeyBytes& b) const;
};

using TapLeafKey = std::pair<Bytes, int>; // (script, leaf version)

struct PsbtInput {
    uint32_t version{0}; // the PSBT's version (0 or 2)
    std::shared_ptr<const consensus::Transaction> non_witness_utxo;
    consensus::TxOut witness_utxo; // IsNull() when absent
    consensus::Script redeem_script;
    consensus::Script witness_script;
    consensus::Script final_script_sig;
    consensus::ScriptWitness final_script_witness;
    std::map<Bytes, KeyOrigin> hd_keypaths; // public key -> origin
    std::map<KeyId, SigPair> partial_sigs;
    std::map<consensus::Uint160, Bytes> ripemd160_preimages;
    std::map<consensus::Uint256, Bytes> sha256_preimages;
    std::map<consensus::Uint160, Bytes> hash160_preimages;
    std::map<consensus::Uint256, Bytes> hash256_preimages;
    // The outpoint and sequence (serialized only in version 2).
    consensus::Uint256 prev_txid;
    uint32_t prev_out{0};
    std::optional<uint32_t> sequence;
    std::optional<uint32_t> time_locktime;
    std::optional<uint32_t> height_locktime;
    // Taproot (BIP-371).
    Bytes tap_key_sig;
    std::map<std::pair<XOnlyKey, consensus::Uint256>, Bytes> tap_script_sigs;
    std::map<TapLeafKey, std::set<Bytes, ShortestFirst>> tap_scripts; // leaf -> control blocks
    std::map<XOnlyKey, std::pair<std::set<consensus::Uint256>, KeyOrigin>> tap_bip32_paths;
    XOnlyKey tap_internal_key{};        // all zero when absent
    consensus::Uint256 tap_merkle_root; // null when absent
    // MuSig2 (BIP-373): aggregate key -> participants; (aggregate, leaf hash) -> participant -> data.
    std::map<Bytes, std::vector<Bytes>> musig2_participants;
    std::map<std::pair<Bytes, consensus::Uint256>, std::map<Bytes, Bytes>> musig2_pubnonces;
    std::map<std::pair<Bytes, consensus::Uint256>, std::map<Bytes, consensus::Uint256>> musig2_partial_sigs;
    std::map<Bytes, Bytes> unknown;
    std::set<PsbtProprietary> proprietary;
    std::optional<int> sighash_type;

    consensus::OutPoint GetOutPoint() const;
    /** The spent output from the non-witness UTXO (checked against the outpoint) or the witness UTXO. */
    std::optional<consensus::TxOut> GetUtxo() const;
    /** Core's FillSignatureData: what this input knows, for ProduceSignature. */
    void FillSignatureData(SignatureData& sigdata) const;
    /** Core's FromSignatureData: keeps what signing found (final fields when complete). */
    void FromSignatureData(const SignatureData& sigdata);
    /** Adds what other knows (fields present here are kept). */
    void Merge(const PsbtInput& other);
};

struct PsbtOutput {
    uint32_t version{0};
    consensus::Script redeem_script;
    consensus::Script witness_script;
    std::map<Bytes, KeyOrigin> hd_keypaths;
    XOnlyKey tap_internal_key{};
    std::vector<std::tuple<uint8_t, uint8_t, Bytes>> tap_tree; // (depth, leaf version, script)
    std::map<XOnlyKey, std::pair<std::set<consensus::Uint256>, KeyOrigin>> tap_bip32_paths;
    std::map<Bytes, std::vector<Bytes>> musig2_participants;
    std::map<Bytes, Bytes> unknown;
    std::set<PsbtProprietary> proprietary;
    // The output itself (serialized only in version 2).
    consensus::Amount amount{0};
    consensus::Script script;

    void FillSignatureData(SignatureData& sigdata) const;
    void FromSignatureData(const SignatureData& sigdata);
    void Merge(const PsbtOutput& other);
};

/** A partially signed transaction (Core's PartiallySignedTransaction). */
struct Psbt {
    std::optional<uint32_t> version_field; // PSBT_GLOBAL_VERSION when present
    std::map<KeyOrigin, std::set<ExtPubKeyBytes, ExtPubKeyLess>, KeyOriginLess> xpubs;
    std::optional<uint8_t> tx_modifiable;
    std::vector<PsbtInput> inputs;
    std::vector<PsbtOutput> outputs;
    std::map<Bytes, Bytes> unknown;
    std::set<PsbtProprietary> proprietary;
    uint32_t tx_version{2};
    std::optional<uint32_t> fallback_locktime;

    Psbt() = default;
    /** A PSBT of tx's inputs and outputs (scripts and witnesses dropped) with the given version (0 or 2). */
    explicit Psbt(const consensus::MutableTransaction& tx, uint32_t version = 0);

    uint32_t GetVersion() const { return version_field.value_or(0); }
    /** BIP-370's locktime from the inputs' required locktimes; nullopt if they conflict. */
    std::optional<uint32_t> ComputeTimeLock() const;
    /** The unsigned transaction; nullopt if the locktimes conflict. */
    std::optional<consensus::MutableTransaction> GetUnsignedTx() const;
    /** The txid (version 0) or the txid with sequences zeroed (version 2) that identifies the transaction. */
    std::optional<consensus::Uint256> GetUniqueId() const;
    /** The spent output of input i, if known and consistent. */
    std::optional<consensus::TxOut> GetInputUtxo(size_t i) const;
    /** Core's Merge: false (nothing changed) if other is over another transaction. */
    bool Merge(const Psbt& other);
};

/** Core's DecodeRawPSBT; false with Core's message in error ("extra data after PSBT", ...). */
bool DecodeRawPsbt(std::span<const uint8_t> data, Psbt& psbt, std::string& error);
/** Core's DecodeBase64PSBT: "invalid base64", then DecodeRawPsbt. */
bool DecodeBase64Psbt(const std::string& base64, Psbt& psbt, std::string& error);
Bytes SerializePsbt(const Psbt& psbt);
std::string EncodeBase64Psbt(const Psbt& psbt);

/** Result of signing an input (Core's PSBTError, the part signing uses). */
enum class PsbtError { OK, MISSING_INPUTS, SIGHASH_MISMATCH, INCOMPLETE };

/** The BIP-341 precomputed data of the PSBT's transaction (all spent outputs when every input has a UTXO). */
consensus::PrecomputedTransactionData PrecomputePsbtData(const Psbt& psbt);
/** True when the input has a final scriptSig or witness. */
bool PsbtInputSigned(const PsbtInput& input);
/** True when the input's final fields verify against its UTXO. */
bool PsbtInputSignedAndVerified(const Psbt& psbt, unsigned index, const consensus::PrecomputedTransactionData* txdata);
/**
 * Core's SignPSBTInput: signs input index with provider (txdata null: dummy signatures), using
 * sighash (nullopt: DEFAULT for taproot, ALL otherwise; must match the input's field), keeping
 * partial data, or writing the final fields when finalize and complete. out_sigdata receives the
 * missing keys and scripts.
 */
PsbtError SignPsbtInput(const SigningProvider& provider, Psbt& psbt, unsigned index,
                        const consensus::PrecomputedTransactionData* txdata, std::optional<int> sighash,
                        SignatureData* out_sigdata = nullptr, bool finalize = true);
/** Adds what provider knows of output index's scripts and keys (Core's UpdatePSBTOutput). */
void UpdatePsbtOutput(const SigningProvider& provider, Psbt& psbt, unsigned index);
/** Core's FinalizePSBT: completes every input it can from its partial data; true if all are final. */
bool FinalizePsbt(Psbt& psbt);
/** Finalizes and, when complete, gives the network transaction. */
bool FinalizeAndExtractPsbt(Psbt& psbt, consensus::MutableTransaction& result);
/** Core's CombinePSBTs: nullopt when they are over different transactions. */
std::optional<Psbt> CombinePsbts(const std::vector<Psbt>& psbts);
/** Inputs without final fields. */
size_t CountPsbtUnsignedInputs(const Psbt& psbt);

} // namespace common
