// Transaction checks that need context: lock-times (absolute and BIP-68 relative), sigop
// cost against the coins spent, and input/output value rules (Core's tx_verify).
#pragma once

#include "consensus/amount.h"
#include "consensus/coins.h"
#include "consensus/primitives/transaction.h"
#include "consensus/validation_result.h"

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

namespace consensus {

/**
 * True if tx may be included in a block at block_height whose lock-time reference is
 * block_time (the previous block's median time past since BIP-113). Pure; any thread.
 */
bool IsFinalTx(const Transaction& tx, int block_height, int64_t block_time);

/**
 * BIP-68: the last invalid (height, time) implied by tx's relative lock-times; -1 means no
 * constraint. prev_heights holds each input's coin height (one per input; disabled inputs
 * are set to 0). median_time_past_at(h) gives the MTP of the validated block's ancestor at
 * height h. A prev_heights size mismatch is a caller bug and yields an unsatisfiable lock.
 */
std::pair<int, int64_t> CalculateSequenceLocks(const Transaction& tx, bool enforce_bip68,
                                               std::vector<int>& prev_heights, int block_height,
                                               const std::function<int64_t(int)>& median_time_past_at);

/**
 * True if lock_pair (from CalculateSequenceLocks) is satisfied by a block at block_height
 * whose predecessor has median time past prev_block_median_time_past. Pure; any thread.
 */
bool EvaluateSequenceLocks(int block_height, int64_t prev_block_median_time_past, std::pair<int, int64_t> lock_pair);

/**
 * Sigops in the redeem scripts of the P2SH outputs tx spends (0 for a coinbase). Inputs
 * whose coin is missing count nothing; call after CheckTxInputs. Pure; any thread.
 */
unsigned GetP2SHSigOpCount(const Transaction& tx, const CoinsView& inputs);

/**
 * The coins tx spends, one per input in input order; nullptr for a missing or spent one.
 * The overloads below taking it do no lookups: a caller that already holds the coins
 * (block connection) passes them instead of a view.
 */
using SpentCoins = std::span<const Coin* const>;

/** GetP2SHSigOpCount over coins already looked up (coins.size() == tx.vin.size()). */
unsigned GetP2SHSigOpCount(const Transaction& tx, SpentCoins coins);

/**
 * BIP-141 sigop cost: legacy and (with SCRIPT_VERIFY_P2SH) P2SH sigops count
 * WITNESS_SCALE_FACTOR each, witness sigops count one. Missing coins count nothing.
 */
int64_t GetTransactionSigOpCost(const Transaction& tx, const CoinsView& inputs, uint32_t flags);
/** GetTransactionSigOpCost over coins already looked up (ignored for a coinbase). */
int64_t GetTransactionSigOpCost(const Transaction& tx, SpentCoins coins, uint32_t flags);

/**
 * Checks tx's inputs exist, coinbase inputs are mature at spend_height, values are in
 * range and cover the outputs; sets txfee only when valid. Invalid carries Core's reason
 * (e.g. "bad-txns-in-belowout"). Expects tx to have passed CheckTransaction. Any thread.
 */
[[nodiscard]] ValidationResult CheckTxInputs(const Transaction& tx, const CoinsView& inputs, int spend_height,
                                             Amount& txfee);
/** CheckTxInputs over coins already looked up (coins.size() == tx.vin.size()). */
[[nodiscard]] ValidationResult CheckTxInputs(const Transaction& tx, SpentCoins coins, int spend_height, Amount& txfee);

} // namespace consensus
