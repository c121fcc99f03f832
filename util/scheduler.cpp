#include "util/scheduler.h"

#include "util/logging.h"

#include <exception>
#include <iterator>

namespace util {

void Scheduler::Start(const std::string& name)
{
    LockGuard lock(m_mutex);
    if (m_started || m_stop) return;
    m_started = true;
    m_thread = std::thread([this, name] {
        LogPrintf("%s thread start", name.c_str());
        Loop();
        LogPrintf("%s thread exit", name.c_str());
    });
}

void Scheduler::ScheduleEvery(std::function<void()> task, std::chrono::milliseconds interval)
{
    if (interval.count() <= 0) interval = std::chrono::milliseconds(1);
    {
        LockGuard lock(m_mutex);
        m_tasks.emplace(Clock::now() + interval, Task{std::move(task), interval});
    }
    m_cv.notify_all();
}

void Scheduler::ScheduleFromNow(std::function<void()> task, std::chrono::milliseconds delay)
{
    {
        LockGuard lock(m_mutex);
        m_tasks.emplace(Clock::now() + delay, Task{std::move(task), std::chrono::milliseconds(0)});
    }
    m_cv.notify_all();
}

bool Scheduler::AnyDue(Clock::time_point now) const { return !m_tasks.empty() && m_tasks.begin()->first <= now; }

void Scheduler::MockForward(std::chrono::seconds delta)
{
    UniqueLock lock(m_mutex);
    std::multimap<Clock::time_point, Task> moved;
    for (auto& [when, task] : m_tasks) moved.emplace(when - delta, std::move(task));
    m_tasks.swap(moved);
    m_cv.notify_all();
    if (!m_started) return;
    // Until nothing is due and no task runs: a test reads the effect right after.
    const Clock::time_point now = Clock::now();
    m_cv.wait(lock, [&]() REQUIRES(m_mutex) { return m_stop || (!m_running_task && !AnyDue(now)); });
}

void Scheduler::Stop()
{
    {
        LockGuard lock(m_mutex);
        m_stop = true;
        m_tasks.clear();
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void Scheduler::Loop()
{
    UniqueLock lock(m_mutex);
    while (!m_stop) {
        if (m_tasks.empty()) {
            m_cv.wait(lock);
            continue;
        }
        const Clock::time_point next = m_tasks.begin()->first;
        if (Clock::now() < next) {
            m_cv.wait_until(lock, next);
            continue;
        }
        auto node = m_tasks.extract(m_tasks.begin());
        Task task = std::move(node.mapped());
        m_running_task = true;
        lock.Unlock();
        try {
            task.fn();
        } catch (const std::exception& e) {
            LogPrintf("scheduler: a task failed: %s", e.what());
        }
        lock.Lock();
        m_running_task = false;
        // The next run counts from now: a late run does not make a burst of catch-up runs.
        if (!m_stop && task.interval.count() > 0) m_tasks.emplace(Clock::now() + task.interval, std::move(task));
        m_cv.notify_all();
    }
}

} // namespace util
