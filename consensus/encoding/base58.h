// Base58 and Base58Check (Satoshi's alphabet, with a 4-byte double-SHA-256 checksum), the
// string encoding of legacy addresses and WIF keys.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace consensus::encoding {

/** Base58 text of bytes; each leading zero byte becomes a leading '1'. Pure, any thread. */
std::string EncodeBase58(std::span<const uint8_t> bytes);

/**
 * Decodes Base58 text (leading and trailing whitespace allowed, as Core). nullopt on a
 * character outside the alphabet or when the result would exceed max_len bytes.
 */
std::optional<std::vector<uint8_t>> DecodeBase58(std::string_view str, size_t max_len);

/** Base58 of bytes followed by the first 4 bytes of their double SHA-256. */
std::string EncodeBase58Check(std::span<const uint8_t> bytes);

/**
 * Decodes Base58Check text to the payload (checksum removed). nullopt on bad characters,
 * a payload longer than max_len, a string shorter than the checksum, or a wrong checksum.
 */
std::optional<std::vector<uint8_t>> DecodeBase58Check(std::string_view str, size_t max_len);

} // namespace consensus::encoding
