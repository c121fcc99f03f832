// A thread that runs tasks at intervals (Core's CScheduler with scheduleEvery/scheduleFromNow),
// for the node's periodic jobs: writing fee_estimates.dat every hour, announcing our own
// unbroadcast transactions again every 10 to 15 minutes. MockForward moves every task's next
// run earlier, as Core's mockscheduler RPC does on regtest, and returns once the tasks it made
// due have run, so a test sees their effect at once.
#pragma once

#include "util/sync.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>

namespace util {

class Scheduler {
public:
    using Clock = std::chrono::steady_clock;

    Scheduler() = default;
    ~Scheduler() { Stop(); }
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /** Starts the thread (named name in the log). Tasks added before run once it is started. */
    void Start(const std::string& name) EXCLUDES(m_mutex);
    /** Runs task every interval (> 0), the first time interval from now, until Stop. */
    void ScheduleEvery(std::function<void()> task, std::chrono::milliseconds interval) EXCLUDES(m_mutex);
    /** Runs task once, delay from now (a task may schedule its own next run: Core's scheduleFromNow). */
    void ScheduleFromNow(std::function<void()> task, std::chrono::milliseconds delay) EXCLUDES(m_mutex);
    /**
     * Core's MockForward: every task runs delta sooner. Returns after the tasks that became due
     * have run (or at once if the thread is not running).
     */
    void MockForward(std::chrono::seconds delta) EXCLUDES(m_mutex);
    /** Stops and joins the thread; a task that is running finishes first. Tasks are dropped. */
    void Stop() EXCLUDES(m_mutex);

private:
    struct Task {
        std::function<void()> fn;
        std::chrono::milliseconds interval; //!< 0: runs once
    };
    void Loop() EXCLUDES(m_mutex);
    /** True when some task's time has come. */
    bool AnyDue(Clock::time_point now) const REQUIRES(m_mutex);

    mutable Mutex m_mutex;
    std::condition_variable m_cv;
    std::multimap<Clock::time_point, Task> m_tasks GUARDED_BY(m_mutex);
    bool m_stop GUARDED_BY(m_mutex){false};
    bool m_running_task GUARDED_BY(m_mutex){false};
    bool m_started GUARDED_BY(m_mutex){false};
    std::thread m_thread;
};

} // namespace util
