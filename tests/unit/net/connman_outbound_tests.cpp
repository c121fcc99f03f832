// The connection manager's automatic outbound connections (net/connman_outbound.cpp) over
// loopback sockets: addresses come from the address manager (unroutable ones allowed, as on
// regtest), only those with NETWORK and WITNESS, one connection per address group.
#include "net/addrman.h"
#include "net/connman.h"

#include "connman_test_util.h"

#include "consensus/params.h"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

namespace {

/** Counts the connections a connection manager reports. */
class CountingHandler : public net_test::PeerRecorder {
public:
    size_t Count() { return Inits(); }
    /** Waits (at most 30 s) for n connections. */
    bool WaitFor(size_t n)
    {
        return PeerRecorder::WaitFor([&] { return inits.size() >= n; });
    }
};

net::ConnmanOptions BaseOptions()
{
    net::ConnmanOptions o;
    o.magic = consensus::Params(consensus::ChainType::REGTEST).message_start;
    o.default_port = 18444;
    return o;
}

/** A connection manager listening on 127.0.0.1 (ephemeral port). */
struct Listener {
    CountingHandler handler;
    std::unique_ptr<net::ConnectionManager> connman;
    Listener()
    {
        net::ConnmanOptions o = BaseOptions();
        o.listen.emplace_back(boost::asio::ip::make_address("127.0.0.1"), 0);
        connman = std::make_unique<net::ConnectionManager>(o);
        std::string error;
        REQUIRE(connman->Start(handler, error));
    }
    net::AddressEntry Entry(uint64_t services) const
    {
        return {static_cast<uint32_t>(std::time(nullptr)), services,
                net::Service(net::NetAddress::FromIPv4({127, 0, 0, 1}), connman->ListenPorts().at(0))};
    }
};

/** Lets the connection manager's once-a-second tick run a few times. */
void SomeTicks() { std::this_thread::sleep_for(std::chrono::milliseconds(3500)); }

} // namespace

TEST_CASE("Automatic outbound: from the address manager, desirable services only, one per address group", "[net]")
{
    net::AddrManOptions ao;
    ao.allow_unroutable = true;
    net::AddrMan addrman(ao);
    const net::NetAddress source = net::NetAddress::FromIPv4({127, 0, 0, 1});
    std::unique_ptr<Listener> pruned, good, same_group;
    // A new address can find its table slot taken (its port, hence its slot, is random): then
    // the address manager refuses it, as Core; a fresh listener gets another port.
    const auto add_listener = [&](std::unique_ptr<Listener>& l, uint64_t services) {
        for (int i = 0; i < 20; ++i) {
            l = std::make_unique<Listener>();
            if (addrman.Add({l->Entry(services)}, source)) return true;
        }
        return false;
    };
    // A peer without NODE_WITNESS is never dialled automatically.
    REQUIRE(add_listener(pruned, net::NODE_NETWORK));

    CountingHandler handler;
    net::ConnmanOptions o = BaseOptions();
    o.addrman = &addrman;
    o.automatic_outbound = true;
    net::ConnectionManager connman(o);
    std::string error;
    REQUIRE(connman.Start(handler, error));
    SomeTicks();
    CHECK(handler.Count() == 0);
    CHECK(pruned->handler.Count() == 0);

    REQUIRE(add_listener(good, net::NODE_NETWORK | net::NODE_WITNESS));
    REQUIRE(handler.WaitFor(1));
    CHECK(handler.inits[0].type == net::ConnectionType::OUTBOUND_FULL_RELAY);
    REQUIRE(good->handler.WaitFor(1));
    // 127.0.0.0/8 is one group: a second address in it is not dialled while the first is connected.
    REQUIRE(add_listener(same_group, net::NODE_NETWORK | net::NODE_WITNESS));
    SomeTicks();
    CHECK(handler.Count() == 1);
    CHECK(same_group->handler.Count() == 0);
    connman.Stop();
}
