// A process-wide, thread-safe logger: debug.log in the data directory and optionally stdout,
// every line prefixed by an ISO-8601 UTC timestamp, debug lines by their "[category]".
//
// Secrets are never logged: the RPC password, -rpcauth hashes and the auth cookie are
// never passed to these functions (the HTTP server logs only user names and peer
// addresses), and ArgsManager::DescribeArgs masks SENSITIVE options as ****.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace util {

class ArgsManager;

/** Debug categories, enabled with -debug=<name> (Core's names). */
enum class LogCategory : uint32_t {
    NET = 1u << 0,
    RPC = 1u << 1,
    HTTP = 1u << 2,
    VALIDATION = 1u << 3,
    COINDB = 1u << 4,
    LEVELDB = 1u << 5,
    REINDEX = 1u << 6,
    BENCH = 1u << 7,
    MEMPOOL = 1u << 8,
    BLOCKSTORAGE = 1u << 9,
    PRUNE = 1u << 10,
    ZMQ = 1u << 11,
    ADDRMAN = 1u << 12,
    ESTIMATEFEE = 1u << 13,
    SELECTCOINS = 1u << 14,
    CMPCTBLOCK = 1u << 15,
    RAND = 1u << 16,
    LOCK = 1u << 17,
    WALLETDB = 1u << 18,
    MEMPOOLREJ = 1u << 19,
    TXPACKAGES = 1u << 20,
    SCAN = 1u << 21,
};

/** Lower-case name of a category ("net", "rpc", ...). */
std::string_view LogCategoryName(LogCategory category);
/** All category names, sorted, for -help and the logging RPC. */
std::vector<std::string> LogCategoryNames();
/**
 * The categories some code of this build logs under, sorted: the ones -help lists. Every
 * Core name is accepted by -debug, so Core's scripts work; add a name here when its first
 * debug line lands (tests/functional/node_logging.py checks each listed one is used).
 */
std::vector<std::string> LogCategoryNamesInUse();

/**
 * The logger. One instance per process (GetLogger()); every method is thread-safe.
 * Lines logged before OpenDebugLog or SetPrintToConsole are kept (up to 1 MB) and
 * written once an output is configured.
 */
class Logger {
public:
    /** Opens (appends to) the log file; returns false with a message when it cannot. */
    bool OpenDebugLog(const std::filesystem::path& path, std::string& error);
    /** Reopens the same file (e.g. after log rotation on SIGHUP). */
    void Reopen();
    /** Closes the file; later lines go only to the console, if enabled. */
    void Close();
    /** Also writes every line to stdout. */
    void SetPrintToConsole(bool enabled);
    /** Timestamps with microseconds (-logtimemicros): 2026-11-25T03:23:30.123456Z. Lock-free. */
    void SetTimeMicros(bool enabled);
    /** Drops buffered lines and stops buffering (when no output will ever be configured). */
    void DisableBuffering();
    /** The log file's path, empty when none is open. */
    std::filesystem::path LogPath() const;

    /** Enables a category by name; "1", "all" and "" enable all. False for an unknown name. */
    bool EnableCategory(std::string_view name);
    /** Disables a category by name ("1"/"all" disables all). False for an unknown name. */
    bool DisableCategory(std::string_view name);
    /** True when lines of this category are written. Lock-free. */
    bool IsEnabled(LogCategory category) const;
    /** Names of the enabled categories. */
    std::vector<std::string> EnabledCategories() const;

    /** Writes one line (a newline is added when msg lacks one). */
    void LogLine(std::optional<LogCategory> category, std::string_view msg);
};

/** The process-wide logger. */
Logger& GetLogger();

/**
 * The open debug log's file descriptor (opened for appending), or -1. Lock-free and
 * async-signal-safe, for the crash handlers (crash_log.h), which write to it directly.
 */
int DebugLogFd();

/**
 * Applies -debug (repeatable; 1/all/"" for all, 0/none for none), -debugexclude and
 * -printtoconsole. Fails with "Unsupported logging category -debug=foo." for a bad name.
 */
bool InitLoggingFromArgs(const ArgsManager& args, std::string& error);

/** Registers -debug, -debugexclude, -printtoconsole, -debuglogfile in args. */
void SetupLoggingOptions(ArgsManager& args);

/** Formats a UNIX time as ISO-8601 UTC: 2026-11-25T03:23:30Z. */
std::string FormatIso8601(int64_t unix_seconds);
/** A log line's timestamp: FormatIso8601 of now, with micros ".123456" before the Z. */
std::string FormatLogTime(std::chrono::system_clock::time_point now, bool micros);

/** Logs a printf-style message unconditionally. Thread-safe. */
void LogPrintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
/** Logs a printf-style message when category is enabled, prefixed "[category] ". Thread-safe. */
void LogDebug(LogCategory category, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

/** Milliseconds on the steady clock since start (the -debug=bench timings). */
inline double MillisSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace util
