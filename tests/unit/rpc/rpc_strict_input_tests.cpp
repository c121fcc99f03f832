// Input the RPC server must read exactly as Bitcoin Core: the base64 of HTTP Basic
// credentials (Core's DecodeBase64) and JSON objects with repeated keys (UniValue keeps
// them and its lookups find the first; named parameters given twice are an error).
#include "node/http/auth.h"
#include "common/rpc/json.h"
#include "common/rpc/server.h"
#include "node/http/jsonrpc.h"

#include <catch2/catch.hpp>

#include <string>

using namespace common::rpc;
using namespace node::http;
using namespace std::string_literals;

TEST_CASE("DecodeBase64 decodes RFC 4648's vectors and refuses what Core refuses", "[rpc]")
{
    const std::pair<const char*, const char*> good[] = {{"", ""},
                                                        {"Zg==", "f"},
                                                        {"Zm8=", "fo"},
                                                        {"Zm9v", "foo"},
                                                        {"Zm9vYg==", "foob"},
                                                        {"Zm9vYmE=", "fooba"},
                                                        {"Zm9vYmFy", "foobar"}};
    for (const auto& [in, out] : good) {
        INFO(in);
        CHECK(DecodeBase64(in) == std::optional<std::string>(out));
        CHECK(EncodeBase64(out) == in);
    }
    CHECK(DecodeBase64("nQB/pZw=") == std::optional<std::string>("\x9d\x00\x7f\xa5\x9c"s));
    for (const std::string& bad : {"Zg"s, "Zg="s, "Zm8"s, "Zg==="s,        // length not a multiple of 4
                                   "Z==="s, "===="s, "=Zm9"s, "Zg==Zg=="s, // padding: at most two, at the end
                                   "Zh=="s, "Zm9="s,                       // non-zero bits after the last byte
                                   "Zm 9v"s, "Zm9v\n   "s, " Zm9"s,        // whitespace
                                   "Zm9v!!!!"s, "Zm-_"s,                   // not in the alphabet (nor URL-safe)
                                   "invalid\0"s, "nQB/pZw=\0invalid"s, "nQB/pZw=invalid\0"s}) {
        INFO(bad);
        CHECK_FALSE(DecodeBase64(bad));
    }
}

TEST_CASE("Basic credentials must be strict base64 (spaces around them are trimmed as Core)", "[rpc]")
{
    RpcAuthenticator auth;
    auth.AddPlain("u", "p");
    std::string user;
    const std::string good = EncodeBase64("u:p"); // "dTpw"
    REQUIRE(good == "dTpw");
    CHECK(auth.Check("Basic " + good, user));
    CHECK(auth.Check("Basic \t" + good + " \r\n", user));
    CHECK_FALSE(auth.Check("Basic dTpw=", user));  // extra padding
    CHECK_FALSE(auth.Check("Basic dTpw==", user)); // extra padding
    CHECK_FALSE(auth.Check("Basic dTp", user));    // truncated
    CHECK_FALSE(auth.Check("Basic dT pw", user));  // inner space
    // "u:p!" is dTpwIQ==; dTpwIR== carries non-zero spare bits and decodes the same bytes
    // only for a lax decoder.
    auth.AddPlain("u", "p!");
    CHECK(auth.Check("Basic dTpwIQ==", user));
    CHECK_FALSE(auth.Check("Basic dTpwIR==", user));
    CHECK_FALSE(auth.Check("Basic dTpwIQ", user)); // padding is not optional
}

TEST_CASE("ParseJson keeps the first value of a repeated key and reports the repetition", "[rpc]")
{
    std::vector<JsonDuplicateKey> dups;
    const auto v =
        ParseJson(R"({"a":1,"b":{"x":[1,{"y":1,"y":[2,{"z":3}]}]},"a":{"deep":[{"a":2}]},"c":3,"b":0})", false, &dups);
    REQUIRE(v);
    CHECK(WriteJson(*v) == R"({"a":1,"b":{"x":[1,{"y":1}]},"c":3})");
    REQUIRE(dups.size() == 3);
    CHECK((dups[0].path == std::vector<std::string>{"b", "x", "1"} && dups[0].key == "y"));
    CHECK((dups[1].path.empty() && dups[1].key == "a"));
    CHECK((dups[2].path.empty() && dups[2].key == "b"));
    // Without a report the result is the same; a skipped value still counts toward the depth limit.
    CHECK(WriteJson(*ParseJson(R"({"k":"first","k":"second"})")) == R"({"k":"first"})");
    CHECK_FALSE(ParseJson(R"({"k":1,"k":)" + std::string(600, '[') + std::string(600, ']') + "}"));
    CHECK_FALSE(ParseJson(R"({"k":1,"k":})"));
}

