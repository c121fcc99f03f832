// The parameter conversion table of minicash-cli (Core's vRPCConvertParams, node and
// wallet methods), and the conversion functions.
#include "common/rpc/client.h"

#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace common::rpc {

namespace {

struct ConvertParam {
    const char* method;
    int index;
    const char* name;
    bool json_or_string{false}; // when not valid JSON, send the text as a string
};

// clang-format off
const ConvertParam CONVERT_PARAMS[] = {
    // blockchain
    {"getblockhash", 0, "height"},
    {"getblock", 1, "verbosity"},
    {"getblock", 1, "verbose"},
    {"getblockheader", 1, "verbose"},
    {"getchaintxstats", 0, "nblocks"},
    {"getblockstats", 0, "hash_or_height", true},
    {"getblockstats", 1, "stats"},
    {"gettxout", 1, "n"},
    {"gettxout", 2, "include_mempool"},
    {"gettxoutproof", 0, "txids"},
    {"gettxoutsetinfo", 1, "hash_or_height", true},
    {"gettxoutsetinfo", 2, "use_index"},
    {"getrawmempool", 0, "verbose"},
    {"getrawmempool", 1, "mempool_sequence"},
    {"getmempoolancestors", 1, "verbose"},
    {"getmempooldescendants", 1, "verbose"},
    {"gettxspendingprevout", 0, "outputs"},
    {"verifychain", 0, "checklevel"},
    {"verifychain", 1, "nblocks"},
    {"pruneblockchain", 0, "height"},
    {"waitfornewblock", 0, "timeout"},
    {"waitforblock", 1, "timeout"},
    {"waitforblockheight", 0, "height"},
    {"waitforblockheight", 1, "timeout"},
    {"scantxoutset", 1, "scanobjects"},
    {"scanblocks", 1, "scanobjects"},
    {"scanblocks", 2, "start_height"},
    {"scanblocks", 3, "stop_height"},
    {"scanblocks", 5, "options"},
    {"getdescriptoractivity", 0, "blockhashes"},
    {"getdescriptoractivity", 1, "scanobjects"},
    {"getdescriptoractivity", 2, "include_mempool"},
    // mining
    {"generatetoaddress", 0, "nblocks"},
    {"generatetoaddress", 2, "maxtries"},
    {"generatetodescriptor", 0, "num_blocks"},
    {"generatetodescriptor", 2, "maxtries"},
    {"generateblock", 1, "transactions"},
    {"scantxoutset", 1, "scanobjects"},
    {"generateblock", 2, "submit"},
    {"getnetworkhashps", 0, "nblocks"},
    {"getnetworkhashps", 1, "height"},
    {"getblocktemplate", 0, "template_request"},
    {"prioritisetransaction", 1, "dummy"},
    {"prioritisetransaction", 2, "fee_delta"},
    {"estimatesmartfee", 0, "conf_target"},
    {"estimaterawfee", 0, "conf_target"},
    {"estimaterawfee", 1, "threshold"},
    // raw transactions
    {"getrawtransaction", 1, "verbosity"},
    {"getrawtransaction", 1, "verbose"},
    {"createrawtransaction", 0, "inputs"},
    {"createrawtransaction", 1, "outputs"},
    {"createrawtransaction", 2, "locktime"},
    {"createrawtransaction", 3, "replaceable"},
    {"createrawtransaction", 4, "version"},
    {"decoderawtransaction", 1, "iswitness"},
    {"signrawtransactionwithkey", 1, "privkeys"},
    {"signrawtransactionwithkey", 2, "prevtxs"},
    {"signrawtransactionwithwallet", 1, "prevtxs"},
    {"sendrawtransaction", 1, "maxfeerate"},
    {"sendrawtransaction", 2, "maxburnamount"},
    {"testmempoolaccept", 0, "rawtxs"},
    {"testmempoolaccept", 1, "maxfeerate"},
    {"submitpackage", 0, "package"},
    {"submitpackage", 1, "maxfeerate"},
    {"submitpackage", 2, "maxburnamount"},
    {"combinerawtransaction", 0, "txs"},
    {"fundrawtransaction", 1, "options"},
    {"fundrawtransaction", 2, "iswitness"},
    {"createpsbt", 0, "inputs"},
    {"createpsbt", 1, "outputs"},
    {"createpsbt", 2, "locktime"},
    {"createpsbt", 3, "replaceable"},
    {"combinepsbt", 0, "txs"},
    {"joinpsbts", 0, "txs"},
    {"finalizepsbt", 1, "extract"},
    {"converttopsbt", 1, "permitsigdata"},
    {"converttopsbt", 2, "iswitness"},
    {"utxoupdatepsbt", 1, "descriptors"},
    {"descriptorprocesspsbt", 1, "descriptors"},
    {"descriptorprocesspsbt", 3, "bip32derivs"},
    {"descriptorprocesspsbt", 4, "finalize"},
    {"deriveaddresses", 1, "range"},
    {"createmultisig", 0, "nrequired"},
    {"createmultisig", 1, "keys"},
    // network and control
    {"setban", 2, "bantime"},
    {"setban", 3, "absolute"},
    {"setnetworkactive", 0, "state"},
    {"disconnectnode", 1, "nodeid"},
    {"getnodeaddresses", 0, "count"},
    {"addpeeraddress", 1, "port"},
    {"addpeeraddress", 2, "tried"},
    {"addnode", 2, "v2transport"},
    {"addconnection", 2, "v2transport"},
    {"sendmsgtopeer", 0, "peer_id"},
    {"getblockfrompeer", 1, "peer_id"},
    {"setmocktime", 0, "timestamp"},
    {"mockscheduler", 0, "delta_time"},
    {"logging", 0, "include"},
    {"logging", 1, "exclude"},
    {"stop", 0, "wait"},
    {"echojson", 0, "arg0"}, {"echojson", 1, "arg1"}, {"echojson", 2, "arg2"}, {"echojson", 3, "arg3"},
    {"echojson", 4, "arg4"}, {"echojson", 5, "arg5"}, {"echojson", 6, "arg6"}, {"echojson", 7, "arg7"},
    {"echojson", 8, "arg8"}, {"echojson", 9, "arg9"},
    // wallet
    {"sendtoaddress", 1, "amount"},
    {"sendtoaddress", 4, "subtractfeefromamount"},
    {"sendtoaddress", 5, "replaceable"},
    {"sendtoaddress", 6, "conf_target"},
    {"sendtoaddress", 8, "avoid_reuse"},
    {"sendtoaddress", 9, "fee_rate"},
    {"sendtoaddress", 10, "verbose"},
    {"sendmany", 1, "amounts"},
    {"sendmany", 2, "minconf"},
    {"sendmany", 4, "subtractfeefrom"},
    {"sendmany", 5, "replaceable"},
    {"sendmany", 6, "conf_target"},
    {"sendmany", 8, "fee_rate"},
    {"sendmany", 9, "verbose"},
    {"send", 0, "outputs"},
    {"send", 1, "conf_target"},
    {"send", 3, "fee_rate"},
    {"send", 4, "options"},
    {"sendall", 0, "recipients"},
    {"sendall", 1, "conf_target"},
    {"sendall", 3, "fee_rate"},
    {"sendall", 4, "options"},
    {"settxfee", 0, "amount"},
    {"getbalance", 1, "minconf"},
    {"getbalance", 2, "include_watchonly"},
    {"getbalance", 3, "avoid_reuse"},
    {"getreceivedbyaddress", 1, "minconf"},
    {"getreceivedbyaddress", 2, "include_immature_coinbase"},
    {"getreceivedbylabel", 1, "minconf"},
    {"getreceivedbylabel", 2, "include_immature_coinbase"},
    {"listreceivedbyaddress", 0, "minconf"},
    {"listreceivedbyaddress", 1, "include_empty"},
    {"listreceivedbyaddress", 2, "include_watchonly"},
    {"listreceivedbyaddress", 4, "include_immature_coinbase"},
    {"listreceivedbylabel", 0, "minconf"},
    {"listreceivedbylabel", 1, "include_empty"},
    {"listreceivedbylabel", 2, "include_watchonly"},
    {"listreceivedbylabel", 3, "include_immature_coinbase"},
    {"listtransactions", 1, "count"},
    {"listtransactions", 2, "skip"},
    {"listtransactions", 3, "include_watchonly"},
    {"listsinceblock", 1, "target_confirmations"},
    {"listsinceblock", 2, "include_watchonly"},
    {"listsinceblock", 3, "include_removed"},
    {"listsinceblock", 4, "include_change"},
    {"listunspent", 0, "minconf"},
    {"listunspent", 1, "maxconf"},
    {"listunspent", 2, "addresses"},
    {"listunspent", 3, "include_unsafe"},
    {"listunspent", 4, "query_options"},
    {"gettransaction", 1, "include_watchonly"},
    {"gettransaction", 2, "verbose"},
    {"lockunspent", 0, "unlock"},
    {"lockunspent", 1, "transactions"},
    {"lockunspent", 2, "persistent"},
    {"walletpassphrase", 1, "timeout"},
    {"walletcreatefundedpsbt", 0, "inputs"},
    {"walletcreatefundedpsbt", 1, "outputs"},
    {"walletcreatefundedpsbt", 2, "locktime"},
    {"walletcreatefundedpsbt", 3, "options"},
    {"walletcreatefundedpsbt", 4, "bip32derivs"},
    {"walletprocesspsbt", 1, "sign"},
    {"walletprocesspsbt", 3, "bip32derivs"},
    {"walletprocesspsbt", 4, "finalize"},
    {"bumpfee", 1, "options"},
    {"psbtbumpfee", 1, "options"},
    {"importdescriptors", 0, "requests"},
    {"listdescriptors", 0, "private"},
    {"keypoolrefill", 0, "newsize"},
    {"rescanblockchain", 0, "start_height"},
    {"rescanblockchain", 1, "stop_height"},
    {"createwallet", 1, "disable_private_keys"},
    {"createwallet", 2, "blank"},
    {"createwallet", 4, "avoid_reuse"},
    {"createwallet", 5, "descriptors"},
    {"createwallet", 6, "load_on_startup"},
    {"createwallet", 7, "external_signer"},
    {"restorewallet", 2, "load_on_startup"},
    {"loadwallet", 1, "load_on_startup"},
    {"unloadwallet", 1, "load_on_startup"},
    {"setwalletflag", 1, "value"},
    {"addmultisigaddress", 0, "nrequired"},
    {"addmultisigaddress", 1, "keys"},
    {"gethdkeys", 0, "options"},
    {"createwalletdescriptor", 1, "options"},
};
// clang-format on

struct Tables {
    std::map<std::pair<std::string, int>, bool> by_index;        // -> json_or_string
    std::map<std::pair<std::string, std::string>, bool> by_name; // -> json_or_string
};

const Tables& GetTables()
{
    static const Tables tables = [] {
        Tables t;
        for (const auto& p : CONVERT_PARAMS) {
            t.by_index[{p.method, p.index}] = p.json_or_string;
            t.by_name[{p.method, p.name}] = p.json_or_string;
        }
        return t;
    }();
    return tables;
}

/** Core's ParseNonRFCJSONValue: any JSON value; decimals keep their text. */
Json ParseArgJson(const std::string& raw)
{
    if (auto v = ParseJson(raw, /*keep_number_text=*/true)) return *v;
    throw std::runtime_error("Error parsing JSON: " + raw);
}

Json Convert(const std::string& raw, std::optional<bool> json_or_string)
{
    if (!json_or_string) return raw;
    if (*json_or_string) {
        if (auto v = ParseJson(raw, true)) return *v;
        return raw;
    }
    return ParseArgJson(raw);
}

std::optional<bool> LookupIndex(const std::string& method, int index)
{
    const auto& t = GetTables().by_index;
    auto it = t.find({method, index});
    if (it == t.end()) return std::nullopt;
    return it->second;
}

std::optional<bool> LookupName(const std::string& method, const std::string& name)
{
    const auto& t = GetTables().by_name;
    auto it = t.find({method, name});
    if (it == t.end()) return std::nullopt;
    return it->second;
}

} // namespace

bool RpcParamIsJson(const std::string& method, int index) { return LookupIndex(method, index).has_value(); }

Json RpcConvertValues(const std::string& method, const std::vector<std::string>& args)
{
    Json params = Json::array();
    for (size_t i = 0; i < args.size(); ++i)
        params.push_back(Convert(args[i], LookupIndex(method, static_cast<int>(i))));
    return params;
}

Json RpcConvertNamedValues(const std::string& method, const std::vector<std::string>& args)
{
    Json params = Json::object();
    Json positional = Json::array();
    for (const std::string& s : args) {
        const size_t eq = s.find('=');
        if (eq == std::string::npos) {
            positional.push_back(Convert(s, LookupIndex(method, static_cast<int>(positional.size()))));
            continue;
        }
        const std::string name = s.substr(0, eq);
        // Later values overwrite earlier ones, as Core.
        params[name] = Convert(s.substr(eq + 1), LookupName(method, name));
    }
    if (!positional.empty() && !params.contains("args")) params["args"] = std::move(positional);
    return params;
}

} // namespace common::rpc
