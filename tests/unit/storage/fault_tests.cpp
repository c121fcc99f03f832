// Storage reads tell found / absent / failed apart: faults injected through FaultEnv (a
// LevelDB Env) into the coins database and the block index, and the coins cache's latch
// that keeps a failed read from passing for an absent coin.
#include "fault_env.h"
#include "node/storage/block_tree_db.h"
#include "node/storage/coins_db.h"
#include "storage_test_util.h"

#include <catch2/catch.hpp>
#include <leveldb/db.h>

using consensus::Coin;
using consensus::OutPoint;
using node::CoinsCacheEntry;
using node::CoinsMap;
using node::CoinsViewCache;
using node::CoinsViewDB;
using node::ReadStatus;
using storage_test::FaultEnv;
using storage_test::TempDir;
using storage_test::TestCoin;
using storage_test::TestHash;

namespace {

constexpr size_t CACHE = 1 << 20;

/** A closed coins database in dir with 250 coins (at TestHash(i, 1):0, value i + 1) current to TestHash(80). */
void WriteCoins(const std::filesystem::path& dir)
{
    std::string error;
    CoinsViewDB db(dir, CACHE, false, error);
    REQUIRE(db.IsOpen());
    CoinsMap map;
    for (int i = 0; i < 250; ++i)
        map[OutPoint(TestHash(uint8_t(i), 1), 0)] = CoinsCacheEntry{TestCoin(i + 1), CoinsCacheEntry::DIRTY};
    REQUIRE(db.BatchWrite(map, TestHash(80)));
}

} // namespace

TEST_CASE("A coins read that fails is FAILED, never ABSENT, and the cache above latches it", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "chainstate";
    WriteCoins(dir);
    for (const bool corrupt : {false, true}) {
        DYNAMIC_SECTION((corrupt ? "checksum mismatch" : "read error"))
        {
            FaultEnv env;
            std::string error;
            CoinsViewDB db(dir, CACHE, false, error, &env); // a fresh open: nothing cached yet
            REQUIRE(db.IsOpen());
            const OutPoint present(TestHash(7, 1), 0);
            const OutPoint missing(TestHash(7, 2), 0);
            if (corrupt) {
                env.CorruptReads(true);
            } else {
                env.FailReads(true);
            }
            Coin coin;
            CHECK(db.ReadCoin(present, coin) == ReadStatus::FAILED);
            CHECK(env.Injected() > 0);
            CHECK_FALSE(db.GetCoin(present)); // the consensus interface cannot say more
            // A cache over it answers "absent" to consensus code but remembers why.
            CoinsViewCache cache(&db);
            CoinsViewCache block_view(&cache); // a block's scratch view over the main cache
            CHECK_FALSE(block_view.ReadFailed());
            CHECK(block_view.AccessCoin(present) == nullptr);
            CHECK(block_view.ReadFailed());
            CHECK(cache.ReadFailed());
            // Sticky: even a later answer the cache could give is no longer trusted.
            env.Heal();
            CHECK(block_view.ReadCoin(missing, coin) == ReadStatus::FAILED);
            // The database itself answers again once the fault is gone.
            CHECK(db.ReadCoin(present, coin) == ReadStatus::FOUND);
            CHECK(coin == TestCoin(8));
            CHECK(db.ReadCoin(missing, coin) == ReadStatus::ABSENT);
            CoinsViewCache fresh(&db);
            CHECK(fresh.AccessCoin(present) != nullptr);
            CHECK_FALSE(fresh.ReadFailed());
        }
    }
}

TEST_CASE("A coins flush whose state read or write fails returns false and leaves the database as it was", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "chainstate";
    WriteCoins(dir);
    for (const bool write_fault : {false, true}) {
        DYNAMIC_SECTION((write_fault ? "write error" : "read error"))
        {
            {
                FaultEnv env;
                std::string error;
                CoinsViewDB db(dir, CACHE, false, error, &env);
                REQUIRE(db.IsOpen());
                if (write_fault) {
                    env.FailWrites(true);
                } else {
                    env.FailReads(true); // the flush first reads the coins' state
                }
                CoinsMap map;
                map[OutPoint(TestHash(9, 9), 0)] = CoinsCacheEntry{TestCoin(5), CoinsCacheEntry::DIRTY};
                CHECK_FALSE(db.BatchWrite(map, TestHash(81)));
                CHECK(env.Injected() > 0);
            }
            std::string error;
            CoinsViewDB db(dir, CACHE, false, error);
            REQUIRE(db.IsOpen());
            CHECK(db.GetBestBlock() == TestHash(80));
            CHECK_FALSE(db.GetCoin(OutPoint(TestHash(9, 9), 0)));
        }
    }
}

