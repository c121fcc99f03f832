// -maxuploadtarget (upload_target.h).
#include "net/upload_target.h"

#include <ctime>

namespace net {

UploadTarget::UploadTarget(uint64_t target, std::function<int64_t()> clock)
    : m_target(target), m_clock(std::move(clock))
{}

int64_t UploadTarget::Now() const { return m_clock ? m_clock() : static_cast<int64_t>(std::time(nullptr)); }

void UploadTarget::Observe(uint64_t total_sent)
{
    const int64_t now = Now();
    util::LockGuard lock(m_mutex);
    // The total may dip while a closing connection moves between counters: only growth past
    // the highest total seen counts.
    if (total_sent <= m_last_total) return;
    const uint64_t delta = total_sent - m_last_total;
    m_last_total = total_sent;
    if (m_cycle_start + MAX_UPLOAD_TIMEFRAME_SECONDS < now) { // Core's RecordBytesSent
        m_cycle_start = now;
        m_sent_in_cycle = 0;
    }
    m_sent_in_cycle += delta;
}

int64_t UploadTarget::TimeLeftLocked() const
{
    if (m_target == 0) return 0;
    if (m_cycle_start == 0) return MAX_UPLOAD_TIMEFRAME_SECONDS;
    const int64_t end = m_cycle_start + MAX_UPLOAD_TIMEFRAME_SECONDS, now = Now();
    return now >= end ? 0 : end - now;
}

int64_t UploadTarget::TimeLeft() const
{
    util::LockGuard lock(m_mutex);
    return TimeLeftLocked();
}

bool UploadTarget::Reached(bool historical) const
{
    if (m_target == 0) return false;
    util::LockGuard lock(m_mutex);
    if (historical) {
        // Keep enough to relay each new block once until the cycle ends.
        const uint64_t buffer = static_cast<uint64_t>(TimeLeftLocked() / 600) * MAX_BLOCK_SERIALIZED_SIZE;
        return buffer >= m_target || m_sent_in_cycle >= m_target - buffer;
    }
    return m_sent_in_cycle >= m_target;
}

uint64_t UploadTarget::BytesLeft() const
{
    if (m_target == 0) return 0;
    util::LockGuard lock(m_mutex);
    return m_sent_in_cycle >= m_target ? 0 : m_target - m_sent_in_cycle;
}

} // namespace net
