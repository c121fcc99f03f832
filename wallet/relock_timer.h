// The wallet's relock timer (Core's rpcRunLater("lockwallet")): runs one callback on its own
// thread when a steady-clock deadline passes. Schedule replaces the pending deadline; the
// thread starts at the first Schedule and is joined by the destructor. The callback runs with
// no lock of the timer held, so it may take the wallet's lock; never destroy the timer while
// holding a lock the callback takes.
#pragma once

#include "util/sync.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <optional>
#include <thread>

namespace wallet {

class RelockTimer {
public:
    using Clock = std::chrono::steady_clock;
    explicit RelockTimer(std::function<void()> fire) : m_fire(std::move(fire)) {}
    ~RelockTimer();
    RelockTimer(const RelockTimer&) = delete;
    RelockTimer& operator=(const RelockTimer&) = delete;

    /** Fires once, after delay from now, unless rescheduled or cancelled first. */
    void Schedule(Clock::duration delay) EXCLUDES(m_mutex);
    /** Drops the pending deadline, if any. */
    void Cancel() EXCLUDES(m_mutex);

private:
    void Run() EXCLUDES(m_mutex);
    const std::function<void()> m_fire;
    util::Mutex m_mutex;
    std::condition_variable m_cv;
    std::optional<Clock::time_point> m_deadline GUARDED_BY(m_mutex);
    bool m_stop GUARDED_BY(m_mutex){false};
    std::thread m_thread GUARDED_BY(m_mutex);
};

} // namespace wallet
