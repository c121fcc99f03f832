// The connection manager (connman.h).
#include "net/connman.h"

#include "net/eviction.h"
#include "net/siphash.h"
#include "util/logging.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <ctime>
#include <random>

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
    case ConnectionType::FEELER: return "feeler";
    case ConnectionType::ADDR_FETCH: return "addr-fetch";
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

/** A random 64-bit key (the eviction's net group hash must not be predictable by peers). */
uint64_t RandomKey()
{
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

/** Core's retry intervals: -connect targets about every 5 s, added nodes every 60 s after an attempt. */
int64_t RetrySeconds(bool connect_only) { return connect_only ? 5 : 60; }

} // namespace

NetAddress ToNetAddress(const tcp::endpoint& ep)
{
    const asio::ip::address a = ep.address();
    if (a.is_v4()) return NetAddress::FromIPv4(a.to_v4().to_bytes());
    return NetAddress::FromIPv6(a.to_v6().to_bytes());
}

ConnectionManager::ConnectionManager(ConnmanOptions options)
    : m_options(std::move(options)), m_tick(m_io), m_network_active(m_options.network_active),
      m_netgroup_k0(RandomKey()), m_netgroup_k1(RandomKey()), m_upload(m_options.max_upload_target, m_options.clock)
{}

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
    for (size_t li = 0; li < m_options.listen.size(); ++li) {
        const tcp::endpoint& ep = m_options.listen[li];
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
            m_listener_permissions.clear();
            return false;
        }
        {
            util::LockGuard lock(m_mutex);
            m_listen_ports.push_back(acceptor->local_endpoint().port());
        }
        util::LogPrintf("Bound to %s:%u\n", ep.address().to_string().c_str(), acceptor->local_endpoint().port());
        m_acceptors.push_back(std::move(acceptor));
        m_listener_permissions.push_back(li < m_options.listen_permissions.size() ? m_options.listen_permissions[li]
                                                                                  : NetPermissionFlags::NONE);
    }
    if (m_options.listen_defaults && m_acceptors.empty() && !m_options.listen.empty()) return false;
    error.clear();
    {
        util::LockGuard lock(m_mutex);
        // Core counts -connect peers as manual connections too (getpeerinfo "manual").
        for (const auto& c : m_options.connect) m_targets.push_back({c, ConnectionType::MANUAL});
        for (const auto& a : m_options.addnode) m_targets.push_back({a, ConnectionType::MANUAL, false, true});
        for (const auto& a : m_options.seednodes) {
            Target t{a, ConnectionType::ADDR_FETCH};
            t.onetry = true;
            m_targets.push_back(t);
        }
    }
    m_next_dump = Now() + DUMP_ADDRESSES_INTERVAL_SECONDS;
    if (m_options.addrman && m_options.addrman->Size() == 0 && !m_options.dns_seeds.empty()) QueryDnsSeeds();
    for (size_t i = 0; i < m_acceptors.size(); ++i) Accept(i);
    asio::post(m_io, [this] { Tick(); });
    const int threads = std::max(1, m_options.io_threads);
    for (int i = 0; i < threads; ++i) m_threads.emplace_back([this] { m_io.run(); });
    return true;
}

