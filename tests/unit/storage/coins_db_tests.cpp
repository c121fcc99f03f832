// CoinsViewDB: LevelDB round trips, the best block written with the coins, reopening,
// key order, wiping and the UTXO set statistics.
#include "consensus/hash.h"
#include "node/storage/coins_db.h"
#include "fault_env.h"
#include "storage_test_util.h"

#include <catch2/catch.hpp>
#include <leveldb/db.h>

#include <fstream>

using namespace consensus;
using node::CoinsCacheEntry;
using node::CoinsMap;
using node::CoinsViewCache;
using node::CoinsViewDB;
using storage_test::FaultEnv;
using storage_test::TempDir;
using storage_test::TestCoin;
using storage_test::TestHash;

namespace {

constexpr size_t CACHE = 1 << 20;

void Put(CoinsMap& map, const OutPoint& op, Coin coin)
{
    map[op] = CoinsCacheEntry{std::move(coin), CoinsCacheEntry::DIRTY};
}

void Erase(CoinsMap& map, const OutPoint& op) { map[op] = CoinsCacheEntry{Coin(), CoinsCacheEntry::DIRTY}; }

std::vector<OutPoint> Keys(const CoinsViewDB& db)
{
    std::vector<OutPoint> out;
    db.ForEachCoin([&](const OutPoint& op, const Coin&) {
        out.push_back(op);
        return true;
    });
    return out;
}

/** A coins database in dir holding one coin at op, current to best. */
void WriteOneCoin(const std::filesystem::path& dir, const OutPoint& op, const Uint256& best)
{
    std::string error;
    CoinsViewDB db(dir, CACHE, false, error);
    REQUIRE(db.IsOpen());
    CoinsMap map;
    Put(map, op, TestCoin(1));
    REQUIRE(db.BatchWrite(map, best));
}

/** The interrupted-flush marker; REQUIREs a readable state. */
std::vector<Uint256> Heads(const CoinsViewDB& db)
{
    Uint256 best;
    std::vector<Uint256> heads;
    REQUIRE(db.ReadState(best, heads));
    return heads;
}

} // namespace

TEST_CASE("CoinsViewDB stores coins and deletes spent ones", "[storage]")
{
    TempDir tmp;
    std::string error;
    CoinsViewDB db(tmp.Path() / "chainstate", CACHE, false, error);
    REQUIRE(db.IsOpen());
    CHECK(db.GetBestBlock().IsNull());
    const OutPoint a(TestHash(1), 0), b(TestHash(1), 1), c(TestHash(2), 5);
    CoinsMap map;
    Put(map, a, TestCoin(100, 3, true));
    Put(map, b, TestCoin(200, 3, false, 7));
    Put(map, c, TestCoin(300, 4));
    map[OutPoint(TestHash(3), 0)] = CoinsCacheEntry{TestCoin(1), 0}; // not dirty: not written
    REQUIRE(db.BatchWrite(map, TestHash(50)));
    CHECK(db.GetCoin(a) == TestCoin(100, 3, true));
    CHECK(db.GetCoin(b) == TestCoin(200, 3, false, 7));
    CHECK(db.HaveCoin(c));
    CHECK_FALSE(db.HaveCoin(OutPoint(TestHash(3), 0)));
    CHECK(db.GetBestBlock() == TestHash(50));

    CoinsMap spend;
    Erase(spend, b);
    Erase(spend, OutPoint(TestHash(9), 9)); // deleting a missing coin is harmless
    REQUIRE(db.BatchWrite(spend, TestHash(51)));
    CHECK_FALSE(db.GetCoin(b));
    CHECK(db.HaveCoin(a));
    CHECK(db.GetBestBlock() == TestHash(51));
}

