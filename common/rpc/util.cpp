// RPC handler helpers (see util.h).
#include "common/rpc/util.h"

#include "consensus/hex.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace common::rpc {

void CheckType(const Json& value, std::string_view expected)
{
    const std::string actual = JsonTypeName(value);
    if (actual != expected) {
        throw RpcError(RPC_TYPE_ERROR,
                       "JSON value of type " + actual + " is not of expected type " + std::string(expected));
    }
}

const std::string& GetStr(const Json& value)
{
    CheckType(value, "string");
    return value.get_ref<const std::string&>();
}

int64_t GetInt(const Json& value)
{
    CheckType(value, "number");
    if (value.is_number_integer()) {
        if (value.is_number_unsigned() &&
            value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            throw RpcError(RPC_MISC_ERROR, "JSON integer out of range");
        }
        return value.get<int64_t>();
    }
    throw RpcError(RPC_MISC_ERROR, "JSON integer out of range");
}

bool GetBool(const Json& value)
{
    CheckType(value, "bool");
    return value.get<bool>();
}

double GetReal(const Json& value)
{
    CheckType(value, "number");
    return NumericAsDouble(value);
}

consensus::Uint256 ParseHashV(const Json& value, std::string_view name)
{
    const std::string& hex = GetStr(value);
    if (auto h = consensus::Uint256::FromHex(hex)) return *h;
    if (hex.size() != 64) {
        throw RpcError(RPC_INVALID_PARAMETER, std::string(name) + " must be of length 64 (not " +
                                                  std::to_string(hex.size()) + ", for '" + hex + "')");
    }
    throw RpcError(RPC_INVALID_PARAMETER, std::string(name) + " must be hexadecimal string (not '" + hex + "')");
}

consensus::Uint256 ParseHashO(const Json& object, const std::string& key)
{
    auto it = object.find(key);
    return ParseHashV(it == object.end() ? Json() : *it, key);
}

std::vector<uint8_t> ParseHexV(const Json& value, std::string_view name)
{
    const std::string& hex = GetStr(value);
    auto bytes = consensus::TryParseHex(hex);
    if (!bytes) {
        throw RpcError(RPC_INVALID_PARAMETER, std::string(name) + " must be hexadecimal string (not '" + hex +
                                                  "') and length of it must be divisible by 2");
    }
    return *bytes;
}

bool ParseFixedPoint(std::string_view text, int decimals, int64_t* out)
{
    constexpr int64_t UPPER_BOUND = 1000000000000000000LL - 1LL; // as Core: |x| < 10^18
    size_t i = 0;
    const size_t n = text.size();
    bool negative = false;
    if (i < n && text[i] == '-') {
        negative = true;
        ++i;
    }
    int64_t mantissa = 0;
    int point_ofs = 0;
    int mantissa_digits = 0;
    auto add_digit = [&](char c) {
        if (mantissa > UPPER_BOUND / 10) return false; // checked first: mantissa * 10 could overflow
        mantissa = mantissa * 10 + (c - '0');
        return mantissa <= UPPER_BOUND;
    };
    if (i < n && text[i] == '0') {
        ++i;
    } else if (i < n && text[i] >= '1' && text[i] <= '9') {
        while (i < n && text[i] >= '0' && text[i] <= '9') {
            if (!add_digit(text[i++])) return false;
            ++mantissa_digits;
        }
    } else {
        return false;
    }
    if (i < n && text[i] == '.') {
        ++i;
        if (i >= n || text[i] < '0' || text[i] > '9') return false;
        while (i < n && text[i] >= '0' && text[i] <= '9') {
            if (!add_digit(text[i++])) return false;
            ++mantissa_digits;
            ++point_ofs;
        }
    }
    int64_t exponent = 0;
    if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < n && text[i] == '+') {
            ++i;
        } else if (i < n && text[i] == '-') {
            exp_negative = true;
            ++i;
        }
        if (i >= n || text[i] < '0' || text[i] > '9') return false;
        while (i < n && text[i] >= '0' && text[i] <= '9') {
            exponent = exponent * 10 + (text[i++] - '0');
            if (exponent > 10000) return false;
        }
        if (exp_negative) exponent = -exponent;
    }
    if (i != n) return false;
    (void)mantissa_digits;
    // Scale: value = mantissa * 10^(exponent - point_ofs); we want value * 10^decimals.
    int64_t shift = exponent - point_ofs + decimals;
    if (shift < 0) {
        // Only trailing zeros may be dropped.
        for (; shift < 0; ++shift) {
            if (mantissa % 10 != 0) return false;
            mantissa /= 10;
        }
    } else {
        for (; shift > 0; --shift) {
            if (mantissa > UPPER_BOUND / 10) return false;
            mantissa *= 10;
        }
    }
    if (mantissa > UPPER_BOUND) return false;
    if (out) *out = negative ? -mantissa : mantissa;
    return true;
}

