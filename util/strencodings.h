// Text encodings and parsing shared by the node, its CLI and (later) the P2P layer: base64 and
// "host:port" splitting, as Core's util/strencodings. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace util {

/** Standard base64 (with padding). */
std::string EncodeBase64(std::string_view data);
/**
 * Decodes base64 as strictly as Core's DecodeBase64: the length must be a multiple of 4,
 * padding is one or two trailing '=', unused trailing bits must be zero, no whitespace;
 * nullopt otherwise.
 */
std::optional<std::string> DecodeBase64(std::string_view text);

/** Digits only, no sign or spaces (as Core's ToIntegral for a CIDR length or a port); nullopt otherwise. */
std::optional<int> ParseSmallInt(std::string_view s);

/** A port as Core's ParseUInt16 (an optional leading '+'), 1..65535; nullopt otherwise. */
std::optional<uint16_t> ParsePort(std::string_view s);

/**
 * Splits "host", "host:port", "[v6]:port", "[v6]" as Core's SplitHostPort: a colon separates a
 * port only when it is the sole colon or follows "]"; false when that port is not 1..65535
 * (an optional leading '+' is accepted, as Core's ParseUInt16).
 */
bool SplitHostPort(std::string_view in, uint16_t& port, std::string& host);

} // namespace util
