#include "common/rpc/outputs.h"

#include "common/key_io.h"
#include "common/rpc/util.h"
#include "consensus/hex.h"

#include <set>

namespace common::rpc {

void AddOutputs(consensus::MutableTransaction& tx, const Json& outputs, const consensus::ChainParams& params)
{
    if (outputs.is_null()) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, output argument must be non-null");
    std::vector<std::pair<std::string, const Json*>> pairs;
    if (outputs.is_object()) {
        for (const auto& [key, value] : outputs.items()) pairs.emplace_back(key, &value);
    } else {
        CheckType(outputs, "array");
        for (const Json& output : outputs) {
            if (!output.is_object()) {
                throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, key-value pair not an object as expected");
            }
            if (output.size() != 1) {
                throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, key-value pair must contain exactly one key");
            }
            pairs.emplace_back(output.begin().key(), &output.begin().value());
        }
    }
    std::set<consensus::Script> destinations;
    bool has_data = false;
    for (const auto& [name, value] : pairs) {
        if (name == "data") {
            if (has_data) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicate key: data");
            has_data = true;
            const std::string text = value->is_string() ? value->get<std::string>() : WriteJson(*value);
            const auto bytes = consensus::TryParseHex(text);
            if (text.empty() || !bytes) {
                throw RpcError(RPC_INVALID_PARAMETER, "Data must be hexadecimal string (not '" + text +
                                                          "') and length of it must be divisible by 2");
            }
            consensus::Script s;
            s << consensus::OP_RETURN << *bytes;
            tx.vout.emplace_back(consensus::Amount(0), std::move(s));
            continue;
        }
        auto script = DecodeAddress(name, params);
        const consensus::Amount amount = AmountFromValue(*value);
        if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: " + name);
        if (!destinations.insert(*script).second) {
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicated address: " + name);
        }
        tx.vout.emplace_back(amount, std::move(*script));
    }
}

} // namespace common::rpc
