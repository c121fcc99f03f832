// listwalletdir's scan: wallet folders at any depth, named relative to the wallet directory.
#include "wallet/walletutil.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

TEST_CASE("ListWalletDir names every folder holding a wallet database, nested ones too", "[wallet]")
{
    const fs::path dir = fs::temp_directory_path() / ("minicash_walletdir_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "alice" / wallet::WALLET_DB_DIR);
    fs::create_directories(dir / "team" / "bob" / wallet::WALLET_DB_DIR);
    fs::create_directories(dir / "empty" / "nothing");
    fs::create_directories(dir / "file_not_folder");
    CHECK(wallet::ListWalletDir(dir) == std::vector<std::string>{"alice", "team/bob"});
    fs::create_directories(dir / wallet::WALLET_DB_DIR); // the default wallet, "" (Core's unnamed wallet)
    CHECK(wallet::ListWalletDir(dir) == std::vector<std::string>{"", "alice", "team/bob"});
    CHECK(wallet::ListWalletDir(dir / "missing").empty());
    fs::remove_all(dir);
}
