#include "node/init.h"

#include "consensus/params.h"
#include "consensus/versionbits.h"
#include "node/chain/chainstate.h"
#include "node/index/tx_indexer.h"
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
#include "util/version.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

namespace node {

namespace {

std::atomic<bool> g_shutdown{false};

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
    args.AddArg("-version", "Print version and exit", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-datadir=<dir>", "Specify data directory", ArgsManager::ALLOW_ANY | ArgsManager::DISALLOW_NEGATION,
                OptionsCategory::OPTIONS);
    args.AddArg("-conf=<file>", "Specify path to read-only configuration file. Relative paths will be prefixed by datadir location (default: minicash.conf)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-daemon", "Run in the background as a daemon and accept commands (default: 0)", ArgsManager::ALLOW_ANY,
                OptionsCategory::OPTIONS);
    args.AddArg("-daemonwait", "Wait for initialization to be finished before exiting. This implies -daemon (default: 0)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-dbcache=<n>", "Maximum database cache size <n> MiB (minimum 4, default: 450)", ArgsManager::ALLOW_ANY,
                OptionsCategory::OPTIONS);
    args.AddArg("-vbparams=deployment:start:end[:min_activation_height]",
                "Use given start/end times and min_activation_height for specified version bits deployment (regtest-only)",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::CHAINPARAMS);
    args.AddArg("-dbbatchsize",
                "Maximum database write batch size in bytes (default: " + std::to_string(CoinsViewDB::DEFAULT_BATCH_BYTES) + ")",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-par=<n>", "Set the number of script verification threads, the validating thread included (0 or less = one per core, "
                "at most 64, default: 0)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-reindex", "If enabled, wipe chain state and block index, and rebuild them from blk*.dat files on disk.",
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

int RunDaemon(int argc, char* argv[])
{
    // First: a crash at any later point leaves a line in debug.log (once it is open) and on stderr.
    util::InstallCrashHandlers();
    // As Core's SetupEnvironment: everything the node creates (data directory, blocks,
    // chainstate, debug.log, cookie) is private to its user, whatever the caller's umask.
    ::umask(0077);
    util::ArgsManager args;
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
    if (!args.ReadConfigFiles(error)) {
        PrintError(error);
        return 1;
    }
    consensus::ChainType chain;
    try {
        chain = args.GetChainType();
    } catch (const std::exception& e) {
        PrintError(e.what());
        return 1;
    }
    args.SelectConfigNetwork(consensus::ChainTypeToString(chain));
    // Regtest's -vbparams (as Core) changes BIP-9 deployments: a copy that lives as long as the node.
    static consensus::ChainParams custom_params;
    const consensus::ChainParams* params_ptr = &consensus::Params(chain);
    std::vector<std::string> vbparams_log;
    if (chain == consensus::ChainType::REGTEST && args.IsArgSet("-vbparams")) {
        custom_params = *params_ptr;
        for (const std::string& spec : args.GetArgs("-vbparams")) {
            if (const std::string err = consensus::ApplyVersionBitsParameters(custom_params.consensus, spec); !err.empty()) {
                PrintError(err);
                return 1;
            }
            const std::string name = spec.substr(0, spec.find(':'));
            for (size_t i = 0; i < consensus::MAX_VERSION_BITS_DEPLOYMENTS; ++i) {
                if (name != consensus::VERSION_BITS_DEPLOYMENT_INFO[i].name) continue;
                const consensus::Bip9Deployment& d = custom_params.consensus.deployments[i];
                vbparams_log.push_back("Setting version bits activation parameters for " + name + " to start=" +
                                       std::to_string(d.start_time) + ", timeout=" + std::to_string(d.timeout) +
                                       ", min_activation_height=" + std::to_string(d.min_activation_height));
            }
        }
        params_ptr = &custom_params;
    }
    const consensus::ChainParams& params = *params_ptr;

    std::filesystem::path datadir_net;
    if (!util::GetDataDirNet(args, datadir_net, error)) {
        PrintError(error);
        return 1;
    }
    std::error_code ec;
    std::filesystem::create_directories(datadir_net, ec);
    if (ec) {
        PrintError("Cannot create data directory " + datadir_net.string() + ": " + ec.message());
        return 1;
    }
    // As Core's CalculateDbCacheBytes: a value below the minimum (4 MiB, negative included) is
    // raised to it, not refused; the clamp is logged once logging is up.
    constexpr int64_t MIN_DBCACHE_MIB = 4;
    const int64_t dbcache_requested = args.GetIntArg("-dbcache", 450);
    const int64_t dbcache_mib = std::max(dbcache_requested, MIN_DBCACHE_MIB);
    if (dbcache_mib > (1 << 20)) {
        PrintError("-dbcache must be at most 1048576 MiB");
        return 1;
    }
    // As Core, 0 is allowed (a write per changed coin, for testing).
    const int64_t dbbatchsize = args.GetIntArg("-dbbatchsize", static_cast<int64_t>(CoinsViewDB::DEFAULT_BATCH_BYTES));
    if (dbbatchsize < 0) {
        PrintError("-dbbatchsize must not be negative");
        return 1;
    }

    // -daemonwait implies -daemon; its parent waits on a pipe for the child's verdict on
    // start-up (a byte: 1 = started; 0 or end-of-file = failed), as Core's token pipe.
    const bool daemon_wait = args.GetBoolArg("-daemonwait", false);
    int ready_fd = -1;
    if (args.GetBoolArg("-daemon", false) || daemon_wait) {
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
            ready_fd = fds[1];
        }
        setsid();
        if (std::freopen("/dev/null", "r", stdin) == nullptr ||
            std::freopen("/dev/null", "w", stdout) == nullptr || std::freopen("/dev/null", "w", stderr) == nullptr) {
            return 1;
        }
    }
    const std::filesystem::path log_path =
        util::AbsPathForConfigVal(datadir_net, args.GetArg("-debuglogfile", "debug.log"));

    util::Logger& logger = util::GetLogger();
    auto lock = util::LockDataDirectory(datadir_net, error);
    if (!lock) {
        PrintError(error);
        // A daemon has no terminal: the reason must reach its log (appending one line
        // next to the running node's is harmless).
        std::string log_error;
        if (!args.IsArgNegated("-debuglogfile") && logger.OpenDebugLog(log_path, log_error)) {
            util::LogPrintf("Error: %s", error.c_str());
            logger.Close();
        }
        return 1;
    }
    if (!util::InitLoggingFromArgs(args, error)) {
        PrintError(error);
        return 1;
    }
    if (!args.IsArgNegated("-debuglogfile") && !logger.OpenDebugLog(log_path, error)) {
        PrintError(error);
        return 1;
    }
    InstallSignalHandlers();
    util::LogPrintf("minicash version v%s starting", util::FormatVersion().c_str());
    util::LogPrintf("Using data directory %s (chain %s)", datadir_net.string().c_str(),
                    consensus::ChainTypeToString(chain).c_str());
    for (const auto& w : args.GetConfigWarnings()) util::LogPrintf("Warning: %s", w.c_str());
    for (const auto& line : vbparams_log) util::LogPrintf("%s", line.c_str());
    if (dbcache_requested < MIN_DBCACHE_MIB) {
        util::LogPrintf("Warning: -dbcache=%lld is below the minimum of %lld MiB; using %lld MiB",
                        static_cast<long long>(dbcache_requested), static_cast<long long>(MIN_DBCACHE_MIB),
                        static_cast<long long>(MIN_DBCACHE_MIB));
    }

    // File descriptors, as Core's AppInitParameterInteraction: raise the soft limit towards
    // what the node wants (never above the hard limit); MIN_CORE_FILEDESCRIPTORS stay for block
    // files, LevelDB and the log, and RPC connections are capped to what remains, so no RPC
    // client can make storing a block fail with "Too many open files".
    const int fd_available = util::RaiseFileDescriptorLimit(node::http::FileDescriptorsWanted(2));
    if (fd_available < node::http::MIN_CORE_FILEDESCRIPTORS) {
        PrintError("Not enough file descriptors available.");
        util::LogPrintf("Error: Not enough file descriptors available. (%d, at least %d needed)", fd_available,
                        node::http::MIN_CORE_FILEDESCRIPTORS);
        return 1;
    }

    // RPC first, in warm-up, so clients can connect and wait (as Core).
    rpc::RpcTable table;
    table.SetLogPath(log_path);
    table.SetDocCheck(args.GetBoolArg("-rpcdoccheck", false)); // Core's debug check of results against their declarations
    table.SetShutdownCallback([] { g_shutdown = true; });
    table.SetWarmup(true, "Loading block index…");
    node::http::RpcAuthenticator auth;
    bool cookie_written = false;
    const std::filesystem::path cookie_path = node::http::GetAuthCookieFile(args, datadir_net);
    std::unique_ptr<node::http::HttpRpcServer> http;
    if (args.GetBoolArg("-server", true)) {
        node::http::HttpServerOptions http_options;
        std::vector<std::string> warnings;
        std::optional<node::http::PendingCookie> cookie;
        if (!node::http::HttpServerOptionsFromArgs(args, params.default_rpc_port, http_options, warnings, error) ||
            !node::http::InitRpcAuthentication(args, auth, cookie, error)) {
            PrintError(error);
            return 1;
        }
        for (const auto& w : warnings) util::LogPrintf("Warning: %s", w.c_str());
        http_options.max_connections = node::http::RpcConnectionLimit(fd_available, static_cast<int>(http_options.bind.size()));
        util::LogPrintf("Using at most %d RPC connections (%d file descriptors available)", http_options.max_connections,
                        fd_available);
        http = std::make_unique<node::http::HttpRpcServer>(table, auth);
        error = http->Start(http_options);
        // As Core (the HTTP server binds before StartHTTPRPC writes the cookie): only a node
        // that holds the port writes the cookie, so one that fails to bind leaves another
        // node's cookie alone.
        if (error.empty() && cookie && node::http::WriteAuthCookie(cookie_path, *cookie, error)) cookie_written = true;
        if (!error.empty()) {
            PrintError(error);
            http->Stop();
            return 1;
        }
    }

    chain::ChainstateOptions copts;
    copts.data_dir = datadir_net;
    copts.params = &params;
    copts.dbcache_bytes = static_cast<size_t>(dbcache_mib) << 20;
    copts.coins_batch_bytes = static_cast<size_t>(dbbatchsize);
    // Core's AbortNode: a fatal storage error asks for the normal shutdown (exit code 1, below).
    copts.on_fatal_error = [](const std::string&) { g_shutdown = true; };
    copts.par = static_cast<int>(args.GetIntArg("-par", 0));
    copts.reindex = args.GetBoolArg("-reindex", false);
    copts.reindex_chainstate = args.GetBoolArg("-reindex-chainstate", false);
    const bool txindex_enabled = args.GetBoolArg("-txindex", false);
    util::LogPrintf("Opening the chainstate (dbcache %lld MiB%s%s)", static_cast<long long>(dbcache_mib),
                    copts.reindex ? ", reindex" : "", copts.reindex_chainstate ? ", reindex-chainstate" : "");
    std::unique_ptr<chain::Chainstate> chainstate = chain::Chainstate::Open(copts, error);
    int exit_code = 0;
    std::atomic<bool> import_interrupt{false};
    std::thread import_thread;
    std::unique_ptr<index::ChainstateBlockSource> index_source;
    std::unique_ptr<index::TxIndexer> txindex;
    if (chainstate && txindex_enabled) {
        // The index follows the chain on its own thread (Core's BaseIndex); a -reindex
        // rebuilds it too.
        index_source = std::make_unique<index::ChainstateBlockSource>(*chainstate);
        txindex = std::make_unique<index::TxIndexer>(*index_source);
        if (!txindex->Open(datadir_net / "indexes" / "txindex", copts.reindex, error)) {
            txindex.reset();
            chainstate.reset(); // reported below

        }
    }
    if (!chainstate) {
        PrintError(error);
        util::LogPrintf("Error: %s", error.c_str());
        exit_code = 1;
    } else {
        util::LogPrintf("Loaded chain: height %d, best block %s", chainstate->Height(),
                        chainstate->GetTipSnapshot().hash.GetHex().c_str());
        rpc::RegisterChainRpcs(table, *chainstate, txindex.get());
        std::vector<std::filesystem::path> loadblock;
        for (const auto& f : args.GetArgs("-loadblock")) loadblock.push_back(util::AbsPathForConfigVal(datadir_net, f));
        const bool reindexing = copts.reindex;
        if (!reindexing) table.SetWarmup(false);
        // As Core, the index starts syncing once an import or reindex is over (it is not
        // synced meanwhile), so it never indexes blocks on the import thread.
        if (reindexing || copts.reindex_chainstate || !loadblock.empty()) {
            import_thread = std::thread([&, reindexing] {
                chainstate->ImportBlocks(loadblock, import_interrupt);
                if (reindexing) table.SetWarmup(false);
                util::LogPrintf("Import done: height %d", chainstate->Height());
                if (txindex && !import_interrupt.load()) txindex->Start();
            });
        } else if (txindex) {
            txindex->Start();
        }
        util::LogPrintf("init message: Done loading");
        if (ready_fd >= 0) {
            const char token = 1;
            if (write(ready_fd, &token, 1) != 1) util::LogPrintf("Warning: could not notify the -daemonwait parent");
            close(ready_fd);
            ready_fd = -1;
        }
        auto last_flush = std::chrono::steady_clock::now();
        while (!g_shutdown.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (std::chrono::steady_clock::now() - last_flush > std::chrono::seconds(60)) {
                if (!chainstate->FlushIfNeeded()) {
                    util::LogPrintf("Error: flushing to disk failed; shutting down");
                    exit_code = 1;
                    break;
                }
                last_flush = std::chrono::steady_clock::now();
            }
        }
    }

    if (chainstate && chainstate->FatalErrorOccurred()) {
        // As Core's AbortNode: the details are in debug.log ("*** ..."), the exit code says it failed.
        PrintError("A fatal internal error occurred, see debug.log for details");
        exit_code = 1;
    }
    util::LogPrintf("Shutdown: in progress...");
    import_interrupt = true;
    if (chainstate) chainstate->Interrupt();
    if (import_thread.joinable()) import_thread.join();
    if (http) http->Stop();
    if (txindex) txindex->Stop();
    if (chainstate && !chainstate->Flush()) {
        util::LogPrintf("Error: final flush failed");
        exit_code = 1;
    }
    txindex.reset();
    index_source.reset();
    chainstate.reset();
    if (cookie_written) node::http::DeleteAuthCookie(cookie_path);
    util::LogPrintf("Shutdown: done");
    logger.Close();
    return exit_code;
}

} // namespace node
