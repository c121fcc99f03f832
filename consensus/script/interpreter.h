// The script interpreter: EvalScript runs one script, VerifyScript applies the full
// spending rules (P2SH BIP-16, segwit v0 BIP-141/143, taproot BIP-341/342) under a set
// of verification flags named as Core names them.
#pragma once

#include "consensus/amount.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/script.h"
#include "consensus/script/script_error.h"
#include "consensus/uint256.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace consensus {

/** Script verification flags; bit values equal Core's SCRIPT_VERIFY_*. */
enum ScriptVerifyFlags : uint32_t {
    SCRIPT_VERIFY_NONE = 0,
    SCRIPT_VERIFY_P2SH = 1U << 0, // BIP-16
    SCRIPT_VERIFY_STRICTENC = 1U << 1,
    SCRIPT_VERIFY_DERSIG = 1U << 2, // BIP-66
    SCRIPT_VERIFY_LOW_S = 1U << 3,
    SCRIPT_VERIFY_NULLDUMMY = 1U << 4, // BIP-147
    SCRIPT_VERIFY_SIGPUSHONLY = 1U << 5,
    SCRIPT_VERIFY_MINIMALDATA = 1U << 6,
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS = 1U << 7,
    SCRIPT_VERIFY_CLEANSTACK = 1U << 8,
    SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY = 1U << 9,  // BIP-65
    SCRIPT_VERIFY_CHECKSEQUENCEVERIFY = 1U << 10, // BIP-112
    SCRIPT_VERIFY_WITNESS = 1U << 11,             // BIP-141
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM = 1U << 12,
    SCRIPT_VERIFY_MINIMALIF = 1U << 13,
    SCRIPT_VERIFY_NULLFAIL = 1U << 14,
    SCRIPT_VERIFY_WITNESS_PUBKEYTYPE = 1U << 15,
    SCRIPT_VERIFY_CONST_SCRIPTCODE = 1U << 16,
    SCRIPT_VERIFY_TAPROOT = 1U << 17, // BIP-341/342
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION = 1U << 18,
    SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS = 1U << 19,
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE = 1U << 20,
    SCRIPT_VERIFY_END_MARKER = 1U << 21,
};

/** Flags every block must satisfy since taproot (consensus). */
inline constexpr uint32_t MANDATORY_SCRIPT_VERIFY_FLAGS =
    SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_NULLDUMMY | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
    SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_TAPROOT;

/** Parses a comma-separated list of flag names ("P2SH,WITNESS"); "" and "NONE" give 0. nullopt on an unknown name. */
std::optional<uint32_t> ParseScriptFlags(std::string_view names);
/** Comma-separated names of the set flags. */
std::string FormatScriptFlags(uint32_t flags);
/** All (name, flag) pairs, in bit order. */
std::span<const std::pair<std::string_view, uint32_t>> ScriptFlagNames();

/** Signature hash types. */
enum : uint8_t {
    SIGHASH_DEFAULT = 0, // taproot only: like ALL
    SIGHASH_ALL = 1,
    SIGHASH_NONE = 2,
    SIGHASH_SINGLE = 3,
    SIGHASH_ANYONECANPAY = 0x80,
    SIGHASH_OUTPUT_MASK = 3,
    SIGHASH_INPUT_MASK = 0x80,
};

/** Which rules a script runs under. */
enum class SigVersion {
    BASE = 0,       // legacy and P2SH
    WITNESS_V0 = 1, // BIP-141/143
    TAPROOT = 2,    // BIP-341 key path
    TAPSCRIPT = 3,  // BIP-342 script path
};

/** Taproot constants (BIP-341/342). */
inline constexpr size_t WITNESS_V0_SCRIPTHASH_SIZE = 32;
inline constexpr size_t WITNESS_V0_KEYHASH_SIZE = 20;
inline constexpr size_t WITNESS_V1_TAPROOT_SIZE = 32;
inline constexpr uint8_t TAPROOT_LEAF_MASK = 0xfe;
inline constexpr uint8_t TAPROOT_LEAF_TAPSCRIPT = 0xc0;
inline constexpr size_t TAPROOT_CONTROL_BASE_SIZE = 33;
inline constexpr size_t TAPROOT_CONTROL_NODE_SIZE = 32;
inline constexpr size_t TAPROOT_CONTROL_MAX_NODE_COUNT = 128;
inline constexpr size_t TAPROOT_CONTROL_MAX_SIZE =
    TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * TAPROOT_CONTROL_MAX_NODE_COUNT;
