// Hex encoding and decoding of byte strings.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace consensus {

/** Lower-case hex of the bytes, in order. */
std::string HexStr(std::span<const uint8_t> bytes);

/** Decodes an even-length hex string; nullopt on any non-hex character or odd length. */
std::optional<std::vector<uint8_t>> TryParseHex(std::string_view hex);

/** Value 0..15 of a hex digit, or -1. */
int HexDigit(char c);

} // namespace consensus
