// BIP-39 after its specification text: ENT bits of entropy, then ENT/32 bits of its SHA-256
// as checksum, read as 11-bit word indexes; the seed is PBKDF2 over the sentence.
#include "common/bip39.h"

#include "consensus/hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace common {

namespace {

/** Bit i (from the most significant bit of byte 0) of data. */
bool Bit(std::span<const uint8_t> data, size_t i) { return (data[i / 8] >> (7 - i % 8)) & 1; }

} // namespace

std::optional<std::string> Bip39FromEntropy(std::span<const uint8_t> entropy)
{
    // BIP-39: ENT is 128..256 bits in steps of 32; CS = ENT / 32.
    if (entropy.size() < 16 || entropy.size() > 32 || entropy.size() % 4 != 0) return std::nullopt;
    const consensus::Uint256 hash = consensus::Sha256Hash(entropy);
    const size_t ent_bits = entropy.size() * 8;
    const size_t total_bits = ent_bits + ent_bits / 32;
    const auto& words = Bip39EnglishWords();
    std::string out;
    for (size_t w = 0; w < total_bits / 11; ++w) {
        uint32_t index = 0;
        for (size_t b = 0; b < 11; ++b) {
            const size_t i = w * 11 + b;
            const bool bit = i < ent_bits ? Bit(entropy, i) : Bit(std::span(hash.begin(), hash.end()), i - ent_bits);
            index = (index << 1) | (bit ? 1 : 0);
        }
        if (!out.empty()) out += ' ';
        out += words[index];
    }
    return out;
}

std::optional<std::vector<uint8_t>> Bip39ToEntropy(std::string_view mnemonic, std::string& error)
{
    std::vector<uint32_t> indexes;
    const auto& words = Bip39EnglishWords();
    size_t start = 0;
    while (start <= mnemonic.size()) {
        const size_t end = std::min(mnemonic.find(' ', start), mnemonic.size());
        const std::string_view word = mnemonic.substr(start, end - start);
        const auto it = std::lower_bound(words.begin(), words.end(), word);
        if (it == words.end() || *it != word) {
            error = "Unknown word '" + std::string(word) + "'";
            return std::nullopt;
        }
        indexes.push_back(static_cast<uint32_t>(it - words.begin()));
        if (indexes.size() > 24) break;
        start = end + 1;
    }
    if (indexes.size() < 12 || indexes.size() > 24 || indexes.size() % 3 != 0) {
        error = "Invalid mnemonic word count";
        return std::nullopt;
    }
    // 11 bits a word: ENT + ENT/32 bits, so ENT = words * 11 * 32 / 33.
    const size_t total_bits = indexes.size() * 11;
    const size_t ent_bits = total_bits * 32 / 33;
    std::vector<uint8_t> bits(total_bits);
    for (size_t w = 0; w < indexes.size(); ++w) {
        for (size_t b = 0; b < 11; ++b) bits[w * 11 + b] = (indexes[w] >> (10 - b)) & 1;
    }
    std::vector<uint8_t> entropy(ent_bits / 8);
    for (size_t i = 0; i < ent_bits; ++i) entropy[i / 8] |= static_cast<uint8_t>(bits[i] << (7 - i % 8));
    const consensus::Uint256 hash = consensus::Sha256Hash(entropy);
    for (size_t i = ent_bits; i < total_bits; ++i) {
        if (bits[i] != (Bit(std::span(hash.begin(), hash.end()), i - ent_bits) ? 1 : 0)) {
            error = "Invalid mnemonic checksum";
            return std::nullopt;
        }
    }
    return entropy;
}

std::array<uint8_t, 64> Bip39ToSeed(std::string_view mnemonic, std::string_view passphrase)
{
    const std::string salt = "mnemonic" + std::string(passphrase);
    std::array<uint8_t, 64> seed{};
    if (PKCS5_PBKDF2_HMAC(mnemonic.data(), static_cast<int>(mnemonic.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), 2048,
                          EVP_sha512(), static_cast<int>(seed.size()), seed.data()) != 1) {
        throw std::runtime_error("PBKDF2-HMAC-SHA512 failed");
    }
    return seed;
}

} // namespace common
