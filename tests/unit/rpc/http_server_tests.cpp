// HttpRpcServer over real loopback sockets on ephemeral ports (127.0.0.1 only).
#include "node/http/auth.h"
#include "node/cli/http_client.h"
#include "node/http/http_limits.h"
#include "node/http/http_options.h"
#include "node/http/http_server.h"
#include "common/rpc/json.h"
#include "common/rpc/server.h"
#include "util/args.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <future>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace common::rpc;
using namespace node::http;
using namespace node::cli;
using namespace std::chrono_literals;

namespace {

const std::string PASSWORD = "secret-password";

struct TestServer {
    RpcTable table;
    RpcAuthenticator auth;
    HttpServerOptions options;
    std::unique_ptr<HttpRpcServer> server;
    uint16_t port{0};

    explicit TestServer(int threads = 2, int queue = 16, size_t max_body = 32u << 20)
    {
        auth.AddPlain("__cookie__", PASSWORD);
        options.bind = {{"127.0.0.1", 0}};
        options.bind_explicit = true;
        options.threads = threads;
        options.work_queue = queue;
        options.max_body_size = max_body;
        options.auth_failure_delay = 50ms;
        table.Register(RpcMethod{.category = "test", .name = "wallet", .handler = [](const RpcRequest& r) -> Json {
                                     return r.WalletName().value_or("none");
                                 }});
    }
    void Start()
    {
        server = std::make_unique<HttpRpcServer>(table, auth);
        const std::string err = server->Start(options);
        REQUIRE(err.empty());
        REQUIRE(server->BoundPorts().size() == 1);
        port = server->BoundPorts()[0];
    }
};

std::string Basic(const std::string& user_pass) { return "Basic " + EncodeBase64(user_pass); }

std::optional<HttpResponse> Post(HttpClient& client, const std::string& body, const std::string& auth,
                                 const std::string& target = "/")
{
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    if (!auth.empty()) headers.emplace_back("Authorization", auth);
    std::string error;
    auto r = client.Request("POST", target, headers, body, 10s, error);
    INFO(error);
    return r;
}

std::optional<HttpResponse> PostOnce(uint16_t port, const std::string& body,
                                     const std::string& auth = Basic("__cookie__:" + PASSWORD),
                                     const std::string& target = "/")
{
    HttpClient client;
    std::string error;
    if (!client.Connect("127.0.0.1", port, 5s, error)) return std::nullopt;
    return Post(client, body, auth, target);
}

/** Connects a plain socket to 127.0.0.1:port and sends bytes; -1 when it cannot connect. */
int RawSend(uint16_t port, const std::string& bytes)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    return fd;
}

