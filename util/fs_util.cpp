// Data directory resolution, the .lock file, atomic writes.
#include "util/fs_util.h"

#include "util/args.h"
#include "util/sync.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace util {

namespace {
// fcntl locks are per process: a second lock from this process would succeed, so
// directories locked here are also remembered in-process.
util::Mutex g_locks_mutex;
std::set<std::string> g_locked_dirs GUARDED_BY(g_locks_mutex);
} // namespace

std::filesystem::path GetDefaultDataDir()
{
    const char* home = std::getenv("HOME");
    std::filesystem::path base =
        (home == nullptr || *home == '\0') ? std::filesystem::path("/") : std::filesystem::path(home);
    return base / ".minicash";
}

bool GetDataDirBase(const ArgsManager& args, std::filesystem::path& out, std::string& error)
{
    const std::string datadir = args.IsArgNegated("-datadir") ? "" : args.GetArg("-datadir", "");
    if (datadir.empty()) {
        out = GetDefaultDataDir();
        return true;
    }
    std::error_code ec;
    std::filesystem::path p = std::filesystem::absolute(std::filesystem::path(datadir), ec).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    if (ec || !std::filesystem::is_directory(p, ec)) {
        error = "Specified data directory \"" + datadir + "\" does not exist.";
        return false;
    }
    out = p;
    return true;
}

std::string ChainDataDirName(ChainType chain)
{
    switch (chain) {
    case ChainType::MAIN: return "";
    case ChainType::TESTNET: return "testnet3";
    case ChainType::TESTNET4: return "testnet4";
    case ChainType::SIGNET: return "signet";
    case ChainType::REGTEST: return "regtest";
    }
    return "";
}

bool GetDataDirNet(const ArgsManager& args, std::filesystem::path& out, std::string& error)
{
    std::filesystem::path base;
    if (!GetDataDirBase(args, base, error)) return false;
    ChainType chain;
    try {
        chain = args.GetChainType();
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
    const std::string sub = ChainDataDirName(chain);
    out = sub.empty() ? base : base / sub;
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) {
        error = "Cannot create data directory '" + out.string() + "': " + ec.message();
        return false;
    }
    return true;
}

std::filesystem::path AbsPathForConfigVal(const std::filesystem::path& base, const std::filesystem::path& value)
{
    if (value.is_absolute() || value.empty()) return value;
    return base / value;
}

DirectoryLock::~DirectoryLock()
{
    if (m_fd >= 0) {
        struct flock fl {};
        fl.l_type = F_UNLCK;
        fl.l_whence = SEEK_SET;
        ::fcntl(m_fd, F_SETLK, &fl);
        ::close(m_fd);
    }
    util::LockGuard lock(g_locks_mutex);
    g_locked_dirs.erase(m_dir.string());
}

std::unique_ptr<DirectoryLock> LockDataDirectory(const std::filesystem::path& dir, std::string& error)
{
    std::error_code ec;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(dir, ec);
    if (ec) canonical = dir;
    const std::string lock_message =
        "Cannot obtain a lock on data directory " + dir.string() + ". Minicash is probably already running.";
    util::LockGuard lock(g_locks_mutex);
    if (g_locked_dirs.contains(canonical.string())) {
        error = lock_message;
        return nullptr;
    }
    const std::filesystem::path lock_file = dir / ".lock";
    const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = "Cannot write to data directory '" + dir.string() + "'; check permissions.";
        return nullptr;
    }
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd, F_SETLK, &fl) == -1) {
        ::close(fd);
        error = lock_message;
        return nullptr;
    }
    g_locked_dirs.insert(canonical.string());
    return std::unique_ptr<DirectoryLock>(new DirectoryLock(canonical, fd));
}

bool WriteFileAtomic(const std::filesystem::path& path, std::string_view content, std::string& error, unsigned mode)
{
    const std::filesystem::path tmp = path.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        error = "Unable to open " + tmp.string() + " for writing: " + std::strerror(errno);
        return false;
    }
    ::fchmod(fd, mode); // the umask may have narrowed it; never widens beyond mode
    size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = "Unable to write " + tmp.string() + ": " + std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return false;
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        error = "Unable to flush " + tmp.string() + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        error = "Unable to rename " + tmp.string() + " to " + path.string() + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    // The rename is durable once the folder's entry is on disk; as Core's DirectoryCommit, a
    // file system that cannot flush a folder does not fail the write.
    std::string ignored;
    (void)FsyncPath(path.has_parent_path() ? path.parent_path() : std::filesystem::path("."), ignored);
    return true;
}

bool FsyncPath(const std::filesystem::path& path, std::string& error)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = "Unable to open " + path.string() + " to flush it: " + std::strerror(errno);
        return false;
    }
    if (::fsync(fd) != 0) {
        error = "Unable to flush " + path.string() + ": " + std::strerror(errno);
        ::close(fd);
        return false;
    }
    // A file system may report a delayed write error only at close (NFS).
    if (::close(fd) != 0) {
        error = "Unable to close " + path.string() + " after flushing it: " + std::strerror(errno);
        return false;
    }
    return true;
}

std::optional<std::string> ReadFileToString(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in.good()) return std::nullopt;
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

int RaiseFileDescriptorLimit(int wanted)
{
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return wanted; // as Core: assume it is fine
    const auto want = static_cast<rlim_t>(std::max(wanted, 0));
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < want) {
        lim.rlim_cur = lim.rlim_max == RLIM_INFINITY ? want : std::min(want, lim.rlim_max);
        (void)::setrlimit(RLIMIT_NOFILE, &lim);
        if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return wanted;
    }
    if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > static_cast<rlim_t>(INT_MAX)) return INT_MAX;
    return static_cast<int>(lim.rlim_cur);
}

} // namespace util
