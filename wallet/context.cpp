#include "wallet/context.h"

#include "common/rpc/protocol.h"
#include "util/fs_util.h"
#include "util/logging.h"
#include "wallet/walletutil.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <system_error>
#include <thread>

namespace wallet {

using namespace common::rpc;

WalletContext::~WalletContext() { UnloadAll(); }

WalletContext::LoadingGuard::~LoadingGuard()
{
    if (!ok) return;
    util::LockGuard lock(mutex);
    loading.erase(std::find(loading.begin(), loading.end(), name));
}

std::filesystem::path WalletContext::PathOf(const std::string& name) const
{
    const std::filesystem::path p(name);
    return p.is_absolute() ? p : m_dir / p;
}

std::shared_ptr<Wallet> WalletContext::Attach(std::shared_ptr<Wallet> w, int& code, std::string& error)
{
    if (!Wallet::AttachChain(w, error)) {
        w->Disconnect();
        code = RPC_WALLET_ERROR;
        return nullptr;
    }
    util::LockGuard lock(m_mutex);
    m_wallets.push_back(w);
    return w;
}

bool WalletContext::BeginLoading(LoadingGuard& guard, int& code, std::string& error)
{
    util::LockGuard lock(m_mutex);
    const std::string& name = guard.name;
    const bool loaded =
        std::any_of(m_wallets.begin(), m_wallets.end(), [&](const auto& w) { return w->Name() == name; });
    if (loaded || std::find(m_loading.begin(), m_loading.end(), name) != m_loading.end()) {
        code = RPC_WALLET_ALREADY_LOADED;
        error = "Wallet \"" + name + "\" is already loaded.";
        return false;
    }
    m_loading.push_back(name);
    guard.ok = true;
    return true;
}

std::shared_ptr<Wallet> WalletContext::Create(const std::string& name, const CreateOptions& options, int& code,
                                              std::string& error)
{
    LoadingGuard guard{m_mutex, m_loading, name};
    if (!BeginLoading(guard, code, error)) return nullptr;
    const std::filesystem::path path = PathOf(name);
    std::error_code ec;
    if (std::filesystem::exists(path / WALLET_DB_DIR, ec)) {
        code = RPC_WALLET_ERROR;
        error = "Failed to create database path '" + path.string() + "'. Database already exists.";
        return nullptr;
    }
    auto w = Wallet::Create(m_env, name, path, options, error);
    if (!w) {
        code = RPC_WALLET_ERROR;
        return nullptr;
    }
    util::LogPrintf("Wallet \"%s\" created in %s", name.c_str(), path.filename().string().c_str());
    return Attach(std::move(w), code, error);
}

std::shared_ptr<Wallet> WalletContext::Load(const std::string& name, int& code, std::string& error)
{
    LoadingGuard guard{m_mutex, m_loading, name};
    if (!BeginLoading(guard, code, error)) return nullptr;
    const std::filesystem::path path = PathOf(name);
    if (!IsWalletFolder(path)) {
        code = RPC_WALLET_NOT_FOUND;
        error = "Wallet file verification failed. Failed to load database path '" + path.string() +
                "'. Path does not exist.";
        return nullptr;
    }
    auto w = Wallet::Load(m_env, name, path, error);
    if (!w) {
        code = RPC_WALLET_ERROR;
        return nullptr;
    }
    util::LogPrintf("Wallet \"%s\" loaded", name.c_str());
    return Attach(std::move(w), code, error);
}

std::shared_ptr<Wallet> WalletContext::Restore(const std::string& name, const std::filesystem::path& backup, int& code,
                                               std::string& error)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(backup, ec)) {
        code = RPC_INVALID_PARAMETER;
        error = "Backup file does not exist";
        return nullptr;
    }
    if (!IsWalletFolder(backup)) {
        code = RPC_INVALID_PARAMETER;
        error = "Backup file '" + backup.string() + "' is not a wallet backup (backupwallet's folder)";
        return nullptr;
    }
    const fs::path path = PathOf(name);
    auto exists = [&] {
        if (!fs::exists(path, ec)) return false;
        code = RPC_WALLET_ALREADY_EXISTS;
        error = "Failed to create database path '" + path.string() + "'. Database already exists.";
        return true;
    };
    if (exists()) return nullptr; // first, as Core (a loaded wallet's name gets -36 too)
    {
        // The name is taken while the copy is made: a second restore or a createwallet of it waits its turn.
        LoadingGuard guard{m_mutex, m_loading, name};
        if (!BeginLoading(guard, code, error) || exists()) return nullptr;
        // Copied into a fresh folder beside it first, then renamed: a crash mid-copy leaves no half
        // wallet under name. The folder's name starts with a dot and is random, so it is no wallet's.
        std::random_device rd;
        char tag[17];
        std::snprintf(tag, sizeof(tag), "%08x%08x", rd(), rd());
        const fs::path staging = path.parent_path() / (".restore-" + std::string(tag));
        fs::create_directories(path.parent_path(), ec);
        if (!ec && !fs::create_directory(staging, ec) && !ec) ec = std::make_error_code(std::errc::file_exists);
        if (!ec) fs::permissions(staging, fs::perms::owner_all, ec);
        if (!ec) fs::copy(backup / WALLET_DB_DIR, staging / WALLET_DB_DIR, fs::copy_options::recursive, ec);
        // Every copied file reaches the disk before the rename, and the rename before the load: a
        // crash after restorewallet answered leaves the whole copy in place. Folders are flushed
        // as well as the file system allows (as Core's DirectoryCommit, failures are not errors).
        std::string why;
        const auto sync_path = m_env.fsync ? m_env.fsync : util::FsyncPath;
        auto sync_file = [&](const fs::path& p) {
            if (!ec && !sync_path(p, why)) ec = std::make_error_code(std::errc::io_error);
        };
        auto sync_folder = [&](const fs::path& p) {
            std::string ignored;
            (void)sync_path(p, ignored);
        };
        if (!ec) fs::permissions(staging / WALLET_DB_DIR, fs::perms::owner_all, ec);
        if (!ec) {
            for (const auto& entry : fs::directory_iterator(staging / WALLET_DB_DIR, ec)) {
                if (!ec) fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write, ec);
                sync_file(entry.path());
            }
        }
        if (!ec) {
            sync_folder(staging / WALLET_DB_DIR);
            sync_folder(staging);
            fs::rename(staging, path, ec);
        }
        if (!ec) sync_folder(path.parent_path());
        if (ec) {
            if (why.empty()) why = ec.message();
            fs::remove_all(staging, ec);
            code = RPC_WALLET_ERROR;
            error = "Failed to restore wallet: cannot copy the backup: " + why;
            return nullptr;
        }
    }
    auto w = Load(name, code, error);
    if (!w && code != RPC_WALLET_ALREADY_LOADED) fs::remove_all(path, ec);
    return w;
}

