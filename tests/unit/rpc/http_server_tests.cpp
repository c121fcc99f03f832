// HttpRpcServer over real loopback sockets on ephemeral ports (127.0.0.1 only).
#include "node/rpc/auth.h"
#include "node/rpc/http_client.h"
#include "node/rpc/http_options.h"
#include "node/rpc/http_server.h"
#include "node/rpc/json.h"
#include "node/rpc/server.h"
#include "node/util/args.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <future>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace node::rpc;
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
        table.Register(RpcMethod{.category = "test",
                                 .name = "wallet",
                                 .handler = [](const RpcRequest& r) -> Json { return r.WalletName().value_or("none"); }});
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

std::optional<HttpResponse> PostOnce(uint16_t port, const std::string& body, const std::string& auth = Basic("__cookie__:" + PASSWORD),
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
    node::util::ArgsManager args;
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
    struct stat st{};
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
    for (const auto& [value, mode] : {std::pair<std::string, unsigned>{"owner", 0600}, {"group", 0640}, {"all", 0644}}) {
        node::util::ArgsManager args;
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
        struct stat st{};
        REQUIRE(::stat(cookie_path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == mode);
        DeleteAuthCookie(cookie_path);
    }
    node::util::ArgsManager args;
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
    const std::string raw = "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: " +
                            Basic("__cookie__:" + PASSWORD) + "\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\n\r\n" + body;
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
    const std::string huge_header = RawExchange(t.port, "POST / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n");
    CHECK((huge_header.empty() || huge_header.starts_with("HTTP/1.1 413")));
    const std::string truncated = RawExchange(t.port, "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"method\"");
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
