// HttpRpcServer over Boost.Beast. The only translation unit of the node library that
// includes Beast's server side (it is slow to compile).
//
// Flow of one request on its connection's strand: read header (413 over the header limit or
// when Content-Length exceeds the body limit; "100 Continue" when asked) -> read body ->
// client network check (403) -> path "/" or "/wallet/..." (404) -> POST only (405) ->
// credentials (401; a wrong password is answered after a timer, never by sleeping) ->
// bounded queue (503 "Work queue depth exceeded") -> a worker runs ProcessJsonRpcBody and
// posts the reply back to the strand -> write -> next request on the same connection.
#include "node/rpc/http_server.h"

#include "node/rpc/auth.h"
#include "node/rpc/server.h"
#include "node/util/logging.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

namespace node::rpc {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/** A bounded FIFO of jobs served by the worker threads. Thread-safe. */
class WorkQueue {
public:
    void SetMaxDepth(size_t depth) { m_max = depth; }
    /** Adds a job; false when the queue is full or interrupted. */
    bool Enqueue(std::function<void()> job)
    {
        std::lock_guard lock(m_mutex);
        if (m_interrupted || m_jobs.size() >= m_max) return false;
        m_jobs.push_back(std::move(job));
        m_cv.notify_one();
        return true;
    }
    /** Worker loop: runs jobs until interrupted and drained. */
    void Run()
    {
        while (true) {
            std::function<void()> job;
            {
                std::unique_lock lock(m_mutex);
                m_cv.wait(lock, [&] { return m_interrupted || !m_jobs.empty(); });
                if (m_jobs.empty()) return;
                job = std::move(m_jobs.front());
                m_jobs.pop_front();
            }
            job();
        }
    }
    /** Refuses new jobs and wakes the workers so they exit once the queue is empty. */
    void Interrupt()
    {
        std::lock_guard lock(m_mutex);
        m_interrupted = true;
        m_cv.notify_all();
    }
    size_t Size()
    {
        std::lock_guard lock(m_mutex);
        return m_jobs.size();
    }
    void Reset()
    {
        std::lock_guard lock(m_mutex);
        m_interrupted = false;
        m_jobs.clear();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs;
    size_t m_max{16};
    bool m_interrupted{false};
};

net::ip::address Unmap(const net::ip::address& a)
{
    if (a.is_v6() && a.to_v6().is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6());
    return a;
}

std::string EndpointString(const tcp::endpoint& ep)
{
    const net::ip::address a = Unmap(ep.address());
    return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(ep.port()) : a.to_string() + ":" + std::to_string(ep.port());
}

const char CONTINUE_100[] = "HTTP/1.1 100 Continue\r\n\r\n";

} // namespace

class Session;

struct HttpRpcServer::Impl {
    Impl(const RpcTable& t, const RpcAuthenticator& a) : table(t), auth(a) {}

    const RpcTable& table;
    const RpcAuthenticator& auth;
    HttpServerOptions options;
    net::io_context ioc{1};
    std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    std::vector<uint16_t> ports;
    std::thread io_thread;
    std::promise<void> io_done;
    std::vector<std::thread> workers;
    WorkQueue queue;
    std::atomic<bool> stopping{false};
    bool running{false};
    std::mutex sessions_mutex;
    std::list<std::weak_ptr<Session>> sessions;

