// Bech32 (BIP-173) and Bech32m (BIP-350) strings, and segregated witness addresses built on
// them: version 0 uses Bech32, versions 1..16 use Bech32m.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace consensus::encoding {

/** Which checksum a string carries. */
enum class Bech32Encoding { INVALID, BECH32, BECH32M };

/** A decoded string: lower-case human-readable part and 5-bit data values (checksum removed). */
struct Bech32Decoded {
    Bech32Encoding encoding{Bech32Encoding::INVALID};
    std::string hrp;
    std::vector<uint8_t> data;
};

/** Encodes hrp (lower-cased) and 5-bit values with the checksum of encoding; "" on bad input. */
std::string Bech32Encode(Bech32Encoding encoding, std::string_view hrp, std::span<const uint8_t> values5);

/**
 * Decodes a string of at most 90 characters, all upper or all lower case. encoding is
 * INVALID on any error (bad character, no separator, empty HRP, short or bad checksum).
 */
Bech32Decoded Bech32Decode(std::string_view str);

/** Regroups bits (8 -> 5 with padding, 5 -> 8 without); false on leftover non-zero or excess bits. */
bool ConvertBits(std::vector<uint8_t>& out, std::span<const uint8_t> in, int from_bits, int to_bits, bool pad);

/** A segwit address for (version, program); "" if version > 16 or the program length is invalid. */
std::string EncodeSegwitAddress(std::string_view hrp, int version, std::span<const uint8_t> program);

/**
 * Decodes a segwit address whose human-readable part is hrp: (version, program), or nullopt
 * if the string, its checksum type for the version, or the program length is invalid.
 */
std::optional<std::pair<int, std::vector<uint8_t>>> DecodeSegwitAddress(std::string_view hrp, std::string_view addr);

} // namespace consensus::encoding
