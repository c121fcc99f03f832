// One peer's TCP connection: reads frames (net/frame.h) and hands each complete message to
// its owner, writes queued messages, and closes once. Every handler runs on the
// connection's own strand, so one peer's messages are processed one at a time and in order
// while other peers' run on other threads of the same io_context.
#pragma once

#include "net/frame.h"
#include "util/sync.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace net {

/** True for the message types Core knows (net/messages.h msg_type): the per-type byte counts use only these. */
bool IsKnownMessageType(std::string_view command);

/** A peer's id, unique for the process's life (Core's NodeId). */
using NodeId = int64_t;

/** Limits of one connection. */
struct ConnectionLimits {
    /**
     * Core's -maxsendbuffer (1000 KB): while more bytes than this wait to be sent, the
     * connection stops reading (and so processing) the peer's messages until it drains.
     */
    size_t send_buffer_bytes{1'000'000};
};

class Connection;

/** What a connection reports to its owner. Called on the connection's strand. */
class ConnectionEvents {
public:
    virtual ~ConnectionEvents() = default;
    /** A complete message with a good checksum (the payload is the caller's to keep). */
    virtual void OnMessage(Connection& c, const std::string& command, std::vector<uint8_t>&& payload) = 0;
    /** After WantRoom(): the send buffer dropped to its limit again (once per WantRoom). */
    virtual void OnSendRoom(Connection& c) { (void)c; }
    /** The connection closed (once): reason is the log text, e.g. "peer closed the connection". */
    virtual void OnClosed(Connection& c, const std::string& reason) = 0;
};

/** Per-connection counters (Core's getpeerinfo bytessent/bytesrecv and their per-message maps). */
struct ConnectionStats {
    uint64_t bytes_sent{0}, bytes_recv{0};
    std::map<std::string, uint64_t> sent_per_msg, recv_per_msg; // header included; "*other*" for malformed
    int64_t last_send{0}, last_recv{0};                         // UNIX seconds of the last byte, 0 = never
    int64_t connected{0};                                       // UNIX seconds
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    /**
     * socket must be open and connected; the strand is created on its executor. clock gives
     * the UNIX seconds of the stats' times (the connection manager's clock).
     */
    Connection(boost::asio::ip::tcp::socket socket, NodeId id, bool inbound, const MessageStart& magic,
               const ConnectionLimits& limits, ConnectionEvents& events, std::function<int64_t()> clock);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /** Runs first on the strand, then starts reading. Any thread, once. */
    void Start(std::function<void()> first);
    /** Queues a message (framed here). Any thread; dropped if the connection is closing. */
    void Send(std::string_view command, std::span<const uint8_t> payload);
    /**
     * Closes the socket and reports OnClosed(reason) if not closed already. Any thread; the close
     * runs later on the strand. True if this call is the first to close (IsClosing was false).
     */
    bool Close(std::string reason);

    NodeId Id() const { return m_id; }
    bool IsInbound() const { return m_inbound; }
    /** The peer's address as connected ("127.0.0.1:18444"). */
    const boost::asio::ip::tcp::endpoint& Remote() const { return m_remote; }
    /** The local end of the socket. */
    const boost::asio::ip::tcp::endpoint& Local() const { return m_local; }
    bool IsClosed() const { return m_closed.load(); }
    /** True from the first Close (before its strand runs it) or once closed: Core's fDisconnect. */
    bool IsClosing() const { return m_closing.load(); }
    /** Bytes queued and not yet written. Any thread. */
    size_t SendQueueBytes() const { return m_send_queue_bytes.load(); }
    /** True while more than the send buffer's limit waits to be written. Any thread. */
    bool SendBufferFull() const { return m_send_queue_bytes.load() > m_limits.send_buffer_bytes; }
    /** Asks for one OnSendRoom once the buffer is no longer full (the owner has more to send). Any thread. */
    void WantRoom() { m_want_room = true; }
    /**
     * Stops (true) or resumes (false) reading the peer's messages, for the owner's own
     * back-pressure (e.g. its work queued elsewhere). Any thread.
     */
    void HoldReading(bool hold);
    ConnectionStats Stats() const EXCLUDES(m_stats_mutex);

private:
    void ReadHeader();
    void OnHeader(const boost::system::error_code& ec);
    void ReadPayloadChunk();
    void OnPayload(const boost::system::error_code& ec);
    void WriteNext();
    void ResumeReadingIfDrained();
    void CloseOnStrand(const std::string& reason);
    void CountRecv(const std::string& command, size_t bytes) EXCLUDES(m_stats_mutex);

    boost::asio::ip::tcp::socket m_socket;
    boost::asio::strand<boost::asio::any_io_executor> m_strand;
    const NodeId m_id;
    const bool m_inbound;
    const MessageStart m_magic;
    const ConnectionLimits m_limits;
    ConnectionEvents& m_events;
    const std::function<int64_t()> m_clock;
    boost::asio::ip::tcp::endpoint m_remote, m_local;

    // Strand state.
    std::array<uint8_t, MESSAGE_HEADER_SIZE> m_header_bytes{};
    MessageHeader m_header;
    bool m_header_ok{false};
    std::vector<uint8_t> m_payload;
    bool m_reading{false};     // a read is in flight
    bool m_read_paused{false}; // the send queue is full: reading waits for it to drain
    std::deque<std::vector<uint8_t>> m_send_queue;
    bool m_writing{false};
    std::atomic<size_t> m_send_queue_bytes{0};
    std::atomic<bool> m_closed{false};
    std::atomic<bool> m_closing{false}; // set at once by Close (any thread), m_closed later on the strand
    std::atomic<bool> m_want_room{false};
    bool m_held{false}; // strand: the owner holds reading (HoldReading)

    mutable util::Mutex m_stats_mutex;
    ConnectionStats m_stats GUARDED_BY(m_stats_mutex);
};

} // namespace net
