// ProcessJsonRpcBody: Core's httprpc request handling of one HTTP body (single calls,
// batches, notifications, the -rpcwhitelist check) on top of the method table. Called by
// the HTTP server's worker threads; pure apart from logging.
#pragma once

#include "common/rpc/server.h"

#include <string>
#include <string_view>

namespace node::http {

class RpcWhitelist;

/** The result of handling one HTTP body: status and body (empty for 204). */
struct JsonRpcHttpResult {
    int status{common::rpc::HTTP_OK};
    std::string body;
};

/**
 * Handles a JSON-RPC HTTP body as Core's httprpc: single requests (legacy errors map to
 * 400/404/500, 2.0 errors are 200, notifications 204), batches (always 200, or 204 when all
 * were notifications), "Parse error" (-32700, 500) for invalid JSON. With a whitelist, a
 * call auth_user may not make (any call of a batch) is answered 403 with no body, as Core.
 * Never throws.
 */
JsonRpcHttpResult ProcessJsonRpcBody(const common::rpc::RpcTable& table, std::string_view body, const std::string& uri,
                                     const std::string& auth_user, const std::string& peer_addr,
                                     const RpcWhitelist* whitelist = nullptr);

} // namespace node::http
