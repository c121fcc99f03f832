// RpcTable, JSON-RPC reply shapes, named parameters, helpers, rpcauth and CLI conversion.
#include "node/http/auth.h"
#include "common/rpc/client.h"
#include "node/http/http_options.h"
#include "common/rpc/json.h"
#include "common/rpc/server.h"
#include "node/http/jsonrpc.h"
#include "common/rpc/util.h"

#include <catch2/catch.hpp>

#include <functional>

using namespace common::rpc;
using namespace node::http;

namespace {

/** A table with "echo" (a: number, b: string optional, c: bool optional) returning its params. */
void AddEcho(RpcTable& table)
{
    table.Register(RpcMethod{
        .category = "test",
        .name = "echo",
        .args = {{.name = "a", .type = RpcArgType::NUM, .optional = false, .description = "first"},
                 {.name = "b|bee",
                  .type = RpcArgType::STR,
                  .optional = true,
                  .default_text = "\"x\"",
                  .description = "second"},
                 {.name = "c", .type = RpcArgType::BOOL, .optional = true, .description = "third"}},
        .description = "Echoes its parameters.",
        .handler = [](const RpcRequest& req) -> Json { return req.params; },
        .results = {
            {.type = RpcResultType::ARR, .description = "the parameters", .inner = {{.type = RpcResultType::ANY}}}}});
}

RpcRequest Call(const std::string& method, Json params)
{
    RpcRequest req;
    req.method = method;
    req.params = std::move(params);
    return req;
}

int CodeOf(const RpcTable& table, const RpcRequest& req)
{
    try {
        table.Execute(req);
    } catch (const RpcError& e) {
        return e.code;
    }
    return 0;
}

/** A test method "ahead" (one number) whose calls a batch begins with begin. */
RpcMethod AheadMethod(RpcBegin begin)
{
    return RpcMethod{.category = "test",
                     .name = "ahead",
                     .args = {{.name = "n", .type = RpcArgType::NUM, .optional = false, .description = "n"}},
                     .handler = [](const RpcRequest& req) -> Json { return req.params[0]; },
                     .results = {{.type = RpcResultType::NUM}},
                     .begin = std::move(begin)};
}

/** A test method "plain" without a begin: a batch executes it at its turn. */
RpcMethod PlainMethod(std::function<Json()> body)
{
    return RpcMethod{.category = "test",
                     .name = "plain",
                     .handler = [body = std::move(body)](const RpcRequest&) -> Json { return body(); },
                     .results = {{.type = RpcResultType::NUM}}};
}

} // namespace

TEST_CASE("WriteJson formats like UniValue, with exact raw-number amounts", "[rpc]")
{
    Json v = Json::object();
    v["amount"] = ValueFromAmount(consensus::Amount{5000000000});
    v["fee"] = ValueFromAmount(consensus::Amount{-10000});
    v["difficulty"] = 4.656542373906925e-10;
    v["progress"] = 1.0;
    v["list"] = Json::array();
    v["text"] = "a\"b\n\x01";
    CHECK(WriteJson(v) == "{\"amount\":50.00000000,\"fee\":-0.00010000,\"difficulty\":4.656542373906925e-10,"
                          "\"progress\":1,\"list\":[],\"text\":\"a\\\"b\\n\\u0001\"}");
    Json small = Json::object();
    small["a"] = 1;
    small["b"] = Json::array();
    CHECK(WriteJson(small, 2) == "{\n  \"a\": 1,\n  \"b\": [\n  ]\n}");
    CHECK(WriteJson(Json::array(), 2) == "[\n]");
}

TEST_CASE("ParseJson keeps decimal text when asked and rejects bad input", "[rpc]")
{
    auto v = ParseJson("{\"x\": 50.00000000, \"n\": 3}", true);
    REQUIRE(v);
    CHECK(IsRawNumber((*v)["x"]));
    CHECK(WriteJson(*v) == "{\"x\":50.00000000,\"n\":3}");
    CHECK_FALSE(ParseJson("{\"x\": }"));
    CHECK_FALSE(ParseJson("[1] trailing"));
    CHECK_FALSE(ParseJson(std::string(600, '[') + std::string(600, ']')));
    CHECK(ParseJson("\"str\"")->is_string());
}