TEST_CASE("An undecodable coin record is FAILED, and stops a walk over the coins", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "chainstate";
    WriteCoins(dir);
    const OutPoint bad(TestHash(7, 1), 0);
    {
        std::string error;
        CoinsViewDB db(dir, CACHE, false, error);
        REQUIRE(db.IsOpen());
        CHECK(db.ComputeStats().complete);
    }
    {
        leveldb::DB* raw = nullptr;
        REQUIRE(leveldb::DB::Open(leveldb::Options(), dir.string(), &raw).ok());
        std::unique_ptr<leveldb::DB> ldb(raw);
        std::string key(1, 'C');
        key.append(reinterpret_cast<const char*>(bad.hash.data()), 32);
        key.append(4, '\0');
        REQUIRE(ldb->Put(leveldb::WriteOptions(), key, "\x01junk").ok());
    }
    std::string error;
    CoinsViewDB db(dir, CACHE, false, error);
    REQUIRE(db.IsOpen());
    Coin coin;
    CHECK(db.ReadCoin(bad, coin) == ReadStatus::FAILED);
    CHECK(db.ReadCoin(OutPoint(TestHash(8, 1), 0), coin) == ReadStatus::FOUND);
    size_t seen = 0;
    CHECK_FALSE(db.ForEachCoin([&](const OutPoint&, const Coin&) { return ++seen > 0; }));
    CHECK(seen < 250);
    CHECK_FALSE(db.ComputeStats().complete);
}

TEST_CASE("Block index reads that fail are FAILED, not absent", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "index";
    {
        std::string error;
        node::BlockTreeDB db(dir, CACHE, false, error);
        REQUIRE(db.IsOpen());
        REQUIRE(db.WriteReindexing(true));
        REQUIRE(db.WriteFlag("txindex", true));
        REQUIRE(db.WriteBatch({{0, node::BlockFileInfo{}}}, 0, {}));
    }
    {
        // Reopened: the records are in a table file now.
        std::string error;
        node::BlockTreeDB db(dir, CACHE, false, error);
        REQUIRE(db.IsOpen());
    }
    FaultEnv env;
    std::string error;
    node::BlockTreeDB db(dir, CACHE, false, error, &env);
    REQUIRE(db.IsOpen());
    env.FailReads(true);
    bool flag = false;
    CHECK(db.ReadReindexing() == ReadStatus::FAILED);
    CHECK(db.ReadFlag("txindex", flag) == ReadStatus::FAILED);
    std::vector<node::BlockFileInfo> infos;
    int last = 0;
    CHECK_FALSE(db.ReadFileInfo(infos, last));
    CHECK_FALSE(db.LoadBlockIndex([](const node::DiskBlockIndex&) {}));
    env.Heal();
    CHECK(db.ReadReindexing() == ReadStatus::FOUND);
    CHECK(db.ReadFlag("txindex", flag) == ReadStatus::FOUND);
    CHECK(flag);
}

TEST_CASE("A background compaction that fails makes every later coins write fail", "[storage]")
{
    // LevelDB writes a full memtable (past its 4 MiB write buffer) to a table file in the
    // background and reads the table back; a failure there is recorded and returned by every
    // later write (the chainstate then stops the node: see storage_fault_tests.cpp).
    TempDir tmp;
    FaultEnv env;
    std::string error;
    CoinsViewDB db(tmp.Path() / "chainstate", CACHE, false, error, &env);
    REQUIRE(db.IsOpen());
    CoinsMap big;
    for (uint32_t i = 0; i < 80000; ++i) {
        big[OutPoint(TestHash(uint8_t(i), uint8_t(i >> 8)), i >> 16)] =
            CoinsCacheEntry{TestCoin(i + 1), CoinsCacheEntry::DIRTY};
    }
    REQUIRE(db.BatchWrite(big, TestHash(80)));
    env.FailReads(true);
    CoinsMap one;
    one[OutPoint(TestHash(9, 9), 7)] = CoinsCacheEntry{TestCoin(5), CoinsCacheEntry::DIRTY};
    REQUIRE(db.BatchWrite(one, TestHash(81))); // goes to a new memtable; the full one is compacted
    env.WaitForBackgroundJobs();
    CHECK(env.Injected() > 0);
    env.Heal(); // the error stays: LevelDB does not retry a failed compaction
    CoinsMap two;
    two[OutPoint(TestHash(9, 9), 8)] = CoinsCacheEntry{TestCoin(6), CoinsCacheEntry::DIRTY};
    CHECK_FALSE(db.BatchWrite(two, TestHash(82)));
}
