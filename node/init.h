// Node start-up and shut-down: the one place that wires args, logging, the datadir lock,
// the chainstate, the RPC server and the import thread together (minicashd's main). Each
// subsystem has a start-up step that fills its part of the NodeContext, called in this
// order by RunDaemon, and Shutdown undoes them in reverse. All run on the main thread; each
// returns false after printing (and, once the log is open, logging) its error.
#pragma once

#include <optional>

namespace node {

struct NodeContext;

/** Reads the conf files, selects the chain and applies regtest's -vbparams. */
bool InitParameterInteraction(NodeContext& node);
/** Resolves and creates the network's data directory; sets the debug log's path. */
bool InitDataDir(NodeContext& node);
/** -dbcache (raised to the minimum, capped at 1 TiB) and -dbbatchsize (not negative). */
bool InitCacheSizes(NodeContext& node);
/** -daemon/-daemonwait: forks; returns the exit code in the parent, nullopt in the process that goes on. */
std::optional<int> Daemonize(NodeContext& node);
/** Locks the data directory, opens debug.log, installs the signal handlers, logs the start. */
bool InitLogging(NodeContext& node);
/** Raises the descriptor limit; fails when fewer than MIN_CORE_FILEDESCRIPTORS are left. */
bool InitResourceLimits(NodeContext& node);
/** The RPC table (in warm-up) and, with -server, the HTTP server and its cookie. */
bool InitRpc(NodeContext& node);
/** Opens the chainstate (reindex options, -par, -dbcache); logs the error on failure. */
bool InitChainstate(NodeContext& node);
/** Opens -txindex (started later by InitImport); on failure the chainstate is closed too. */
bool InitIndexes(NodeContext& node);
/** Registers every subsystem's RPC methods into the one table (chain now; wallet and P2P later). */
void InitRpcMethods(NodeContext& node);
/** Starts -loadblock/-reindex on the import thread (then the indexes), or the indexes now; ends warm-up. */
void InitImport(NodeContext& node);
/** Logs "Done loading" and tells a -daemonwait parent that start-up succeeded. */
void NotifyStarted(NodeContext& node);
/** Sleeps until SIGINT/SIGTERM or the stop RPC, flushing when due; false when a flush failed. */
bool WaitForShutdown(NodeContext& node);
/** Stops and closes whatever the steps started, in reverse order, flushing the chain; false after a fatal
 *  storage error (AbortNode) or when the final flush failed. */
bool Shutdown(NodeContext& node);

/**
 * Runs minicashd with its command line: parses options (Core's), daemonizes with -daemon,
 * runs the start-up steps above, waits for SIGINT/SIGTERM or the stop RPC, then shuts down
 * cleanly with everything flushed. Returns the process exit code (0 ok, 1 on a start-up error).
 */
int RunDaemon(int argc, char* argv[]);

} // namespace node
