// restorewallet's copy (WalletContext::Restore) through its fsync seam (WalletEnv::fsync): every
// copied file reaches the disk before the folders and the rename, and a failed sync leaves no
// wallet and no staging folder behind.
#include "fake_chain.h"

#include "common/rpc/protocol.h"
#include "util/fs_util.h"
#include "wallet/context.h"
#include "wallet/walletutil.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

using namespace wallet;
using wallet_test::FakeChain;
using wallet_test::TempDir;
namespace fs = std::filesystem;

namespace {

/** A wallet context whose fsyncs are recorded, and fail for files when fail_files is set. */
struct RestoreFixture {
    FakeChain chain;
    TempDir dir;
    std::vector<fs::path> synced;
    bool fail_files{false};
    WalletEnv env;
    fs::path backup;

    RestoreFixture()
    {
        chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
        env.chain = &chain;
        env.keypool = 5;
        env.fsync = [this](const fs::path& p, std::string& error) {
            synced.push_back(p);
            if (fail_files && fs::is_regular_file(p)) {
                error = "injected fsync failure";
                return false;
            }
            return util::FsyncPath(p, error);
        };
        backup = dir.path / "backup";
    }
};

std::set<std::string> FileNames(const fs::path& folder)
{
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(folder)) out.insert(e.path().filename().string());
    return out;
}

} // namespace

TEST_CASE("restorewallet syncs every copied file, then its folders, then renames; a failed sync leaves nothing",
          "[wallet]")
{
    RestoreFixture f;
    WalletContext ctx(f.env, f.dir.path / "wallets");
    int code = 0;
    std::string error;
    auto w = ctx.Create("a", CreateOptions{}, code, error);
    REQUIRE(w);
    REQUIRE(w->Database().Backup(f.backup, error));
    w.reset();
    f.synced.clear();

    SECTION("the order of the syncs")
    {
        const std::set<std::string> files = FileNames(f.backup / WALLET_DB_DIR); // what is copied
        REQUIRE(ctx.Restore("b", f.backup, code, error));
        REQUIRE(files.size() >= 2); // at least a log or table and the manifest
        // The files, each in the staging folder, then that folder's db folder, the folder
        // itself, and the wallet directory after the rename.
        REQUIRE(f.synced.size() == files.size() + 3);
        const fs::path staging = f.synced[files.size() + 1];
        CHECK(staging.filename().string().rfind(".restore-", 0) == 0);
        CHECK(staging.parent_path() == ctx.Dir());
        CHECK(f.synced[files.size()] == staging / WALLET_DB_DIR);
        CHECK(f.synced.back() == ctx.Dir());
        std::set<std::string> synced_files;
        for (size_t i = 0; i < files.size(); ++i) {
            CHECK(f.synced[i].parent_path() == staging / WALLET_DB_DIR);
            synced_files.insert(f.synced[i].filename().string());
        }
        CHECK(synced_files == files);
        CHECK_FALSE(fs::exists(staging));
        CHECK(ctx.Get("b"));
    }

    SECTION("a file that cannot be synced")
    {
        f.fail_files = true;
        CHECK_FALSE(ctx.Restore("b", f.backup, code, error));
        CHECK(code == common::rpc::RPC_WALLET_ERROR);
        CHECK(error == "Failed to restore wallet: cannot copy the backup: injected fsync failure");
        REQUIRE(f.synced.size() == 1); // the first file; nothing after it
        CHECK_FALSE(ctx.Get("b"));
        CHECK_FALSE(fs::exists(ctx.PathOf("b")));
        CHECK(FileNames(ctx.Dir()) == std::set<std::string>{"a"}); // no staging folder left
        // Once the disk is well again the same restore works.
        f.fail_files = false;
        CHECK(ctx.Restore("b", f.backup, code, error));
    }
}
