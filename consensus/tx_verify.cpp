#include "consensus/tx_verify.h"

#include "consensus/limits.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/script.h"
#include "consensus/tx_check.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

namespace consensus {

bool IsFinalTx(const Transaction& tx, int block_height, int64_t block_time)
{
    if (tx.locktime == 0) return true;
    const int64_t locktime = tx.locktime;
    // A lock-time below the threshold is a height, otherwise a UNIX time; it names the
    // last block (or time) at which the transaction is still invalid.
    const int64_t reference = locktime < LOCKTIME_THRESHOLD ? static_cast<int64_t>(block_height) : block_time;
    if (locktime < reference) return true;
    // Not yet reached: still final if every input opted out of lock-time.
    return std::all_of(tx.vin.begin(), tx.vin.end(),
                       [](const TxIn& in) { return in.sequence == TxIn::SEQUENCE_FINAL; });
}

std::pair<int, int64_t> CalculateSequenceLocks(const Transaction& tx, bool enforce_bip68,
                                               std::vector<int>& prev_heights, int block_height,
                                               const std::function<int64_t(int)>& median_time_past_at)
{
    (void)block_height; // the ancestors are reached through median_time_past_at
    if (prev_heights.size() != tx.vin.size()) {
        // A caller bug: fail closed rather than silently waive the locks.
        return {std::numeric_limits<int>::max(), std::numeric_limits<int64_t>::max()};
    }

    // Last invalid height and time, in nLockTime semantics; -1 lets any height/time pass.
    int min_height = -1;
    int64_t min_time = -1;

    // version is unsigned, so every version >= 2 signals BIP-68 (as Core's cast does).
    if (!enforce_bip68 || tx.version < 2) return {min_height, min_time};

    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const uint32_t sequence = tx.vin[i].sequence;
        // The disable flag: no relative lock-time, and the coin's height does not matter.
        if (sequence & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG) {
            prev_heights[i] = 0;
            continue;
        }
        const int coin_height = prev_heights[i];
        const uint32_t value = sequence & TxIn::SEQUENCE_LOCKTIME_MASK;
        if (sequence & TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG) {
            // Measured from the earliest time the coin's block could have had: the MTP of
            // the block before it. Subtract 1 to turn "first valid" into "last invalid".
            const int64_t coin_time = median_time_past_at(std::max(coin_height - 1, 0));
            const int64_t span = static_cast<int64_t>(value) << TxIn::SEQUENCE_LOCKTIME_GRANULARITY;
            min_time = std::max(min_time, coin_time + span - 1);
        } else {
            min_height = std::max(min_height, coin_height + static_cast<int>(value) - 1);
        }
    }
    return {min_height, min_time};
}

bool EvaluateSequenceLocks(int block_height, int64_t prev_block_median_time_past, std::pair<int, int64_t> lock_pair)
{
    return lock_pair.first < block_height && lock_pair.second < prev_block_median_time_past;
}

namespace {

/** The coins tx's inputs spend, looked up in inputs: owned copies and pointers to them (null if missing). */
struct LookedUpCoins {
    std::vector<std::optional<Coin>> owned;
    std::vector<const Coin*> ptrs;

    LookedUpCoins(const Transaction& tx, const CoinsView& inputs)
    {
        owned.reserve(tx.vin.size());
        ptrs.reserve(tx.vin.size());
        for (const auto& in : tx.vin) {
            owned.push_back(inputs.GetCoin(in.prevout));
            const std::optional<Coin>& c = owned.back();
            ptrs.push_back(c && !c->IsSpent() ? &*c : nullptr);
        }
    }
};

} // namespace

unsigned GetP2SHSigOpCount(const Transaction& tx, SpentCoins coins)
{
    if (tx.IsCoinBase()) return 0;
    unsigned n = 0;
    for (size_t i = 0; i < tx.vin.size() && i < coins.size(); ++i) {
        if (!coins[i]) continue;
        const Script& spk = coins[i]->out.script_pubkey;
        if (spk.IsPayToScriptHash()) n += spk.GetSigOpCount(tx.vin[i].script_sig);
    }
    return n;
}

unsigned GetP2SHSigOpCount(const Transaction& tx, const CoinsView& inputs)
{
    if (tx.IsCoinBase()) return 0;
    const LookedUpCoins coins(tx, inputs);
    return GetP2SHSigOpCount(tx, coins.ptrs);
}

int64_t GetTransactionSigOpCost(const Transaction& tx, SpentCoins coins, uint32_t flags)
{
    int64_t cost = static_cast<int64_t>(GetLegacySigOpCount(tx)) * WITNESS_SCALE_FACTOR;
    if (tx.IsCoinBase()) return cost;

    if (flags & SCRIPT_VERIFY_P2SH) {
        cost += static_cast<int64_t>(GetP2SHSigOpCount(tx, coins)) * WITNESS_SCALE_FACTOR;
    }
    for (size_t i = 0; i < tx.vin.size() && i < coins.size(); ++i) {
        if (!coins[i]) continue;
        const TxIn& in = tx.vin[i];
        cost +=
            static_cast<int64_t>(CountWitnessSigOps(in.script_sig, coins[i]->out.script_pubkey, &in.witness, flags));
    }
    return cost;
}

int64_t GetTransactionSigOpCost(const Transaction& tx, const CoinsView& inputs, uint32_t flags)
{
    if (tx.IsCoinBase()) return GetTransactionSigOpCost(tx, SpentCoins{}, flags);
    const LookedUpCoins coins(tx, inputs);
    return GetTransactionSigOpCost(tx, coins.ptrs, flags);
}

ValidationResult CheckTxInputs(const Transaction& tx, SpentCoins coins, int spend_height, Amount& txfee)
{
    // Every coin first: a missing input is reported before any other problem.
    if (coins.size() != tx.vin.size() ||
        std::any_of(coins.begin(), coins.end(), [](const Coin* c) { return !c || c->IsSpent(); })) {
        return ValidationResult::Invalid(TxValidationResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent",
                                         "CheckTxInputs: inputs missing/spent");
    }

    Amount value_in;
    for (const Coin* coin : coins) {
        if (coin->coinbase) {
            const int64_t depth = static_cast<int64_t>(spend_height) - static_cast<int64_t>(coin->height);
            if (depth < COINBASE_MATURITY) {
                return ValidationResult::Invalid(TxValidationResult::PREMATURE_SPEND,
                                                 "bad-txns-premature-spend-of-coinbase",
                                                 "tried to spend coinbase at depth " + std::to_string(depth));
            }
        }
        // Check the value before adding it so the running sum cannot overflow.
        if (!MoneyRange(coin->out.value))
            return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-inputvalues-outofrange");
        value_in += coin->out.value;
        if (!MoneyRange(value_in))
            return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-inputvalues-outofrange");
    }

    const Amount value_out = tx.GetValueOut();
    if (value_in < value_out) {
        return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-in-belowout",
                                         "value in (" + std::to_string(value_in.sats) + ") < value out (" +
                                             std::to_string(value_out.sats) + ")");
    }
    const Amount fee = value_in - value_out;
    if (!MoneyRange(fee)) return ValidationResult::Invalid(TxValidationResult::CONSENSUS, "bad-txns-fee-outofrange");
    txfee = fee;
    return ValidationResult::Valid();
}

ValidationResult CheckTxInputs(const Transaction& tx, const CoinsView& inputs, int spend_height, Amount& txfee)
{
    const LookedUpCoins coins(tx, inputs);
    return CheckTxInputs(tx, coins.ptrs, spend_height, txfee);
}

} // namespace consensus
