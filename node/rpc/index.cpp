// getindexinfo (Bitcoin Core's rpc/node.cpp): the state of the optional indexes.
#include "node/index/tx_indexer.h"
#include "node/rpc/register.h"
#include "common/rpc/util.h"

namespace node::rpc {

namespace {

Json GetIndexInfo(const index::TxIndexer* txindex, const RpcRequest& req)
{
    const std::string name = ParamOr<std::string>(req.params, 0, "");
    Json ret = Json::object();
    if (txindex) {
        // Every block connected before the call is counted (the notifications delivered).
        (void)txindex->BlockUntilSyncedToCurrentChain();
        const index::IndexSummary summary = txindex->GetSummary();
        if (name.empty() || name == summary.name) {
            Json entry = Json::object();
            entry["synced"] = summary.synced;
            entry["best_block_height"] = summary.best_block_height;
            ret[summary.name] = std::move(entry);
        }
    }
    return ret;
}

} // namespace

void RegisterIndexRpc(RpcTable& table, const index::TxIndexer* txindex)
{
    table.Register(RpcMethod{
        .category = "util",
        .name = "getindexinfo",
        .args = {RpcArg{.name = "index_name",
                        .type = RpcArgType::STR,
                        .optional = true,
                        .default_text = "",
                        .description = "Filter results for an index with a specific name."}},
        .description = "Returns the status of one or all available indices currently running in the node.",
        .examples = "> minicash-cli getindexinfo\n> minicash-cli getindexinfo txindex",
        .handler = [txindex](const RpcRequest& req) { return GetIndexInfo(txindex, req); },
        .results = {RpcResult{
            .type = RpcResultType::OBJ_DYN,
            .inner = {RpcResult{
                .type = RpcResultType::OBJ,
                .key = "name",
                .description = "The name of the index",
                .inner = {RpcResult{.type = RpcResultType::BOOL,
                                    .key = "synced",
                                    .description = "Whether the index is synced or not"},
                          RpcResult{.type = RpcResultType::NUM,
                                    .key = "best_block_height",
                                    .description = "The block height to which the index is synced"}}}}}},
    });
}

} // namespace node::rpc
