// libFuzzer target: JSON-RPC dispatch of an HTTP body (ProcessJsonRpcBody, node/http/jsonrpc.h)
// against a table of harmless methods: the built-ins except `stop` (its hidden argument
// sleeps), plus test methods covering every argument type, aliases, required arguments,
// a handler that throws an RpcError with a code from the request, one that throws another
// exception, and the amount and integer helpers (amounts must survive a ValueFromAmount /
// AmountFromValue round trip). No disk, no network.
//
// Input: byte 0 selects the context (bits 0-1: no whitelist, a whitelist for the caller,
// another user's whitelist with default deny, or default deny; bit 2: warm-up; bit 3:
// a "/wallet/<name>" uri; bit 4: -rpcdoccheck); the rest is the body. The call must not
// throw; the status must be one of Core's; 204 and 403 carry no body; any other body is one
// JSON line: an object for a single request, an array for a batch (never longer than the
// batch), each reply carrying a "result" or an "error" with an integer code and a message.

#include "node/http/auth.h"
#include "node/http/jsonrpc.h"
#include "common/rpc/server.h"
#include "common/rpc/util.h"
#include "util/logging.h"
#include "tests/fuzz/fuzz_common.h"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace {

using common::rpc::Json;
using common::rpc::RpcArg;
using common::rpc::RpcArgType;
using common::rpc::RpcMethod;
using common::rpc::RpcRequest;
using common::rpc::RpcResult;
using common::rpc::RpcResultType;

void RegisterTestMethods(common::rpc::RpcTable& table)
{
    table.Unregister("stop");
    const auto any_result = std::vector<RpcResult>{{.type = RpcResultType::ANY}};
    table.Register(RpcMethod{.category = "test",
                             .name = "echo",
                             .args = {{.name = "s", .type = RpcArgType::STR, .optional = true},
                                      {.name = "n|num", .type = RpcArgType::NUM, .optional = true},
                                      {.name = "b", .type = RpcArgType::BOOL, .optional = true},
                                      {.name = "o", .type = RpcArgType::OBJ, .optional = true},
                                      {.name = "a", .type = RpcArgType::ARR, .optional = true},
                                      {.name = "amt", .type = RpcArgType::AMOUNT, .optional = true},
                                      {.name = "hex", .type = RpcArgType::STR_HEX, .optional = true},
                                      {.name = "any", .type = RpcArgType::ANY, .optional = true}},
                             .description = "Returns its parameters.",
                             .handler = [](const RpcRequest& req) -> Json { return req.params; },
                             .results = any_result});
    table.Register(
        RpcMethod{.category = "test",
                  .name = "needtwo",
                  .args = {{.name = "x", .type = RpcArgType::NUM}, {.name = "y|why", .type = RpcArgType::STR}},
                  .description = "Two required arguments; returns the wallet name of the uri.",
                  .handler = [](const RpcRequest& req) -> Json {
                      const auto wallet = req.WalletName();
                      return wallet ? Json(*wallet) : Json();
                  },
                  .results = {{.type = RpcResultType::STR, .cond = "with a wallet"}, {.type = RpcResultType::NONE}}});
    table.Register(RpcMethod{.category = "test",
                             .name = "fail",
                             .args = {{.name = "code", .type = RpcArgType::NUM},
                                      {.name = "message", .type = RpcArgType::STR, .optional = true}},
                             .description = "Throws an RpcError.",
                             .handler = [](const RpcRequest& req) -> Json {
                                 const auto code = common::rpc::ParamOr<int>(req.params, 0, 0);
                                 throw common::rpc::RpcError(
                                     code, common::rpc::ParamOr<std::string>(req.params, 1, "failed"));
                             },
                             .results = any_result});
    table.Register(RpcMethod{.category = "test",
                             .name = "throw",
                             .args = {},
                             .description = "Throws a std::runtime_error.",
                             .handler = [](const RpcRequest&) -> Json { throw std::runtime_error("thrown"); },
                             .results = any_result});
    table.Register(RpcMethod{.category = "test",
                             .name = "amount",
                             .args = {{.name = "amount", .type = RpcArgType::AMOUNT},
                                      {.name = "decimals", .type = RpcArgType::NUM, .optional = true}},
                             .description = "Parses an amount and writes it back.",
                             .handler = [](const RpcRequest& req) -> Json {
                                 const int decimals = common::rpc::ParamOr<int>(req.params, 1, 8);
                                 if (decimals < 0 || decimals > 8)
                                     throw common::rpc::RpcError(common::rpc::RPC_INVALID_PARAMETER, "decimals");
                                 const consensus::Amount amount = common::rpc::AmountFromValue(req.params[0], decimals);
                                 const Json written = common::rpc::ValueFromAmount(amount);
                                 fuzz::Check(common::rpc::AmountFromValue(written) == amount,
                                             "amount changed in a round trip", common::rpc::WriteJson(written));
                                 return written;
                             },
                             .results = {{.type = RpcResultType::STR_AMOUNT}}});
    table.Register(
        RpcMethod{.category = "test",
                  .name = "int",
                  .args = {{.name = "n", .type = RpcArgType::ANY}},
                  .description = "Reads an integer.",
                  .handler = [](const RpcRequest& req) -> Json { return common::rpc::GetInt(req.params[0]); },
                  .results = {{.type = RpcResultType::NUM}}});
}

