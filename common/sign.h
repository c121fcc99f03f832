// Transaction signing over a SigningProvider (Bitcoin Core's script/sign): ProduceSignature
// solves an output script with what the provider knows (keys, redeem and witness scripts,
// taproot spend data) and what an input already carries (SignatureData: partial signatures
// kept by key), for P2PK, P2PKH, P2SH, multisig, P2WPKH, P2WSH and their P2SH-wrapped forms,
// and P2TR (BIP-341 key path, BIP-342 pk() and multi_a leaves). A SignatureCreator makes the
// signatures: a real one over a transaction, or a dummy of maximal size for fee estimation.
// Pure functions over their arguments, any thread.
#pragma once

#include "common/signing_provider.h"
#include "consensus/coins.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/script.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace common {

/** Core's STANDARD_SCRIPT_VERIFY_FLAGS: the mempool's (node/mempool/policy.h names them) and the signers'. */
inline constexpr uint32_t SIGNING_VERIFY_FLAGS =
    consensus::MANDATORY_SCRIPT_VERIFY_FLAGS | consensus::SCRIPT_VERIFY_STRICTENC | consensus::SCRIPT_VERIFY_LOW_S |
    consensus::SCRIPT_VERIFY_MINIMALDATA | consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS |
    consensus::SCRIPT_VERIFY_CLEANSTACK | consensus::SCRIPT_VERIFY_MINIMALIF | consensus::SCRIPT_VERIFY_NULLFAIL |
    consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM | consensus::SCRIPT_VERIFY_WITNESS_PUBKEYTYPE |
    consensus::SCRIPT_VERIFY_CONST_SCRIPTCODE | consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION |
    consensus::SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS | consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE;

using Bytes = std::vector<uint8_t>;
/** A public key (33 or 65 bytes) and its signature (DER + hash type). */
using SigPair = std::pair<Bytes, Bytes>;

/** KeyId (HASH160) of a serialized public key. */
KeyId KeyIdOf(const Bytes& pubkey);

/** Unites b's leaves into a (internal key and merkle root taken from b when a has none). */
void MergeTaprootSpendData(TaprootSpendData& a, const TaprootSpendData& b);

/** What is known about how one input is (or will be) signed (Core's SignatureData). */
struct SignatureData {
    bool complete{false};
    /** Whether the solution lives (partly) in the witness. */
    bool witness{false};
    consensus::Script script_sig;
    consensus::Script redeem_script;
    consensus::Script witness_script;
    consensus::ScriptWitness script_witness;
    /** Taproot spend data learnt from the provider (or a PSBT). */
    TaprootSpendData tr_spenddata;
    /** ECDSA signatures made or found, by key id. */
    std::map<KeyId, SigPair> signatures;
    /** Public keys met while solving, with their origins (for PSBT derivation paths). */
    std::map<KeyId, std::pair<Bytes, KeyOrigin>> misc_pubkeys;
    /** BIP-341 key path signature (64 or 65 bytes), empty when none. */
    Bytes taproot_key_path_sig;
    /** BIP-342 signatures by (x-only key, leaf hash). */
    std::map<std::pair<XOnlyKey, consensus::Uint256>, Bytes> taproot_script_sigs;
    /** x-only keys met with the leaf hashes they appear in and their origins. */
    std::map<XOnlyKey, std::pair<std::set<consensus::Uint256>, KeyOrigin>> taproot_misc_pubkeys;
    /** Key ids whose public key was needed but unknown. */
    std::vector<KeyId> missing_pubkeys;
    /** Key ids whose signature was needed but could not be made. */
    std::vector<KeyId> missing_sigs;
    /** HASH160 of the redeem script that was needed but unknown (null when none). */
    ScriptId missing_redeem_script;
    /** SHA256 of the witness script that was needed but unknown (null when none). */
    consensus::Uint256 missing_witness_script;

    /** Core's MergeSignatureData: a complete other wins; otherwise scripts and signatures are united. */
    void MergeSignatureData(SignatureData other);
};

/** Makes signatures for ProduceSignature (Core's BaseSignatureCreator). */
class SignatureCreator {
public:
    virtual ~SignatureCreator() = default;
    /** The checker VerifyScript uses to test a produced solution. */
    virtual const consensus::BaseSignatureChecker& Checker() const = 0;
    /** An ECDSA signature (with hash type byte) by the key keyid for script_code under sigversion. */
    virtual bool CreateSig(const SigningProvider& provider, Bytes& sig, const KeyId& keyid,
                           const consensus::Script& script_code, consensus::SigVersion sigversion) const = 0;
    /**
     * A BIP-340 signature by the x-only key: for the key path (TAPROOT) with the key tweaked by
     * merkle_root (BIP-341; a null root is the key-path-only tweak), for a leaf (TAPSCRIPT)
     * untweaked with leaf_hash.
     */
    virtual bool CreateSchnorrSig(const SigningProvider& provider, Bytes& sig, const XOnlyKey& pubkey,
                                  const consensus::Uint256* leaf_hash, const consensus::Uint256* merkle_root,
                                  consensus::SigVersion sigversion) const = 0;
};

