// Logger implementation: one mutex around the outputs, an atomic category mask.
#include "util/logging.h"

#include "util/args.h"
#include "util/sync.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace util {

namespace {

struct CategoryName {
    LogCategory category;
    const char* name;
    bool in_use; // some code logs under it: listed in -help (the others are accepted for Core compatibility)
};

constexpr std::array<CategoryName, 22> CATEGORIES{{
    {LogCategory::NET, "net", true},
    {LogCategory::RPC, "rpc", true},
    {LogCategory::HTTP, "http", true},
    {LogCategory::VALIDATION, "validation", false},
    {LogCategory::COINDB, "coindb", true},
    {LogCategory::LEVELDB, "leveldb", false},
    {LogCategory::REINDEX, "reindex", true},
    {LogCategory::BENCH, "bench", true},
    {LogCategory::MEMPOOL, "mempool", true},
    {LogCategory::BLOCKSTORAGE, "blockstorage", false},
    {LogCategory::PRUNE, "prune", false},
    {LogCategory::ZMQ, "zmq", false},
    {LogCategory::ADDRMAN, "addrman", false},
    {LogCategory::ESTIMATEFEE, "estimatefee", false},
    {LogCategory::SELECTCOINS, "selectcoins", false},
    {LogCategory::CMPCTBLOCK, "cmpctblock", false},
    {LogCategory::RAND, "rand", false},
    {LogCategory::LOCK, "lock", false},
    {LogCategory::WALLETDB, "walletdb", false},
    {LogCategory::MEMPOOLREJ, "mempoolrej", false},
    {LogCategory::TXPACKAGES, "txpackages", false},
    {LogCategory::SCAN, "scan", false},
}};

constexpr size_t MAX_BUFFERED = 1'000'000;

/** Parses a category name; ALL (all bits) for "", "1" or "all". */
std::optional<uint32_t> CategoryMask(std::string_view name)
{
    if (name.empty() || name == "1" || name == "all") return ~uint32_t{0};
    for (const auto& c : CATEGORIES) {
        if (name == c.name) return static_cast<uint32_t>(c.category);
    }
    return std::nullopt;
}

struct LoggerState {
    util::Mutex mutex;
    std::atomic<uint32_t> categories{0};
    std::atomic<bool> time_micros{false}; // -logtimemicros
    FILE* file GUARDED_BY(mutex){nullptr};
    std::filesystem::path path GUARDED_BY(mutex);
    bool console GUARDED_BY(mutex){false};
    bool buffering GUARDED_BY(mutex){true};
    std::string buffer GUARDED_BY(mutex);
};

/** fileno of LoggerState::file, readable without the lock (crash handlers). */
std::atomic<int> g_log_fd{-1};

LoggerState& State()
{
    static LoggerState state;
    return state;
}

std::string VFormat(const char* fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    const int n = std::vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    if (n <= 0) return {};
    std::string out(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(out.data(), out.size(), fmt, ap);
    out.resize(static_cast<size_t>(n));
    return out;
}

} // namespace

std::string_view LogCategoryName(LogCategory category)
{
    for (const auto& c : CATEGORIES) {
        if (c.category == category) return c.name;
    }
    return "unknown";
}

std::vector<std::string> LogCategoryNames()
{
    std::vector<std::string> names;
    for (const auto& c : CATEGORIES) names.emplace_back(c.name);
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> LogCategoryNamesInUse()
{
    std::vector<std::string> names;
    for (const auto& c : CATEGORIES) {
        if (c.in_use) names.emplace_back(c.name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string FormatIso8601(int64_t unix_seconds)
{
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

bool Logger::OpenDebugLog(const std::filesystem::path& path, std::string& error)
{
    auto& s = State();
    util::LockGuard lock(s.mutex);
    FILE* f = std::fopen(path.c_str(), "a");
    if (!f) {
        error = "Could not open debug log file " + path.string();
        return false;
    }
    std::setvbuf(f, nullptr, _IOLBF, 0);
    g_log_fd = -1;
    if (s.file) std::fclose(s.file);
    s.file = f;
    s.path = path;
    g_log_fd = fileno(f);
    if (s.buffering) {
        s.buffering = false;
        std::fwrite(s.buffer.data(), 1, s.buffer.size(), s.file);
        s.buffer.clear();
        s.buffer.shrink_to_fit();
    }
    return true;
}

void Logger::Reopen()
{
    auto& s = State();
    util::LockGuard lock(s.mutex);
    if (!s.file) return;
    g_log_fd = -1;
    if (FILE* f = std::freopen(s.path.c_str(), "a", s.file)) {
        s.file = f;
        std::setvbuf(f, nullptr, _IOLBF, 0);
        g_log_fd = fileno(f);
    } else {
        s.file = nullptr;
    }
}

void Logger::Close()
{
    auto& s = State();
    util::LockGuard lock(s.mutex);
    g_log_fd = -1;
    if (s.file) std::fclose(s.file);
    s.file = nullptr;
    s.path.clear();
}

void Logger::SetPrintToConsole(bool enabled)
{
    auto& s = State();
    util::LockGuard lock(s.mutex);
    if (enabled && !s.console && s.buffering) {
        // Show what was logged so far; the buffer is kept for a file that may still be opened.
        std::fwrite(s.buffer.data(), 1, s.buffer.size(), stdout);
        std::fflush(stdout);
    }
    s.console = enabled;
}

void Logger::DisableBuffering()
{
    auto& s = State();
    util::LockGuard lock(s.mutex);
    s.buffering = false;
    s.buffer.clear();
}

std::filesystem::path Logger::LogPath() const
{
    auto& s = State();
    util::LockGuard lock(s.mutex);
    return s.path;
}

bool Logger::EnableCategory(std::string_view name)
{
    auto mask = CategoryMask(name);
    if (!mask) return false;
    State().categories.fetch_or(*mask);
    return true;
}

bool Logger::DisableCategory(std::string_view name)
{
    auto mask = CategoryMask(name);
    if (!mask) return false;
    State().categories.fetch_and(~*mask);
    return true;
}

bool Logger::IsEnabled(LogCategory category) const
{
    return (State().categories.load(std::memory_order_relaxed) & static_cast<uint32_t>(category)) != 0;
}

std::vector<std::string> Logger::EnabledCategories() const
{
    std::vector<std::string> out;
    for (const auto& c : CATEGORIES) {
        if (IsEnabled(c.category)) out.emplace_back(c.name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

/** Writes one formatted line to the console, the file or the start-up buffer. */
static void WriteLocked(LoggerState& s, const std::string& line) REQUIRES(s.mutex)
{
    if (s.console) {
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
    }
    if (s.file) {
        std::fwrite(line.data(), 1, line.size(), s.file);
    } else if (s.buffering && s.buffer.size() + line.size() <= MAX_BUFFERED) {
        s.buffer += line;
    }
}

void Logger::SetTimeMicros(bool enabled) { State().time_micros = enabled; }

std::string FormatLogTime(std::chrono::system_clock::time_point now, bool micros)
{
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    const int64_t secs = us / 1'000'000 - (us % 1'000'000 < 0 ? 1 : 0);
    std::string t = FormatIso8601(secs);
    if (!micros) return t;
    char frac[24];
    std::snprintf(frac, sizeof(frac), ".%06lld", static_cast<long long>(us - secs * 1'000'000));
    t.insert(t.size() - 1, frac); // before the Z, as Core's FormatISO8601DateTime with micros
    return t;
}

void Logger::LogLine(std::optional<LogCategory> category, std::string_view msg)
{
    std::string line = FormatLogTime(std::chrono::system_clock::now(), State().time_micros.load()) + " ";
    if (category) {
        line += "[";
        line += LogCategoryName(*category);
        line += "] ";
    }
    line += msg;
    if (line.empty() || line.back() != '\n') line += '\n';
    auto& s = State();
    util::LockGuard lock(s.mutex);
    WriteLocked(s, line);
}

int DebugLogFd() { return g_log_fd.load(std::memory_order_relaxed); }

Logger& GetLogger()
{
    static Logger logger;
    return logger;
}

void LogPrintf(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const std::string msg = VFormat(fmt, ap);
    va_end(ap);
    GetLogger().LogLine(std::nullopt, msg);
}

void LogDebug(LogCategory category, const char* fmt, ...)
{
    if (!GetLogger().IsEnabled(category)) return;
    va_list ap;
    va_start(ap, fmt);
    const std::string msg = VFormat(fmt, ap);
    va_end(ap);
    GetLogger().LogLine(category, msg);
}

bool InitLoggingFromArgs(const ArgsManager& args, std::string& error)
{
    Logger& logger = GetLogger();
    if (args.IsArgSet("-debug")) {
        const std::vector<std::string> cats = args.GetArgs("-debug");
        const bool none =
            std::any_of(cats.begin(), cats.end(), [](const std::string& c) { return c == "0" || c == "none"; });
        if (!none) {
            for (const auto& c : cats) {
                if (!logger.EnableCategory(c)) {
                    error = "Unsupported logging category -debug=" + c + ".";
                    return false;
                }
            }
        }
    }
    for (const auto& c : args.GetArgs("-debugexclude")) {
        if (!logger.DisableCategory(c)) {
            error = "Unsupported logging category -debugexclude=" + c + ".";
            return false;
        }
    }
    // As Core: on by default unless the process daemonizes (-daemon, or -daemonwait which implies it).
    const bool daemon = args.GetBoolArg("-daemon", false) || args.GetBoolArg("-daemonwait", false);
    logger.SetPrintToConsole(args.GetBoolArg("-printtoconsole", !daemon));
    logger.SetTimeMicros(args.GetBoolArg("-logtimemicros", false));
    return true;
}

void SetupLoggingOptions(ArgsManager& args)
{
    std::string names;
    for (const auto& n : LogCategoryNamesInUse()) names += (names.empty() ? "" : ", ") + n;
    args.AddArg("-debug=<category>",
                "Output debug and trace logging (default: -nodebug, supplying <category> is optional). If <category> "
                "is not supplied or if <category> is 1 or \"all\", output all debug logging. If <category> is 0 or "
                "\"none\", any other categories are ignored. Other valid values for <category> are: " +
                    names + ". This option can be specified multiple times to output multiple categories.",
                ArgsManager::ALLOW_ANY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-debugexclude=<category>",
                "Exclude debug and trace logging for a category. Can be used in conjunction with -debug=1 to output "
                "debug and trace logging for all categories except the specified category. This option can be "
                "specified multiple times to exclude multiple categories.",
                ArgsManager::ALLOW_ANY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-logtimemicros", "Add microsecond precision to debug timestamps (default: 0)", ArgsManager::ALLOW_ANY,
                OptionsCategory::DEBUG_TEST);
    args.AddArg("-printtoconsole",
                "Send trace/debug info to console (default: 1 when no -daemon. To disable logging to "
                "file, set -nodebuglogfile)",
                ArgsManager::ALLOW_ANY, OptionsCategory::DEBUG_TEST);
    args.AddArg(
        "-debuglogfile=<file>",
        "Specify location of debug log file (default: debug.log). Relative paths will be "
        "prefixed by a net-specific datadir location. Pass -nodebuglogfile to disable writing the log to a file.",
        ArgsManager::ALLOW_ANY, OptionsCategory::DEBUG_TEST);
}

} // namespace util
