// JSON-RPC reply construction.
#include "common/rpc/protocol.h"

namespace common::rpc {

Json JsonRpcErrorObject(int code, const std::string& message)
{
    Json err = Json::object();
    err["code"] = code;
    err["message"] = message;
    return err;
}

Json JsonRpcReply(Json result, Json error, const std::optional<Json>& id, JsonRpcVersion version)
{
    Json reply = Json::object();
    if (version == JsonRpcVersion::V2) reply["jsonrpc"] = "2.0";
    if (error.is_null()) {
        reply["result"] = std::move(result);
        if (version == JsonRpcVersion::V1_LEGACY) reply["error"] = nullptr;
    } else {
        if (version == JsonRpcVersion::V1_LEGACY) reply["result"] = nullptr;
        reply["error"] = std::move(error);
    }
    if (id) reply["id"] = *id;
    return reply;
}

int HttpStatusForLegacyError(int code)
{
    if (code == RPC_INVALID_REQUEST) return HTTP_BAD_REQUEST;
    if (code == RPC_METHOD_NOT_FOUND) return HTTP_NOT_FOUND;
    return HTTP_INTERNAL_SERVER_ERROR;
}

} // namespace common::rpc
