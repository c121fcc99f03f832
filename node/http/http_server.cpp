// HttpRpcServer over Boost.Beast. The only translation unit of the node library that
// includes Beast's server side (it is slow to compile).
//
// Everything network-facing runs on ONE I/O thread (io_context with one thread, no strands):
// the accept loop, every connection, the credential gate and the counters, so they need no
// locks. -rpcthreads workers only run ProcessJsonRpcBody and post the reply back.
//
// Flow of one request: accept (at the connection cap the oldest connection still waiting for
// a request is closed to make room; EMFILE and the like pause accepting for a moment) ->
// read the HEADER only (8 KiB limit; 413 when Content-Length exceeds the body limit) ->
// client network (403) -> Transfer-Encoding other than plain "chunked" (400) -> method (405)
// -> path "/" or "/wallet/..." (404) -> POST only (405) -> credentials (401 without a body
// read; checks wait behind a recent failure, globally, see AuthCheckGate) -> "100 Continue"
// when asked -> read the body -> bounded queue (503) -> a worker -> write -> next request.
// A reply sent before the body was read closes the connection. HEAD replies carry no body.
#include "node/http/http_server.h"

#include "node/http/auth.h"
#include "node/http/http_limits.h"
#include "common/rpc/server.h"
#include "node/http/jsonrpc.h"
#include "util/logging.h"
#include "util/sync.h"
#include "util/work_queue.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <list>
#include <optional>
#include <thread>
#include <unordered_map>

namespace node::http {

using namespace common::rpc;

namespace beast = boost::beast;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

asio::ip::address Unmap(const asio::ip::address& a)
{
    if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a;
}

std::string EndpointString(const tcp::endpoint& ep)
{
    const asio::ip::address a = Unmap(ep.address());
    return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(ep.port())
                     : a.to_string() + ":" + std::to_string(ep.port());
}

const char CONTINUE_100[] = "HTTP/1.1 100 Continue\r\n\r\n";

/** accept() failed for lack of descriptors or memory: retrying at once would spin. */
bool IsResourceExhaustion(const beast::error_code& ec)
{
    if (ec.category() != boost::system::system_category()) return false;
    const int v = ec.value();
    return v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM;
}

/** Only "Transfer-Encoding: chunked" (one field, one coding) or none, as Core's libevent. */
bool FramingSupported(const bhttp::request<bhttp::string_body>& req)
{
    size_t fields = 0;
    for (const auto& field : req) {
        if (field.name() != bhttp::field::transfer_encoding) continue;
        if (++fields > 1) return false;
        beast::string_view v = field.value();
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        if (!beast::iequals(v, "chunked")) return false;
    }
    return true;
}

/** Rough heap cost of a Beast tcp_stream (socket, its timers and operation state); diagnostics only. */
constexpr size_t STREAM_OVERHEAD = 1024;
/** Rough heap cost of one header field on top of its name and value; diagnostics only. */
constexpr size_t FIELD_OVERHEAD = 64;

} // namespace

/** Where a connection is; decides what Stop and the connection cap may close. */
enum class Phase : uint8_t {
    WAIT_REQUEST, //!< waiting for (the rest of) a request header, or idle between requests
    AUTH_WAIT,    //!< header read; its credential check waits at the gate
    AUTH_FAILED,  //!< wrong credentials; the 401 goes out when the gate says
    READ_BODY,    //!< authenticated; reading the body
    WORKING,      //!< queued for or running on a worker
    WRITING,      //!< writing a reply
    DRAINING,     //!< reply sent, connection closing: discarding what the client still sends
    CLOSED,
};

class Session;

struct HttpRpcServer::Impl {
    Impl(const RpcTable& t, const RpcAuthenticator& a) : table(t), auth(a) {}

