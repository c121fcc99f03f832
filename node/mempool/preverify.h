// Script checks of incoming transactions off the validation owner, in parallel across
// transactions. A relayed transaction's input scripts are verified on a worker thread, under the
// standard flags, against the coins of the chain and the pool as they are then; a pass is recorded
// in the chainstate's script execution cache, keyed (wtxid, STANDARD_SCRIPT_VERIFY_FLAGS). The
// transaction then goes on to acceptance on the owner (MempoolAcceptor), which finds the entry and
// skips its own script run: the owner's critical section keeps only the cheap checks.
//
// Soundness: a script's verdict depends only on the transaction and the outputs it spends, and
// those are fixed by the outpoints the wtxid commits to; so the entry stays true whatever the
// chain does later (Core's script execution cache relies on the same). A failure or a missing
// coin records nothing: the owner then runs the scripts itself and gives Core's verdict.
//
// Thread contract: Submit from any thread. Each transaction's continuation runs exactly once, in
// submission order (a child is never handed on before the parent sent ahead of it), on a worker
// thread, or in Flush/Stop for what is left. The queue is bounded: past max_queue, a transaction
// is handed on unverified (the owner checks it as before), so a flood costs no memory here.
#pragma once

#include "consensus/primitives/transaction.h"
#include "consensus/script/script_error.h"
#include "node/mempool/accept.h"
#include "util/sync.h"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace node::chain {
class Chainstate;
class ScriptCache;
} // namespace node::chain

namespace node::mempool {

class TxMemPool;

/** Runs every input script of tx against spent (one output per input) under flags; the first failure's error in err. */
bool VerifyInputScripts(const consensus::Transaction& tx, const std::vector<consensus::TxOut>& spent, uint32_t flags,
                        consensus::ScriptError* err);

class ScriptPreverifier {
public:
    /** Default bound of queued transactions (a few seconds of a busy node's relay). */
    static constexpr size_t DEFAULT_MAX_QUEUE = 5000;

    /**
     * threads workers (at least 1) read chain and pool and write cache; all must outlive this.
     * options: the node's standardness settings (what is not standard is not verified here).
     */
    ScriptPreverifier(const chain::Chainstate& chain, const TxMemPool& pool, chain::ScriptCache& cache,
                      AcceptOptions options, int threads, size_t max_queue = DEFAULT_MAX_QUEUE);
    ~ScriptPreverifier();
    ScriptPreverifier(const ScriptPreverifier&) = delete;
    ScriptPreverifier& operator=(const ScriptPreverifier&) = delete;

    /** Verifies tx's scripts on a worker (if the queue has room), then calls next. */
    void Submit(consensus::TransactionRef tx, std::function<void()> next) EXCLUDES(m_mutex);
    /** Returns once every transaction submitted before the call was handed on. */
    void Flush() EXCLUDES(m_mutex);
    /** Stops the workers; what is still queued is handed on unverified. Idempotent. */
    void Stop() EXCLUDES(m_mutex);

    /**
     * The worker's check, on the calling thread (an RPC thread before it queues the transaction
     * on the owner): true if the scripts passed and the pass is recorded.
     */
    bool CheckNow(const consensus::Transaction& tx) const { return Check(tx); }

    /** Transactions verified and recorded / handed on unverified (full queue, missing coin, failure). */
    uint64_t Verified() const EXCLUDES(m_mutex);
    uint64_t Unverified() const EXCLUDES(m_mutex);

private:
    struct Job {
        consensus::TransactionRef tx;
        std::function<void()> next;
        bool done{false};
    };
    void WorkerMain() EXCLUDES(m_mutex);
    /** Whether tx's scripts all pass under the standard flags with the coins seen now. */
    bool Check(const consensus::Transaction& tx) const;
    /** Hands on the finished jobs at the front, in order; one thread at a time. */
    void HandOn(util::UniqueLock& lock) REQUIRES(m_mutex);

    const chain::Chainstate& m_chain;
    const TxMemPool& m_pool;
    chain::ScriptCache& m_cache;
    const AcceptOptions m_opts;
    const size_t m_max_queue;

    mutable util::Mutex m_mutex;
    std::condition_variable m_cv;                                  // work queued, or stopping
    std::condition_variable m_idle_cv;                             // the order queue emptied
    std::deque<std::shared_ptr<Job>> m_queued GUARDED_BY(m_mutex); // not started
    std::deque<std::shared_ptr<Job>> m_order GUARDED_BY(m_mutex);  // not handed on, submission order
    bool m_handing_on GUARDED_BY(m_mutex){false};
    bool m_stopping GUARDED_BY(m_mutex){false};
    uint64_t m_verified GUARDED_BY(m_mutex){0};
    uint64_t m_unverified GUARDED_BY(m_mutex){0};
    std::vector<std::thread> m_threads;
};

} // namespace node::mempool
