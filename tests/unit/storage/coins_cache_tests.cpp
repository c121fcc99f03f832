// CoinsViewCache: Core's DIRTY/FRESH rules for add, spend, flush, sync and layered caches.
#include "node/storage/coins_cache.h"
#include "storage_test_util.h"

#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

using namespace consensus;
using node::CoinsCacheEntry;
using node::CoinsMap;
using node::CoinsViewCache;
using storage_test::MemoryCoinsView;
using storage_test::TestCoin;
using storage_test::TestHash;

namespace {

constexpr uint8_t DIRTY = CoinsCacheEntry::DIRTY;
constexpr uint8_t FRESH = CoinsCacheEntry::FRESH;

} // namespace

TEST_CASE("A coin added to an empty cache is DIRTY and FRESH and reaches the base on flush", "[storage]")
{
    MemoryCoinsView base;
    CoinsViewCache cache(&base);
    const OutPoint op(TestHash(1), 0);
    cache.AddCoin(op, TestCoin(500), false);
    CHECK(cache.HaveCoinInCache(op));
    CHECK(cache.HaveCoin(op));
    REQUIRE(cache.AccessCoin(op) != nullptr);
    CHECK(cache.AccessCoin(op)->out.value == Amount{500});
    cache.SetBestBlock(TestHash(9));
    REQUIRE(cache.Flush());
    REQUIRE(base.last_batch.size() == 1);
    CHECK(base.last_batch.at(op).flags == (DIRTY | FRESH));
    CHECK(base.coins.at(op) == TestCoin(500));
    CHECK(base.best == TestHash(9));
    CHECK(cache.CacheSize() == 0);
}

TEST_CASE("Spending a FRESH coin erases it so the flush writes nothing", "[storage]")
{
    MemoryCoinsView base;
    CoinsViewCache cache(&base);
    const OutPoint op(TestHash(1), 3);
    cache.AddCoin(op, TestCoin(700), false);
    Coin moved;
    REQUIRE(cache.SpendCoin(op, &moved));
    CHECK(moved == TestCoin(700));
    CHECK(cache.CacheSize() == 0);
    CHECK_FALSE(cache.HaveCoin(op));
    CHECK_FALSE(cache.SpendCoin(op));
    REQUIRE(cache.Flush());
    CHECK(base.last_batch.empty());
    CHECK(base.coins.empty());
}

TEST_CASE("Spending a coin of the base marks it spent and DIRTY and the flush deletes it", "[storage]")
{
    MemoryCoinsView base;
    const OutPoint op(TestHash(2), 0);
    base.coins[op] = TestCoin(42, 7, true);
    CoinsViewCache cache(&base);
    const auto fetched = cache.GetCoin(op);
    REQUIRE(fetched);
    CHECK(fetched->height == 7);
    CHECK(fetched->coinbase);
    CHECK(cache.CacheSize() == 1);
    REQUIRE(cache.SpendCoin(op));
    CHECK(cache.CacheSize() == 1); // kept as a spent DIRTY entry
    CHECK_FALSE(cache.HaveCoin(op));
    CHECK(cache.AccessCoin(op) == nullptr);
    REQUIRE(cache.Flush());
    REQUIRE(base.last_batch.size() == 1);
    CHECK(base.last_batch.at(op).flags == DIRTY);
    CHECK(base.last_batch.at(op).coin.IsSpent());
    CHECK(base.coins.empty());
}

TEST_CASE("A missing coin is not cached and a lookup goes to the base each time", "[storage]")
{
    MemoryCoinsView base;
    CoinsViewCache cache(&base);
    const OutPoint op(TestHash(3), 1);
    CHECK_FALSE(cache.GetCoin(op));
    CHECK_FALSE(cache.HaveCoin(op));
    CHECK(cache.CacheSize() == 0);
    CHECK(base.lookups == 2);
}

TEST_CASE("AddCoin refuses to overwrite an unspent coin unless possible_overwrite is set", "[storage]")
{
    MemoryCoinsView base;
    const OutPoint op(TestHash(4), 0);
    base.coins[op] = TestCoin(1);
    CoinsViewCache cache(&base);
    REQUIRE(cache.HaveCoin(op));
    CHECK_THROWS_AS(cache.AddCoin(op, TestCoin(2), false), std::logic_error);
    cache.AddCoin(op, TestCoin(3), true);
    CHECK(cache.AccessCoin(op)->out.value == Amount{3});
    REQUIRE(cache.Flush());
    // An overwrite is never FRESH: the base has the coin.
    CHECK(base.last_batch.at(op).flags == DIRTY);
    CHECK(base.coins.at(op).out.value == Amount{3});
}

