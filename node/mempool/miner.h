// Which pool transactions go into the next block: Core's BlockAssembler::addPackageTxs. Packages
// (a transaction with its not yet chosen ancestors) are taken best ancestor fee rate first,
// re-scored as their ancestors get in, within the block's weight and sigop limits.
#pragma once

#include "consensus/amount.h"
#include "consensus/limits.h"
#include "consensus/primitives/transaction.h"
#include "node/mempool/txmempool.h"

#include <cstdint>
#include <vector>

namespace node::mempool {

struct AssemblerOptions {
    /** -blockmaxweight less -blockreservedweight (Core 30: 4,000,000 and 8,000). */
    int64_t max_weight{consensus::MAX_BLOCK_WEIGHT - 8'000};
    /** The coinbase's share of the sigop limit (Core reserves 400). */
    int64_t max_sigop_cost{consensus::MAX_BLOCK_SIGOPS_COST - 400};
    /** -blockmintxfee in sat/kvB (Core 30: 1). A package below it is not taken. */
    consensus::Amount min_feerate{1};
};

struct SelectedTx {
    consensus::TransactionRef tx;
    consensus::Amount fee; //!< base fee (what the coinbase collects)
    int64_t sigop_cost{0};
    int64_t weight{0};
};

/**
 * The transactions of a block at height whose lock-time cutoff (the parent's median time past)
 * is lock_time_cutoff, parents before children. Reads the pool under its shared lock; any thread, but
 * the daemon calls it on the validation owner so the pool matches the tip.
 */
std::vector<SelectedTx> SelectTransactions(const TxMemPool& pool, const AssemblerOptions& options, int height,
                                           int64_t lock_time_cutoff);

} // namespace node::mempool