    const RpcTable& table;
    const RpcAuthenticator& auth;
    HttpServerOptions options;
    asio::io_context ioc{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    std::vector<std::unique_ptr<asio::steady_timer>> accept_timers; // one per acceptor: the EMFILE pause
    std::vector<uint16_t> ports;
    std::thread io_thread;
    std::promise<void> io_done;
    std::vector<std::thread> workers;
    util::WorkQueue queue;
    std::atomic<bool> stopping{false};
    bool running{false};

    /**
     * "Runs on the I/O thread": the state below (and each Session's) is confined to it, no
     * mutex guards it. Asio handlers assert the role on entry; Start (before the thread
     * runs) and Stop (after it was joined) stand in for it.
     */
    util::ThreadRole io_role;
    std::list<std::weak_ptr<Session>> sessions GUARDED_BY(io_role); // in accept order
    std::atomic<size_t> open_connections{0};                        // atomic: a worker may drop the last reference
    uint64_t next_session_id GUARDED_BY(io_role){1};
    AuthCheckGate auth_gate GUARDED_BY(io_role){std::chrono::milliseconds(250)};
    // Keeps them alive while they wait.
    std::unordered_map<uint64_t, std::shared_ptr<Session>> auth_waiters GUARDED_BY(io_role);
    asio::steady_timer auth_timer GUARDED_BY(io_role){ioc};
    // At least as many lines a second as the gate lets failures through (one per 250 ms),
    // so every failed attempt is logged unless something else is flooding the log.
    LogRateLimiter auth_log GUARDED_BY(io_role){5, std::chrono::seconds(1)};
    LogRateLimiter accept_log GUARDED_BY(io_role){1, std::chrono::seconds(10)};
    HttpRpcServer::Stats counters GUARDED_BY(io_role);
    /** Where drained bytes go; shared, as only the I/O thread writes it and nobody reads it. */
    std::array<char, 16384> discard GUARDED_BY(io_role){};

    void Accept(size_t index) REQUIRES(io_role);
    void OnAccepted(tcp::socket socket) REQUIRES(io_role);
    /** The connection to close at the cap: the oldest idle one, never-authenticated first; null when none may go. */
    std::shared_ptr<Session> PickVictim() REQUIRES(io_role);
    /** Runs s's credential check now or queues it behind the gate. */
    void RequestAuthCheck(const std::shared_ptr<Session>& s) REQUIRES(io_role);
    void PumpAuthChecks() REQUIRES(io_role);
    void LogAuthFailure(const std::string& peer) REQUIRES(io_role);
    bool ClientAllowed(const asio::ip::address& address) const
    {
        const asio::ip::address a = Unmap(address);
        if (a.is_loopback()) return true;
        const std::string text = a.to_string();
        for (const Subnet& s : options.allow) {
            if (s.Contains(text)) return true;
        }
        return false;
    }
};

/** One client connection. All its handlers run on the server's single I/O thread. */
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket&& socket, HttpRpcServer::Impl& server, uint64_t id)
        : m_stream(std::move(socket)), m_server(server), m_timer(m_stream.get_executor()),
          m_buffer(std::max<size_t>(2 * server.options.max_header_size, 16384)), m_id(id)
    {
        beast::error_code ec;
        const tcp::endpoint ep = m_stream.socket().remote_endpoint(ec);
        if (!ec) {
            m_peer = EndpointString(ep);
            m_allowed = server.ClientAllowed(ep.address());
        }
        m_stream.socket().set_option(tcp::no_delay(true), ec);
    }

    /** Every way out closes the socket through Close; a session dropped without it still counts down. */
    ~Session()
    {
        if (!m_closed) --m_server.open_connections;
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /**
     * Asserts (for the analysis) that the caller runs on the I/O thread, as every Asio
     * handler of ours does; the server's code calls it before using a session (the
     * analysis cannot see that a session's server is the one whose role is held).
     */
    void OnIoThread() const ASSERT_CAPABILITY(m_server.io_role) {}

    void Start() REQUIRES(m_server.io_role) { ReadHeader(); }
    uint64_t Id() const { return m_id; }
    Phase GetPhase() const REQUIRES(m_server.io_role) { return m_phase; }
    bool EverAuthenticated() const REQUIRES(m_server.io_role) { return m_authenticated; }
    const std::string& Peer() const { return m_peer; }

    /** Approximate bytes this connection holds (object, buffers, parsed header, reply). */
    size_t MemoryUsage() const REQUIRES(m_server.io_role)
    {
        size_t n = sizeof(*this) + STREAM_OVERHEAD + m_buffer.capacity() + m_response.body().capacity();
        if (m_parser) {
            for (const auto& f : m_parser->get()) n += FIELD_OVERHEAD + f.name_string().size() + f.value().size();
            n += m_parser->get().body().capacity();
        }
        return n;
    }

    /** On shutdown: connections not producing or writing a reply close now, the others after it. */
    void OnServerStop() REQUIRES(m_server.io_role)
    {
        if (m_phase != Phase::WORKING && m_phase != Phase::WRITING) Close();
    }

    /** Sends a reply produced by a worker (any thread: posted to the I/O thread). */
    void DeliverResult(JsonRpcHttpResult result)
    {
        asio::post(m_stream.get_executor(), [self = shared_from_this(), result = std::move(result)]() mutable {
            self->OnIoThread();
            self->Reply(result.status, std::move(result.body), result.status != HTTP_NO_CONTENT, false);
        });
    }

    /** The gate lets this connection's credentials be checked now. */
    void EvaluateAuth() REQUIRES(m_server.io_role)
    {
        if (m_closed) return;
        ++m_server.counters.auth_checks;
        std::string user;
        if (!m_server.auth.Check(std::string(m_parser->get()[bhttp::field::authorization]), user)) {
            m_server.LogAuthFailure(m_peer);
            // Deter brute force without holding a thread: answer when the gate opens again.
            m_phase = Phase::AUTH_FAILED;
            m_timer.expires_at(m_server.auth_gate.Failed(SteadyClock::now()));
            m_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
                self->OnIoThread();
                if (ec || self->m_closed) return;
                self->Reply(HTTP_UNAUTHORIZED, "", false, self->BodyPending(), true);
            });
            return;
        }
        m_user = std::move(user);
        m_authenticated = true;
        m_phase = Phase::READ_BODY;
        if (beast::iequals(m_parser->get()[bhttp::field::expect], "100-continue") && BodyPending()) {
            m_stream.expires_after(m_server.options.idle_timeout);
            asio::async_write(m_stream, asio::buffer(CONTINUE_100, sizeof(CONTINUE_100) - 1),
                              [self = shared_from_this()](beast::error_code wec, size_t) {
                                  self->OnIoThread();
                                  if (wec) return self->Close();
                                  self->ReadBody();
                              });
            return;
        }
        ReadBody();
    }

    /** Closes the socket now (idempotent); pending operations end with operation_aborted. */
    void Close() REQUIRES(m_server.io_role)
    {
        if (m_closed) return;
        const auto keep_alive_here = shared_from_this(); // auth_waiters may hold the last reference
        if (m_phase == Phase::AUTH_WAIT) {
            m_server.auth_gate.Cancel(m_id);
            m_server.auth_waiters.erase(m_id);
        }
        m_closed = true;
        m_phase = Phase::CLOSED;
        --m_server.open_connections;
        beast::error_code ec;
        m_timer.cancel();
        m_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        m_stream.socket().close(ec);
    }

