#include "node/init.h"

#include "consensus/params.h"
#include "node/chain/chainstate.h"
#include "node/rpc/auth.h"
#include "node/rpc/http_options.h"
#include "node/rpc/http_server.h"
#include "node/rpc/register.h"
#include "node/rpc/server.h"
#include "node/util/args.h"
#include "node/util/crash_log.h"
#include "node/util/fs_util.h"
#include "node/util/logging.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>
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
    rpc::SetupRpcServerOptions(args);
    args.AddArg("-version", "Print version and exit", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-datadir=<dir>", "Specify data directory", ArgsManager::ALLOW_ANY | ArgsManager::DISALLOW_NEGATION,
                OptionsCategory::OPTIONS);
    args.AddArg("-conf=<file>", "Specify path to read-only configuration file. Relative paths will be prefixed by datadir location (default: minicash.conf)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-daemon", "Run in the background as a daemon and accept commands (default: 0)", ArgsManager::ALLOW_ANY,
                OptionsCategory::OPTIONS);
    args.AddArg("-dbcache=<n>", "Maximum database cache size <n> MiB (minimum 4, default: 450)", ArgsManager::ALLOW_ANY,
                OptionsCategory::OPTIONS);
    args.AddArg("-dbbatchsize",
                "Maximum database write batch size in bytes (default: " + std::to_string(CoinsViewDB::DEFAULT_BATCH_BYTES) + ")",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-par=<n>", "Set the number of script verification threads (0 = auto, up to 15, <0 = leave that many cores free, default: 0)",
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
        std::printf("minicash daemon version 0.1.0\nCopyright (C) 2026 The minicash developers (MIT license)\n");
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
    const consensus::ChainParams& params = consensus::Params(chain);

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
    const int64_t dbcache_mib = args.GetIntArg("-dbcache", 450);
    if (dbcache_mib < 4 || dbcache_mib > (1 << 20)) {
        PrintError("-dbcache must be between 4 and 1048576 MiB");
        return 1;
    }
    // As Core, 0 is allowed (a write per changed coin, for testing).
    const int64_t dbbatchsize = args.GetIntArg("-dbbatchsize", static_cast<int64_t>(CoinsViewDB::DEFAULT_BATCH_BYTES));
    if (dbbatchsize < 0) {
        PrintError("-dbbatchsize must not be negative");
        return 1;
    }

    if (args.GetBoolArg("-daemon", false)) {
        std::printf("minicash server starting\n");
        std::fflush(stdout);
        const pid_t pid = fork();
        if (pid < 0) {
            PrintError("fork failed");
            return 1;
        }
        if (pid > 0) return 0; // parent
        setsid();
        if (std::freopen("/dev/null", "r", stdin) == nullptr ||
            std::freopen("/dev/null", "w", stdout) == nullptr || std::freopen("/dev/null", "w", stderr) == nullptr) {
            return 1;
        }
    }

    auto lock = util::LockDataDirectory(datadir_net, error);
    if (!lock) {
        PrintError(error);
        return 1;
    }
    if (!util::InitLoggingFromArgs(args, error)) {
        PrintError(error);
        return 1;
    }
    util::Logger& logger = util::GetLogger();
    const std::filesystem::path log_path =
        util::AbsPathForConfigVal(datadir_net, args.GetArg("-debuglogfile", "debug.log"));
    if (!args.IsArgNegated("-debuglogfile") && !logger.OpenDebugLog(log_path, error)) {
        PrintError(error);
        return 1;
    }
    InstallSignalHandlers();
    util::LogPrintf("minicash version 0.1.0 starting");
    util::LogPrintf("Using data directory %s (chain %s)", datadir_net.string().c_str(),
                    consensus::ChainTypeToString(chain).c_str());
    for (const auto& w : args.GetConfigWarnings()) util::LogPrintf("Warning: %s", w.c_str());

    // RPC first, in warm-up, so clients can connect and wait (as Core).
    rpc::RpcTable table;
    table.SetLogPath(log_path);
    table.SetShutdownCallback([] { g_shutdown = true; });
    table.SetWarmup(true, "Loading block index…");
    rpc::RpcAuthenticator auth;
    bool cookie_written = false;
    const std::filesystem::path cookie_path = rpc::GetAuthCookieFile(args, datadir_net);
    std::unique_ptr<rpc::HttpRpcServer> http;
    if (args.GetBoolArg("-server", true)) {
        if (!rpc::InitRpcAuthentication(args, cookie_path, auth, cookie_written, error)) {
            PrintError(error);
            return 1;
        }
        rpc::HttpServerOptions http_options;
        std::vector<std::string> warnings;
        if (!rpc::HttpServerOptionsFromArgs(args, params.default_rpc_port, http_options, warnings, error)) {
            PrintError(error);
            if (cookie_written) rpc::DeleteAuthCookie(cookie_path);
            return 1;
        }
        for (const auto& w : warnings) util::LogPrintf("Warning: %s", w.c_str());
        http = std::make_unique<rpc::HttpRpcServer>(table, auth);
        error = http->Start(http_options);
        if (!error.empty()) {
            PrintError(error);
            if (cookie_written) rpc::DeleteAuthCookie(cookie_path);
            return 1;
        }
    }

    chain::ChainstateOptions copts;
    copts.data_dir = datadir_net;
    copts.params = &params;
    copts.dbcache_bytes = static_cast<size_t>(dbcache_mib) << 20;
    copts.coins_batch_bytes = static_cast<size_t>(dbbatchsize);
    copts.par = static_cast<int>(args.GetIntArg("-par", 0));
    copts.reindex = args.GetBoolArg("-reindex", false);
    copts.reindex_chainstate = args.GetBoolArg("-reindex-chainstate", false);
    copts.txindex = args.GetBoolArg("-txindex", false);
    util::LogPrintf("Opening the chainstate (dbcache %lld MiB%s%s)", static_cast<long long>(dbcache_mib),
                    copts.reindex ? ", reindex" : "", copts.reindex_chainstate ? ", reindex-chainstate" : "");
    std::unique_ptr<chain::Chainstate> chainstate = chain::Chainstate::Open(copts, error);
    int exit_code = 0;
    std::atomic<bool> import_interrupt{false};
    std::thread import_thread;
    if (!chainstate) {
        PrintError(error);
        util::LogPrintf("Error: %s", error.c_str());
        exit_code = 1;
    } else {
        util::LogPrintf("Loaded chain: height %d, best block %s", chainstate->Height(),
                        chainstate->GetTipSnapshot().hash.GetHex().c_str());
        rpc::RegisterChainRpcs(table, *chainstate);
        std::vector<std::filesystem::path> loadblock;
        for (const auto& f : args.GetArgs("-loadblock")) loadblock.push_back(util::AbsPathForConfigVal(datadir_net, f));
        const bool reindexing = copts.reindex;
        if (!reindexing) table.SetWarmup(false);
        if (reindexing || copts.reindex_chainstate || !loadblock.empty()) {
            import_thread = std::thread([&, reindexing] {
                chainstate->ImportBlocks(loadblock, import_interrupt);
                if (reindexing) table.SetWarmup(false);
                util::LogPrintf("Import done: height %d", chainstate->Height());
            });
        }
        util::LogPrintf("init message: Done loading");
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

    util::LogPrintf("Shutdown: in progress...");
    import_interrupt = true;
    if (chainstate) chainstate->Interrupt();
    if (import_thread.joinable()) import_thread.join();
    if (http) http->Stop();
    if (chainstate && !chainstate->Flush()) {
        util::LogPrintf("Error: final flush failed");
        exit_code = 1;
    }
    chainstate.reset();
    if (cookie_written) rpc::DeleteAuthCookie(cookie_path);
    util::LogPrintf("Shutdown: done");
    logger.Close();
    return exit_code;
}

} // namespace node