TEST_CASE("AmountFromValue accepts Core's forms and rejects extra decimals and ranges", "[rpc]")
{
    CHECK(AmountFromValue(Json(0.1)).sats == 10000000);
    CHECK(AmountFromValue(Json("0.00000001")).sats == 1);
    CHECK(AmountFromValue(Json(21000000)).sats == 2100000000000000);
    CHECK(AmountFromValue(RawNumber("1e-8")).sats == 1);
    CHECK_THROWS_WITH(AmountFromValue(Json("0.000000001")), "Invalid amount");
    CHECK_THROWS_WITH(AmountFromValue(Json(-1)), "Amount out of range");
    CHECK_THROWS_WITH(AmountFromValue(Json(21000001)), "Amount out of range");
    CHECK_THROWS_WITH(AmountFromValue(Json(true)), "Amount is not a number or string");
}

TEST_CASE("ParseFixedPoint refuses 19 or more significant digits without overflowing", "[rpc]")
{
    // Found by fuzz_jsonrpc: the 19th digit multiplied a mantissa of 10^18 - 1 by ten, a
    // signed overflow (undefined behaviour; UBSan aborts on it).
    int64_t out = 0;
    CHECK(ParseFixedPoint("999999999999999999", 0, &out));
    CHECK(out == 999999999999999999);
    CHECK_FALSE(ParseFixedPoint("9999999999999999999", 0, &out));
    CHECK_FALSE(ParseFixedPoint("-99999999999999999999", 0, &out));
    CHECK_FALSE(ParseFixedPoint("99999999.99999999999", 8, &out));
    CHECK_THROWS_AS(AmountFromValue(Json("99999999.99999999999")), RpcError);
}

TEST_CASE("ParseHashV reports Core's messages", "[rpc]")
{
    const std::string good(64, 'a');
    CHECK(ParseHashV(Json(good), "blockhash").GetHex() == good);
    CHECK_THROWS_WITH(ParseHashV(Json("abc"), "blockhash"), "blockhash must be of length 64 (not 3, for 'abc')");
    CHECK_THROWS_WITH(ParseHashV(Json(std::string(64, 'z')), "blockhash"),
                      "blockhash must be hexadecimal string (not '" + std::string(64, 'z') + "')");
    try {
        ParseHashV(Json(5), "blockhash");
        FAIL("no throw");
    } catch (const RpcError& e) {
        CHECK(e.code == RPC_TYPE_ERROR);
        CHECK(std::string(e.what()) == "JSON value of type number is not of expected type string");
    }
    CHECK(ParamOr<int>(Json::array({Json(), 3}), 0, 7) == 7);
    CHECK(ParamOr<int>(Json::array({Json(), 3}), 1, 7) == 3);
    CHECK(ParamOr<std::string>(Json::array(), 0, "d") == "d");
}

TEST_CASE("Execute converts named parameters to positional ones", "[rpc]")
{
    RpcTable table;
    AddEcho(table);
    Json named = Json::object();
    named["a"] = 1;
    named["c"] = true;
    CHECK(table.Execute(Call("echo", named)) == Json::array({1, nullptr, true}));
    Json alias = Json::object();
    alias["bee"] = "y";
    alias["a"] = 2;
    CHECK(table.Execute(Call("echo", alias)) == Json::array({2, "y"}));
    Json unknown = Json::object();
    unknown["a"] = 1;
    unknown["zzz"] = 1;
    try {
        table.Execute(Call("echo", unknown));
        FAIL("no throw");
    } catch (const RpcError& e) {
        CHECK(e.code == RPC_INVALID_PARAMETER);
        CHECK(std::string(e.what()) == "Unknown named parameter zzz");
    }
    Json mixed = Json::object();
    mixed["args"] = Json::array({5});
    mixed["c"] = false;
    CHECK(table.Execute(Call("echo", mixed)) == Json::array({5, nullptr, false}));
}

TEST_CASE("Execute checks argument counts and types like Core", "[rpc]")
{
    RpcTable table;
    AddEcho(table);
    CHECK(CodeOf(table, Call("echo", Json::array())) == RPC_MISC_ERROR);                  // missing required
    CHECK(CodeOf(table, Call("echo", Json::array({1, "x", true, 4}))) == RPC_MISC_ERROR); // too many
    try {
        table.Execute(Call("echo", Json::array({"1"})));
        FAIL("no throw");
    } catch (const RpcError& e) {
        CHECK(e.code == RPC_TYPE_ERROR);
        CHECK(std::string(e.what()) ==
              "Wrong type passed:\n{\n    \"Position 1 (a)\": \"JSON value of type string is not of "
              "expected type number\"\n}");
    }
    CHECK(CodeOf(table, Call("nosuch", Json::array())) == RPC_METHOD_NOT_FOUND);
}

