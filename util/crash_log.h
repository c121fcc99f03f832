// Last words: a fatal signal or an uncaught exception leaves a line in debug.log before
// the process dies, so a crashed daemon never disappears without a trace.
#pragma once

#include <cstddef>

namespace util {

/**
 * Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT (on an alternate
 * stack for the calling thread, so a stack overflow on the main thread is reported too;
 * other threads have no alternate stack) that write one line naming the signal to
 * debug.log and stderr, then re-raise it with the default action, so the exit status and
 * any core dump are still the signal's. Also sets a std::terminate handler that logs the
 * uncaught exception's what() and then aborts. Call once, early in main.
 */
void InstallCrashHandlers();

/**
 * Writes "<ISO-8601 time> Error: <msg>" as one line to debug.log (if open) and stderr with
 * write(2): async-signal-safe, no allocation, no lock; msg is cut at 480 bytes.
 */
void WriteCrashLine(const char* msg, size_t len);

/** The std::terminate handler InstallCrashHandlers sets (logs, then aborts). */
[[noreturn]] void LogUncaughtAndAbort();

} // namespace util
