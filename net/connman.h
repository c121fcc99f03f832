// The connection manager (Core's CConnman): one io_context with a small thread pool, the
// listening sockets, outbound connections to -connect / -addnode peers (kept open, retried as
// Core retries them), the connection limits, and the inactivity checks. It knows nothing of
// the chain: messages go to a NetHandler that node implements.
#pragma once

#include "net/banman.h"
#include "net/addrman.h"
#include "net/connection.h"
#include "net/handler.h"
#include "net/net_permissions.h"
#include "net/upload_target.h"
#include "util/sync.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace net {

struct ConnmanOptions {
    MessageStart magic{};
    /** The port a "host" without one means (the network's P2P port). */
    uint16_t default_port{0};
    /** Where to listen (-bind, or the defaults when -listen); empty: no inbound connections. */
    std::vector<boost::asio::ip::tcp::endpoint> listen;
    /** listen holds the default addresses (no -bind): Start needs only one of them to bind. */
    bool listen_defaults{false};
    /** -connect: connect only to these, and keep connected. */
    std::vector<std::string> connect;
    /** -addnode: keep connected to these too (manual connections). */
    std::vector<std::string> addnode;
    /** -maxconnections (Core's default 125). */
    int max_connections{125};
    /** I/O threads of the io_context. */
    int io_threads{2};
    /** -peertimeout: a connection that has not both sent and received in this long after opening is closed; also the handshake's limit. */
    std::chrono::seconds peer_connect_timeout{60};
    ConnectionLimits limits;
    /** The clock of the inactivity checks (UNIX seconds); unset: the system clock. For tests. */
    std::function<int64_t()> clock;
    /** Permissions of the peers accepted on each listen entry (-whitebind); missing: none. */
    std::vector<NetPermissionFlags> listen_permissions;
    /** -whitelist: permissions of inbound peers by address. */
    std::vector<WhitelistPermissions> whitelist;
    /** The ban list (banned inbound refused, discouraged ones accepted only while slots are free); may be null. */
    BanMan* banman{nullptr};
    /** -networkactive. */
    bool network_active{true};
    /** -timeout: an outbound connection attempt gives up after this long. */
    std::chrono::milliseconds connect_timeout{5000};
    /** -onlynet: the networks automatic outbound connections may use (IPv4 and IPv6 without it). */
    std::set<Network> onlynet{Network::IPV4, Network::IPV6};
    /** -maxuploadtarget in bytes per 24 hours; 0: no limit. */
    uint64_t max_upload_target{0};
    /** The address manager automatic connections draw from (and DNS seeds fill); null: none. */
    AddrMan* addrman{nullptr};
    /** Open Core's automatic outbound connections (8 full-relay, 2 block-relay-only): no -connect. */
    bool automatic_outbound{false};
    /** -seednode: one addr-fetch connection each at start (getaddr, then disconnect). */
    std::vector<std::string> seednodes;
    /** DNS seed names, queried (port default_port) when the address manager is empty at start. */
    std::vector<std::string> dns_seeds;
    /** Called every DUMP_ADDRESSES_INTERVAL on an I/O thread (the address file's periodic save). */
    std::function<void()> dump_addresses;
};

/** The NetAddress of an endpoint (an IPv4-mapped IPv6 address becomes IPv4). */
NetAddress ToNetAddress(const boost::asio::ip::tcp::endpoint& ep);

/** Core's DUMP_PEERS_INTERVAL: the address file is saved every 15 minutes. */
inline constexpr int64_t DUMP_ADDRESSES_INTERVAL_SECONDS = 15 * 60;

/** Core's TIMEOUT_INTERVAL: a connection with no byte sent, or none received, for 20 minutes is closed. */
inline constexpr int64_t TIMEOUT_INTERVAL_SECONDS = 20 * 60;
/** Core's MAX_OUTBOUND_FULL_RELAY_CONNECTIONS, MAX_BLOCK_RELAY_ONLY_CONNECTIONS, MAX_ADDNODE_CONNECTIONS, MAX_FEELER_CONNECTIONS. */
inline constexpr int MAX_OUTBOUND_FULL_RELAY = 8, MAX_BLOCK_RELAY_ONLY = 2, MAX_ADDNODE = 8, MAX_FEELER = 1;

