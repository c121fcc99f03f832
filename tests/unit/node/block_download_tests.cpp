// Headers-first download planning (node/p2p/block_download.h) on a node that has a chain's
// headers but none of its blocks, and the chain readers getheaders needs (locator, fork,
// headers after a fork).
#include "chain_builder.h"

#include "node/p2p/block_download.h"

#include <catch2/catch.hpp>

using node::chain::BlockIndex;
using node::p2p::BlockDownload;
using node::p2p::Clock;

namespace {

/** A chain of n blocks mined by `source`, and a fresh node that has only their headers. */
struct HeadersOnly {
    testutil::ChainBuilder source;
    testutil::TempDir dir;
    std::unique_ptr<node::chain::Chainstate> node;
    explicit HeadersOnly(int n)
    {
        source.MineBlocks(n);
        node = testutil::OpenRegtestChainstate(dir.Path());
        std::vector<consensus::BlockHeader> headers;
        for (int h = 1; h <= n; ++h) headers.push_back(source.Chain().AtHeight(h)->GetBlockHeader());
        for (size_t i = 0; i < headers.size(); i += 2000) {
            const std::vector<consensus::BlockHeader> part(headers.begin() + i,
                                                           headers.begin() + std::min(headers.size(), i + 2000));
            REQUIRE(node->ProcessNewBlockHeaders(part).IsValid());
        }
        REQUIRE(node->Height() == 0);
    }
    const BlockIndex* Header(int h) { return node->LookupBlockIndex(source.Chain().AtHeight(h)->GetBlockHash()); }
};

std::vector<int> Heights(const std::vector<const BlockIndex*>& v)
{
    std::vector<int> out;
    for (const BlockIndex* b : v) out.push_back(b->height);
    return out;
}

std::vector<int> Range(int from, int to)
{
    std::vector<int> out;
    for (int h = from; h <= to; ++h) out.push_back(h);
    return out;
}

} // namespace

TEST_CASE("Blocks a peer has are handed out lowest first, each to one peer, at most as many as asked", "[node]")
{
    HeadersOnly f(50);
    BlockDownload d(*f.node);
    d.AddPeer(1);
    d.AddPeer(2);
    d.AddPeer(3);
    d.PeerHas(1, f.Header(50));
    d.PeerHas(2, f.Header(50));
    d.PeerHas(3, f.Header(20));
    d.PeerHas(3, f.Header(10)); // less work: the best known stays
    CHECK(d.BestKnown(3) == f.Header(20));
    const auto now = Clock::now();
    net::NodeId staller = 0;
    auto first = d.NextBlocks(1, 16, &staller);
    CHECK(Heights(first) == Range(1, 16));
    CHECK(staller == -1);
    for (const BlockIndex* b : first) d.MarkRequested(1, b, now);
    CHECK(d.InFlight(1) == 16);
    CHECK(d.InFlightHeights(1) == Range(1, 16));
    CHECK(d.LastCommon(1) == f.node->AtHeight(0)); // nothing downloaded yet: genesis
    CHECK(Heights(d.NextBlocks(2, 16, &staller)) == Range(17, 32));
    CHECK(Heights(d.NextBlocks(3, 16, &staller)) == Range(17, 20)); // only what peer 3 has
    CHECK(d.NextBlocks(4, 16, &staller).empty());                   // unknown peer

    REQUIRE(d.Received(f.Header(1)->GetBlockHash()) == std::optional<net::NodeId>(1));
    CHECK(d.InFlight(1) == 15);
    CHECK_FALSE(d.IsRequested(f.Header(1)->GetBlockHash()));
    CHECK_FALSE(d.Received(f.Header(1)->GetBlockHash()).has_value());

    // A disconnected peer's blocks go back to the pool.
    d.RemovePeer(1);
    CHECK(Heights(d.NextBlocks(2, 20, &staller)) == Range(1, 20));
}

TEST_CASE("Nothing is requested past the 1,024-block window; its holder is named the staller", "[node]")
{
    HeadersOnly f(1100);
    BlockDownload d(*f.node);
    d.AddPeer(1);
    d.AddPeer(2);
    d.PeerHas(1, f.Header(1100));
    d.PeerHas(2, f.Header(1100));
    const auto now = Clock::now();
    net::NodeId staller = 0;
    for (const BlockIndex* b : d.NextBlocks(1, 16, &staller)) d.MarkRequested(1, b, now); // 1..16, never delivered
    int highest = 0;
    for (;;) {
        auto next = d.NextBlocks(2, 500, &staller);
        if (next.empty()) break;
        for (const BlockIndex* b : next) {
            d.MarkRequested(2, b, now);
            highest = std::max(highest, b->height);
        }
    }
    CHECK(highest == node::p2p::BLOCK_DOWNLOAD_WINDOW); // the window's end, past genesis (height 0)
    CHECK(staller == 1);
}

