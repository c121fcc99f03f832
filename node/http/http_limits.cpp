#include "node/http/http_limits.h"

#include <algorithm>

namespace node::http {

int FileDescriptorsWanted(int listen_sockets, int wanted_connections)
{
    return MIN_CORE_FILEDESCRIPTORS + std::max(listen_sockets, 0) + std::max(wanted_connections, 1);
}

int RpcConnectionLimit(int available_fds, int listen_sockets, int wanted_connections)
{
    const int room = available_fds - MIN_CORE_FILEDESCRIPTORS - std::max(listen_sockets, 0);
    return std::clamp(room, 1, std::max(wanted_connections, 1));
}

bool AuthCheckGate::Arrive(uint64_t id, Clock::time_point now)
{
    if (m_queue.empty() && now >= m_open_at) return true;
    m_queue.push_back(id);
    return false;
}

void AuthCheckGate::Cancel(uint64_t id)
{
    const auto it = std::find(m_queue.begin(), m_queue.end(), id);
    if (it != m_queue.end()) m_queue.erase(it);
}

std::optional<uint64_t> AuthCheckGate::Next(Clock::time_point now)
{
    if (m_queue.empty() || now < m_open_at) return std::nullopt;
    const uint64_t id = m_queue.front();
    m_queue.pop_front();
    return id;
}

AuthCheckGate::Clock::time_point AuthCheckGate::Failed(Clock::time_point now)
{
    m_open_at = std::max(m_open_at, now + m_delay);
    return m_open_at;
}

bool LogRateLimiter::Allow(Clock::time_point now, uint64_t& suppressed)
{
    if (m_in_window == 0 || now - m_window_start >= m_window) {
        m_window_start = now;
        m_in_window = 0;
    }
    if (m_in_window >= m_max) {
        ++m_suppressed;
        return false;
    }
    ++m_in_window;
    suppressed = m_suppressed;
    m_suppressed = 0;
    return true;
}

} // namespace node::http