void ConnectionManager::Stop()
{
    if (m_stopping.exchange(true)) return;
    // On the acceptors' strand: a close must not race an accept handler re-arming on another io thread.
    asio::post(m_accept_strand, [this] {
        boost::system::error_code ec;
        for (auto& a : m_acceptors) a->close(ec);
    });
    asio::post(m_io, [this] { m_tick.cancel(); });
    for (const PeerConnection& p : Peers()) p.conn->Close("node shutting down");
    // Each close reports to the handler on its strand: wait for them (bounded) before the threads stop.
    for (int i = 0; i < 500 && ConnectionCount() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    m_io.stop();
    for (auto& t : m_threads) t.join();
    m_threads.clear();
}

void ConnectionManager::Accept(size_t listener)
{
    m_acceptors[listener]->async_accept(
        m_io,
        asio::bind_executor(m_accept_strand, [this, listener](const boost::system::error_code& ec, tcp::socket s) {
            if (m_stopping) return;
            if (!ec) {
                AcceptConnection(listener, std::move(s));
            } else if (ec == asio::error::operation_aborted) {
                return;
            } else {
                // Out of file descriptors or another transient error: try again shortly, not at once.
                util::LogDebug(util::LogCategory::NET, "socket error accept failed: %s\n", ec.message().c_str());
                auto timer = std::make_shared<asio::steady_timer>(m_io, std::chrono::milliseconds(100));
                timer->async_wait(
                    asio::bind_executor(m_accept_strand, [this, listener, timer](const boost::system::error_code& e) {
                        if (!e && !m_stopping) Accept(listener);
                    }));
                return;
            }
            Accept(listener);
        }));
}

void ConnectionManager::AcceptConnection(size_t listener, tcp::socket s)
{
    // Core's CreateNodeFromAcceptedSocket, in its order.
    boost::system::error_code ignored;
    const tcp::endpoint remote = s.remote_endpoint(ignored); // never throws: the peer may be gone
    const NetAddress addr = ToNetAddress(remote);
    const std::string name = addr.ToString() + ":" + std::to_string(remote.port());
    const NetPermissionFlags permissions = InboundPermissions(listener, addr);
    const bool noban = HasPermission(permissions, NetPermissionFlags::NOBAN);
    const auto drop = [&](const char* why) {
        util::LogDebug(util::LogCategory::NET, "connection from %s dropped%s\n", name.c_str(), why);
        s.close(ignored);
    };
    if (!m_network_active) return drop(": not accepting new connections");
    const int inbound = static_cast<int>(InboundCount());
    if (!noban && m_options.banman && m_options.banman->IsBanned(addr)) return drop(" (banned)");
    // A discouraged peer only while the inbound slots are not (almost) full.
    const bool discouraged = m_options.banman && m_options.banman->IsDiscouraged(addr);
    if (!noban && discouraged && inbound + 1 >= MaxInbound()) return drop(" (discouraged)");
    if (inbound >= MaxInbound() && !AttemptToEvict()) {
        util::LogDebug(util::LogCategory::NET, "failed to find an eviction candidate - connection dropped (full)\n");
        s.close(ignored);
        return;
    }
    Adopt(std::move(s), ConnectionType::INBOUND, name, permissions, discouraged);
}

NetPermissionFlags ConnectionManager::InboundPermissions(size_t listener, const NetAddress& addr) const
{
    auto flags = NetPermissionFlags::NONE;
    if (listener < m_listener_permissions.size()) flags = m_listener_permissions[listener];
    for (const WhitelistPermissions& w : m_options.whitelist)
        if (w.subnet.Match(addr)) flags = flags | w.flags;
    return ApplyImplicit(flags);
}

bool ConnectionManager::AttemptToEvict()
{
    std::vector<EvictionCandidate> candidates;
    {
        util::LockGuard lock(m_mutex);
        for (const auto& [id, p] : m_peers) {
            // A peer already being closed frees its slot anyway: evicting it again would let two
            // newcomers in for one departure (Core skips fDisconnect peers too).
            if (p.type != ConnectionType::INBOUND || p.conn->IsClosing()) continue;
            EvictionCandidate c;
            c.id = id;
            c.connected = p.conn->Stats().connected;
            const auto info = m_eviction_info.find(id);
            if (info != m_eviction_info.end()) {
                c.min_ping_us = info->second.min_ping_us;
                c.last_block_time = info->second.last_block_time;
                c.relevant_services = info->second.relevant_services;
                c.relay_txs = info->second.relay_txs;
            }
            const std::vector<uint8_t> group = ToNetAddress(p.conn->Remote()).GetGroup();
            c.keyed_net_group = SipHasher(m_netgroup_k0, m_netgroup_k1).Write(group).Finalize();
            c.prefer_evict = p.prefer_evict;
            c.noban = HasPermission(p.permissions, NetPermissionFlags::NOBAN);
            candidates.push_back(c);
        }
    }
    const std::optional<NodeId> evict = SelectNodeToEvict(std::move(candidates));
    if (!evict) return false;
    util::LogDebug(util::LogCategory::NET, "selected peer=%lld for eviction\n", static_cast<long long>(*evict));
    // Only a close this call starts frees a slot (another thread may have closed the peer meanwhile).
    const std::optional<PeerConnection> p = Find(*evict);
    return p && p->conn->Close("evicted for an inbound connection");
}

void ConnectionManager::Adopt(tcp::socket socket, ConnectionType type, const std::string& name,
                              NetPermissionFlags permissions, bool prefer_evict)
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
        m_peers[id] = PeerConnection{conn, type, name, permissions, prefer_evict};
        m_eviction_info[id] = PeerEvictionInfo{};
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
    addr.permissions = permissions;
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
            // -timeout: the attempt is cancelled (the socket closed) when it takes longer.
            // Both handlers on one strand: the timer's close never runs beside the connect's steps.
            auto strand = asio::make_strand(m_io);
            auto timer = std::make_shared<asio::steady_timer>(m_io, m_options.connect_timeout);
            auto timed_out = std::make_shared<std::atomic<bool>>(false);
            timer->async_wait(asio::bind_executor(strand, [socket, timed_out](const boost::system::error_code& te) {
                if (te) return; // cancelled: the attempt ended first
                *timed_out = true;
                boost::system::error_code ignored;
                socket->close(ignored);
            }));
            asio::async_connect(
                *socket, r,
                asio::bind_executor(strand, [this, socket, timer, timed_out, name, type,
                                             fail](const boost::system::error_code& e, const tcp::endpoint&) {
                    timer->cancel();
                    if (*timed_out) return fail("connection timeout");
                    if (e) return fail(e.message());
                    if (!m_network_active) return fail("network not active");
                    Adopt(std::move(*socket), type, name);
                }));
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
            if (!m_network_active) break; // Core's OpenNetworkConnection: nothing while inactive
            if (t.connecting || t.connected >= 0 || now < t.next_attempt) continue;
            t.connecting = true;
            t.next_attempt = now + RetrySeconds(!m_options.connect.empty());
            due.push_back(t.name);
        }
    }
    for (const auto& name : due) ConnectTo(name);
    OpenAutomatic(now);
    if (m_options.dump_addresses && now >= m_next_dump) {
        m_next_dump = now + DUMP_ADDRESSES_INTERVAL_SECONDS;
        m_options.dump_addresses();
    }
    CheckInactivity(now);
    (void)Upload(); // the cycle counts what was sent this second
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
    // Core's -debug=net line for every message taken for processing (the command is printable).
    util::LogDebug(util::LogCategory::NET, "received: %s (%zu bytes) peer=%lld\n", command.c_str(), payload.size(),
                   static_cast<long long>(c.Id()));
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
        m_eviction_info.erase(c.Id());
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
    // Core's -debug=net line for every message queued to a peer.
    util::LogDebug(util::LogCategory::NET, "sending %.*s (%zu bytes) peer=%lld\n", static_cast<int>(command.size()),
                   command.data(), payload.size(), static_cast<long long>(id));
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
                if (t.name == node && t.added) return false;
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
        if (it->name == node && it->added) { // -connect targets are not added nodes (Core)
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
        if (t.added) out.push_back(t.name);
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

size_t ConnectionManager::DisconnectMatching(const SubNet& subnet)
{
    size_t n = 0;
    for (const PeerConnection& p : Peers()) {
        if (!subnet.Match(ToNetAddress(p.conn->Remote()))) continue;
        p.conn->Close("banned");
        ++n;
    }
    return n;
}

bool ConnectionManager::MayConnectTo(const NetAddress& addr) const
{
    const BanMan* b = m_options.banman;
    return !b || !(b->IsBanned(addr) || b->IsDiscouraged(addr));
}

void ConnectionManager::SetNetworkActive(bool active)
{
    util::LogPrintf("SetNetworkActive: %s\n", active ? "true" : "false");
    if (m_network_active.exchange(active) == active) return;
    if (!active) {
        for (const PeerConnection& p : Peers()) p.conn->Close("network not active");
    }
}

void ConnectionManager::UpdateEvictionInfo(NodeId id, const std::function<void(PeerEvictionInfo&)>& update)
{
    util::LockGuard lock(m_mutex);
    auto it = m_eviction_info.find(id);
    if (it != m_eviction_info.end()) update(it->second);
}

std::optional<PeerEvictionInfo> ConnectionManager::EvictionInfo(NodeId id) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_eviction_info.find(id);
    if (it == m_eviction_info.end()) return std::nullopt;
    return it->second;
}

const UploadTarget& ConnectionManager::Upload() const
{
    m_upload.Observe(TotalBytesSent());
    return m_upload;
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