/** One peer as getpeerinfo and the handler see it. */
struct PeerConnection {
    std::shared_ptr<Connection> conn;
    ConnectionType type{ConnectionType::INBOUND};
    std::string addr_name; // what we dialled ("-connect=..."), or the remote address for inbound
    NetPermissionFlags permissions{NetPermissionFlags::NONE};
    bool prefer_evict{false}; // discouraged when it connected: evicted first
};

/** What the handler tells the connection manager of a peer, for inbound eviction. */
struct PeerEvictionInfo {
    int64_t min_ping_us{INT64_MAX};
    int64_t last_block_time{0};
    bool relevant_services{false};
    bool relay_txs{false};
};

/** One -addnode / addnode entry as getaddednodeinfo shows it (Core's AddedNodeInfo). */
struct AddedNodeInfo {
    std::string name;
    bool connected{false};
    bool inbound{false};
    std::string address; // the connected peer's ip:port, when connected
};

class ConnectionManager final : private ConnectionEvents {
public:
    explicit ConnectionManager(ConnmanOptions options);
    ~ConnectionManager() override;
    ConnectionManager(const ConnectionManager&) = delete;
    ConnectionManager& operator=(const ConnectionManager&) = delete;

    /**
     * Opens the listening sockets and starts the I/O threads and outbound connections.
     * handler must outlive Stop(). False with error set if a listening socket could not be
     * bound ("Unable to bind to 127.0.0.1:18444 on this computer...", as Core says).
     */
    bool Start(NetHandler& handler, std::string& error);
    /** Closes every connection (each reported to the handler) and joins the threads. Idempotent. */
    void Stop();

    /** Queues a message to a peer. False if it is not connected. Any thread. */
    bool Send(NodeId id, std::string_view command, std::span<const uint8_t> payload);
    /** Closes a peer's connection (reported to the handler with reason). False if unknown. */
    bool Disconnect(NodeId id, const std::string& reason);
    /**
     * True if the peer's send buffer is full; then the handler gets SendRoom(id) once it is not
     * (Core's fPauseSend, seen from the handler). False for an unknown peer.
     */
    bool SendBufferFullNotify(NodeId id);
    /** Stops or resumes reading a peer's messages (the handler's back-pressure). */
    void HoldReading(NodeId id, bool hold);
    /** The handler's word that a peer finished the handshake (Core's fSuccessfullyConnected). */
    void MarkHandshakeDone(NodeId id);
    /** A copy of the peer list, for iteration without any lock held. */
    std::vector<PeerConnection> Peers() const EXCLUDES(m_mutex);
    std::optional<PeerConnection> Find(NodeId id) const EXCLUDES(m_mutex);
    /** Connections open now (both directions, or one). */
    size_t ConnectionCount() const EXCLUDES(m_mutex);
    size_t InboundCount() const EXCLUDES(m_mutex);
    /**
     * addnode RPC: add (kept connected, retried) or onetry (one attempt now). False if add
     * names a node already added (Core's -23 "Node already added").
     */
    bool AddNode(const std::string& node, bool onetry) EXCLUDES(m_mutex);
    /** addnode remove. False if it was not added (Core's -24). */
    bool RemoveAddedNode(const std::string& node) EXCLUDES(m_mutex);
    std::vector<std::string> AddedNodes() const EXCLUDES(m_mutex);
    /** The -addnode / addnode entries (not -connect) and whether each is connected now, in or out. */
    std::vector<AddedNodeInfo> GetAddedNodeInfo() const EXCLUDES(m_mutex);
    /** The ports actually listened on (after binding port 0 in tests), in options.listen order. */
    std::vector<uint16_t> ListenPorts() const EXCLUDES(m_mutex);
    /** Closes every peer whose address is in subnet (setban); returns how many. */
    size_t DisconnectMatching(const SubNet& subnet) EXCLUDES(m_mutex);
    /** The ban list given in the options (null if none). */
    BanMan* GetBanMan() const { return m_options.banman; }
    /** False if addr is banned or discouraged: automatic outbound connections skip it (manual ones do not, as Core). */
    bool MayConnectTo(const NetAddress& addr) const;
    /** True if automatic outbound connections may go to network n (-onlynet; Tor, I2P and CJDNS never here). */
    bool IsReachable(Network n) const { return m_options.onlynet.count(n) > 0; }
    /** setnetworkactive: false closes every connection and opens none (inbound refused) until true again. */
    void SetNetworkActive(bool active);
    bool GetNetworkActive() const { return m_network_active.load(); }
    /** The handler's news of a peer for eviction (its version, a lower ping, a new block). Any thread. */
    void UpdateEvictionInfo(NodeId id, const std::function<void(PeerEvictionInfo&)>& update) EXCLUDES(m_mutex);
    /** What the handler last told of a peer (getpeerinfo's last_block); nullopt for an unknown peer. */
    std::optional<PeerEvictionInfo> EvictionInfo(NodeId id) const EXCLUDES(m_mutex);
    /** -maxuploadtarget's state, brought up to date with the bytes sent so far. Any thread. */
    const UploadTarget& Upload() const;
    /** The inbound slots (-maxconnections less Core's outbound ones). */
    int MaxInbound() const;
    /** Totals for getnettotals. */
    uint64_t TotalBytesSent() const;
    uint64_t TotalBytesRecv() const;

private:
    struct Target {
        std::string name;
        ConnectionType type;
        bool onetry{false};
        bool added{false}; // -addnode or addnode add (getaddednodeinfo); -connect is not
        bool connecting{false};
        NodeId connected{-1};
        int64_t next_attempt{0};
    };