common::rpc::RpcTable& Table()
{
    static common::rpc::RpcTable table;
    return table;
}

/**
 * A JSON-RPC reply object: a result or an error with an integer code and a string message (the
 * id is left out, as Core, when the request had none or never parsed as an object).
 */
void CheckReply(const Json& reply)
{
    fuzz::Check(reply.is_object(), "reply is not an object", common::rpc::WriteJson(reply));
    const bool has_result = reply.contains("result");
    const bool has_error = reply.contains("error") && !reply["error"].is_null();
    fuzz::Check(has_result || has_error, "reply without result or error", common::rpc::WriteJson(reply));
    if (has_error) {
        const Json& e = reply["error"];
        fuzz::Check(e.is_object() && e.contains("code") && e["code"].is_number_integer() && e.contains("message") &&
                        e["message"].is_string(),
                    "malformed error object", common::rpc::WriteJson(e));
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    util::GetLogger().DisableBuffering();
    RegisterTestMethods(Table());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) return 0;
    const uint8_t mode = data[0];
    const std::string_view body = fuzz::AsText(data + 1, size - 1);

    common::rpc::RpcTable& table = Table();
    table.SetWarmup((mode & 4) != 0, "Loading block index…");
    table.SetDocCheck((mode & 16) != 0);
    node::http::RpcWhitelist whitelist;
    const node::http::RpcWhitelist* list = nullptr;
    switch (mode & 3) {
    case 0: break;
    case 1:
        whitelist.Add("alice:echo,help,amount, fail");
        list = &whitelist;
        break;
    case 2:
        whitelist.Add("bob:echo");
        whitelist.SetDefaultDeny(true);
        list = &whitelist;
        break;
    case 3:
        whitelist.SetDefaultDeny(true);
        list = &whitelist;
        break;
    }
    const std::string uri = (mode & 8) ? "/wallet/w%201" : "/";

    const node::http::JsonRpcHttpResult result =
        node::http::ProcessJsonRpcBody(table, body, uri, "alice", "127.0.0.1:1", list);
    using namespace common::rpc;
    using namespace node::http;
    const int s = result.status;
    fuzz::Check(s == HTTP_OK || s == HTTP_NO_CONTENT || s == HTTP_BAD_REQUEST || s == HTTP_FORBIDDEN ||
                    s == HTTP_NOT_FOUND || s == HTTP_INTERNAL_SERVER_ERROR,
                "unexpected status", std::to_string(s));
    if (s == HTTP_NO_CONTENT || s == HTTP_FORBIDDEN) {
        fuzz::Check(result.body.empty(), "body with 204 or 403", result.body);
        fuzz::Check(s != HTTP_FORBIDDEN || list != nullptr, "403 without a whitelist");
        return 0;
    }
    fuzz::Check(!result.body.empty() && result.body.back() == '\n', "reply is not one line", result.body);
    const std::optional<Json> reply = ParseJson(result.body);
    fuzz::Check(reply.has_value(), "reply is not JSON", result.body);
    if (reply->is_array()) {
        fuzz::Check(s == HTTP_OK, "batch reply with an error status", std::to_string(s));
        const std::optional<Json> request = ParseJson(body);
        fuzz::Check(request && request->is_array() && reply->size() <= request->size(),
                    "batch reply longer than the batch");
        for (const Json& r : *reply) CheckReply(r);
    } else {
        CheckReply(*reply);
    }
    return 0;
}
