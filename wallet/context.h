// The node's wallets (Core's WalletContext and wallet/load.cpp): the wallet directory, the
// loaded wallets by name, and creating, loading and unloading them. Thread-safe: one mutex
// guards the list; a wallet's own calls take its own lock.
#pragma once

#include "util/sync.h"
#include "wallet/wallet.h"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wallet {

class WalletContext {
public:
    /**
     * dir: the wallet directory (-walletdir, or <datadir>/<chain>/wallets, created if missing);
     * settings: the node's settings.json (Core's read-write settings, whose "wallet" list holds
     * the wallets loaded on start-up), "" for none.
     */
    WalletContext(WalletEnv env, std::filesystem::path dir, std::filesystem::path settings = {})
        : m_env(std::move(env)), m_dir(std::move(dir)), m_settings(std::move(settings))
    {}
    ~WalletContext();
    WalletContext(const WalletContext&) = delete;
    WalletContext& operator=(const WalletContext&) = delete;

    const std::filesystem::path& Dir() const { return m_dir; }
    common::interfaces::Chain& Chain() const { return *m_env.chain; }

    /** The folder of the wallet name (a relative name lives in the wallet directory; "" is the directory itself). */
    std::filesystem::path PathOf(const std::string& name) const;

    /**
     * createwallet: Core's errors (code in *code): -4 "Failed to create database path '...'.
     * Database already exists." for an existing folder, -35 "Wallet \"name\" is already loaded.".
     */
    std::shared_ptr<Wallet> Create(const std::string& name, const CreateOptions& options, int& code, std::string& error)
        EXCLUDES(m_mutex);
    /** loadwallet: -18 "Wallet file verification failed. ..." when there is no such wallet, -35 when loaded. */
    std::shared_ptr<Wallet> Load(const std::string& name, int& code, std::string& error) EXCLUDES(m_mutex);
    /**
     * restorewallet: copies the backup folder (backupwallet's) to the wallet name, then loads it.
     * Core's errors: -8 "Backup file does not exist", -36 "Failed to create database path '...'.
     * Database already exists."; a copy that does not load is removed again.
     */
    std::shared_ptr<Wallet> Restore(const std::string& name, const std::filesystem::path& backup, int& code,
                                    std::string& error) EXCLUDES(m_mutex);
    /**
     * unloadwallet: disconnects it from the chain, forgets it and waits until no other call
     * holds it any more (its database closed); false if not loaded.
     */
    bool Unload(const std::string& name) EXCLUDES(m_mutex);
    /** Unloads every wallet (shutdown). */
    void UnloadAll() EXCLUDES(m_mutex);

    std::shared_ptr<Wallet> Get(const std::string& name) const EXCLUDES(m_mutex);

    /** The wallets settings.json names for loading on start-up (none without a settings file). */
    std::vector<std::string> StartupWallets() const EXCLUDES(m_mutex);
    /** Adds name to (load) or removes it from the start-up list; false with error if the file cannot be written. */
    bool SetLoadOnStartup(const std::string& name, bool load, std::string& error) EXCLUDES(m_mutex);
    /** Loaded wallets in load order. */
    std::vector<std::shared_ptr<Wallet>> All() const EXCLUDES(m_mutex);

private:
    /** Marks a name as being created or loaded for its lifetime (once BeginLoading succeeded). */
    struct LoadingGuard {
        util::Mutex& mutex;
        std::vector<std::string>& loading;
        std::string name;
        bool ok{false};
        ~LoadingGuard();
    };
    /** Fails with Core's -35 if guard's name is loaded or being loaded; else marks it. */
    bool BeginLoading(LoadingGuard& guard, int& code, std::string& error) EXCLUDES(m_mutex);
    std::shared_ptr<Wallet> Attach(std::shared_ptr<Wallet> w, int& code, std::string& error) EXCLUDES(m_mutex);

    WalletEnv m_env;
    const std::filesystem::path m_dir;
    const std::filesystem::path m_settings;
    mutable util::Mutex m_mutex;
    /** Serialises read-modify-write of the settings file. */
    mutable util::Mutex m_settings_mutex;
    std::vector<std::shared_ptr<Wallet>> m_wallets GUARDED_BY(m_mutex);
    /** Names being created or loaded right now (a second call for the same name fails). */
    std::vector<std::string> m_loading GUARDED_BY(m_mutex);
};

} // namespace wallet