TEST_CASE("CoinsViewDB keeps coins and best block across a reopen", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "chainstate";
    const OutPoint a(TestHash(4), 2);
    {
        std::string error;
        CoinsViewDB db(dir, CACHE, false, error);
        REQUIRE(db.IsOpen());
        CoinsViewCache cache(&db);
        cache.AddCoin(a, TestCoin(77, 9), false);
        cache.SetBestBlock(TestHash(60));
        REQUIRE(cache.Flush());
    }
    std::string error;
    CoinsViewDB db(dir, CACHE, false, error);
    REQUIRE(db.IsOpen());
    CHECK(db.GetBestBlock() == TestHash(60));
    CHECK(db.GetCoin(a) == TestCoin(77, 9));
    CoinsViewCache cache(&db);
    CHECK(cache.GetBestBlock() == TestHash(60));
    REQUIRE(cache.SpendCoin(a));
    cache.SetBestBlock(TestHash(61));
    REQUIRE(cache.Flush());
    CHECK_FALSE(db.HaveCoin(a));
    CHECK(db.GetBestBlock() == TestHash(61));
}

TEST_CASE("Wiping the coins database empties it", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "chainstate";
    WriteOneCoin(dir, OutPoint(TestHash(5), 0), TestHash(70));
    std::string error;
    CoinsViewDB db(dir, CACHE, true, error);
    REQUIRE(db.IsOpen());
    CHECK(db.GetBestBlock().IsNull());
    CHECK(Keys(db).empty());
}

TEST_CASE("Opening the coins database where a file stands fails without crashing", "[storage]")
{
    TempDir tmp;
    const auto path = tmp.Path() / "not_a_dir";
    std::ofstream(path) << "x";
    std::string error;
    CoinsViewDB db(path, CACHE, false, error);
    CHECK_FALSE(db.IsOpen());
    CHECK_FALSE(error.empty());
    CHECK_FALSE(db.GetCoin(OutPoint(TestHash(1), 0)));
    CoinsMap map;
    CHECK_FALSE(db.BatchWrite(map, TestHash(1)));
    CHECK(db.ComputeStats().txouts == 0);
}

TEST_CASE("CoinsViewDB iterates by txid bytes and then numeric output index", "[storage]")
{
    TempDir tmp;
    std::string error;
    CoinsViewDB db(tmp.Path() / "chainstate", CACHE, false, error);
    REQUIRE(db.IsOpen());
    CoinsMap map;
    // Indexes whose little-endian bytes would sort differently from their values.
    for (uint32_t n : {256u, 1u, 2u, 65536u}) Put(map, OutPoint(TestHash(2), n), TestCoin(n));
    Put(map, OutPoint(TestHash(1, 9), 7), TestCoin(1));
    Put(map, OutPoint(TestHash(1, 3), 7), TestCoin(1));
    REQUIRE(db.BatchWrite(map, TestHash(80)));
    const std::vector<OutPoint> expected = {OutPoint(TestHash(1, 3), 7), OutPoint(TestHash(1, 9), 7),
                                            OutPoint(TestHash(2), 1),    OutPoint(TestHash(2), 2),
                                            OutPoint(TestHash(2), 256),  OutPoint(TestHash(2), 65536)};
    CHECK(Keys(db) == expected);
    int seen = 0;
    db.ForEachCoin([&](const OutPoint&, const Coin&) { return ++seen < 2; });
    CHECK(seen == 2);
}