TEST_CASE("Warm-up blocks every method except help and stop", "[rpc]")
{
    RpcTable table;
    AddEcho(table);
    bool stopped = false;
    table.SetShutdownCallback([&] { stopped = true; });
    table.SetWarmup(true, "Loading block index…");
    try {
        table.Execute(Call("echo", Json::array({1})));
        FAIL("no throw");
    } catch (const RpcError& e) {
        CHECK(e.code == RPC_IN_WARMUP);
        CHECK(std::string(e.what()) == "Loading block index…");
    }
    CHECK(table.Execute(Call("help", Json::array())).is_string());
    CHECK(table.Execute(Call("stop", Json::array())) == "Minicash stopping");
    CHECK(stopped);
    table.SetWarmup(false);
    CHECK(table.Execute(Call("uptime", Json::array())).is_number_integer());
}

TEST_CASE("help groups commands by category and shows one command's help", "[rpc]")
{
    RpcTable table;
    AddEcho(table);
    const std::string all = table.Help();
    CHECK(all.find("== Control ==\ngetrpcinfo\nhelp ( \"command\" )\nstop\nuptime\n\n== Test ==\necho a ( \"b\" c )") ==
          0);
    const std::string one = table.Help("echo");
    CHECK(one.find("echo a ( \"b\" c )\n\nEchoes its parameters.\n\nArguments:\n1. a") == 0);
    CHECK(table.Help("nosuch") == "help: unknown command: nosuch");
    const Json info = table.Execute(Call("getrpcinfo", Json::array()));
    REQUIRE(info["active_commands"].size() == 1);
    CHECK(info["active_commands"][0]["method"] == "getrpcinfo");
}

TEST_CASE("ProcessJsonRpcBody answers legacy and 2.0 requests with Core's shapes and statuses", "[rpc]")
{
    RpcTable table;
    AddEcho(table);
    auto run = [&](const std::string& body) { return ProcessJsonRpcBody(table, body, "/", "u", "127.0.0.1:1"); };

    auto r = run(R"({"method":"echo","params":[1],"id":7})");
    CHECK(r.status == 200);
    CHECK(r.body == "{\"result\":[1],\"error\":null,\"id\":7}\n");

    r = run(R"({"jsonrpc":"2.0","method":"echo","params":[1],"id":"x"})");
    CHECK(r.status == 200);
    CHECK(r.body == "{\"jsonrpc\":\"2.0\",\"result\":[1],\"id\":\"x\"}\n");

    r = run(R"({"method":"nosuch","id":1})");
    CHECK(r.status == 404);
    CHECK(r.body == "{\"result\":null,\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":1}\n");

    r = run(R"({"jsonrpc":"2.0","method":"nosuch","id":1})");
    CHECK(r.status == 200);
    CHECK(r.body == "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":1}\n");

    r = run(R"({"jsonrpc":"2.0","method":"echo","params":[1]})");
    CHECK(r.status == 204);
    CHECK(r.body.empty());

    r = run(R"({"method":"echo","params":["bad"],"id":1})");
    CHECK(r.status == 500);

    r = run(R"({"id":1})");
    CHECK(r.status == 400);
    CHECK(r.body.find("\"code\":-32600") != std::string::npos);

    r = run("{not json");
    CHECK(r.status == 500);
    // As Core: the request never parsed, so its id is null and the reply carries "id": null.
    CHECK(r.body == "{\"result\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}\n");

    r = run("42");
    CHECK(r.status == 500);
    CHECK(r.body.find("Top-level object parse error") != std::string::npos);

    r = run(R"([{"method":"echo","params":[1],"id":1},{"method":"nosuch","id":2},
               {"jsonrpc":"2.0","method":"echo","params":[3]},"junk"])");
    CHECK(r.status == 200);
    auto batch = ParseJson(r.body);
    REQUIRE(batch);
    REQUIRE(batch->size() == 3);
    CHECK((*batch)[0]["result"] == Json::array({1}));
    CHECK((*batch)[1]["error"]["code"] == -32601);
    CHECK((*batch)[2]["error"]["code"] == -32600);

    CHECK(run("[]").body == "[]\n");
    CHECK(run(R"([{"jsonrpc":"2.0","method":"uptime"}])").status == 204);
}

