#include "node/init.h"

#include "node/context.h"

#include "consensus/params.h"
#include "consensus/versionbits.h"
#include "net/connman.h"
#include "node/chain/chainstate.h"
#include "node/chain/validation_owner.h"
#include "node/index/tx_indexer.h"
#include "node/init_mempool.h"
#include "node/init_wallet.h"
#include "node/p2p/peer_manager.h"
#include "node/init_network.h"
#include "node/mempool/mempool_manager.h"
#include "node/rpc/mempool_rpc.h"
#include "node/http/auth.h"
#include "node/http/http_limits.h"
#include "node/http/http_options.h"
#include "node/http/http_server.h"
#include "node/rpc/register.h"
#include "common/rpc/server.h"
#include "util/args.h"
#include "util/crash_log.h"
#include "util/fs_util.h"
#include "util/logging.h"
#include "util/memory.h"
#include "util/version.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

namespace node {

namespace {

std::atomic<bool> g_shutdown{false};

/** The -dbcache floor (Core's MIN_DB_CACHE), in MiB. */
constexpr int64_t MIN_DBCACHE_MIB = 4;

extern "C" void HandleShutdownSignal(int) { g_shutdown = true; }

void InstallSignalHandlers()
{
    struct sigaction sa {};
    sa.sa_handler = HandleShutdownSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    // A vanished RPC client must not kill the daemon.
    signal(SIGPIPE, SIG_IGN);
}

void SetupDaemonArgs(util::ArgsManager& args)
{
    using util::ArgsManager;
    using util::OptionsCategory;
    util::SetupHelpOptions(args);
    util::SetupChainParamsOptions(args);
    util::SetupLoggingOptions(args);
    node::http::SetupRpcServerOptions(args);
    SetupNetworkOptions(args);
    SetupMempoolOptions(args);
    SetupWalletOptions(args);
    args.AddArg("-version", "Print version and exit", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-datadir=<dir>", "Specify data directory", ArgsManager::ALLOW_ANY | ArgsManager::DISALLOW_NEGATION,
                OptionsCategory::OPTIONS);
    args.AddArg(
        "-conf=<file>",
        "Specify path to read-only configuration file. Relative paths will be prefixed by datadir location (default: minicash.conf)",
        ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-daemon", "Run in the background as a daemon and accept commands (default: 0)", ArgsManager::ALLOW_ANY,
                OptionsCategory::OPTIONS);
    args.AddArg("-daemonwait",
                "Wait for initialization to be finished before exiting. This implies -daemon (default: 0)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-dbcache=<n>", "Maximum database cache size <n> MiB (minimum 4, default: 450)", ArgsManager::ALLOW_ANY,
                OptionsCategory::OPTIONS);
    args.AddArg(
        "-vbparams=deployment:start:end[:min_activation_height]",
        "Use given start/end times and min_activation_height for specified version bits deployment (regtest-only)",
        ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::CHAINPARAMS);
    args.AddArg("-dbbatchsize",
                "Maximum database write batch size in bytes (default: " +
                    std::to_string(CoinsViewDB::DEFAULT_BATCH_BYTES) + ")",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
    args.AddArg(
        "-par=<n>",
        "Set the number of script verification threads, the validating thread included (0 or less = one per core, "
        "at most 64, default: 0)",
        ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-reindex",
                "If enabled, wipe chain state and block index, and rebuild them from blk*.dat files on disk.",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-reindex-chainstate", "If enabled, wipe chain state, and rebuild it from blk*.dat files on disk.",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-loadblock=<file>", "Imports blocks from external file on startup", ArgsManager::ALLOW_ANY,
                OptionsCategory::OPTIONS);
    args.AddArg("-txindex", "Maintain a full transaction index, used by the getrawtransaction rpc call (default: 0)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
}

void PrintError(const std::string& msg) { std::fprintf(stderr, "Error: %s\n", msg.c_str()); }

} // namespace

bool InitParameterInteraction(NodeContext& node)
{
    util::ArgsManager& args = *node.args;
    std::string error;
    if (!args.ReadConfigFiles(error)) {
        PrintError(error);
        return false;
    }
    try {
        node.chain = args.GetChainType();
    } catch (const std::exception& e) {
        PrintError(e.what());
        return false;
    }
    args.SelectConfigNetwork(consensus::ChainTypeToString(node.chain));
    // Regtest's -vbparams (as Core) changes BIP-9 deployments: a copy that lives as long as the node.
    node.params = &consensus::Params(node.chain);
    if (node.chain == consensus::ChainType::REGTEST && args.IsArgSet("-vbparams")) {
        node.custom_params = *node.params;
        for (const std::string& spec : args.GetArgs("-vbparams")) {
            if (const std::string err = consensus::ApplyVersionBitsParameters(node.custom_params.consensus, spec);
                !err.empty()) {
                PrintError(err);
                return false;
            }
            const std::string name = spec.substr(0, spec.find(':'));
            for (size_t i = 0; i < consensus::MAX_VERSION_BITS_DEPLOYMENTS; ++i) {
                if (name != consensus::VERSION_BITS_DEPLOYMENT_INFO[i].name) continue;
                const consensus::Bip9Deployment& d = node.custom_params.consensus.deployments[i];
                node.vbparams_log.push_back("Setting version bits activation parameters for " + name + " to start=" +
                                            std::to_string(d.start_time) + ", timeout=" + std::to_string(d.timeout) +
                                            ", min_activation_height=" + std::to_string(d.min_activation_height));
            }
        }
        node.params = &node.custom_params;
    }
    return true;
}

bool InitDataDir(NodeContext& node)
{
    std::string error;
    if (!util::GetDataDirNet(*node.args, node.datadir_net, error)) {
        PrintError(error);
        return false;
    }
    std::error_code ec;
    std::filesystem::create_directories(node.datadir_net, ec);
    if (ec) {
        PrintError("Cannot create data directory " + node.datadir_net.string() + ": " + ec.message());
        return false;
    }
    node.log_path = util::AbsPathForConfigVal(node.datadir_net, node.args->GetArg("-debuglogfile", "debug.log"));
    return true;
}

bool InitCacheSizes(NodeContext& node)
{
    const util::ArgsManager& args = *node.args;
    // As Core's CalculateDbCacheBytes: a value below the minimum (4 MiB, negative included) is
    // raised to it, not refused; the clamp is logged once logging is up.
    node.dbcache_requested = args.GetIntArg("-dbcache", 450);
    node.dbcache_mib = std::max(node.dbcache_requested, MIN_DBCACHE_MIB);
    if (node.dbcache_mib > (1 << 20)) {
        PrintError("-dbcache must be at most 1048576 MiB");
        return false;
    }
    // As Core, 0 is allowed (a write per changed coin, for testing).
    node.dbbatchsize = args.GetIntArg("-dbbatchsize", static_cast<int64_t>(CoinsViewDB::DEFAULT_BATCH_BYTES));
    if (node.dbbatchsize < 0) {
        PrintError("-dbbatchsize must not be negative");
        return false;
    }
    return true;
}

std::optional<int> Daemonize(NodeContext& node)
{
    // -daemonwait implies -daemon; its parent waits on a pipe for the child's verdict on
    // start-up (a byte: 1 = started; 0 or end-of-file = failed), as Core's token pipe.
    const bool daemon_wait = node.args->GetBoolArg("-daemonwait", false);
    if (!node.args->GetBoolArg("-daemon", false) && !daemon_wait) return std::nullopt;
    std::printf("minicash server starting\n");
    std::fflush(stdout);
    int fds[2] = {-1, -1};
    if (daemon_wait && pipe(fds) != 0) {
        PrintError("pipe failed");
        return 1;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        PrintError("fork failed");
        return 1;
    }
    if (pid > 0) { // parent
        if (!daemon_wait) return 0;
        close(fds[1]);
        char token = 0;
        ssize_t n;
        do {
            n = read(fds[0], &token, 1);
        } while (n < 0 && errno == EINTR);
        close(fds[0]);
        if (n == 1 && token == 1) return 0;
        std::fprintf(stderr, "Error during initialization - check debug.log for details\n");
        return 1;
    }
    if (daemon_wait) {
        close(fds[0]);
        node.ready_fd = fds[1];
    }
    setsid();
    if (std::freopen("/dev/null", "r", stdin) == nullptr || std::freopen("/dev/null", "w", stdout) == nullptr ||
        std::freopen("/dev/null", "w", stderr) == nullptr) {
        return 1;
    }
    return std::nullopt;
}

bool InitLogging(NodeContext& node)
{
    const util::ArgsManager& args = *node.args;
    util::Logger& logger = util::GetLogger();
    std::string error;
    node.datadir_lock = util::LockDataDirectory(node.datadir_net, error);
    if (!node.datadir_lock) {
        PrintError(error);
        // A daemon has no terminal: the reason must reach its log (appending one line
        // next to the running node's is harmless).
        std::string log_error;
        if (!args.IsArgNegated("-debuglogfile") && logger.OpenDebugLog(node.log_path, log_error)) {
            util::LogPrintf("Error: %s", error.c_str());
            logger.Close();
        }
        return false;
    }
    if (!util::InitLoggingFromArgs(args, error)) {
        PrintError(error);
        return false;
    }
    if (!args.IsArgNegated("-debuglogfile") && !logger.OpenDebugLog(node.log_path, error)) {
        PrintError(error);
        return false;
    }
    InstallSignalHandlers();
    util::LogPrintf("minicash version v%s starting", util::FormatVersion().c_str());
    util::LogPrintf("Using data directory %s (chain %s)", node.datadir_net.string().c_str(),
                    consensus::ChainTypeToString(node.chain).c_str());
    for (const auto& w : args.GetConfigWarnings()) util::LogPrintf("Warning: %s", w.c_str());
    for (const auto& line : node.vbparams_log) util::LogPrintf("%s", line.c_str());
    if (node.dbcache_requested < MIN_DBCACHE_MIB) {
        util::LogPrintf("Warning: -dbcache=%lld is below the minimum of %lld MiB; using %lld MiB",
                        static_cast<long long>(node.dbcache_requested), static_cast<long long>(MIN_DBCACHE_MIB),
                        static_cast<long long>(MIN_DBCACHE_MIB));
    }
    return true;
}

bool InitResourceLimits(NodeContext& node)
{
    // File descriptors, as Core's AppInitParameterInteraction: raise the soft limit towards
    // what the node wants (never above the hard limit); MIN_CORE_FILEDESCRIPTORS stay for block
    // files, LevelDB and the log; P2P connections (-maxconnections, the addnode slots and the
    // listening sockets) come next, as Core gives them what is beyond its reserve, and RPC
    // connections are capped to what remains, so no client of either can make storing a block
    // fail with "Too many open files".
    const int p2p_wanted =
        static_cast<int>(std::clamp<int64_t>(node.args->GetIntArg("-maxconnections", 125), 0, 1 << 20)) +
        net::MAX_ADDNODE + 2;
    node.fd_available = util::RaiseFileDescriptorLimit(node::http::FileDescriptorsWanted(2) + p2p_wanted);
    if (node.fd_available < node::http::MIN_CORE_FILEDESCRIPTORS) {
        PrintError("Not enough file descriptors available.");
        util::LogPrintf("Error: Not enough file descriptors available. (%d, at least %d needed)", node.fd_available,
                        node::http::MIN_CORE_FILEDESCRIPTORS);
        return false;
    }
    // RPC keeps at least 16 (Core's -rpcworkqueue default) when the limit is tight.
    const int beyond_reserve = std::max(0, node.fd_available - node::http::MIN_CORE_FILEDESCRIPTORS);
    node.fd_p2p = std::clamp(beyond_reserve - std::min(beyond_reserve, 16), 0, p2p_wanted);
    return true;
}

bool InitRpc(NodeContext& node)
{
    const util::ArgsManager& args = *node.args;
    // RPC first, in warm-up, so clients can connect and wait (as Core).
    node.rpc_table = std::make_unique<rpc::RpcTable>();
    rpc::RpcTable& table = *node.rpc_table;
    table.SetLogPath(node.log_path);
    table.SetDocCheck(
        args.GetBoolArg("-rpcdoccheck", false)); // Core's debug check of results against their declarations
    table.SetShutdownCallback([] { g_shutdown = true; });
    table.SetWarmup(true, "Loading block index…");
    node.rpc_auth = std::make_unique<node::http::RpcAuthenticator>();
    node.cookie_path = node::http::GetAuthCookieFile(args, node.datadir_net);
    if (!args.GetBoolArg("-server", true)) return true;
    std::string error;
    node::http::HttpServerOptions http_options;
    std::vector<std::string> warnings;
    std::optional<node::http::PendingCookie> cookie;
    if (!node::http::HttpServerOptionsFromArgs(args, node.params->default_rpc_port, http_options, warnings, error) ||
        !node::http::InitRpcAuthentication(args, *node.rpc_auth, cookie, error)) {
        PrintError(error);
        return false;
    }
    for (const auto& w : warnings) util::LogPrintf("Warning: %s", w.c_str());
    http_options.max_connections =
        node::http::RpcConnectionLimit(node.fd_available - node.fd_p2p, static_cast<int>(http_options.bind.size()));
    util::LogPrintf("Using at most %d RPC connections (%d file descriptors available)", http_options.max_connections,
                    node.fd_available);
    node.http = std::make_unique<node::http::HttpRpcServer>(table, *node.rpc_auth);
    error = node.http->Start(http_options);
    // As Core (the HTTP server binds before StartHTTPRPC writes the cookie): only a node
    // that holds the port writes the cookie, so one that fails to bind leaves another
    // node's cookie alone.
    if (error.empty() && cookie && node::http::WriteAuthCookie(node.cookie_path, *cookie, error)) {
        node.cookie_written = true;
    }
    if (!error.empty()) {
        PrintError(error);
        node.http->Stop();
        return false;
    }
    return true;
}

bool InitChainstate(NodeContext& node)
{
    const util::ArgsManager& args = *node.args;
    chain::ChainstateOptions& copts = node.chainstate_options;
    copts.data_dir = node.datadir_net;
    copts.params = node.params;
    copts.dbcache_bytes = static_cast<size_t>(node.dbcache_mib) << 20;
    copts.coins_batch_bytes = static_cast<size_t>(node.dbbatchsize);
    // Core's AbortNode: a fatal storage error asks for the normal shutdown (exit code 1, in Shutdown).
    copts.on_fatal_error = [](const std::string&) { g_shutdown = true; };
    copts.par = static_cast<int>(args.GetIntArg("-par", 0));
    copts.reindex = args.GetBoolArg("-reindex", false);
    copts.reindex_chainstate = args.GetBoolArg("-reindex-chainstate", false);
    node.txindex_enabled = args.GetBoolArg("-txindex", false);
    util::LogPrintf("Opening the chainstate (dbcache %lld MiB%s%s)", static_cast<long long>(node.dbcache_mib),
                    copts.reindex ? ", reindex" : "", copts.reindex_chainstate ? ", reindex-chainstate" : "");
    std::string error;
    node.chainstate = chain::Chainstate::Open(copts, error);
    if (!node.chainstate) {
        PrintError(error);
        util::LogPrintf("Error: %s", error.c_str());
        return false;
    }
    // From here every chain write runs on the validation owner's thread.
    node.validation_owner = std::make_unique<chain::ValidationOwner>(*node.chainstate);
    return true;
}

bool InitIndexes(NodeContext& node)
{
    if (!node.txindex_enabled) return true;
    // The index follows the chain on its own thread (Core's BaseIndex); a -reindex
    // rebuilds it too.
    std::string error;
    node.index_source = std::make_unique<index::ChainstateBlockSource>(*node.chainstate);
    node.txindex = std::make_unique<index::TxIndexer>(*node.index_source);
    if (!node.txindex->Open(node.datadir_net / "indexes" / "txindex", node.chainstate_options.reindex, error)) {
        node.txindex.reset();
        node.index_source.reset();
        node.validation_owner.reset();
        node.chainstate.reset(); // as a chainstate that failed to open
        PrintError(error);
        util::LogPrintf("Error: %s", error.c_str());
        return false;
    }
    return true;
}

void InitRpcMethods(NodeContext& node)
{
    util::LogPrintf("Loaded chain: height %d, best block %s", node.chainstate->Height(),
                    node.chainstate->GetTipSnapshot().hash.GetHex().c_str());
    // Every subsystem registers its methods into the one table here: the chain's now, the
    // wallet's (wallet/rpc/, through the chain interface) and the P2P layer's later.
    rpc::RegisterChainRpcs(*node.rpc_table, *node.chainstate, *node.validation_owner, node.txindex.get(),
                           &node.mempool->Pool());
    rpc::RegisterMempoolRpc(*node.rpc_table, *node.mempool, node.datadir_net / "mempool.dat");
    rpc::RegisterFeeRpc(*node.rpc_table, *node.mempool);
    rpc::RegisterSchedulerRpc(*node.rpc_table, *node.scheduler, node.chain == consensus::ChainType::REGTEST);
    // sendrawtransaction announces through the P2P layer once it runs (InitNetwork, before warm-up ends).
    rpc::RegisterMempoolSendRpc(*node.rpc_table, *node.mempool, [&node](const consensus::TransactionRef& tx) {
        if (node.peerman) node.peerman->RelayTransaction(tx);
    });
}

void InitImport(NodeContext& node)
{
    const util::ArgsManager& args = *node.args;
    std::vector<std::filesystem::path> loadblock;
    for (const auto& f : args.GetArgs("-loadblock"))
        loadblock.push_back(util::AbsPathForConfigVal(node.datadir_net, f));
    const bool reindexing = node.chainstate_options.reindex;
    // As Core, warm-up ends before the catch-up (all of it on -reindex-chainstate): RPC
    // answers while the chain is rebuilt, in steps on the validation owner.
    if (!reindexing) node.rpc_table->SetWarmup(false);
    // As Core, the index starts syncing once an import or reindex is over (it is not
    // synced meanwhile), so it never indexes blocks on the import thread.
    if (reindexing || node.chainstate_options.reindex_chainstate || !loadblock.empty()) {
        // The import thread reads the files; every write goes to the owner, one at a time.
        node.import_thread = std::thread([&node, loadblock = std::move(loadblock), reindexing] {
            try {
                node.chainstate->ImportBlocks(loadblock, node.import_interrupt, node.validation_owner->Runner());
            } catch (const chain::OwnerStopped&) {
                return; // shutting down
            }
            if (reindexing) node.rpc_table->SetWarmup(false);
            util::LogPrintf("Import done: height %d", node.chainstate->Height());
            // As Core, the mempool is loaded once the chain is rebuilt (on the owner, as every pool write).
            try {
                node.validation_owner->Run([&node] { LoadMempoolOnOwner(node); });
            } catch (const chain::OwnerStopped&) {
                return;
            }
            if (node.txindex && !node.import_interrupt.load()) node.txindex->Start();
        });
    } else {
        // The blocks a crash left stored but not connected: caught up on the owner, in
        // steps; nobody waits, a failure is logged as the import thread's is.
        node.validation_owner->PostSteps(node.chainstate->ActivateBestChainSteps(),
                                         [&node](const consensus::ValidationResult& r) {
                                             if (!r.IsValid())
                                                 util::LogPrintf("ActivateBestChain: %s", r.ToString().c_str());
                                             LoadMempoolOnOwner(node); // after the catch-up, on the owner
                                         });
        if (node.txindex) node.txindex->Start();
    }
}

void NotifyStarted(NodeContext& node)
{
    util::LogPrintf("init message: Done loading");
    if (node.ready_fd >= 0) {
        const char token = 1;
        if (write(node.ready_fd, &token, 1) != 1) util::LogPrintf("Warning: could not notify the -daemonwait parent");
        close(node.ready_fd);
        node.ready_fd = -1;
    }
}

bool WaitForShutdown(NodeContext& node)
{
    auto last_flush = std::chrono::steady_clock::now();
    while (!g_shutdown.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (std::chrono::steady_clock::now() - last_flush > std::chrono::seconds(60)) {
            chain::Chainstate& cs = *node.chainstate;
            bool flushed = false;
            try {
                flushed = node.validation_owner->Submit([&cs] { return cs.FlushIfNeeded(); }).get();
            } catch (const chain::OwnerStopped&) {
                return true; // only Shutdown stops it
            }
            if (!flushed) {
                util::LogPrintf("Error: flushing to disk failed; shutting down");
                return false;
            }
            last_flush = std::chrono::steady_clock::now();
        }
    }
    return true;
}

bool Shutdown(NodeContext& node)
{
    bool ok = true;
    if (node.chainstate && node.chainstate->FatalErrorOccurred()) {
        // As Core's AbortNode: the details are in debug.log ("*** ..."), the exit code says it failed.
        PrintError("A fatal internal error occurred, see debug.log for details");
        ok = false;
    }
    util::LogPrintf("Shutdown: in progress...");
    // Stop what produces work first (import, RPC), then what follows the chain (indexes),
    // then flush and close the chain: the reverse of the start-up steps.
    node.import_interrupt = true;
    if (node.chainstate) node.chainstate->Interrupt();
    if (node.import_thread.joinable()) node.import_thread.join();
    if (node.http) node.http->Stop();
    // Then the network (after RPC, whose P2P methods use it): no more headers or blocks come in.
    StopNetwork(node);
    // The wallets stop following the chain (each write of theirs is already on disk).
    StopWallet(node);
    if (node.wallet_fatal) ok = false;
    // No more writers: the owner finishes its running step and cancels the rest (a
    // catch-up left unfinished goes on at the next start).
    if (node.validation_owner) node.validation_owner->Stop();
    // The indexes get the events still queued before they stop (Core's FlushBackgroundCallbacks).
    if (node.chainstate) node.chainstate->SyncWithNotifications();
    StopMempool(node); // mempool.dat, then the pool's chain listener goes
    if (node.txindex) node.txindex->Stop();
    if (node.chainstate && !node.chainstate->Flush()) {
        util::LogPrintf("Error: final flush failed");
        ok = false;
    }
    node.txindex.reset();
    node.index_source.reset();
    node.validation_owner.reset();
    node.chainstate.reset();
    if (node.cookie_written) node::http::DeleteAuthCookie(node.cookie_path);
    util::LogPrintf("Shutdown: done");
    util::GetLogger().Close();
    return ok;
}

int RunDaemon(int argc, char* argv[])
{
    // First: a crash at any later point leaves a line in debug.log (once it is open) and on stderr.
    util::InstallCrashHandlers();
    // As Core's SetupEnvironment: everything the node creates (data directory, blocks,
    // chainstate, debug.log, cookie) is private to its user, whatever the caller's umask.
    ::umask(0077);
    NodeContext node;
    node.args = std::make_unique<util::ArgsManager>();
    util::ArgsManager& args = *node.args;
    SetupDaemonArgs(args);
    std::string error;
    if (!args.ParseParameters(argc, argv, error)) {
        PrintError("Error parsing command line arguments: " + error);
        return 1;
    }
    if (util::HelpRequested(args)) {
        std::printf("minicash daemon\n\nUsage: minicashd [options]\n\n%s", args.GetHelpMessage().c_str());
        return 0;
    }
    if (args.IsArgSet("-version")) {
        std::printf("minicash daemon version v%s\nCopyright (C) 2026 The minicash developers (MIT license)\n",
                    util::FormatVersion().c_str());
        return 0;
    }
    // Steps before the log is open: a failure prints to stderr and exits.
    if (!InitParameterInteraction(node) || !InitDataDir(node) || !InitCacheSizes(node)) return 1;
    if (auto exit_code = Daemonize(node)) return *exit_code;
    if (!InitLogging(node) || !InitResourceLimits(node) || !InitRpc(node)) return 1;
    // From here a failure goes through Shutdown, which undoes whatever steps ran.
    // The periodic jobs' thread (Core's scheduler): the mempool and network steps add theirs.
    node.scheduler = std::make_unique<util::Scheduler>();
    node.scheduler->Start("scheduler");
    // Memory freed after a burst (a flood of relayed transactions, most refused or evicted)
    // stays resident in malloc's arenas: at a full 300 MB pool the process held ~700 MiB with
    // ~370 MB in use. Past 256 MiB resident but unused, the free pages go back. It costs:
    // malloc_trim holds each arena while it walks it (~370 ms for 243 MiB free here), so at
    // most every 2 minutes (docs/benchmarks.md, "getblocktemplate with a full 300 MB pool").
    node.scheduler->ScheduleEvery(
        [] {
            const auto start = std::chrono::steady_clock::now();
            if (const size_t unused = util::ReleaseFreeMemory(size_t{256} << 20)) {
                util::LogDebug(util::LogCategory::BENCH,
                               "- Returned free memory (%zu MiB resident unused) to the system: %.2fms\n", unused >> 20,
                               util::MillisSince(start));
            }
        },
        std::chrono::minutes(2));
    int exit_code = 0;
    if (InitChainstate(node) && InitIndexes(node) && InitMempool(node) && InitWallet(node, [] { g_shutdown = true; })) {
        InitRpcMethods(node);
        RegisterWalletMethods(node);
        // As Core, the network starts before warm-up ends (InitImport ends it), so its RPC
        // methods are there from the first call a script makes.
        if (InitNetwork(node)) {
            InitImport(node);
            NotifyStarted(node);
            if (!WaitForShutdown(node)) exit_code = 1;
        } else {
            exit_code = 1;
        }
    } else {
        exit_code = 1;
    }
    if (!Shutdown(node)) exit_code = 1;
    return exit_code;
}

} // namespace node
