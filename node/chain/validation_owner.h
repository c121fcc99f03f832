// The validation owner: the one thread that applies every write to chain state in the
// daemon (blocks, headers, activation and the start-up catch-up, invalidate/reconsider,
// imports, block templates, periodic flushes; later the mempool's view of the tip).
// Callers never run a write themselves: they hand it over and get a future (RPC, the
// import thread: they wait on it, as Core's RPC is synchronous) or a callback (the P2P
// network thread, which must never block on validation).
//
// Jobs run one at a time in FIFO order. A long write comes as steps (WriteStep, at most
// 32 blocks each): the owner runs one step as one job and queues the next behind whatever
// was handed over meanwhile, so other writes interleave with a rebuild (each caller still
// waits for its own write to finish, activation included), and a shutdown ends a long
// write between two steps.
//
// Backpressure: Submit and Post never block and the queue has no bound of its own; the
// producers bound it. RPC threads wait for their job (at most one each, and their number
// is capped by the HTTP server; a JSON-RPC batch's sendrawtransaction calls begun ahead,
// at most 129 per thread, go through the pre-verifier first); the importer (-loadblock, -reindex) reads the next block
// only once the last one's write ran, so a huge file never queues more than one block.
// The P2P layer will bound its blocks in flight per peer.
//
// Shutdown: Stop() lets the job that is running finish (one step at most), joins the
// thread and cancels every job still queued, and any handed over afterwards: their
// futures hold OwnerStopped (the chain-write wrappers' an error ValidationResult), and a
// Post's on_cancel runs instead of on_done. Nothing ever waits forever on a stopped owner.
#pragma once

#include "consensus/primitives/block.h"
#include "consensus/validation_result.h"
#include "node/chain/chainstate.h"
#include "util/sync.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace node::chain {

/** What a job's future holds when the owner stopped before running it (to its end). */
class OwnerStopped : public std::runtime_error {
public:
    OwnerStopped() : std::runtime_error("the validation owner stopped before the job ran") {}
};

/** The result of a block handed to the owner: ProcessNewBlock's verdict and whether the block was new. */
struct BlockResult {
    consensus::ValidationResult result;
    bool new_block{false};
};

/**
 * The thread that owns chain writes (see the file comment). Construct it over an opened
 * chainstate, which must outlive it; every public method may be called from any thread
 * (Stop() not from the owner thread itself). A job must not wait on a future of the
 * owner: it would wait for itself (Run() runs inline there instead).
 */
class ValidationOwner {
public:
    /** Starts the owner thread. */
    explicit ValidationOwner(Chainstate& chainstate);
    /** Stop(). */
    ~ValidationOwner();
    ValidationOwner(const ValidationOwner&) = delete;
    ValidationOwner& operator=(const ValidationOwner&) = delete;

    /**
     * Queues job (run as job()) and returns at once. The future holds its result, the
     * exception it threw, or OwnerStopped if the owner stopped before it ran.
     */
    template <class F>
    auto Submit(F&& job) -> std::future<std::invoke_result_t<std::decay_t<F>&>>
    {
        using R = std::invoke_result_t<std::decay_t<F>&>;
        auto promise = std::make_shared<std::promise<R>>();
        std::future<R> future = promise->get_future();
        Enqueue(Job{[promise, job = std::forward<F>(job)]() mutable {
                        try {
                            if constexpr (std::is_void_v<R>) {
                                job();
                                promise->set_value();
                            } else {
                                promise->set_value(job());
                            }
                        } catch (...) {
                            promise->set_exception(std::current_exception());
                        }
                        return true;
                    },
                    [promise] { promise->set_exception(std::make_exception_ptr(OwnerStopped())); }});
        return future;
    }