private:
    bool BodyPending() const REQUIRES(m_server.io_role) { return m_parser && !m_parser->is_done(); }

    void ReadHeader() REQUIRES(m_server.io_role)
    {
        if (m_closed) return;
        if (m_server.stopping) return Close();
        m_parser.emplace();
        m_parser->body_limit(m_server.options.max_body_size);
        m_parser->header_limit(static_cast<uint32_t>(m_server.options.max_header_size));
        m_phase = Phase::WAIT_REQUEST;
        m_head = false;
        m_stream.expires_after(m_server.options.idle_timeout);
        bhttp::async_read_header(m_stream, m_buffer, *m_parser,
                                 [self = shared_from_this()](beast::error_code ec, size_t) {
                                     self->OnIoThread();
                                     self->OnHeader(ec);
                                 });
    }

    /** The header is in: decide everything that needs no body, then check credentials. */
    void OnHeader(beast::error_code ec) REQUIRES(m_server.io_role)
    {
        if (ec) return OnReadError(ec);
        m_phase = Phase::WRITING; // not idle any more: a reply decision follows
        const auto& req = m_parser->get();
        m_keep_alive = req.keep_alive();
        m_head = req.method() == bhttp::verb::head;
        const std::string target(req.target());
        util::LogDebug(util::LogCategory::HTTP, "Received a %s request for %s from %s",
                       std::string(req.method_string()).c_str(), target.c_str(), m_peer.c_str());
        if (!m_allowed) {
            util::LogDebug(util::LogCategory::HTTP,
                           "HTTP request from %s rejected: Client network is not allowed RPC access", m_peer.c_str());
            return Reply(HTTP_FORBIDDEN, "", false, true);
        }
        if (!FramingSupported(req)) {
            util::LogDebug(util::LogCategory::HTTP, "Malformed HTTP request from %s: unsupported Transfer-Encoding",
                           m_peer.c_str());
            return Reply(HTTP_BAD_REQUEST, "", false, true);
        }
        const bhttp::verb method = req.method();
        if (method != bhttp::verb::get && method != bhttp::verb::post && method != bhttp::verb::head &&
            method != bhttp::verb::put) {
            return Reply(HTTP_BAD_METHOD, "", false, BodyPending());
        }
        const bool path_ok = target == "/" || (m_server.options.wallet_endpoints && target.starts_with("/wallet/"));
        if (!path_ok) return Reply(HTTP_NOT_FOUND, "", false, BodyPending());
        if (method != bhttp::verb::post) {
            return Reply(HTTP_BAD_METHOD, "JSONRPC server handles only POST requests", false, BodyPending());
        }
        if (req.find(bhttp::field::authorization) == req.end()) {
            return Reply(HTTP_UNAUTHORIZED, "", false, BodyPending(), true);
        }
        m_phase = Phase::AUTH_WAIT;
        m_server.RequestAuthCheck(shared_from_this());
    }

    void ReadBody() REQUIRES(m_server.io_role)
    {
        // Beast reads at most the buffer's free capacity (at least 512 bytes) a time: a body
        // larger than what is left of the header's buffer is read in reads as large as the
        // buffer may grow (an 890 KB submitblock took 1,700 reads, each a system call and a
        // timer reset, without this). A chunked body's size is unknown: the whole buffer.
        // OnBody gives the memory back.
        if (!m_parser->is_done()) {
            const auto remaining = m_parser->content_length_remaining();
            const size_t want =
                remaining ? std::min<uint64_t>(m_buffer.max_size(), m_buffer.size() + *remaining) : m_buffer.max_size();
            if (want > m_buffer.capacity()) m_buffer.reserve(want);
        }
        m_stream.expires_after(m_server.options.idle_timeout);
        bhttp::async_read(m_stream, m_buffer, *m_parser, [self = shared_from_this()](beast::error_code ec, size_t) {
            self->OnIoThread();
            self->OnBody(ec);
        });
    }

    void OnReadError(beast::error_code ec) REQUIRES(m_server.io_role)
    {
        if (m_closed) return;
        m_phase = Phase::WRITING;
        if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
            return Reply(HTTP_PAYLOAD_TOO_LARGE, "", false, true);
        }
        const bool http_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category();
        if (http_error && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
            util::LogDebug(util::LogCategory::HTTP, "Malformed HTTP request from %s: %s", m_peer.c_str(),
                           ec.message().c_str());
            return Reply(HTTP_BAD_REQUEST, "", false, true);
        }
        Close();
    }

    void OnBody(beast::error_code ec) REQUIRES(m_server.io_role)
    {
        if (ec) return OnReadError(ec);
        // Stopping: the workers may be gone already; close rather than answer 503 (and log a
        // false work-queue warning) for a body that finished arriving during shutdown.
        if (m_server.stopping) return Close();
        bhttp::request<bhttp::string_body> req = m_parser->release();
        m_parser.reset();
        m_buffer.shrink_to_fit(); // keeps a pipelined next request, frees what the body needed
        m_phase = Phase::WORKING;
        auto self = shared_from_this();
        const bool queued =
            m_server.queue.Enqueue([self, body = std::move(req.body()), target = std::string(req.target()),
                                    user = m_user, &server = m_server]() mutable {
                JsonRpcHttpResult result =
                    ProcessJsonRpcBody(server.table, body, target, user, self->m_peer, &server.auth.Whitelist());
                self->DeliverResult(std::move(result));
            });
        if (!queued) {
            util::LogPrintf(
                "WARNING: request rejected because http work queue depth exceeded, it can be increased with "
                "the -rpcworkqueue= setting");
            Reply(HTTP_SERVICE_UNAVAILABLE, "Work queue depth exceeded", false, false);
        }
    }

    void Reply(int status, std::string body, bool json, bool force_close, bool www_authenticate = false)
        REQUIRES(m_server.io_role)
    {
        if (m_closed) return;
        m_phase = Phase::WRITING;
        m_response = {};
        m_response.version(11);
        m_response.result(static_cast<unsigned>(status));
        if (www_authenticate) m_response.set(bhttp::field::www_authenticate, "Basic realm=\"jsonrpc\"");
        if (status != HTTP_NO_CONTENT) {
            m_response.set(bhttp::field::content_type, json ? "application/json" : "text/html; charset=ISO-8859-1");
        }
        m_response.body() = std::move(body);
        m_response.keep_alive(m_keep_alive && !force_close && !m_server.stopping);
        m_response.prepare_payload();
        // A HEAD reply announces the length a GET would get but carries no body (RFC 9110 9.3.2),
        // else a keep-alive client would read those bytes as the start of the next reply.
        if (m_head) m_response.body().clear();
        m_stream.expires_after(m_server.options.idle_timeout);
        bhttp::async_write(m_stream, m_response, [self = shared_from_this()](beast::error_code ec, size_t) {
            self->OnIoThread();
            if (ec) return self->Close();
            const bool keep_alive = self->m_response.keep_alive();
            self->m_response = {}; // an idle connection keeps no reply around
            if (!keep_alive) return self->Drain();
            self->ReadHeader();
        });
    }

    /** Half-closes and discards what the client still sends (bounded) so it can read our reply. */
    void Drain() REQUIRES(m_server.io_role)
    {
        m_phase = Phase::DRAINING;
        m_parser.reset();
        m_buffer.clear();
        m_buffer.shrink_to_fit();
        beast::error_code ec;
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        m_drained = 0;
        m_stream.expires_after(std::chrono::seconds(1));
        DrainSome();
    }

    void DrainSome() REQUIRES(m_server.io_role)
    {
        m_stream.async_read_some(asio::buffer(m_server.discard),
                                 [self = shared_from_this()](beast::error_code ec, size_t n) {
                                     self->OnIoThread();
                                     self->m_drained += n;
                                     if (ec || self->m_drained > (4u << 20)) return self->Close();
                                     self->DrainSome();
                                 });
    }

    beast::tcp_stream m_stream; // its executor is thread-safe (DeliverResult posts through it); the rest: I/O thread
    HttpRpcServer::Impl& m_server;
    asio::steady_timer m_timer GUARDED_BY(m_server.io_role);
    beast::flat_buffer m_buffer GUARDED_BY(m_server.io_role); // grows only while a request is being read
    std::optional<bhttp::request_parser<bhttp::string_body>> m_parser GUARDED_BY(m_server.io_role);
    bhttp::response<bhttp::string_body> m_response GUARDED_BY(m_server.io_role);
    size_t m_drained GUARDED_BY(m_server.io_role){0};
    std::string m_peer{"unknown"}; // set by the constructor only: workers read it
    std::string m_user GUARDED_BY(m_server.io_role);
    const uint64_t m_id;
    Phase m_phase GUARDED_BY(m_server.io_role){Phase::WAIT_REQUEST};
    bool m_allowed GUARDED_BY(m_server.io_role){false};
    bool m_keep_alive GUARDED_BY(m_server.io_role){false};
    bool m_head GUARDED_BY(m_server.io_role){false};
    bool m_authenticated GUARDED_BY(m_server.io_role){false};
    bool m_closed GUARDED_BY(m_server.io_role){false};
};