TEST_CASE("ComputeStats hashes the coins in key order and counts them", "[storage]")
{
    TempDir tmp;
    std::string error;
    CoinsViewDB db(tmp.Path() / "chainstate", CACHE, false, error);
    REQUIRE(db.IsOpen());
    const OutPoint a(TestHash(1), 0), b(TestHash(1), 300), c(TestHash(2), 0);
    const Coin ca = TestCoin(1000, 1, true), cb = TestCoin(2000, 2), cc = TestCoin(3000, 3, false, 9);
    CoinsMap map;
    Put(map, c, cc);
    Put(map, b, cb);
    Put(map, a, ca);
    REQUIRE(db.BatchWrite(map, TestHash(90)));

    const auto stats = db.ComputeStats();
    CHECK(stats.txouts == 3);
    CHECK(stats.transactions == 2);
    CHECK(stats.total_amount == Amount{6000});
    CHECK(stats.bogosize == 3 * (50 + ca.out.script_pubkey.size()));
    CHECK(stats.best_block == TestHash(90));
    HashWriter expected;
    for (const auto& [op, coin] : std::vector<std::pair<OutPoint, Coin>>{{a, ca}, {b, cb}, {c, cc}}) {
        op.Serialize(expected);
        WriteLE32(expected, coin.height * 2 + (coin.coinbase ? 1 : 0));
        coin.out.Serialize(expected);
    }
    CHECK(stats.hash_serialized == expected.GetHash());
    CHECK(db.ComputeStats().hash_serialized == stats.hash_serialized);

    // Any change in content changes the hash; the same content gives the same hash back.
    CoinsMap spend;
    Erase(spend, b);
    REQUIRE(db.BatchWrite(spend, TestHash(91)));
    const auto after = db.ComputeStats();
    CHECK(after.hash_serialized != stats.hash_serialized);
    CHECK(after.txouts == 2);
    CoinsMap restore;
    Put(restore, b, cb);
    REQUIRE(db.BatchWrite(restore, TestHash(92)));
    CHECK(db.ComputeStats().hash_serialized == stats.hash_serialized);
    CoinsMap height;
    Put(height, b, TestCoin(2000, 5));
    REQUIRE(db.BatchWrite(height, TestHash(93)));
    CHECK(db.ComputeStats().hash_serialized != stats.hash_serialized);
}

TEST_CASE("The coins database reports a disk size once data is compacted to tables", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "chainstate";
    {
        std::string error;
        CoinsViewDB db(dir, CACHE, false, error);
        CoinsMap map;
        for (uint32_t i = 0; i < 2000; ++i)
            Put(map, OutPoint(TestHash(uint8_t(i), uint8_t(i >> 8)), i), TestCoin(i + 1));
        REQUIRE(db.BatchWrite(map, TestHash(1)));
    }
    // Reopening turns the log into a table file, which GetApproximateSizes can see.
    std::string error;
    CoinsViewDB db(dir, CACHE, false, error);
    REQUIRE(db.IsOpen());
    CHECK(db.EstimateSize() > 0);
    CHECK(db.ComputeStats().disk_size == db.EstimateSize());
    CHECK(db.ComputeStats().txouts == 2000);
}

TEST_CASE("A flush in many small batches writes what one batch writes and clears the marker", "[storage]")
{
    TempDir tmp;
    std::string error;
    CoinsViewDB one(tmp.Path() / "one", CACHE, false, error);
    CoinsViewDB many(tmp.Path() / "many", CACHE, false, error);
    REQUIRE(one.IsOpen());
    REQUIRE(many.IsOpen());
    many.SetBatchBytes(1000); // ~15 coins a write
    CoinsMap map;
    for (int i = 0; i < 600; ++i) Put(map, OutPoint(TestHash(uint8_t(i), uint8_t(i >> 8)), 0), TestCoin(i + 1));
    CoinsMap copy = map;
    REQUIRE(one.BatchWrite(map, TestHash(80)));
    REQUIRE(many.BatchWrite(copy, TestHash(80)));
    CHECK(many.GetBestBlock() == TestHash(80));
    CHECK(Heads(many).empty());
    CHECK(Keys(many) == Keys(one));
    CHECK(Keys(many).size() == 600);
    CHECK(many.ComputeStats().hash_serialized == one.ComputeStats().hash_serialized);
}

