#include "consensus/tx_check.h"

#include "consensus/limits.h"

#include <algorithm>
#include <vector>

namespace consensus {

ValidationResult CheckTransaction(const Transaction& tx)
{
    if (tx.vin.empty()) return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-vin-empty");
    if (tx.vout.empty()) return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-vout-empty");
    // Size limit: the stripped size counts WITNESS_SCALE_FACTOR times towards block weight.
    if (GetStrippedSize(tx) * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
        return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-oversize");
    }

    // Output values: each in range, and their running sum too (no overflow is possible as
    // each term is at most MAX_MONEY and the sum is checked after every addition).
    Amount value_out;
    for (const auto& out : tx.vout) {
        if (out.value.sats < 0)
            return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-vout-negative");
        if (out.value > MAX_MONEY)
            return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-vout-toolarge");
        value_out += out.value;
        if (!MoneyRange(value_out))
            return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-txouttotal-toolarge");
    }

    // Duplicate inputs (CVE-2018-17144): sort a copy of the prevouts and compare neighbours.
    std::vector<const OutPoint*> prevouts;
    prevouts.reserve(tx.vin.size());
    for (const auto& in : tx.vin) prevouts.push_back(&in.prevout);
    std::sort(prevouts.begin(), prevouts.end(), [](const OutPoint* a, const OutPoint* b) { return *a < *b; });
    for (size_t i = 1; i < prevouts.size(); ++i) {
        if (*prevouts[i - 1] == *prevouts[i])
            return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-inputs-duplicate");
    }

    if (tx.IsCoinBase()) {
        const size_t len = tx.vin[0].script_sig.size();
        if (len < MIN_COINBASE_SCRIPTSIG_SIZE || len > MAX_COINBASE_SCRIPTSIG_SIZE) {
            return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-cb-length");
        }
    } else {
        for (const auto& in : tx.vin) {
            if (in.prevout.IsNull())
                return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-prevout-null");
        }
    }
    return ValidationResult::Valid();
}

unsigned GetLegacySigOpCount(const Transaction& tx)
{
    unsigned n = 0;
    for (const auto& in : tx.vin) n += in.script_sig.GetSigOpCount(false);
    for (const auto& out : tx.vout) n += out.script_pubkey.GetSigOpCount(false);
    return n;
}

} // namespace consensus
