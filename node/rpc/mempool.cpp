// The mempool's read methods (Core's rpc/mempool.cpp): getmempoolinfo, getrawmempool,
// getmempoolentry, getmempoolancestors, getmempooldescendants, gettxspendingprevout, savemempool.
// They read the pool under its shared lock (TxMemPool's const methods): never behind validation.
#include "common/rpc/util.h"
#include "node/mempool/mempool_manager.h"
#include "node/mempool/policy.h"
#include "node/rpc/mempool_rpc.h"
#include "node/rpc/register.h"

#include <algorithm>
#include <set>

namespace node::rpc {

namespace {

using mempool::Entry;
using mempool::MempoolManager;
using T = RpcResultType;

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{std::move(name), type, optional, std::move(default_text), std::move(description)};
}

RpcResult Res(T type, std::string key, std::string description, bool optional = false)
{
    return RpcResult{.type = type, .key = std::move(key), .description = std::move(description), .optional = optional};
}

/** BIP-125 signalling: the transaction or an in-pool ancestor opts in (nSequence < 0xfffffffe). */
bool SignalsRbf(const mempool::TxMemPool& pool, const Entry& e)
{
    auto signals = [](const consensus::Transaction& tx) {
        return std::any_of(tx.vin.begin(), tx.vin.end(),
                           [](const consensus::TxIn& in) { return in.sequence < 0xfffffffe; });
    };
    if (signals(*e.tx)) return true;
    for (const consensus::Uint256& a : pool.GetAncestors(e.Txid())) {
        if (auto t = pool.Get(a); t && signals(*t)) return true;
    }
    return false;
}

} // namespace

Json MempoolEntryToJson(const mempool::TxMemPool& pool, const Entry& e)
{
    Json o = Json::object();
    o["vsize"] = e.vsize;
    o["weight"] = e.weight;
    o["time"] = e.time;
    o["height"] = e.entry_height;
    o["descendantcount"] = e.count_with_descendants;
    o["descendantsize"] = e.size_with_descendants;
    o["ancestorcount"] = e.count_with_ancestors;
    o["ancestorsize"] = e.size_with_ancestors;
    o["wtxid"] = e.tx->GetWtxid().GetHex();
    Json fees = Json::object();
    fees["base"] = ValueFromAmount(e.fee);
    fees["modified"] = ValueFromAmount(e.ModifiedFee());
    fees["ancestor"] = ValueFromAmount(e.fees_with_ancestors);
    fees["descendant"] = ValueFromAmount(e.fees_with_descendants);
    o["fees"] = fees;
    Json depends = Json::array();
    for (const auto& p : e.parents) depends.push_back(p.GetHex());
    o["depends"] = depends;
    Json spentby = Json::array();
    for (const auto& c : e.children) spentby.push_back(c.GetHex());
    o["spentby"] = spentby;
    o["bip125-replaceable"] = SignalsRbf(pool, e);
    o["unbroadcast"] = pool.IsUnbroadcast(e.Txid());
    return o;
}

std::vector<RpcResult> MempoolEntryDoc()
{
    return {
        Res(T::NUM, "vsize",
            "virtual transaction size as defined in BIP 141. This is different from actual serialized size for witness transactions as witness data is discounted."),
        Res(T::NUM, "weight", "transaction weight as defined in BIP 141."),
        Res(T::NUM_TIME, "time", "local time transaction entered pool in seconds since 1 Jan 1970 GMT"),
        Res(T::NUM, "height", "block height when transaction entered pool"),
        Res(T::NUM, "descendantcount", "number of in-mempool descendant transactions (including this one)"),
        Res(T::NUM, "descendantsize", "virtual transaction size of in-mempool descendants (including this one)"),
        Res(T::NUM, "ancestorcount", "number of in-mempool ancestor transactions (including this one)"),
        Res(T::NUM, "ancestorsize", "virtual transaction size of in-mempool ancestors (including this one)"),
        Res(T::STR_HEX, "wtxid", "hash of serialized transaction, including witness data"),
        RpcResult{
            .type = T::OBJ,
            .key = "fees",
            .inner =
                {Res(T::STR_AMOUNT, "base", "transaction fee, denominated in BTC"),
                 Res(T::STR_AMOUNT, "modified",
                     "transaction fee with fee deltas used for mining priority, denominated in BTC"),
                 Res(T::STR_AMOUNT, "ancestor",
                     "transaction fees of in-mempool ancestors (including this one) with fee deltas used for mining priority, denominated in BTC"),
                 Res(T::STR_AMOUNT, "descendant",
                     "transaction fees of in-mempool descendants (including this one) with fee deltas used for mining priority, denominated in BTC")}},
        RpcResult{.type = T::ARR,
                  .key = "depends",
                  .description = "unconfirmed transactions used as inputs for this transaction",
                  .inner = {Res(T::STR_HEX, "transactionid", "parent transaction id")}},
        RpcResult{.type = T::ARR,
                  .key = "spentby",
                  .description = "unconfirmed transactions spending outputs from this transaction",
                  .inner = {Res(T::STR_HEX, "transactionid", "child transaction id")}},
        Res(T::BOOL, "bip125-replaceable",
            "Whether this transaction signals BIP125 replaceability or has an unconfirmed ancestor signaling BIP125 replaceability. (DEPRECATED)"),
        Res(T::BOOL, "unbroadcast",
            "Whether this transaction is currently unbroadcast (initial broadcast not yet acknowledged by any peers)"),
    };
}

