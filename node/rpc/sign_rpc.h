// Shared by the signing and PSBT RPC methods: spent coins from the mempool and the UTXO set,
// the prevtxs argument, the sighashtype argument, and signrawtransactionwithkey's result.
#pragma once

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

/** Core's ParseSighashString: null is SIGHASH_DEFAULT; RPC_INVALID_PARAMETER "'x' is not a valid sighash parameter.". */
int ParseSighashParam(const common::rpc::Json& value);

/**
 * Core's ParsePrevouts: adds the prevtxs entries to coins (amount MAX_MONEY when not given)
 * and, with a keystore, their redeem/witness scripts, with Core's checks and errors.
 */
void ParsePrevouts(const common::rpc::Json& prevtxs, common::FlatSigningProvider* keystore,
                   std::map<consensus::OutPoint, consensus::Coin>& coins);

/** Core's SignTransactionResultToJSON: {hex, complete, errors?}; "Missing amount" throws RPC_TYPE_ERROR. */
common::rpc::Json SignResultToJson(const consensus::MutableTransaction& tx, bool complete,
                                   const std::map<consensus::OutPoint, consensus::Coin>& coins,
                                   const std::map<int, std::string>& input_errors);

/** The declared result of signrawtransactionwithkey (and the wallet's signrawtransactionwithwallet). */
std::vector<common::rpc::RpcResult> SignResultDoc();

/**
 * createrawtransaction's transaction from its positional params (inputs, outputs, locktime,
 * replaceable, version) with Core's checks and errors (node/rpc/rawtransaction.cpp).
 */
consensus::MutableTransaction ConstructRawTransaction(const common::rpc::Json& params,
                                                      const consensus::ChainParams& chain_params);

/** signrawtransactionwithkey (called by RegisterRawTransactionRpc). */
void RegisterSignRpc(common::rpc::RpcTable& table, const chain::Chainstate& cs, const mempool::TxMemPool* pool);

/**
 * decodepsbt, combinepsbt, finalizepsbt, createpsbt, converttopsbt, utxoupdatepsbt, joinpsbts
 * (node/rpc/psbt_rpc.cpp; called by RegisterRawTransactionRpc).
 */
void RegisterPsbtRpc(common::rpc::RpcTable& table, const chain::Chainstate& cs, const mempool::TxMemPool* pool);

} // namespace node::rpc
