// Base64 and host:port parsing (see strencodings.h).
#include "util/strencodings.h"

#include <charconv>

namespace util {

std::optional<int> ParseSmallInt(std::string_view s)
{
    if (s.empty() || s[0] == '-') return std::nullopt;
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string EncodeBase64(std::string_view data)
{
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        const uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i + 1 == data.size()) {
        const uint32_t v = uint8_t(data[i]) << 16;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == data.size()) {
        const uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::optional<std::string> DecodeBase64(std::string_view text)
{
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    // As Core's DecodeBase64: whole 4-character groups, at most two '=' and only at the end,
    // no whitespace, and the bits left over after the last byte must be zero.
    if (text.size() % 4 != 0) return std::nullopt;
    for (int i = 0; i < 2 && !text.empty() && text.back() == '='; ++i) text.remove_suffix(1);
    std::string out;
    out.reserve(text.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        const int v = value(c);
        if (v < 0) return std::nullopt;
        acc = ((acc << 6) | static_cast<uint32_t>(v)) & 0xfff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

std::optional<uint16_t> ParsePort(std::string_view s)
{
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    const auto v = ParseSmallInt(s);
    if (!v || *v < 1 || *v > 65535) return std::nullopt;
    return static_cast<uint16_t>(*v);
}

bool SplitHostPort(std::string_view in, uint16_t& port, std::string& host)
{
    bool valid = true;
    const size_t colon = in.rfind(':');
    if (colon != std::string_view::npos) {
        // A port follows the last colon of "host:port" (the only colon) or "[v6]:port".
        const bool bracketed = in.front() == '[' && colon > 0 && in[colon - 1] == ']';
        const bool multi = colon > 0 && in.rfind(':', colon - 1) != std::string_view::npos;
        if (colon == 0 || bracketed || !multi) {
            const auto p = ParsePort(in.substr(colon + 1));
            valid = p.has_value();
            if (p) {
                port = *p;
                in = in.substr(0, colon);
            }
        }
    }
    host = std::string(in);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return valid;
}

} // namespace util
