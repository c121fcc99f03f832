// Resource limits of the RPC HTTP server that need no Asio: the file-descriptor budget
// (Core's MIN_CORE_FILEDESCRIPTORS accounting), the global gate that spaces out failed
// credential checks, and the rate limiter of their log lines. Pure logic on time points the
// caller passes in, so tests drive it with a fake clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace node::http {

/** Descriptors kept for block files, LevelDB, the log and the rest of the node (Core's value). */
inline constexpr int MIN_CORE_FILEDESCRIPTORS = 150;
/** Concurrent RPC connections wanted when the descriptor limit allows them. */
inline constexpr int DEFAULT_RPC_MAX_CONNECTIONS = 1024;

/** Descriptors the node asks for at start-up: the reserve, the listening sockets and the wanted connections. */
int FileDescriptorsWanted(int listen_sockets, int wanted_connections = DEFAULT_RPC_MAX_CONNECTIONS);

/**
 * Concurrent RPC connections that fit beside the reserve: available - MIN_CORE_FILEDESCRIPTORS
 * - listen_sockets, at most wanted_connections and at least 1 (a node whose limit is below
 * the reserve refuses to start before asking this).
 */
int RpcConnectionLimit(int available_fds, int listen_sockets, int wanted_connections = DEFAULT_RPC_MAX_CONNECTIONS);

/**
 * Spaces out credential checks globally so the password-guessing rate cannot grow with the
 * number of connections: after a failed check no other check is evaluated for `delay`, and
 * checks arriving meanwhile wait in FIFO order (a success lets the next one through at once).
 * With no recent failure a check is evaluated on arrival. Not thread-safe: the server uses it
 * on its I/O thread only.
 */
class AuthCheckGate {
public:
    using Clock = std::chrono::steady_clock;
    explicit AuthCheckGate(Clock::duration delay) : m_delay(delay) {}
    /** A check for connection `id` arrives: true when it may be evaluated now, else it is queued. */
    bool Arrive(uint64_t id, Clock::time_point now);
    /** Removes a queued check (its connection closed); no effect when absent. */
    void Cancel(uint64_t id);
    /** The next queued check that may be evaluated at `now` (taken off the queue), if any. */
    std::optional<uint64_t> Next(Clock::time_point now);
    /** A check evaluated at `now` failed: the gate stays shut until now + delay, which is returned. */
    Clock::time_point Failed(Clock::time_point now);
    /** When the gate opens again (arm a timer for it while checks are queued). */
    Clock::time_point OpenAt() const { return m_open_at; }
    size_t Queued() const { return m_queue.size(); }

private:
    Clock::duration m_delay;
    Clock::time_point m_open_at{};
    std::deque<uint64_t> m_queue;
};

/**
 * Lets at most `per_window` lines through per `window`; counts the rest so the next line that
 * goes through can say how many were suppressed. Not thread-safe (I/O thread only).
 */
class LogRateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    LogRateLimiter(size_t per_window, Clock::duration window) : m_max(per_window), m_window(window) {}
    /** Whether a line at `now` may be logged; if so `suppressed` is the count dropped since the last one. */
    bool Allow(Clock::time_point now, uint64_t& suppressed);

private:
    size_t m_max;
    Clock::duration m_window;
    Clock::time_point m_window_start{};
    size_t m_in_window{0};
    uint64_t m_suppressed{0};
};

} // namespace node::http
