#include "node/mempool/broadcast.h"

#include "node/chain/validation_owner.h"
#include "node/mempool/mempool_manager.h"

namespace node::mempool {

BroadcastResult BroadcastTransaction(MempoolManager& mm, const consensus::TransactionRef& tx, consensus::Amount max_fee,
                                     const RelayFn& relay)
{
    TxMemPool& pool = mm.Pool();
    // Already there (same wtxid, or the same txid with another witness): announce it again.
    if (consensus::TransactionRef in_pool = pool.Get(tx->GetTxid())) {
        pool.AddUnbroadcast(tx->GetTxid());
        if (relay) relay(in_pool);
        return {};
    }
    for (uint32_t n = 0; n < tx->vout.size(); ++n) {
        if (mm.Chain().GetTxOut(consensus::OutPoint{tx->GetTxid(), n}))
            return {BroadcastError::ALREADY_IN_UTXO_SET, ""};
    }
    AcceptResult r;
    try {
        // One pass on the owner: max_fee is checked once the transaction is found valid, before
        // it enters the pool (Core: a test acceptance, then the acceptance).
        r = mm.Submit(tx, /*test_accept=*/false, max_fee).get();
    } catch (const chain::OwnerStopped&) {
        return {BroadcastError::SHUTTING_DOWN, ""};
    }
    if (r.state.GetRejectReason() == MAX_FEE_EXCEEDED) return {BroadcastError::MAX_FEE_EXCEEDED, ""};
    if (!r.Valid() && r.kind != AcceptResult::Kind::MEMPOOL_ENTRY && r.kind != AcceptResult::Kind::DIFFERENT_WITNESS) {
        if (r.state.GetTxResult() == consensus::TxValidationResult::MISSING_INPUTS) {
            return {BroadcastError::MISSING_INPUTS, ""};
        }
        return {r.state.IsError() ? BroadcastError::MEMPOOL_ERROR : BroadcastError::MEMPOOL_REJECTED,
                r.state.ToString()};
    }
    pool.AddUnbroadcast(tx->GetTxid());
    if (relay) relay(tx);
    return {};
}

} // namespace node::mempool