namespace {

Json GetMempoolInfo(MempoolManager& mm)
{
    mempool::TxMemPool& pool = mm.Pool();
    const auto& opts = pool.GetOptions();
    Json o = Json::object();
    o["loaded"] = mm.IsLoaded();
    o["size"] = pool.Size();
    o["bytes"] = pool.TotalTxSize();
    o["usage"] = pool.DynamicMemoryUsage();
    o["total_fee"] = ValueFromAmount(pool.TotalFee());
    o["maxmempool"] = opts.max_size_bytes;
    o["mempoolminfee"] = ValueFromAmount(std::max(pool.GetMinFee(), opts.min_relay_feerate));
    o["minrelaytxfee"] = ValueFromAmount(opts.min_relay_feerate);
    o["incrementalrelayfee"] = ValueFromAmount(opts.incremental_relay_feerate);
    // Counted, not copied: a node whose own transactions were not asked for yet (no peers) may
    // hold every pool entry there, and monitors poll this call.
    o["unbroadcastcount"] = pool.UnbroadcastCount();
    o["fullrbf"] = true;
    o["permitbaremultisig"] = mm.Options().policy.permit_bare_multisig;
    o["maxdatacarriersize"] = mm.Options().policy.datacarrier ? mm.Options().policy.max_datacarrier_bytes : 0;
    return o;
}

Json GetRawMempool(MempoolManager& mm, const RpcRequest& req)
{
    const bool verbose = ParamOr<bool>(req.params, 0, false);
    const bool with_sequence = ParamOr<bool>(req.params, 1, false);
    if (verbose && with_sequence) {
        throw RpcError(RPC_INVALID_PARAMETER, "Verbose results cannot contain mempool sequence values.");
    }
    const mempool::TxMemPool& pool = mm.Pool();
    // The entries and the sequence from one moment: the pool changes only on the owner.
    const uint64_t sequence = pool.GetSequence();
    const std::vector<Entry> entries = pool.GetAllSorted();
    if (verbose) {
        Json o = Json::object();
        for (const Entry& e : entries) o[e.Txid().GetHex()] = MempoolEntryToJson(pool, e);
        return o;
    }
    Json txids = Json::array();
    for (const Entry& e : entries) txids.push_back(e.Txid().GetHex());
    if (!with_sequence) return txids;
    Json o = Json::object();
    o["txids"] = txids;
    o["mempool_sequence"] = sequence;
    return o;
}

Entry RequireEntry(const mempool::TxMemPool& pool, const consensus::Uint256& txid)
{
    auto e = pool.GetEntry(txid);
    if (!e) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool");
    return std::move(*e);
}

Json Relatives(MempoolManager& mm, const RpcRequest& req, bool ancestors)
{
    const consensus::Uint256 txid = ParseHashV(req.params[0], "parameter 1");
    const bool verbose = ParamOr<bool>(req.params, 1, false);
    const mempool::TxMemPool& pool = mm.Pool();
    (void)RequireEntry(pool, txid);
    const std::vector<consensus::Uint256> list = ancestors ? pool.GetAncestors(txid) : pool.GetDescendants(txid);
    if (!verbose) {
        Json a = Json::array();
        for (const auto& h : list) a.push_back(h.GetHex());
        return a;
    }
    Json o = Json::object();
    for (const auto& h : list) {
        if (auto e = pool.GetEntry(h)) o[h.GetHex()] = MempoolEntryToJson(pool, *e);
    }
    return o;
}

Json GetTxSpendingPrevout(MempoolManager& mm, const RpcRequest& req)
{
    const Json& outputs = req.params[0];
    CheckType(outputs, "array");
    if (outputs.empty()) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, outputs are missing");
    Json result = Json::array();
    for (const Json& o : outputs) {
        CheckType(o, "object");
        const consensus::Uint256 txid = ParseHashO(o, "txid");
        if (!o.contains("vout")) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
        const int64_t vout = GetInt(o["vout"]);
        if (vout < 0) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
        if (vout > 0xffffffffLL) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, vout out of range");
        Json item = Json::object();
        item["txid"] = txid.GetHex();
        item["vout"] = vout;
        if (auto spender = mm.Pool().GetSpender(consensus::OutPoint{txid, static_cast<uint32_t>(vout)})) {
            item["spendingtxid"] = spender->GetTxid().GetHex();
        }
        result.push_back(item);
    }
    return result;
}

} // namespace