TEST_CASE("A coin re-added after a spend that is not yet flushed is not FRESH", "[storage]")
{
    MemoryCoinsView base;
    const OutPoint op(TestHash(5), 0);
    base.coins[op] = TestCoin(10);
    CoinsViewCache cache(&base);
    REQUIRE(cache.SpendCoin(op));
    cache.AddCoin(op, TestCoin(11), false); // spent DIRTY entry: allowed, but not FRESH
    REQUIRE(cache.SpendCoin(op));
    // Had it been FRESH the entry would be gone and the base would keep the old coin.
    CHECK(cache.CacheSize() == 1);
    REQUIRE(cache.Flush());
    CHECK(base.coins.empty());
}

TEST_CASE("AddCoins skips unspendable outputs and lets a coinbase overwrite", "[storage]")
{
    MemoryCoinsView base;
    CoinsViewCache cache(&base);
    const Transaction cb(storage_test::TestCoinbase(5, 2, /*op_return=*/true));
    cache.AddCoins(cb, 5);
    CHECK(cache.HaveCoin(OutPoint(cb.GetTxid(), 0)));
    CHECK(cache.HaveCoin(OutPoint(cb.GetTxid(), 1)));
    CHECK_FALSE(cache.HaveCoin(OutPoint(cb.GetTxid(), 2)));
    CHECK(cache.CacheSize() == 2);
    CHECK(cache.AccessCoin(OutPoint(cb.GetTxid(), 0))->coinbase);
    CHECK(cache.AccessCoin(OutPoint(cb.GetTxid(), 0))->height == 5);
    // A duplicate coinbase (pre-BIP-34) overwrites without throwing.
    CHECK_NOTHROW(cache.AddCoins(cb, 6));
    CHECK(cache.AccessCoin(OutPoint(cb.GetTxid(), 1))->height == 6);

    const Transaction spend(storage_test::TestSpend(TestHash(1), 0, 2, false, 3));
    cache.AddCoins(spend, 7);
    CHECK_THROWS_AS(cache.AddCoins(spend, 8), std::logic_error);
    CHECK_NOTHROW(cache.AddCoins(spend, 8, /*possible_overwrite=*/true));
    CHECK(cache.AccessCoin(OutPoint(spend.GetTxid(), 0))->height == 8);
    CHECK_FALSE(cache.AccessCoin(OutPoint(spend.GetTxid(), 0))->coinbase);
}

TEST_CASE("AddCoins with possible_overwrite keeps absent coins FRESH", "[storage]")
{
    MemoryCoinsView base;
    CoinsViewCache cache(&base);
    const Transaction spend(storage_test::TestSpend(TestHash(1), 0, 1, false, 3));
    cache.AddCoins(spend, 7, true);
    REQUIRE(cache.Flush());
    CHECK(base.last_batch.at(OutPoint(spend.GetTxid(), 0)).flags == (DIRTY | FRESH));
}

TEST_CASE("A child cache's FRESH coin spent after its flush vanishes from the parent", "[storage]")
{
    MemoryCoinsView base;
    CoinsViewCache parent(&base);
    const OutPoint op(TestHash(6), 0);
    {
        CoinsViewCache child(&parent);
        child.AddCoin(op, TestCoin(5), false);
        REQUIRE(child.Flush());
    }
    CHECK(parent.HaveCoinInCache(op));
    {
        CoinsViewCache child(&parent);
        REQUIRE(child.SpendCoin(op)); // fetched from the parent: not FRESH in the child
        REQUIRE(child.Flush());
    }
    // FRESH in the parent and now spent: dropped, nothing to write to the base.
    CHECK(parent.CacheSize() == 0);
    REQUIRE(parent.Flush());
    CHECK(base.last_batch.empty());
}

TEST_CASE("A spend in a child cache of a base coin reaches the base through the parent", "[storage]")
{
    MemoryCoinsView base;
    const OutPoint op(TestHash(7), 2);
    base.coins[op] = TestCoin(9);
    CoinsViewCache parent(&base);
    {
        CoinsViewCache child(&parent);
        REQUIRE(child.SpendCoin(op));
        child.SetBestBlock(TestHash(8));
        REQUIRE(child.Flush());
    }
    CHECK(parent.CacheSize() == 1);
    CHECK_FALSE(parent.HaveCoin(op));
    CHECK(parent.GetBestBlock() == TestHash(8));
    REQUIRE(parent.Flush());
    CHECK(base.last_batch.at(op).flags == DIRTY);
    CHECK(base.coins.empty());
    CHECK(base.best == TestHash(8));
}

