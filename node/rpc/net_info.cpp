// getnetworkinfo (Bitcoin Core's rpc/net.cpp): versions, the services we offer, the
// connection counts from the connection manager. Registered by the network's start-up step.
#include "node/rpc/register.h"
#include "common/rpc/util.h"
#include "net/connman.h"
#include "net/messages.h"
#include "util/version.h"

namespace node::rpc {

namespace {

/** Core's P2P protocol version, which the P2P layer will speak (BIP-339 wtxidrelay era). */
constexpr int PROTOCOL_VERSION = 70016;
/** Core's defaults for -minrelaytxfee and -incrementalrelayfee, in satoshis per kvB (no mempool yet). */
constexpr consensus::Amount DEFAULT_MIN_RELAY_FEE_SAT_KVB{1000};
constexpr consensus::Amount DEFAULT_INCREMENTAL_RELAY_FEE_SAT_KVB{1000};

Json GetNetworkInfo(const net::ConnectionManager& connman)
{
    Json ret = Json::object();
    const uint64_t services = net::NODE_NETWORK | net::NODE_WITNESS | net::NODE_NETWORK_LIMITED;
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(services));
    ret["version"] = util::CLIENT_VERSION;
    ret["subversion"] = util::UserAgent();
    ret["protocolversion"] = PROTOCOL_VERSION;
    ret["localservices"] = hex;
    ret["localservicesnames"] = Json::array({"NETWORK", "WITNESS", "NETWORK_LIMITED"});
    ret["localrelay"] = false; // no mempool yet: peers are asked not to announce transactions
    ret["timeoffset"] = 0;
    ret["networkactive"] = connman.GetNetworkActive();
    const size_t total = connman.ConnectionCount(), in = connman.InboundCount();
    ret["connections"] = total;
    ret["connections_in"] = in;
    ret["connections_out"] = total - in;
    Json networks = Json::array();
    const std::pair<const char*, net::Network> nets[] = {{"ipv4", net::Network::IPV4},
                                                         {"ipv6", net::Network::IPV6},
                                                         {"onion", net::Network::ONION},
                                                         {"i2p", net::Network::I2P},
                                                         {"cjdns", net::Network::CJDNS}};
    for (const auto& [name, n] : nets) {
        // Core: limited is !reachable (-onlynet; Tor, I2P and CJDNS need options minicash lacks).
        const bool reachable = connman.IsReachable(n);
        networks.push_back({{"name", name},
                            {"limited", !reachable},
                            {"reachable", reachable},
                            {"proxy", ""},
                            {"proxy_randomize_credentials", false}});
    }
    ret["networks"] = networks;
    ret["relayfee"] = ValueFromAmount(DEFAULT_MIN_RELAY_FEE_SAT_KVB);
    ret["incrementalfee"] = ValueFromAmount(DEFAULT_INCREMENTAL_RELAY_FEE_SAT_KVB);
    ret["localaddresses"] = Json::array();
    ret["warnings"] = Json::array();
    return ret;
}

} // namespace

void RegisterNetInfoRpc(RpcTable& table, const net::ConnectionManager& connman)
{
    using T = RpcResultType;
    table
        .Register(
            RpcMethod{
                .category = "network",
                .name = "getnetworkinfo",
                .description = "Returns an object containing various state info regarding P2P networking.",
                .examples =
                    "> minicash-cli getnetworkinfo\n"
                    "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", \"method\": "
                    "\"getnetworkinfo\", \"params\": []}' -H 'content-type: application/json' http://127.0.0.1:8332/",
                .handler = [&connman](const RpcRequest&) { return GetNetworkInfo(connman); },
                .results =
                    {{.type = T::OBJ,
                      .inner =
                          {
                              {.type = T::NUM, .key = "version", .description = "the server version"},
                              {.type = T::STR, .key = "subversion", .description = "the server subversion string"},
                              {.type = T::NUM, .key = "protocolversion", .description = "the protocol version"},
                              {.type = T::STR_HEX,
                               .key = "localservices",
                               .description = "the services we offer to the network"},
                              {.type = T::ARR,
                               .key = "localservicesnames",
                               .description = "the services we offer to the network, in human-readable form",
                               .inner = {{.type = T::STR, .description = "the service name"}}},
                              {.type = T::BOOL,
                               .key = "localrelay",
                               .description = "true if transaction relay is requested from peers"},
                              {.type = T::NUM, .key = "timeoffset", .description = "the time offset"},
                              {.type = T::NUM, .key = "connections", .description = "the total number of connections"},
                              {.type = T::NUM,
                               .key = "connections_in",
                               .description = "the number of inbound connections"},
                              {.type = T::NUM,
                               .key = "connections_out",
                               .description = "the number of outbound connections"},
                              {.type = T::BOOL,
                               .key = "networkactive",
                               .description = "whether p2p networking is enabled"},
                              {.type = T::ARR,
                               .key = "networks",
                               .description = "information per network",
                               .inner =
                                   {
                                       {.type = T::OBJ,
                                        .inner =
                                            {
                                                {.type = T::STR,
                                                 .key = "name",
                                                 .description = "network (ipv4, ipv6, onion, i2p, cjdns)"},
                                                {.type = T::BOOL,
                                                 .key = "limited",
                                                 .description = "is the network limited using -onlynet?"},
                                                {.type = T::BOOL,
                                                 .key = "reachable",
                                                 .description = "is the network reachable?"},
                                                {.type = T::STR,
                                                 .key = "proxy",
                                                 .description =
                                                     "(\"host:port\") the proxy that is used for this network, or empty if none"},
                                                {.type = T::BOOL,
                                                 .key = "proxy_randomize_credentials",
                                                 .description = "Whether randomized credentials are used"},
                                            }},
                                   }},
                              {.type = T::STR_AMOUNT,
                               .key = "relayfee",
                               .description = "minimum relay fee rate for transactions in BTC/kvB"},
                              {.type = T::STR_AMOUNT,
                               .key = "incrementalfee",
                               .description =
                                   "minimum fee rate increment for mempool limiting or replacement in BTC/kvB"},
                              {.type = T::ARR,
                               .key = "localaddresses",
                               .description = "list of local addresses",
                               .inner =
                                   {
                                       {.type = T::OBJ,
                                        .inner =
                                            {
                                                {.type = T::STR, .key = "address", .description = "network address"},
                                                {.type = T::NUM, .key = "port", .description = "network port"},
                                                {.type = T::NUM, .key = "score", .description = "relative score"},
                                            }},
                                   }},
                              {.type = T::ARR,
                               .key = "warnings",
                               .description = "any network and blockchain warnings",
                               .inner = {{.type = T::STR, .description = "warning"}}},
                          }}},
            });
}

} // namespace node::rpc