    /**
     * Queues job and returns at once; on the owner thread on_done(result) (on_done() for a
     * void job) follows the job. If the job throws, on_cancel (if any) runs there instead;
     * if the owner stops before the job ran, on_cancel runs on the thread that stops it (the
     * caller's if it already had). Never blocks: the form for a thread that must not wait
     * (the network thread).
     */
    template <class F, class Done>
    void Post(F&& job, Done&& on_done, std::function<void()> on_cancel = {})
    {
        using R = std::invoke_result_t<std::decay_t<F>&>;
        Enqueue(Job{[job = std::forward<F>(job), on_done = std::forward<Done>(on_done), on_cancel]() mutable {
                        std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> result;
                        try {
                            if constexpr (std::is_void_v<R>) {
                                job();
                                result = true;
                            } else {
                                result.emplace(job());
                            }
                        } catch (...) {
                            if (on_cancel) on_cancel();
                            return true;
                        }
                        if constexpr (std::is_void_v<R>) {
                            on_done();
                        } else {
                            on_done(std::move(*result));
                        }
                        return true;
                    },
                    std::move(on_cancel)});
    }

    // ---- Chain writes (the chainstate's writers, run here; each returns at once) ----

    /** ProcessNewBlock, in steps. A stopped owner: an error result. */
    std::future<BlockResult> SubmitBlock(std::shared_ptr<const consensus::Block> block);
    /** The same with a callback (on the owner thread; if the owner stops first, with an error result on the stopping thread). */
    void PostBlock(std::shared_ptr<const consensus::Block> block, std::function<void(const BlockResult&)> on_done);
    /** ProcessNewBlockHeaders (submitheader, later headers from peers). */
    std::future<consensus::ValidationResult> SubmitHeaders(std::vector<consensus::BlockHeader> headers);
    /** InvalidateBlock, in steps (invalidateblock). */
    std::future<consensus::ValidationResult> InvalidateBlock(const consensus::Uint256& hash);
    /** ReconsiderBlock, in steps (reconsiderblock). */
    std::future<consensus::ValidationResult> ReconsiderBlock(const consensus::Uint256& hash);
    /** ActivateBestChain, in steps: the start-up catch-up of the blocks stored beyond the coins' tip. */
    std::future<consensus::ValidationResult> ActivateBestChain();
    /** Any chain write in steps: step runs as one job per step until it returns a result. */
    std::future<consensus::ValidationResult> SubmitSteps(WriteStep step);
    /** As SubmitSteps, with a callback (on the owner thread; from Stop() with an error if cancelled). */
    void PostSteps(WriteStep step, std::function<void(consensus::ValidationResult)> on_done)
    {
        EnqueueSteps(std::move(step), std::move(on_done));
    }

    /**
     * Runs write on the owner thread and returns once it ran (inline when called there).
     * Rethrows what it threw; throws OwnerStopped if the owner stopped first.
     */
    void Run(const std::function<void()>& write);
    /** Run as the chainstate's RunOnOwner hook (ImportBlocks). Valid while the owner lives. */
    RunOnOwner Runner();

    /** Finishes the running job, joins the thread, cancels the rest (see the file comment). Idempotent. */
    void Stop() EXCLUDES(m_stop_mutex, m_mutex);
    /** True on the owner thread. */
    bool OnOwnerThread() const { return std::this_thread::get_id() == m_thread_id; }
    std::thread::id ThreadId() const { return m_thread_id; }
    /** Jobs waiting (not the one running). */
    size_t QueueSize() const EXCLUDES(m_mutex);

private:
    /** One queued job: run does one step and returns true once finished; cancel resolves it unrun. */
    struct Job {
        std::function<bool()> run;
        std::function<void()> cancel;
    };
    /** Queues job, or cancels it here if the owner stopped. */
    void Enqueue(Job job) EXCLUDES(m_mutex);
    /** Queues a stepped chain write: on_result gets its result, or an error result if cancelled. */
    void EnqueueSteps(WriteStep step, std::function<void(consensus::ValidationResult)> on_result) EXCLUDES(m_mutex);
    void ThreadMain() EXCLUDES(m_mutex);

    Chainstate& m_chainstate;
    mutable util::Mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Job> m_queue GUARDED_BY(m_mutex);
    bool m_stopping GUARDED_BY(m_mutex){false};
    /** Serializes Stop() callers (one joins, the others wait for it). */
    util::Mutex m_stop_mutex;
    std::thread m_thread GUARDED_BY(m_stop_mutex);
    /** Set once in the constructor, before any job can run. */
    std::thread::id m_thread_id;
};

} // namespace node::chain
