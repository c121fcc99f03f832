// Address relay (addr_relay.h).
#include "node/p2p/addr_relay.h"

#include "util/logging.h"

#include <algorithm>
#include <charconv>
#include <ctime>

namespace node::p2p {

using util::LogCategory;

namespace {

/** Core's penalty on the time of relayed addresses (2 hours), and its "seen recently" (10 minutes). */
constexpr int64_t ADDR_TIME_PENALTY = 2 * 3600, RECENT = 10 * 60;

int64_t UnixNow() { return static_cast<int64_t>(std::time(nullptr)); }

long long L(net::NodeId id) { return static_cast<long long>(id); }

/** A connection's "ip:port" (IPv6 without brackets, as the connection manager writes it). */
std::optional<net::Service> ParseRemote(const std::string& text)
{
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    const auto ip = net::ParseAddress(std::string_view(text).substr(0, colon));
    unsigned port = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data() + colon + 1, end, port);
    if (!ip || ec != std::errc{} || ptr != end || port > 65535) return std::nullopt;
    return net::Service(*ip, static_cast<uint16_t>(port));
}

} // namespace

AddrRelay::AddrRelay(net::AddrMan& addrman, net::ConnectionManager& connman, AddrRelayOptions options)
    : m_addrman(addrman), m_connman(connman), m_options(std::move(options)), m_rng(std::random_device{}())
{}

bool AddrRelay::Usable(const net::NetAddress& a) const
{
    return a.IsValid() && (a.IsRoutable() || (m_options.allow_unroutable && (a.IsIPv4() || a.IsIPv6())));
}

void AddrRelay::AddPeer(net::NodeId id, net::ConnectionType type, const std::string& remote)
{
    util::LockGuard lock(m_mutex);
    Peer& p = m_peers[id];
    p.type = type;
    p.remote = ParseRemote(remote);
}

void AddrRelay::RemovePeer(net::NodeId id)
{
    std::optional<net::Service> connected;
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end()) return;
        // As Core's FinalizeNode: an outbound peer we completed a handshake with was online just
        // now; not a block-relay-only one, whose address times must not reveal it.
        if (it->second.handshake && it->second.type != net::ConnectionType::INBOUND &&
            it->second.type != net::ConnectionType::BLOCK_RELAY)
            connected = it->second.remote;
        m_peers.erase(it);
    }
    if (connected) m_addrman.Connected(*connected);
}

bool AddrRelay::SetupRelay(Peer& p)
{
    if (p.type == net::ConnectionType::BLOCK_RELAY) return false;
    p.enabled = true;
    return true;
}

void AddrRelay::AddKnown(Peer& p, const net::Service& s)
{
    if (!p.known.insert(s).second) return;
    p.known_order.push_back(s);
    if (p.known_order.size() > MAX_ADDR_KNOWN) {
        p.known.erase(p.known_order.front());
        p.known_order.pop_front();
    }
}

void AddrRelay::Push(Peer& p, const net::AddressEntry& e)
{
    // Core's PushAddress: not to a peer that knows it; a full queue replaces a random entry.
    if (p.known.count(e.service) || (!p.addrv2 && !e.service.Address().IsAddrV1Compatible())) return;
    if (p.to_send.size() >= net::MAX_ADDR_TO_SEND) {
        p.to_send[std::uniform_int_distribution<size_t>(0, p.to_send.size() - 1)(m_rng)] = e;
    } else {
        p.to_send.push_back(e);
    }
}

std::optional<net::AddressEntry> AddrRelay::LocalAddress(const Peer& p) const
{
    net::AddressEntry e;
    e.time = static_cast<uint32_t>(UnixNow());
    e.services = net::NODE_NETWORK | net::NODE_WITNESS | net::NODE_NETWORK_LIMITED;
    if (m_options.listen_port == 0) return std::nullopt; // Core advertises only while listening
    if (!m_options.local.empty()) {
        e.service = m_options.local.front();
        return e;
    }
    // Without -externalip: the address the peer sees us at, with our listening port (Core's
    // GetLocalAddrForPeer when discovery found nothing better).
    if (!Usable(p.seen_as.Address())) return std::nullopt;
    e.service = net::Service(p.seen_as.Address(), m_options.listen_port);
    return e;
}

std::chrono::steady_clock::duration AddrRelay::Poisson(std::chrono::seconds avg)
{
    std::exponential_distribution<double> d(1.0 / static_cast<double>(avg.count()));
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(d(m_rng)));
}

