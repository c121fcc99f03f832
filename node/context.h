// NodeContext: everything a running minicashd owns, in one place (Core's NodeContext). init.cpp's
// start-up steps fill it in order and Shutdown empties it in reverse; a new subsystem (P2P
// connection manager, mempool, wallet, metrics) adds a member here and a step in init.cpp.
#pragma once

#include "consensus/params.h"
#include "node/chain/chainstate.h"
#include "util/scheduler.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace common::rpc {
class RpcTable;
}
namespace util {
class ArgsManager;
class DirectoryLock;
} // namespace util

namespace common::interfaces {
class Chain;
}
namespace wallet {
class WalletContext;
}
namespace node {
namespace chain {
class ValidationOwner;
} // namespace chain
namespace http {
class HttpRpcServer;
class RpcAuthenticator;
} // namespace http
namespace index {
class ChainstateBlockSource;
class TxIndexer;
} // namespace index
namespace mempool {
class MempoolManager;
class RelayPool;
} // namespace mempool
namespace p2p {
class AddrRelay;
class PeerManager;
} // namespace p2p
} // namespace node
namespace net {
class AddrMan;
class ConnectionManager;
class BanMan;
} // namespace net
namespace node {

/**
 * The subsystems of one node and the settings they were started with. Owned by RunDaemon;
 * filled and emptied on the main thread only (the steps in init.cpp). Members are null until
 * their step ran and after Shutdown; a subsystem's own thread contract is on its class.
 */
struct NodeContext {
    NodeContext();
    ~NodeContext();
    NodeContext(const NodeContext&) = delete;
    NodeContext& operator=(const NodeContext&) = delete;

    // -- InitParameterInteraction / InitDataDir
    std::unique_ptr<util::ArgsManager> args;
    consensus::ChainType chain{consensus::ChainType::MAIN};
    /** The network's parameters: consensus::Params(chain), or custom_params with -vbparams. */
    const consensus::ChainParams* params{nullptr};
    consensus::ChainParams custom_params;
    std::vector<std::string> vbparams_log; //!< logged once logging is up
    std::filesystem::path datadir_net;
    std::filesystem::path log_path;
    int64_t dbcache_requested{0};
    int64_t dbcache_mib{0};
    int64_t dbbatchsize{0};
    /** -daemonwait's pipe to the parent; -1 when none (or once notified). */
    int ready_fd{-1};

    // -- InitLogging / InitResourceLimits
    std::unique_ptr<util::DirectoryLock> datadir_lock;
    int fd_available{0};
    /** Of those, the descriptors P2P may use (its connections, addnode slots, listening sockets); RPC gets the rest beyond the reserve. */
    int fd_p2p{0};

    // -- InitRpc (the table first, in warm-up; the HTTP server with -server)
    std::unique_ptr<common::rpc::RpcTable> rpc_table;
    std::unique_ptr<http::RpcAuthenticator> rpc_auth;
    std::unique_ptr<http::HttpRpcServer> http;
    std::filesystem::path cookie_path;
    bool cookie_written{false};

    // -- InitChainstate / InitIndexes
    chain::ChainstateOptions chainstate_options;
    std::unique_ptr<chain::Chainstate> chainstate;
    /**
     * The one thread that applies chain writes (RPC, import, later P2P hand it theirs).
     * Declared after chainstate so it goes first; Shutdown stops it explicitly, after the
     * HTTP server and the import thread, before the chainstate flushes and closes.
     */
    std::unique_ptr<chain::ValidationOwner> validation_owner;
    bool txindex_enabled{false};
    std::unique_ptr<index::ChainstateBlockSource> index_source;
    std::unique_ptr<index::TxIndexer> txindex;

    // -- InitImport
    std::atomic<bool> import_interrupt{false};
    std::thread import_thread;

    // -- InitNetwork (init_network.cpp): the connection manager and the message handler on it.
    // Shutdown stops it right after the HTTP server (its RPC methods use it), before the owner.
    std::unique_ptr<net::BanMan> banman;   // banlist.json; outlives connman, which refers to it
    std::unique_ptr<net::AddrMan> addrman; // loaded from / saved to <datadir>/<chain>/peers.dat
    std::unique_ptr<net::ConnectionManager> connman;
    std::unique_ptr<p2p::AddrRelay> addr_relay;
    std::unique_ptr<mempool::RelayPool> tx_pool; // the mempool as the peer manager sees it
    std::unique_ptr<p2p::PeerManager> peerman;

    // -- InitMempool (init_mempool.cpp): the pool and its acceptance, a SYNC chain listener.
    // Loaded from mempool.dat after the start-up catch-up (mempool_loaded then true), saved
    // at shutdown before the owner stops; destroyed after the owner, before the chainstate.
    std::unique_ptr<mempool::MempoolManager> mempool;
    std::atomic<bool> mempool_load_tried{false};
    // The periodic jobs (Core's scheduler): fee_estimates.dat every hour (InitMempool), the
    // unbroadcast re-announcement (InitNetwork). Started before the init steps, stopped by
    // StopNetwork (or StopMempool) before what its tasks use goes.
    std::unique_ptr<util::Scheduler> scheduler;

    // -- InitWallet (init_wallet.cpp): the wallets, following the chain through wallet_chain.
    // Unloaded after RPC and the network stop, before the mempool and the chain go.
    std::unique_ptr<common::interfaces::Chain> wallet_chain;
    std::unique_ptr<wallet::WalletContext> wallets;
    /** A wallet could not write its database: the node stops and exits with an error. */
    std::atomic<bool> wallet_fatal{false};

    // Later: a metrics page gets a member here and an Init… step (and a Shutdown step) in init.cpp.
};

} // namespace node
