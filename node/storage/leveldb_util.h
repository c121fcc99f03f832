// Shared LevelDB plumbing for the storage databases (coins, block index, txindex):
// opening with a block cache and bloom filter, synced batch writes, and reads that turn
// every LevelDB error into a logged false/nullopt instead of an exception or a crash.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace leveldb {
class Cache;
class DB;
class FilterPolicy;
class Status;
class WriteBatch;
} // namespace leveldb

namespace node::storage_detail {

/**
 * Opens (creating dir and the database if missing) a LevelDB with an LRU block cache of
 * cache_bytes and a 10-bit bloom filter; wipe destroys any existing database first.
 * On failure returns false with error set and leaves the outputs null. Any thread.
 */
bool OpenLevelDB(const std::filesystem::path& dir, size_t cache_bytes, bool wipe, std::string& error,
                 std::unique_ptr<leveldb::Cache>& cache, std::unique_ptr<const leveldb::FilterPolicy>& filter,
                 std::unique_ptr<leveldb::DB>& db);

/** Writes batch (fsynced if sync); false, logged with what, on any LevelDB error. */
bool WriteBatchLogged(leveldb::DB& db, leveldb::WriteBatch& batch, bool sync, std::string_view what);

/** Value at key; nullopt if absent or on error (errors are logged with what). Any thread. */
std::optional<std::string> ReadLogged(const leveldb::DB& db, std::string_view key, std::string_view what);

/** A read that tells an absent key from a failed read. */
enum class ReadStatus { FOUND, ABSENT, FAILED };
/** Reads key into value; FAILED (logged with what) on any LevelDB error. Any thread. */
ReadStatus ReadChecked(const leveldb::DB& db, std::string_view key, std::string_view what, std::string& value);

/** Logs "storage: <what>: <status>" to the node's log (debug.log). */
void LogStatus(std::string_view what, const leveldb::Status& status);
/** Logs "storage: <what>" to the node's log: I/O failures and corrupt records. Any thread. */
void LogError(std::string_view what);

} // namespace node::storage_detail
