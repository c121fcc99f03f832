// Registration of the node's chain RPC methods (Bitcoin Core's blockchain, mining and
// rawtransactions categories) into an RpcTable. Each handler keeps a reference to the
// chainstate (and the writers to the validation owner): they must outlive the table's use
// of the methods. Handlers run on RPC worker threads: they read through the chainstate's
// public reader API and hand every chain write to the validation owner, waiting on its
// future (node/rpc/owner_call.h).
#pragma once

#include "common/rpc/server.h"

namespace util {
class Scheduler;
}
namespace net {
class ConnectionManager;
}
namespace node::chain {
class Chainstate;
class ValidationOwner;
} // namespace node::chain
namespace node::mempool {
class TxMemPool;
} // namespace node::mempool
namespace node::index {
class TxIndexer;
} // namespace node::index

namespace node::rpc {

// The node's methods speak the framework's vocabulary (common/rpc: Json, RpcTable, RpcError,
// the parameter helpers) and use the address and descriptor helpers (common/) unqualified.
using namespace common::rpc;
using namespace common;

/**
 * getblockchaininfo, getblockcount, getbestblockhash, getblockhash, getblock,
 * getblockheader, getchaintips, getdifficulty, gettxout, gettxoutsetinfo, invalidateblock,
 * reconsiderblock, waitfornewblock, waitforblock, waitforblockheight.
 */
void RegisterBlockchainRpc(RpcTable& table, chain::Chainstate& chainstate, chain::ValidationOwner& owner,
                           const mempool::TxMemPool* pool = nullptr);

/**
 * With pool (nullptr: none), templates and generate* take the pool's best transactions.
 * getmininginfo, getnetworkhashps, getblocktemplate, submitblock, submitheader,
 * generatetoaddress, generatetodescriptor, generateblock.
 */
void RegisterMiningRpc(RpcTable& table, chain::Chainstate& chainstate, chain::ValidationOwner& owner,
                       const mempool::TxMemPool* pool = nullptr);

/**
 * getrawtransaction, decoderawtransaction, decodescript, createrawtransaction, and
 * signrawtransactionwithkey (node/rpc/sign_rpc.cpp), and the PSBT methods (node/rpc/psbt_rpc.cpp).
 * txindex (nullptr without -txindex) must outlive the table's use of the methods.
 */
void RegisterRawTransactionRpc(RpcTable& table, chain::Chainstate& chainstate, index::TxIndexer* txindex = nullptr,
                               const mempool::TxMemPool* pool = nullptr);

/** getdeploymentinfo, getchaintxstats, getblockstats, verifychain (node/rpc/chain_stats.cpp). */
void RegisterChainStatsRpc(RpcTable& table, chain::Chainstate& chainstate);

/** validateaddress, verifymessage, signmessagewithprivkey, getdescriptorinfo, deriveaddresses (Core's "util" category; node/rpc/output_script.cpp). */
void RegisterOutputScriptRpc(RpcTable& table, chain::Chainstate& chainstate);

/** scantxoutset (start / abort / status over a snapshot of the UTXO set). */
void RegisterScanTxOutSetRpc(RpcTable& table, chain::Chainstate& chainstate);

/** getindexinfo (Core's "util" category); txindex may be nullptr (no index running). */
void RegisterIndexRpc(RpcTable& table, const index::TxIndexer* txindex);

/** getnetworkinfo (Core's "network" category: node/rpc/net_info.cpp); registered with the P2P methods. */
void RegisterNetInfoRpc(RpcTable& table, const net::ConnectionManager& connman);

/** setban, listbanned, clearbanned, setnetworkactive (node/rpc/net_ban.cpp); registered with the P2P methods. */
void RegisterNetBanRpc(RpcTable& table, net::ConnectionManager& connman);
/** getaddednodeinfo (node/rpc/net_added.cpp); registered with the P2P methods. */
void RegisterAddedNodeRpc(RpcTable& table, const net::ConnectionManager& connman);

/** mockscheduler (hidden; refused unless mockable, i.e. on regtest): scheduler runs its tasks sooner. */
void RegisterSchedulerRpc(RpcTable& table, util::Scheduler& scheduler, bool mockable);

/** All of the above. */
void RegisterChainRpcs(RpcTable& table, chain::Chainstate& chainstate, chain::ValidationOwner& owner,
                       index::TxIndexer* txindex = nullptr, const mempool::TxMemPool* pool = nullptr);

} // namespace node::rpc
