// Base58 / Base58Check. The conversion is the classic quadratic big-number loop (inputs
// are addresses and keys, a few dozen bytes).
#include "consensus/encoding/base58.h"

#include "consensus/hash.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace consensus::encoding {

namespace {

constexpr std::string_view ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Alphabet index of every byte value, -1 for bytes outside the alphabet. */
constexpr std::array<int8_t, 256> MakeIndex()
{
    std::array<int8_t, 256> index{};
    for (auto& v : index) v = -1;
    for (size_t i = 0; i < ALPHABET.size(); ++i) index[static_cast<uint8_t>(ALPHABET[i])] = static_cast<int8_t>(i);
    return index;
}
constexpr std::array<int8_t, 256> INDEX = MakeIndex();

bool IsSpace(char c) { return c == ' ' || c == '\f' || c == '\n' || c == '\r' || c == '\t' || c == '\v'; }

} // namespace

std::string EncodeBase58(std::span<const uint8_t> bytes)
{
    size_t zeroes = 0;
    while (zeroes < bytes.size() && bytes[zeroes] == 0) ++zeroes;
    // log(256) / log(58) ~= 1.365; the digits are kept big-endian.
    std::vector<uint8_t> b58((bytes.size() - zeroes) * 138 / 100 + 1);
    size_t length = 0;
    for (size_t i = zeroes; i < bytes.size(); ++i) {
        int carry = bytes[i];
        size_t used = 0;
        for (auto it = b58.rbegin(); (carry != 0 || used < length) && it != b58.rend(); ++it, ++used) {
            carry += 256 * (*it);
            *it = static_cast<uint8_t>(carry % 58);
            carry /= 58;
        }
        length = used;
    }
    auto it = b58.begin() + static_cast<std::ptrdiff_t>(b58.size() - length);
    while (it != b58.end() && *it == 0) ++it;
    std::string out(zeroes, '1');
    out.reserve(zeroes + static_cast<size_t>(b58.end() - it));
    for (; it != b58.end(); ++it) out += ALPHABET[*it];
    return out;
}

std::optional<std::vector<uint8_t>> DecodeBase58(std::string_view str, size_t max_len)
{
    size_t pos = 0;
    while (pos < str.size() && IsSpace(str[pos])) ++pos;
    size_t zeroes = 0;
    while (pos < str.size() && str[pos] == '1') {
        if (++zeroes > max_len) return std::nullopt;
        ++pos;
    }
    // log(58) / log(256) ~= 0.733; the bytes are kept big-endian.
    std::vector<uint8_t> b256((str.size() - pos) * 733 / 1000 + 1);
    size_t length = 0;
    while (pos < str.size() && !IsSpace(str[pos])) {
        int carry = INDEX[static_cast<uint8_t>(str[pos])];
        if (carry < 0) return std::nullopt;
        size_t used = 0;
        for (auto it = b256.rbegin(); (carry != 0 || used < length) && it != b256.rend(); ++it, ++used) {
            carry += 58 * (*it);
            *it = static_cast<uint8_t>(carry % 256);
            carry /= 256;
        }
        length = used;
        if (length + zeroes > max_len) return std::nullopt;
        ++pos;
    }
    while (pos < str.size() && IsSpace(str[pos])) ++pos;
    if (pos != str.size()) return std::nullopt;
    auto it = b256.begin() + static_cast<std::ptrdiff_t>(b256.size() - length);
    std::vector<uint8_t> out(zeroes, 0);
    out.insert(out.end(), it, b256.end());
    return out;
}

std::string EncodeBase58Check(std::span<const uint8_t> bytes)
{
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    const Uint256 hash = Hash256(bytes);
    data.insert(data.end(), hash.begin(), hash.begin() + 4);
    return EncodeBase58(data);
}

std::optional<std::vector<uint8_t>> DecodeBase58Check(std::string_view str, size_t max_len)
{
    const size_t limit = max_len > SIZE_MAX - 4 ? SIZE_MAX : max_len + 4;
    auto data = DecodeBase58(str, limit);
    if (!data || data->size() < 4) return std::nullopt;
    const size_t n = data->size() - 4;
    const Uint256 hash = Hash256(std::span<const uint8_t>(data->data(), n));
    if (!std::equal(hash.begin(), hash.begin() + 4, data->begin() + static_cast<std::ptrdiff_t>(n))) {
        return std::nullopt;
    }
    data->resize(n);
    return data;
}

} // namespace consensus::encoding