consensus::Amount AmountFromValue(const Json& value, int decimals)
{
    std::string text;
    if (value.is_string()) {
        text = value.get<std::string>();
    } else if (IsRawNumber(value)) {
        text = RawNumberText(value);
    } else if (value.is_number_integer()) {
        text = value.dump();
    } else if (value.is_number_float()) {
        // The shortest decimal that reads back as the same double: what the client wrote.
        const double d = value.get<double>();
        char buf[40];
        for (int prec = 1; prec <= 17; ++prec) {
            std::snprintf(buf, sizeof(buf), "%.*g", prec, d);
            if (std::strtod(buf, nullptr) == d) break;
        }
        text = buf;
    } else {
        throw RpcError(RPC_TYPE_ERROR, "Amount is not a number or string");
    }
    int64_t sats = 0;
    if (!ParseFixedPoint(text, decimals, &sats)) throw RpcError(RPC_TYPE_ERROR, "Invalid amount");
    if (!consensus::MoneyRange(consensus::Amount{sats})) throw RpcError(RPC_TYPE_ERROR, "Amount out of range");
    return consensus::Amount{sats};
}

Json ValueFromAmount(consensus::Amount amount)
{
    const bool negative = amount.sats < 0;
    // Avoid overflow on INT64_MIN by working in unsigned.
    const uint64_t abs = negative ? (~static_cast<uint64_t>(amount.sats) + 1) : static_cast<uint64_t>(amount.sats);
    const uint64_t quotient = abs / static_cast<uint64_t>(consensus::COIN.sats);
    const uint64_t remainder = abs % static_cast<uint64_t>(consensus::COIN.sats);
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%s%llu.%08llu", negative ? "-" : "", static_cast<unsigned long long>(quotient),
                  static_cast<unsigned long long>(remainder));
    return RawNumber(buf);
}

std::pair<int64_t, int64_t> ParseDescriptorRange(const Json& value)
{
    int64_t low = 0, high = 0;
    if (IsNumeric(value)) {
        high = GetInt(value);
    } else if (value.is_array() && value.size() == 2 && IsNumeric(value[0]) && IsNumeric(value[1])) {
        low = GetInt(value[0]);
        high = GetInt(value[1]);
        if (low > high) {
            throw RpcError(RPC_INVALID_PARAMETER, "Range specified as [begin,end] must not have begin after end");
        }
    } else {
        throw RpcError(RPC_INVALID_PARAMETER, "Range must be specified as end or as [begin,end]");
    }
    if (low < 0) throw RpcError(RPC_INVALID_PARAMETER, "Range should be greater or equal than 0");
    if ((high >> 31) != 0) throw RpcError(RPC_INVALID_PARAMETER, "End of range is too high");
    if (high >= low + 1000000) throw RpcError(RPC_INVALID_PARAMETER, "Range is too large");
    return {low, high};
}

ScanObject ParseScanObject(const Json& object)
{
    ScanObject out;
    if (object.is_string()) {
        out.desc = object.get<std::string>();
    } else if (object.is_object()) {
        if (!object.contains("desc") || object.at("desc").is_null()) {
            throw RpcError(RPC_INVALID_PARAMETER, "Descriptor needs to be provided in scan object");
        }
        out.desc = GetStr(object.at("desc"));
        if (object.contains("range") && !object.at("range").is_null())
            out.range = ParseDescriptorRange(object.at("range"));
    } else {
        throw RpcError(RPC_INVALID_PARAMETER, "Scan object needs to be either a string or an object");
    }
    return out;
}

} // namespace common::rpc