inline constexpr uint8_t ANNEX_TAG = 0x50;

/** Data that taproot signature checking needs from the surrounding execution. */
struct ScriptExecutionData {
    bool m_tapleaf_hash_init{false};
    Uint256 m_tapleaf_hash;
    bool m_codeseparator_pos_init{false};
    uint32_t m_codeseparator_pos{0xffffffff};
    bool m_annex_init{false};
    bool m_annex_present{false};
    Uint256 m_annex_hash;
    bool m_validation_weight_left_init{false};
    int64_t m_validation_weight_left{0};
    std::optional<Uint256> m_output_hash;
};

/**
 * Hashes shared by all inputs of a transaction, computed once so that signature
 * hashing is linear in the number of inputs (BIP-143, BIP-341).
 */
struct PrecomputedTransactionData {
    // BIP-341 single SHA-256 hashes
    Uint256 m_prevouts_single_hash;
    Uint256 m_sequences_single_hash;
    Uint256 m_outputs_single_hash;
    Uint256 m_spent_amounts_single_hash;
    Uint256 m_spent_scripts_single_hash;
    bool m_bip341_taproot_ready{false};
    // BIP-143 double SHA-256 hashes
    Uint256 hashPrevouts;
    Uint256 hashSequence;
    Uint256 hashOutputs;
    bool m_bip143_segwit_ready{false};

    std::vector<TxOut> m_spent_outputs;
    bool m_spent_outputs_ready{false};

    PrecomputedTransactionData() = default;
    /** Precomputes what tx needs, without spent outputs (no taproot). */
    template <typename T>
    explicit PrecomputedTransactionData(const T& tx);
    /**
     * Precomputes with the outputs tx spends (one per input, in order); with them taproot
     * inputs can be checked. force computes every hash even if no input seems to need it.
     */
    template <typename T>
    void Init(const T& tx, std::vector<TxOut>&& spent_outputs, bool force = false);
};

/** What a checker does when asked for data that was not precomputed. */
enum class MissingDataBehavior {
    ASSERT_FAIL, // a bug in the caller: treated as a failed check
    FAIL,        // a normal failure (e.g. signing without all data)
};

/** Legacy, BIP-143 or (with the txdata) BIP-341 signature hash; see SignatureHashSchnorr. */
template <typename T>
Uint256 SignatureHash(const Script& script_code, const T& tx_to, unsigned in_pos, int hash_type, Amount amount,
                      SigVersion sigversion, const PrecomputedTransactionData* cache = nullptr);

/** BIP-341 signature message hash; false if hash_type is invalid or data is missing. */
template <typename T>
bool SignatureHashSchnorr(Uint256& hash_out, ScriptExecutionData& execdata, const T& tx_to, uint32_t in_pos,
                          uint8_t hash_type, SigVersion sigversion, const PrecomputedTransactionData& cache,
                          MissingDataBehavior mdb);

/** Checks signatures and lock-times for the interpreter; the base class rejects everything. */
class BaseSignatureChecker {
public:
    virtual ~BaseSignatureChecker() = default;
    virtual bool CheckECDSASignature(const std::vector<uint8_t>& sig, const std::vector<uint8_t>& pubkey,
                                     const Script& script_code, SigVersion sigversion) const
    {
        (void)sig;
        (void)pubkey;
        (void)script_code;
        (void)sigversion;
        return false;
    }
    virtual bool CheckSchnorrSignature(std::span<const uint8_t> sig, std::span<const uint8_t> pubkey,
                                       SigVersion sigversion, ScriptExecutionData& execdata, ScriptError* serror) const
    {
        (void)sig;
        (void)pubkey;
        (void)sigversion;
        (void)execdata;
        (void)serror;
        return false;
    }
    virtual bool CheckLockTime(const ScriptNum& locktime) const
    {
        (void)locktime;
        return false;
    }
    virtual bool CheckSequence(const ScriptNum& sequence) const
    {
        (void)sequence;
        return false;
    }
};

