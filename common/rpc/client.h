// Client-side conversion of command-line strings to JSON-RPC parameters, as Core's
// rpc/client.cpp: parameters listed in the conversion table are parsed as JSON (numbers,
// booleans, arrays, objects), all others are sent as strings.
#pragma once

#include "common/rpc/json.h"

#include <string>
#include <vector>

namespace common::rpc {

/**
 * Converts positional arguments for method. Throws std::runtime_error("Error parsing JSON: x")
 * when a converted argument is not valid JSON. Thread-safe (the table is immutable).
 */
Json RpcConvertValues(const std::string& method, const std::vector<std::string>& args);

/**
 * Converts "name=value" arguments (-named) to a params object; arguments without '=' are
 * collected, converted by position, into "args". Throws like RpcConvertValues.
 */
Json RpcConvertNamedValues(const std::string& method, const std::vector<std::string>& args);

/** True when (method, index) is converted from JSON (for tests and help). */
bool RpcParamIsJson(const std::string& method, int index);

} // namespace common::rpc
