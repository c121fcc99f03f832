// The transaction memory pool: the unconfirmed transactions this node would mine and relay,
// with Core's ancestor and descendant bookkeeping (package limits, ancestor-score order for
// mining, descendant-score order for eviction), -maxmempool trimming with a rising minimum
// fee that decays, expiry, prioritisation deltas and the outpoint -> spender index.
//
// Thread contract: one writer, many readers. Every change (AddUnchecked, Remove*, Trim, Expire,
// PrioritiseTransaction) is made by the validation owner's thread (node/chain/validation_owner.h)
// or, in unit tests, by one thread at a time. Readers (RPC, P2P serving getdata, compact block
// reconstruction, the miner) may call any const method from any thread: each takes the pool's
// shared lock for its own duration; writers take it exclusively for their own duration. The
// pool never calls out while holding its lock, except the removal listener (see SetListener).
// Policy (what may enter) is not decided here: node/mempool/accept.* decides and calls
// AddUnchecked.
#pragma once

#include "consensus/amount.h"
#include "consensus/primitives/transaction.h"
#include "consensus/uint256.h"
#include "util/sync.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace node::mempool {

struct Entry;

/**
 * The pool seen under its shared lock, during one TxMemPool::Read call only: pointers it returns
 * die with the call.
 */
class PoolReader {
public:
    virtual ~PoolReader() = default;
    /** The entry of txid, or nullptr. */
    virtual const Entry* Find(const consensus::Uint256& txid) const = 0;
    /** A cursor over the ancestor-score index: the best entry first, then the next; nullptr at the end. */
    virtual const Entry* NextByAncestorScore() = 0;
    /** The entry spending outpoint (Core's GetConflictTx), or nullptr. */
    virtual const Entry* FindSpender(const consensus::OutPoint& outpoint) const = 0;
};

/** Why a transaction left the pool (Core's MemPoolRemovalReason; the log and ZMQ names are Core's). */
enum class RemovalReason {
    EXPIRY,    //!< "expiry": older than -mempoolexpiry
    SIZELIMIT, //!< "sizelimit": trimmed to -maxmempool
    REORG,     //!< "reorg": no longer valid after a reorganisation (non-final, immature spend)
    BLOCK,     //!< "block": confirmed in a block
    CONFLICT,  //!< "conflict": conflicts with a transaction in a block
    REPLACED,  //!< "replaced": evicted by a replacement (RBF)
};
const char* RemovalReasonName(RemovalReason reason);

