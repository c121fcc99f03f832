// JSON-RPC protocol constants and reply shapes, as Bitcoin Core's rpc/protocol.h and
// rpc/request.cpp: error codes, HTTP statuses, the 1.0/1.1 ("legacy") and 2.0 replies.
#pragma once

#include "common/rpc/json.h"

#include <optional>
#include <stdexcept>
#include <string>

namespace common::rpc {

/** HTTP status codes the server uses. */
enum HttpStatusCode : int {
    HTTP_OK = 200,
    HTTP_NO_CONTENT = 204,
    HTTP_BAD_REQUEST = 400,
    HTTP_UNAUTHORIZED = 401,
    HTTP_FORBIDDEN = 403,
    HTTP_NOT_FOUND = 404,
    HTTP_BAD_METHOD = 405,
    HTTP_PAYLOAD_TOO_LARGE = 413,
    HTTP_INTERNAL_SERVER_ERROR = 500,
    HTTP_SERVICE_UNAVAILABLE = 503,
};

/** Bitcoin Core's RPC error codes (the numbers are part of the interface). */
enum RpcErrorCode : int {
    // Standard JSON-RPC 2.0 errors
    RPC_INVALID_REQUEST = -32600,
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_INTERNAL_ERROR = -32603,
    RPC_PARSE_ERROR = -32700,

    // General application defined errors
    RPC_MISC_ERROR = -1,
    RPC_TYPE_ERROR = -3,
    RPC_INVALID_ADDRESS_OR_KEY = -5,
    RPC_OUT_OF_MEMORY = -7,
    RPC_INVALID_PARAMETER = -8,
    RPC_DATABASE_ERROR = -20,
    RPC_DESERIALIZATION_ERROR = -22,
    RPC_VERIFY_ERROR = -25,
    RPC_VERIFY_REJECTED = -26,
    RPC_VERIFY_ALREADY_IN_CHAIN = -27,
    // Core's aliases of the three above (the names its transaction RPCs use)
    RPC_TRANSACTION_ERROR = RPC_VERIFY_ERROR,
    RPC_TRANSACTION_REJECTED = RPC_VERIFY_REJECTED,
    RPC_VERIFY_ALREADY_IN_UTXO_SET = RPC_VERIFY_ALREADY_IN_CHAIN,
    RPC_IN_WARMUP = -28,
    RPC_METHOD_DEPRECATED = -32,

    // P2P client errors
    RPC_CLIENT_NOT_CONNECTED = -9,
    RPC_CLIENT_IN_INITIAL_DOWNLOAD = -10,
    RPC_CLIENT_NODE_ALREADY_ADDED = -23,
    RPC_CLIENT_NODE_NOT_ADDED = -24,
    RPC_CLIENT_NODE_NOT_CONNECTED = -29,
    RPC_CLIENT_INVALID_IP_OR_SUBNET = -30,
    RPC_CLIENT_P2P_DISABLED = -31,
    RPC_CLIENT_NODE_CAPACITY_REACHED = -34,

    // Wallet errors
    RPC_WALLET_ERROR = -4,
    RPC_WALLET_INSUFFICIENT_FUNDS = -6,
    RPC_WALLET_INVALID_LABEL_NAME = -11,
    RPC_WALLET_KEYPOOL_RAN_OUT = -12,
    RPC_WALLET_UNLOCK_NEEDED = -13,
    RPC_WALLET_PASSPHRASE_INCORRECT = -14,
    RPC_WALLET_WRONG_ENC_STATE = -15,
    RPC_WALLET_ENCRYPTION_FAILED = -16,
    RPC_WALLET_ALREADY_UNLOCKED = -17,
    RPC_WALLET_NOT_FOUND = -18,
    RPC_WALLET_NOT_SPECIFIED = -19,
    RPC_WALLET_ALREADY_LOADED = -35,
    RPC_WALLET_ALREADY_EXISTS = -36,
};

/** An RPC failure with Core's code; throw it from handlers. Thread-safe value type. */
struct RpcError : std::runtime_error {
    int code;
    RpcError(int c, const std::string& message) : std::runtime_error(message), code(c) {}
};

/** Which JSON-RPC dialect a request used: legacy 1.0/1.1 (default) or 2.0. */
enum class JsonRpcVersion { V1_LEGACY, V2 };

/** The error object {"code": code, "message": message}. */
Json JsonRpcErrorObject(int code, const std::string& message);

/**
 * A reply object. Legacy: {"result", "error", "id"} with both result and error present (one
 * null). 2.0: {"jsonrpc":"2.0", "result"|"error", "id"}. "id" is omitted when id is nullopt.
 */
Json JsonRpcReply(Json result, Json error, const std::optional<Json>& id, JsonRpcVersion version);

/**
 * HTTP status of a legacy (1.0/1.1) error reply, as Core's httprpc: -32600 -> 400,
 * -32601 -> 404, anything else -> 500. (2.0 errors and batches are always 200.)
 */
int HttpStatusForLegacyError(int code);

} // namespace common::rpc
