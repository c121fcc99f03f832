// Fatal-signal and std::terminate handlers (see crash_log.h). Everything reachable from
// the signal handler is async-signal-safe: clock_gettime, write, sigaction, raise, and
// formatting into stack buffers.
#include "util/crash_log.h"

#include "util/logging.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <string>
#include <unistd.h>

namespace util {

namespace {

constexpr int FATAL_SIGNALS[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

const char* SignalName(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic exception)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGABRT: return "SIGABRT (aborted)";
    default: return "unexpected signal";
    }
}

/** Appends s to buf (capacity cap) at *len; async-signal-safe. */
void Append(char* buf, size_t cap, size_t* len, const char* s, size_t n)
{
    if (*len + n > cap) n = cap - *len;
    std::memcpy(buf + *len, s, n);
    *len += n;
}

void AppendNumber(char* buf, size_t cap, size_t* len, long long v, int width)
{
    char digits[24];
    int n = 0;
    const bool negative = v < 0;
    unsigned long long u = negative ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    do {
        digits[n++] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u > 0 && n < 20);
    while (n < width) digits[n++] = '0';
    if (negative) Append(buf, cap, len, "-", 1);
    while (n > 0) Append(buf, cap, len, &digits[--n], 1);
}

/** "YYYY-MM-DDTHH:MM:SSZ " as the logger writes it, without gmtime (not async-signal-safe). */
void AppendTimestamp(char* buf, size_t cap, size_t* len)
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    const long long secs = ts.tv_sec;
    long long days = secs / 86400;
    long long rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    const long long z = days + 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const long long doe = z - era * 146097;
    const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long long mp = (5 * doy + 2) / 153;
    const long long day = doy - (153 * mp + 2) / 5 + 1;
    const long long month = mp < 10 ? mp + 3 : mp - 9;
    const long long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    AppendNumber(buf, cap, len, year, 4);
    Append(buf, cap, len, "-", 1);
    AppendNumber(buf, cap, len, month, 2);
    Append(buf, cap, len, "-", 1);
    AppendNumber(buf, cap, len, day, 2);
    Append(buf, cap, len, "T", 1);
    AppendNumber(buf, cap, len, rem / 3600, 2);
    Append(buf, cap, len, ":", 1);
    AppendNumber(buf, cap, len, rem / 60 % 60, 2);
    Append(buf, cap, len, ":", 1);
    AppendNumber(buf, cap, len, rem % 60, 2);
    Append(buf, cap, len, "Z ", 2);
}

void WriteAll(int fd, const char* data, size_t len)
{
    while (len > 0) {
        const ssize_t n = ::write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        data += n;
        len -= static_cast<size_t>(n);
    }
}

extern "C" void HandleFatalSignal(int sig)
{
    const int saved_errno = errno;
    char msg[96];
    size_t len = 0;
    const char* prefix = "fatal signal ";
    Append(msg, sizeof(msg), &len, prefix, std::strlen(prefix));
    const char* name = SignalName(sig);
    Append(msg, sizeof(msg), &len, name, std::strlen(name));
    const char* suffix = " received; terminating";
    Append(msg, sizeof(msg), &len, suffix, std::strlen(suffix));
    WriteCrashLine(msg, len);
    errno = saved_errno;
    // SA_RESETHAND restored the default action: raising again ends the process with this
    // signal once the handler returns (a fault re-executes and faults again regardless).
    raise(sig);
}

/** Room for the handler on a stack overflow. */
alignas(16) char g_alt_stack[1 << 16];

} // namespace

void WriteCrashLine(const char* msg, size_t len)
{
    char line[512];
    size_t n = 0;
    AppendTimestamp(line, sizeof(line) - 1, &n);
    Append(line, sizeof(line) - 1, &n, "Error: ", 7);
    Append(line, sizeof(line) - 1, &n, msg, len > 480 ? 480 : len);
    line[n++] = '\n';
    const int fd = DebugLogFd();
    if (fd >= 0) WriteAll(fd, line, n);
    WriteAll(STDERR_FILENO, line, n);
}

[[noreturn]] void LogUncaughtAndAbort()
{
    std::string what = "std::terminate called without an active exception";
    if (const std::exception_ptr e = std::current_exception()) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            what = std::string("uncaught exception: ") + ex.what();
        } catch (...) {
            what = "uncaught exception of an unknown type";
        }
    }
    what += "; aborting";
    // Written directly, not through the logger: its lock may be held by the failing thread.
    WriteCrashLine(what.data(), what.size());
    std::abort();
}

void InstallCrashHandlers()
{
    stack_t ss{};
    ss.ss_sp = g_alt_stack;
    ss.ss_size = sizeof(g_alt_stack);
    sigaltstack(&ss, nullptr);
    struct sigaction sa {};
    sa.sa_handler = HandleFatalSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
    for (const int sig : FATAL_SIGNALS) sigaction(sig, &sa, nullptr);
    std::set_terminate(LogUncaughtAndAbort);
}

} // namespace util
