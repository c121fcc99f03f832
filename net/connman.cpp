// The connection manager (connman.h).
#include "net/connman.h"

#include "util/logging.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <ctime>

namespace net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string_view ConnectionTypeName(ConnectionType t)
{
    switch (t) {
    case ConnectionType::INBOUND: return "inbound";
    case ConnectionType::OUTBOUND_FULL_RELAY: return "outbound-full-relay";
    case ConnectionType::MANUAL: return "manual";
    case ConnectionType::BLOCK_RELAY: return "block-relay-only";
    }
    return "unknown";
}

namespace {

/** "host:port", "[v6]:port", "host" (default port) -> host and port; false if malformed. */
bool SplitHostPort(const std::string& s, uint16_t default_port, std::string& host, std::string& port)
{
    port = std::to_string(default_port);
    if (!s.empty() && s.front() == '[') {
        const size_t close = s.find(']');
        if (close == std::string::npos) return false;
        host = s.substr(1, close - 1);
        if (close + 1 == s.size()) return !host.empty();
        if (s[close + 1] != ':') return false;
        port = s.substr(close + 2);
    } else if (const size_t colon = s.rfind(':'); colon != std::string::npos && s.find(':') == colon) {
        host = s.substr(0, colon);
        port = s.substr(colon + 1);
    } else {
        host = s; // no port, or a bare IPv6 address
    }
    if (host.empty() || port.empty() || port.size() > 5) return false;
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    return std::stoi(port) > 0 && std::stoi(port) <= 65535;
}

/** Core's retry intervals: -connect targets about every 5 s, added nodes every 60 s after an attempt. */
int64_t RetrySeconds(bool connect_only) { return connect_only ? 5 : 60; }

} // namespace

ConnectionManager::ConnectionManager(ConnmanOptions options) : m_options(std::move(options)), m_tick(m_io) {}

ConnectionManager::~ConnectionManager() { Stop(); }

int64_t ConnectionManager::Now() const
{
    return m_options.clock ? m_options.clock() : static_cast<int64_t>(std::time(nullptr));
}

int ConnectionManager::MaxInbound() const
{
    // Core: the slots left after the outbound ones (full-relay, block-relay, addnode, feeler).
    return std::max(0, m_options.max_connections -
                           (MAX_OUTBOUND_FULL_RELAY + MAX_BLOCK_RELAY_ONLY + MAX_ADDNODE + MAX_FEELER));
}

bool ConnectionManager::Start(NetHandler& handler, std::string& error)
{
    m_handler = &handler;
    for (const tcp::endpoint& ep : m_options.listen) {
        auto acceptor = std::make_unique<tcp::acceptor>(m_io);
        boost::system::error_code ec;
        acceptor->open(ep.protocol(), ec);
        if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec && ep.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
        if (!ec) acceptor->bind(ep, ec);
        if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            error = "Unable to bind to " + ep.address().to_string() + ":" + std::to_string(ep.port()) +
                    " on this computer. minicash is probably already running. (" + ec.message() + ")";
            // The default addresses (no -bind) need only one to work, as Core: a host
            // without IPv6 still listens on IPv4.
            if (m_options.listen_defaults) {
                util::LogPrintf("%s\n", error.c_str());
                continue;
            }
            m_acceptors.clear();
            return false;
        }
        {
            util::LockGuard lock(m_mutex);
            m_listen_ports.push_back(acceptor->local_endpoint().port());
        }
        util::LogPrintf("Bound to %s:%u\n", ep.address().to_string().c_str(), acceptor->local_endpoint().port());
        m_acceptors.push_back(std::move(acceptor));
    }
    if (m_options.listen_defaults && m_acceptors.empty() && !m_options.listen.empty()) return false;
    error.clear();
    {
        util::LockGuard lock(m_mutex);
        // Core counts -connect peers as manual connections too (getpeerinfo "manual").
        for (const auto& c : m_options.connect) m_targets.push_back({c, ConnectionType::MANUAL});
        for (const auto& a : m_options.addnode) m_targets.push_back({a, ConnectionType::MANUAL, false, true});
    }
    for (size_t i = 0; i < m_acceptors.size(); ++i) Accept(i);
    asio::post(m_io, [this] { Tick(); });
    const int threads = std::max(1, m_options.io_threads);
    for (int i = 0; i < threads; ++i) m_threads.emplace_back([this] { m_io.run(); });
    return true;
}

