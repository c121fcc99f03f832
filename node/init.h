// Node start-up and shut-down: the one place that wires args, logging, the datadir lock,
// the chainstate, the RPC server and the import thread together (minicashd's main).
#pragma once

namespace node {

/**
 * Runs minicashd with its command line: parses options (Core's), daemonizes with -daemon,
 * starts everything, waits for SIGINT/SIGTERM or the stop RPC, then shuts down cleanly with
 * everything flushed. Returns the process exit code (0 ok, 1 on a start-up error).
 */
int RunDaemon(int argc, char* argv[]);

} // namespace node
