// Registration of the mempool's RPC methods (Core's rpc/mempool.cpp and the mempool parts of
// rpc/rawtransaction.cpp and rpc/mining.cpp), called by init's mempool step.
#pragma once

#include "common/rpc/server.h"
#include "node/mempool/broadcast.h"
#include "consensus/primitives/transaction.h"

#include <filesystem>
#include <functional>
#include <vector>

namespace node::mempool {
class MempoolManager;
class TxMemPool;
struct Entry;
} // namespace node::mempool

namespace node::rpc {

using common::rpc::Json;
using common::rpc::RpcResult;
using common::rpc::RpcTable;

/**
 * getmempoolinfo, getrawmempool, getmempoolentry, getmempoolancestors, getmempooldescendants,
 * gettxspendingprevout, savemempool (to mempool_dat). mm must outlive the table's use.
 */
void RegisterMempoolRpc(RpcTable& table, mempool::MempoolManager& mm, const std::filesystem::path& mempool_dat);

/** Announces a transaction to peers (the P2P layer's RelayTransaction); may be empty (no network). */
using RelayFn = mempool::RelayFn;

/**
 * sendrawtransaction, testmempoolaccept, submitpackage, prioritisetransaction,
 * getprioritisedtransactions. Acceptance runs on the validation owner (MempoolManager::Submit).
 */
void RegisterMempoolSendRpc(RpcTable& table, mempool::MempoolManager& mm, RelayFn relay);

/** estimatesmartfee, estimaterawfee (node/rpc/fees.cpp). */
void RegisterFeeRpc(RpcTable& table, mempool::MempoolManager& mm);

/** Core's entryToJSON (getrawmempool verbose, getmempoolentry). */
Json MempoolEntryToJson(const mempool::TxMemPool& pool, const mempool::Entry& entry);
std::vector<RpcResult> MempoolEntryDoc();

} // namespace node::rpc
