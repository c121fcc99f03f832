#include "node/mempool/broadcast.h"

#include "node/chain/validation_owner.h"
#include "node/mempool/mempool_manager.h"

namespace node::mempool {

namespace {

/**
 * What is decided before the owner: the pool's copy by txid (announced again: success), or an
 * output of tx unspent in the chain (confirmed). Empty pending.accept means one of these.
 */
PendingBroadcast Before(MempoolManager& mm, const consensus::TransactionRef& tx)
{
    PendingBroadcast p;
    p.tx = tx;
    // Already there (same wtxid, or the same txid with another witness): announce it again.
    if ((p.in_pool = mm.Pool().Get(tx->GetTxid()))) return p;
    for (uint32_t n = 0; n < tx->vout.size(); ++n) {
        if (mm.Chain().GetTxOut(consensus::OutPoint{tx->GetTxid(), n})) {
            p.decided = BroadcastResult{BroadcastError::ALREADY_IN_UTXO_SET, ""};
            return p;
        }
    }
    return p;
}

/** Marks the pool's transaction unbroadcast and relays it. */
BroadcastResult Announce(MempoolManager& mm, const consensus::TransactionRef& tx, const RelayFn& relay)
{
    mm.Pool().AddUnbroadcast(tx->GetTxid());
    if (relay) relay(tx);
    return {};
}

/** The owner's verdict on tx, as a broadcast result; a success is announced. */
BroadcastResult Conclude(MempoolManager& mm, const consensus::TransactionRef& tx, const AcceptResult& r,
                         const RelayFn& relay)
{
    if (r.state.GetRejectReason() == MAX_FEE_EXCEEDED) return {BroadcastError::MAX_FEE_EXCEEDED, ""};
    if (r.kind == AcceptResult::Kind::MEMPOOL_ENTRY || r.kind == AcceptResult::Kind::DIFFERENT_WITNESS) {
        // A copy reached the pool first (an earlier call of the same batch, a peer): announce the
        // pool's, as Core does with the mempool's wtxid.
        const consensus::TransactionRef in_pool = mm.Pool().Get(tx->GetTxid());
        return Announce(mm, in_pool ? in_pool : tx, relay);
    }
    if (!r.Valid()) {
        if (r.state.GetTxResult() == consensus::TxValidationResult::MISSING_INPUTS) {
            return {BroadcastError::MISSING_INPUTS, ""};
        }
        return {r.state.IsError() ? BroadcastError::MEMPOOL_ERROR : BroadcastError::MEMPOOL_REJECTED,
                r.state.ToString()};
    }
    return Announce(mm, tx, relay);
}

} // namespace

PendingBroadcast BeginBroadcast(MempoolManager& mm, const consensus::TransactionRef& tx, consensus::Amount max_fee)
{
    PendingBroadcast p = Before(mm, tx);
    if (p.in_pool || p.decided) return p;
    p.accept = mm.SubmitAhead(tx, max_fee);
    return p;
}

BroadcastResult FinishBroadcast(MempoolManager& mm, PendingBroadcast pending, const RelayFn& relay)
{
    if (pending.in_pool) return Announce(mm, pending.in_pool, relay);
    if (pending.decided) return *pending.decided;
    AcceptResult r;
    try {
        r = pending.accept->get();
    } catch (const chain::OwnerStopped&) {
        return {BroadcastError::SHUTTING_DOWN, ""};
    }
    return Conclude(mm, pending.tx, r, relay);
}

BroadcastResult BroadcastTransaction(MempoolManager& mm, const consensus::TransactionRef& tx, consensus::Amount max_fee,
                                     const RelayFn& relay)
{
    PendingBroadcast p = Before(mm, tx);
    if (p.in_pool || p.decided) return FinishBroadcast(mm, std::move(p), relay);
    AcceptResult r;
    try {
        // One pass on the owner: max_fee is checked once the transaction is found valid, before
        // it enters the pool (Core: a test acceptance, then the acceptance).
        r = mm.Submit(tx, /*test_accept=*/false, max_fee).get();
    } catch (const chain::OwnerStopped&) {
        return {BroadcastError::SHUTTING_DOWN, ""};
    }
    return Conclude(mm, tx, r, relay);
}

} // namespace node::mempool
