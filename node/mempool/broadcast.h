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

/**
 * BroadcastTransaction in two halves, for a caller that begins several before it finishes any
 * (a JSON-RPC batch): BeginBroadcast queues the acceptance (scripts checked ahead on a
 * pre-verifier worker, MempoolManager::SubmitAhead), FinishBroadcast waits for it, marks and
 * relays. The results are those of BroadcastTransaction called in the same order: begun
 * acceptances run in order on the owner, and what a begin reads first (the pool's copy by txid,
 * the chain's outputs) no earlier call of the run can change but by putting the same txid in the
 * pool, which the acceptance then reports as a pool copy, a success.
 */
struct PendingBroadcast {
    consensus::TransactionRef tx;
    consensus::TransactionRef in_pool;               //!< the pool's copy (by txid) found at the begin: announced again
    std::optional<BroadcastResult> decided;          //!< settled at the begin: confirmed already
    std::optional<std::future<AcceptResult>> accept; //!< otherwise the acceptance queued
};

PendingBroadcast BeginBroadcast(MempoolManager& mm, const consensus::TransactionRef& tx, consensus::Amount max_fee);
BroadcastResult FinishBroadcast(MempoolManager& mm, PendingBroadcast pending, const RelayFn& relay);

/**
 * Accepts tx into the pool (max_fee: the largest fee allowed, 0 for no limit) unless it is
 * already there, marks it unbroadcast (re-announced until a peer asks for it) and relays it.
 * A transaction already in the pool (by txid) is announced again and counts as success. From
 * any thread but the validation owner's; it waits for the owner.
 */
BroadcastResult BroadcastTransaction(MempoolManager& mm, const consensus::TransactionRef& tx, consensus::Amount max_fee,
                                     const RelayFn& relay);

} // namespace node::mempool
