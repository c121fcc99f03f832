// The connection manager's automatic outbound connections and DNS seeds (connman.h): Core's
// ThreadOpenConnections and ThreadDNSAddressSeed, simplified (no feelers, no anchors).
#include "net/connman.h"

#include "util/logging.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <set>

namespace net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/** Core's HasAllDesirableServiceFlags for automatic peers: they serve witness blocks. */
bool Desirable(uint64_t services) { return (services & NODE_NETWORK) && (services & NODE_WITNESS); }

/** The address and port of an endpoint. */
std::optional<Service> ToService(const tcp::endpoint& ep) { return Service(ToNetAddress(ep), ep.port()); }

} // namespace

void ConnectionManager::OpenAutomatic(int64_t now)
{
    if (!m_options.addrman || !m_options.automatic_outbound || m_stopping || !m_network_active) return;
    AddrMan& addrman = *m_options.addrman;
    int full = 0, block = 0;
    std::set<std::vector<uint8_t>> groups; // of our automatic outbound peers: one each (Core)
    std::set<Service> connected;
    std::vector<uint16_t> ports;
    {
        util::LockGuard lock(m_mutex);
        ports = m_listen_ports;
        const auto count = [&](ConnectionType type, const std::optional<Service>& s) {
            full += type == ConnectionType::OUTBOUND_FULL_RELAY;
            block += type == ConnectionType::BLOCK_RELAY;
            if (!s) return;
            connected.insert(*s);
            if (type != ConnectionType::INBOUND && type != ConnectionType::MANUAL) {
                groups.insert(s->Address().GetGroup());
            }
        };
        for (const auto& [id, p] : m_peers) count(p.type, ToService(p.conn->Remote()));
        for (const Target& t : m_targets) {
            if (t.connecting) count(t.type, ParseService(t.name, m_options.default_port));
        }
    }
    ConnectionType type;
    if (full < MAX_OUTBOUND_FULL_RELAY) {
        type = ConnectionType::OUTBOUND_FULL_RELAY;
    } else if (block < MAX_BLOCK_RELAY_ONLY) {
        type = ConnectionType::BLOCK_RELAY;
    } else {
        return;
    }
    // Core's selection loop: up to 100 picks, recently tried addresses only after 30 of them.
    std::optional<Service> chosen;
    for (int tries = 0; tries < 100 && !chosen; ++tries) {
        const auto sel = addrman.Select();
        if (!sel) break;
        const Service& s = sel->addr.service;
        if (connected.count(s)) continue;
        // -onlynet, and no banned or discouraged address (Core's IsReachable and IsBanned checks).
        if (!IsReachable(s.Address().GetNetwork()) || !MayConnectTo(s.Address())) continue;
        // Not ourselves (a loopback address on one of our listening ports).
        if (!s.Address().IsRoutable() && std::find(ports.begin(), ports.end(), s.Port()) != ports.end()) continue;
        if (groups.count(s.Address().GetGroup())) continue;
        if (!m_options.onlynet.count(s.Address().GetNetwork()) || !MayConnectTo(s.Address())) continue;
        if (now - sel->last_try < 10 * 60 && tries < 30) continue;
        if (!Desirable(sel->addr.services)) continue;
        chosen = s;
    }
    if (!chosen) return;
    // A failure counts against the address only once we have a couple of peers (Core).
    addrman.Attempt(*chosen, full + block >= 2);
    const std::string name = chosen->ToString();
    {
        util::LockGuard lock(m_mutex);
        Target t{name, type};
        t.onetry = true;
        t.connecting = true;
        m_targets.push_back(t);
    }
    util::LogDebug(util::LogCategory::NET, "trying %s connection to %s\n",
                   std::string(ConnectionTypeName(type)).c_str(), name.c_str());
    ConnectTo(name);
}

void ConnectionManager::QueryDnsSeeds()
{
    for (const std::string& seed : m_options.dns_seeds) {
        auto resolver = std::make_shared<tcp::resolver>(m_io);
        resolver->async_resolve(
            seed, std::to_string(m_options.default_port),
            [this, resolver, seed](const boost::system::error_code& ec, const tcp::resolver::results_type& r) {
                if (ec || m_stopping) {
                    util::LogPrintf("Loading addresses from DNS seed %s failed: %s\n", seed.c_str(),
                                    ec ? ec.message().c_str() : "stopping");
                    return;
                }
                std::vector<AddressEntry> found;
                for (const auto& entry : r) {
                    const auto s = ToService(entry.endpoint());
                    if (!s) continue;
                    // Core: seeded addresses get a random age of 3 to 7 days and the services it asked for.
                    const auto age = static_cast<uint32_t>(3 * 24 * 3600 + (found.size() * 7919) % (4 * 24 * 3600));
                    found.push_back({static_cast<uint32_t>(Now()) - age, NODE_NETWORK | NODE_WITNESS, *s});
                }
                // Core's source is a name-derived internal address; here the seed's first answer
                // (one source group per seed either way).
                if (!found.empty()) m_options.addrman->Add(found, found.front().service.Address());
                util::LogPrintf("%zu addresses found from DNS seed %s\n", found.size(), seed.c_str());
            });
    }
}

} // namespace net
