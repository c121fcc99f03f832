#include "node/mempool/broadcast.h"

#include "node/chain/validation_owner.h"
#include "node/mempool/mempool_manager.h"

#include <exception>
#include <memory>

namespace node::mempool {

namespace {

/**
 * What is decided without an acceptance, in Core's order: an output of tx unspent in the chain
 * (it is confirmed), else the pool's copy by txid (same wtxid, or another witness: announced
 * again, a success). Neither: the acceptance decides.
 */
BroadcastVerdict Before(MempoolManager& mm, const consensus::TransactionRef& tx)
{
    BroadcastVerdict v;
    for (uint32_t n = 0; n < tx->vout.size(); ++n) {
        if (mm.Chain().GetTxOut(consensus::OutPoint{tx->GetTxid(), n})) {
            v.decided = BroadcastResult{BroadcastError::ALREADY_IN_UTXO_SET, ""};
            return v;
        }
    }
    v.in_pool = mm.Pool().Get(tx->GetTxid());
    return v;
}

/**
 * Relays tx; a transaction this call put in the pool is also marked unbroadcast (re-announced
 * until a peer asks for it), as Core marks only what it accepted.
 */
BroadcastResult Announce(MempoolManager& mm, const consensus::TransactionRef& tx, const RelayFn& relay, bool mark)
{
    if (mark) mm.Pool().AddUnbroadcast(tx->GetTxid());
    if (relay) relay(tx);
    return {};
}

/** The verdict on tx as a broadcast result; a success is announced. */
BroadcastResult Conclude(MempoolManager& mm, const consensus::TransactionRef& tx, const BroadcastVerdict& v,
                         const RelayFn& relay)
{
    if (v.in_pool) return Announce(mm, v.in_pool, relay, false);
    if (v.decided) return *v.decided;
    const AcceptResult& r = v.accepted;
    if (r.state.GetRejectReason() == MAX_FEE_EXCEEDED) return {BroadcastError::MAX_FEE_EXCEEDED, ""};
    if (r.kind == AcceptResult::Kind::MEMPOOL_ENTRY || r.kind == AcceptResult::Kind::DIFFERENT_WITNESS) {
        // One by one only (begun ahead, the look and the acceptance are one owner job): a peer's
        // copy reached the pool in between. Announce the pool's, as Core the mempool's wtxid.
        const consensus::TransactionRef in_pool = mm.Pool().Get(tx->GetTxid());
        return Announce(mm, in_pool ? in_pool : tx, relay, false);
    }
    if (!r.Valid()) {
        if (r.state.GetTxResult() == consensus::TxValidationResult::MISSING_INPUTS) {
            return {BroadcastError::MISSING_INPUTS, ""};
        }
        return {r.state.IsError() ? BroadcastError::MEMPOOL_ERROR : BroadcastError::MEMPOOL_REJECTED,
                r.state.ToString()};
    }
    return Announce(mm, tx, relay, !v.marked);
}

} // namespace

PendingBroadcast BeginBroadcast(MempoolManager& mm, const consensus::TransactionRef& tx, consensus::Amount max_fee)
{
    auto promise = std::make_shared<std::promise<BroadcastVerdict>>();
    PendingBroadcast p{.tx = tx, .verdict = promise->get_future()};
    mm.PostAfterScripts(
        tx,
        [&mm, tx, max_fee, promise] {
            // On the owner: what the calls begun before this one did to the pool is in it, and
            // no block is applied between the look and the acceptance.
            try {
                BroadcastVerdict v = Before(mm, tx);
                if (!v.in_pool && !v.decided) {
                    v.accepted = mm.Accept(tx, /*test_accept=*/false, max_fee);
                    // Conclude's "accepted now": valid and new (a fee above max_fee is not valid).
                    if (v.accepted.Valid()) {
                        mm.Pool().AddUnbroadcast(tx->GetTxid());
                        v.marked = true;
                    }
                }
                promise->set_value(std::move(v));
            } catch (...) {
                promise->set_exception(std::current_exception());
            }
        },
        [promise] { promise->set_exception(std::make_exception_ptr(chain::OwnerStopped())); });
    return p;
}

BroadcastResult FinishBroadcast(MempoolManager& mm, PendingBroadcast pending, const RelayFn& relay)
{
    BroadcastVerdict v;
    try {
        v = pending.verdict.get();
    } catch (const chain::OwnerStopped&) {
        return {BroadcastError::SHUTTING_DOWN, ""};
    }
    return Conclude(mm, pending.tx, v, relay);
}

BroadcastResult BroadcastTransaction(MempoolManager& mm, const consensus::TransactionRef& tx, consensus::Amount max_fee,
                                     const RelayFn& relay)
{
    BroadcastVerdict v = Before(mm, tx);
    if (!v.in_pool && !v.decided) {
        try {
            // One pass on the owner: max_fee is checked once the transaction is found valid,
            // before it enters the pool (Core: a test acceptance, then the acceptance).
            v.accepted = mm.Submit(tx, /*test_accept=*/false, max_fee).get();
        } catch (const chain::OwnerStopped&) {
            return {BroadcastError::SHUTTING_DOWN, ""};
        }
    }
    return Conclude(mm, tx, v, relay);
}

} // namespace node::mempool
