// Helpers for RPC handlers: typed parameter access with Core's error messages, hashes,
// hex, and amounts (exact 8-decimal output via raw numbers, see json.h). All functions are
// pure and thread-safe; failures throw RpcError with Core's code and text.
#pragma once

#include "consensus/amount.h"
#include "consensus/uint256.h"
#include "common/rpc/json.h"
#include "common/rpc/protocol.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace common::rpc {

/** Throws RPC_TYPE_ERROR "JSON value of type X is not of expected type Y" unless JsonTypeName(value) == expected. */
void CheckType(const Json& value, std::string_view expected);

/** The string in value; RPC_TYPE_ERROR when it is not a string. */
const std::string& GetStr(const Json& value);
/**
 * The integer in value; RPC_TYPE_ERROR when not a number. A number that is not an integer
 * (1.5, 1e3) or is out of range fails with RPC_MISC_ERROR "JSON integer out of range", as
 * Core's UniValue::getInt (which throws a plain runtime_error, hence code -1).
 */
int64_t GetInt(const Json& value);
/** The boolean in value; RPC_TYPE_ERROR when not a bool. */
bool GetBool(const Json& value);
/** The number in value as double; RPC_TYPE_ERROR when not a number. */
double GetReal(const Json& value);

/**
 * params[i] converted to T (std::string, bool, an integer type, double), or default_value
 * when the parameter is absent or null. A present value of another type raises RPC_TYPE_ERROR; an
 * integer parameter that is not an integer in T's range raises RPC_MISC_ERROR (see GetInt).
 */
template <typename T>
T ParamOr(const Json& params, size_t i, T default_value)
{
    if (!params.is_array() || i >= params.size() || params[i].is_null()) return default_value;
    const Json& v = params[i];
    if constexpr (std::is_same_v<T, std::string>) {
        return GetStr(v);
    } else if constexpr (std::is_same_v<T, bool>) {
        return GetBool(v);
    } else if constexpr (std::is_integral_v<T>) {
        const int64_t n = GetInt(v);
        if (n < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
            (n > 0 && static_cast<uint64_t>(n) > static_cast<uint64_t>(std::numeric_limits<T>::max()))) {
            throw RpcError(RPC_MISC_ERROR, "JSON integer out of range");
        }
        return static_cast<T>(n);
    } else if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(GetReal(v));
    } else {
        static_assert(std::is_same_v<T, Json>, "ParamOr: unsupported type");
        return v;
    }
}

/**
 * A 64-digit hex hash (display order). Fails as Core: "<name> must be of length 64 (not N,
 * for 'x')" or "<name> must be hexadecimal string (not 'x')", RPC_INVALID_PARAMETER.
 */
consensus::Uint256 ParseHashV(const Json& value, std::string_view name);
/** ParseHashV of object[key]. */
consensus::Uint256 ParseHashO(const Json& object, const std::string& key);

/** Bytes of an even-length hex string; RPC_INVALID_PARAMETER "<name> must be hexadecimal string (not 'x') and length of it must be divisible by 2". */
std::vector<uint8_t> ParseHexV(const Json& value, std::string_view name);

/**
 * Core's ParseFixedPoint: a decimal (optionally with exponent) as an integer scaled by
 * 10^decimals. False when malformed, with more decimals than allowed, or |x| >= 10^18.
 */
bool ParseFixedPoint(std::string_view text, int decimals, int64_t* out);

/**
 * An amount in BTC (number or string) as satoshis. RPC_TYPE_ERROR "Amount is not a number or
 * string", "Invalid amount" (malformed, > decimals places), "Amount out of range" (negative or > 21M).
 */
consensus::Amount AmountFromValue(const Json& value, int decimals = 8);

/** An amount as a JSON number with exactly 8 decimals, e.g. 50.00000000 or -0.00010000. */
Json ValueFromAmount(consensus::Amount amount);

/**
 * Core's ParseDescriptorRange (scantxoutset, deriveaddresses, descriptorprocesspsbt,
 * importdescriptors): end (as [0, end]) or [begin, end], inclusive; throws RPC_INVALID_PARAMETER
 * with Core's message, checked in Core's order (so a range of -1 is "End of range is too high").
 */
std::pair<int64_t, int64_t> ParseDescriptorRange(const Json& value);

/** A scan object as Core's EvalDescriptorStringOrObject reads it: a descriptor and its range. */
struct ScanObject {
    std::string desc;
    std::pair<int64_t, int64_t> range{0, 1000}; //!< Core's default for a ranged descriptor
};
/** A descriptor string, or {desc, range}; throws RPC_INVALID_PARAMETER with Core's messages otherwise. */
ScanObject ParseScanObject(const Json& object);

} // namespace common::rpc
