// Transaction request scheduling (node/p2p/tx_request.h, Core's TxRequestTracker): one request
// per transaction at a time, preferred announcers first, request delays, expiry and notfound
// falling back to another announcer, forgetting, per-peer counts.
#include "node/p2p/tx_request.h"

#include <catch2/catch.hpp>

#include <random>
#include <set>

using node::p2p::GenTxid;
using node::p2p::TxRequestTracker;
using namespace std::chrono_literals;
using us = std::chrono::microseconds;

namespace {

consensus::Uint256 H(uint8_t n)
{
    consensus::Uint256 h;
    h.data()[0] = n;
    h.data()[31] = 0x5a;
    return h;
}
GenTxid W(uint8_t n) { return GenTxid{true, H(n)}; }
GenTxid T(uint8_t n) { return GenTxid{false, H(n)}; }
const std::pair<uint64_t, uint64_t> SALT{1, 2};

} // namespace

TEST_CASE("tx request: delayed announcement becomes requestable at its time", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    REQUIRE(t.ReceivedInv(1, W(1), true, us{2s}));
    CHECK(t.GetRequestable(1, us{1s}).empty());
    CHECK(t.CountCandidates(1) == 1);
    auto r = t.GetRequestable(1, us{2s});
    REQUIRE(r.size() == 1);
    CHECK(r[0] == W(1));
    // A second inv of the same hash from the same peer is ignored, by txid or by wtxid.
    CHECK_FALSE(t.ReceivedInv(1, W(1), true, 0us));
    CHECK_FALSE(t.ReceivedInv(1, T(1), true, 0us));
    CHECK(t.Count(1) == 1);
    CHECK(t.Size() == 1);
}

TEST_CASE("tx request: results in announcement order", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    for (uint8_t i : {7, 3, 9, 1}) t.ReceivedInv(1, W(i), true, 0us);
    auto r = t.GetRequestable(1, 1s);
    REQUIRE(r.size() == 4);
    CHECK(r[0] == W(7));
    CHECK(r[1] == W(3));
    CHECK(r[2] == W(9));
    CHECK(r[3] == W(1));
}

TEST_CASE("tx request: one request in flight per transaction, fallback on expiry", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    t.ReceivedInv(1, W(1), true, 0us);
    t.ReceivedInv(2, W(1), true, 0us);
    const auto a = t.GetRequestable(1, 1s), b = t.GetRequestable(2, 1s);
    // Exactly one of the two announcers is chosen.
    REQUIRE(a.size() + b.size() == 1);
    const net::NodeId first = a.empty() ? 2 : 1, second = 3 - first;
    t.RequestedTx(first, H(1), us{1s} + us{60s});
    CHECK(t.CountInFlight(first) == 1);
    CHECK(t.GetRequestable(second, 30s).empty()); // still in flight with the first
    std::vector<std::pair<net::NodeId, GenTxid>> expired;
    auto r = t.GetRequestable(second, 61s, &expired);
    REQUIRE(expired.size() == 1);
    CHECK(expired[0].first == first);
    CHECK(expired[0].second == W(1));
    REQUIRE(r.size() == 1); // the request moved to the other announcer
    CHECK(t.CountInFlight(first) == 0);
    CHECK(t.GetRequestable(first, 61s).empty()); // never asked again from the one that failed
}

TEST_CASE("tx request: notfound moves the request to another announcer", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    t.ReceivedInv(1, W(1), true, 0us);
    t.ReceivedInv(2, W(1), false, 2s);
    REQUIRE(t.GetRequestable(1, 0us).size() == 1);
    t.RequestedTx(1, H(1), 60s);
    t.ReceivedResponse(1, H(1));
    CHECK(t.CountInFlight(1) == 0);
    CHECK(t.GetRequestable(2, 1s).empty()); // its own delay still runs
    CHECK(t.GetRequestable(2, 2s).size() == 1);
    t.RequestedTx(2, H(1), 62s);
    // The last announcer answers notfound too: nobody left, the hash is forgotten.
    t.ReceivedResponse(2, H(1));
    CHECK(t.Size() == 0);
    CHECK(t.Count(1) == 0);
}

TEST_CASE("tx request: preferred announcers first", "[node][txrequest]")
{
    // Whatever the salt, a preferred peer wins over non-preferred ones at the same time.
    for (uint64_t salt = 0; salt < 20; ++salt) {
        TxRequestTracker t(std::make_pair(salt, salt * 7));
        t.ReceivedInv(1, W(1), false, 0us);
        t.ReceivedInv(2, W(1), false, 0us);
        t.ReceivedInv(3, W(1), true, 0us);
        t.ReceivedInv(4, W(1), false, 0us);
        CHECK(t.GetRequestable(1, 1s).empty());
        CHECK(t.GetRequestable(2, 1s).empty());
        CHECK(t.GetRequestable(4, 1s).empty());
        CHECK(t.GetRequestable(3, 1s).size() == 1);
    }
}

TEST_CASE("tx request: the non-preferred choice depends on the salt", "[node][txrequest]")
{
    std::set<net::NodeId> chosen;
    for (uint64_t salt = 0; salt < 40; ++salt) {
        TxRequestTracker t(std::make_pair(salt, ~salt));
        for (net::NodeId p = 1; p <= 4; ++p) t.ReceivedInv(p, W(1), false, 0us);
        for (net::NodeId p = 1; p <= 4; ++p)
            if (!t.GetRequestable(p, 1s).empty()) chosen.insert(p);
    }
    CHECK(chosen.size() >= 3); // not always the first announcer
}

