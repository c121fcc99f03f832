// Help generated from the method table (Core's layout) and the result checker behind -rpcdoccheck.
#include "common/rpc/server.h"
#include "common/rpc/util.h"

#include <catch2/catch.hpp>

using namespace common::rpc;
using T = RpcResultType;

namespace {

RpcRequest Call(const std::string& method, Json params = Json::array())
{
    RpcRequest req;
    req.method = method;
    req.params = std::move(params);
    return req;
}

/** An object result {"hash": hex, "height": n, "note": str (optional)}. */
RpcResult HashHeightNote()
{
    return {.type = T::OBJ,
            .inner = {{.type = T::STR_HEX, .key = "hash", .description = "The blockhash"},
                      {.type = T::NUM, .key = "height", .description = "Block height"},
                      {.type = T::STR, .key = "note", .description = "a note", .optional = true}}};
}

} // namespace

TEST_CASE("help of a built-in method is Core's text for the same method", "[rpc]")
{
    RpcTable table;
    // Core 28's `help uptime`, with bitcoin-cli spelled minicash-cli.
    const std::string core =
        "uptime\n"
        "\n"
        "Returns the total uptime of the server.\n"
        "\n"
        "Result:\n"
        "n    (numeric) The number of seconds that the server has been running\n"
        "\n"
        "Examples:\n"
        "> minicash-cli uptime \n"
        "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", \"method\": \"uptime\", "
        "\"params\": []}' -H 'content-type: application/json' http://127.0.0.1:8332/\n";
    CHECK(table.Help("uptime") == core);
    // A wrong argument count answers with the same text, as Core.
    try {
        table.Execute(Call("uptime", Json::array({1})));
        FAIL("no error");
    } catch (const RpcError& e) {
        CHECK(e.code == RPC_MISC_ERROR);
        CHECK(std::string(e.what()) == core);
    }
    // A hidden method is not listed, but its help answers when named (Core's CRPCTable::help).
    table.Register(RpcMethod{.category = "hidden",
                             .name = "secret",
                             .description = "For tests.",
                             .handler = [](const RpcRequest&) -> Json { return nullptr; },
                             .results = {{.type = T::NONE}}});
    CHECK(table.Help().find("secret") == std::string::npos);
    CHECK(table.Help("secret") == "secret\n\nFor tests.\n\nResult:\nnull    (json null)\n");
    // stop's wait argument is hidden, as Core's.
    CHECK(table.Help("stop").starts_with("stop\n\nRequest a graceful shutdown of Minicash.\n\nResult:\n"));
}