/** Signs input in of a transaction (Core's MutableTransactionSignatureCreator). */
class TransactionSignatureCreator final : public SignatureCreator {
public:
    /**
     * tx and txdata (may be null: no taproot signing) must outlive the creator. hash_type
     * SIGHASH_DEFAULT signs ECDSA inputs with SIGHASH_ALL (Core).
     */
    TransactionSignatureCreator(const consensus::MutableTransaction& tx, unsigned in, consensus::Amount amount,
                                const consensus::PrecomputedTransactionData* txdata, int hash_type);
    const consensus::BaseSignatureChecker& Checker() const override { return *m_checker; }
    bool CreateSig(const SigningProvider& provider, Bytes& sig, const KeyId& keyid,
                   const consensus::Script& script_code, consensus::SigVersion sigversion) const override;
    bool CreateSchnorrSig(const SigningProvider& provider, Bytes& sig, const XOnlyKey& pubkey,
                          const consensus::Uint256* leaf_hash, const consensus::Uint256* merkle_root,
                          consensus::SigVersion sigversion) const override;

private:
    const consensus::MutableTransaction& m_tx;
    unsigned m_in;
    consensus::Amount m_amount;
    const consensus::PrecomputedTransactionData* m_txdata;
    int m_hash_type;
    std::unique_ptr<consensus::MutableTransactionSignatureChecker> m_checker;
};

/**
 * Creators of placeholder signatures for size estimation: every signature check passes.
 * DUMMY: 71-byte ECDSA signatures (r and s 32 bytes); DUMMY_MAXIMUM: 72 bytes (r 33 bytes,
 * the largest low-S DER signature). Schnorr placeholders are 64 bytes.
 */
const SignatureCreator& DummySignatureCreator();
const SignatureCreator& DummyMaximumSignatureCreator();

/** The x-only key's secret from the provider, trying both parities of its full key (Core's GetKeyByXOnly). */
std::optional<SecretKey> GetKeyByXOnly(const SigningProvider& provider, const XOnlyKey& key);
/** The origin of the x-only key (either parity). */
std::optional<KeyOrigin> GetKeyOriginByXOnly(const SigningProvider& provider, const XOnlyKey& key);

/**
 * Core's ProduceSignature: solves script_pubkey with the provider and sigdata's partial data,
 * fills sigdata (script_sig, script_witness, signatures, missing data) and sets complete when
 * the result passes VerifyScript under SIGNING_VERIFY_FLAGS with the creator's checker.
 */
bool ProduceSignature(const SigningProvider& provider, const SignatureCreator& creator,
                      const consensus::Script& script_pubkey, SignatureData& sigdata);

/**
 * Core's DataFromTransaction: what input in of tx already carries against txout: complete
 * if it verifies; else its redeem/witness scripts and the valid multisig signatures.
 */
SignatureData DataFromTransaction(const consensus::MutableTransaction& tx, unsigned in, const consensus::TxOut& txout);

/** Core's UpdateInput: writes sigdata's script_sig and witness into input. */
void UpdateInput(consensus::TxIn& input, const SignatureData& sigdata);

/**
 * Core's SignTransaction: signs every input it can with hash_type, merging what inputs
 * already carry; coins holds the spent outputs (a spent/null coin is "not found"; amount
 * MAX_MONEY means unknown). input_errors receives Core's message per failing input.
 * True when every input is complete.
 */
bool SignTransaction(consensus::MutableTransaction& tx, const SigningProvider& provider,
                     const std::map<consensus::OutPoint, consensus::Coin>& coins, int hash_type,
                     std::map<int, std::string>& input_errors);

/**
 * Core's SighashFromStr: "DEFAULT", "ALL", "NONE", "SINGLE" and the three "|ANYONECANPAY"
 * forms. nullopt for anything else (the caller reports "'<s>' is not a valid sighash parameter.").
 */
std::optional<int> SighashFromStr(const std::string& str);
/** Core's SighashToStr: "ALL", "ALL|ANYONECANPAY", ...; "" otherwise (DEFAULT too, as Core). */
std::string SighashToStr(int hash_type);

} // namespace common