TEST_CASE("A stalling peer is reported after the timeout, which then doubles up to 64 s and decays", "[node]")
{
    HeadersOnly f(3);
    BlockDownload d(*f.node);
    d.AddPeer(1);
    d.PeerHas(1, f.Header(3));
    const auto t0 = Clock::now();
    CHECK(d.StallingTimeout() == std::chrono::seconds(2));
    d.MarkStalling(1, t0);
    d.MarkStalling(1, t0 + std::chrono::seconds(1)); // the clock keeps its start
    CHECK(d.StalledPeers(t0 + std::chrono::seconds(2)).empty());
    CHECK(d.StalledPeers(t0 + std::chrono::milliseconds(2100)) == std::vector<net::NodeId>{1});
    CHECK(d.StallingTimeout() == std::chrono::seconds(4));
    for (int i = 0; i < 10; ++i) {
        d.MarkStalling(1, t0);
        REQUIRE(d.StalledPeers(t0 + std::chrono::seconds(100)).size() == 1);
    }
    CHECK(d.StallingTimeout() == std::chrono::seconds(64));
    // A delivered block stops the peer's clock and lets the timeout decay.
    d.MarkStalling(1, t0);
    d.MarkRequested(1, f.Header(1), t0);
    d.Received(f.Header(1)->GetBlockHash());
    CHECK(d.StalledPeers(t0 + std::chrono::seconds(100)).empty());
    CHECK(d.StallingTimeout() < std::chrono::seconds(64));
}

TEST_CASE("A peer that owes blocks for a block interval (plus half per other downloader) times out", "[node]")
{
    HeadersOnly f(3);
    BlockDownload d(*f.node);
    const std::chrono::seconds interval{600};
    for (net::NodeId p : {1, 2}) {
        d.AddPeer(p);
        d.PeerHas(p, f.Header(3));
    }
    const auto t0 = Clock::now();
    CHECK(d.TimedOutPeers(t0 + std::chrono::hours(5), interval).empty()); // nothing in flight
    d.MarkRequested(1, f.Header(2), t0);
    d.MarkRequested(1, f.Header(1), t0 + std::chrono::seconds(5));
    // Alone: one interval from the first request.
    CHECK(d.TimedOutPeers(t0 + interval, interval).empty());
    auto out = d.TimedOutPeers(t0 + interval + std::chrono::seconds(1), interval);
    REQUIRE(out.size() == 1);
    CHECK(out[0].first == 1);
    CHECK(out[0].second == f.Header(1)->GetBlockHash()); // the lowest block it owes
    // A second downloader adds half an interval.
    d.MarkRequested(2, f.Header(3), t0 + std::chrono::seconds(10));
    CHECK(d.TimedOutPeers(t0 + interval + std::chrono::seconds(1), interval).empty());
    CHECK(d.TimedOutPeers(t0 + interval * 3 / 2 + std::chrono::seconds(1), interval).size() == 1);
    // A delivery restarts the peer's clock.
    d.Received(f.Header(1)->GetBlockHash(), t0 + std::chrono::seconds(400));
    out = d.TimedOutPeers(t0 + interval * 3 / 2 + std::chrono::seconds(11), interval);
    REQUIRE(out.size() == 1);
    CHECK(out[0].first == 2);
    CHECK(
        d.TimedOutPeers(t0 + std::chrono::seconds(400) + interval * 3 / 2 + std::chrono::seconds(1), interval).size() ==
        2);
}

TEST_CASE("Nothing else in flight: Core's condition for choosing a high-bandwidth compact block peer", "[node]")
{
    HeadersOnly f(3);
    BlockDownload d(*f.node);
    d.AddPeer(1);
    d.PeerHas(1, f.Header(3));
    const auto h1 = f.Header(1)->GetBlockHash(), h2 = f.Header(2)->GetBlockHash();
    CHECK(d.NothingElseInFlight(h1)); // nothing at all
    d.MarkRequested(1, f.Header(1), Clock::now());
    CHECK(d.NothingElseInFlight(h1)); // only this one
    d.MarkRequested(1, f.Header(2), Clock::now());
    CHECK_FALSE(d.NothingElseInFlight(h1));
    d.Received(h2);
    CHECK(d.NothingElseInFlight(h1));
    CHECK_FALSE(d.NothingElseInFlight(h2));
}

TEST_CASE("getheaders' readers: locator, fork in a locator, headers after the fork", "[node]")
{
    testutil::ChainBuilder b;
    b.MineBlocks(30);
    node::chain::Chainstate& cs = b.Chain();
    const auto locator = cs.GetLocator();
    REQUIRE(locator.size() >= 11);
    CHECK(locator.front() == cs.Tip()->GetBlockHash());
    CHECK(locator.back() == cs.AtHeight(0)->GetBlockHash());
    // A peer whose tip is our block 12 (and unknown blocks after it) forks there.
    std::vector<consensus::Uint256> theirs{consensus::Uint256::FromHex(std::string(64, 'a')).value(),
                                           cs.AtHeight(12)->GetBlockHash(), cs.AtHeight(0)->GetBlockHash()};
    CHECK(cs.FindForkInLocator(theirs) == cs.AtHeight(12));
    CHECK(cs.FindForkInLocator({}) == cs.AtHeight(0));
    const auto all = cs.ActiveHeadersAfter(cs.AtHeight(12), consensus::Uint256(), 2000);
    REQUIRE(all.size() == 18);
    CHECK(all.front().GetHash() == cs.AtHeight(13)->GetBlockHash());
    CHECK(cs.ActiveHeadersAfter(cs.AtHeight(12), cs.AtHeight(15)->GetBlockHash(), 2000).size() == 3);
    CHECK(cs.ActiveHeadersAfter(cs.AtHeight(0), consensus::Uint256(), 5).size() == 5);
    CHECK(cs.ActiveHeadersAfter(cs.Tip(), consensus::Uint256(), 2000).empty());
}
