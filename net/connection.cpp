// One peer's connection (connection.h).
#include "net/connection.h"

#include "net/messages.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace net {

bool IsKnownMessageType(std::string_view command)
{
    using namespace msg_type;
    static constexpr std::string_view known[] = {
        VERSION,     VERACK,    ADDR,         ADDRV2,      SENDADDRV2,   INV,       GETDATA,    MERKLEBLOCK, GETBLOCKS,
        GETHEADERS,  TX,        HEADERS,      BLOCK,       GETADDR,      MEMPOOL,   PING,       PONG,        NOTFOUND,
        FILTERLOAD,  FILTERADD, FILTERCLEAR,  SENDHEADERS, FEEFILTER,    SENDCMPCT, CMPCTBLOCK, GETBLOCKTXN, BLOCKTXN,
        GETCFILTERS, CFILTER,   GETCFHEADERS, CFHEADERS,   GETCFCHECKPT, CFCHECKPT, WTXIDRELAY, SENDTXRCNCL};
    for (std::string_view k : known)
        if (k == command) return true;
    return false;
}

Connection::Connection(boost::asio::ip::tcp::socket socket, NodeId id, bool inbound, const MessageStart& magic,
                       const ConnectionLimits& limits, ConnectionEvents& events, std::function<int64_t()> clock)
    : m_socket(std::move(socket)), m_strand(boost::asio::make_strand(m_socket.get_executor())), m_id(id),
      m_inbound(inbound), m_magic(magic), m_limits(limits), m_events(events), m_clock(std::move(clock))
{
    boost::system::error_code ec;
    m_remote = m_socket.remote_endpoint(ec);
    m_local = m_socket.local_endpoint(ec);
    util::LockGuard lock(m_stats_mutex);
    m_stats.connected = m_clock();
}

Connection::~Connection() = default;

void Connection::Start(std::function<void()> first)
{
    boost::asio::post(m_strand, [self = shared_from_this(), first = std::move(first)] {
        if (self->m_closed) return; // closed before it started: its owner heard OnClosed only
        if (first) first();
        self->ReadHeader();
    });
}

void Connection::HoldReading(bool hold)
{
    boost::asio::post(m_strand, [self = shared_from_this(), hold] {
        self->m_held = hold;
        if (!hold) self->ReadHeader();
    });
}

void Connection::ReadHeader()
{
    if (m_closed || m_reading || m_held) return;
    if (m_send_queue_bytes.load() > m_limits.send_buffer_bytes) {
        // The peer does not read what we send: stop processing its requests until it does
        // (Core's fPauseSend), so its answers cannot pile up without bound.
        m_read_paused = true;
        return;
    }
    m_reading = true;
    boost::asio::async_read(
        m_socket, boost::asio::buffer(m_header_bytes),
        boost::asio::bind_executor(m_strand, [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
            self->OnHeader(ec);
        }));
}

void Connection::OnHeader(const boost::system::error_code& ec)
{
    if (ec) {
        m_reading = false;
        CloseOnStrand(ec == boost::asio::error::eof ? "peer closed the connection" : "read error: " + ec.message());
        return;
    }
    const HeaderError err = DecodeHeader(m_header_bytes, m_magic, m_header);
    if (err == HeaderError::WRONG_MAGIC || err == HeaderError::OVERSIZED) {
        // The stream cannot be resynchronised past such a header: Core disconnects.
        m_reading = false;
        CountRecv("*other*", MESSAGE_HEADER_SIZE);
        CloseOnStrand("Header error: " + std::string(HeaderErrorString(err)));
        return;
    }
    m_header_ok = err == HeaderError::NONE;
    m_payload.clear();
    ReadPayloadChunk();
}

void Connection::ReadPayloadChunk()
{
    // The buffer grows as the bytes arrive, 256 KB at a time (as Core's), so a peer that
    // announces 4 MB and trickles costs what it sent, not what it announced.
    constexpr size_t CHUNK = 256 * 1024;
    const size_t have = m_payload.size();
    if (have == m_header.length) return OnPayload({});
    const size_t want = std::min<size_t>(CHUNK, m_header.length - have);
    m_payload.resize(have + want);
    boost::asio::async_read(
        m_socket, boost::asio::buffer(m_payload.data() + have, want),
        boost::asio::bind_executor(m_strand, [self = shared_from_this()](const boost::system::error_code& e, size_t) {
            if (e) return self->OnPayload(e);
            self->ReadPayloadChunk();
        }));
}

