// LevelDB plumbing shared by the storage databases; see leveldb_util.h.
#include "node/storage/leveldb_util.h"

#include "util/logging.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <system_error>

namespace node::storage_detail {

void LogStatus(std::string_view what, const leveldb::Status& status)
{
    LogError(std::string(what) + ": " + status.ToString());
}

void LogError(std::string_view what)
{
    const std::string line(what);
    util::LogPrintf("storage: %s", line.c_str());
}

leveldb::ReadOptions CheckedReadOptions(bool fill_cache)
{
    leveldb::ReadOptions options;
    options.verify_checksums = true;
    options.fill_cache = fill_cache;
    return options;
}

bool OpenLevelDB(const std::filesystem::path& dir, size_t cache_bytes, bool wipe, leveldb::Env* env, std::string& error,
                 std::unique_ptr<leveldb::Cache>& cache, std::unique_ptr<const leveldb::FilterPolicy>& filter,
                 std::unique_ptr<leveldb::DB>& db)
{
    db.reset();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        error = "cannot create directory " + dir.string() + ": " + ec.message();
        return false;
    }
    auto new_cache = std::unique_ptr<leveldb::Cache>(leveldb::NewLRUCache(cache_bytes < 1024 ? 1024 : cache_bytes));
    auto new_filter = std::unique_ptr<const leveldb::FilterPolicy>(leveldb::NewBloomFilterPolicy(10));
    leveldb::Options options;
    options.create_if_missing = true;
    options.block_cache = new_cache.get();
    options.filter_policy = new_filter.get();
    options.compression = leveldb::kNoCompression;
    options.max_open_files = 64;
    options.write_buffer_size = 4 << 20;
    // As Core's CDBWrapper: corruption found while reading or compacting is an error status
    // (a compaction stops instead of writing damaged records on; LevelDB then fails every
    // later write with it), not something skipped or carried forward.
    options.paranoid_checks = true;
    if (env) options.env = env;
    if (wipe) {
        const leveldb::Status s = leveldb::DestroyDB(dir.string(), options);
        if (!s.ok()) {
            error = "cannot wipe database " + dir.string() + ": " + s.ToString();
            return false;
        }
        std::filesystem::create_directories(dir, ec);
    }
    leveldb::DB* raw = nullptr;
    const leveldb::Status s = leveldb::DB::Open(options, dir.string(), &raw);
    if (!s.ok()) {
        error = "cannot open database " + dir.string() + ": " + s.ToString();
        return false;
    }
    cache = std::move(new_cache);
    filter = std::move(new_filter);
    db.reset(raw);
    return true;
}

bool WriteBatchLogged(leveldb::DB& db, leveldb::WriteBatch& batch, bool sync, std::string_view what)
{
    leveldb::WriteOptions options;
    options.sync = sync;
    const leveldb::Status s = db.Write(options, &batch);
    if (!s.ok()) {
        LogStatus(what, s);
        return false;
    }
    return true;
}

ReadStatus ReadChecked(const leveldb::DB& db, std::string_view key, std::string_view what, std::string& value,
                       bool fill_cache)
{
    const leveldb::ReadOptions options = CheckedReadOptions(fill_cache);
    // LevelDB's Get is const in spirit (thread-safe reads) but not declared so.
    const leveldb::Status s = const_cast<leveldb::DB&>(db).Get(options, leveldb::Slice(key.data(), key.size()), &value);
    if (s.ok()) return ReadStatus::FOUND;
    if (s.IsNotFound()) return ReadStatus::ABSENT;
    LogStatus(what, s);
    return ReadStatus::FAILED;
}

} // namespace node::storage_detail
