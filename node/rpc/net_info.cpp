// getnetworkinfo (Bitcoin Core's rpc/net.cpp) for a node that has no P2P layer yet: the
// version fields are real; connections are 0, no network is reachable and no services are
// offered, which is the truth until net/ lands (the P2P issue fills these in).
#include "node/rpc/register.h"
#include "common/rpc/util.h"
#include "util/version.h"

namespace node::rpc {

namespace {

/** Core's P2P protocol version, which the P2P layer will speak (BIP-339 wtxidrelay era). */
constexpr int PROTOCOL_VERSION = 70016;
/** Core's defaults for -minrelaytxfee and -incrementalrelayfee, in satoshis per kvB (no mempool yet). */
constexpr consensus::Amount DEFAULT_MIN_RELAY_FEE_SAT_KVB{1000};
constexpr consensus::Amount DEFAULT_INCREMENTAL_RELAY_FEE_SAT_KVB{1000};

Json GetNetworkInfo()
{
    Json ret = Json::object();
    ret["version"] = util::CLIENT_VERSION;
    ret["subversion"] = util::UserAgent();
    ret["protocolversion"] = PROTOCOL_VERSION;
    ret["localservices"] = "0000000000000000";
    ret["localservicesnames"] = Json::array();
    ret["localrelay"] = false;
    ret["timeoffset"] = 0;
    ret["networkactive"] = false;
    ret["connections"] = 0;
    ret["connections_in"] = 0;
    ret["connections_out"] = 0;
    ret["networks"] = Json::array();
    ret["relayfee"] = ValueFromAmount(DEFAULT_MIN_RELAY_FEE_SAT_KVB);
    ret["incrementalfee"] = ValueFromAmount(DEFAULT_INCREMENTAL_RELAY_FEE_SAT_KVB);
    ret["localaddresses"] = Json::array();
    ret["warnings"] = Json::array();
    return ret;
}

} // namespace

void RegisterNetInfoRpc(RpcTable& table)
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
                .handler = [](const RpcRequest&) { return GetNetworkInfo(); },
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
