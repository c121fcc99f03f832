// Eviction while the evicted peer's close is still pending: over real loopback sockets, every
// inbound peer's strand is held busy (its handler blocks), so a close requested by eviction
// cannot run yet; the next newcomer must evict another peer, not the same one again.
#include "net/connman.h"

#include "connman_test_util.h"

#include "consensus/params.h"
#include "net/frame.h"

#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <condition_variable>
#include <ctime>
#include <mutex>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using net_test::Magic;

/** Records peers; ProcessMessage blocks (on the peer's strand) until Release. */
class BlockingHandler : public net_test::PeerRecorder {
public:
    void ProcessMessage(net::NodeId, const std::string&, std::vector<uint8_t>&&) override
    {
        std::unique_lock lock(m);
        ++blocked;
        cv.notify_all();
        cv.wait(lock, [&] { return released; });
    }
    /** Lets every blocked ProcessMessage return. */
    void Release()
    {
        std::lock_guard lock(m);
        released = true;
        cv.notify_all();
    }

    int blocked{0};
    bool released{false};
};

using Client = net_test::LoopbackClient;

} // namespace

TEST_CASE("A peer whose eviction is still pending is not evicted again for the next newcomer", "[net]")
{
    // 30 inbound slots: enough that eviction's protections (4 + 8 + 4 + 4 and half the rest) leave candidates.
    constexpr int SLOTS = 30;
    BlockingHandler handler;
    net::ConnmanOptions o;
    o.magic = Magic();
    o.default_port = 18444;
    o.listen.emplace_back(asio::ip::make_address("127.0.0.1"), 0);
    o.max_connections = 19 + SLOTS;
    o.io_threads = SLOTS + 2; // every peer's strand holds a thread; two are left to accept
    o.clock = [] { return static_cast<int64_t>(std::time(nullptr)); };
    net::WhitelistPermissions w;
    std::string error;
    REQUIRE(net::ParseWhitelist("noban@127.0.0.200", w, error)); // the newcomers: never candidates themselves
    o.whitelist.push_back(w);
    net::ConnectionManager connman(o);
    REQUIRE(connman.Start(handler, error));
    struct ReleaseAtEnd {
        BlockingHandler& h;
        ~ReleaseAtEnd() { h.Release(); }
    } release_at_end{handler};
    const uint16_t port = connman.ListenPorts().at(0);
    REQUIRE(connman.MaxInbound() == SLOTS);

    std::vector<std::unique_ptr<Client>> peers;
    for (int i = 0; i < SLOTS; ++i) peers.push_back(std::make_unique<Client>(2 + i, port));
    REQUIRE(handler.WaitFor([&] { return handler.inits.size() == SLOTS; }));
    for (auto& p : peers) p->Send("ping");
    REQUIRE(handler.WaitFor([&] { return handler.blocked == SLOTS; })); // no close of theirs can run now

    // Each newcomer finds the slots full and evicts one peer, whose close waits on its strand.
    Client first(200, port);
    REQUIRE(handler.WaitFor([&] { return handler.inits.size() == SLOTS + 1; }));
    Client second(200, port);
    REQUIRE(handler.WaitFor([&] { return handler.inits.size() == SLOTS + 2; }));
    {
        std::lock_guard lock(handler.m); // the handler's lists are written on I/O threads
        CHECK(handler.closed.empty());
    }

    // Two newcomers in: two distinct peers must go, leaving the inbound slots exactly full.
    handler.Release();
    CHECK(handler.WaitFor([&] { return handler.closed.size() == 2; }));
    {
        std::lock_guard lock(handler.m);
        REQUIRE(handler.closed.size() == 2);
        CHECK(handler.closed[0].first != handler.closed[1].first);
        CHECK(handler.closed[0].second == "evicted for an inbound connection");
        CHECK(handler.closed[1].second == "evicted for an inbound connection");
    }
    CHECK(connman.InboundCount() == static_cast<size_t>(SLOTS));
    connman.Stop();
}
