// The address manager's RPC methods (Core's rpc/net.cpp): getnodeaddresses and the hidden
// addpeeraddress (for tests), with Core's arguments, results and errors.
#include "node/rpc/net_addr.h"
#include "node/rpc/register.h"

#include "common/rpc/util.h"
#include "net/addrman.h"

#include <ctime>

namespace node::rpc {

namespace {

using T = RpcResultType;

/** Core's GetNetworkName. */
std::string NetworkName(net::Network n)
{
    switch (n) {
    case net::Network::IPV4: return "ipv4";
    case net::Network::IPV6: return "ipv6";
    case net::Network::ONION: return "onion";
    case net::Network::I2P: return "i2p";
    case net::Network::CJDNS: return "cjdns";
    case net::Network::UNROUTABLE: break;
    }
    return "not_publicly_routable";
}

/** Core's ParseNetwork for the names getnodeaddresses accepts; nullopt for others. */
std::optional<net::Network> ParseNetworkName(std::string name)
{
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "ipv4") return net::Network::IPV4;
    if (name == "ipv6") return net::Network::IPV6;
    if (name == "onion") return net::Network::ONION;
    if (name == "i2p") return net::Network::I2P;
    if (name == "cjdns") return net::Network::CJDNS;
    return std::nullopt;
}

} // namespace

void RegisterAddrRpc(RpcTable& table, net::AddrMan& addrman)
{
    table.Register(RpcMethod{
        .category = "network",
        .name = "getnodeaddresses",
        .args = {RpcArg{"count", RpcArgType::NUM, true, "1",
                        "The maximum number of addresses to return. Specify 0 to return all known addresses."},
                 RpcArg{"network", RpcArgType::STR, true, "all networks",
                        "Return only addresses of the specified network. Can be one of: ipv4, ipv6, onion, i2p, "
                        "cjdns."}},
        .description = "Return known addresses, after filtering for quality and recency.\nThese can potentially be "
                       "used to find new peers in the network.\nThe total number of addresses known to the node may "
                       "be higher.",
        .examples = HelpExampleCli("getnodeaddresses", "8") + HelpExampleCli("getnodeaddresses", "4 \"i2p\"") +
                    HelpExampleRpc("getnodeaddresses", "8") + HelpExampleRpc("getnodeaddresses", "4, \"i2p\""),
        .handler = [&addrman](const RpcRequest& req) -> Json {
            const int64_t count = ParamOr<int64_t>(req.params, 0, 1);
            if (count < 0) throw RpcError(RPC_INVALID_PARAMETER, "Address count out of range");
            std::optional<net::Network> network;
            if (req.params.size() > 1 && !req.params[1].is_null()) {
                const std::string name = GetStr(req.params[1]);
                network = ParseNetworkName(name);
                if (!network) throw RpcError(RPC_INVALID_PARAMETER, "Network not recognized: " + name);
            }
            Json out = Json::array();
            for (const net::AddressEntry& e : addrman.GetAddr(static_cast<size_t>(count), 0, network)) {
                out.push_back({{"time", e.time},
                               {"services", e.services},
                               {"address", e.service.Address().ToString()},
                               {"port", e.service.Port()},
                               {"network", NetworkName(e.service.Address().GetNetwork())}});
            }
            return out;
        },
        .results = {
            {.type = T::ARR,
             .inner = {
                 {.type = T::OBJ,
                  .inner = {{.type = T::NUM_TIME,
                             .key = "time",
                             .description = "The UNIX epoch time when the node was last seen"},
                            {.type = T::NUM, .key = "services", .description = "The services offered by the node"},
                            {.type = T::STR, .key = "address", .description = "The address of the node"},
                            {.type = T::NUM, .key = "port", .description = "The port number of the node"},
                            {.type = T::STR,
                             .key = "network",
                             .description = "The network (ipv4, ipv6, onion, i2p, cjdns) the node "
                                            "connected through"}}}}}}});
    table.Register(RpcMethod{
        .category = "hidden",
        .name = "addpeeraddress",
        .args = {RpcArg{"address", RpcArgType::STR, false, "", "The IP address of the peer"},
                 RpcArg{"port", RpcArgType::NUM, false, "", "The port of the peer"},
                 RpcArg{"tried", RpcArgType::BOOL, true, "false",
                        "If true, attempt to add the peer to the tried addresses table"}},
        .description = "Add the address of a potential peer to an address manager table. This RPC is for testing "
                       "only.",
        .examples = HelpExampleCli("addpeeraddress", "\"1.2.3.4\" 8333 true") +
                    HelpExampleRpc("addpeeraddress", "\"1.2.3.4\", 8333, true"),
        .handler = [&addrman](const RpcRequest& req) -> Json {
            const std::string text = GetStr(req.params[0]);
            const int64_t port = GetInt(req.params[1]);
            if (port < 0 || port > 65535) throw RpcError(RPC_INVALID_PARAMETER, "JSON integer out of range");
            const bool tried = ParamOr<bool>(req.params, 2, false);
            Json o = Json::object();
            bool success = false;
            if (const auto ip = net::ParseAddress(text)) {
                net::AddressEntry e;
                e.service = net::Service(*ip, static_cast<uint16_t>(port));
                e.services = net::NODE_NETWORK | net::NODE_WITNESS;
                e.time = static_cast<uint32_t>(std::time(nullptr));
                // The source is the address itself, as a peer announcing itself (as Core).
                if (addrman.Add({e}, *ip)) {
                    success = true;
                    if (tried && !addrman.Good(e.service)) {
                        success = false;
                        o["error"] = "failed-adding-to-tried";
                    }
                } else {
                    o["error"] = "failed-adding-to-new";
                }
            }
            o["success"] = success;
            return o;
        },
        .results = {{.type = T::OBJ,
                     .inner = {{.type = T::BOOL,
                                .key = "success",
                                .description = "whether the peer address was successfully added to the address "
                                               "manager table"},
                               {.type = T::STR,
                                .key = "error",
                                .description = "error description, if the address could not be added",
                                .optional = true}}}}});
}

} // namespace node::rpc
