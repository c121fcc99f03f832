// Registration of the P2P RPC methods (net.cpp), called by the network's start-up step.
#pragma once

#include "common/rpc/server.h"

namespace net {
class ConnectionManager;
}
namespace node::p2p {
class PeerManager;
}

namespace node::rpc {

using common::rpc::RpcTable;

/** getconnectioncount, getpeerinfo, addnode, disconnectnode, getnettotals, ping. Both must outlive the table's use. */
void RegisterNetRpc(RpcTable& table, net::ConnectionManager& connman, p2p::PeerManager& peerman);

} // namespace node::rpc
