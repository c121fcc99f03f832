// mempool.dat: Core's format (versions 1 and 2), round trip through a pool, hostile files.
#include "mempool_test_util.h"

#include "node/mempool/persist.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace mempool_test;
using consensus::Amount;
using node::mempool::MempoolFile;

namespace {
std::filesystem::path TempDir(const std::string& name)
{
    auto dir = std::filesystem::temp_directory_path() /
               ("minicash_mempool_persist_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

MempoolFile Sample()
{
    MempoolFile f;
    auto a = Tx({Coin(1)}, 2, 1, /*witness=*/true);
    auto b = Tx({Out(a, 0)}, 1, 2);
    f.txs.push_back({a, 1'700'000'000, Amount{0}});
    f.txs.push_back({b, 1'700'000'100, Amount{-500}});
    f.deltas[Coin(77).hash] = Amount{12345};
    f.unbroadcast.insert(b->GetTxid());
    return f;
}

void CheckSame(const MempoolFile& a, const MempoolFile& b)
{
    REQUIRE(a.txs.size() == b.txs.size());
    for (size_t i = 0; i < a.txs.size(); ++i) {
        CHECK(a.txs[i].tx->GetWtxid() == b.txs[i].tx->GetWtxid());
        CHECK(a.txs[i].time == b.txs[i].time);
        CHECK(a.txs[i].fee_delta == b.txs[i].fee_delta);
    }
    CHECK(a.deltas == b.deltas);
    CHECK(a.unbroadcast == b.unbroadcast);
}
} // namespace

TEST_CASE("mempool.dat: version 2 layout, obfuscation and round trip", "[node][mempool]")
{
    const MempoolFile f = Sample();
    const std::array<uint8_t, 8> key{1, 2, 3, 4, 5, 6, 7, 0x80};
    const auto v1 = node::mempool::SerializeMempoolFile(f, std::nullopt);
    const auto v2 = node::mempool::SerializeMempoolFile(f, key);
    // Version 1: the uint64 version then the plain body.
    REQUIRE(v1.size() > 8);
    CHECK(v1[0] == 1);
    // Version 2: version, CompactSize 8 and the key in clear, then the body XORed with
    // key[file offset % 8] (the body starts at offset 17).
    REQUIRE(v2.size() == v1.size() + 9);
    CHECK(v2[0] == 2);
    CHECK(v2[8] == 8);
    CHECK(std::equal(key.begin(), key.end(), v2.begin() + 9));
    for (size_t i = 8; i < v1.size(); ++i) {
        REQUIRE(v2[i + 9] == (v1[i] ^ key[(i + 9) % 8]));
    }
    std::string err;
    auto r1 = node::mempool::ParseMempoolFile(v1, err);
    REQUIRE(r1);
    CHECK(r1->version == 1);
    CheckSame(*r1, f);
    auto r2 = node::mempool::ParseMempoolFile(v2, err);
    REQUIRE(r2);
    CHECK(r2->version == 2);
    CheckSame(*r2, f);
}

TEST_CASE("mempool.dat: DumpMempool and LoadMempoolFile through a pool", "[node][mempool]")
{
    const auto dir = TempDir("dump");
    Pool p;
    auto a = Tx({Coin(1)}, 1, 1);
    auto b = Tx({Out(a, 0)}, 1, 2, true);
    auto c = Tx({Out(b, 0)}, 1, 3);
    // Children pay more, so only parents-first (not fee order) puts a first.
    p.Add(a, 100, 100, p.now - 50);
    p.Add(b, 5000, 100);
    p.Add(c, 9000, 100);
    p.pool->PrioritiseTransaction(b->GetTxid(), Amount{700});
    p.pool->PrioritiseTransaction(Coin(55).hash, Amount{-3}); // not in the pool

    std::string err;
    const auto path = dir / "mempool.dat";
    REQUIRE(node::mempool::DumpMempool(*p.pool, path, err, {c->GetTxid()}));
    CHECK(!std::filesystem::exists(path.string() + ".new"));
    auto loaded = node::mempool::LoadMempoolFile(path, err);
    REQUIRE(loaded);
    CHECK(loaded->version == 2);
    REQUIRE(loaded->txs.size() == 3);
    CHECK(loaded->txs[0].tx->GetTxid() == a->GetTxid());
    CHECK(loaded->txs[0].time == p.now - 50);
    CHECK(loaded->txs[1].tx->GetWtxid() == b->GetWtxid());
    CHECK(loaded->txs[1].fee_delta == Amount{700});
    CHECK(loaded->txs[2].tx->GetTxid() == c->GetTxid());
    // Deltas of transactions in the file ride on their records; the others are in the map.
    CHECK(loaded->deltas == std::map<consensus::Uint256, Amount>{{Coin(55).hash, Amount{-3}}});
    CHECK(loaded->unbroadcast == std::set{c->GetTxid()});

    // Two dumps of the same pool use different keys.
    std::ifstream in1(path, std::ios::binary);
    std::vector<char> first((std::istreambuf_iterator<char>(in1)), {});
    REQUIRE(node::mempool::DumpMempool(*p.pool, path, err));
    std::ifstream in2(path, std::ios::binary);
    std::vector<char> second((std::istreambuf_iterator<char>(in2)), {});
    CHECK(!std::equal(first.begin() + 9, first.begin() + 17, second.begin() + 9));

    CHECK(!node::mempool::LoadMempoolFile(dir / "missing.dat", err));
    std::filesystem::remove_all(dir);
}

TEST_CASE("mempool.dat: corrupted files give an error, never a crash", "[node][mempool]")
{
    std::string err;
    const auto good = node::mempool::SerializeMempoolFile(Sample(), std::array<uint8_t, 8>{9, 8, 7, 6, 5, 4, 3, 2});
    // Every truncation fails.
    for (size_t n = 0; n < good.size(); ++n) {
        std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        err.clear();
        REQUIRE(!node::mempool::ParseMempoolFile(cut, err));
        REQUIRE(!err.empty());
    }
    SECTION("unknown version")
    {
        auto bad = good;
        bad[0] = 3;
        CHECK(!node::mempool::ParseMempoolFile(bad, err));
        CHECK(err.find("version") != std::string::npos);
    }
    SECTION("key of the wrong length")
    {
        auto bad = good;
        bad[8] = 7;
        CHECK(!node::mempool::ParseMempoolFile(bad, err));
    }
    SECTION("huge counts")
    {
        // Version 1, a transaction count of 2^62 and nothing else.
        std::vector<uint8_t> huge{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40};
        CHECK(!node::mempool::ParseMempoolFile(huge, err));
        // No transactions, then a delta map claiming 2^25 entries.
        std::vector<uint8_t> deltas{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0, 0, 0, 2};
        CHECK(!node::mempool::ParseMempoolFile(deltas, err));
    }
    SECTION("garbage")
    {
        uint32_t x = 12345;
        for (int round = 0; round < 200; ++round) {
            auto bad = good;
            for (int k = 0; k < 4; ++k) {
                x = x * 1103515245 + 12345;
                bad[9 + (x >> 8) % (bad.size() - 9)] ^= static_cast<uint8_t>(x >> 24 | 1);
            }
            (void)node::mempool::ParseMempoolFile(bad, err); // any answer, no crash
        }
    }
}