/** Checks signatures against input in_pos of transaction T (Transaction or MutableTransaction). */
template <typename T>
class GenericTransactionSignatureChecker : public BaseSignatureChecker {
public:
    GenericTransactionSignatureChecker(const T* tx, unsigned in_pos, Amount amount, MissingDataBehavior mdb)
        : m_tx(tx), m_in(in_pos), m_amount(amount), m_txdata(nullptr), m_mdb(mdb)
    {}
    GenericTransactionSignatureChecker(const T* tx, unsigned in_pos, Amount amount,
                                       const PrecomputedTransactionData& txdata, MissingDataBehavior mdb)
        : m_tx(tx), m_in(in_pos), m_amount(amount), m_txdata(&txdata), m_mdb(mdb)
    {}

    bool CheckECDSASignature(const std::vector<uint8_t>& sig, const std::vector<uint8_t>& pubkey,
                             const Script& script_code, SigVersion sigversion) const override;
    bool CheckSchnorrSignature(std::span<const uint8_t> sig, std::span<const uint8_t> pubkey, SigVersion sigversion,
                               ScriptExecutionData& execdata, ScriptError* serror) const override;
    bool CheckLockTime(const ScriptNum& locktime) const override;
    bool CheckSequence(const ScriptNum& sequence) const override;

private:
    const T* m_tx;
    unsigned m_in;
    Amount m_amount;
    const PrecomputedTransactionData* m_txdata;
    MissingDataBehavior m_mdb;
};

using TransactionSignatureChecker = GenericTransactionSignatureChecker<Transaction>;
using MutableTransactionSignatureChecker = GenericTransactionSignatureChecker<MutableTransaction>;

/** Runs script on stack. False with *serror set on failure. */
bool EvalScript(std::vector<std::vector<uint8_t>>& stack, const Script& script, uint32_t flags,
                const BaseSignatureChecker& checker, SigVersion sigversion, ScriptError* serror = nullptr);
bool EvalScript(std::vector<std::vector<uint8_t>>& stack, const Script& script, uint32_t flags,
                const BaseSignatureChecker& checker, SigVersion sigversion, ScriptExecutionData& execdata,
                ScriptError* serror = nullptr);

/**
 * Verifies that script_sig (and witness) satisfies script_pubkey under flags.
 * witness may be null for none. False with *serror set on failure.
 */
bool VerifyScript(const Script& script_sig, const Script& script_pubkey, const ScriptWitness* witness, uint32_t flags,
                  const BaseSignatureChecker& checker, ScriptError* serror = nullptr);

/** Sigops in the witness program spent by this input (BIP-141 sigop cost). */
size_t CountWitnessSigOps(const Script& script_sig, const Script& script_pubkey, const ScriptWitness* witness,
                          uint32_t flags);

/** BIP-341 leaf hash: TaggedHash("TapLeaf", leaf_version || compact_size(script) || script). */
Uint256 ComputeTapleafHash(uint8_t leaf_version, std::span<const uint8_t> script);
/** BIP-341 merkle root from a control block's path and a leaf hash. */
Uint256 ComputeTaprootMerkleRoot(std::span<const uint8_t> control, const Uint256& tapleaf_hash);
/** BIP-341 branch hash: TaggedHash("TapBranch", sorted(a, b)). */
Uint256 ComputeTapbranchHash(std::span<const uint8_t> a, std::span<const uint8_t> b);

/** True if opcode is an OP_SUCCESSx in tapscript (BIP-342). */
bool IsOpSuccess(uint8_t opcode);

/** True if sig is a strictly DER-encoded signature with a hash type byte (BIP-66). */
bool IsValidSignatureEncoding(const std::vector<uint8_t>& sig);

} // namespace consensus