TEST_CASE("help renders nested arguments and results in Core's two-column layout", "[rpc]")
{
    RpcTable table;
    table.Register(RpcMethod{.category = "test",
                             .name = "nested",
                             .args = {{.name = "inputs",
                                       .type = RpcArgType::ARR,
                                       .optional = false,
                                       .description = "The inputs",
                                       .inner = {{.name = "",
                                                  .type = RpcArgType::OBJ,
                                                  .optional = true,
                                                  .inner =
                                                      {
                                                          {.name = "txid",
                                                           .type = RpcArgType::STR_HEX,
                                                           .optional = false,
                                                           .description = "The transaction id"},
                                                          {.name = "vout",
                                                           .type = RpcArgType::NUM,
                                                           .optional = false,
                                                           .description = "The output number"},
                                                      }}}},
                                      {.name = "verbosity|verbose",
                                       .type = RpcArgType::NUM,
                                       .optional = true,
                                       .default_text = "1",
                                       .description = "0 for hex",
                                       .skip_type_check = true}},
                             .description = "\nDoes nested things.\n",
                             .examples = HelpExampleCli("nested", "[] 1"),
                             .handler = [](const RpcRequest&) -> Json { return "00"; },
                             .results =
                                 {{.type = T::STR_HEX, .description = "hex data", .cond = "for verbosity = 0"},
                                  {.type = T::OBJ,
                                   .inner =
                                       {
                                           {.type = T::STR_HEX, .key = "hash", .description = "the hash"},
                                           {.type = T::ARR,
                                            .key =
                                                "tx",
                                            .description = "The transaction ids",
                                            .inner = {{.type = T::STR_HEX, .description = "The transaction id"}}},
                                           {.type = T::BOOL, .key = "flag", .description = "a flag", .optional = true},
                                           {.type = T::NUM_TIME, .key = "time", .description = "when"},
                                       },
                                   .cond = "for verbosity = 1"}}});
    const std::string expected = "nested [{\"txid\":\"hex\",\"vout\":n},...] ( verbosity )\n"
                                 "\n"
                                 "Does nested things.\n"
                                 "\n"
                                 "Arguments:\n"
                                 "1. inputs                  (json array, required) The inputs\n"
                                 "     [\n"
                                 "       {                   (json object)\n"
                                 "         \"txid\": \"hex\",    (string, required) The transaction id\n"
                                 "         \"vout\": n,        (numeric, required) The output number\n"
                                 "       },\n"
                                 "       ...\n"
                                 "     ]\n"
                                 "2. verbosity               (numeric, optional, default=1) 0 for hex\n"
                                 "\n"
                                 "Result (for verbosity = 0):\n"
                                 "\"hex\"    (string) hex data\n"
                                 "\n"
                                 "Result (for verbosity = 1):\n"
                                 "{                         (json object)\n"
                                 "  \"hash\" : \"hex\",         (string) the hash\n"
                                 "  \"tx\" : [                (json array) The transaction ids\n"
                                 "    \"hex\",                (string) The transaction id\n"
                                 "    ...\n"
                                 "  ],\n"
                                 "  \"flag\" : true|false,    (boolean, optional) a flag\n"
                                 "  \"time\" : xxx            (numeric) when\n"
                                 "}\n"
                                 "\n"
                                 "Examples:\n"
                                 "> minicash-cli nested [] 1\n";
    CHECK(table.Help("nested") == expected);
}

TEST_CASE("the result checker accepts a matching result and names what differs", "[rpc]")
{
    const RpcResult doc = HashHeightNote();
    CHECK(doc.MatchesType(Json{{"hash", "00"}, {"height", 1}}) == Json(true));
    CHECK(doc.MatchesType(Json{{"hash", "00"}, {"height", 1}, {"note", "x"}}) == Json(true));

    // A non-optional key missing.
    const Json missing = doc.MatchesType(Json{{"hash", "00"}});
    REQUIRE(missing.is_object());
    CHECK(missing.at("height") == "key missing, despite not being optional in doc");
    CHECK(missing.size() == 1);
    // A key the declaration does not have.
    const Json extra = doc.MatchesType(Json{{"hash", "00"}, {"height", 1}, {"bogus", 2}});
    REQUIRE(extra.is_object());
    CHECK(extra.at("bogus") == "key returned that was not in doc");
    // A member of the wrong type, and a top level of the wrong type.
    const Json wrong = doc.MatchesType(Json{{"hash", "00"}, {"height", "1"}});
    REQUIRE(wrong.is_object());
    CHECK(wrong.at("height") == "returned type is string, but declared as number in doc");
    CHECK(doc.MatchesType(Json::array()) == "returned type is array, but declared as object in doc");
    // Amounts are raw numbers: they are numbers.
    const RpcResult amount{.type = T::STR_AMOUNT};
    CHECK(amount.MatchesType(RawNumber("50.00000000")) == Json(true));
    CHECK(amount.MatchesType("50") == "returned type is string, but declared as number in doc");
    // Arrays: the last declared element describes the rest; errors are keyed by index.
    const RpcResult arr{.type = T::ARR, .inner = {{.type = T::STR_HEX}}};
    CHECK(arr.MatchesType(Json::array({"aa", "bb"})) == Json(true));
    CHECK(arr.MatchesType(Json::array({"aa", 3})).at("1") == "returned type is number, but declared as string in doc");
    // Nested: the path to the offending key is kept.
    const RpcResult outer{.type = T::OBJ, .inner = {{.type = T::OBJ, .key = "next", .inner = doc.inner}}};
    CHECK(outer.MatchesType(Json{{"next", Json{{"hash", "00"}}}}).at("next").at("height") ==
          "key missing, despite not being optional in doc");
    // An elision as first member accepts any object (Core: "Same output as verbosity = 1").
    const RpcResult elided{.type = T::OBJ, .inner = {{.type = T::ELISION}, {.type = T::NUM, .key = "fee"}}};
    CHECK(elided.MatchesType(Json{{"anything", 1}}) == Json(true));
}

