// Chain notifications (Core's CMainSignals with its SingleThreadedSchedulerClient): the
// validation owner hands every chain event, in the order the chain changed, to one
// ChainNotifier; synchronous listeners are called right there, on the owner's thread, and
// asynchronous ones later, one event at a time, from one FIFO queue on one notification
// thread. Private to node/chain (the chainstate owns one); listeners subscribe through
// Chainstate::AddListener.
#pragma once

#include "node/chain/chainstate.h"
#include "util/sync.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

namespace node::chain {

/** One chain event, as the owner records it. */
struct ChainEvent {
    enum class Kind { CONNECTED, DISCONNECTED, TIP, TX_ADDED, TX_REMOVED } kind;
    std::shared_ptr<const consensus::Block> block;
    const BlockIndex* index{nullptr};
    const BlockIndex* fork{nullptr};
    bool ibd{false};
    consensus::TransactionRef tx{}; //!< TX_ADDED / TX_REMOVED: the transaction that entered / left the mempool
};

/**
 * The notification queue and its thread. Thread contract: Notify only from the validation
 * owner with its lock held (so events enter in chain order); Add/Remove, Sync and
 * WaitForRoom from any thread without the owner's lock. Lock order: the owner's lock, then
 * m_sync_mutex, then m_mutex; no listener is ever called with m_mutex held.
 */
class ChainNotifier {
public:
    /**
     * Core's LimitValidationInterfaceQueue bound: a writer's next bounded step waits while
     * more than this many events are queued or being delivered to asynchronous listeners.
     */
    static constexpr size_t MAX_QUEUED_EVENTS = 10;

    /** Starts the notification thread. */
    ChainNotifier();
    /** Stop(). */
    ~ChainNotifier();
    ChainNotifier(const ChainNotifier&) = delete;
    ChainNotifier& operator=(const ChainNotifier&) = delete;

    void Add(ChainListener* listener, Delivery delivery) EXCLUDES(m_sync_mutex, m_mutex);
    /** Unregisters; waits for a call in progress to listener to return (unless called from inside it). */
    void Remove(ChainListener* listener) EXCLUDES(m_sync_mutex, m_mutex);
    /** True if anyone listens (block events are recorded only then). Any thread. */
    bool HasListeners() const { return m_listener_count.load() > 0; }

    /**
     * Calls every synchronous listener with e now, on this thread, then queues e for the
     * asynchronous ones. Owner only, with its lock held, never from inside a listener.
     */
    void Notify(ChainEvent e) EXCLUDES(m_sync_mutex, m_mutex);
    /**
     * Queues e for the asynchronous listeners only (a mempool event: the mempool, a
     * synchronous listener, is where it comes from), unless none of them wants mempool
     * events. On the owner's thread, so it keeps its place among the chain's events; inside a
     * synchronous listener too.
     */
    void QueueAsync(ChainEvent e) EXCLUDES(m_mutex);
    /**
     * Waits while more than MAX_QUEUED_EVENTS events wait for (or are in) asynchronous
     * delivery. Writers call it before each bounded step, without the owner's lock. Returns
     * at once on the notification thread itself (a listener that writes) and after Stop().
     */
    void WaitForRoom() EXCLUDES(m_mutex);
    /**
     * Waits until every event queued before the call was delivered to every asynchronous
     * listener (Core's SyncWithValidationInterfaceQueue). Returns at once on the notification
     * thread and after Stop(). Never call it with the owner's lock held.
     */
    void Sync() EXCLUDES(m_mutex);
    /** Events queued for asynchronous listeners and not yet delivered (diagnostics). */
    size_t Pending() const EXCLUDES(m_mutex);
    /**
     * Delivers every event already queued (Core flushes its queue at shutdown), then ends the
     * notification thread. Later events reach only synchronous listeners. Idempotent.
     */
    void Stop() EXCLUDES(m_mutex);
    /** True on a thread that is inside a synchronous listener's call (it must not write). */
    static bool InSyncHook();
    /** Aborts the process, naming what, if called from a synchronous listener (it would deadlock). */
    static void RefuseInSyncHook(const char* what);

private:
    void ThreadMain() EXCLUDES(m_mutex);
    /** The asynchronous listeners an event goes to: those wanting mempool events, or all. */
    const std::vector<ChainListener*>& TargetsOf(bool mempool_event) const REQUIRES(m_mutex)
    {
        return mempool_event ? m_async_mempool_listeners : m_async_listeners;
    }
    static void Dispatch(ChainListener& listener, const ChainEvent& e);

    std::atomic<int> m_listener_count{0};

    /** Held while synchronous listeners are called, so Remove waits for a call in progress. */
    util::Mutex m_sync_mutex;
    std::vector<ChainListener*> m_sync_listeners GUARDED_BY(m_sync_mutex);

    mutable util::Mutex m_mutex;
    std::condition_variable m_cv; // any change below
    std::vector<ChainListener*> m_async_listeners GUARDED_BY(m_mutex);
    /** Of m_async_listeners, those that take transaction events (WantsMempoolEvents). */
    std::vector<ChainListener*> m_async_mempool_listeners GUARDED_BY(m_mutex);
    std::deque<ChainEvent> m_queue GUARDED_BY(m_mutex);
    uint64_t m_queued GUARDED_BY(m_mutex){0};    // events ever queued
    uint64_t m_delivered GUARDED_BY(m_mutex){0}; // of those, delivered to every async listener
    /** The asynchronous listener being called now, if any (Remove waits for it). */
    ChainListener* m_in_flight GUARDED_BY(m_mutex){nullptr};
    bool m_stop GUARDED_BY(m_mutex){false};
    bool m_stopped GUARDED_BY(m_mutex){false}; // the thread has drained the queue and ended
    util::Mutex m_join_mutex;
    std::thread m_thread GUARDED_BY(m_join_mutex); // started by the constructor, joined by Stop
};

} // namespace node::chain