void ConnectionManager::Stop()
{
    if (m_stopping.exchange(true)) return;
    asio::post(m_io, [this] {
        boost::system::error_code ec;
        for (auto& a : m_acceptors) a->close(ec);
        m_tick.cancel();
    });
    for (const PeerConnection& p : Peers()) p.conn->Close("node shutting down");
    // Each close reports to the handler on its strand: wait for them (bounded) before the threads stop.
    for (int i = 0; i < 500 && ConnectionCount() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    m_io.stop();
    for (auto& t : m_threads) t.join();
    m_threads.clear();
}

void ConnectionManager::Accept(size_t listener)
{
    m_acceptors[listener]->async_accept(m_io, [this, listener](const boost::system::error_code& ec, tcp::socket s) {
        if (m_stopping) return;
        if (!ec) {
            if (static_cast<int>(InboundCount()) >= MaxInbound()) {
                // Core evicts a peer outside its protection classes first; not done yet (see net/README.md).
                boost::system::error_code ignored;
                const tcp::endpoint remote = s.remote_endpoint(ignored); // never throws: the peer may be gone
                util::LogDebug(util::LogCategory::NET, "connection from %s dropped (full)\n",
                               remote.address().to_string().c_str());
                s.close(ignored);
            } else {
                boost::system::error_code ignored;
                const tcp::endpoint remote = s.remote_endpoint(ignored);
                Adopt(std::move(s), ConnectionType::INBOUND,
                      remote.address().to_string() + ":" + std::to_string(remote.port()));
            }
        } else if (ec == asio::error::operation_aborted) {
            return;
        } else {
            // Out of file descriptors or another transient error: try again shortly, not at once.
            auto timer = std::make_shared<asio::steady_timer>(m_io, std::chrono::milliseconds(100));
            timer->async_wait([this, listener, timer](const boost::system::error_code& e) {
                if (!e && !m_stopping) Accept(listener);
            });
            return;
        }
        Accept(listener);
    });
}

void ConnectionManager::Adopt(tcp::socket socket, ConnectionType type, const std::string& name)
{
    if (m_stopping) {
        boost::system::error_code ec;
        socket.close(ec);
        return;
    }
    const NodeId id = m_next_id++;
    auto conn =
        std::make_shared<Connection>(std::move(socket), id, type == ConnectionType::INBOUND, m_options.magic,
                                     m_options.limits, static_cast<ConnectionEvents&>(*this), [this] { return Now(); });
    {
        util::LockGuard lock(m_mutex);
        // Checked again under the lock Stop() lists the peers under: a connection adopted
        // after that list would never be closed (nor reported).
        if (m_stopping) return; // conn (and its socket) go with it
        m_peers[id] = PeerConnection{conn, type, name};
        for (Target& t : m_targets) {
            if (t.name == name && t.type == type && t.connecting) {
                t.connecting = false;
                t.connected = id;
            }
        }
    }
    PeerAddress addr;
    addr.id = id;
    addr.type = type;
    addr.addr = conn->Remote().address().to_string() + ":" + std::to_string(conn->Remote().port());
    addr.addr_local = conn->Local().address().to_string() + ":" + std::to_string(conn->Local().port());
    util::LogDebug(util::LogCategory::NET, "Added connection to %s peer=%lld (%s)\n", addr.addr.c_str(),
                   static_cast<long long>(id), std::string(ConnectionTypeName(type)).c_str());
    conn->Start([this, addr] { m_handler->InitializePeer(addr); });
}

void ConnectionManager::ConnectTo(const std::string& name)
{
    std::string host, port;
    ConnectionType type = ConnectionType::MANUAL;
    {
        util::LockGuard lock(m_mutex);
        for (const Target& t : m_targets)
            if (t.name == name) type = t.type;
    }
    const auto fail = [this, name](const std::string& why) {
        util::LogDebug(util::LogCategory::NET, "connection to %s failed: %s\n", name.c_str(), why.c_str());
        util::LockGuard lock(m_mutex);
        for (auto it = m_targets.begin(); it != m_targets.end();) {
            if (it->name == name && it->connecting) {
                it->connecting = false;
                if (it->onetry) {
                    it = m_targets.erase(it);
                    continue;
                }
            }
            ++it;
        }
    };
    if (!SplitHostPort(name, m_options.default_port, host, port)) return fail("malformed address");
    auto resolver = std::make_shared<tcp::resolver>(m_io);
    resolver->async_resolve(
        host, port,
        [this, resolver, name, type, fail](const boost::system::error_code& ec, tcp::resolver::results_type r) {
            if (ec || m_stopping) return fail(ec ? ec.message() : "stopping");
            auto socket = std::make_shared<tcp::socket>(m_io);
            asio::async_connect(
                *socket, r, [this, socket, name, type, fail](const boost::system::error_code& e, const tcp::endpoint&) {
                    if (e) return fail(e.message());
                    Adopt(std::move(*socket), type, name);
                });
        });
}

void ConnectionManager::Tick()
{
    if (m_stopping) return;
    const int64_t now = Now();
    std::vector<std::string> due;
    {
        util::LockGuard lock(m_mutex);
        for (Target& t : m_targets) {
            if (t.connecting || t.connected >= 0 || now < t.next_attempt) continue;
            t.connecting = true;
            t.next_attempt = now + RetrySeconds(!m_options.connect.empty());
            due.push_back(t.name);
        }
    }
    for (const auto& name : due) ConnectTo(name);
    CheckInactivity(now);
    m_tick.expires_after(std::chrono::seconds(1));
    m_tick.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) Tick();
    });
}

