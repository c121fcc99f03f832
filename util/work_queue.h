// A bounded FIFO of jobs that worker threads run in arrival order (the HTTP server's
// -rpcworkqueue): Enqueue refuses when full rather than waiting, so a flood of requests
// is answered "busy" instead of growing memory.
#pragma once

#include "util/sync.h"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>

namespace util {

/** A bounded FIFO of jobs served by worker threads (each calls Run). Thread-safe. */
class WorkQueue {
public:
    void SetMaxDepth(size_t depth) EXCLUDES(m_mutex)
    {
        util::LockGuard lock(m_mutex);
        m_max = depth;
    }
    /** Adds a job; false when the queue is full or interrupted. */
    bool Enqueue(std::function<void()> job) EXCLUDES(m_mutex)
    {
        util::LockGuard lock(m_mutex);
        if (m_interrupted || m_jobs.size() >= m_max) return false;
        m_jobs.push_back(std::move(job));
        m_cv.notify_one();
        return true;
    }
    /** Worker loop: runs jobs until interrupted and drained. */
    void Run() EXCLUDES(m_mutex)
    {
        while (true) {
            std::function<void()> job;
            {
                util::UniqueLock lock(m_mutex);
                m_cv.wait(lock, [&]() REQUIRES(m_mutex) { return m_interrupted || !m_jobs.empty(); });
                if (m_jobs.empty()) return;
                job = std::move(m_jobs.front());
                m_jobs.pop_front();
            }
            job();
        }
    }
    /** Refuses new jobs and wakes the workers so they exit once the queue is empty. */
    void Interrupt() EXCLUDES(m_mutex)
    {
        util::LockGuard lock(m_mutex);
        m_interrupted = true;
        m_cv.notify_all();
    }
    size_t Size() EXCLUDES(m_mutex)
    {
        util::LockGuard lock(m_mutex);
        return m_jobs.size();
    }
    void Reset() EXCLUDES(m_mutex)
    {
        util::LockGuard lock(m_mutex);
        m_interrupted = false;
        m_jobs.clear();
    }

private:
    util::Mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs GUARDED_BY(m_mutex);
    size_t m_max GUARDED_BY(m_mutex){16};
    bool m_interrupted GUARDED_BY(m_mutex){false};
};

} // namespace util