void Connection::OnPayload(const boost::system::error_code& ec)
{
    m_reading = false;
    if (ec) {
        CloseOnStrand(ec == boost::asio::error::eof ? "peer closed the connection" : "read error: " + ec.message());
        return;
    }
    if (m_closed) return; // closed meanwhile: nothing more reaches the owner after OnClosed
    const size_t bytes = MESSAGE_HEADER_SIZE + m_payload.size();
    if (!m_header_ok) {
        // Core drops a message whose type it cannot decode and keeps the connection.
        CountRecv("*other*", bytes);
    } else if (PayloadChecksum(m_payload) != m_header.checksum) {
        // Core drops a message with a bad checksum ("CHECKSUM ERROR") and keeps the connection.
        CountRecv("*other*", bytes);
    } else {
        // Counted per type only for the types Core knows, so a peer cannot grow the map.
        CountRecv(IsKnownMessageType(m_header.command) ? m_header.command : "*other*", bytes);
        m_events.OnMessage(*this, m_header.command, std::move(m_payload));
        m_payload = {};
    }
    ReadHeader();
}

void Connection::Send(std::string_view command, std::span<const uint8_t> payload)
{
    if (m_closed) return;
    auto framed = FrameMessage(m_magic, command, payload);
    m_send_queue_bytes += framed.size();
    {
        util::LockGuard lock(m_stats_mutex);
        m_stats.sent_per_msg[std::string(command)] += framed.size();
    }
    boost::asio::post(m_strand, [self = shared_from_this(), framed = std::move(framed)]() mutable {
        if (self->m_closed) {
            self->m_send_queue_bytes -= framed.size();
            return;
        }
        self->m_send_queue.push_back(std::move(framed));
        if (!self->m_writing) self->WriteNext();
    });
}

void Connection::WriteNext()
{
    if (m_send_queue.empty() || m_closed) {
        m_writing = false;
        return;
    }
    m_writing = true;
    boost::asio::async_write(
        m_socket, boost::asio::buffer(m_send_queue.front()),
        boost::asio::bind_executor(
            m_strand, [self = shared_from_this()](const boost::system::error_code& ec, size_t written) {
                if (ec) {
                    self->m_writing = false;
                    self->CloseOnStrand("write error: " + ec.message());
                    return;
                }
                if (self->m_closed) { // closed while this write was in flight (the queue kept its buffer)
                    self->m_writing = false;
                    return;
                }
                self->m_send_queue_bytes -= written;
                {
                    util::LockGuard lock(self->m_stats_mutex);
                    self->m_stats.bytes_sent += written;
                    self->m_stats.last_send = self->m_clock();
                }
                self->m_send_queue.pop_front();
                if (!self->SendBufferFull() && self->m_want_room.exchange(false)) self->m_events.OnSendRoom(*self);
                self->ResumeReadingIfDrained();
                self->WriteNext();
            }));
}

void Connection::ResumeReadingIfDrained()
{
    if (m_read_paused && m_send_queue_bytes.load() <= m_limits.send_buffer_bytes) {
        m_read_paused = false;
        ReadHeader();
    }
}

bool Connection::Close(std::string reason)
{
    // Once is enough: a close requested earlier (or done on the strand) reports its own reason.
    if (m_closing.exchange(true)) return false;
    boost::asio::post(m_strand,
                      [self = shared_from_this(), reason = std::move(reason)] { self->CloseOnStrand(reason); });
    return true;
}

void Connection::CloseOnStrand(const std::string& reason)
{
    m_closing = true;
    if (m_closed.exchange(true)) return;
    boost::system::error_code ec;
    m_socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    m_socket.close(ec);
    // The message being written stays until its handler runs: the write still points into it.
    while (m_send_queue.size() > (m_writing ? 1u : 0u)) {
        m_send_queue_bytes -= m_send_queue.back().size();
        m_send_queue.pop_back();
    }
    m_events.OnClosed(*this, reason);
}

void Connection::CountRecv(const std::string& command, size_t bytes)
{
    util::LockGuard lock(m_stats_mutex);
    m_stats.bytes_recv += bytes;
    m_stats.recv_per_msg[command] += bytes;
    m_stats.last_recv = m_clock();
}

ConnectionStats Connection::Stats() const
{
    util::LockGuard lock(m_stats_mutex);
    return m_stats;
}

} // namespace net
