// What a misbehaving peer gets (Core's MaybeDiscourageAndDisconnect) and the historical block
// serving limit of -maxuploadtarget.
#include "node/p2p/peer_policy.h"

#include <catch2/catch.hpp>

using net::ConnectionType;
using net::NetPermissionFlags;
using node::p2p::Punishment;

namespace {
net::NetAddress Addr(const char* s) { return *net::ParseAddress(s); }
} // namespace

TEST_CASE("Misbehaving peers are discouraged unless noban, manual or local, as Core", "[node]")
{
    const auto remote = Addr("8.8.8.8");
    CHECK(node::p2p::DecidePunishment(NetPermissionFlags::NONE, ConnectionType::INBOUND, remote) ==
          Punishment::DISCOURAGE);
    CHECK(node::p2p::DecidePunishment(NetPermissionFlags::NONE, ConnectionType::OUTBOUND_FULL_RELAY, remote) ==
          Punishment::DISCOURAGE);
    CHECK(node::p2p::DecidePunishment(NetPermissionFlags::NOBAN, ConnectionType::INBOUND, remote) == Punishment::NONE);
    CHECK(node::p2p::DecidePunishment(NetPermissionFlags::RELAY | NetPermissionFlags::MEMPOOL, ConnectionType::INBOUND,
                                      remote) == Punishment::DISCOURAGE);
    CHECK(node::p2p::DecidePunishment(NetPermissionFlags::NONE, ConnectionType::MANUAL, remote) == Punishment::NONE);
    CHECK(node::p2p::DecidePunishment(NetPermissionFlags::NONE, ConnectionType::INBOUND, Addr("127.0.0.5")) ==
          Punishment::DISCONNECT);
    CHECK(node::p2p::DecidePunishment(NetPermissionFlags::NONE, ConnectionType::INBOUND, Addr("::1")) ==
          Punishment::DISCONNECT);
    CHECK(node::p2p::DecidePunishment(NetPermissionFlags::NOBAN, ConnectionType::INBOUND, Addr("127.0.0.5")) ==
          Punishment::NONE);
}

TEST_CASE("Historical blocks stop past the upload target unless the peer may download", "[node]")
{
    int64_t now = 1'000'000;
    net::UploadTarget t(100'000'000, [&] { return now; }); // below the day's buffer: historical serving is off
    t.Observe(1);
    const int64_t best = 2'000'000'000, week = node::p2p::HISTORICAL_BLOCK_AGE_SECONDS;
    CHECK(node::p2p::HistoricalServingLimited(t, best - week - 1, best, NetPermissionFlags::NONE));
    CHECK_FALSE(node::p2p::HistoricalServingLimited(t, best - week, best, NetPermissionFlags::NONE)); // recent
    CHECK_FALSE(node::p2p::HistoricalServingLimited(t, best - week - 1, best, NetPermissionFlags::DOWNLOAD));
    CHECK_FALSE(node::p2p::HistoricalServingLimited(t, best - week - 1, best, NetPermissionFlags::NOBAN));
    net::UploadTarget none(0, [&] { return now; });
    CHECK_FALSE(node::p2p::HistoricalServingLimited(none, 0, best, NetPermissionFlags::NONE));
}