    void OnMessage(Connection& c, const std::string& command, std::vector<uint8_t>&& payload) override;
    void OnClosed(Connection& c, const std::string& reason) override;
    void OnSendRoom(Connection& c) override;
    void Accept(size_t listener);
    /** One accepted socket: refused (banned, discouraged while nearly full, network inactive), or adopted after an eviction if full. */
    void AcceptConnection(size_t listener, boost::asio::ip::tcp::socket s);
    void Tick();
    void ConnectTo(const std::string& name) EXCLUDES(m_mutex);
    void Adopt(boost::asio::ip::tcp::socket socket, ConnectionType type, const std::string& name,
               NetPermissionFlags permissions = NetPermissionFlags::NONE, bool prefer_evict = false) EXCLUDES(m_mutex);
    void CheckInactivity(int64_t now) EXCLUDES(m_mutex);
    /** Opens one automatic outbound connection if a slot is free (connman_outbound.cpp). */
    void OpenAutomatic(int64_t now) EXCLUDES(m_mutex);
    /** Resolves the DNS seeds into the address manager (connman_outbound.cpp). */
    void QueryDnsSeeds();
    int64_t Now() const;
    /** Core's AttemptToEvictConnection: closes one inbound peer SelectNodeToEvict picks; false if none. */
    bool AttemptToEvict() EXCLUDES(m_mutex);
    /** The permissions of an inbound peer from addr accepted on listener. */
    NetPermissionFlags InboundPermissions(size_t listener, const NetAddress& addr) const;

    const ConnmanOptions m_options;
    boost::asio::io_context m_io;
    /** Every acceptor operation (re-arming an accept, closing at Stop) runs here: never two at once. */
    boost::asio::strand<boost::asio::io_context::executor_type> m_accept_strand{boost::asio::make_strand(m_io)};
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> m_acceptors;
    std::vector<NetPermissionFlags> m_listener_permissions; // per acceptor; set by Start before the threads
    boost::asio::steady_timer m_tick;
    std::vector<std::thread> m_threads;
    NetHandler* m_handler{nullptr};
    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_network_active{true};
    const uint64_t m_netgroup_k0, m_netgroup_k1; // the key of the eviction's net group hash
    mutable UploadTarget m_upload;
    std::atomic<NodeId> m_next_id{0};
    std::atomic<uint64_t> m_closed_sent{0}, m_closed_recv{0}; // bytes of connections already gone
    int64_t m_next_dump{0};                                   // the I/O thread's Tick only

    mutable util::Mutex m_mutex;
    std::map<NodeId, PeerConnection> m_peers GUARDED_BY(m_mutex);
    std::map<NodeId, bool> m_handshake_done GUARDED_BY(m_mutex);
    std::map<NodeId, PeerEvictionInfo> m_eviction_info GUARDED_BY(m_mutex);
    std::vector<Target> m_targets GUARDED_BY(m_mutex);
    std::vector<uint16_t> m_listen_ports GUARDED_BY(m_mutex);
};

} // namespace net