TEST_CASE("A child's spent FRESH coin unknown to the parent is ignored by BatchWrite", "[storage]")
{
    MemoryCoinsView base;
    CoinsViewCache parent(&base);
    CoinsMap map;
    const OutPoint op(TestHash(10), 0);
    map[op] = CoinsCacheEntry{Coin(), static_cast<uint8_t>(DIRTY | FRESH)};
    map[OutPoint(TestHash(11), 0)] = CoinsCacheEntry{TestCoin(3), 0}; // not dirty: skipped
    REQUIRE(parent.BatchWrite(map, TestHash(12)));
    CHECK(parent.CacheSize() == 0);
    CHECK(parent.GetBestBlock() == TestHash(12));
}

TEST_CASE("BatchWrite throws when a FRESH child coin exists unspent in the parent", "[storage]")
{
    MemoryCoinsView base;
    CoinsViewCache parent(&base);
    const OutPoint op(TestHash(13), 0);
    parent.AddCoin(op, TestCoin(1), false);
    CoinsMap map;
    map[op] = CoinsCacheEntry{TestCoin(2), static_cast<uint8_t>(DIRTY | FRESH)};
    CHECK_THROWS_AS(parent.BatchWrite(map, TestHash(14)), std::logic_error);
}

TEST_CASE("A FRESH child coin over a spent parent entry is not FRESH in the parent", "[storage]")
{
    MemoryCoinsView base;
    const OutPoint op(TestHash(15), 0);
    base.coins[op] = TestCoin(1);
    CoinsViewCache parent(&base);
    REQUIRE(parent.SpendCoin(op)); // spent DIRTY in the parent
    {
        CoinsViewCache child(&parent);
        child.AddCoin(op, TestCoin(2), false); // FRESH in the child: the parent says spent
        REQUIRE(child.Flush());
    }
    REQUIRE(parent.HaveCoin(op));
    REQUIRE(parent.Flush());
    CHECK(base.last_batch.at(op).flags == DIRTY);
    CHECK(base.coins.at(op) == TestCoin(2));
}

TEST_CASE("Sync writes every change but keeps the unspent entries clean", "[storage]")
{
    MemoryCoinsView base;
    const OutPoint a(TestHash(16), 0), b(TestHash(16), 1), c(TestHash(17), 0);
    base.coins[a] = TestCoin(1);
    CoinsViewCache cache(&base);
    REQUIRE(cache.SpendCoin(a));
    cache.AddCoin(b, TestCoin(2), false);
    cache.AddCoin(c, TestCoin(3), false);
    REQUIRE(cache.Sync());
    CHECK(base.last_batch.size() == 3);
    CHECK(base.coins.size() == 2);
    CHECK(cache.CacheSize() == 2); // the spent entry is dropped
    CHECK(cache.HaveCoinInCache(b));
    // Clean now: a second sync writes nothing; a spend of a synced coin is a deletion.
    REQUIRE(cache.Sync());
    CHECK(base.last_batch.empty());
    REQUIRE(cache.SpendCoin(b));
    REQUIRE(cache.Flush());
    CHECK(base.last_batch.at(b).flags == DIRTY);
    CHECK(base.coins.size() == 1);
    CHECK(base.coins.count(c) == 1);
}

TEST_CASE("A failed flush keeps the cache contents", "[storage]")
{
    MemoryCoinsView base;
    base.fail = true;
    CoinsViewCache cache(&base);
    cache.AddCoin(OutPoint(TestHash(18), 0), TestCoin(1), false);
    CHECK_FALSE(cache.Flush());
    CHECK(cache.CacheSize() == 1);
}

TEST_CASE("Uncache drops only entries that are neither DIRTY nor FRESH", "[storage]")
{
    MemoryCoinsView base;
    const OutPoint clean(TestHash(19), 0), dirty(TestHash(19), 1);
    base.coins[clean] = TestCoin(1);
    CoinsViewCache cache(&base);
    REQUIRE(cache.HaveCoin(clean));
    cache.AddCoin(dirty, TestCoin(2), false);
    cache.Uncache(clean);
    cache.Uncache(dirty);
    CHECK_FALSE(cache.HaveCoinInCache(clean));
    CHECK(cache.HaveCoinInCache(dirty));
}

TEST_CASE("The best block falls back to the base until set", "[storage]")
{
    MemoryCoinsView base;
    base.best = TestHash(20);
    CoinsViewCache cache(&base);
    CHECK(cache.GetBestBlock() == TestHash(20));
    cache.SetBestBlock(TestHash(21));
    CHECK(cache.GetBestBlock() == TestHash(21));
}