void HttpRpcServer::Impl::Accept(size_t index)
{
    acceptors[index]->async_accept(ioc, [this, index](beast::error_code ec, tcp::socket socket) {
        io_role.AssertHeld();
        if (ec == asio::error::operation_aborted || stopping || !acceptors[index]->is_open()) return;
        if (ec) {
            ++counters.accept_errors;
            if (IsResourceExhaustion(ec)) {
                // The pending connection stays in the backlog, so accepting again at once would
                // fail again at once: pause (a timer, the I/O thread keeps serving).
                uint64_t suppressed = 0;
                if (accept_log.Allow(SteadyClock::now(), suppressed)) {
                    util::LogPrintf("HTTP: accepting an RPC connection failed (%s); pausing accepts for %lld ms "
                                    "(%llu similar messages suppressed)",
                                    ec.message().c_str(), static_cast<long long>(options.accept_backoff.count()),
                                    static_cast<unsigned long long>(suppressed));
                }
                asio::steady_timer& timer = *accept_timers[index];
                timer.expires_after(options.accept_backoff);
                timer.async_wait([this, index](beast::error_code tec) {
                    io_role.AssertHeld();
                    if (!tec && !stopping) Accept(index);
                });
                return;
            }
            util::LogDebug(util::LogCategory::HTTP, "HTTP: accept failed: %s", ec.message().c_str());
        } else {
            OnAccepted(std::move(socket));
        }
        Accept(index);
    });
}

