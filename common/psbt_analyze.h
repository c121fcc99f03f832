// What a PSBT still needs (Core's node/psbt AnalyzePSBT): per input whether its UTXO is known,
// whether it is final, what is missing (public keys, scripts, signatures) and which role acts
// next; for the whole PSBT the fee and, when every input can be completed, the estimated
// virtual size and fee rate. Pure function, any thread.
#pragma once

#include "common/psbt.h"

#include <optional>
#include <string>
#include <vector>

namespace common {

/** BIP-174 roles in the order a PSBT passes through them. */
enum class PsbtRole { CREATOR, UPDATER, SIGNER, FINALIZER, EXTRACTOR };

/** "creator", "updater", "signer", "finalizer", "extractor". */
std::string PsbtRoleName(PsbtRole role);

struct PsbtInputAnalysis {
    bool has_utxo{false};
    bool is_final{false};
    PsbtRole next{PsbtRole::EXTRACTOR};
    std::vector<KeyId> missing_pubkeys;
    std::vector<KeyId> missing_sigs;
    ScriptId missing_redeem_script;
    consensus::Uint256 missing_witness_script;
};

struct PsbtAnalysis {
    std::optional<size_t> estimated_vsize;
    /** Satoshis per 1000 virtual bytes (Core's CFeeRate(fee, vsize), rounded down). */
    std::optional<consensus::Amount> estimated_feerate;
    std::optional<consensus::Amount> fee;
    std::vector<PsbtInputAnalysis> inputs;
    PsbtRole next{PsbtRole::CREATOR};
    /** Set (with everything else cleared) when the PSBT is invalid, e.g. "PSBT is not valid. Input 0 has invalid value". */
    std::string error;
};

/** Core's AnalyzePSBT (the vsize ignores the sigop adjustment, which standard inputs never reach). */
PsbtAnalysis AnalyzePsbt(Psbt psbt);

} // namespace common
