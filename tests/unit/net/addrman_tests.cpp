// The address manager (net/addrman.h): bucketing by source group (one source cannot fill the
// new table), Good moving addresses to tried, routability filtering, GetAddr's limits, and
// the peers file (round trip, corruption and another network's file refused).
#include "net/addrman.h"

#include "node/chain_builder.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <unistd.h>

namespace {

constexpr int64_t NOW = 1'700'000'000;

net::AddrManOptions Options(bool unroutable = false)
{
    net::AddrManOptions o;
    o.key = std::array<uint64_t, 2>{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
    o.seed = 42;
    o.clock = [] { return NOW; };
    o.allow_unroutable = unroutable;
    return o;
}

net::NetAddress V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return net::NetAddress::FromIPv4({a, b, c, d}); }

net::AddressEntry Entry(const net::NetAddress& a, uint16_t port = 8333)
{
    return net::AddressEntry{static_cast<uint32_t>(NOW - 100), net::NODE_NETWORK, net::Service(a, port)};
}

using testutil::TempDir;

const net::MessageStart MAGIC{0xfa, 0xbf, 0xb5, 0xda};

} // namespace

TEST_CASE("addrman: one source group reaches a bounded number of new buckets", "[net]")
{
    net::AddrMan am(Options());
    const net::NetAddress source = V4(50, 1, 1, 1);
    // 5,000 addresses in 250 different /16 groups, all told by one source.
    std::set<int> buckets;
    for (int i = 0; i < 5000; ++i) {
        const net::NetAddress a = V4(static_cast<uint8_t>(1 + i % 250), static_cast<uint8_t>(i / 250), 7, 9);
        am.Add({Entry(a)}, source, 0);
        for (int b : am.BucketsOf(net::Service(a, 8333))) buckets.insert(b);
    }
    CHECK(buckets.size() <= static_cast<size_t>(net::ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP));
    // Hence at most 64 x 64 entries from it, whatever it sends.
    CHECK(am.Size() <= static_cast<size_t>(net::ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP * net::ADDRMAN_BUCKET_SIZE));
    CHECK(am.Size() > 1000); // but it was not refused wholesale

    // A source in the same /16 is the same group: still the same 64 buckets.
    std::set<int> same;
    for (int i = 0; i < 200; ++i)
        same.insert(am.NewBucket(net::Service(V4(99, static_cast<uint8_t>(i), 1, 1), 8333), V4(50, 1, 200, 3)));
    for (int b : same) CHECK(buckets.count(b) == 1);
}

TEST_CASE("addrman: different source groups spread over many buckets", "[net]")
{
    net::AddrMan am(Options());
    const net::Service addr(V4(1, 2, 3, 4), 8333);
    std::set<int> buckets;
    for (int i = 0; i < 1000; ++i) {
        buckets.insert(am.NewBucket(addr, V4(static_cast<uint8_t>(1 + i % 200), static_cast<uint8_t>(i / 200), 0, 1)));
    }
    // One address group x many source groups: up to 64 buckets, and it uses most of them.
    CHECK(buckets.size() > 32);
    // Many address groups from many sources: spread over most of the table.
    std::set<int> wide;
    for (int i = 0; i < 5000; ++i) {
        const auto x = static_cast<uint8_t>(i % 251), y = static_cast<uint8_t>(i / 251);
        wide.insert(am.NewBucket(net::Service(V4(x, y, 1, 1), 8333), V4(y, x, 2, 2)));
    }
    CHECK(wide.size() > 900);
    // Tried buckets: one address group reaches at most 8.
    std::set<int> tried;
    for (int i = 0; i < 1000; ++i)
        tried.insert(am.TriedBucket(net::Service(V4(1, 2, static_cast<uint8_t>(i), 4), 8333)));
    CHECK(tried.size() <= static_cast<size_t>(net::ADDRMAN_TRIED_BUCKETS_PER_GROUP));
    CHECK(tried.size() > 1);
}

TEST_CASE("addrman: Good moves an address to tried, Select finds it", "[net]")
{
    net::AddrMan am(Options());
    const net::Service a(V4(8, 8, 8, 8), 8333);
    REQUIRE(am.Add({Entry(a.Address())}, V4(9, 9, 9, 9)));
    CHECK(am.Size({}, true) == 1);
    CHECK(am.Size({}, false) == 0);
    REQUIRE(am.Good(a));
    CHECK(am.Size({}, true) == 0);
    CHECK(am.Size({}, false) == 1);
    CHECK(am.BucketsOf(a) == std::vector<int>{am.TriedBucket(a)});
    auto sel = am.Select();
    REQUIRE(sel);
    CHECK(sel->addr.service == a);
    CHECK(sel->tried);
    CHECK_FALSE(am.Select(true)); // nothing new left
    CHECK_FALSE(am.Good(net::Service(V4(8, 8, 4, 4), 8333)));
    // Adding it again does not bring it back to the new table.
    CHECK_FALSE(am.Add({Entry(a.Address())}, V4(10, 9, 9, 9)));
    CHECK(am.Size({}, true) == 0);
}