void AddrRelay::OnHandshake(net::NodeId id, bool addrv2, const net::Service& seen_as)
{
    bool getaddr = false;
    std::optional<net::Service> good;
    std::optional<net::AddressEntry> local;
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end()) return;
        Peer& p = it->second;
        p.handshake = true;
        p.addrv2 = addrv2;
        p.seen_as = seen_as;
        const auto now = Clock::now();
        p.next_local = now + Poisson(LOCAL_ADDR_BROADCAST_INTERVAL);
        if (p.type == net::ConnectionType::INBOUND) return;
        good = p.remote;
        if (SetupRelay(p)) {
            // Core: outbound peers get our address at once (when not in IBD) and our getaddr,
            // and may answer it with 1000 addresses beyond the rate limit.
            if (!(m_options.in_ibd && m_options.in_ibd())) local = LocalAddress(p);
            if (local) Push(p, *local);
            p.getaddr_sent = true;
            p.tokens += static_cast<double>(net::MAX_ADDR_TO_SEND);
            getaddr = true;
        }
    }
    if (getaddr) {
        m_connman.Send(id, net::msg_type::GETADDR, {});
        util::LogDebug(LogCategory::NET, "sent getaddr to peer=%lld\n", L(id));
    }
    // Core: the address we completed a handshake with moves to the tried table.
    if (good) m_addrman.Good(*good);
}

void AddrRelay::OnAddr(net::NodeId id, net::AddrMessage&& msg)
{
    const int64_t now = UnixNow();
    std::vector<net::AddressEntry> ok;
    std::optional<net::NetAddress> source;
    bool fetch_done = false;
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end()) return;
        Peer& p = it->second;
        if (!SetupRelay(p)) {
            util::LogDebug(LogCategory::NET, "ignoring addr message from block-relay-only peer=%lld\n", L(id));
            return;
        }
        // Core's token bucket: refilled at 0.1 a second up to 1000 (more only through our getaddr).
        const auto t = Clock::now();
        if (p.tokens < MAX_ADDR_PROCESSING_TOKEN_BUCKET) {
            const double secs = std::chrono::duration<double>(t - p.token_time).count();
            p.tokens = std::min(p.tokens + secs * MAX_ADDR_RATE_PER_SECOND, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
        }
        p.token_time = t;
        // Shuffled, as Core, so that which entries the limit drops cannot be chosen by the sender.
        std::shuffle(msg.entries.begin(), msg.entries.end(), m_rng);
        const size_t total = msg.entries.size();
        uint64_t limited = 0, processed = 0;
        for (net::AddressEntry& e : msg.entries) {
            if (p.tokens < 1.0) {
                ++limited;
                continue;
            }
            p.tokens -= 1.0;
            // Only addresses that may serve blocks (Core's MayHaveUsefulAddressDB).
            if (!(e.services & (net::NODE_NETWORK | net::NODE_NETWORK_LIMITED))) continue;
            if (e.time <= 100000000 || int64_t{e.time} > now + RECENT)
                e.time = static_cast<uint32_t>(now - 5 * 24 * 3600);
            AddKnown(p, e.service);
            // Banned and discouraged addresses are only remembered as known (Core).
            if (!m_connman.MayConnectTo(e.service.Address())) continue;
            ++processed;
            const bool usable = Usable(e.service.Address());
            // Fresh addresses of a small unsolicited message go on to 1-2 peers (Core's RelayAddress).
            if (usable && int64_t{e.time} > now - RECENT && !p.getaddr_sent && total <= 10) Relay(id, e);
            if (usable) ok.push_back(e);
        }
        p.processed += processed;
        p.rate_limited += limited;
        if (limited) {
            util::LogDebug(LogCategory::NET,
                           "Received addr: %zu addresses (%llu processed, %llu rate-limited) peer=%lld\n", total,
                           static_cast<unsigned long long>(processed), static_cast<unsigned long long>(limited), L(id));
        }
        if (total < net::MAX_ADDR_TO_SEND) p.getaddr_sent = false;
        fetch_done = p.type == net::ConnectionType::ADDR_FETCH && total > 1;
        if (p.remote) source = p.remote->Address();
    }
    if (!ok.empty() && source) m_addrman.Add(ok, *source, ADDR_TIME_PENALTY);
    if (fetch_done) m_connman.Disconnect(id, "addr-fetch done");
}