TEST_CASE("A batch begins calls ahead, executes other calls after them and answers in order", "[rpc]")
{
    RpcTable table;
    AddEcho(table);
    std::vector<std::string> log;
    size_t outstanding = 0, most_outstanding = 0;
    // "ahead" n: begun ahead (n < 0 fails at its begin, n == 0 at its finish); "plain": executed at its turn.
    table.Register(AheadMethod([&](const RpcRequest& req) -> RpcBegun {
        const int n = req.params[0].get<int>();
        if (n < 0) throw RpcError(RPC_INVALID_PARAMETER, "negative");
        log.push_back("begin " + std::to_string(n));
        most_outstanding = std::max(most_outstanding, ++outstanding);
        return RpcBegun([&, n]() -> Json {
            --outstanding;
            log.push_back("finish " + std::to_string(n));
            if (n == 0) throw std::runtime_error("zero");
            return n;
        });
    }));
    table.Register(PlainMethod([&]() -> Json {
        log.push_back("plain");
        return outstanding;
    }));
    auto run = [&](const std::string& body) { return ProcessJsonRpcBody(table, body, "/", "u", "127.0.0.1:1"); };

    auto r = run(R"([{"jsonrpc":"2.0","method":"ahead","params":[1],"id":1},
                     {"jsonrpc":"2.0","method":"ahead","params":[-1],"id":2},
                     {"jsonrpc":"2.0","method":"ahead","params":["x"],"id":3},
                     {"jsonrpc":"2.0","method":"ahead","params":[2],"id":4},
                     {"jsonrpc":"2.0","method":"plain","id":5},
                     {"jsonrpc":"2.0","method":"ahead","params":[3]},
                     {"jsonrpc":"2.0","method":"ahead","params":[0],"id":7},
                     {"jsonrpc":"2.0","method":"nosuch","id":8},
                     {"jsonrpc":"2.0","method":"ahead","params":[4],"id":9}])");
    CHECK(r.status == 200);
    auto batch = ParseJson(r.body);
    REQUIRE(batch);
    REQUIRE(batch->size() == 8); // the notification (params [3]) is executed, not answered
    const std::vector<std::pair<int, Json>> want{{1, 1}, {2, -8}, {3, -3},     {4, 2},
                                                 {5, 0}, {7, -1}, {8, -32601}, {9, 4}};
    for (size_t i = 0; i < want.size(); ++i) {
        INFO(i << ": " << WriteJson((*batch)[i]));
        CHECK((*batch)[i]["id"] == want[i].first);
        if (i == 0 || i == 3 || i == 4 || i == 7) {
            CHECK((*batch)[i]["result"] == want[i].second); // plain saw no call still begun
        } else {
            CHECK((*batch)[i]["error"]["code"] == want[i].second);
        }
    }
    CHECK((*batch)[5]["error"]["message"] == "zero");
    // Begun ahead of the finishes before them; "plain" only once every earlier call finished.
    CHECK(log == std::vector<std::string>{"begin 1", "begin 2", "finish 1", "finish 2", "plain", "begin 3", "begin 0",
                                          "begin 4", "finish 3", "finish 0", "finish 4"});
    CHECK(outstanding == 0);
    // A single request is executed whole: its handler, not its begin.
    log.clear();
    CHECK(run(R"({"method":"ahead","params":[5],"id":1})").body == "{\"result\":5,\"error\":null,\"id\":1}\n");
    CHECK(log.empty());
    // At most 128 calls are begun ahead of the one being finished.
    std::string big = "[";
    for (int i = 1; i <= 300; ++i)
        big += std::string(i > 1 ? "," : "") + R"({"method":"ahead","params":[)" + std::to_string(i) + R"(],"id":1})";
    big += "]";
    most_outstanding = 0;
    REQUIRE(ParseJson(run(big).body)->size() == 300);
    CHECK(most_outstanding == 129);
    CHECK(outstanding == 0);
}

