// The interface node implements to receive what the network layer delivers (Core's
// NetEventsInterface). net/ never sees the chain: it calls these, and node answers through
// ConnectionManager's Send/Disconnect.
#pragma once

#include "net/connection.h"
#include "net/net_permissions.h"

#include <span>
#include <string>

namespace net {

/** What kind of connection a peer is (Core's ConnectionType, the ones implemented). */
enum class ConnectionType {
    INBOUND,
    OUTBOUND_FULL_RELAY, // automatic outbound, from the address manager
    MANUAL,              // -connect, -addnode, the addnode RPC (as Core)
    BLOCK_RELAY,         // automatic outbound, blocks only (no addr, relay=false)
    FEELER,              // short-lived address test (Core's; not opened yet, see net/README.md)
    ADDR_FETCH,          // -seednode: getaddr, then disconnect once addresses came
};

/** Core's getpeerinfo "connection_type" string. */
std::string_view ConnectionTypeName(ConnectionType t);

/** A new peer, as InitializePeer sees it. */
struct PeerAddress {
    NodeId id{0};
    ConnectionType type{ConnectionType::INBOUND};
    std::string addr;                                         // remote "ip:port"
    std::string addr_local;                                   // our end "ip:port"
    NetPermissionFlags permissions{NetPermissionFlags::NONE}; // -whitebind / -whitelist (inbound)
};

class NetHandler {
public:
    virtual ~NetHandler() = default;
    /** A connection opened (on its strand, before any of its messages). Outbound: send version now. */
    virtual void InitializePeer(const PeerAddress& peer) = 0;
    /** One message with a good checksum, on the peer's strand (one at a time per peer, in order). */
    virtual void ProcessMessage(NodeId peer, const std::string& command, std::vector<uint8_t>&& payload) = 0;
    /** The peer's send buffer has room again after ConnectionManager::WantRoom (on its strand). */
    virtual void SendRoom(NodeId peer) { (void)peer; }
    /** The connection closed (on its strand, once, after its last message). */
    virtual void FinalizePeer(NodeId peer, const std::string& reason) = 0;
};

} // namespace net
