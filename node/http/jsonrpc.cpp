// ProcessJsonRpcBody: Core's httprpc request handling, independent of the HTTP transport.
#include "node/http/jsonrpc.h"

#include "node/http/auth.h"
#include "util/logging.h"

#include <algorithm>
#include <deque>
#include <optional>

namespace node::http {

using namespace common::rpc;

namespace {

Json ErrorReply(const RpcRequest& req, int code, const std::string& message)
{
    return JsonRpcReply(nullptr, JsonRpcErrorObject(code, message), req.id, req.json_version);
}

/** result()'s value as req's reply; a failure becomes an error reply (RPC_MISC_ERROR unless an RpcError). */
template <class F>
Json Answer(const RpcRequest& req, F&& result)
{
    try {
        return JsonRpcReply(result(), nullptr, req.id, req.json_version);
    } catch (const RpcError& e) {
        return ErrorReply(req, e.code, e.what());
    } catch (const std::exception& e) {
        return ErrorReply(req, RPC_MISC_ERROR, e.what());
    }
}

/** Executes one parsed request; with catch_errors every failure becomes an error reply. */
Json ExecOne(const RpcTable& table, const RpcRequest& req, bool catch_errors)
{
    if (!catch_errors) return JsonRpcReply(table.Execute(req), nullptr, req.id, req.json_version);
    return Answer(req, [&] { return table.Execute(req); });
}

/** How many calls of a batch may be begun ahead of the one being finished. */
constexpr size_t MAX_BEGUN_AHEAD = 128;

/**
 * How many begun calls a batch covers with one wait (RpcBegun::wait_ready): it waits for the
 * last of them, then finishes them all without sleeping on each.
 */
constexpr size_t READY_CHUNK = 16;

/** A call of a batch in its place: begun (its finish to run) or answered (response). */
struct Queued {
    RpcRequest req;
    std::optional<RpcBegun> begun;
    Json response; // null until answered
};

/**
 * Begins req if its method has a begin; otherwise nullopt with response null (execute it at its
 * turn), or nullopt with the error reply in response when it cannot run (as ExecOne's).
 */
std::optional<RpcBegun> BeginOne(const RpcTable& table, const RpcRequest& req, Json& response)
{
    try {
        return table.Begin(req);
    } catch (const RpcError& e) {
        response = ErrorReply(req, e.code, e.what());
    } catch (const std::exception& e) {
        response = ErrorReply(req, RPC_MISC_ERROR, e.what());
    }
    return std::nullopt;
}

} // namespace

JsonRpcHttpResult ProcessJsonRpcBody(const RpcTable& table, std::string_view body, const std::string& uri,
                                     const std::string& auth_user, const std::string& peer_addr,
                                     const RpcWhitelist* whitelist)
{
    RpcRequest req;
    req.uri = uri;
    req.auth_user = auth_user;
    req.peer_addr = peer_addr;
    try {
        // A repeated key keeps its first value (Core's UniValue); repeated named params are an error.
        std::vector<JsonDuplicateKey> duplicates;
        std::optional<Json> parsed = ParseJson(body, /*keep_number_text=*/false, &duplicates);
        if (!parsed) throw RpcError(RPC_PARSE_ERROR, "Parse error");
        // The keys repeated in the "params" object of the request at `prefix` ({} or {"<index>"}).
        auto repeated_params = [&duplicates](const std::vector<std::string>& prefix) {
            std::vector<std::string> keys;
            for (const JsonDuplicateKey& d : duplicates) {
                if (d.path.size() == prefix.size() + 1 && d.path.back() == "params" &&
                    std::equal(prefix.begin(), prefix.end(), d.path.begin())) {
                    keys.push_back(d.key);
                }
            }
            return keys;
        };
        Json reply;
        const bool has_list = whitelist && whitelist->HasList(auth_user);
        if (whitelist && !has_list && whitelist->DefaultDeny()) {
            util::LogPrintf("RPC User %s not allowed to call any methods", auth_user.c_str());
            return {HTTP_FORBIDDEN, ""};
        }
        if (parsed->is_object()) {
            req.Parse(*parsed);
            if (!duplicates.empty()) req.repeated_params = repeated_params({});
            if (has_list && !whitelist->Allows(auth_user, req.method)) {
                util::LogPrintf("RPC User %s not allowed to call method %s", auth_user.c_str(), req.method.c_str());
                return {HTTP_FORBIDDEN, ""};
            }
            // Legacy requests report failures as HTTP errors; 2.0 puts them in a 200 reply.
            reply = ExecOne(table, req, req.json_version == JsonRpcVersion::V2);
            if (req.IsNotification()) return {HTTP_NO_CONTENT, ""};
        } else if (parsed->is_array()) {
            if (has_list) {
                // Every call of the batch must be allowed before any runs.
                for (const Json& item : *parsed) {
                    if (!item.is_object()) throw RpcError(RPC_INVALID_REQUEST, "Invalid Request object");
                    const auto m = item.find("method");
                    if (m == item.end() || !m->is_string()) {
                        throw RpcError(RPC_PARSE_ERROR, "JSON value of type " +
                                                            std::string(m == item.end() ? "null" : m->type_name()) +
                                                            " is not of expected type string");
                    }
                    const std::string method = m->get<std::string>();
                    if (!whitelist->Allows(auth_user, method)) {
                        util::LogPrintf("RPC User %s not allowed to call method %s", auth_user.c_str(), method.c_str());
                        return {HTTP_FORBIDDEN, ""};
                    }
                }
            }
            reply = Json::array();
            // Calls whose method has a begin (RpcBegin) are begun up to MAX_BEGUN_AHEAD ahead of
            // the one being finished; any other call first waits for every call before it.
            // Replies keep the batch's order.
            std::deque<Queued> queued;
            size_t known_ready = 0; // calls at the front whose finish will not wait
            auto answer_front = [&] {
                if (known_ready == 0) {
                    // Wait once for the last begun call of the next READY_CHUNK (calls become
                    // ready in the order begun), instead of sleeping on each of them in turn.
                    const std::function<void()>* wait = nullptr;
                    known_ready = 1;
                    for (size_t i = 0; i < std::min(queued.size(), READY_CHUNK); ++i) {
                        if (!queued[i].begun || !queued[i].begun->wait_ready) continue;
                        wait = &queued[i].begun->wait_ready;
                        known_ready = i + 1;
                    }
                    try {
                        if (wait) (*wait)(); // a hint: the finishes still wait or fail themselves
                    } catch (...) {}
                }
                --known_ready;
                Queued q = std::move(queued.front());
                queued.pop_front();
                Json response = q.begun ? Answer(q.req, q.begun->finish) : std::move(q.response);
                if (!q.req.IsNotification()) reply.push_back(std::move(response));
            };
            size_t item_index = 0;
            for (const Json& item : *parsed) {
                Queued q;
                q.req.uri = uri;
                q.req.auth_user = auth_user;
                q.req.peer_addr = peer_addr;
                try {
                    q.req.Parse(item);
                    if (!duplicates.empty()) q.req.repeated_params = repeated_params({std::to_string(item_index)});
                    q.begun = BeginOne(table, q.req, q.response);
                    if (!q.begun && q.response.is_null()) {
                        while (!queued.empty()) answer_front();
                        q.response = ExecOne(table, q.req, true);
                    }
                } catch (const RpcError& e) {
                    q.response = ErrorReply(q.req, e.code, e.what());
                } catch (const std::exception& e) {
                    q.response = ErrorReply(q.req, RPC_PARSE_ERROR, e.what());
                }
                queued.push_back(std::move(q));
                while (!queued.empty() && (!queued.front().begun || queued.size() > MAX_BEGUN_AHEAD)) answer_front();
                ++item_index;
            }
            while (!queued.empty()) answer_front();
            // An all-notification (non-empty) batch gets no body; an empty batch gets [].
            if (reply.empty() && !parsed->empty()) return {HTTP_NO_CONTENT, ""};
        } else {
            throw RpcError(RPC_PARSE_ERROR, "Top-level object parse error");
        }
        return {HTTP_OK, WriteJson(reply) + "\n"};
    } catch (const RpcError& e) {
        const Json reply = JsonRpcReply(nullptr, JsonRpcErrorObject(e.code, e.what()), req.id, req.json_version);
        return {HttpStatusForLegacyError(e.code), WriteJson(reply) + "\n"};
    } catch (const std::exception& e) {
        const Json reply =
            JsonRpcReply(nullptr, JsonRpcErrorObject(RPC_PARSE_ERROR, e.what()), req.id, req.json_version);
        return {HttpStatusForLegacyError(RPC_PARSE_ERROR), WriteJson(reply) + "\n"};
    }
}

} // namespace node::http
