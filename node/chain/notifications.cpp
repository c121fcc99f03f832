// ChainNotifier: synchronous delivery on the owner's thread, asynchronous delivery from one
// queue on one notification thread.
#include "node/chain/notifications.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace node::chain {

namespace {
/** The notifier whose thread this is (nullptr on every other thread). */
thread_local const ChainNotifier* t_notifier = nullptr;
/** How deep this thread is inside synchronous listener calls. */
thread_local int t_sync_hook_depth = 0;

/** Marks this thread as inside a synchronous listener call for its scope. */
struct SyncHookScope {
    SyncHookScope() { ++t_sync_hook_depth; }
    ~SyncHookScope() { --t_sync_hook_depth; }
    SyncHookScope(const SyncHookScope&) = delete;
    SyncHookScope& operator=(const SyncHookScope&) = delete;
};
} // namespace

ChainNotifier::ChainNotifier()
{
    m_thread = std::thread([this] { ThreadMain(); });
}

ChainNotifier::~ChainNotifier() { Stop(); }

bool ChainNotifier::InSyncHook() { return t_sync_hook_depth > 0; }

void ChainNotifier::RefuseInSyncHook(const char* what)
{
    if (!InSyncHook()) return;
    std::fprintf(stderr, "Error: %s called from a synchronous chain listener (the owner's lock is held)\n", what);
    std::abort();
}

void ChainNotifier::Add(ChainListener* listener, Delivery delivery)
{
    RefuseInSyncHook("AddListener");
    if (delivery == Delivery::SYNC) {
        util::LockGuard lock(m_sync_mutex);
        m_sync_listeners.push_back(listener);
    } else {
        const bool wants_mempool = listener->WantsMempoolEvents(); // no listener is called under m_mutex
        util::LockGuard lock(m_mutex);
        m_async_listeners.push_back(listener);
        if (wants_mempool) m_async_mempool_listeners.push_back(listener);
    }
    ++m_listener_count;
}

void ChainNotifier::Remove(ChainListener* listener)
{
    RefuseInSyncHook("RemoveListener");
    size_t removed = 0;
    {
        // Taking the lock waits for a synchronous call in progress.
        util::LockGuard lock(m_sync_mutex);
        const auto it = std::remove(m_sync_listeners.begin(), m_sync_listeners.end(), listener);
        removed += static_cast<size_t>(m_sync_listeners.end() - it);
        m_sync_listeners.erase(it, m_sync_listeners.end());
    }
    {
        util::UniqueLock lock(m_mutex);
        const auto it = std::remove(m_async_listeners.begin(), m_async_listeners.end(), listener);
        removed += static_cast<size_t>(m_async_listeners.end() - it);
        m_async_listeners.erase(it, m_async_listeners.end());
        std::erase(m_async_mempool_listeners, listener);
        // A listener removing itself from its own call returns at once; anyone else waits.
        if (t_notifier != this) {
            m_cv.wait(lock, [&]() REQUIRES(m_mutex) { return m_in_flight != listener; });
        }
    }
    m_listener_count -= static_cast<int>(removed);
}

void ChainNotifier::Notify(ChainEvent e)
{
    if (!HasListeners()) return;
    {
        util::LockGuard lock(m_sync_mutex);
        SyncHookScope scope;
        for (ChainListener* l : m_sync_listeners) Dispatch(*l, e);
    }
    util::LockGuard lock(m_mutex);
    // Nobody to deliver to later, or the thread is gone (shutdown): synchronous delivery only.
    if (m_async_listeners.empty() || m_stop) return;
    m_queue.push_back(std::move(e));
    ++m_queued;
    m_cv.notify_all();
}

void ChainNotifier::QueueAsync(ChainEvent e)
{
    util::LockGuard lock(m_mutex);
    if (m_async_mempool_listeners.empty() || m_stop) return;
    m_queue.push_back(std::move(e));
    ++m_queued;
    m_cv.notify_all();
}

void ChainNotifier::WaitForRoom()
{
    RefuseInSyncHook("a chainstate writer");
    if (t_notifier == this) return; // the queue drains only when this thread returns
    util::UniqueLock lock(m_mutex);
    m_cv.wait(lock, [&]() REQUIRES(m_mutex) { return m_queued - m_delivered <= MAX_QUEUED_EVENTS || m_stopped; });
}

void ChainNotifier::Sync()
{
    RefuseInSyncHook("SyncWithNotifications");
    if (t_notifier == this) return;
    util::UniqueLock lock(m_mutex);
    const uint64_t target = m_queued;
    m_cv.wait(lock, [&]() REQUIRES(m_mutex) { return m_delivered >= target || m_stopped; });
}

size_t ChainNotifier::Pending() const
{
    util::LockGuard lock(m_mutex);
    return static_cast<size_t>(m_queued - m_delivered);
}

void ChainNotifier::Stop()
{
    util::LockGuard join(m_join_mutex);
    {
        util::LockGuard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable() && t_notifier != this) m_thread.join();
}

void ChainNotifier::ThreadMain()
{
    t_notifier = this;
    util::UniqueLock lock(m_mutex);
    while (true) {
        m_cv.wait(lock, [&]() REQUIRES(m_mutex) { return m_stop || !m_queue.empty(); });
        // Stopping: whatever was queued is delivered first (Core flushes its queue too).
        if (m_queue.empty()) break;
        ChainEvent e = std::move(m_queue.front());
        m_queue.pop_front();
        // One event at a time to every listener registered now; one removed meanwhile is skipped.
        const bool mempool_event = e.kind == ChainEvent::Kind::TX_ADDED || e.kind == ChainEvent::Kind::TX_REMOVED;
        const std::vector<ChainListener*> targets = TargetsOf(mempool_event);
        for (ChainListener* l : targets) {
            const std::vector<ChainListener*>& now = TargetsOf(mempool_event);
            if (std::find(now.begin(), now.end(), l) == now.end()) continue;
            m_in_flight = l;
            lock.Unlock();
            Dispatch(*l, e);
            lock.Lock();
            m_in_flight = nullptr;
            m_cv.notify_all();
        }
        ++m_delivered;
        m_cv.notify_all();
    }
    m_stopped = true;
    m_cv.notify_all();
}

void ChainNotifier::Dispatch(ChainListener& listener, const ChainEvent& e)
{
    switch (e.kind) {
    case ChainEvent::Kind::CONNECTED: listener.BlockConnected(e.block, e.index); break;
    case ChainEvent::Kind::DISCONNECTED: listener.BlockDisconnected(e.block, e.index); break;
    case ChainEvent::Kind::TIP: listener.UpdatedBlockTip(e.index, e.fork, e.ibd); break;
    case ChainEvent::Kind::TX_ADDED: listener.TransactionAddedToMempool(e.tx); break;
    case ChainEvent::Kind::TX_REMOVED: listener.TransactionRemovedFromMempool(e.tx); break;
    }
}

} // namespace node::chain
