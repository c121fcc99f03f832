// -maxuploadtarget (Core's nMaxOutboundLimit): the bytes sent in a 24-hour cycle, and whether
// the target is reached, overall or for serving historical blocks (which keeps back enough to
// relay a block every 10 minutes until the cycle ends). Thread-safe.
#pragma once

#include "util/sync.h"

#include <cstdint>
#include <functional>

namespace net {

/** Core's MAX_UPLOAD_TIMEFRAME: the cycle of -maxuploadtarget. */
inline constexpr int64_t MAX_UPLOAD_TIMEFRAME_SECONDS = 24 * 60 * 60;
/** Core's MAX_BLOCK_SERIALIZED_SIZE: what one block may cost to relay. */
inline constexpr uint64_t MAX_BLOCK_SERIALIZED_SIZE = 4'000'000;

class UploadTarget {
public:
    /** target: bytes per cycle, 0 = no limit. clock: UNIX seconds (unset: the system clock). */
    explicit UploadTarget(uint64_t target, std::function<int64_t()> clock = {});

    /**
     * Takes the process's total of bytes sent so far (a counter that only grows); what was sent
     * since the last call counts in the current cycle, which starts anew when 24 hours passed.
     */
    void Observe(uint64_t total_sent) EXCLUDES(m_mutex);
    /** Core's OutboundTargetReached(historical). Always false without a target. */
    bool Reached(bool historical) const EXCLUDES(m_mutex);
    uint64_t Target() const { return m_target; }
    /** Bytes left before the target (0 without a target, as Core). */
    uint64_t BytesLeft() const EXCLUDES(m_mutex);
    /** Seconds left in the cycle (0 without a target, a full cycle before anything was sent). */
    int64_t TimeLeft() const EXCLUDES(m_mutex);

private:
    int64_t Now() const;
    int64_t TimeLeftLocked() const REQUIRES(m_mutex);

    const uint64_t m_target;
    const std::function<int64_t()> m_clock;
    mutable util::Mutex m_mutex;
    uint64_t m_last_total GUARDED_BY(m_mutex){0};
    int64_t m_cycle_start GUARDED_BY(m_mutex){0};
    uint64_t m_sent_in_cycle GUARDED_BY(m_mutex){0};
};

} // namespace net