TEST_CASE("A batch waits once for a run of begun calls that become ready in order", "[rpc]")
{
    RpcTable table;
    std::vector<std::string> log;
    table.Register(AheadMethod([&](const RpcRequest& req) -> RpcBegun {
        const int n = req.params[0].get<int>();
        return RpcBegun(
            [&, n]() -> Json {
                log.push_back("finish " + std::to_string(n));
                return n;
            },
            [&, n] { log.push_back("wait " + std::to_string(n)); });
    }));
    table.Register(PlainMethod([&]() -> Json {
        log.push_back("plain");
        return 0;
    }));
    // ahead 1-5, a call refused at its begin, ahead 6 as a notification, ahead 7-10, a call with
    // no begin (every call before it is answered first), then ahead 11-30.
    auto ahead = [](int n, bool notification = false) {
        return std::string(R"({"jsonrpc":"2.0","method":"ahead","params":[)") + std::to_string(n) + "]" +
               (notification ? "" : R"(,"id":)" + std::to_string(n)) + "}";
    };
    std::string body = "[";
    for (int n = 1; n <= 5; ++n) body += ahead(n) + ",";
    body += R"({"jsonrpc":"2.0","method":"ahead","params":["x"],"id":"bad"},)" + ahead(6, true) + ",";
    for (int n = 7; n <= 10; ++n) body += ahead(n) + ",";
    body += R"({"jsonrpc":"2.0","method":"plain","id":"plain"})";
    for (int n = 11; n <= 30; ++n) body += "," + ahead(n);
    body += "]";
    const auto r = ProcessJsonRpcBody(table, body, "/", "u", "127.0.0.1:1");
    REQUIRE(r.status == 200);
    const auto batch = ParseJson(r.body);
    REQUIRE(batch);
    REQUIRE(batch->size() == 31); // 30 ahead less the notification, the refused call, plain
    CHECK((*batch)[5]["id"] == "bad");
    CHECK((*batch)[5]["error"]["code"] == -3);
    CHECK((*batch)[10]["id"] == "plain");
    for (size_t i = 0; i < batch->size(); ++i) {
        if (i == 5 || i == 10) continue;
        const int n = static_cast<int>(i < 10 ? i + 1 : i);
        INFO(i);
        CHECK((*batch)[i]["result"] == n);
    }
    // One wait covers the calls up to the 10th (the queue before "plain": its first 16 entries,
    // the refused one included), then the 16 after plain, then the last 4; each wait comes
    // before the finishes it covers, and no finish waits on its own.
    std::vector<std::string> want{"wait 10"};
    for (int n = 1; n <= 10; ++n) want.push_back("finish " + std::to_string(n));
    want.push_back("plain");
    want.push_back("wait 26");
    for (int n = 11; n <= 26; ++n) want.push_back("finish " + std::to_string(n));
    want.push_back("wait 30");
    for (int n = 27; n <= 30; ++n) want.push_back("finish " + std::to_string(n));
    CHECK(log == want);
}

TEST_CASE("-rpcwhitelist limits a user to its methods, batches included, as Core", "[rpc]")
{
    RpcTable table;
    AddEcho(table);
    table.Register(RpcMethod{.category = "test",
                             .name = "ping",
                             .handler = [](const RpcRequest&) -> Json { return nullptr; },
                             .results = {{.type = RpcResultType::NONE}}});
    RpcWhitelist wl;
    wl.Add("alice:echo, ping"); // ',' and ' ' both separate
    wl.Add("alice:echo,other"); // a second entry intersects: alice keeps echo only
    wl.Add("carol");            // no ':' — an empty whitelist
    auto run = [&](const std::string& user, const std::string& body) {
        return ProcessJsonRpcBody(table, body, "/", user, "127.0.0.1:1", &wl);
    };
    CHECK(wl.Allows("alice", "echo"));
    CHECK_FALSE(wl.Allows("alice", "ping"));
    CHECK_FALSE(wl.Allows("carol", "echo"));

    CHECK(run("alice", R"({"method":"echo","params":[1],"id":1})").status == 200);
    auto denied = run("alice", R"({"method":"ping","id":1})");
    CHECK(denied.status == 403);
    CHECK(denied.body.empty());
    // One disallowed call refuses the whole batch; an allowed batch runs.
    CHECK(run("alice", R"([{"method":"echo","params":[1],"id":1},{"method":"ping","id":2}])").status == 403);
    CHECK(run("alice", R"([{"method":"echo","params":[1],"id":1}])").status == 200);
    CHECK(run("carol", R"({"method":"echo","params":[1],"id":1})").status == 403);
    // Without -rpcwhitelistdefault=1 a user with no whitelist may call anything...
    CHECK(run("bob", R"({"method":"ping","id":1})").status == 200);
    // ...and with it, nothing.
    wl.SetDefaultDeny(true);
    CHECK(run("bob", R"({"method":"ping","id":1})").status == 403);
    CHECK(run("alice", R"({"method":"echo","params":[1],"id":1})").status == 200);
}