TEST_CASE("DynamicMemoryUsage grows with entries and script bytes and returns on flush", "[storage]")
{
    MemoryCoinsView base;
    CoinsViewCache cache(&base);
    const size_t empty = cache.DynamicMemoryUsage();
    cache.AddCoin(OutPoint(TestHash(22), 0), TestCoin(1), false);
    const size_t one = cache.DynamicMemoryUsage();
    CHECK(one > empty);
    Coin big = TestCoin(2);
    big.out.script_pubkey.assign(5000, 0x51);
    cache.AddCoin(OutPoint(TestHash(22), 1), std::move(big), false);
    CHECK(cache.DynamicMemoryUsage() >= one + 5000);
    REQUIRE(cache.SpendCoin(OutPoint(TestHash(22), 1)));
    CHECK(cache.DynamicMemoryUsage() < one + 5000);
    REQUIRE(cache.Flush());
    CHECK(cache.DynamicMemoryUsage() <= one);
}

TEST_CASE("The outpoint hasher spreads indices and txid bytes over the bits the map uses", "[storage]")
{
    const node::SaltedOutPointHasher h;
    const OutPoint a(TestHash(30), 7);
    CHECK(h(a) == h(OutPoint(TestHash(30), 7)));
    // The Swiss table takes its probe start from the high bits and a 7-bit tag from the
    // low bits: outpoints differing in one field only must differ in both.
    std::set<size_t> starts, tags, all;
    for (uint32_t n = 0; n < 4096; ++n) {
        const size_t v = h(OutPoint(TestHash(30), n));
        all.insert(v);
        starts.insert((v >> 7) & 4095);
        tags.insert(v & 127);
    }
    CHECK(all.size() == 4096);
    CHECK(starts.size() > 2000); // 4096 balls in 4096 bins fill ~2589 of them
    CHECK(tags.size() == 128);
    starts.clear();
    all.clear();
    for (int i = 0; i < 14 * 255; ++i) { // 3570 distinct txids
        Uint256 txid = TestHash(31);
        txid.data()[2 + i % 14] = static_cast<uint8_t>(1 + i / 14); // one byte of the first 16 changed
        const size_t v = h(OutPoint(txid, 0));
        all.insert(v);
        starts.insert((v >> 7) & 4095);
    }
    CHECK(all.size() == 14 * 255);
    CHECK(starts.size() > 2000); // ~2386 expected
}

TEST_CASE("Sync drops every spent entry of a large cache and keeps the rest", "[storage]")
{
    MemoryCoinsView base;
    for (int i = 0; i < 3000; ++i) base.coins[OutPoint(TestHash(uint8_t(i), uint8_t(i >> 8)), 1)] = TestCoin(i + 1);
    CoinsViewCache cache(&base);
    for (int i = 0; i < 3000; ++i) {
        const OutPoint op(TestHash(uint8_t(i), uint8_t(i >> 8)), 1);
        // Every third base coin spent (erased during Sync's walk), the others fetched clean.
        if (i % 3 == 0) {
            REQUIRE(cache.SpendCoin(op));
        } else {
            REQUIRE(cache.HaveCoin(op));
        }
        cache.AddCoin(OutPoint(TestHash(uint8_t(i), uint8_t(i >> 8)), 2), TestCoin(i + 5000), false);
    }
    REQUIRE(cache.CacheSize() == 6000);
    REQUIRE(cache.Sync());
    CHECK(base.last_batch.size() == 4000); // 1000 spends and 3000 adds
    CHECK(cache.CacheSize() == 5000);
    CHECK(base.coins.size() == 5000);
    for (int i = 0; i < 3000; ++i) {
        const OutPoint op(TestHash(uint8_t(i), uint8_t(i >> 8)), 1);
        CHECK(cache.HaveCoinInCache(op) == (i % 3 != 0));
        CHECK(cache.HaveCoinInCache(OutPoint(TestHash(uint8_t(i), uint8_t(i >> 8)), 2)));
    }
    REQUIRE(cache.Flush());
    CHECK(base.last_batch.empty()); // Sync left nothing dirty
}

TEST_CASE("ClearInto empties the cache into the caller's map, which then owns the entries", "[storage]")
{
    MemoryCoinsView base;
    CoinsViewCache cache(&base);
    const OutPoint a(TestHash(1), 0), b(TestHash(2), 1);
    cache.AddCoin(a, TestCoin(500), false);
    cache.AddCoin(b, TestCoin(600), false);
    REQUIRE(cache.WriteBack());
    CoinsMap out;
    out.emplace(OutPoint(TestHash(3), 0), CoinsCacheEntry{}); // stale content is dropped first
    const size_t empty_usage = CoinsViewCache(&base).DynamicMemoryUsage();
    cache.ClearInto(out);
    CHECK(cache.CacheSize() == 0);
    CHECK(cache.DynamicMemoryUsage() == empty_usage); // script bytes forgotten with the entries
    CHECK(out.size() == 2);
    CHECK(out.at(a).coin == TestCoin(500));
    // Reads go to the base again.
    REQUIRE(cache.AccessCoin(b) != nullptr);
    CHECK(cache.AccessCoin(b)->out.value == Amount{600});
}
