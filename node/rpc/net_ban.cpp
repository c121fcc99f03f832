// setban, listbanned, clearbanned and setnetworkactive (Core's rpc/net.cpp), over the ban
// list and the connection manager. Registered with the other P2P methods (net.cpp).
#include "common/rpc/util.h"
#include "net/banman.h"
#include "net/connman.h"
#include "net/subnet.h"
#include "node/rpc/register.h"

#include <ctime>

namespace node::rpc {

namespace {

using T = RpcResultType;

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{std::move(name), type, optional, std::move(default_text), std::move(description)};
}

RpcResult Res(T type, std::string key, std::string description)
{
    return RpcResult{.type = type, .key = std::move(key), .description = std::move(description)};
}

net::BanMan& EnsureBanMan(const net::ConnectionManager& connman)
{
    net::BanMan* b = connman.GetBanMan();
    if (!b) throw RpcError(RPC_DATABASE_ERROR, "Error: Ban database not loaded");
    return *b;
}

Json SetBan(net::ConnectionManager& connman, const RpcRequest& req)
{
    const std::string target = GetStr(req.params[0]);
    const std::string command = GetStr(req.params[1]);
    if (command != "add" && command != "remove") {
        throw RpcError(RPC_MISC_ERROR, "setban \"subnet\" \"command\" ( bantime absolute )");
    }
    net::BanMan& banman = EnsureBanMan(connman);
    // An address alone is the subnet of that one address ("1.2.3.4/32"), as Core.
    const bool is_subnet = target.find('/') != std::string::npos;
    std::optional<net::SubNet> subnet;
    std::optional<net::NetAddress> addr;
    if (is_subnet) {
        subnet = net::ParseSubNet(target);
    } else if ((addr = net::ParseAddress(target)) && addr->IsValid()) {
        subnet = net::SubNet(*addr);
    }
    if (!subnet || !subnet->IsValid()) throw RpcError(RPC_CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet");
    if (command == "add") {
        if (is_subnet ? banman.IsBanned(*subnet) : banman.IsBanned(*addr)) {
            throw RpcError(RPC_CLIENT_NODE_ALREADY_ADDED, "Error: IP/Subnet already banned");
        }
        const int64_t ban_time = ParamOr<int64_t>(req.params, 2, 0);
        const bool absolute = ParamOr<bool>(req.params, 3, false);
        if (absolute && ban_time < static_cast<int64_t>(std::time(nullptr))) {
            throw RpcError(RPC_INVALID_PARAMETER, "Error: Absolute timestamp is in the past");
        }
        banman.Ban(*subnet, ban_time, absolute);
        connman.DisconnectMatching(*subnet);
    } else if (!banman.Unban(*subnet)) {
        throw RpcError(RPC_CLIENT_INVALID_IP_OR_SUBNET,
                       "Error: Unban failed. Requested address/subnet was not previously manually banned.");
    }
    return nullptr;
}

Json ListBanned(net::ConnectionManager& connman)
{
    net::BanMan& banman = EnsureBanMan(connman);
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    // Times may come from an edited banlist.json: differences saturate instead of overflowing.
    const auto diff = [](int64_t a, int64_t b) {
        const __int128 d = static_cast<__int128>(a) - b;
        return static_cast<int64_t>(std::clamp<__int128>(d, INT64_MIN, INT64_MAX));
    };
    Json out = Json::array();
    for (const auto& [subnet, entry] : banman.GetBanned()) {
        out.push_back({{"address", subnet.ToString()},
                       {"ban_created", entry.create_time},
                       {"banned_until", entry.ban_until},
                       {"ban_duration", diff(entry.ban_until, entry.create_time)},
                       {"time_remaining", diff(entry.ban_until, now)}});
    }
    return out;
}

} // namespace

void RegisterNetBanRpc(RpcTable& table, net::ConnectionManager& connman)
{
    const std::string cat = "network";
    table.Register(RpcMethod{
        .category = cat,
        .name = "setban",
        .args = {Arg("subnet", RpcArgType::STR, false, "",
                     "The IP/Subnet (see getpeerinfo for nodes IP) with an optional netmask (default is /32 = single "
                     "IP)"),
                 Arg("command", RpcArgType::STR, false, "",
                     "'add' to add an IP/Subnet to the list, 'remove' to remove an IP/Subnet from the list"),
                 Arg("bantime", RpcArgType::NUM, true, "0",
                     "time in seconds how long (or until when if [absolute] is set) the IP is banned (0 or empty "
                     "means using the default time of 24h which can also be overwritten by the -bantime startup "
                     "argument)"),
                 Arg("absolute", RpcArgType::BOOL, true, "false",
                     "If set, the bantime must be an absolute timestamp expressed in UNIX epoch time")},
        .description = "Attempts to add or remove an IP/Subnet from the banned list.",
        .examples = HelpExampleCli("setban", "\"192.168.0.6\" \"add\" 86400") +
                    HelpExampleCli("setban", "\"192.168.0.0/24\" \"add\"") +
                    HelpExampleRpc("setban", "\"192.168.0.6\", \"add\", 86400"),
        .handler = [&connman](const RpcRequest& req) -> Json { return SetBan(connman, req); },
        .results = {{.type = T::NONE}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "listbanned",
        .description = "List all manually banned IPs/Subnets.",
        .examples = HelpExampleCli("listbanned", "") + HelpExampleRpc("listbanned", ""),
        .handler = [&connman](const RpcRequest&) -> Json { return ListBanned(connman); },
        .results = {{.type = T::ARR,
                     .inner = {{.type = T::OBJ,
                                .inner = {Res(T::STR, "address", "The IP/Subnet of the banned node"),
                                          Res(T::NUM_TIME, "ban_created", "The UNIX epoch time the ban was created"),
                                          Res(T::NUM_TIME, "banned_until", "The UNIX epoch time the ban expires"),
                                          Res(T::NUM, "ban_duration", "The ban duration, in seconds"),
                                          Res(T::NUM, "time_remaining",
                                              "The time remaining until the ban expires, "
                                              "in seconds")}}}}}});
    table.Register(RpcMethod{.category = cat,
                             .name = "clearbanned",
                             .description = "Clear all banned IPs.",
                             .examples = HelpExampleCli("clearbanned", "") + HelpExampleRpc("clearbanned", ""),
                             .handler = [&connman](const RpcRequest&) -> Json {
                                 EnsureBanMan(connman).ClearBanned();
                                 return nullptr;
                             },
                             .results = {{.type = T::NONE}}});
    table.Register(
        RpcMethod{.category = cat,
                  .name = "setnetworkactive",
                  .args = {Arg("state", RpcArgType::BOOL, false, "", "true to enable networking, false to disable")},
                  .description = "Disable/enable all p2p network activity.",
                  .examples = HelpExampleCli("setnetworkactive", "false") + HelpExampleRpc("setnetworkactive", "false"),
                  .handler = [&connman](const RpcRequest& req) -> Json {
                      connman.SetNetworkActive(GetBool(req.params[0]));
                      return connman.GetNetworkActive();
                  },
                  .results = {{.type = T::BOOL, .description = "The value that was passed in"}}});
}

} // namespace node::rpc