    void Accept(tcp::acceptor& acceptor);
    bool ClientAllowed(const net::ip::address& address) const
    {
        const net::ip::address a = Unmap(address);
        if (a.is_loopback()) return true;
        const std::string text = a.to_string();
        for (const Subnet& s : options.allow) {
            if (s.Contains(text)) return true;
        }
        return false;
    }
};

/** One client connection. All its handlers run on its strand. */
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket&& socket, HttpRpcServer::Impl& server)
        : m_stream(std::move(socket)), m_timer(m_stream.get_executor()), m_server(server)
    {
        beast::error_code ec;
        const tcp::endpoint ep = m_stream.socket().remote_endpoint(ec);
        if (!ec) {
            m_peer = EndpointString(ep);
            m_allowed = server.ClientAllowed(ep.address());
        }
        m_stream.socket().set_option(tcp::no_delay(true), ec);
    }

    void Start()
    {
        net::dispatch(m_stream.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
    }

    /** Called on shutdown: idle connections close now, busy ones after their reply. */
    void OnServerStop()
    {
        net::post(m_stream.get_executor(), [self = shared_from_this()] {
            if (self->m_reading) {
                beast::error_code ec;
                self->m_stream.socket().cancel(ec);
                self->m_stream.socket().close(ec);
            }
        });
    }

    /** Sends a reply produced by a worker (posted onto the strand). */
    void DeliverResult(JsonRpcHttpResult result)
    {
        net::post(m_stream.get_executor(), [self = shared_from_this(), result = std::move(result)]() mutable {
            self->Reply(result.status, std::move(result.body), result.status != HTTP_NO_CONTENT, false);
        });
    }

private:
    void ReadHeader()
    {
        if (m_server.stopping) return Close();
        m_parser.emplace();
        m_parser->body_limit(m_server.options.max_body_size);
        m_parser->header_limit(static_cast<uint32_t>(m_server.options.max_header_size));
        m_reading = true;
        m_stream.expires_after(m_server.options.idle_timeout);
        http::async_read_header(m_stream, m_buffer, *m_parser,
                                [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
    }

    void OnHeader(beast::error_code ec)
    {
        if (ec) return OnReadError(ec);
        const auto& req = m_parser->get();
        if (beast::iequals(req[http::field::expect], "100-continue") && !m_parser->is_done()) {
            m_stream.expires_after(m_server.options.idle_timeout);
            net::async_write(m_stream, net::buffer(CONTINUE_100, sizeof(CONTINUE_100) - 1),
                             [self = shared_from_this()](beast::error_code wec, size_t) {
                                 if (wec) return self->Close();
                                 self->ReadBody();
                             });
            return;
        }
        ReadBody();
    }

    void ReadBody()
    {
        m_stream.expires_after(m_server.options.idle_timeout);
        http::async_read(m_stream, m_buffer, *m_parser,
                         [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
    }

    void OnReadError(beast::error_code ec)
    {
        m_reading = false;
        if (ec == http::error::body_limit || ec == http::error::header_limit || ec == http::error::buffer_overflow) {
            return Reply(HTTP_PAYLOAD_TOO_LARGE, "", false, true);
        }
        const bool http_error = ec.category() == http::make_error_code(http::error::bad_version).category();
        if (http_error && ec != http::error::end_of_stream && ec != http::error::partial_message) {
            util::LogDebug(util::LogCategory::HTTP, "Malformed HTTP request from %s: %s", m_peer.c_str(), ec.message().c_str());
            return Reply(HTTP_BAD_REQUEST, "", false, true);
        }
        Close();
    }

    void OnRead(beast::error_code ec)
    {
        if (ec) return OnReadError(ec);
        m_reading = false;
        http::request<http::string_body> req = m_parser->release();
        m_keep_alive = req.keep_alive();
        const std::string target(req.target());
        util::LogDebug(util::LogCategory::HTTP, "Received a %s request for %s from %s",
                       std::string(req.method_string()).c_str(), target.c_str(), m_peer.c_str());
        if (!m_allowed) {
            util::LogDebug(util::LogCategory::HTTP, "HTTP request from %s rejected: Client network is not allowed RPC access",
                           m_peer.c_str());
            return Reply(HTTP_FORBIDDEN, "", false, true);
        }
        const http::verb method = req.method();
        if (method != http::verb::get && method != http::verb::post && method != http::verb::head &&
            method != http::verb::put) {
            return Reply(HTTP_BAD_METHOD, "", false, false);
        }
        const bool path_ok = target == "/" || (m_server.options.wallet_endpoints && target.starts_with("/wallet/"));
        if (!path_ok) return Reply(HTTP_NOT_FOUND, "", false, false);
        if (method != http::verb::post) return Reply(HTTP_BAD_METHOD, "JSONRPC server handles only POST requests", false, false);

        auto auth_it = req.find(http::field::authorization);
        if (auth_it == req.end()) return Reply(HTTP_UNAUTHORIZED, "", false, false, true);
        std::string user;
        if (!m_server.auth.Check(std::string(auth_it->value()), user)) {
            util::LogPrintf("ThreadRPCServer incorrect password attempt from %s", m_peer.c_str());
            // Deter brute force without holding a thread: answer after a timer.
            m_timer.expires_after(m_server.options.auth_failure_delay);
            m_timer.async_wait([self = shared_from_this()](beast::error_code) {
                self->Reply(HTTP_UNAUTHORIZED, "", false, false, true);
            });
            return;
        }
        auto self = shared_from_this();
        const bool queued = m_server.queue.Enqueue(
            [self, body = std::move(req.body()), target, user, &server = m_server]() mutable {
                JsonRpcHttpResult result =
                    ProcessJsonRpcBody(server.table, body, target, user, self->m_peer, &server.auth.Whitelist());
                self->DeliverResult(std::move(result));
            });
        if (!queued) {
            util::LogPrintf("WARNING: request rejected because http work queue depth exceeded, it can be increased with "
                            "the -rpcworkqueue= setting");
            Reply(HTTP_SERVICE_UNAVAILABLE, "Work queue depth exceeded", false, false);
        }
    }

    void Reply(int status, std::string body, bool json, bool force_close, bool www_authenticate = false)
    {
        m_response = {};
        m_response.version(11);
        m_response.result(static_cast<unsigned>(status));
        if (www_authenticate) m_response.set(http::field::www_authenticate, "Basic realm=\"jsonrpc\"");
        if (status != HTTP_NO_CONTENT) {
            m_response.set(http::field::content_type, json ? "application/json" : "text/html; charset=ISO-8859-1");
        }
        m_response.body() = std::move(body);
        m_response.keep_alive(m_keep_alive && !force_close && !m_server.stopping);
        m_response.prepare_payload();
        m_stream.expires_after(m_server.options.idle_timeout);
        http::async_write(m_stream, m_response, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return self->Close();
            if (!self->m_response.keep_alive()) return self->Drain();
            self->ReadHeader();
        });
    }

    /** Half-closes and discards what the client still sends (bounded) so it can read our reply. */
    void Drain()
    {
        beast::error_code ec;
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        m_drained = 0;
        m_stream.expires_after(std::chrono::seconds(1));
        DrainSome();
    }

    void DrainSome()
    {
        m_stream.async_read_some(net::buffer(m_discard), [self = shared_from_this()](beast::error_code ec, size_t n) {
            self->m_drained += n;
            if (ec || self->m_drained > (4u << 20)) return self->Close();
            self->DrainSome();
        });
    }

    void Close()
    {
        m_reading = false;
        beast::error_code ec;
        m_timer.cancel();
        m_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        m_stream.socket().close(ec);
    }

    beast::tcp_stream m_stream;
    net::steady_timer m_timer;
    HttpRpcServer::Impl& m_server;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    http::response<http::string_body> m_response;
    std::array<char, 65536> m_discard{};
    size_t m_drained{0};
    std::string m_peer{"unknown"};
    bool m_allowed{false};
    bool m_keep_alive{false};
    bool m_reading{false};
};

void HttpRpcServer::Impl::Accept(tcp::acceptor& acceptor)
{
    acceptor.async_accept(net::make_strand(ioc), [this, &acceptor](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || stopping || !acceptor.is_open()) return;
        if (!ec) {
            auto session = std::make_shared<Session>(std::move(socket), *this);
            {
                std::lock_guard lock(sessions_mutex);
                sessions.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
                sessions.push_back(session);
            }
            session->Start();
        }
        Accept(acceptor);
    });
}

HttpRpcServer::HttpRpcServer(const RpcTable& table, const RpcAuthenticator& auth)
    : m_impl(std::make_unique<Impl>(table, auth))
{
}

HttpRpcServer::~HttpRpcServer() { Stop(); }

std::vector<uint16_t> HttpRpcServer::BoundPorts() const { return m_impl->ports; }

size_t HttpRpcServer::QueuedRequests() const { return m_impl->queue.Size(); }

std::string HttpRpcServer::Start(const HttpServerOptions& options)
{
    Impl& s = *m_impl;
    if (s.running) return "RPC server already running";
    s.options = options;
    s.stopping = false;
    s.ports.clear();
    s.acceptors.clear();
    s.ioc.restart();

    for (const auto& [host, port] : options.bind) {
        beast::error_code ec;
        tcp::resolver resolver(s.ioc);
        auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::numeric_service, ec);
        bool bound = false;
        if (!ec) {
            for (const auto& entry : results) {
                auto acceptor = std::make_unique<tcp::acceptor>(s.ioc);
                const tcp::endpoint ep = entry.endpoint();
                acceptor->open(ep.protocol(), ec);
                if (ec) continue;
                acceptor->set_option(net::socket_base::reuse_address(true), ec);
                if (ep.address().is_v6()) acceptor->set_option(net::ip::v6_only(true), ec);
                acceptor->bind(ep, ec);
                if (ec) continue;
                acceptor->listen(net::socket_base::max_listen_connections, ec);
                if (ec) continue;
                s.ports.push_back(acceptor->local_endpoint(ec).port());
                util::LogPrintf("Binding RPC on address %s port %u", host.c_str(), static_cast<unsigned>(port));
                s.acceptors.push_back(std::move(acceptor));
                bound = true;
                break;
            }
        }
        if (bound && (host == "0.0.0.0" || host == "::")) {
            util::LogPrintf("WARNING: the RPC server is not safe to expose to untrusted networks such as the public internet");
        }
        if (!bound) {
            util::LogPrintf("Binding RPC on address %s port %u failed.", host.c_str(), static_cast<unsigned>(port));
            // Explicit -rpcbind: every address must work. Default loopback pair: ::1 may be
            // missing (no IPv6), but 127.0.0.1 is where clients connect by default, so a port
            // taken there is an error (Core would start half-bound).
            if (options.bind_explicit || host == "127.0.0.1") {
                s.acceptors.clear();
                s.ports.clear();
                return "Binding RPC on address " + host + " port " + std::to_string(port) + " failed.";
            }
        }
    }
    if (s.acceptors.empty()) {
        s.acceptors.clear();
        s.ports.clear();
        return "Unable to bind any endpoint for RPC server";
    }

    s.queue.Reset();
    s.queue.SetMaxDepth(static_cast<size_t>(std::max(options.work_queue, 1)));
    for (auto& acceptor : s.acceptors) s.Accept(*acceptor);
    s.guard.emplace(net::make_work_guard(s.ioc));
    s.io_done = std::promise<void>();
    s.io_thread = std::thread([&s] {
        while (true) {
            try {
                s.ioc.run();
                break;
            } catch (const std::exception& e) {
                util::LogPrintf("HTTP server: unexpected exception: %s", e.what());
            }
        }
        s.io_done.set_value();
    });
    for (int i = 0; i < std::max(options.threads, 1); ++i) {
        s.workers.emplace_back([&s] { s.queue.Run(); });
    }
    s.running = true;
    util::LogDebug(util::LogCategory::RPC, "Starting HTTP RPC server with %d threads and queue depth %d",
                   options.threads, options.work_queue);
    return "";
}

void HttpRpcServer::Stop()
{
    Impl& s = *m_impl;
    if (!s.running) return;
    util::LogDebug(util::LogCategory::RPC, "Stopping HTTP RPC server");
    s.stopping = true;
    // 1. No new connections.
    std::promise<void> closed;
    net::post(s.ioc, [&s, &closed] {
        for (auto& a : s.acceptors) {
            beast::error_code ec;
            a->close(ec);
        }
        closed.set_value();
    });
    closed.get_future().wait();
    // 2. Finish queued and running calls; their replies are posted to the I/O thread.
    s.queue.Interrupt();
    for (auto& w : s.workers) w.join();
    s.workers.clear();
    // 3. Close idle connections; busy ones close after writing their reply.
    {
        std::lock_guard lock(s.sessions_mutex);
        for (auto& w : s.sessions) {
            if (auto session = w.lock()) session->OnServerStop();
        }
        s.sessions.clear();
    }
    s.guard.reset();
    if (s.io_done.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready) s.ioc.stop();
    s.io_thread.join();
    s.acceptors.clear();
    s.running = false;
}

} // namespace node::rpc
