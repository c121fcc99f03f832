// The connection manager and its connections over real loopback sockets: what reaches the
// handler, what closes a connection (with Core's reasons), the send buffer's back-pressure,
// the inactivity checks on a fake clock, the inbound limit and outbound targets.
#include "net/connman.h"

#include "connman_test_util.h"

#include "consensus/params.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <mutex>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using net_test::Magic;

/** Records what the connection manager reports, messages too; optional reactions to them. */
class RecordingHandler : public net_test::PeerRecorder {
public:
    struct Msg {
        net::NodeId peer;
        std::string command;
        std::vector<uint8_t> payload;
    };
    std::function<void(net::NodeId, const std::string&)> on_message; // runs on the peer's strand
    std::function<void(const net::PeerAddress&)> on_init;

    void InitializePeer(const net::PeerAddress& p) override
    {
        if (on_init) on_init(p);
        PeerRecorder::InitializePeer(p);
    }
    void ProcessMessage(net::NodeId peer, const std::string& command, std::vector<uint8_t>&& payload) override
    {
        if (on_message) on_message(peer, command);
        std::lock_guard lock(m);
        msgs.push_back({peer, command, std::move(payload)});
        cv.notify_all();
    }
    size_t MessageCount()
    {
        std::lock_guard lock(m);
        return msgs.size();
    }

    std::vector<Msg> msgs;
};

/** A connection manager listening on an ephemeral loopback port, started with handler. */
struct Node {
    RecordingHandler handler;
    std::atomic<int64_t> clock_offset{0};
    std::unique_ptr<net::ConnectionManager> connman;
    explicit Node(const std::function<void(net::ConnmanOptions&)>& configure = {}, bool listen = true)
    {
        net::ConnmanOptions o;
        o.magic = Magic();
        o.default_port = 18444;
        if (listen) o.listen.emplace_back(asio::ip::make_address("127.0.0.1"), 0);
        o.clock = [this] { return static_cast<int64_t>(std::time(nullptr)) + clock_offset.load(); };
        if (configure) configure(o);
        connman = std::make_unique<net::ConnectionManager>(o);
        std::string error;
        REQUIRE(connman->Start(handler, error));
    }
    uint16_t Port() { return connman->ListenPorts().at(0); }
};

/** A blocking raw client: the test's own bytes on the wire. */
struct RawClient {
    asio::io_context io;
    tcp::socket socket{io};
    explicit RawClient(uint16_t port) { socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)); }
    void Write(const std::vector<uint8_t>& bytes) { asio::write(socket, asio::buffer(bytes)); }
    void Send(std::string_view command, const std::vector<uint8_t>& payload = {})
    {
        Write(net::FrameMessage(Magic(), command, payload));
    }
    /** True once the other side closed (a read returns EOF or an error), waiting at most 30 s. */
    bool ClosedByPeer()
    {
        socket.non_blocking(false);
        timeval tv{30, 0};
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        std::array<uint8_t, 4096> buf;
        for (;;) {
            boost::system::error_code ec;
            socket.read_some(asio::buffer(buf), ec);
            if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
            if (ec) return false; // timeout
        }
    }
};

} // namespace

TEST_CASE("Messages reach the handler in order; a bad checksum or a malformed type is dropped, the connection kept",
          "[net]")
{
    Node node;
    RawClient client(node.Port());
    REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == 1; }));
    CHECK(node.handler.inits[0].type == net::ConnectionType::INBOUND);

    client.Send("ping", {1, 2, 3, 4, 5, 6, 7, 8});
    auto bad_checksum = net::FrameMessage(Magic(), "ping", std::vector<uint8_t>(8, 9));
    bad_checksum[20] ^= 0xff;
    client.Write(bad_checksum);
    auto bad_type = net::FrameMessage(Magic(), "verack", std::vector<uint8_t>{1, 2});
    bad_type[4 + 7] = 'x'; // bytes after the NUL
    client.Write(bad_type);
    client.Send("pong", {8, 7, 6, 5, 4, 3, 2, 1});
    REQUIRE(node.handler.WaitFor([&] { return node.handler.msgs.size() >= 2; }));
    {
        std::lock_guard lock(node.handler.m);
        REQUIRE(node.handler.msgs.size() == 2);
        CHECK(node.handler.msgs[0].command == "ping");
        CHECK(node.handler.msgs[0].payload == std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8});
        CHECK(node.handler.msgs[1].command == "pong"); // read past both dropped messages
        CHECK(node.handler.closed.empty());
    }
    const auto stats = node.connman->Peers().at(0).conn->Stats();
    CHECK(stats.recv_per_msg.at("ping") == 32);
    CHECK(stats.recv_per_msg.at("*other*") == 32 + 26);
}

