// Data directory layout, the data-directory lock, and small file helpers.
#pragma once

#include "util/chaintype.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace util {

class ArgsManager;

/** $HOME/.minicash (or /.minicash when HOME is unset), as Core's ~/.bitcoin. Thread-safe. */
std::filesystem::path GetDefaultDataDir();

/**
 * The base data directory: -datadir (made absolute; it must already exist) or the default.
 * Fails with Core's message "specified data directory \"x\" does not exist.". Thread-safe.
 */
bool GetDataDirBase(const ArgsManager& args, std::filesystem::path& out, std::string& error);

/** Sub-folder of a chain in the data directory: "" (main), "testnet3", "testnet4", "signet", "regtest". */
std::string ChainDataDirName(ChainType chain);

/**
 * The chain's data directory (base / ChainDataDirName), created if missing. Fails like
 * GetDataDirBase, or when the folder cannot be created. Thread-safe.
 */
bool GetDataDirNet(const ArgsManager& args, std::filesystem::path& out, std::string& error);

/** Resolves a path option value: absolute stays, relative is joined to base. */
std::filesystem::path AbsPathForConfigVal(const std::filesystem::path& base, const std::filesystem::path& value);

/**
 * Holds an exclusive lock on <dir>/.lock (fcntl write lock) for its lifetime. Movable,
 * not copyable; the destructor releases the lock and closes the file.
 */
class DirectoryLock {
public:
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;
    ~DirectoryLock();
    /** The locked directory. */
    const std::filesystem::path& Dir() const { return m_dir; }

private:
    friend std::unique_ptr<DirectoryLock> LockDataDirectory(const std::filesystem::path&, std::string&);
    DirectoryLock(std::filesystem::path dir, int fd) : m_dir(std::move(dir)), m_fd(fd) {}
    std::filesystem::path m_dir;
    int m_fd{-1};
};

/**
 * Locks dir for this process (creating <dir>/.lock). Returns nullptr with Core's message when
 * another process (or another lock in this process) holds it: "Cannot obtain a lock on data
 * directory <dir>. Minicash is probably already running.", or "Cannot write to data directory
 * '<dir>'; check permissions." Thread-safe.
 */
std::unique_ptr<DirectoryLock> LockDataDirectory(const std::filesystem::path& dir, std::string& error);

/**
 * Raises the soft RLIMIT_NOFILE to `wanted` when it is lower, never above the hard limit (as
 * Core's RaiseFileDescriptorLimit), and returns the soft limit now in force (INT_MAX when
 * unlimited; `wanted` when the limit cannot be read). Call once at start-up, before threads.
 */
int RaiseFileDescriptorLimit(int wanted);

/**
 * Writes content to path atomically (temporary file in the same folder, fsync, rename, then a
 * best-effort fsync of the folder) with the given permission bits (default 0600, owner only).
 * Returns false with a message on error.
 */
bool WriteFileAtomic(const std::filesystem::path& path, std::string_view content, std::string& error,
                     unsigned mode = 0600);

/**
 * fsyncs a file or a folder (a folder's fsync makes the creations and renames of its entries
 * durable). Returns false with a message on error.
 */
bool FsyncPath(const std::filesystem::path& path, std::string& error);

/** Reads a whole file; nullopt when it cannot be opened. */
std::optional<std::string> ReadFileToString(const std::filesystem::path& path);

} // namespace util