void ConnectionManager::CheckInactivity(int64_t now)
{
    const int64_t connect_timeout = m_options.peer_connect_timeout.count();
    std::map<NodeId, bool> done;
    {
        util::LockGuard lock(m_mutex);
        done = m_handshake_done;
    }
    for (const PeerConnection& p : Peers()) {
        const ConnectionStats s = p.conn->Stats();
        std::string reason;
        if (s.last_recv == 0 || s.last_send == 0) {
            if (now > s.connected + connect_timeout) {
                reason = "socket no message in first " + std::to_string(connect_timeout) + " seconds";
            }
        } else if (now > s.last_send + TIMEOUT_INTERVAL_SECONDS) {
            reason = "socket sending timeout";
        } else if (now > s.last_recv + TIMEOUT_INTERVAL_SECONDS) {
            reason = "socket receive timeout";
        }
        if (reason.empty() && !done[p.conn->Id()] && now > s.connected + connect_timeout) {
            reason = "version handshake timeout";
        }
        if (!reason.empty()) {
            util::LogDebug(util::LogCategory::NET, "%s, disconnecting peer=%lld\n", reason.c_str(),
                           static_cast<long long>(p.conn->Id()));
            p.conn->Close(reason);
        }
    }
}

void ConnectionManager::OnMessage(Connection& c, const std::string& command, std::vector<uint8_t>&& payload)
{
    m_handler->ProcessMessage(c.Id(), command, std::move(payload));
}

void ConnectionManager::OnClosed(Connection& c, const std::string& reason)
{
    const ConnectionStats s = c.Stats();
    m_closed_sent += s.bytes_sent;
    m_closed_recv += s.bytes_recv;
    {
        util::LockGuard lock(m_mutex);
        m_peers.erase(c.Id());
        m_handshake_done.erase(c.Id());
        for (auto it = m_targets.begin(); it != m_targets.end();) {
            if (it->connected == c.Id()) {
                it->connected = -1;
                if (it->onetry) {
                    it = m_targets.erase(it);
                    continue;
                }
            }
            ++it;
        }
    }
    m_handler->FinalizePeer(c.Id(), reason);
}

bool ConnectionManager::Send(NodeId id, std::string_view command, std::span<const uint8_t> payload)
{
    auto p = Find(id);
    if (!p) return false;
    p->conn->Send(command, payload);
    return true;
}

bool ConnectionManager::Disconnect(NodeId id, const std::string& reason)
{
    auto p = Find(id);
    if (!p) return false;
    p->conn->Close(reason);
    return true;
}

void ConnectionManager::OnSendRoom(Connection& c) { m_handler->SendRoom(c.Id()); }