TEST_CASE("-rpcdoccheck fails a call whose result differs from its declaration", "[rpc]")
{
    RpcTable table;
    Json reply;
    table.Register(RpcMethod{.category = "test",
                             .name = "drifting",
                             .handler = [&reply](const RpcRequest&) -> Json { return reply; },
                             .results = {HashHeightNote()}});
    table.Register(RpcMethod{.category = "test",
                             .name = "maybe",
                             .handler = [&reply](const RpcRequest&) -> Json { return reply; },
                             .results = {{.type = T::NONE, .cond = "If not found"}, HashHeightNote()}});

    reply = Json{{"hash", "00"}, {"height", 1}, {"extra", true}};
    CHECK(table.Execute(Call("drifting")) == reply); // off by default, as in Core's release builds
    table.SetDocCheck(true);
    try {
        table.Execute(Call("drifting"));
        FAIL("no error");
    } catch (const RpcError& e) {
        CHECK(e.code == RPC_MISC_ERROR);
        CHECK(std::string(e.what()).starts_with(
            "Internal bug detected: RPC call \"drifting\" returned incorrect type:\n"));
        CHECK(std::string(e.what()).find("\"extra\": \"key returned that was not in doc\"") != std::string::npos);
    }
    reply = Json{{"hash", "00"}, {"height", 1}};
    CHECK(table.Execute(Call("drifting")) == reply);
    // With alternatives, one match is enough; when none matches, every mismatch is listed.
    reply = nullptr;
    CHECK(table.Execute(Call("maybe")).is_null());
    reply = "text";
    try {
        table.Execute(Call("maybe"));
        FAIL("no error");
    } catch (const RpcError& e) {
        CHECK(std::string(e.what()).find("returned type is string, but declared as null in doc") != std::string::npos);
        CHECK(std::string(e.what()).find("returned type is string, but declared as object in doc") !=
              std::string::npos);
    }
    // Built-ins are declared too.
    CHECK(table.Execute(Call("getrpcinfo")).contains("active_commands"));
    CHECK(table.Execute(Call("help", Json::array({"uptime"}))).is_string());
}

TEST_CASE("an integer parameter given a non-integer number fails with code -1, as Core's getInt", "[rpc]")
{
    auto code_of = [](const Json& v) {
        try {
            (void)GetInt(v);
        } catch (const RpcError& e) {
            if (e.code == RPC_MISC_ERROR) CHECK(std::string(e.what()) == "JSON integer out of range");
            return e.code;
        }
        return 0;
    };
    CHECK(GetInt(Json(7)) == 7);
    CHECK(GetInt(Json(-7)) == -7);
    CHECK(code_of(Json(1.5)) == RPC_MISC_ERROR);
    CHECK(code_of(Json(2.0)) == RPC_MISC_ERROR); // "2.0" is not an integer literal for UniValue either
    CHECK(code_of(*ParseJson("1e3")) == RPC_MISC_ERROR);
    CHECK(code_of(*ParseJson("18446744073709551615")) == RPC_MISC_ERROR); // beyond int64
    CHECK(code_of(Json("1")) == RPC_TYPE_ERROR);                          // not a number at all: still a type error
    CHECK(ParamOr<uint32_t>(Json::array({5}), 0, 0) == 5);
    try {
        (void)ParamOr<uint32_t>(Json::array({-1}), 0, 0);
        FAIL("no error");
    } catch (const RpcError& e) {
        CHECK(e.code == RPC_MISC_ERROR);
    }
}