TEST_CASE("A wrong network magic or an oversized length closes the connection with Core's reason", "[net]")
{
    Node node;
    SECTION("wrong magic")
    {
        RawClient client(node.Port());
        client.Write(net::FrameMessage(consensus::Params(consensus::ChainType::MAIN).message_start, "ping", {}));
        CHECK(client.ClosedByPeer());
        REQUIRE(node.handler.WaitFor([&] { return node.handler.closed.size() == 1; }));
        CHECK(node.handler.closed[0].second == "Header error: Wrong MessageStart");
    }
    SECTION("a length past 4,000,000 bytes, refused before any of it is read")
    {
        RawClient client(node.Port());
        auto frame = net::FrameMessage(Magic(), "block", {});
        const uint32_t len = net::MAX_PROTOCOL_MESSAGE_LENGTH + 1;
        for (int i = 0; i < 4; ++i) frame[16 + i] = static_cast<uint8_t>(len >> (8 * i));
        client.Write(frame);
        CHECK(client.ClosedByPeer());
        REQUIRE(node.handler.WaitFor([&] { return node.handler.closed.size() == 1; }));
        CHECK(node.handler.closed[0].second == "Header error: Size too large");
    }
    CHECK(node.handler.msgs.empty());
}

TEST_CASE("A peer that does not read what it asked for stops being read until it does", "[net]")
{
    // Every ping is answered with 2 MB. The client never reads, so once the kernel's socket
    // buffers are full the answers queue in the connection; past the 1 MB send buffer it
    // stops reading the client's requests (Core's fPauseSend), so the queue cannot grow
    // without bound. Without that the handler would process all 40 pings and queue 80 MB.
    constexpr int PINGS = 40;
    Node node;
    const std::vector<uint8_t> answer(2'000'000, 0x5a);
    node.handler.on_message = [&](net::NodeId peer, const std::string&) { node.connman->Send(peer, "pong", answer); };
    RawClient client(node.Port());
    for (int i = 0; i < PINGS; ++i) client.Send("ping", std::vector<uint8_t>(8, static_cast<uint8_t>(i)));
    // Wait until the handler has seen no new message for half a second.
    size_t seen = 0;
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        const size_t now = node.handler.MessageCount();
        if (now == seen) break;
        seen = now;
    }
    CHECK(seen >= 1);
    CHECK(seen < static_cast<size_t>(PINGS));
    const auto peers = node.connman->Peers();
    REQUIRE(peers.size() == 1);
    CHECK(peers[0].conn->SendQueueBytes() <= 1'000'000 + answer.size() + 24);
    // Reading drains the queue, and every request is then processed.
    std::thread reader([&] {
        std::vector<uint8_t> buf(1 << 16);
        size_t total = 0;
        const size_t want = PINGS * (answer.size() + 24);
        boost::system::error_code ec;
        while (total < want && !ec) total += client.socket.read_some(asio::buffer(buf), ec);
    });
    CHECK(node.handler.WaitFor([&] { return node.handler.msgs.size() == PINGS; }));
    reader.join();
}

TEST_CASE("Core's inactivity checks close silent, handshake-less and stalled connections", "[net]")
{
    Node node([](net::ConnmanOptions& o) { o.peer_connect_timeout = std::chrono::seconds(60); });
    SECTION("nothing sent and received in the first 60 seconds")
    {
        RawClient client(node.Port());
        REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == 1; }));
        node.clock_offset = 59;
        std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // a check runs every second
        CHECK(node.handler.closed.empty());
        node.clock_offset = 61;
        REQUIRE(node.handler.WaitFor([&] { return node.handler.closed.size() == 1; }));
        CHECK(node.handler.closed[0].second == "socket no message in first 60 seconds");
    }
    SECTION("bytes both ways but no handshake within 60 seconds; after it, 20 minutes without sending")
    {
        node.handler.on_message = [&](net::NodeId peer, const std::string&) { node.connman->Send(peer, "pong", {}); };
        {
            RawClient client(node.Port());
            client.Send("ping");
            REQUIRE(node.handler.WaitFor([&] { return node.handler.msgs.size() == 1; }));
            std::this_thread::sleep_for(std::chrono::milliseconds(200)); // the answer is written
            node.clock_offset = 61;
            REQUIRE(node.handler.WaitFor([&] { return node.handler.closed.size() == 1; }));
            CHECK(node.handler.closed[0].second == "version handshake timeout");
        }
        node.clock_offset = 0;
        RawClient client(node.Port());
        client.Send("ping");
        REQUIRE(node.handler.WaitFor([&] { return node.handler.msgs.size() == 2; }));
        const net::NodeId id = node.handler.msgs[1].peer;
        node.connman->MarkHandshakeDone(id);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        node.clock_offset = 61;
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        CHECK(node.handler.closed.size() == 1); // done: no handshake timeout
        node.clock_offset = net::TIMEOUT_INTERVAL_SECONDS + 5;
        REQUIRE(node.handler.WaitFor([&] { return node.handler.closed.size() == 2; }));
        CHECK(node.handler.closed[1].second == "socket sending timeout");
    }
}

