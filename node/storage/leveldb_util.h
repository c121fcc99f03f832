// Shared LevelDB plumbing for the storage databases (coins, block index, txindex):
// opening as Core's CDBWrapper does (block cache, bloom filter, paranoid checks, an
// injectable Env), synced batch writes, and reads that tell found / absent / failed apart
// (a failure is logged, never thrown, never reported as "absent").
#pragma once

#include "node/storage/read_status.h"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace leveldb {
class Cache;
class DB;
class Env;
struct ReadOptions;
class FilterPolicy;
class Status;
class WriteBatch;
} // namespace leveldb

namespace node::storage_detail {

/**
 * Opens (creating dir and the database if missing) a LevelDB with an LRU block cache of
 * cache_bytes, a 10-bit bloom filter and paranoid_checks (corruption found by a read or a
 * background compaction becomes an error status, never data written on); wipe destroys any
 * existing database first. env: the file system LevelDB uses (nullptr: Env::Default(); tests
 * pass a fault-injecting one; it must outlive the database). On failure returns false with
 * error set and leaves the outputs null. Any thread.
 */
bool OpenLevelDB(const std::filesystem::path& dir, size_t cache_bytes, bool wipe, leveldb::Env* env, std::string& error,
                 std::unique_ptr<leveldb::Cache>& cache, std::unique_ptr<const leveldb::FilterPolicy>& filter,
                 std::unique_ptr<leveldb::DB>& db);

/** Read options for every Get and iterator: checksums verified (Core's CDBWrapper); fill_cache as given. */
leveldb::ReadOptions CheckedReadOptions(bool fill_cache = true);

/**
 * Writes batch (fsynced if sync); false, logged with what, on any LevelDB error (also a
 * background compaction's earlier error, which LevelDB reports on every later write).
 */
bool WriteBatchLogged(leveldb::DB& db, leveldb::WriteBatch& batch, bool sync, std::string_view what);

/**
 * Reads key into value, checksums verified: FOUND, ABSENT, or FAILED (logged with what) on
 * any LevelDB error (I/O error, corruption). Any thread.
 */
ReadStatus ReadChecked(const leveldb::DB& db, std::string_view key, std::string_view what, std::string& value,
                       bool fill_cache = true);

/** Logs "storage: <what>: <status>" to the node's log (debug.log). */
void LogStatus(std::string_view what, const leveldb::Status& status);
/** Logs "storage: <what>" to the node's log: I/O failures and corrupt records. Any thread. */
void LogError(std::string_view what);

} // namespace node::storage_detail