/** Reads until the server closes or stays silent for timeout_s seconds (or until max bytes), then closes fd. */
std::string RawRead(int fd, int timeout_s = 2, size_t max = SIZE_MAX)
{
    timeval tv{timeout_s, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string out;
    char buf[4096];
    while (out.size() < max) {
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
}

/** Sends raw bytes and returns whatever the server answers before closing (or 2 s). */
std::string RawExchange(uint16_t port, const std::string& bytes)
{
    const int fd = RawSend(port, bytes);
    return fd < 0 ? "connect failed" : RawRead(fd);
}

} // namespace

TEST_CASE("The HTTP server requires credentials and answers 401 with a Basic challenge", "[rpc]")
{
    TestServer t;
    t.Start();
    const std::string body = R"({"method":"uptime","params":[],"id":1})";
    auto none = PostOnce(t.port, body, "");
    REQUIRE(none);
    CHECK(none->status == 401);
    CHECK(none->headers["www-authenticate"] == "Basic realm=\"jsonrpc\"");
    const auto start = std::chrono::steady_clock::now();
    auto wrong = PostOnce(t.port, body, Basic("__cookie__:nope"));
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
    CHECK(std::chrono::steady_clock::now() - start >= 40ms); // the failure delay
    auto ok = PostOnce(t.port, body);
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(ok->headers["content-type"] == "application/json");
    CHECK(ok->body.starts_with("{\"result\":"));
}

TEST_CASE("A generated cookie file authenticates and is owner-only", "[rpc]")
{
    char tmpl[] = "/tmp/minicash_cookie_XXXXXX";
    const std::filesystem::path dir = ::mkdtemp(tmpl);
    util::ArgsManager args;
    SetupRpcServerOptions(args);
    TestServer t;
    t.auth = RpcAuthenticator{};
    std::optional<PendingCookie> pending;
    std::string error;
    const auto cookie_path = GetAuthCookieFile(args, dir);
    REQUIRE(InitRpcAuthentication(args, t.auth, pending, error));
    REQUIRE(pending);
    CHECK_FALSE(std::filesystem::exists(cookie_path)); // written only once the port is bound
    REQUIRE(WriteAuthCookie(cookie_path, *pending, error));
    struct stat st {};
    REQUIRE(::stat(cookie_path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const auto cookie = ReadAuthCookie(cookie_path);
    REQUIRE(cookie);
    CHECK(cookie->starts_with("__cookie__:"));
    CHECK(cookie->size() == std::string("__cookie__:").size() + 64);
    t.Start();
    auto ok = PostOnce(t.port, R"({"method":"uptime","id":1})", Basic(*cookie));
    REQUIRE(ok);
    CHECK(ok->status == 200);
    t.server->Stop();
    DeleteAuthCookie(cookie_path);
    CHECK_FALSE(std::filesystem::exists(cookie_path));
    std::filesystem::remove_all(dir);
}

TEST_CASE("-rpccookieperms sets the cookie file's mode and an unknown value is refused", "[rpc]")
{
    char tmpl[] = "/tmp/minicash_cookieperms_XXXXXX";
    const std::filesystem::path dir = ::mkdtemp(tmpl);
    for (const auto& [value, mode] :
         {std::pair<std::string, unsigned>{"owner", 0600}, {"group", 0640}, {"all", 0644}}) {
        util::ArgsManager args;
        SetupRpcServerOptions(args);
        const std::string arg = "-rpccookieperms=" + value;
        const char* argv[] = {"minicashd", arg.c_str()};
        std::string error;
        REQUIRE(args.ParseParameters(2, argv, error));
        RpcAuthenticator auth;
        std::optional<PendingCookie> pending;
        const auto cookie_path = GetAuthCookieFile(args, dir);
        REQUIRE(InitRpcAuthentication(args, auth, pending, error));
        REQUIRE(pending);
        REQUIRE(WriteAuthCookie(cookie_path, *pending, error));
        struct stat st {};
        REQUIRE(::stat(cookie_path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == mode);
        DeleteAuthCookie(cookie_path);
    }
    util::ArgsManager args;
    SetupRpcServerOptions(args);
    const char* argv[] = {"minicashd", "-rpccookieperms=world"};
    std::string error;
    REQUIRE(args.ParseParameters(2, argv, error));
    RpcAuthenticator auth;
    std::optional<PendingCookie> pending;
    CHECK_FALSE(InitRpcAuthentication(args, auth, pending, error));
    CHECK(error == "Invalid -rpccookieperms=world; must be one of 'owner', 'group', or 'all'.");
    CHECK_FALSE(pending);
    std::filesystem::remove_all(dir);
}

TEST_CASE("The HTTP server answers 403 to a call the user's -rpcwhitelist does not allow", "[rpc]")
{
    TestServer t;
    t.auth.Whitelist().Add("__cookie__:wallet");
    t.Start();
    auto allowed = PostOnce(t.port, R"({"method":"wallet","id":1})");
    REQUIRE(allowed);
    CHECK(allowed->status == 200);
    auto denied = PostOnce(t.port, R"({"method":"uptime","id":1})");
    REQUIRE(denied);
    CHECK(denied->status == 403);
    CHECK(denied->body.empty());
}

TEST_CASE("The HTTP server gives JSON-RPC 1.0 and 2.0 replies with Core's statuses", "[rpc]")
{
    TestServer t;
    t.Start();
    auto legacy = PostOnce(t.port, R"({"method":"nosuch","params":[],"id":1})");
    REQUIRE(legacy);
    CHECK(legacy->status == 404);
    CHECK(legacy->body == "{\"result\":null,\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":1}\n");
    auto v2 = PostOnce(t.port, R"({"jsonrpc":"2.0","method":"nosuch","id":1})");
    REQUIRE(v2);
    CHECK(v2->status == 200);
    CHECK(v2->body == "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":1}\n");
    auto notification = PostOnce(t.port, R"({"jsonrpc":"2.0","method":"uptime"})");
    REQUIRE(notification);
    CHECK(notification->status == 204);
    CHECK(notification->body.empty());
    auto parse = PostOnce(t.port, "{oops");
    REQUIRE(parse);
    CHECK(parse->status == 500);
    CHECK(parse->body.find("\"code\":-32700") != std::string::npos);
    auto batch = PostOnce(t.port, R"([{"method":"uptime","id":1},{"method":"nosuch","id":2}])");
    REQUIRE(batch);
    CHECK(batch->status == 200);
    auto parsed = ParseJson(batch->body);
    REQUIRE(parsed);
    REQUIRE(parsed->size() == 2);
    CHECK((*parsed)[0]["id"] == 1);
    CHECK((*parsed)[1]["error"]["code"] == -32601);
    auto wallet = PostOnce(t.port, R"({"method":"wallet","id":1})", Basic("__cookie__:" + PASSWORD), "/wallet/my%20w");
    REQUIRE(wallet);
    CHECK(wallet->body == "{\"result\":\"my w\",\"error\":null,\"id\":1}\n");
}

TEST_CASE("The HTTP server rejects other paths, methods and oversized bodies", "[rpc]")
{
    TestServer t(2, 16, 1024);
    t.Start();
    auto path = PostOnce(t.port, "{}", Basic("__cookie__:" + PASSWORD), "/rest/chaininfo.json");
    REQUIRE(path);
    CHECK(path->status == 404);
    HttpClient client;
    std::string error;
    REQUIRE(client.Connect("127.0.0.1", t.port, 5s, error));
    auto get = client.Request("GET", "/", {{"Authorization", Basic("__cookie__:" + PASSWORD)}}, "", 5s, error);
    REQUIRE(get);
    CHECK(get->status == 405);
    auto big = PostOnce(t.port, std::string(2000, ' '));
    REQUIRE(big);
    CHECK(big->status == 413);
    auto ok = PostOnce(t.port, R"({"method":"uptime","id":1})");
    REQUIRE(ok);
    CHECK(ok->status == 200);
}

TEST_CASE("Keep-alive serves several requests on one connection", "[rpc]")
{
    TestServer t;
    t.Start();
    HttpClient client;
    std::string error;
    REQUIRE(client.Connect("127.0.0.1", t.port, 5s, error));
    for (int i = 0; i < 5; ++i) {
        auto r = Post(client, R"({"method":"uptime","id":)" + std::to_string(i) + "}", Basic("__cookie__:" + PASSWORD));
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body.find("\"id\":" + std::to_string(i)) != std::string::npos);
        CHECK(client.IsOpen());
    }
}

TEST_CASE("A full work queue answers 503 and never queues without limit", "[rpc]")
{
    TestServer t(/*threads=*/1, /*queue=*/1);
    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> calls{0};
    t.table.Register(RpcMethod{.category = "test", .name = "block", .handler = [&](const RpcRequest&) -> Json {
                                   if (calls++ == 0) entered.set_value();
                                   released.wait();
                                   return "done";
                               }});
    t.Start();
    const std::string body = R"({"method":"block","id":1})";
    auto first = std::async(std::launch::async, [&] { return PostOnce(t.port, body); });
    entered.get_future().wait(); // the only worker is busy now
    const std::string raw =
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: " + Basic("__cookie__:" + PASSWORD) +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    const int second = RawSend(t.port, raw);
    REQUIRE(second >= 0);
    for (int i = 0; i < 500 && t.server->QueuedRequests() < 1; ++i) std::this_thread::sleep_for(10ms);
    REQUIRE(t.server->QueuedRequests() == 1); // the second request waits in the queue
    auto third = PostOnce(t.port, body);
    REQUIRE(third);
    CHECK(third->status == 503);
    CHECK(third->body == "Work queue depth exceeded");
    CHECK(t.server->QueuedRequests() == 1);
    release.set_value();
    auto r1 = first.get();
    REQUIRE(r1);
    CHECK(r1->status == 200);
    const std::string r2 = RawRead(second, 10);
    CHECK(r2.starts_with("HTTP/1.1 200"));
    CHECK(r2.find("\"result\":\"done\"") != std::string::npos);
}

TEST_CASE("Malformed HTTP gets an error reply or a close and never stops the server", "[rpc]")
{
    TestServer t;
    t.Start();
    const std::string garbage = RawExchange(t.port, "THIS IS NOT HTTP\r\n\r\n");
    CHECK((garbage.empty() || garbage.starts_with("HTTP/1.1 400")));
    const std::string bad_length = RawExchange(t.port, "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n");
    CHECK((bad_length.empty() || bad_length.starts_with("HTTP/1.1 400")));
    const std::string huge_header =
        RawExchange(t.port, "POST / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n");
    CHECK((huge_header.empty() || huge_header.starts_with("HTTP/1.1 413")));
    // Without credentials the header alone is answered (the body is never waited for).
    const std::string unauthenticated =
        RawExchange(t.port, "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"method\"");
    CHECK(unauthenticated.starts_with("HTTP/1.1 401"));
    const std::string truncated =
        RawExchange(t.port, "POST / HTTP/1.1\r\nAuthorization: " + Basic("__cookie__:" + PASSWORD) +
                                "\r\nContent-Length: 100\r\n\r\n{\"method\"");
    CHECK(truncated.empty()); // client went silent: closed after the timeout or on our close
    auto ok = PostOnce(t.port, R"({"method":"uptime","id":1})");
    REQUIRE(ok);
    CHECK(ok->status == 200);
}

TEST_CASE("Stop finishes in-flight calls and Start reports a port in use", "[rpc]")
{
    TestServer t;
    std::promise<void> entered;
    t.table.Register(RpcMethod{.category = "test", .name = "slow", .handler = [&](const RpcRequest&) -> Json {
                                   entered.set_value();
                                   std::this_thread::sleep_for(200ms);
                                   return "slow done";
                               }});
    t.Start();

    RpcTable other_table;
    RpcAuthenticator other_auth;
    HttpRpcServer other(other_table, other_auth);
    HttpServerOptions same = t.options;
    same.bind = {{"127.0.0.1", t.port}};
    CHECK_FALSE(other.Start(same).empty());

    auto inflight = std::async(std::launch::async, [&] { return PostOnce(t.port, R"({"method":"slow","id":1})"); });
    entered.get_future().wait();
    t.server->Stop();
    auto r = inflight.get();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.find("slow done") != std::string::npos);
    HttpClient client;
    std::string error;
    CHECK_FALSE(client.Connect("127.0.0.1", t.port, 1s, error));
}

// ---- Resource limits: descriptors, memory, auth before body, the global credential gate ----

namespace {

/** Polls pred every 10 ms for up to 10 s; true once it holds (a readiness wait, not a timing assertion). */
template <typename Pred>
bool WaitFor(Pred pred)
{
    for (int i = 0; i < 1000; ++i) {
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

/** A raw request header with the given extra lines (each ending in \r\n). */
std::string Header(const std::string& extra, const std::string& method = "POST")
{
    return method + " / HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n";
}

/** True when the server closed fd (end of stream or reset) within timeout_s seconds, with nothing to read; closes fd. */
bool ClosedByServer(int fd, int timeout_s = 5)
{
    timeval tv{timeout_s, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char c;
    const ssize_t n = ::recv(fd, &c, 1, 0);
    const bool closed = n == 0 || (n < 0 && errno == ECONNRESET);
    ::close(fd);
    return closed;
}

std::string GoodAuthLine() { return "Authorization: " + Basic("__cookie__:" + PASSWORD) + "\r\n"; }

} // namespace

TEST_CASE("The file-descriptor budget keeps Core's reserve and caps RPC connections to the rest", "[rpc]")
{
    CHECK(FileDescriptorsWanted(2) == MIN_CORE_FILEDESCRIPTORS + 2 + DEFAULT_RPC_MAX_CONNECTIONS);
    CHECK(RpcConnectionLimit(256, 2) == 256 - MIN_CORE_FILEDESCRIPTORS - 2);
    CHECK(RpcConnectionLimit(1 << 20, 2) == DEFAULT_RPC_MAX_CONNECTIONS);
    CHECK(RpcConnectionLimit(MIN_CORE_FILEDESCRIPTORS, 2) == 1);
}

TEST_CASE("AuthCheckGate evaluates failed checks one per delay however many connections wait", "[rpc]")
{
    using Clock = AuthCheckGate::Clock;
    const auto delay = 250ms;
    const Clock::time_point t0{std::chrono::seconds(1000)};
    // Evaluations during 10 delays after a first failure, with n checks queued at t0.
    const auto evaluations = [&](uint64_t n) {
        AuthCheckGate gate(delay);
        REQUIRE(gate.Arrive(0, t0)); // nothing failed yet: checked at once
        gate.Failed(t0);
        for (uint64_t id = 1; id <= n; ++id) CHECK_FALSE(gate.Arrive(id, t0));
        CHECK_FALSE(gate.Next(t0));
        int evaluated = 0;
        for (auto t = t0; t < t0 + 10 * delay; t += 10ms) {
            while (gate.Next(t)) {
                ++evaluated;
                gate.Failed(t); // every queued check is a wrong password
            }
        }
        return evaluated;
    };
    CHECK(evaluations(5) == 5);
    CHECK(evaluations(50) == 9);
    CHECK(evaluations(5000) == 9); // bounded by time, not by the number of connections

    AuthCheckGate gate(delay);
    REQUIRE(gate.Arrive(1, t0));
    gate.Failed(t0);
    CHECK_FALSE(gate.Arrive(2, t0));
    CHECK_FALSE(gate.Arrive(3, t0));
    CHECK_FALSE(gate.Arrive(4, t0));
    gate.Cancel(3); // its connection closed
    CHECK(gate.Queued() == 2);
    CHECK(gate.Next(t0 + delay) == std::optional<uint64_t>(2));
    CHECK(gate.Next(t0 + delay) == std::optional<uint64_t>(4)); // 2 succeeded: no wait for the next
    CHECK(gate.Arrive(5, t0 + delay));                          // queue empty and no failure pending
}

TEST_CASE("LogRateLimiter lets a few lines through per window and counts the rest", "[rpc]")
{
    LogRateLimiter limiter(3, 1s);
    const std::chrono::steady_clock::time_point t0{std::chrono::seconds(50)};
    uint64_t suppressed = 99;
    int allowed = 0;
    for (int i = 0; i < 10; ++i) allowed += limiter.Allow(t0 + std::chrono::milliseconds(i), suppressed) ? 1 : 0;
    CHECK(allowed == 3);
    CHECK(suppressed == 0);
    REQUIRE(limiter.Allow(t0 + 1s, suppressed));
    CHECK(suppressed == 7);
}

TEST_CASE("Idle and half-sent connections hold a few KiB each", "[rpc]")
{
    TestServer t;
    t.Start();
    std::vector<int> fds;
    for (int i = 0; i < 20; ++i) fds.push_back(RawSend(t.port, ""));
    for (int i = 0; i < 20; ++i)
        fds.push_back(RawSend(t.port, "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic abcd"));
    for (int fd : fds) REQUIRE(fd >= 0);
    REQUIRE(WaitFor([&] { return t.server->GetStats().connections == 40; }));
    std::this_thread::sleep_for(100ms); // let the I/O thread read the partial headers
    const auto stats = t.server->GetStats();
    INFO("largest connection: " << stats.max_connection_bytes << " bytes, all: " << stats.buffered_bytes);
    CHECK(stats.max_connection_bytes <= 8192);
    CHECK(stats.buffered_bytes <= 40 * 8192);
    for (int fd : fds) ::close(fd);
}

TEST_CASE("At the connection cap the oldest idle connection makes room for a new client", "[rpc]")
{
    TestServer t;
    t.options.max_connections = 4;
    t.Start();
    std::vector<int> idle;
    for (int i = 0; i < 4; ++i) {
        idle.push_back(RawSend(t.port, ""));
        REQUIRE(idle.back() >= 0);
        REQUIRE(WaitFor([&] { return t.server->GetStats().connections == idle.size(); }));
    }
    auto ok = PostOnce(t.port, R"({"method":"uptime","id":1})");
    REQUIRE(ok);
    CHECK(ok->status == 200);
    const auto stats = t.server->GetStats();
    CHECK(stats.evicted >= 1);
    CHECK(stats.connections <= 4);
    CHECK(ClosedByServer(idle[0])); // the oldest idle connection made room
    for (size_t i = 1; i < idle.size(); ++i) ::close(idle[i]);
}

TEST_CASE("Credentials are checked on the header: a wrong password gets 401 without the body being read", "[rpc]")
{
    TestServer t;
    t.Start();
    // 30 MB announced, none sent: the reply must come anyway, and the connection close.
    const int fd =
        RawSend(t.port, Header("Authorization: " + Basic("__cookie__:wrong") + "\r\nContent-Length: 30000000\r\n"));
    REQUIRE(fd >= 0);
    const std::string reply = RawRead(fd, 10);
    CHECK(reply.starts_with("HTTP/1.1 401"));
    CHECK(reply.find("WWW-Authenticate: Basic realm=\"jsonrpc\"") != std::string::npos);
    CHECK(reply.find("Connection: close") != std::string::npos);
    // No credentials at all: the same, without a credential check.
    const int none = RawSend(t.port, Header("Content-Length: 30000000\r\n"));
    REQUIRE(none >= 0);
    CHECK(RawRead(none, 10).starts_with("HTTP/1.1 401"));
    CHECK(t.server->GetStats().auth_checks == 1);
    // Right credentials and Expect: 100-continue: "100 Continue" only after the check.
    const int good = RawSend(t.port, Header(GoodAuthLine() + "Expect: 100-continue\r\nContent-Length: 30000000\r\n"));
    REQUIRE(good >= 0);
    CHECK(RawRead(good, 10, 25).starts_with("HTTP/1.1 100 Continue"));
}

TEST_CASE("Failed credential checks are throttled globally, not per connection", "[rpc]")
{
    for (const int n : {5, 30}) {
        TestServer t;
        t.options.auth_failure_delay = std::chrono::hours(1); // the gate never reopens during the test
        t.Start();
        std::vector<int> fds;
        for (int i = 0; i < n; ++i) {
            fds.push_back(RawSend(t.port, Header("Authorization: " + Basic("__cookie__:guess" + std::to_string(i)) +
                                                 "\r\nContent-Length: 0\r\n")));
            REQUIRE(fds.back() >= 0);
        }
        // All n headers are in once n - 1 checks wait at the gate (the first one failed).
        REQUIRE(WaitFor([&] { return t.server->GetStats().auth_waiting == static_cast<size_t>(n - 1); }));
        const auto stats = t.server->GetStats();
        INFO("connections: " << n);
        CHECK(stats.auth_checks == 1); // one password tested, however many connections try
        t.server->Stop();              // closes the waiting connections without testing their passwords
        for (int fd : fds) CHECK(ClosedByServer(fd));
    }
    // A right password arriving behind a failure waits its turn, then is served.
    TestServer t;
    t.options.auth_failure_delay = 1s;
    t.Start();
    const int bad = RawSend(t.port, Header("Authorization: " + Basic("__cookie__:nope") + "\r\nContent-Length: 0\r\n"));
    REQUIRE(bad >= 0);
    REQUIRE(WaitFor([&] { return t.server->GetStats().auth_checks == 1; }));
    const std::string body = R"({"method":"uptime","id":5})";
    const int good = RawSend(
        t.port,
        Header(GoodAuthLine() + "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n") + body);
    REQUIRE(good >= 0);
    const std::string reply = RawRead(good, 10);
    CHECK(reply.starts_with("HTTP/1.1 200"));
    CHECK(reply.find("\"id\":5") != std::string::npos);
    CHECK(RawRead(bad, 10).starts_with("HTTP/1.1 401"));
}

TEST_CASE("A HEAD reply has no body, so a keep-alive client stays in step", "[rpc]")
{
    TestServer t;
    t.Start();
    const std::string body = R"({"method":"uptime","id":7})";
    const std::string reply =
        RawExchange(t.port, Header("", "HEAD") +
                                Header(GoodAuthLine() + "Connection: close\r\n" +
                                       "Content-Length: " + std::to_string(body.size()) + "\r\n") +
                                body);
    REQUIRE(reply.starts_with("HTTP/1.1 405"));
    const size_t end_of_head = reply.find("\r\n\r\n");
    REQUIRE(end_of_head != std::string::npos);
    CHECK(reply.substr(end_of_head + 4).starts_with("HTTP/1.1 200")); // the next reply follows at once
    CHECK(reply.find("\"id\":7") != std::string::npos);
}

TEST_CASE("Transfer-Encoding other than plain chunked is a bad request", "[rpc]")
{
    TestServer t;
    t.Start();
    for (const std::string te : {"chunked, gzip", "gzip, chunked", "gzip", "identity", "x-unknown"}) {
        INFO(te);
        const std::string reply = RawExchange(t.port, Header(GoodAuthLine() + "Transfer-Encoding: " + te + "\r\n") +
                                                          "5\r\nhello\r\n0\r\n\r\n");
        CHECK(reply.starts_with("HTTP/1.1 400"));
    }
    const std::string body = R"({"method":"uptime","id":3})";
    char size_hex[16];
    std::snprintf(size_hex, sizeof(size_hex), "%zx", body.size());
    const std::string chunked =
        RawExchange(t.port, Header(GoodAuthLine() + "Connection: close\r\nTransfer-Encoding: chunked\r\n") + size_hex +
                                "\r\n" + body + "\r\n0\r\n\r\n");
    CHECK(chunked.starts_with("HTTP/1.1 200"));
    CHECK(chunked.find("\"id\":3") != std::string::npos);
}

namespace {

/** Lowers this process's soft descriptor limit and fills it, leaving `spare` free; undone on destruction. */
class DescriptorHog {
public:
    explicit DescriptorHog(int spare)
    {
        REQUIRE(::getrlimit(RLIMIT_NOFILE, &m_old) == 0);
        rlimit lower = m_old;
        lower.rlim_cur = std::min<rlim_t>(m_old.rlim_cur, 512);
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &lower) == 0);
        int fd;
        while ((fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) m_fds.push_back(fd);
        REQUIRE(errno == EMFILE);
        for (int i = 0; i < spare && !m_fds.empty(); ++i) {
            ::close(m_fds.back());
            m_fds.pop_back();
        }
    }
    void Release()
    {
        for (int fd : m_fds) ::close(fd);
        m_fds.clear();
        ::setrlimit(RLIMIT_NOFILE, &m_old);
    }
    ~DescriptorHog() { Release(); }
    DescriptorHog(const DescriptorHog&) = delete;
    DescriptorHog& operator=(const DescriptorHog&) = delete;

private:
    rlimit m_old{};
    std::vector<int> m_fds;
};

} // namespace

TEST_CASE("Out of descriptors, the accept loop pauses instead of spinning and recovers", "[rpc]")
{
    {
        TestServer t;
        t.options.accept_backoff = std::chrono::hours(1); // one failed accept, then nothing until Stop
        t.Start();
        DescriptorHog hog(1); // the one spare descriptor becomes the client's socket
        const int fd = RawSend(t.port, "");
        REQUIRE(fd >= 0);
        REQUIRE(WaitFor([&] { return t.server->GetStats().accept_errors >= 1; }));
        std::this_thread::sleep_for(200ms); // a spinning loop fails thousands of times meanwhile
        CHECK(t.server->GetStats().accept_errors == 1);
        ::close(fd);
        hog.Release();
    }
    TestServer t;
    t.options.accept_backoff = 20ms;
    t.Start();
    const std::string body = R"({"method":"uptime","id":1})";
    int fd = -1;
    {
        DescriptorHog hog(1);
        fd = RawSend(t.port, Header(GoodAuthLine() +
                                    "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n") +
                                 body);
        REQUIRE(fd >= 0);
        REQUIRE(WaitFor([&] { return t.server->GetStats().accept_errors >= 1; }));
    }
    CHECK(RawRead(fd, 10).starts_with("HTTP/1.1 200")); // accepted once descriptors are free again
}