TEST_CASE("rpcauth entries verify with HMAC-SHA256 of the salt over the password", "[rpc]")
{
    // Vector: python3 -c "import hmac; print(hmac.new(b'cb77f0957de88ff388cf817ddbc7273',
    //   b'75KUXo5U5y9PS8G5cQVU7WVc3TsnK5G_2klzQBRRzuI=', 'sha256').hexdigest())"
    RpcAuthenticator auth;
    REQUIRE(auth.AddRpcAuth(
        "rt:cb77f0957de88ff388cf817ddbc7273$0f2f4e03422c98532379dc83d79ce6717818e864f75d24773bc50a59717a121b"));
    CHECK_FALSE(auth.AddRpcAuth("nodollar:abc"));
    CHECK_FALSE(auth.AddRpcAuth("a:b:c$d"));
    std::string user;
    CHECK(auth.Check("Basic " + EncodeBase64("rt:75KUXo5U5y9PS8G5cQVU7WVc3TsnK5G_2klzQBRRzuI="), user));
    CHECK(user == "rt");
    CHECK_FALSE(auth.Check("Basic " + EncodeBase64("rt:wrong"), user));
    CHECK_FALSE(auth.Check("Basic " + EncodeBase64("other:75KUXo5U5y9PS8G5cQVU7WVc3TsnK5G_2klzQBRRzuI="), user));
    CHECK_FALSE(auth.Check("Bearer x", user));
    CHECK_FALSE(auth.Check("Basic !!!", user));

    auth.AddPlain("__cookie__", "abc");
    CHECK(auth.Check("Basic " + EncodeBase64("__cookie__:abc"), user));
    CHECK(DecodeBase64(EncodeBase64("hello!")) == std::optional<std::string>("hello!"));
    CHECK(TimingResistantEqual("abc", "abc"));
    CHECK_FALSE(TimingResistantEqual("abc", "abd"));
    CHECK_FALSE(TimingResistantEqual("abc", "ab"));
}

TEST_CASE("The CLI converts the parameters Core converts and keeps others as strings", "[rpc]")
{
    CHECK(WriteJson(RpcConvertValues("getblockhash", {"5"})) == "[5]");
    CHECK(WriteJson(RpcConvertValues("getblock", {"00ff", "2"})) == "[\"00ff\",2]");
    CHECK(WriteJson(RpcConvertValues("createrawtransaction", {"[]", "{\"addr\":0.10}", "0", "true"})) ==
          "[[],{\"addr\":0.10},0,true]");
    CHECK(WriteJson(RpcConvertValues("gettxoutsetinfo", {"muhash", "abc"})) == "[\"muhash\",\"abc\"]");
    CHECK_THROWS_WITH(RpcConvertValues("getblockhash", {"x"}), "Error parsing JSON: x");
    CHECK(WriteJson(RpcConvertNamedValues("getblock", {"blockhash=00", "verbosity=0"})) ==
          "{\"blockhash\":\"00\",\"verbosity\":0}");
    CHECK(WriteJson(RpcConvertNamedValues("getblock", {"00", "verbosity=1"})) == "{\"verbosity\":1,\"args\":[\"00\"]}");
}

TEST_CASE("Subnets match single addresses, CIDR and netmasks", "[rpc]")
{
    auto net = Subnet::Parse("192.168.1.0/24");
    REQUIRE(net);
    CHECK(net->Contains("192.168.1.77"));
    CHECK(net->Contains("::ffff:192.168.1.77"));
    CHECK_FALSE(net->Contains("192.168.2.1"));
    auto mask = Subnet::Parse("10.0.0.0/255.0.0.0");
    REQUIRE(mask);
    CHECK(mask->Contains("10.9.8.7"));
    CHECK(Subnet::Parse("::/0")->Contains("2a01:4f8::1"));
    CHECK(Subnet::Parse("1.2.3.4")->Contains("1.2.3.4"));
    CHECK_FALSE(Subnet::Parse("1.2.3.4")->Contains("1.2.3.5"));
    CHECK_FALSE(Subnet::Parse("1.2.3.4/33"));
    CHECK_FALSE(Subnet::Parse("1.2.3.4/255.0.255.0"));
    CHECK_FALSE(Subnet::Parse("nonsense"));
    uint16_t port = 1;
    std::string host;
    CHECK(SplitHostPort("[::1]:8332", port, host));
    CHECK((host == "::1" && port == 8332));
    CHECK(SplitHostPort("127.0.0.1", port, host));
    CHECK(host == "127.0.0.1");
    CHECK_FALSE(SplitHostPort("h:99999", port, host));
}
