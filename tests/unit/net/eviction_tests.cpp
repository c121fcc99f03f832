// Inbound eviction as a pure function: Core's protection classes, the prefer-evict
// (discouraged) peers, and the choice of the youngest peer of the largest net group.
#include "net/eviction.h"

#include <catch2/catch.hpp>

using net::EvictionCandidate;

namespace {

/**
 * 40 inbound peers: ids 0..19 old, each in its own net group (key 100 + id), ids 20..39 young
 * and all in net group 1. Distinct pings (5000 + id us): the old ones ping lowest. Traced
 * through Core's rules: 16..19 protected by net group, 0..7 by ping, 8..11 and 12..15 by the
 * transaction and block tie-breaks (oldest), 20..29 by uptime: 30..39 remain, all in group 1,
 * and the youngest, 39, is evicted.
 */
std::vector<EvictionCandidate> Base()
{
    std::vector<EvictionCandidate> v;
    for (int id = 0; id < 40; ++id) {
        EvictionCandidate c;
        c.id = id;
        c.connected = 1000 + id;
        c.min_ping_us = 5000 + id;
        c.keyed_net_group = id < 20 ? 100 + static_cast<uint64_t>(id) : 1;
        v.push_back(c);
    }
    return v;
}

} // namespace

TEST_CASE("Eviction picks the youngest peer of the net group with the most connections", "[net]")
{
    CHECK(net::SelectNodeToEvict(Base()) == 39);
}

TEST_CASE("Eviction protects the peer with the lowest ping", "[net]")
{
    auto v = Base();
    v[39].min_ping_us = 1;
    CHECK(net::SelectNodeToEvict(v) == 38);
}

TEST_CASE("Eviction protects a peer that recently sent a block", "[net]")
{
    auto v = Base();
    v[39].last_block_time = 5000;
    CHECK(net::SelectNodeToEvict(v) == 38);
}

TEST_CASE("Eviction protects the longest connected half of the rest", "[net]")
{
    // The ten older young peers share group 2, the ten youngest have a group each: without
    // the uptime protection group 2 (the largest) would lose its youngest, 29.
    auto v = Base();
    for (int id = 20; id < 40; ++id) v[id].keyed_net_group = id < 30 ? 2 : 50 + static_cast<uint64_t>(id);
    CHECK(net::SelectNodeToEvict(v) == 39);
}

TEST_CASE("Eviction prefers discouraged peers among the unprotected", "[net]")
{
    auto v = Base();
    v[31].prefer_evict = true;
    CHECK(net::SelectNodeToEvict(v) == 31);
    v[3].prefer_evict = true; // protected (low ping) even though discouraged
    v[31].prefer_evict = false;
    CHECK(net::SelectNodeToEvict(v) == 39);
}

TEST_CASE("Eviction never picks noban or outbound peers, and may find none", "[net]")
{
    auto v = Base();
    for (int id = 30; id < 40; ++id) {
        if (id % 2) {
            v[id].noban = true;
        } else {
            v[id].inbound = false;
        }
    }
    const auto evicted = net::SelectNodeToEvict(v);
    REQUIRE(evicted);
    CHECK(*evicted < 30);

    const auto base = Base();
    std::vector<EvictionCandidate> few(base.begin(), base.begin() + 4); // all protected by net group
    CHECK_FALSE(net::SelectNodeToEvict(few));
    CHECK_FALSE(net::SelectNodeToEvict({}));
    auto all_noban = Base();
    for (auto& c : all_noban) c.noban = true;
    CHECK_FALSE(net::SelectNodeToEvict(all_noban));
}
