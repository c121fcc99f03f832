// The rolling bloom filter (node/p2p/rolling_bloom.h): no false negatives for the recent
// entries, about the false-positive rate asked for, old entries forgotten.
#include "node/p2p/rolling_bloom.h"

#include <catch2/catch.hpp>

using node::p2p::RollingBloomFilter;

namespace {
consensus::Uint256 Key(uint32_t n, uint32_t tag = 0)
{
    consensus::Uint256 h;
    for (int i = 0; i < 4; ++i) {
        h.data()[i] = static_cast<uint8_t>(n >> (8 * i));
        h.data()[4 + i] = static_cast<uint8_t>(tag >> (8 * i));
    }
    return h;
}
} // namespace

TEST_CASE("rolling bloom: the last n entries are always found", "[node][rollingbloom]")
{
    RollingBloomFilter f(1000, 0.001);
    for (uint32_t i = 0; i < 5000; ++i) {
        f.Insert(Key(i));
        // Everything of the last 1000 insertions is still there.
        if (i % 250 == 0) {
            for (uint32_t j = i >= 999 ? i - 999 : 0; j <= i; ++j) REQUIRE(f.Contains(Key(j)));
        }
    }
}

TEST_CASE("rolling bloom: false positive rate near the target", "[node][rollingbloom]")
{
    RollingBloomFilter f(10000, 0.01);
    for (uint32_t i = 0; i < 10000; ++i) f.Insert(Key(i, 1));
    int fp = 0;
    const int probes = 100000;
    for (uint32_t i = 0; i < probes; ++i) fp += f.Contains(Key(i, 2));
    // Asked for 1%; with up to 1.5 n live entries the true rate is below it. Loose bounds.
    CHECK(fp < probes * 2 / 100);
    CHECK(fp > 0); // it is a bloom filter, not a set: some false positives show up at 1%
}

TEST_CASE("rolling bloom: a low rate holds with many functions made by double hashing", "[node][rollingbloom]")
{
    // 13 functions from two hashes: each must still add its own information. Filled to its
    // design load (1.5 n live entries) the rate is about the 1 in 10,000 asked for, so about 40
    // of the 400,000 probes; one cell per key (a second hash that adds nothing) gives thousands.
    RollingBloomFilter f(20000, 0.0001);
    CHECK(f.HashFunctions() == 13);
    for (uint32_t i = 0; i < 30000; ++i) f.Insert(Key(i, 3));
    int fp = 0;
    const int probes = 400000;
    for (uint32_t i = 0; i < probes; ++i) fp += f.Contains(Key(i, 4));
    CHECK(fp < 2 * probes / 10000); // under twice the target
    // The last 20,000 entries are all there.
    for (uint32_t i = 10000; i < 30000; ++i) REQUIRE(f.Contains(Key(i, 3)));
    // Keys of other lengths (addresses) take the general path: also found.
    const std::vector<uint8_t> addr{1, 2, 3, 4, 5, 6, 0x20, 0x8d};
    f.Insert(addr);
    CHECK(f.Contains(addr));
}

TEST_CASE("rolling bloom: old entries roll out", "[node][rollingbloom]")
{
    RollingBloomFilter f(100, 0.000001);
    for (uint32_t i = 0; i < 100; ++i) f.Insert(Key(i, 7));
    for (uint32_t i = 0; i < 100; ++i) REQUIRE(f.Contains(Key(i, 7)));
    // Two full capacities later every first entry is gone (two generation wipes have passed it).
    for (uint32_t i = 0; i < 200; ++i) f.Insert(Key(i, 8));
    int still = 0;
    for (uint32_t i = 0; i < 100; ++i) still += f.Contains(Key(i, 7));
    CHECK(still == 0);
    for (uint32_t i = 100; i < 200; ++i) CHECK(f.Contains(Key(i, 8)));
}

TEST_CASE("rolling bloom: reset and Core's recent-rejects size", "[node][rollingbloom]")
{
    RollingBloomFilter f(120000, 0.000001);
    CHECK(f.HashFunctions() == 20);
    CHECK(f.MemoryBytes() < 1'500'000); // Core's recent rejects filter is about 1.3 MB
    f.Insert(Key(1));
    CHECK(f.Contains(Key(1)));
    f.Reset();
    CHECK_FALSE(f.Contains(Key(1)));
}
