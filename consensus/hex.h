// Hex encoding and decoding of byte strings.
#pragma once

#include <array>
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

namespace detail {
/** Each byte's hex digit value, or -1: one load a character where decoding large inputs (an
 * 890 KB submitblock) is on the clock. */
inline constexpr std::array<int8_t, 256> HEX_DIGITS = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<int8_t>(c);
    for (int c = 0; c < 6; ++c) {
        t['a' + c] = static_cast<int8_t>(10 + c);
        t['A' + c] = static_cast<int8_t>(10 + c);
    }
    return t;
}();
} // namespace detail

/** Value 0..15 of a hex digit, or -1. */
inline int HexDigit(char c) { return detail::HEX_DIGITS[static_cast<uint8_t>(c)]; }

} // namespace consensus
