// Short forms for declaring RPC arguments and results (RpcArg / RpcResult with the fields
// most declarations use), for the method tables of node/rpc and wallet/rpc.
#pragma once

#include "common/rpc/server.h"

#include <string>
#include <utility>
#include <vector>

namespace common::rpc {

/** An argument: name, type, optional, the default shown in help, description. */
inline RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description,
                  std::vector<RpcArg> inner = {})
{
    return RpcArg{.name = std::move(name),
                  .type = type,
                  .optional = optional,
                  .default_text = std::move(default_text),
                  .description = std::move(description),
                  .inner = std::move(inner)};
}

/** A result value: type, key, description, optional, inner values. */
inline RpcResult Res(RpcResultType type, std::string key, std::string description, bool optional = false,
                     std::vector<RpcResult> inner = {})
{
    return RpcResult{.type = type,
                     .key = std::move(key),
                     .description = std::move(description),
                     .inner = std::move(inner),
                     .optional = optional};
}

} // namespace common::rpc
