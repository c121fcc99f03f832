// Address relay (Core's addr handling in net_processing): addr/addrv2 received into the
// address manager under Core's token bucket (0.1 address a second, a burst of 1000, 1000 more
// after our getaddr), getaddr answered once per inbound connection, sent to outbound peers
// after the handshake, fresh addresses relayed to 1-2 peers, our own address advertised.
// PeerManager calls it from small hooks; it has its own lock and sends through the connman.
#pragma once

#include "net/addrman.h"
#include "net/connman.h"
#include "net/messages.h"
#include "util/sync.h"

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

namespace node::p2p {

/** Core's MAX_ADDR_RATE_PER_SECOND and MAX_ADDR_PROCESSING_TOKEN_BUCKET. */
inline constexpr double MAX_ADDR_RATE_PER_SECOND = 0.1, MAX_ADDR_PROCESSING_TOKEN_BUCKET = 1000;
/** Core's AVG_ADDRESS_BROADCAST_INTERVAL (30 s) and AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL (24 h). */
inline constexpr std::chrono::seconds ADDR_BROADCAST_INTERVAL{30}, LOCAL_ADDR_BROADCAST_INTERVAL{24 * 3600};
/** Core's getaddr response cache: one sample answers every getaddr for 21 hours (plus up to 6, random). */
inline constexpr std::chrono::hours ADDR_CACHE_LIFETIME{21};
/** Addresses remembered per peer as known to it (Core's rolling filter holds 5000). */
inline constexpr size_t MAX_ADDR_KNOWN = 5000;

/** What getpeerinfo shows of a peer's address relay. */
struct AddrRelayStats {
    bool enabled{false};
    uint64_t processed{0}, rate_limited{0};
};

struct AddrRelayOptions {
    /** -externalip: our addresses to advertise. Empty: what peers see of us, with listen_port. */
    std::vector<net::Service> local;
    /** Our P2P listening port; 0: not listening (then nothing is advertised without -externalip). */
    uint16_t listen_port{0};
    /** Addresses that are not routable are relayed and advertised too (regtest, as AddrMan's option). */
    bool allow_unroutable{false};
    /** True while in initial block download: no self-advertisement then (as Core). */
    std::function<bool()> in_ibd;
};

class AddrRelay {
public:
    /** addrman and connman must outlive it. */
    AddrRelay(net::AddrMan& addrman, net::ConnectionManager& connman, AddrRelayOptions options);

    /** A connection opened (remote "ip:port"). */
    void AddPeer(net::NodeId id, net::ConnectionType type, const std::string& remote) EXCLUDES(m_mutex);
    /** A connection closed: an outbound peer's address marked as connected recently. */
    void RemovePeer(net::NodeId id) EXCLUDES(m_mutex);
    /**
     * The handshake finished. Outbound (not block-relay-only) peers get our getaddr (and 1000
     * more tokens), our address, and become Good in the address manager. seen_as: the address
     * the peer's version says it sees us at; addrv2: it sent sendaddrv2.
     */
    void OnHandshake(net::NodeId id, bool addrv2, const net::Service& seen_as) EXCLUDES(m_mutex);
    /** An addr (v2: addrv2) message, already decoded (at most MAX_ADDR_TO_SEND entries). */
    void OnAddr(net::NodeId id, net::AddrMessage&& msg) EXCLUDES(m_mutex);
    /** A getaddr: answered once per connection, inbound peers only (as Core). */
    void OnGetAddr(net::NodeId id) EXCLUDES(m_mutex);
    /** Sends what is due (the trickle of relayed addresses, our own address once a day on average). */
    void Tick() EXCLUDES(m_mutex);
    std::optional<AddrRelayStats> Stats(net::NodeId id) const EXCLUDES(m_mutex);

private:
    using Clock = std::chrono::steady_clock;
    struct Peer {
        net::ConnectionType type{net::ConnectionType::INBOUND};
        std::optional<net::Service> remote;
        net::Service seen_as;
        bool handshake{false}, addrv2{false}, enabled{false}, getaddr_sent{false}, getaddr_recvd{false};
        double tokens{1.0};
        Clock::time_point token_time{Clock::now()};
        uint64_t processed{0}, rate_limited{0};
        std::set<net::Service> known;
        std::deque<net::Service> known_order;
        std::vector<net::AddressEntry> to_send;
        Clock::time_point next_send{}, next_local{};
    };

    /** Core's SetupAddressRelay: never for block-relay-only peers; enabled on first use otherwise. */
    static bool SetupRelay(Peer& p);
    static void AddKnown(Peer& p, const net::Service& s);
    void Push(Peer& p, const net::AddressEntry& e) REQUIRES(m_mutex);
    void Relay(net::NodeId from, const net::AddressEntry& e) REQUIRES(m_mutex);
    std::optional<net::AddressEntry> LocalAddress(const Peer& p) const;
    bool Usable(const net::NetAddress& a) const;
    Clock::duration Poisson(std::chrono::seconds avg) REQUIRES(m_mutex);
    void SendAddrs(net::NodeId id, bool v2, const std::vector<net::AddressEntry>& addrs);

    net::AddrMan& m_addrman;
    net::ConnectionManager& m_connman;
    const AddrRelayOptions m_options;
    mutable util::Mutex m_mutex;
    std::map<net::NodeId, Peer> m_peers GUARDED_BY(m_mutex);
    std::mt19937_64 m_rng GUARDED_BY(m_mutex);
    std::vector<net::AddressEntry> m_cache GUARDED_BY(m_mutex); // the sample getaddr answers with
    Clock::time_point m_cache_expiry GUARDED_BY(m_mutex){};
};

} // namespace node::p2p
