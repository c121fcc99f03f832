// The connection manager's gates over real loopback sockets from chosen 127.0.0.N sources:
// banned inbound refused (unless noban), discouraged inbound only while slots are free,
// setban's disconnection, setnetworkactive, and eviction when the inbound slots are full.
#include "net/connman.h"

#include "connman_test_util.h"

#include "consensus/params.h"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <ctime>
#include <mutex>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using Handler = net_test::PeerRecorder;

struct Node {
    Handler handler;
    net::BanMan banman{""};
    std::unique_ptr<net::ConnectionManager> connman;
    explicit Node(const std::function<void(net::ConnmanOptions&)>& configure = {})
    {
        net::ConnmanOptions o;
        o.magic = consensus::Params(consensus::ChainType::REGTEST).message_start;
        o.default_port = 18444;
        o.listen.emplace_back(asio::ip::make_address("127.0.0.1"), 0);
        o.banman = &banman;
        if (configure) configure(o);
        connman = std::make_unique<net::ConnectionManager>(o);
        std::string error;
        REQUIRE(connman->Start(handler, error));
    }
    uint16_t Port() { return connman->ListenPorts().at(0); }
};

/** A client connected from 127.0.0.<n>. */
using Client = net_test::LoopbackClient;

net::NetAddress Addr(const char* s) { return *net::ParseAddress(s); }

} // namespace

TEST_CASE("A banned address is refused at once; others connect; setban closes matching peers", "[net]")
{
    Node node;
    node.banman.Ban(net::SubNet(Addr("127.0.0.2")));
    Client banned(2, node.Port());
    CHECK(banned.ClosedByPeer());
    Client ok(3, node.Port());
    REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == 1; }));
    CHECK(node.handler.inits[0].addr.rfind("127.0.0.3:", 0) == 0);
    CHECK(node.handler.inits[0].permissions == net::NetPermissionFlags::NONE);

    CHECK(node.connman->DisconnectMatching(*net::ParseSubNet("127.0.0.2/31")) == 1);
    CHECK(ok.ClosedByPeer());
    CHECK(node.connman->DisconnectMatching(*net::ParseSubNet("127.0.0.4/30")) == 0);
}

TEST_CASE("A noban whitelisted address is accepted even when banned, with its permissions", "[net]")
{
    Node node([](net::ConnmanOptions& o) {
        net::WhitelistPermissions w;
        std::string error;
        REQUIRE(net::ParseWhitelist("noban@127.0.0.7", w, error));
        o.whitelist.push_back(w);
    });
    node.banman.Ban(*net::ParseSubNet("127.0.0.0/8"));
    Client white(7, node.Port());
    REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == 1; }));
    CHECK(net::PermissionStrings(node.handler.inits[0].permissions) == std::vector<std::string>{"noban", "download"});
    Client other(8, node.Port());
    CHECK(other.ClosedByPeer());
    CHECK(node.connman->Peers().size() == 1);
}

TEST_CASE("A discouraged address connects only while the inbound slots are not nearly full", "[net]")
{
    // Two inbound slots: a discouraged peer needs inbound + 1 < 2.
    Node node([](net::ConnmanOptions& o) { o.max_connections = 19 + 2; });
    REQUIRE(node.connman->MaxInbound() == 2);
    node.banman.Discourage(Addr("127.0.0.4"));
    Client first(4, node.Port());
    REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == 1; }));
    Client second(4, node.Port());
    CHECK(second.ClosedByPeer());
    Client plain(5, node.Port()); // not discouraged: the last slot is its
    REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == 2; }));
    CHECK(node.connman->InboundCount() == 2);
    CHECK(node.connman->Peers().at(0).prefer_evict);
    CHECK_FALSE(node.connman->Peers().at(1).prefer_evict);
}

TEST_CASE("setnetworkactive false closes every connection and refuses new ones until true", "[net]")
{
    Node node;
    Client a(10, node.Port());
    REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == 1; }));
    node.connman->SetNetworkActive(false);
    CHECK_FALSE(node.connman->GetNetworkActive());
    CHECK(a.ClosedByPeer());
    Client b(11, node.Port());
    CHECK(b.ClosedByPeer());
    CHECK(node.handler.Inits() == 1);
    node.connman->SetNetworkActive(true);
    Client c(12, node.Port());
    REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == 2; }));
}

TEST_CASE("When the inbound slots are full a new peer evicts an unprotected one", "[net]")
{
    constexpr int SLOTS = 30;
    Node node([](net::ConnmanOptions& o) { o.max_connections = 19 + SLOTS; });
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < SLOTS; ++i) {
        clients.push_back(std::make_unique<Client>(20 + i, node.Port()));
        REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == static_cast<size_t>(i + 1); }));
    }
    // All from 127/8, no pings or blocks: the protections spare 20 (4 by net group, 8 by ping
    // order, 4 + 4 by tie-breaks) and half the 10 others; the 31st connection takes a slot.
    Client extra(100, node.Port());
    REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == SLOTS + 1; }));
    REQUIRE(node.handler.WaitFor([&] { return node.handler.closed.size() == 1; }));
    std::pair<net::NodeId, std::string> first_closed;
    net::NodeId newest = -1;
    {
        std::lock_guard lock(node.handler.m); // the I/O threads may still report closes
        first_closed = node.handler.closed[0];
        newest = node.handler.inits.back().id;
    }
    CHECK(first_closed.second == "evicted for an inbound connection");
    CHECK(first_closed.first != newest);
}
