// One wallet's database: a LevelDB in <walletdir>/<name>/wallet.ldb. Every write is a synced
// batch, so whatever a call wrote is on disk when it returns and a kill -9 loses no address
// handed out and no transaction seen. Keys are the record prefixes of walletdb.h. Thread-safe
// (LevelDB is); the wallet serialises its writes under its own lock.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leveldb {
class DB;
class Env;
} // namespace leveldb

namespace wallet {

/** Writes applied together (all or none) by WalletDatabase::Write. */
class WalletBatch {
public:
    void Put(std::string key, std::string value) { m_ops.push_back({std::move(key), std::move(value), false}); }
    void Erase(std::string key) { m_ops.push_back({std::move(key), {}, true}); }
    bool Empty() const { return m_ops.empty(); }

private:
    friend class WalletDatabase;
    struct Op {
        std::string key, value;
        bool erase{false};
    };
    std::vector<Op> m_ops;
};

class WalletDatabase {
public:
    struct Options {
        /** Create the database if missing (createwallet); otherwise it must exist (loadwallet). */
        bool create{false};
        /** The LevelDB environment (tests inject faults); nullptr: the default. */
        leveldb::Env* env{nullptr};
    };
    /**
     * Opens (or creates) the database in folder dir (created mode 0700; its files 0600).
     * nullptr with error (Core's wording where it has one) when it cannot.
     */
    static std::unique_ptr<WalletDatabase> Open(const std::filesystem::path& dir, const Options& options,
                                                std::string& error);
    ~WalletDatabase();
    WalletDatabase(const WalletDatabase&) = delete;
    WalletDatabase& operator=(const WalletDatabase&) = delete;

    /** Applies batch atomically and syncs it to disk. False (error set) on a storage failure. */
    bool Write(const WalletBatch& batch, std::string& error);
    /**
     * Rewrites the database's files without erased records (LevelDB CompactRange), so erased
     * secrets leave its files (Core rewrites the database after encryptwallet). Best effort.
     */
    void Compact();
    /** The value of key; nullopt if absent. Throws std::runtime_error on a storage failure. */
    std::optional<std::string> Read(std::string_view key) const;
    /**
     * Calls f(key, value) for every record whose key starts with prefix, in key order, from a
     * consistent snapshot, until f returns false. Throws std::runtime_error on a storage failure.
     */
    void ForEach(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& f) const;
    /**
     * backupwallet: copies a consistent snapshot of every record into a new database at dest
     * (a folder that must not exist yet; created 0700), synced. False with error otherwise.
     */
    bool Backup(const std::filesystem::path& dest, std::string& error) const;
    /** The folder holding the wallet (the parent of wallet.ldb). */
    const std::filesystem::path& Dir() const { return m_dir; }

private:
    WalletDatabase(std::filesystem::path dir, std::unique_ptr<leveldb::DB> db, leveldb::Env* env);
    std::filesystem::path m_dir;
    std::unique_ptr<leveldb::DB> m_db;
    leveldb::Env* m_env;
};

} // namespace wallet
