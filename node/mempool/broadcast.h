// Core's BroadcastTransaction (node/transaction.cpp): a transaction from this node's own user
// (sendrawtransaction, the wallet) enters the mempool and is announced to peers. The RPC thread
// or the wallet waits while the validation owner judges it.
#pragma once

#include "consensus/amount.h"
#include "consensus/primitives/transaction.h"

#include "node/mempool/accept.h"

#include <functional>
#include <future>
#include <optional>
#include <string>

namespace node::mempool {

class MempoolManager;

/** Why a broadcast failed (Core's TransactionError, the part that applies). */
enum class BroadcastError {
    OK,
    ALREADY_IN_UTXO_SET, //!< an output of it is unspent in the chain: it is confirmed
    MISSING_INPUTS,      //!< "Inputs missing or spent"
    MEMPOOL_REJECTED,    //!< invalid or not standard: reason says why
    MEMPOOL_ERROR,       //!< the pool could not judge it (reason says why)
    MAX_FEE_EXCEEDED,    //!< its fee is above max_fee
    SHUTTING_DOWN,       //!< the validation owner stopped
};

struct BroadcastResult {
    BroadcastError error{BroadcastError::OK};
    std::string reason; //!< the reject reason for MEMPOOL_REJECTED / MEMPOOL_ERROR
};

/** Announces a transaction to peers (the P2P layer's RelayTransaction), or nothing. */
using RelayFn = std::function<void(const consensus::TransactionRef&)>;

/** What the owner (or, one by one, the caller) found about a transaction to broadcast. */
struct BroadcastVerdict {
    consensus::TransactionRef in_pool;      //!< the pool's copy (by txid): announced again, a success
    std::optional<BroadcastResult> decided; //!< an output of it is unspent in the chain
    AcceptResult accepted;                  //!< otherwise the acceptance's result
    bool marked{false};                     //!< accepted and marked unbroadcast on the owner already
};

/**
 * BroadcastTransaction in two halves, for a caller that begins several before it finishes any
 * (a JSON-RPC batch): BeginBroadcast queues the whole judgement on the owner behind a
 * pre-verifier worker's script check (MempoolManager::PostAfterScripts): the chain's outputs,
 * the pool's copy by txid, then the acceptance, read there as one job, in the order begun; a
 * transaction accepted is marked unbroadcast in the same job (the caller's thread then does not
 * wait for the pool's lock behind the owner). FinishBroadcast waits for it and relays. So a
 * run of them gives the results, the pool and the announcements of BroadcastTransaction
 * called in the same order: each
 * judgement sees everything the ones before it did to the pool (broadcast_tests.cpp).
 */
struct PendingBroadcast {
    consensus::TransactionRef tx;
    std::future<BroadcastVerdict> verdict;
};

PendingBroadcast BeginBroadcast(MempoolManager& mm, const consensus::TransactionRef& tx, consensus::Amount max_fee);
BroadcastResult FinishBroadcast(MempoolManager& mm, PendingBroadcast pending, const RelayFn& relay);

/**
 * Accepts tx into the pool (max_fee: the largest fee allowed, 0 for no limit) unless it is
 * confirmed or already there, marks it unbroadcast (re-announced until a peer asks for it) and
 * relays it. A transaction already in the pool (by txid) is announced again, unmarked (as
 * Core), and counts as success. From
 * any thread but the validation owner's; it waits for the owner.
 */
BroadcastResult BroadcastTransaction(MempoolManager& mm, const consensus::TransactionRef& tx, consensus::Amount max_fee,
                                     const RelayFn& relay);

} // namespace node::mempool
