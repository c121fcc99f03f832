// The crash handlers (util/crash_log.*): an uncaught exception and a fatal signal each
// leave a timestamped line in debug.log before the process dies of the signal. Each case
// runs in a forked child, which installs the handlers and then dies.
#include "chain_builder.h"
#include "vectors.h"

#include "util/crash_log.h"
#include "util/logging.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <fcntl.h>
#include <ctime>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

/** Forks; the child opens log as debug.log, installs the handlers and runs die; returns the child's wait status. */
int RunChild(const std::filesystem::path& log, void (*die)())
{
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::string error;
        if (!util::GetLogger().OpenDebugLog(log, error)) ::_exit(3);
        // The handlers also write to stderr; keep the test's output clean.
        const int devnull = ::open("/dev/null", O_WRONLY);
        if (devnull >= 0) ::dup2(devnull, STDERR_FILENO);
        util::InstallCrashHandlers();
        die();
        ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return status;
}

/** The one line of text that contains what, or "". */
std::string LineWith(const std::string& text, const std::string& what)
{
    const size_t at = text.find(what);
    if (at == std::string::npos) return {};
    const size_t begin = text.rfind('\n', at);
    const size_t end = text.find('\n', at);
    return text.substr(begin == std::string::npos ? 0 : begin + 1, end - (begin == std::string::npos ? 0 : begin + 1));
}

} // namespace

TEST_CASE("An uncaught exception on a thread leaves its what() in debug.log, then the process aborts", "[node]")
{
    testutil::TempDir dir;
    const auto log = dir.Path() / "debug.log";
    const int64_t before = std::time(nullptr);
    const int status = RunChild(log, [] {
        util::LogPrintf("child started");
        std::thread([] { throw std::runtime_error("disk on fire"); }).join();
    });
    const int64_t after = std::time(nullptr);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGABRT);
    const std::string text = testutil::ReadFile(log);
    INFO(text);
    CHECK(text.find("child started") != std::string::npos);
    const std::string line = LineWith(text, "Error: uncaught exception: disk on fire; aborting");
    REQUIRE_FALSE(line.empty());
    // The same timestamp format as every other line (written without gmtime in the handler).
    const std::string stamp = line.substr(0, 21);
    bool in_range = false; // a second while the child ran (more than one under load)
    for (int64_t t = before; t <= after; ++t) in_range = in_range || stamp == util::FormatIso8601(t) + " ";
    CHECK(in_range);
    // abort() then raises SIGABRT, which is reported as well.
    CHECK_FALSE(LineWith(text, "Error: fatal signal SIGABRT (aborted) received; terminating").empty());
}

TEST_CASE("A segmentation fault leaves a line in debug.log and the process still dies of SIGSEGV", "[node]")
{
    testutil::TempDir dir;
    const auto log = dir.Path() / "debug.log";
    const int status = RunChild(log, [] {
        // Raised rather than provoked: UBSan (the ASan build) would report a null write as UB first.
        ::raise(SIGSEGV);
    });
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGSEGV);
    const std::string text = testutil::ReadFile(log);
    INFO(text);
    CHECK_FALSE(LineWith(text, "Error: fatal signal SIGSEGV (segmentation fault) received; terminating").empty());
}