void HttpRpcServer::Impl::OnAccepted(tcp::socket socket)
{
    sessions.remove_if([](const std::weak_ptr<Session>& w) {
        const auto s = w.lock();
        if (!s) return true;
        s->OnIoThread();
        return s->GetPhase() == Phase::CLOSED;
    });
    if (open_connections >= static_cast<size_t>(std::max(options.max_connections, 1))) {
        if (auto victim = PickVictim()) {
            victim->OnIoThread();
            ++counters.evicted;
            util::LogDebug(util::LogCategory::HTTP, "HTTP: %zu connections, the limit: closing the idle one from %s",
                           open_connections.load(), victim->Peer().c_str());
            victim->Close();
        } else {
            ++counters.refused;
            util::LogDebug(util::LogCategory::HTTP, "HTTP: %zu connections, the limit, all busy: refusing a new one",
                           open_connections.load());
            beast::error_code ec;
            socket.close(ec);
            return;
        }
    }
    auto session = std::make_shared<Session>(std::move(socket), *this, next_session_id++);
    ++open_connections;
    sessions.push_back(session);
    session->OnIoThread();
    session->Start();
}

std::shared_ptr<Session> HttpRpcServer::Impl::PickVictim()
{
    // Lower rank goes first; in a rank the oldest. Connections whose request is being served
    // never go; authenticated keep-alive connections go last.
    const auto rank = [](const Session& s) -> int {
        s.OnIoThread();
        switch (s.GetPhase()) {
        case Phase::DRAINING: return 0;
        case Phase::WAIT_REQUEST: return s.EverAuthenticated() ? 3 : 1;
        case Phase::AUTH_WAIT: return s.EverAuthenticated() ? 4 : 2;
        default: return -1;
        }
    };
    std::shared_ptr<Session> best;
    int best_rank = 99;
    for (const auto& w : sessions) {
        auto s = w.lock();
        if (!s) continue;
        const int r = rank(*s);
        if (r >= 0 && r < best_rank) {
            best = std::move(s);
            best_rank = r;
        }
    }
    return best;
}

