#include "wallet/db.h"

#include "wallet/walletutil.h"

#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <stdexcept>
#include <sys/stat.h>
#include <system_error>

namespace wallet {

namespace fs = std::filesystem;

namespace {

/** Owner-only: the folders 0700 and the files in them 0600, whatever the umask was. */
void MakePrivate(const fs::path& dir)
{
    std::error_code ec;
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const auto perms =
            entry.is_directory(ec) ? fs::perms::owner_all : (fs::perms::owner_read | fs::perms::owner_write);
        fs::permissions(entry.path(), perms, fs::perm_options::replace, ec);
    }
}

leveldb::Options DbOptions(leveldb::Env* env, bool create)
{
    leveldb::Options o;
    o.create_if_missing = create;
    o.paranoid_checks = true;
    o.max_open_files = 64;
    if (env) o.env = env;
    return o;
}

} // namespace

WalletDatabase::WalletDatabase(fs::path dir, std::unique_ptr<leveldb::DB> db, leveldb::Env* env)
    : m_dir(std::move(dir)), m_db(std::move(db)), m_env(env)
{}

WalletDatabase::~WalletDatabase() = default;

std::unique_ptr<WalletDatabase> WalletDatabase::Open(const fs::path& dir, const Options& options, std::string& error)
{
    std::error_code ec;
    if (options.create) {
        fs::create_directories(dir, ec);
        if (ec) {
            error = "Failed to create database path '" + dir.string() + "'. Database already exists.";
            return nullptr;
        }
        ::chmod(dir.c_str(), 0700);
    } else if (!IsWalletFolder(dir)) {
        error = "Failed to load database path '" + dir.string() + "'. Path does not exist.";
        return nullptr;
    }
    const fs::path db_path = dir / WALLET_DB_DIR;
    leveldb::DB* raw = nullptr;
    const leveldb::Status s = leveldb::DB::Open(DbOptions(options.env, options.create), db_path.string(), &raw);
    if (!s.ok()) {
        error = "Wallet file verification failed. Failed to open database: " + s.ToString();
        return nullptr;
    }
    MakePrivate(dir);
    MakePrivate(db_path);
    return std::unique_ptr<WalletDatabase>(new WalletDatabase(dir, std::unique_ptr<leveldb::DB>(raw), options.env));
}

bool WalletDatabase::Write(const WalletBatch& batch, std::string& error)
{
    leveldb::WriteBatch wb;
    for (const auto& op : batch.m_ops) {
        if (op.erase) {
            wb.Delete(op.key);
        } else {
            wb.Put(op.key, op.value);
        }
    }
    leveldb::WriteOptions wo;
    wo.sync = true;
    const leveldb::Status s = m_db->Write(wo, &wb);
    if (!s.ok()) {
        error = "Error: wallet database write failed: " + s.ToString();
        return false;
    }
    return true;
}

void WalletDatabase::Compact() { m_db->CompactRange(nullptr, nullptr); }

std::optional<std::string> WalletDatabase::Read(std::string_view key) const
{
    std::string value;
    leveldb::ReadOptions ro;
    ro.verify_checksums = true;
    const leveldb::Status s = m_db->Get(ro, leveldb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) throw std::runtime_error("wallet database read failed: " + s.ToString());
    return value;
}

void WalletDatabase::ForEach(std::string_view prefix,
                             const std::function<bool(std::string_view, std::string_view)>& f) const
{
    leveldb::ReadOptions ro;
    ro.verify_checksums = true;
    std::unique_ptr<leveldb::Iterator> it(m_db->NewIterator(ro));
    for (it->Seek(leveldb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
        const leveldb::Slice k = it->key();
        if (!k.starts_with(leveldb::Slice(prefix.data(), prefix.size()))) break;
        if (!f(std::string_view(k.data(), k.size()), std::string_view(it->value().data(), it->value().size()))) break;
    }
    if (!it->status().ok()) throw std::runtime_error("wallet database read failed: " + it->status().ToString());
}

bool WalletDatabase::Backup(const fs::path& dest, std::string& error) const
{
    std::error_code ec;
    if (fs::exists(dest, ec)) {
        error = "Error: backup destination '" + dest.string() + "' already exists";
        return false;
    }
    fs::create_directories(dest, ec);
    if (ec) {
        error = "Error: cannot create backup folder '" + dest.string() + "': " + ec.message();
        return false;
    }
    leveldb::DB* raw = nullptr;
    leveldb::Status s = leveldb::DB::Open(DbOptions(m_env, true), (dest / WALLET_DB_DIR).string(), &raw);
    if (!s.ok()) {
        error = "Error: cannot create backup database: " + s.ToString();
        return false;
    }
    std::unique_ptr<leveldb::DB> out(raw);
    // One snapshot: the copy is the wallet as it was at one moment, even while it changes.
    leveldb::ReadOptions ro;
    ro.verify_checksums = true;
    ro.snapshot = m_db->GetSnapshot();
    std::unique_ptr<leveldb::Iterator> it(m_db->NewIterator(ro));
    leveldb::WriteBatch wb;
    size_t pending = 0;
    leveldb::WriteOptions wo;
    for (it->SeekToFirst(); it->Valid() && s.ok(); it->Next()) {
        wb.Put(it->key(), it->value());
        if (++pending == 1000) {
            s = out->Write(wo, &wb);
            wb.Clear();
            pending = 0;
        }
    }
    if (s.ok()) s = it->status();
    it.reset();
    m_db->ReleaseSnapshot(ro.snapshot);
    wo.sync = true;
    if (s.ok()) s = out->Write(wo, &wb);
    out.reset();
    if (!s.ok()) {
        fs::remove_all(dest, ec);
        error = "Error: wallet backup failed: " + s.ToString();
        return false;
    }
    MakePrivate(dest);
    MakePrivate(dest / WALLET_DB_DIR);
    return true;
}

} // namespace wallet
