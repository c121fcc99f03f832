// Helpers shared by the connection manager's unit tests (real loopback sockets): a handler that
// records the peers it is told of, and a client connected from a chosen 127.0.0.N source.
#pragma once

#include "consensus/params.h"
#include "net/frame.h"
#include "net/handler.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace net_test {

/** The regtest network magic. */
inline const net::MessageStart& Magic() { return consensus::Params(consensus::ChainType::REGTEST).message_start; }

/** Records the peers opened and closed (under m); messages are ignored unless a subclass overrides. */
class PeerRecorder : public net::NetHandler {
public:
    void InitializePeer(const net::PeerAddress& p) override
    {
        std::lock_guard lock(m);
        inits.push_back(p);
        cv.notify_all();
    }
    void ProcessMessage(net::NodeId, const std::string&, std::vector<uint8_t>&&) override {}
    void FinalizePeer(net::NodeId peer, const std::string& reason) override
    {
        std::lock_guard lock(m);
        closed.emplace_back(peer, reason);
        cv.notify_all();
    }
    /** How many peers were opened so far. */
    size_t Inits()
    {
        std::lock_guard lock(m);
        return inits.size();
    }
    /** Waits (bounded, 30 s) until pred holds under the lock. */
    template <typename P>
    bool WaitFor(P pred)
    {
        std::unique_lock lock(m);
        return cv.wait_for(lock, std::chrono::seconds(30), [&] { return pred(); });
    }

    std::mutex m;
    std::condition_variable cv;
    std::vector<net::PeerAddress> inits;
    std::vector<std::pair<net::NodeId, std::string>> closed;
};

/** A blocking client connected to 127.0.0.1:port from 127.0.0.<n>. */
struct LoopbackClient {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket{io};
    LoopbackClient(int n, uint16_t port)
    {
        namespace ip = boost::asio::ip;
        socket.open(ip::tcp::v4());
        socket.bind(ip::tcp::endpoint(ip::make_address("127.0.0." + std::to_string(n)), 0));
        socket.connect(ip::tcp::endpoint(ip::make_address("127.0.0.1"), port));
    }
    /** Sends an empty-payload message. */
    void Send(std::string_view command)
    {
        boost::asio::write(socket, boost::asio::buffer(net::FrameMessage(Magic(), command, {})));
    }
    /** True once the node closed the connection (EOF or reset), waiting at most 30 s. */
    bool ClosedByPeer()
    {
        timeval tv{30, 0};
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        std::array<uint8_t, 256> buf;
        for (;;) {
            boost::system::error_code ec;
            socket.read_some(boost::asio::buffer(buf), ec);
            if (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) return true;
            if (ec) return false;
        }
    }
};

} // namespace net_test