void HttpRpcServer::Impl::RequestAuthCheck(const std::shared_ptr<Session>& s)
{
    s->OnIoThread();
    if (auth_gate.Arrive(s->Id(), SteadyClock::now())) return s->EvaluateAuth();
    auth_waiters[s->Id()] = s;
    auth_timer.expires_at(auth_gate.OpenAt());
    auth_timer.async_wait([this](beast::error_code ec) {
        io_role.AssertHeld();
        if (!ec) PumpAuthChecks();
    });
}

void HttpRpcServer::Impl::PumpAuthChecks()
{
    if (stopping) return;
    // One `now` for the whole pass: after a failure the gate is shut for it, so at most one
    // failing check runs per pass; successes let the next waiting check through at once.
    const auto now = SteadyClock::now();
    while (auto id = auth_gate.Next(now)) {
        const auto it = auth_waiters.find(*id);
        if (it == auth_waiters.end()) continue;
        const std::shared_ptr<Session> s = std::move(it->second);
        auth_waiters.erase(it);
        s->OnIoThread();
        s->EvaluateAuth();
    }
    if (auth_gate.Queued() > 0) {
        auth_timer.expires_at(auth_gate.OpenAt());
        auth_timer.async_wait([this](beast::error_code ec) {
            io_role.AssertHeld();
            if (!ec) PumpAuthChecks();
        });
    }
}

void HttpRpcServer::Impl::LogAuthFailure(const std::string& peer)
{
    uint64_t suppressed = 0;
    if (!auth_log.Allow(SteadyClock::now(), suppressed)) return;
    if (suppressed > 0) {
        util::LogPrintf("ThreadRPCServer: %llu more incorrect password attempts were not logged (rate limit)",
                        static_cast<unsigned long long>(suppressed));
    }
    util::LogPrintf("ThreadRPCServer incorrect password attempt from %s", peer.c_str());
}

