// BIP-39 mnemonic sentences: entropy to words (with the checksum bits), words back to
// entropy with the checksum verified, and the 64-byte seed (PBKDF2-HMAC-SHA512, 2048
// rounds, salt "mnemonic" + passphrase). English word list only, compiled in
// (bip39_english.cpp). Limitation: BIP-39 asks for NFKD-normalized UTF-8; the English
// words are ASCII, and passphrases are used as given (an ASCII or already-NFKD passphrase
// gives the standard seed; others may not). Pure functions, any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/** The 2048 English words, sorted (BIP-39). */
const std::array<std::string_view, 2048>& Bip39EnglishWords();

/** The mnemonic of 16, 20, 24, 28 or 32 bytes of entropy (12..24 words); nullopt for other sizes. */
std::optional<std::string> Bip39FromEntropy(std::span<const uint8_t> entropy);

/**
 * The entropy of a mnemonic: 12, 15, 18, 21 or 24 English words separated by single spaces,
 * with a valid checksum. nullopt with error ("Invalid mnemonic word count", "Unknown word
 * 'x'", "Invalid mnemonic checksum") otherwise.
 */
std::optional<std::vector<uint8_t>> Bip39ToEntropy(std::string_view mnemonic, std::string& error);

/** The 64-byte seed of a mnemonic and passphrase (no validation of the words, as BIP-39 says). */
std::array<uint8_t, 64> Bip39ToSeed(std::string_view mnemonic, std::string_view passphrase);

} // namespace common