TEST_CASE("ParseJson reads numbers, strings and limits alike through simdjson and nlohmann", "[rpc]")
{
    // keep_number_text=false reads with simdjson (nlohmann when it refuses, or when "-0" is in
    // the text); true with nlohmann alone. The types nlohmann gives are kept: unsigned for a
    // non-negative integer, signed for a negative one (and "-0"), float for a fraction or
    // exponent; past 64 bits a float. This text is simdjson's (no "-0", nothing it refuses).
    const auto fast = ParseJson(
        R"([0,1,-1,"minus zero below",1.5,1e3,-2.5E-3,18446744073709551615,-9223372036854775808,"past 64 bits below",)"
        R"("a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00",true,false,null,{"k":[]}])");
    REQUIRE(fast);
    const Json& a = *fast;
    CHECK(a[0].is_number_unsigned());
    CHECK(a[1].is_number_unsigned());
    CHECK((a[2].is_number_integer() && !a[2].is_number_unsigned() && a[2].get<int64_t>() == -1));
    const auto minus_zero = ParseJson("[-0]");
    CHECK((minus_zero && (*minus_zero)[0].is_number_integer() && !(*minus_zero)[0].is_number_unsigned() &&
           (*minus_zero)[0].get<int64_t>() == 0));
    CHECK((a[4].is_number_float() && a[4].get<double>() == 1.5));
    CHECK((a[5].is_number_float() && a[5].get<double>() == 1000.0));
    CHECK((a[6].is_number_float() && a[6].get<double>() == -2.5e-3));
    CHECK((a[7].is_number_unsigned() && a[7].get<uint64_t>() == UINT64_MAX));
    CHECK((a[8].is_number_integer() && a[8].get<int64_t>() == INT64_MIN));
    const auto big = ParseJson("[18446744073709551616]");
    CHECK((big && (*big)[0].is_number_float() && (*big)[0].get<double>() == 18446744073709551616.0));
    CHECK(a[10].get<std::string>() == "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
    CHECK((a[11] == true && a[12] == false && a[13].is_null() && WriteJson(a[14]) == R"({"k":[]})"));
    // Both refuse the same texts: bad escapes, lone surrogates, raw control characters,
    // leading zeros, overflowing floats, trailing text, invalid UTF-8, past 512 levels.
    for (const std::string& bad : {R"(["\x"])"s, R"(["\ud800"])"s, "[\"a\x01\"]"s, "[01]"s, "[1e400]"s, "{} x"s,
                                   "[\"\xff\"]"s, std::string(513, '[') + std::string(513, ']'), "[1,]"s, ""s}) {
        INFO(bad);
        CHECK_FALSE(ParseJson(bad));
        CHECK_FALSE(ParseJson(bad, true));
    }
    CHECK(ParseJson(std::string(512, '[') + std::string(512, ']')));
}

TEST_CASE("A request with a repeated key uses the first, and repeated named params are -8", "[rpc]")
{
    RpcTable table;
    table.Register(
        RpcMethod{.category = "test",
                  .name = "first",
                  .args = {{.name = "a", .type = RpcArgType::NUM, .optional = true, .description = "a number"}},
                  .description = "Returns \"first\" and its parameters.",
                  .handler = [](const RpcRequest& req) -> Json {
                      return Json::array({"first", req.params});
                  },
                  .results = {{.type = RpcResultType::ANY, .description = "what it was given"}}});
    table.Register(RpcMethod{.category = "test",
                             .name = "second",
                             .args = {},
                             .description = "Returns \"second\".",
                             .handler = [](const RpcRequest&) -> Json { return "second"; },
                             .results = {{.type = RpcResultType::STR, .description = "second"}}});
    auto run = [&](const std::string& body) { return ProcessJsonRpcBody(table, body, "/", "u", "127.0.0.1:1"); };

    auto r = run(R"({"method":"first","method":"second","id":1,"id":2})");
    CHECK(r.status == 200);
    CHECK(r.body == "{\"result\":[\"first\",[]],\"error\":null,\"id\":1}\n");

    r = run(R"({"method":"first","params":[5],"params":[6],"id":1})");
    CHECK(r.body == "{\"result\":[\"first\",[5]],\"error\":null,\"id\":1}\n");

    r = run(R"({"method":"first","params":{"a":5,"a":6},"id":1})");
    CHECK(r.status == 500);
    CHECK(r.body == "{\"result\":null,\"error\":{\"code\":-8,\"message\":\"Parameter a specified multiple times\"},"
                    "\"id\":1}\n");

    // In a batch only the item with the repeated named parameter fails.
    r = run(R"([{"method":"first","params":{"a":1},"id":1},{"method":"first","params":{"a":1,"a":2},"id":2},
               {"method":"first","params":{"x":{"k":1,"k":2}},"id":3}])");
    CHECK(r.status == 200);
    const auto batch = ParseJson(r.body);
    REQUIRE(batch);
    REQUIRE(batch->size() == 3);
    CHECK(WriteJson((*batch)[0]["result"]) == R"(["first",[1]])");
    CHECK((*batch)[1]["error"]["code"] == -8);
    CHECK((*batch)[2]["error"]["message"] == "Unknown named parameter x"); // a repeat deeper down is not one
}
