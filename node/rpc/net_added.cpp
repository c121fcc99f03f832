// getaddednodeinfo (Core's rpc/net.cpp): the -addnode / addnode entries and whether each is
// connected, over the connection manager. Registered with the other P2P methods.
#include "node/rpc/register.h"

#include "common/rpc/util.h"
#include "net/connman.h"

namespace node::rpc {

namespace {

using T = RpcResultType;

Json AddedNodeJson(const net::AddedNodeInfo& info)
{
    Json o = Json::object();
    o["addednode"] = info.name;
    o["connected"] = info.connected;
    Json addresses = Json::array();
    if (info.connected)
        addresses.push_back({{"address", info.address}, {"connected", info.inbound ? "inbound" : "outbound"}});
    o["addresses"] = addresses;
    return o;
}

} // namespace

void RegisterAddedNodeRpc(RpcTable& table, const net::ConnectionManager& connman)
{
    table.Register(RpcMethod{
        .category = "network",
        .name = "getaddednodeinfo",
        .args = {RpcArg{"node", RpcArgType::STR, true, "all nodes",
                        "If provided, return information about this specific node, otherwise all nodes are returned."}},
        .description = "Returns information about the given added node, or all added nodes\n(note that onetry addnodes "
                       "are not listed here)",
        .examples = HelpExampleCli("getaddednodeinfo", "\"192.168.0.201\"") +
                    HelpExampleRpc("getaddednodeinfo", "\"192.168.0.201\""),
        .handler = [&connman](const RpcRequest& req) -> Json {
            std::vector<net::AddedNodeInfo> infos = connman.GetAddedNodeInfo();
            if (!req.params.empty() && !req.params[0].is_null()) {
                const std::string node = GetStr(req.params[0]);
                std::erase_if(infos, [&](const net::AddedNodeInfo& i) { return i.name != node; });
                if (infos.empty()) throw RpcError(RPC_CLIENT_NODE_NOT_ADDED, "Error: Node has not been added.");
            }
            Json out = Json::array();
            for (const net::AddedNodeInfo& info : infos) out.push_back(AddedNodeJson(info));
            return out;
        },
        .results = {
            {.type = T::ARR,
             .inner = {
                 {.type = T::OBJ,
                  .inner = {{.type = T::STR,
                             .key = "addednode",
                             .description = "The node IP address or name (as provided to addnode)"},
                            {.type = T::BOOL, .key = "connected", .description = "If connected"},
                            {.type = T::ARR,
                             .key = "addresses",
                             .description = "Only when connected = true",
                             .inner = {{.type = T::OBJ,
                                        .inner = {{.type = T::STR,
                                                   .key = "address",
                                                   .description = "The bitcoin server IP and port we're connected to"},
                                                  {.type = T::STR,
                                                   .key = "connected",
                                                   .description = "connection, inbound or outbound"}}}}}}}}}}});
}

} // namespace node::rpc