std::vector<std::string> WalletContext::StartupWallets() const
{
    if (m_settings.empty()) return {};
    util::LockGuard lock(m_settings_mutex);
    const auto text = util::ReadFileToString(m_settings);
    if (!text) return {};
    const auto json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    std::vector<std::string> names;
    if (!json.is_object() || !json.contains("wallet")) return names;
    const auto& list = json["wallet"];
    if (list.is_string()) names.push_back(list.get<std::string>());
    if (list.is_array()) {
        for (const auto& v : list) {
            if (v.is_string()) names.push_back(v.get<std::string>());
        }
    }
    return names;
}

bool WalletContext::SetLoadOnStartup(const std::string& name, bool load, std::string& error)
{
    if (m_settings.empty()) return true;
    util::LockGuard lock(m_settings_mutex);
    nlohmann::json json = nlohmann::json::object();
    if (const auto text = util::ReadFileToString(m_settings)) {
        json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
        if (!json.is_object()) {
            error = "Unable to parse settings file " + m_settings.string();
            return false;
        }
    }
    std::vector<std::string> names;
    if (json.contains("wallet") && json["wallet"].is_array()) {
        for (const auto& v : json["wallet"]) {
            if (v.is_string()) names.push_back(v.get<std::string>());
        }
    } else if (json.contains("wallet") && json["wallet"].is_string()) {
        names.push_back(json["wallet"].get<std::string>());
    }
    const bool present = std::find(names.begin(), names.end(), name) != names.end();
    if (load == present) return true;
    if (load) {
        names.push_back(name);
    } else {
        names.erase(std::remove(names.begin(), names.end(), name), names.end());
    }
    json["wallet"] = names;
    return util::WriteFileAtomic(m_settings, json.dump(4) + "\n", error);
}

bool WalletContext::Unload(const std::string& name)
{
    std::shared_ptr<Wallet> w;
    {
        util::LockGuard lock(m_mutex);
        auto it = std::find_if(m_wallets.begin(), m_wallets.end(), [&](const auto& x) { return x->Name() == name; });
        if (it == m_wallets.end()) return false;
        w = *it;
        m_wallets.erase(it);
    }
    w->Disconnect();
    // Core's WaitForDeleteWallet: returns once no other call (a rescan, a send) still holds the
    // wallet, so its database is closed and a loadwallet right after can open it again.
    const std::weak_ptr<Wallet> held = w;
    w.reset();
    while (!held.expired()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    util::LogPrintf("Wallet \"%s\" unloaded", name.c_str());
    return true;
}

void WalletContext::UnloadAll()
{
    std::vector<std::shared_ptr<Wallet>> all;
    {
        util::LockGuard lock(m_mutex);
        all.swap(m_wallets);
    }
    for (auto& w : all) w->Disconnect();
}

std::shared_ptr<Wallet> WalletContext::Get(const std::string& name) const
{
    util::LockGuard lock(m_mutex);
    for (const auto& w : m_wallets) {
        if (w->Name() == name) return w;
    }
    return nullptr;
}

std::vector<std::shared_ptr<Wallet>> WalletContext::All() const
{
    util::LockGuard lock(m_mutex);
    return m_wallets;
}

} // namespace wallet
