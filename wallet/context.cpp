#include "wallet/context.h"

#include "common/rpc/protocol.h"
#include "util/logging.h"
#include "wallet/walletutil.h"

#include <algorithm>

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