TEST_CASE("Inbound connections past the inbound slots are closed at once", "[net]")
{
    // 125 connections leave 106 inbound slots; 20 leave one.
    Node node([](net::ConnmanOptions& o) { o.max_connections = 20; });
    RawClient first(node.Port());
    REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == 1; }));
    RawClient second(node.Port());
    CHECK(second.ClosedByPeer());
    first.Send("ping");
    REQUIRE(node.handler.WaitFor([&] { return node.handler.msgs.size() == 1; }));
    CHECK(node.handler.inits.size() == 1);
    CHECK(node.connman->InboundCount() == 1);
}

TEST_CASE("-connect peers are connected as outbound and reconnected after a disconnection", "[net]")
{
    Node server;
    const std::string target = "127.0.0.1:" + std::to_string(server.Port());
    Node client([&](net::ConnmanOptions& o) { o.connect = {target}; }, false);
    REQUIRE(client.handler.WaitFor([&] { return client.handler.inits.size() == 1; }));
    CHECK(client.handler.inits[0].type == net::ConnectionType::MANUAL);
    REQUIRE(server.handler.WaitFor([&] { return server.handler.inits.size() == 1; }));
    CHECK(server.handler.inits[0].type == net::ConnectionType::INBOUND);
    CHECK(client.connman->Send(client.handler.inits[0].id, "ping", std::vector<uint8_t>(8, 1)));
    REQUIRE(server.handler.WaitFor([&] { return server.handler.msgs.size() == 1; }));

    REQUIRE(server.connman->Disconnect(server.handler.inits[0].id, "test"));
    REQUIRE(client.handler.WaitFor([&] { return client.handler.closed.size() == 1; }));
    client.clock_offset = 6; // past the 5-second retry
    REQUIRE(client.handler.WaitFor([&] { return client.handler.inits.size() == 2; }));
    CHECK(client.handler.inits[1].id != client.handler.inits[0].id);
}

TEST_CASE("addnode: onetry connects once, add keeps a manual target, duplicates and unknown removals refused", "[net]")
{
    Node server;
    const std::string target = "127.0.0.1:" + std::to_string(server.Port());
    Node client({}, false);
    CHECK(client.connman->AddNode(target, true));
    REQUIRE(client.handler.WaitFor([&] { return client.handler.inits.size() == 1; }));
    CHECK(client.handler.inits[0].type == net::ConnectionType::MANUAL);
    CHECK(client.connman->AddedNodes().empty());
    CHECK(client.connman->AddNode(target, false));
    CHECK_FALSE(client.connman->AddNode(target, false));
    CHECK(client.connman->AddedNodes() == std::vector<std::string>{target});
    CHECK(client.connman->RemoveAddedNode(target));
    CHECK_FALSE(client.connman->RemoveAddedNode(target));
    CHECK(client.connman->AddNode("not an address:x", true)); // tried once, fails to parse, forgotten
    CHECK(client.connman->AddedNodes().empty());
}

TEST_CASE("Stop reports every open connection to the handler before it returns", "[net]")
{
    Node node;
    RawClient a(node.Port()), b(node.Port());
    REQUIRE(node.handler.WaitFor([&] { return node.handler.inits.size() == 2; }));
    node.connman->Stop();
    std::lock_guard lock(node.handler.m);
    CHECK(node.handler.closed.size() == 2);
    for (const auto& [id, reason] : node.handler.closed) CHECK(reason == "node shutting down");
    CHECK(node.connman->ConnectionCount() == 0);
}
