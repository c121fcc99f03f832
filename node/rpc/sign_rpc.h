// Shared by the signing and PSBT RPC methods: spent coins from the mempool and the UTXO set,
// the prevtxs argument, the sighashtype argument, and signrawtransactionwithkey's result.
#pragma once

#include "common/rpc/rawtx.h"
#include "common/rpc/server.h"
#include "common/signing_provider.h"
#include "consensus/coins.h"
#include "consensus/primitives/transaction.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace consensus {
struct ChainParams;
}
namespace node::chain {
class Chainstate;
}
namespace node::mempool {
class TxMemPool;
}

namespace node::rpc {

/** The output outpoint spends: a mempool transaction's (pool may be null), else the UTXO set's (Core's FindCoins). */
std::optional<consensus::Coin> FindSpentCoin(const chain::Chainstate& cs, const mempool::TxMemPool* pool,
                                             const consensus::OutPoint& outpoint);

/** signrawtransactionwithkey (called by RegisterRawTransactionRpc). */
void RegisterSignRpc(common::rpc::RpcTable& table, const chain::Chainstate& cs, const mempool::TxMemPool* pool);

/**
 * decodepsbt, combinepsbt, finalizepsbt, createpsbt, converttopsbt, utxoupdatepsbt, joinpsbts
 * (node/rpc/psbt_rpc.cpp; called by RegisterRawTransactionRpc).
 */
void RegisterPsbtRpc(common::rpc::RpcTable& table, const chain::Chainstate& cs, const mempool::TxMemPool* pool);

/** descriptorprocesspsbt (node/rpc/psbt_descriptor.cpp; called by RegisterRawTransactionRpc). */
void RegisterDescriptorPsbtRpc(common::rpc::RpcTable& table, const chain::Chainstate& cs,
                               const mempool::TxMemPool* pool);

} // namespace node::rpc