TEST_CASE("addrman: unroutable addresses only when allowed", "[net]")
{
    net::AddrMan strict(Options(false));
    CHECK_FALSE(strict.Add({Entry(V4(127, 0, 0, 1))}, V4(127, 0, 0, 1)));
    CHECK_FALSE(strict.Add({Entry(V4(192, 168, 1, 1))}, V4(1, 1, 1, 1)));
    CHECK_FALSE(strict.Add({Entry(V4(0, 0, 0, 0))}, V4(1, 1, 1, 1)));
    CHECK(strict.Size() == 0);
    net::AddrMan regtest(Options(true));
    CHECK(regtest.Add({Entry(V4(127, 0, 0, 1), 18444)}, V4(127, 0, 0, 1)));
    CHECK_FALSE(regtest.Add({Entry(V4(0, 0, 0, 0))}, V4(1, 1, 1, 1))); // never a placeholder
    CHECK(regtest.Size() == 1);
}

TEST_CASE("addrman: GetAddr returns at most 23% and skips terrible entries", "[net]")
{
    net::AddrMan am(Options());
    for (int i = 0; i < 1000; ++i) {
        am.Add({Entry(V4(static_cast<uint8_t>(1 + i % 200), static_cast<uint8_t>(i / 200), 1, 1))},
               V4(static_cast<uint8_t>(1 + i % 100), 5, 5, 5));
    }
    const size_t n = am.Size();
    REQUIRE(n > 500);
    CHECK(am.GetAddr(net::ADDRMAN_GETADDR_MAX, net::ADDRMAN_GETADDR_MAX_PCT).size() == n * 23 / 100);
    CHECK(am.GetAddr(10, 0).size() == 10);
    // An address last seen 40 days ago is terrible: never given out.
    net::AddrMan old(Options());
    net::AddressEntry e = Entry(V4(8, 8, 8, 8));
    e.time = static_cast<uint32_t>(NOW - 40 * 24 * 3600);
    REQUIRE(old.Add({e}, V4(9, 9, 9, 9)));
    CHECK(old.GetAddr(0, 0).empty());
    CHECK(old.GetAddr(0, 0, net::Network::IPV4).empty());
}

TEST_CASE("addrman: the peers file round-trips", "[net]")
{
    TempDir dir;
    const auto path = dir.Path() / "peers.dat";
    net::AddrMan am(Options());
    for (int i = 0; i < 300; ++i) am.Add({Entry(V4(static_cast<uint8_t>(1 + i), 2, 3, 4))}, V4(60, 1, 1, 1));
    const net::Service good(V4(3, 2, 3, 4), 8333);
    REQUIRE(am.Good(good));
    am.Attempt(net::Service(V4(4, 2, 3, 4), 8333), true);
    std::string error;
    REQUIRE(am.SaveFile(path, MAGIC, error));

    net::AddrManOptions o = Options();
    o.key.reset(); // the key comes from the file
    net::AddrMan loaded(o);
    REQUIRE(loaded.LoadFile(path, MAGIC, error) == net::AddrManLoad::OK);
    CHECK(loaded.Key() == am.Key());
    CHECK(loaded.Size() == am.Size());
    CHECK(loaded.Size({}, false) == 1);
    auto all = am.All(), again = loaded.All();
    const auto key = [](const net::AddrManEntry& e) {
        return std::make_tuple(e.addr.service, e.addr.time, e.addr.services, e.attempts, e.tried, e.last_try);
    };
    std::set<decltype(key(all[0]))> a, b;
    for (const auto& e : all) a.insert(key(e));
    for (const auto& e : again) b.insert(key(e));
    CHECK(a == b);
    CHECK(loaded.BucketsOf(good) == am.BucketsOf(good));

    net::AddrMan none(Options());
    CHECK(none.LoadFile(dir.Path() / "absent.dat", MAGIC, error) == net::AddrManLoad::MISSING);
}

TEST_CASE("addrman: a corrupt or foreign peers file is detected", "[net]")
{
    TempDir dir;
    const auto path = dir.Path() / "peers.dat";
    net::AddrMan am(Options());
    for (int i = 0; i < 50; ++i) am.Add({Entry(V4(static_cast<uint8_t>(1 + i), 2, 3, 4))}, V4(60, 1, 1, 1));
    std::string error;
    REQUIRE(am.SaveFile(path, MAGIC, error));
    const auto bytes = am.Serialize(MAGIC);

    // Any flipped byte fails the checksum; the table stays as it was.
    for (size_t at : {size_t{0}, size_t{5}, size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
        auto bad = bytes;
        bad[at] ^= 0x01;
        net::AddrMan target(Options());
        target.Add({Entry(V4(8, 8, 8, 8))}, V4(9, 9, 9, 9));
        CHECK_FALSE(target.Deserialize(bad, MAGIC, error));
        CHECK(target.Size() == 1);
    }
    // Truncated.
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size() - 10));
    }
    net::AddrMan target(Options());
    CHECK(target.LoadFile(path, MAGIC, error) == net::AddrManLoad::CORRUPT);
    CHECK_FALSE(error.empty());
    // Another network's file, with a good checksum.
    CHECK_FALSE(target.Deserialize(am.Serialize({1, 2, 3, 4}), MAGIC, error));
    CHECK(error.find("another network") != std::string::npos);
}
