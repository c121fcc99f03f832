// Where wallets live: the wallet directory (-walletdir, or <datadir>/<chain>/wallets) and the
// wallets found in it (listwalletdir). Pure file-system helpers, any thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace wallet {

/** The file name of a wallet's LevelDB database inside its folder. */
inline constexpr const char* WALLET_DB_DIR = "wallet.ldb";

/**
 * The names of the wallets under dir (sorted): each folder (at any depth) holding a
 * wallet database, named by its path relative to dir ("" for a wallet in dir itself).
 */
std::vector<std::string> ListWalletDir(const std::filesystem::path& dir);

/** True when the folder path holds a wallet database. */
bool IsWalletFolder(const std::filesystem::path& path);

} // namespace wallet