/** Core's package limits (-limitancestorcount, -limitancestorsize, -limitdescendantcount, -limitdescendantsize). */
struct Limits {
    int64_t ancestor_count{25}; //!< including the transaction itself
    int64_t ancestor_size_vbytes{101'000};
    int64_t descendant_count{25}; //!< including the transaction itself
    int64_t descendant_size_vbytes{101'000};
};

/** What the pool knows about one transaction. Aggregates include the transaction itself. */
struct Entry {
    consensus::TransactionRef tx;
    consensus::Amount fee;       //!< inputs minus outputs
    consensus::Amount fee_delta; //!< prioritisetransaction's delta; modified fee = fee + fee_delta
    int64_t vsize{0};            //!< sigop-adjusted virtual size (policy's GetVirtualTransactionSize)
    int64_t weight{0};
    int64_t sigop_cost{0};
    int64_t time{0};     //!< entry time, seconds since the epoch
    int entry_height{0}; //!< chain height when it entered
    bool spends_coinbase{false};
    uint64_t sequence{0}; //!< the pool's sequence number when it entered (getrawmempool mempool_sequence)

    int64_t count_with_ancestors{1};
    int64_t size_with_ancestors{0};
    consensus::Amount fees_with_ancestors; //!< modified fees
    int64_t sigops_with_ancestors{0};
    int64_t count_with_descendants{1};
    int64_t size_with_descendants{0};
    consensus::Amount fees_with_descendants; //!< modified fees

    std::vector<consensus::Uint256> parents;  //!< txids of in-pool transactions it spends (direct)
    std::vector<consensus::Uint256> children; //!< txids of in-pool transactions spending it (direct)

    consensus::Amount ModifiedFee() const { return fee + fee_delta; }
    const consensus::Uint256& Txid() const { return tx->GetTxid(); }
};

/** A transaction about to enter, before ancestors are known: what accept.* measured. */
struct NewEntry {
    consensus::TransactionRef tx;
    consensus::Amount fee;
    int64_t vsize{0};
    int64_t weight{0};
    int64_t sigop_cost{0};
    int64_t time{0};
    int entry_height{0};
    bool spends_coinbase{false};
};

/** Called with each transaction that leaves the pool, and why (fee estimator, relay, wallet, ZMQ). */
using RemovalListener = std::function<void(const consensus::TransactionRef& tx, RemovalReason reason)>;

class TxMemPool {
public:
    struct Options {
        int64_t max_size_bytes{300'000'000};              //!< -maxmempool (MB * 1'000'000), against DynamicMemoryUsage
        int64_t expiry_seconds{336 * 60 * 60};            //!< -mempoolexpiry (hours * 3600)
        consensus::Amount incremental_relay_feerate{100}; //!< -incrementalrelayfee, sat/kvB
        consensus::Amount min_relay_feerate{100};         //!< -minrelaytxfee, sat/kvB
        Limits limits;
        /** Seconds since the epoch; tests inject a fake clock. Empty: the system clock. */
        std::function<int64_t()> now_seconds;
    };
    explicit TxMemPool(Options options);
    ~TxMemPool();
    TxMemPool(const TxMemPool&) = delete;
    TxMemPool& operator=(const TxMemPool&) = delete;

    const Options& GetOptions() const { return m_opts; }

    // ---- Reads: any thread; the shared lock for the call ----

    size_t Size() const;
    /** Sum of the entries' vsize (getmempoolinfo "bytes"). */
    int64_t TotalTxSize() const;
    /** Sum of the entries' base fees (getmempoolinfo "total_fee"). */
    consensus::Amount TotalFee() const;
    /** Estimated heap bytes of the pool (getmempoolinfo "usage"; what -maxmempool limits). */
    size_t DynamicMemoryUsage() const;
    bool Exists(const consensus::Uint256& txid) const;
    bool ExistsWtxid(const consensus::Uint256& wtxid) const;
    consensus::TransactionRef Get(const consensus::Uint256& txid) const;
    consensus::TransactionRef GetByWtxid(const consensus::Uint256& wtxid) const;
    /** A copy of the entry (nullopt if absent). */
    std::optional<Entry> GetEntry(const consensus::Uint256& txid) const;
    /** The in-pool transaction spending outpoint (Core's GetConflictTx / mapNextTx), or null. */
    consensus::TransactionRef GetSpender(const consensus::OutPoint& outpoint) const;
    /** Every entry, parents before children (ancestor count, then ancestor score): getrawmempool, mempool.dat. */
    std::vector<Entry> GetAllSorted() const;
    /** Txids of every in-pool ancestor (not itself) / descendant (not itself) of txid; empty if absent. */
    std::vector<consensus::Uint256> GetAncestors(const consensus::Uint256& txid) const;
    std::vector<consensus::Uint256> GetDescendants(const consensus::Uint256& txid) const;
    /** Every entry in ancestor-score order, best first (Core's CompareTxMemPoolEntryByAncestorFee). Copies. */
    std::vector<Entry> GetByAncestorScore() const;
    /**
     * Calls f once with a reader of the pool under the shared lock (the miner: no copy of the
     * pool, and it stops reading when the block is full). f must not call back into the pool.
     */
    void Read(const std::function<void(PoolReader&)>& f) const;
    /**
     * Core's GetMinFee: the fee rate (sat/kvB) a transaction must pay to enter now: the rolling
     * minimum raised by trimming, decaying with a 12-hour half-life (faster while the pool is
     * under half / a quarter of its limit), and zero once it is below half the incremental
     * relay fee. Not const: it updates the decay (under the exclusive lock).
     */
    consensus::Amount GetMinFee();
    /** The pool's sequence number: incremented on every addition and removal (getrawmempool mempool_sequence). */
    uint64_t GetSequence() const;
    /** Calls visit with every transaction (compact block reconstruction). */
    void ForEachTx(const std::function<void(const consensus::TransactionRef&)>& visit) const;

    // ---- The unbroadcast set (Core's m_unbroadcast_txids): any thread, its own lock ----

    /** Our own transaction (sendrawtransaction) that no peer has asked for yet; ignored if not in the pool. */
    void AddUnbroadcast(const consensus::Uint256& txid);
    /** A peer asked for it (or it left the pool): its initial broadcast is done. */
    void RemoveUnbroadcast(const consensus::Uint256& txid);
    bool IsUnbroadcast(const consensus::Uint256& txid) const;
    /** The set (mempool.dat, the periodic re-announcement). */
    std::set<consensus::Uint256> GetUnbroadcast() const;
    /** Its size (getmempoolinfo's unbroadcastcount), without copying it. */
    size_t UnbroadcastCount() const;

    // ---- Checks before adding: the writer's thread ----

    /**
     * The in-pool ancestors (txids, not itself) a new transaction with vsize would have, checked
     * against the limits as Core's CalculateMemPoolAncestors: on failure nullopt and error set to
     * Core's message ("too many unconfirmed ancestors [limit: 25]", "exceeds ancestor size limit
     * [limit: 101000]", "too many descendants for tx <txid> [limit: 25]", "exceeds descendant size
     * limit for tx <txid> [limit: 101000]"); the reject reason is "too-long-mempool-chain".
     */
    std::optional<std::vector<consensus::Uint256>> CalculateAncestors(const consensus::Transaction& tx, int64_t vsize,
                                                                      const Limits& limits, std::string& error) const;

    // ---- Writes: the validation owner's thread only; the exclusive lock for the call ----

    /** Adds an entry whose inputs, fees and limits were checked; sets its aggregates and links. Throws std::logic_error if present. */
    void AddUnchecked(const NewEntry& entry);
    /** Removes txid and all its in-pool descendants; if txid is not in the pool, its in-pool spenders and theirs. */
    void RemoveRecursive(const consensus::Uint256& txid, RemovalReason reason);
    /**
     * Removes a connected block's transactions (BLOCK) and whatever in-pool transaction spends
     * an outpoint they spend (CONFLICT, with descendants); clears their prioritisation deltas.
     */
    void RemoveForBlock(const std::vector<consensus::TransactionRef>& block_txs);
    /**
     * After a reorganisation: removes (REORG, with descendants) every entry for which
     * still_valid returns false (non-final, immature coinbase spend, bad sequence locks).
     * still_valid is called without the pool's lock (it may read the pool).
     */
    void RemoveForReorg(const std::function<bool(const Entry&)>& still_valid);
    /** Removes entries that entered before now - expiry (EXPIRY, with descendants); returns how many. */
    size_t Expire();
    /**
     * Core's TrimToSize: while DynamicMemoryUsage() > limit, removes the package with the lowest
     * descendant score (SIZELIMIT) and raises the rolling minimum fee to its rate plus the
     * incremental relay fee. Appends to no_spends_remaining the outpoints the removed
     * transactions spent that no remaining entry spends (their coins may be uncached).
     */
    void TrimToSize(size_t limit, std::vector<consensus::OutPoint>* no_spends_remaining = nullptr);
    /**
     * prioritisetransaction: adds delta to txid's fee delta (kept even while txid is not in the
     * pool, applied when it enters), updating every ancestor's and descendant's aggregates.
     */
    void PrioritiseTransaction(const consensus::Uint256& txid, consensus::Amount delta);
    /** The delta of txid, zero if none. Any thread. */
    consensus::Amount GetFeeDelta(const consensus::Uint256& txid) const;
    /** Every prioritisation delta (getprioritisedtransactions, mempool.dat). Any thread. */
    std::map<consensus::Uint256, consensus::Amount> GetFeeDeltas() const;
    /** Drops txid's delta (prioritisetransaction back to zero). */
    void ClearPrioritisation(const consensus::Uint256& txid);

    /** Sets the removal listener, called by the writer after each removal, outside the lock. Before use. */
    void SetRemovalListener(RemovalListener listener);

    /** Checks every invariant (links, aggregates, spender index); throws std::logic_error naming the first broken one. Tests. */
    void Check() const;

private:
    struct Impl;
    int64_t Now() const;
    /** Calls the removal listener with each removed transaction; without the lock. */
    void Notify(std::vector<std::pair<consensus::TransactionRef, RemovalReason>> removed) const;
    Options m_opts;
    RemovalListener m_listener;
    mutable util::SharedMutex m_mutex;
    std::unique_ptr<Impl> m_impl PT_GUARDED_BY(m_mutex);
};

} // namespace node::mempool