HttpRpcServer::HttpRpcServer(const RpcTable& table, const RpcAuthenticator& auth)
    : m_impl(std::make_unique<Impl>(table, auth))
{}

HttpRpcServer::~HttpRpcServer() { Stop(); }

std::vector<uint16_t> HttpRpcServer::BoundPorts() const { return m_impl->ports; }

size_t HttpRpcServer::QueuedRequests() const { return m_impl->queue.Size(); }

HttpRpcServer::Stats HttpRpcServer::GetStats() const
{
    Impl& s = *m_impl;
    if (!s.running) return {};
    std::promise<Stats> done;
    asio::post(s.ioc, [&s, &done] {
        s.io_role.AssertHeld();
        Stats st = s.counters;
        st.connections = s.open_connections;
        st.auth_waiting = s.auth_gate.Queued();
        for (const auto& w : s.sessions) {
            const auto session = w.lock();
            if (!session) continue;
            session->OnIoThread();
            if (session->GetPhase() == Phase::CLOSED) continue;
            const size_t bytes = session->MemoryUsage();
            st.buffered_bytes += bytes;
            st.max_connection_bytes = std::max(st.max_connection_bytes, bytes);
        }
        done.set_value(st);
    });
    return done.get_future().get();
}

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
                acceptor->set_option(asio::socket_base::reuse_address(true), ec);
                if (ep.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
                acceptor->bind(ep, ec);
                if (ec) continue;
                acceptor->listen(asio::socket_base::max_listen_connections, ec);
                if (ec) continue;
                s.ports.push_back(acceptor->local_endpoint(ec).port());
                util::LogPrintf("Binding RPC on address %s port %u", host.c_str(), static_cast<unsigned>(port));
                s.acceptors.push_back(std::move(acceptor));
                bound = true;
                break;
            }
        }
        if (bound && (host == "0.0.0.0" || host == "::")) {
            util::LogPrintf(
                "WARNING: the RPC server is not safe to expose to untrusted networks such as the public internet");
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

    s.io_role.AssertHeld(); // the I/O thread is not running: this thread sets its state up
    s.queue.Reset();
    s.queue.SetMaxDepth(static_cast<size_t>(std::max(options.work_queue, 1)));
    s.sessions.clear();
    s.open_connections = 0;
    s.counters = {};
    s.auth_gate = AuthCheckGate(options.auth_failure_delay);
    s.auth_waiters.clear();
    s.accept_timers.clear();
    for (size_t i = 0; i < s.acceptors.size(); ++i) {
        s.accept_timers.push_back(std::make_unique<asio::steady_timer>(s.ioc));
        s.Accept(i);
    }
    s.guard.emplace(asio::make_work_guard(s.ioc));
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
    util::LogDebug(util::LogCategory::RPC,
                   "Starting HTTP RPC server with %d threads, queue depth %d, at most %d connections", options.threads,
                   options.work_queue, options.max_connections);
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
    asio::post(s.ioc, [&s, &closed] {
        for (auto& a : s.acceptors) {
            beast::error_code ec;
            a->close(ec);
        }
        for (auto& t : s.accept_timers) t->cancel();
        closed.set_value();
    });
    closed.get_future().wait();
    // 2. Finish queued and running calls; their replies are posted to the I/O thread.
    s.queue.Interrupt();
    for (auto& w : s.workers) w.join();
    s.workers.clear();
    // 3. Close the other connections (idle, reading, waiting at the credential gate); those
    //    writing a reply close after it.
    std::promise<void> idle_closed;
    asio::post(s.ioc, [&s, &idle_closed] {
        s.io_role.AssertHeld();
        s.auth_timer.cancel();
        for (auto& w : s.sessions) {
            if (auto session = w.lock()) {
                session->OnIoThread();
                session->OnServerStop();
            }
        }
        s.sessions.clear();
        idle_closed.set_value();
    });
    idle_closed.get_future().wait();
    s.guard.reset();
    if (s.io_done.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready) s.ioc.stop();
    s.io_thread.join();
    s.io_role.AssertHeld(); // the I/O thread was joined
    s.acceptors.clear();
    s.accept_timers.clear();
    s.auth_waiters.clear();
    s.running = false;
}

} // namespace node::http