void RegisterMempoolRpc(RpcTable& table, MempoolManager& mm, const std::filesystem::path& mempool_dat)
{
    const std::string cat = "blockchain";
    table.Register(RpcMethod{
        .category = cat,
        .name = "getmempoolinfo",
        .description = "Returns details on the active state of the TX memory pool.",
        .examples = HelpExampleCli("getmempoolinfo", "") + HelpExampleRpc("getmempoolinfo", ""),
        .handler = [&mm](const RpcRequest&) { return GetMempoolInfo(mm); },
        .results = {RpcResult{
            .type = T::OBJ,
            .inner = {
                Res(T::BOOL, "loaded", "True if the initial load attempt of the persisted mempool finished"),
                Res(T::NUM, "size", "Current tx count"),
                Res(T::NUM, "bytes",
                    "Sum of all virtual transaction sizes as defined in BIP 141. Differs from actual serialized size because witness data is discounted"),
                Res(T::NUM, "usage", "Total memory usage for the mempool"),
                Res(T::STR_AMOUNT, "total_fee",
                    "Total fees for the mempool in BTC, ignoring modified fees through prioritisetransaction"),
                Res(T::NUM, "maxmempool", "Maximum memory usage for the mempool"),
                Res(T::STR_AMOUNT, "mempoolminfee",
                    "Minimum fee rate in BTC/kvB for tx to be accepted. Is the maximum of minrelaytxfee and minimum mempool fee"),
                Res(T::STR_AMOUNT, "minrelaytxfee", "Current minimum relay fee for transactions"),
                Res(T::STR_AMOUNT, "incrementalrelayfee",
                    "minimum fee rate increment for mempool limiting or replacement in BTC/kvB"),
                Res(T::NUM, "unbroadcastcount",
                    "Current number of transactions that haven't passed initial broadcast yet"),
                Res(T::BOOL, "fullrbf",
                    "True if the mempool accepts RBF without replaceability signaling inspection (DEPRECATED)"),
                Res(T::BOOL, "permitbaremultisig",
                    "True if the mempool accepts transactions with bare multisig outputs"),
                Res(T::NUM, "maxdatacarriersize",
                    "Maximum number of bytes that can be used by OP_RETURN outputs in the mempool"),
            }}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "getrawmempool",
        .args =
            {Arg("verbose", RpcArgType::BOOL, true, "false",
                 "True for a json object, false for array of transaction ids"),
             Arg("mempool_sequence", RpcArgType::BOOL, true, "false",
                 "If verbose=false, returns a json object with transaction list and mempool sequence number attached.")},
        .description = "Returns all transaction ids in memory pool as a json array of string transaction ids.\n\n"
                       "Hint: use getmempoolentry to fetch a specific transaction from the mempool.",
        .examples = HelpExampleCli("getrawmempool", "true") + HelpExampleRpc("getrawmempool", "true"),
        .handler = [&mm](const RpcRequest& req) { return GetRawMempool(mm, req); },
        .results = {RpcResult{.type = T::ARR,
                              .inner = {Res(T::STR_HEX, "", "The transaction id")},
                              .cond = "for verbose = false"},
                    RpcResult{.type = T::OBJ_DYN,
                              .inner = {RpcResult{.type = T::OBJ, .key = "transactionid", .inner = MempoolEntryDoc()}},
                              .cond = "for verbose = true"},
                    RpcResult{.type = T::OBJ,
                              .inner = {RpcResult{.type = T::ARR,
                                                  .key = "txids",
                                                  .inner = {Res(T::STR_HEX, "", "The transaction id")}},
                                        Res(T::NUM, "mempool_sequence", "The mempool sequence value.")},
                              .cond = "for verbose = false and mempool_sequence = true"}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "getmempoolentry",
        .args = {Arg("txid", RpcArgType::STR_HEX, false, "", "The transaction id (must be in mempool)")},
        .description = "Returns mempool data for given transaction",
        .examples = HelpExampleCli("getmempoolentry", "\"mytxid\"") + HelpExampleRpc("getmempoolentry", "\"mytxid\""),
        .handler =
            [&mm](const RpcRequest& req) {
                return MempoolEntryToJson(mm.Pool(), RequireEntry(mm.Pool(), ParseHashV(req.params[0], "parameter 1")));
            },
        .results = {RpcResult{.type = T::OBJ, .inner = MempoolEntryDoc()}}});
    for (const bool anc : {true, false}) {
        const std::string name = anc ? "getmempoolancestors" : "getmempooldescendants";
        const std::string what = anc ? "ancestors" : "descendants";
        table.Register(RpcMethod{
            .category = cat,
            .name = name,
            .args = {Arg("txid", RpcArgType::STR_HEX, false, "", "The transaction id (must be in mempool)"),
                     Arg("verbose", RpcArgType::BOOL, true, "false",
                         "True for a json object, false for array of transaction ids")},
            .description = "If txid is in the mempool, returns all in-mempool " + what + ".",
            .examples = HelpExampleCli(name, "\"mytxid\"") + HelpExampleRpc(name, "\"mytxid\""),
            .handler = [&mm, anc](const RpcRequest& req) { return Relatives(mm, req, anc); },
            .results = {
                RpcResult{.type = T::ARR,
                          .inner = {Res(T::STR_HEX, "",
                                        "The transaction id of an in-mempool " +
                                            std::string(anc ? "ancestor" : "descendant") + " transaction")},
                          .cond = "for verbose = false"},
                RpcResult{.type = T::OBJ_DYN,
                          .inner = {RpcResult{.type = T::OBJ, .key = "transactionid", .inner = MempoolEntryDoc()}},
                          .cond = "for verbose = true"}}});
    }
    table.Register(RpcMethod{
        .category = cat,
        .name = "gettxspendingprevout",
        .args = {Arg(
            "outputs", RpcArgType::ARR, false, "",
            "The transaction outputs that we want to check, and within each, the txid (string) vout (numeric).")},
        .description = "Scans the mempool to find transactions spending any of the given outputs",
        .examples = HelpExampleCli(
            "gettxspendingprevout",
            "\"[{\\\"txid\\\":\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\\",\\\"vout\\\":3}]\""),
        .handler = [&mm](const RpcRequest& req) { return GetTxSpendingPrevout(mm, req); },
        .results = {RpcResult{
            .type = T::ARR,
            .inner = {RpcResult{
                .type = T::OBJ,
                .inner = {Res(T::STR_HEX, "txid", "the transaction id of the checked output"),
                          Res(T::NUM, "vout", "the vout value of the checked output"),
                          Res(T::STR_HEX, "spendingtxid",
                              "the transaction id of the mempool transaction spending this output (omitted if unspent)",
                              true)}}}}}});
    table.Register(
        RpcMethod{.category = cat,
                  .name = "savemempool",
                  .description = "Dumps the mempool to disk. It will fail until the previous dump is fully loaded.",
                  .examples = HelpExampleCli("savemempool", "") + HelpExampleRpc("savemempool", ""),
                  .handler =
                      [&mm, mempool_dat](const RpcRequest&) {
                          std::string error;
                          if (!mm.Dump(mempool_dat, error))
                              throw RpcError(RPC_MISC_ERROR, "Unable to dump mempool to disk");
                          Json o = Json::object();
                          o["filename"] = mempool_dat.string();
                          return o;
                      },
                  .results = {RpcResult{
                      .type = T::OBJ,
                      .inner = {Res(T::STR, "filename", "the directory and file where the mempool was saved")}}}});
}

} // namespace node::rpc