bool ConnectionManager::SendBufferFullNotify(NodeId id)
{
    auto p = Find(id);
    if (!p || !p->conn->SendBufferFull()) return false;
    p->conn->WantRoom();
    // It may have drained between the two calls: then no write will report it.
    if (p->conn->SendBufferFull()) return true;
    return false;
}

void ConnectionManager::HoldReading(NodeId id, bool hold)
{
    if (auto p = Find(id)) p->conn->HoldReading(hold);
}

void ConnectionManager::MarkHandshakeDone(NodeId id)
{
    util::LockGuard lock(m_mutex);
    if (m_peers.count(id)) m_handshake_done[id] = true;
}

std::vector<PeerConnection> ConnectionManager::Peers() const
{
    util::LockGuard lock(m_mutex);
    std::vector<PeerConnection> out;
    out.reserve(m_peers.size());
    for (const auto& [id, p] : m_peers) out.push_back(p);
    return out;
}

std::optional<PeerConnection> ConnectionManager::Find(NodeId id) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return std::nullopt;
    return it->second;
}

size_t ConnectionManager::ConnectionCount() const
{
    util::LockGuard lock(m_mutex);
    return m_peers.size();
}

size_t ConnectionManager::InboundCount() const
{
    util::LockGuard lock(m_mutex);
    return static_cast<size_t>(std::count_if(m_peers.begin(), m_peers.end(),
                                             [](const auto& e) { return e.second.type == ConnectionType::INBOUND; }));
}

bool ConnectionManager::AddNode(const std::string& node, bool onetry)
{
    {
        util::LockGuard lock(m_mutex);
        if (!onetry) {
            for (const Target& t : m_targets)
                if (t.name == node && t.type == ConnectionType::MANUAL && !t.onetry) return false;
            m_targets.push_back({node, ConnectionType::MANUAL, false, true});
            return true; // the next tick connects
        }
        Target t{node, ConnectionType::MANUAL};
        t.onetry = true;
        t.connecting = true;
        m_targets.push_back(t);
    }
    asio::post(m_io, [this, node] { ConnectTo(node); });
    return true;
}

bool ConnectionManager::RemoveAddedNode(const std::string& node)
{
    util::LockGuard lock(m_mutex);
    for (auto it = m_targets.begin(); it != m_targets.end(); ++it) {
        if (it->name == node && it->type == ConnectionType::MANUAL && !it->onetry) {
            m_targets.erase(it);
            return true;
        }
    }
    return false;
}

std::vector<std::string> ConnectionManager::AddedNodes() const
{
    util::LockGuard lock(m_mutex);
    std::vector<std::string> out;
    for (const Target& t : m_targets)
        if (t.type == ConnectionType::MANUAL && !t.onetry) out.push_back(t.name);
    return out;
}

std::vector<AddedNodeInfo> ConnectionManager::GetAddedNodeInfo() const
{
    util::LockGuard lock(m_mutex);
    const auto addr_port = [](const Connection& c) {
        return c.Remote().address().to_string() + ":" + std::to_string(c.Remote().port());
    };
    std::vector<AddedNodeInfo> out;
    for (const Target& t : m_targets) {
        if (!t.added) continue;
        AddedNodeInfo info{t.name, false, false, ""};
        const auto it = m_peers.find(t.connected);
        if (it != m_peers.end()) {
            info.connected = true;
            info.address = addr_port(*it->second.conn);
        } else {
            // As Core: an inbound peer from the added address counts as connected to it.
            for (const auto& [id, p] : m_peers) {
                if (p.type == ConnectionType::INBOUND && addr_port(*p.conn) == t.name) {
                    info = {t.name, true, true, t.name};
                    break;
                }
            }
        }
        out.push_back(std::move(info));
    }
    return out;
}

std::vector<uint16_t> ConnectionManager::ListenPorts() const
{
    util::LockGuard lock(m_mutex);
    return m_listen_ports;
}

uint64_t ConnectionManager::TotalBytesSent() const
{
    uint64_t total = m_closed_sent;
    for (const PeerConnection& p : Peers()) total += p.conn->Stats().bytes_sent;
    return total;
}

uint64_t ConnectionManager::TotalBytesRecv() const
{
    uint64_t total = m_closed_recv;
    for (const PeerConnection& p : Peers()) total += p.conn->Stats().bytes_recv;
    return total;
}

} // namespace net