TEST_CASE("tx request: a later preferred announcer is chosen once its time comes", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    t.ReceivedInv(1, W(1), false, 2s);
    t.ReceivedInv(2, W(1), true, 0us);
    CHECK(t.GetRequestable(2, 0us).size() == 1);
    CHECK(t.GetRequestable(1, 5s).empty());
}

TEST_CASE("tx request: disconnection hands requests to others", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    t.ReceivedInv(1, W(1), true, 0us);
    t.ReceivedInv(2, W(1), false, 0us);
    t.ReceivedInv(1, W(2), true, 0us);
    REQUIRE(t.GetRequestable(1, 0us).size() == 2);
    t.RequestedTx(1, H(1), 60s);
    t.DisconnectedPeer(1);
    CHECK(t.Count(1) == 0);
    CHECK(t.CountInFlight(1) == 0);
    CHECK(t.Size() == 1);
    auto r = t.GetRequestable(2, 1s);
    REQUIRE(r.size() == 1);
    CHECK(r[0] == W(1));
}

TEST_CASE("tx request: forgetting a hash drops it from every peer", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    for (net::NodeId p = 1; p <= 3; ++p) t.ReceivedInv(p, T(4), true, 0us);
    t.ReceivedInv(1, T(5), true, 0us);
    CHECK(t.Size() == 4);
    t.ForgetTxHash(H(4));
    CHECK(t.Size() == 1);
    CHECK(t.Count(2) == 0);
    auto r = t.GetRequestable(1, 1s);
    REQUIRE(r.size() == 1);
    CHECK(r[0] == T(5));
}

TEST_CASE("tx request: a new request of the same hash completes the older one", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    t.ReceivedInv(1, W(1), true, 0us);
    t.ReceivedInv(2, W(1), true, 0us);
    const net::NodeId best = t.GetRequestable(1, 0us).empty() ? 2 : 1, other = 3 - best;
    t.RequestedTx(best, H(1), 60s);
    // The caller asks the other one anyway (e.g. a parent of an orphan): only one stays in flight.
    t.RequestedTx(other, H(1), 60s);
    CHECK(t.CountInFlight(best) == 0);
    CHECK(t.CountInFlight(other) == 1);
    CHECK(t.GetRequestable(best, 1s).empty());
    // A peer without a candidate for the hash: nothing happens.
    t.RequestedTx(9, H(1), 60s);
    CHECK(t.CountInFlight(9) == 0);
    CHECK(t.CountInFlight(other) == 1);
}

TEST_CASE("tx request: the clock going back delays candidates again", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    t.ReceivedInv(1, W(1), true, 5s);
    CHECK(t.GetRequestable(1, 6s).size() == 1);
    CHECK(t.GetRequestable(1, 4s).empty());
    CHECK(t.GetRequestable(1, 5s).size() == 1);
}

TEST_CASE("tx request: counts and the announcement delay rule", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    for (uint8_t i = 0; i < 10; ++i) t.ReceivedInv(1, W(i), true, 0us);
    auto r = t.GetRequestable(1, 0us);
    REQUIRE(r.size() == 10);
    for (size_t i = 0; i < 4; ++i) t.RequestedTx(1, r[i].hash, 60s);
    CHECK(t.CountInFlight(1) == 4);
    CHECK(t.CountCandidates(1) == 6);
    CHECK(t.Count(1) == 10);

    using node::p2p::TxAnnouncementDelay;
    CHECK(TxAnnouncementDelay(true, true, true, false, 0) == 0us);
    CHECK(TxAnnouncementDelay(false, true, true, false, 0) == us{2s});
    CHECK(TxAnnouncementDelay(false, false, true, false, 0) == 0us);
    CHECK(TxAnnouncementDelay(true, false, false, false, 0) == us{2s});
    CHECK(TxAnnouncementDelay(false, true, false, false, 100) == us{6s});
    CHECK(TxAnnouncementDelay(false, true, false, true, 100) == us{4s});
    CHECK(TxAnnouncementDelay(true, true, true, false, 99) == 0us);
}

TEST_CASE("tx request: many peers and hashes stay consistent", "[node][txrequest]")
{
    TxRequestTracker t(SALT);
    std::mt19937 rng(7);
    for (int round = 0; round < 2000; ++round) {
        const net::NodeId p = rng() % 6;
        const uint8_t h = rng() % 30;
        const us now{round * 100'000};
        switch (rng() % 6) {
        case 0:
        case 1: t.ReceivedInv(p, W(h), rng() % 2, now + us{(rng() % 3) * 1'000'000}); break;
        case 2:
            for (const auto& g : t.GetRequestable(p, now)) {
                // Nobody else may be offered the same hash at the same time.
                for (net::NodeId q = 0; q < 6; ++q)
                    if (q != p)
                        for (const auto& o : t.GetRequestable(q, now)) CHECK_FALSE(o.hash == g.hash);
                t.RequestedTx(p, g.hash, now + us{60s});
            }
            break;
        case 3: t.ReceivedResponse(p, H(h)); break;
        case 4:
            if (rng() % 10 == 0) t.DisconnectedPeer(p);
            break;
        case 5:
            if (rng() % 5 == 0) t.ForgetTxHash(H(h));
            break;
        }
        // The counts add up.
        size_t total = 0;
        for (net::NodeId q = 0; q < 6; ++q) {
            total += t.Count(q);
            CHECK(t.CountInFlight(q) + t.CountCandidates(q) <= t.Count(q));
        }
        CHECK(total == t.Size());
    }
}