void AddrRelay::Relay(net::NodeId from, const net::AddressEntry& e)
{
    // Core sends a relayed address to 2 peers (1 if it is not reachable to us: not the case
    // here), chosen at random among those with address relay on.
    std::vector<Peer*> candidates;
    for (auto& [id, p] : m_peers)
        if (id != from && p.enabled && p.handshake) candidates.push_back(&p);
    std::shuffle(candidates.begin(), candidates.end(), m_rng);
    for (size_t i = 0; i < candidates.size() && i < 2; ++i) Push(*candidates[i], e);
}

void AddrRelay::OnGetAddr(net::NodeId id)
{
    std::vector<net::AddressEntry> addrs;
    bool v2 = false;
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end()) return;
        Peer& p = it->second;
        // Core: outbound peers' getaddr is ignored (against fingerprinting), and one answer a connection.
        if (p.type != net::ConnectionType::INBOUND) {
            util::LogDebug(LogCategory::NET, "Ignoring \"getaddr\" from %s connection. peer=%lld\n",
                           std::string(net::ConnectionTypeName(p.type)).c_str(), L(id));
            return;
        }
        SetupRelay(p);
        if (p.getaddr_recvd) {
            util::LogDebug(LogCategory::NET, "Ignoring repeated \"getaddr\". peer=%lld\n", L(id));
            return;
        }
        p.getaddr_recvd = true;
        p.to_send.clear();
        v2 = p.addrv2;
        // Core answers every getaddr from one sample kept 21 to 27 hours, so that reconnecting
        // peers cannot scrape the whole table.
        const auto now = Clock::now();
        if (now >= m_cache_expiry) {
            m_cache = m_addrman.GetAddr(net::ADDRMAN_GETADDR_MAX, net::ADDRMAN_GETADDR_MAX_PCT);
            // Not the banned or discouraged ones (Core's CConnman::GetAddresses).
            std::erase_if(m_cache,
                          [this](const net::AddressEntry& e) { return !m_connman.MayConnectTo(e.service.Address()); });
            const auto extra = std::chrono::seconds(std::uniform_int_distribution<int64_t>(0, 6 * 3600)(m_rng));
            m_cache_expiry = now + ADDR_CACHE_LIFETIME + std::chrono::duration_cast<Clock::duration>(extra);
        }
        for (const net::AddressEntry& e : m_cache) {
            if (!v2 && !e.service.Address().IsAddrV1Compatible()) continue;
            AddKnown(p, e.service);
            addrs.push_back(e);
        }
    }
    // Answered at once (Core queues it for the next trickle, about 30 s later on average).
    SendAddrs(id, v2, addrs);
}

void AddrRelay::SendAddrs(net::NodeId id, bool v2, const std::vector<net::AddressEntry>& addrs)
{
    net::AddrMessage m;
    m.entries = addrs;
    std::vector<uint8_t> payload;
    consensus::ByteWriter w(payload);
    if (v2) {
        m.SerializeV2(w);
    } else {
        m.SerializeV1(w);
    }
    m_connman.Send(id, v2 ? net::msg_type::ADDRV2 : net::msg_type::ADDR, payload);
}

void AddrRelay::Tick()
{
    const auto now = Clock::now();
    std::vector<std::tuple<net::NodeId, bool, std::vector<net::AddressEntry>>> out;
    {
        util::LockGuard lock(m_mutex);
        const bool ibd = m_options.in_ibd && m_options.in_ibd();
        for (auto& [id, p] : m_peers) {
            if (!p.handshake || !p.enabled) continue;
            // Our own address about once a day (Core's MaybeSendAddr).
            if (now >= p.next_local) {
                if (!ibd) {
                    if (auto local = LocalAddress(p)) {
                        p.known.erase(local->service); // re-announced even if it knows it
                        Push(p, *local);
                    }
                }
                p.next_local = now + Poisson(LOCAL_ADDR_BROADCAST_INTERVAL);
            }
            if (now < p.next_send || p.to_send.empty()) continue;
            p.next_send = now + Poisson(ADDR_BROADCAST_INTERVAL);
            std::vector<net::AddressEntry> batch;
            for (const net::AddressEntry& e : p.to_send) {
                if (p.known.count(e.service)) continue;
                AddKnown(p, e.service);
                batch.push_back(e);
            }
            p.to_send.clear();
            if (!batch.empty()) out.emplace_back(id, p.addrv2, std::move(batch));
        }
    }
    for (const auto& [id, v2, batch] : out) SendAddrs(id, v2, batch);
}

std::optional<AddrRelayStats> AddrRelay::Stats(net::NodeId id) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return std::nullopt;
    return AddrRelayStats{it->second.enabled, it->second.processed, it->second.rate_limited};
}

} // namespace node::p2p