TEST_CASE("A flush interrupted between batches leaves the head-blocks marker and no best block", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "chainstate";
    CoinsMap first;
    Put(first, OutPoint(TestHash(90), 0), TestCoin(5));
    {
        std::string error;
        FaultEnv env;
        CoinsViewDB db(dir, CACHE, false, error, &env);
        REQUIRE(db.IsOpen());
        REQUIRE(db.BatchWrite(first, TestHash(81))); // consistent at block 81
        db.SetBatchBytes(500);
        env.CrashAfterSyncs(2); // the disk as a process killed after two partial writes leaves it
        CoinsMap map;
        for (int i = 0; i < 200; ++i) Put(map, OutPoint(TestHash(uint8_t(i), 1), 0), TestCoin(i + 1));
        CHECK_FALSE(db.BatchWrite(map, TestHash(82)));
        // Dead from here on, like the process it stands for.
        CHECK_FALSE(db.BatchWrite(map, TestHash(82)));
    }
    std::string error;
    CoinsViewDB db(dir, CACHE, false, error);
    REQUIRE(db.IsOpen());
    CHECK(db.GetBestBlock().IsNull());
    REQUIRE(Heads(db) == std::vector<Uint256>{TestHash(82), TestHash(81)});
    const size_t written = Keys(db).size();
    CHECK(written > 1);   // the two partial writes landed
    CHECK(written < 201); // but not all of it
    // Only a flush towards the same block may continue; it keeps the old block in the marker
    // until it completes.
    CoinsMap other;
    Put(other, OutPoint(TestHash(91), 0), TestCoin(6));
    CHECK_FALSE(db.BatchWrite(other, TestHash(83)));
    CHECK(Heads(db) == std::vector<Uint256>{TestHash(82), TestHash(81)});
    CoinsMap rest;
    for (int i = 0; i < 200; ++i) Put(rest, OutPoint(TestHash(uint8_t(i), 1), 0), TestCoin(i + 1));
    REQUIRE(db.BatchWrite(rest, TestHash(82)));
    CHECK(db.GetBestBlock() == TestHash(82));
    CHECK(Heads(db).empty());
    CHECK(Keys(db).size() == 201);
}

TEST_CASE("A flush without a best block writes nothing, and refuses changes", "[storage]")
{
    TempDir tmp;
    std::string error;
    CoinsViewDB db(tmp.Path() / "chainstate", CACHE, false, error);
    REQUIRE(db.IsOpen());
    CoinsMap clean;
    clean[OutPoint(TestHash(92), 0)] = CoinsCacheEntry{TestCoin(1), 0};
    CHECK(db.BatchWrite(clean, Uint256()));
    CoinsMap dirty;
    Put(dirty, OutPoint(TestHash(92), 1), TestCoin(2));
    CHECK_FALSE(db.BatchWrite(dirty, Uint256()));
    CHECK(Keys(db).empty());
    CHECK_FALSE(db.HasCoins());
    CHECK(Heads(db).empty());
    CHECK(db.GetBestBlock().IsNull());
}

TEST_CASE("A malformed head-blocks record makes the state unknown", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "chainstate";
    WriteOneCoin(dir, OutPoint(TestHash(93), 0), TestHash(94));
    {
        std::string error;
        CHECK(CoinsViewDB(dir, CACHE, false, error).HasCoins());
    }
    {
        leveldb::DB* raw = nullptr;
        REQUIRE(leveldb::DB::Open(leveldb::Options(), dir.string(), &raw).ok());
        std::unique_ptr<leveldb::DB> ldb(raw);
        REQUIRE(ldb->Delete(leveldb::WriteOptions(), "B").ok());
        REQUIRE(ldb->Put(leveldb::WriteOptions(), "H", std::string(40, 'x')).ok());
    }
    std::string error;
    CoinsViewDB db(dir, CACHE, false, error);
    REQUIRE(db.IsOpen());
    Uint256 best;
    std::vector<Uint256> heads;
    CHECK_FALSE(db.ReadState(best, heads));
    CoinsMap map;
    Put(map, OutPoint(TestHash(93), 1), TestCoin(2));
    CHECK_FALSE(db.BatchWrite(map, TestHash(95))); // never written over an unknown state
    CHECK_FALSE(db.HaveCoin(OutPoint(TestHash(93), 1)));
}
