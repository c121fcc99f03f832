// JSON values for the RPC layer: nlohmann's ordered_json (keys keep insertion order, as
// Core's UniValue), a "raw number" tag for exact decimals (amounts), and a writer that
// formats like UniValue::write (compact, or pretty with an indent).
//
// Why raw numbers: nlohmann stores decimals as double and prints 50.0 for 50 BTC, while
// Core prints 50.00000000. A raw number is a JSON value of nlohmann's `binary` type with
// the subtype RAW_NUMBER_SUBTYPE whose bytes are the literal text; WriteJson emits that
// text unquoted. It survives copies and moves like any value, cannot be mistaken for
// data (no RPC produces binary values), and nlohmann's own dump() must not be used for
// replies (it would print the bytes as an object). ParseJson(.., keep_number_text) reads
// decimals back into raw numbers, so minicash-cli prints amounts exactly as received.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace common::rpc {

/** The JSON value type of the RPC layer. Not thread-safe; values are passed by copy or move. */
using Json = nlohmann::ordered_json;

/** Subtype of the binary values that carry a raw number literal. */
inline constexpr std::uint64_t RAW_NUMBER_SUBTYPE = 0x524157; // "RAW"

/** A number written verbatim, e.g. RawNumber("50.00000000"); throws std::invalid_argument if not a JSON number. */
Json RawNumber(std::string_view literal);
/** True for a value made by RawNumber. */
bool IsRawNumber(const Json& value);
/** The literal of a raw number (empty for other values). */
std::string RawNumberText(const Json& value);
/** True for JSON numbers and raw numbers. */
bool IsNumeric(const Json& value);
/** The value of a number or raw number as double (0 for other values). */
double NumericAsDouble(const Json& value);

/**
 * Serializes like Core's UniValue::write: indent 0 gives compact output without spaces;
 * indent n pretty-prints with n spaces per level (empty containers as "[\n]"). Doubles use
 * 16 significant digits; strings are escaped as UniValue does (UTF-8 bytes pass through).
 */
std::string WriteJson(const Json& value, unsigned indent = 0);

/** A key that occurred again in an object: the object's path from the root (array indexes as text) and the key. */
struct JsonDuplicateKey {
    std::vector<std::string> path;
    std::string key;
};

/**
 * Parses one JSON text (any value, surrounding whitespace allowed). Returns nullopt on any
 * syntax error, invalid UTF-8 or nesting deeper than 512. With keep_number_text, numbers
 * with a fraction or exponent become raw numbers carrying their original text. A key repeated
 * in an object keeps its FIRST value, as Core's UniValue lookups; each repetition is appended
 * to *duplicates when given.
 */
std::optional<Json> ParseJson(std::string_view text, bool keep_number_text = false,
                              std::vector<JsonDuplicateKey>* duplicates = nullptr);

/** Core's name for a value's type: null, bool, object, array, string, number. */
std::string JsonTypeName(const Json& value);

} // namespace common::rpc
