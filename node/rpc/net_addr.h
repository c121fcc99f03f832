// Registration of the address manager's RPC methods (net_addr.cpp): getnodeaddresses and the
// hidden addpeeraddress. Called by the network's start-up step.
#pragma once

#include "common/rpc/server.h"

namespace net {
class AddrMan;
}

namespace node::rpc {

/** getnodeaddresses, addpeeraddress over addrman, which must outlive the table's use. */
void RegisterAddrRpc(common::rpc::RpcTable& table, net::AddrMan& addrman);

} // namespace node::rpc
