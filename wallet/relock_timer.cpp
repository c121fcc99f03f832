#include "wallet/relock_timer.h"

namespace wallet {

RelockTimer::~RelockTimer()
{
    std::thread t;
    {
        util::LockGuard lock(m_mutex);
        m_stop = true;
        t = std::move(m_thread);
    }
    m_cv.notify_all();
    if (t.joinable()) t.join();
}

void RelockTimer::Schedule(Clock::duration delay)
{
    {
        util::LockGuard lock(m_mutex);
        m_deadline = Clock::now() + delay;
        if (!m_thread.joinable()) m_thread = std::thread([this] { Run(); });
    }
    m_cv.notify_all();
}

void RelockTimer::Cancel()
{
    {
        util::LockGuard lock(m_mutex);
        m_deadline.reset();
    }
    m_cv.notify_all();
}

void RelockTimer::Run()
{
    util::UniqueLock lock(m_mutex);
    while (!m_stop) {
        if (!m_deadline) {
            m_cv.wait(lock);
            continue;
        }
        if (Clock::now() < *m_deadline) {
            m_cv.wait_until(lock, *m_deadline);
            continue;
        }
        m_deadline.reset();
        lock.unlock();
        m_fire();
        lock.lock();
    }
}

} // namespace wallet
