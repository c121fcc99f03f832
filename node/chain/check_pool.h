// A fixed pool of threads that runs one session's checks at a time, while the thread that
// opened the session keeps adding more (Core's CCheckQueue pattern). Generic over the check
// type: `Check` is copyable and `bool operator()()` runs it (false: it failed). Block
// connection uses it for script checks (script_check_pool.h); tests use checks that block,
// to hold a worker in the middle of a check.
#pragma once

#include "util/sync.h"

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace node::chain {

/**
 * Thread contract: only one thread at a time opens sessions (the chainstate lock
 * guarantees that for block connection); the destructor joins the workers.
 */
template <typename Check>
class CheckPool {
public:
    /** threads_total counts the caller: threads_total - 1 workers are started (none if <= 1). */
    explicit CheckPool(int threads_total)
    {
        for (int i = 1; i < threads_total; ++i) m_workers.emplace_back([this] { WorkerLoop(); });
    }
    ~CheckPool()
    {
        {
            util::LockGuard lock(m_mutex);
            m_stop = true;
        }
        m_cv_work.notify_all();
        for (auto& t : m_workers) t.join();
    }
    CheckPool(const CheckPool&) = delete;
    CheckPool& operator=(const CheckPool&) = delete;

    int Threads() const { return static_cast<int>(m_workers.size()) + 1; }

    /**
     * The checks of one block. Add() makes checks available to the workers immediately;
     * Join() has the caller help until all are done. Destroying a session that was not
     * joined cancels the checks not yet started and waits for those running, so an early
     * return from the caller never leaves a worker reading freed data.
     */
    class Session {
    public:
        /** capacity: the most checks this session will hold (the vector never reallocates). */
        Session(CheckPool& pool, size_t capacity) : m_pool(pool)
        {
            m_checks.reserve(capacity);
            m_pool.Begin(m_checks.data());
        }
        ~Session()
        {
            if (!m_joined) m_pool.Finish(true);
        }
        Session(const Session&) = delete;
        Session& operator=(const Session&) = delete;

        /** Adds a check; throws std::logic_error past the capacity given to the constructor. */
        void Add(const Check& check)
        {
            if (m_checks.size() == m_checks.capacity()) throw std::logic_error("CheckPool::Session: over capacity");
            m_checks.push_back(check);
        }
        /** Lets the workers start on everything added since the last Release (or Add). */
        void Release() { m_pool.Publish(m_checks.size()); }
        /** Runs the rest on the caller too and waits; the index of a failing check (the lowest found), or nullopt. */
        std::optional<size_t> Join()
        {
            m_joined = true;
            m_pool.Publish(m_checks.size());
            return m_pool.Finish(false);
        }
        /** The checks added so far, for reading a failure's details after Join(). */
        const std::vector<Check>& Checks() const { return m_checks; }

    private:
        CheckPool& m_pool;
        std::vector<Check> m_checks;
        bool m_joined{false};
    };

private:
    /** Takes and runs checks until none is available; m_mutex is held on entry and exit (released while checking). */
    void RunAvailable() REQUIRES(m_mutex)
    {
        // Small batches: a signature check (~60 us) dwarfs the lock, and small batches keep
        // the threads busy to the end of the block.
        constexpr size_t MAX_BATCH = 8;
        const size_t threads = static_cast<size_t>(Threads());
        while (m_checks && m_next < m_published && m_first_fail == SIZE_MAX) {
            const size_t n = std::clamp<size_t>((m_published - m_next) / threads, 1, MAX_BATCH);
            const size_t start = m_next;
            m_next += n;
            ++m_running;
            Check* const checks = m_checks;
            m_mutex.unlock(); // the caller's lock object is relocked below before it sees it again
            size_t fail = SIZE_MAX;
            for (size_t i = start; i < start + n; ++i) {
                if (!checks[i]()) {
                    fail = i;
                    break;
                }
            }
            m_mutex.lock();
            m_first_fail = std::min(m_first_fail, fail);
            if (--m_running == 0) m_cv_idle.notify_all();
        }
    }

    void WorkerLoop() EXCLUDES(m_mutex)
    {
        util::UniqueLock lock(m_mutex);
        while (!m_stop) {
            if (m_checks && m_next < m_published && m_first_fail == SIZE_MAX) {
                RunAvailable();
                continue;
            }
            ++m_idle_workers;
            m_cv_work.wait(lock);
            --m_idle_workers;
        }
    }

    void Begin(Check* checks) EXCLUDES(m_mutex)
    {
        util::LockGuard lock(m_mutex);
        m_checks = checks;
        m_published = m_next = 0;
        m_first_fail = SIZE_MAX;
    }

    void Publish(size_t count) EXCLUDES(m_mutex)
    {
        util::UniqueLock lock(m_mutex);
        if (count <= m_published) return;
        const size_t fresh = count - m_published;
        m_published = count;
        const int idle = m_idle_workers;
        lock.Unlock();
        if (idle == 0) return;
        if (fresh > 1 && idle > 1) {
            m_cv_work.notify_all();
        } else {
            m_cv_work.notify_one();
        }
    }

    std::optional<size_t> Finish(bool cancel) EXCLUDES(m_mutex)
    {
        util::UniqueLock lock(m_mutex);
        if (cancel) {
            m_published = m_next; // nothing more is taken; wait for what is running
        } else {
            RunAvailable();
        }
        m_cv_idle.wait(lock, [&]() REQUIRES(m_mutex) { return m_running == 0; });
        const size_t fail = m_first_fail;
        m_checks = nullptr;
        m_published = m_next = 0;
        m_first_fail = SIZE_MAX;
        if (fail == SIZE_MAX) return std::nullopt;
        return fail;
    }

    std::vector<std::thread> m_workers;
    util::Mutex m_mutex;
    std::condition_variable m_cv_work; // workers: checks available, or stop
    std::condition_variable m_cv_idle; // joiner: the last running check finished
    bool m_stop GUARDED_BY(m_mutex){false};
    Check* m_checks GUARDED_BY(m_mutex){nullptr}; // the open session's checks (its vector never reallocates)
    size_t m_published GUARDED_BY(m_mutex){0};    // checks [0, m_published) may be taken
    size_t m_next GUARDED_BY(m_mutex){0};         // the next check to take
    int m_running GUARDED_BY(m_mutex){0};         // checks taken but not finished
    int m_idle_workers GUARDED_BY(m_mutex){0};    // workers waiting on m_cv_work
    size_t m_first_fail GUARDED_BY(m_mutex){SIZE_MAX};
};

} // namespace node::chain
