// The P2P RPC methods (Core's rpc/net.cpp): getconnectioncount, getpeerinfo, addnode,
// disconnectnode, getnettotals and ping, over the connection manager and the message handler.
#include "node/rpc/net.h"
#include "node/rpc/register.h"

#include "common/rpc/util.h"
#include "net/connman.h"
#include "node/p2p/peer_manager.h"

#include <ctime>

namespace node::rpc {

namespace {

using T = RpcResultType;

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{std::move(name), type, optional, std::move(default_text), std::move(description)};
}

RpcResult Res(T type, std::string key, std::string description, std::vector<RpcResult> inner = {}, bool opt = false)
{
    return RpcResult{.type = type,
                     .key = std::move(key),
                     .description = std::move(description),
                     .inner = std::move(inner),
                     .optional = opt};
}

/** Core's service names for getpeerinfo's servicesnames. */
Json ServiceNames(uint64_t services)
{
    Json names = Json::array();
    const std::pair<uint64_t, const char*> known[] = {{net::NODE_NETWORK, "NETWORK"},
                                                      {net::NODE_BLOOM, "BLOOM"},
                                                      {net::NODE_WITNESS, "WITNESS"},
                                                      {net::NODE_COMPACT_FILTERS, "COMPACT_FILTERS"},
                                                      {net::NODE_NETWORK_LIMITED, "NETWORK_LIMITED"},
                                                      {net::NODE_P2P_V2, "P2P_V2"}};
    for (const auto& [bit, name] : known)
        if (services & bit) names.push_back(name);
    return names;
}

std::string Hex16(uint64_t v)
{
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

Json PeerInfo(const net::PeerConnection& p, const std::optional<p2p::PeerStats>& s,
              const std::optional<net::PeerEvictionInfo>& e)
{
    const net::ConnectionStats c = p.conn->Stats();
    Json o = Json::object();
    o["id"] = p.conn->Id();
    o["addr"] = p.conn->Remote().address().to_string() + ":" + std::to_string(p.conn->Remote().port());
    o["addrbind"] = p.conn->Local().address().to_string() + ":" + std::to_string(p.conn->Local().port());
    o["network"] = p.conn->Remote().address().is_v4() ? "ipv4" : "ipv6";
    const uint64_t services = s ? s->services : 0;
    o["services"] = Hex16(services);
    o["servicesnames"] = ServiceNames(services);
    o["relaytxes"] = s ? s->relay : false;
    o["lastsend"] = c.last_send;
    o["lastrecv"] = c.last_recv;
    o["last_transaction"] = s ? s->last_transaction : 0;
    o["last_block"] = e ? e->last_block_time : 0;
    o["bytessent"] = c.bytes_sent;
    o["bytesrecv"] = c.bytes_recv;
    o["conntime"] = c.connected;
    o["timeoffset"] = 0;
    if (s && s->ping_seconds) o["pingtime"] = *s->ping_seconds;
    if (s && s->min_ping_seconds) o["minping"] = *s->min_ping_seconds;
    if (s && s->ping_wait_seconds) o["pingwait"] = *s->ping_wait_seconds;
    o["version"] = s ? s->version : 0;
    o["subver"] = s ? s->user_agent : "";
    o["inbound"] = p.conn->IsInbound();
    o["startingheight"] = s ? s->start_height : 0;
    o["synced_headers"] = s ? s->synced_headers : -1;
    o["synced_blocks"] = s ? s->synced_blocks : -1;
    Json inflight = Json::array();
    if (s)
        for (int h : s->inflight) inflight.push_back(h);
    o["inflight"] = inflight;
    o["bip152_hb_to"] = s ? s->bip152_hb_to : false;
    o["bip152_hb_from"] = s ? s->bip152_hb_from : false;
    o["minfeefilter"] = ValueFromAmount(s ? s->min_fee_filter : consensus::Amount{0});
    o["addr_relay_enabled"] = s ? s->addr.enabled : false;
    o["addr_processed"] = s ? s->addr.processed : 0;
    o["addr_rate_limited"] = s ? s->addr.rate_limited : 0;
    Json permissions = Json::array();
    for (const std::string& name : net::PermissionStrings(p.permissions)) permissions.push_back(name);
    o["permissions"] = permissions;
    Json sent = Json::object(), recv = Json::object();
    for (const auto& [k, v] : c.sent_per_msg) sent[k] = v;
    for (const auto& [k, v] : c.recv_per_msg) recv[k] = v;
    o["bytessent_per_msg"] = sent;
    o["bytesrecv_per_msg"] = recv;
    o["connection_type"] = std::string(net::ConnectionTypeName(p.type));
    o["transport_protocol_type"] = "v1";
    o["session_id"] = "";
    return o;
}

std::vector<RpcResult> PeerInfoDoc()
{
    return {
        Res(T::NUM, "id", "Peer index"),
        Res(T::STR, "addr", "(host:port) The IP address and port of the peer"),
        Res(T::STR, "addrbind", "(ip:port) Bind address of the connection to the peer"),
        Res(T::STR, "network", "Network (ipv4, ipv6, onion, i2p, cjdns, not_publicly_routable)"),
        Res(T::STR_HEX, "services", "The services offered"),
        Res(T::ARR, "servicesnames", "the services offered, in human-readable form",
            {Res(T::STR, "", "the service name if it is recognised")}),
        Res(T::BOOL, "relaytxes", "Whether we relay transactions to this peer"),
        Res(T::NUM_TIME, "lastsend", "The UNIX epoch time of the last send"),
        Res(T::NUM_TIME, "lastrecv", "The UNIX epoch time of the last receive"),
        Res(T::NUM_TIME, "last_transaction",
            "The UNIX epoch time of the last valid transaction received from this peer"),
        Res(T::NUM_TIME, "last_block", "The UNIX epoch time of the last block received from this peer"),
        Res(T::NUM, "bytessent", "The total bytes sent"),
        Res(T::NUM, "bytesrecv", "The total bytes received"),
        Res(T::NUM_TIME, "conntime", "The UNIX epoch time of the connection"),
        Res(T::NUM, "timeoffset", "The time offset in seconds"),
        Res(T::NUM, "pingtime", "The last ping time in seconds, if any", {}, true),
        Res(T::NUM, "minping", "The minimum observed ping time in seconds, if any", {}, true),
        Res(T::NUM, "pingwait", "The duration in seconds of an outstanding ping (if non-zero)", {}, true),
        Res(T::NUM, "version", "The peer version, such as 70001"),
        Res(T::STR, "subver", "The string version"),
        Res(T::BOOL, "inbound", "Inbound (true) or Outbound (false)"),
        Res(T::NUM, "startingheight", "The starting height (block) of the peer"),
        Res(T::BOOL, "bip152_hb_to", "Whether we selected peer as (compact blocks) high-bandwidth peer"),
        Res(T::BOOL, "bip152_hb_from", "Whether peer selected us as (compact blocks) high-bandwidth peer"),
        Res(T::NUM, "minfeefilter", "The minimum fee rate for transactions this peer accepts"),
        Res(T::NUM, "synced_headers", "The last header we have in common with this peer"),
        Res(T::NUM, "synced_blocks", "The last block we have in common with this peer"),
        Res(T::ARR, "inflight", "", {Res(T::NUM, "", "The heights of blocks we're currently asking from this peer")}),
        Res(T::BOOL, "addr_relay_enabled", "Whether we participate in address relay with this peer"),
        Res(T::NUM, "addr_processed",
            "The total number of addresses processed, excluding those dropped due to rate limiting"),
        Res(T::NUM, "addr_rate_limited", "The total number of addresses dropped due to rate-limiting"),
        Res(T::ARR, "permissions", "Any special permissions that have been granted to this peer",
            {Res(T::STR, "", "permission")}),
        Res(T::OBJ_DYN, "bytessent_per_msg", "",
            {Res(T::NUM, "msg", "The total bytes sent aggregated by message type")}),
        Res(T::OBJ_DYN, "bytesrecv_per_msg", "",
            {Res(T::NUM, "msg", "The total bytes received aggregated by message type")}),
        Res(T::STR, "connection_type",
            "Type of connection: outbound-full-relay, block-relay-only, inbound, manual, addr-fetch, feeler"),
        Res(T::STR, "transport_protocol_type", "Type of transport protocol: v1 (plaintext)"),
        Res(T::STR, "session_id", "The session ID for this connection, or \"\" if there is none (\"v2\" only)"),
    };
}

} // namespace

void RegisterNetRpc(RpcTable& table, net::ConnectionManager& connman, p2p::PeerManager& peerman)
{
    const std::string cat = "network";
    RegisterNetInfoRpc(table, connman);
    RegisterNetBanRpc(table, connman);
    RegisterAddedNodeRpc(table, connman);
    table.Register(
        RpcMethod{.category = cat,
                  .name = "getconnectioncount",
                  .description = "Returns the number of connections to other nodes.",
                  .examples = HelpExampleCli("getconnectioncount", "") + HelpExampleRpc("getconnectioncount", ""),
                  .handler = [&connman](const RpcRequest&) -> Json { return connman.ConnectionCount(); },
                  .results = {{.type = T::NUM, .description = "The connection count"}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "getpeerinfo",
        .description = "Returns data about each connected network peer as a json array of objects.",
        .examples = HelpExampleCli("getpeerinfo", "") + HelpExampleRpc("getpeerinfo", ""),
        .handler = [&connman, &peerman](const RpcRequest&) -> Json {
            Json out = Json::array();
            for (const net::PeerConnection& p : connman.Peers())
                out.push_back(PeerInfo(p, peerman.GetPeerStats(p.conn->Id()), connman.EvictionInfo(p.conn->Id())));
            return out;
        },
        .results = {{.type = T::ARR, .inner = {{.type = T::OBJ, .inner = PeerInfoDoc()}}}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "addnode",
        .args = {Arg("node", RpcArgType::STR, false, "", "The IP address/Port of the peer to connect to"),
                 Arg("command", RpcArgType::STR, false, "",
                     "'add' to add a node to the list, 'remove' to remove a node from the list, 'onetry' to try a "
                     "connection to the node once")},
        .description = "Attempts to add or remove a node from the addnode list.\nOr try a connection to a node once.\n"
                       "Nodes added using addnode (or -connect) are protected from DoS disconnection and are not "
                       "required to be\nfull nodes/support SegWit as other outbound peers are (though such peers "
                       "will not be synced from).",
        .examples = HelpExampleCli("addnode", "\"192.168.0.6:8333\" \"onetry\"") +
                    HelpExampleRpc("addnode", "\"192.168.0.6:8333\", \"onetry\""),
        .handler = [&connman](const RpcRequest& req) -> Json {
            const std::string node = GetStr(req.params[0]);
            const std::string command = GetStr(req.params[1]);
            if (command == "onetry") {
                connman.AddNode(node, true);
            } else if (command == "add") {
                if (!connman.AddNode(node, false))
                    throw RpcError(RPC_CLIENT_NODE_ALREADY_ADDED, "Error: Node already added");
            } else if (command == "remove") {
                if (!connman.RemoveAddedNode(node)) {
                    throw RpcError(RPC_CLIENT_NODE_NOT_ADDED,
                                   "Error: Node could not be removed. It has not been added previously.");
                }
            } else {
                throw RpcError(RPC_INVALID_PARAMETER, "Error: Invalid command");
            }
            return nullptr;
        },
        .results = {{.type = T::NONE}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "disconnectnode",
        .args = {Arg("address", RpcArgType::STR, true, "fallback to nodeid", "The IP address/port of the node"),
                 Arg("nodeid", RpcArgType::NUM, true, "fallback to address",
                     "The node ID (see getpeerinfo for node IDs)")},
        .description = "Immediately disconnects from the specified peer node.\n\nStrictly one out of 'address' and "
                       "'nodeid' can be provided to identify the node.\n\nTo disconnect by nodeid, either set "
                       "'address' to the empty string, or call using the named 'nodeid' argument only.",
        .examples = HelpExampleCli("disconnectnode", "\"192.168.0.6:8333\"") +
                    HelpExampleRpc("disconnectnode", "\"192.168.0.6:8333\""),
        .handler = [&connman](const RpcRequest& req) -> Json {
            const bool has_addr = req.params.size() > 0 && !req.params[0].is_null() && !GetStr(req.params[0]).empty();
            const bool has_id = req.params.size() > 1 && !req.params[1].is_null();
            bool found = false;
            if (has_addr && !has_id) {
                const std::string addr = GetStr(req.params[0]);
                for (const net::PeerConnection& p : connman.Peers()) {
                    const std::string remote =
                        p.conn->Remote().address().to_string() + ":" + std::to_string(p.conn->Remote().port());
                    if (remote == addr || p.addr_name == addr)
                        found |= connman.Disconnect(p.conn->Id(), "disconnectnode");
                }
            } else if (has_id && !has_addr) {
                found = connman.Disconnect(GetInt(req.params[1]), "disconnectnode");
            } else {
                throw RpcError(RPC_INVALID_PARAMS, "Only one of address and nodeid should be provided.");
            }
            if (!found) throw RpcError(RPC_CLIENT_NODE_NOT_CONNECTED, "Node not found in connected nodes");
            return nullptr;
        },
        .results = {{.type = T::NONE}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "getnettotals",
        .description = "Returns information about network traffic, including bytes in, bytes out,\nand current system "
                       "time.",
        .examples = HelpExampleCli("getnettotals", "") + HelpExampleRpc("getnettotals", ""),
        .handler = [&connman](const RpcRequest&) -> Json {
            Json o = Json::object();
            o["totalbytesrecv"] = connman.TotalBytesRecv();
            o["totalbytessent"] = connman.TotalBytesSent();
            o["timemillis"] = static_cast<int64_t>(std::time(nullptr)) * 1000;
            const net::UploadTarget& up = connman.Upload();
            o["uploadtarget"] = {{"timeframe", net::MAX_UPLOAD_TIMEFRAME_SECONDS},
                                 {"target", up.Target()},
                                 {"target_reached", up.Reached(false)},
                                 {"serve_historical_blocks", !up.Reached(true)},
                                 {"bytes_left_in_cycle", up.BytesLeft()},
                                 {"time_left_in_cycle", up.TimeLeft()}};
            return o;
        },
        .results = {{.type = T::OBJ,
                     .inner = {Res(T::NUM, "totalbytesrecv", "Total bytes received"),
                               Res(T::NUM, "totalbytessent", "Total bytes sent"),
                               Res(T::NUM_TIME, "timemillis", "Current system UNIX epoch time in milliseconds"),
                               Res(T::OBJ, "uploadtarget", "",
                                   {Res(T::NUM, "timeframe", "Length of the measuring timeframe in seconds"),
                                    Res(T::NUM, "target", "Target in bytes"),
                                    Res(T::BOOL, "target_reached", "True if target is reached"),
                                    Res(T::BOOL, "serve_historical_blocks", "True if serving historical blocks"),
                                    Res(T::NUM, "bytes_left_in_cycle", "Bytes left in current time cycle"),
                                    Res(T::NUM, "time_left_in_cycle", "Seconds left in current time cycle")})}}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "ping",
        .description = "Requests that a ping be sent to all other nodes, to measure ping time.\nResults are provided "
                       "in getpeerinfo, pingtime and pingwait fields are decimal seconds.\nPing command is handled in "
                       "queue with all other commands, so it measures processing backlog, not just network ping.",
        .examples = HelpExampleCli("ping", "") + HelpExampleRpc("ping", ""),
        .handler = [&peerman](const RpcRequest&) -> Json {
            peerman.PingAll();
            return nullptr;
        },
        .results = {{.type = T::NONE}}});
}

} // namespace node::rpc
