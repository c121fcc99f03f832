#include "consensus/encoding/bech32.h"

namespace consensus::encoding {

namespace {

constexpr std::string_view CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr uint32_t BECH32_CONST = 1;
constexpr uint32_t BECH32M_CONST = 0x2bc830a3;
constexpr size_t MAX_LENGTH = 90;
constexpr size_t CHECKSUM_SIZE = 6;

uint32_t PolyMod(const std::vector<uint8_t>& values)
{
    static constexpr uint32_t GEN[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (uint8_t v : values) {
        const uint32_t top = chk >> 25;
        chk = (chk & 0x1ffffff) << 5 ^ v;
        for (int i = 0; i < 5; ++i) {
            if ((top >> i) & 1) chk ^= GEN[i];
        }
    }
    return chk;
}

std::vector<uint8_t> ExpandHrp(std::string_view hrp)
{
    std::vector<uint8_t> out;
    out.reserve(hrp.size() * 2 + 1);
    for (char c : hrp) out.push_back(static_cast<uint8_t>(c) >> 5);
    out.push_back(0);
    for (char c : hrp) out.push_back(static_cast<uint8_t>(c) & 31);
    return out;
}

uint32_t EncodingConstant(Bech32Encoding encoding)
{
    return encoding == Bech32Encoding::BECH32 ? BECH32_CONST : BECH32M_CONST;
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int CharsetIndex(char c)
{
    const auto pos = CHARSET.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

} // namespace

std::string Bech32Encode(Bech32Encoding encoding, std::string_view hrp, std::span<const uint8_t> values5)
{
    if (encoding == Bech32Encoding::INVALID || hrp.empty()) return {};
    std::string lower_hrp;
    for (char c : hrp) {
        if (c < 33 || c > 126) return {};
        lower_hrp += ToLower(c);
    }
    std::vector<uint8_t> values = ExpandHrp(lower_hrp);
    for (uint8_t v : values5) {
        if (v >= 32) return {};
        values.push_back(v);
    }
    values.insert(values.end(), CHECKSUM_SIZE, 0);
    const uint32_t mod = PolyMod(values) ^ EncodingConstant(encoding);
    std::string out = lower_hrp + '1';
    for (uint8_t v : values5) out += CHARSET[v];
    for (size_t i = 0; i < CHECKSUM_SIZE; ++i) out += CHARSET[(mod >> (5 * (5 - i))) & 31];
    return out;
}

Bech32Decoded Bech32Decode(std::string_view str)
{
    Bech32Decoded result;
    if (str.size() > MAX_LENGTH) return result;
    bool lower = false, upper = false;
    for (char c : str) {
        if (c < 33 || c > 126) return result;
        if (c >= 'a' && c <= 'z') lower = true;
        if (c >= 'A' && c <= 'Z') upper = true;
    }
    if (lower && upper) return result;
    const size_t sep = str.rfind('1');
    if (sep == std::string_view::npos || sep == 0 || sep + 1 + CHECKSUM_SIZE > str.size()) return result;

    std::string hrp;
    for (size_t i = 0; i < sep; ++i) hrp += ToLower(str[i]);
    std::vector<uint8_t> values;
    for (size_t i = sep + 1; i < str.size(); ++i) {
        const int v = CharsetIndex(ToLower(str[i]));
        if (v < 0) return result;
        values.push_back(static_cast<uint8_t>(v));
    }
    std::vector<uint8_t> check = ExpandHrp(hrp);
    check.insert(check.end(), values.begin(), values.end());
    const uint32_t mod = PolyMod(check);
    Bech32Encoding encoding = Bech32Encoding::INVALID;
    if (mod == BECH32_CONST) encoding = Bech32Encoding::BECH32;
    if (mod == BECH32M_CONST) encoding = Bech32Encoding::BECH32M;
    if (encoding == Bech32Encoding::INVALID) return result;

    result.encoding = encoding;
    result.hrp = std::move(hrp);
    result.data.assign(values.begin(), values.end() - CHECKSUM_SIZE);
    return result;
}

bool ConvertBits(std::vector<uint8_t>& out, std::span<const uint8_t> in, int from_bits, int to_bits, bool pad)
{
    uint32_t acc = 0;
    int bits = 0;
    const uint32_t maxv = (1U << to_bits) - 1;
    const uint32_t max_acc = (1U << (from_bits + to_bits - 1)) - 1;
    for (uint8_t value : in) {
        if (value >> from_bits) return false;
        acc = ((acc << from_bits) | value) & max_acc;
        bits += from_bits;
        while (bits >= to_bits) {
            bits -= to_bits;
            out.push_back(static_cast<uint8_t>((acc >> bits) & maxv));
        }
    }
    if (pad) {
        if (bits) out.push_back(static_cast<uint8_t>((acc << (to_bits - bits)) & maxv));
    } else if (bits >= from_bits || ((acc << (to_bits - bits)) & maxv)) {
        return false;
    }
    return true;
}

std::string EncodeSegwitAddress(std::string_view hrp, int version, std::span<const uint8_t> program)
{
    if (version < 0 || version > 16) return {};
    if (program.size() < 2 || program.size() > 40) return {};
    if (version == 0 && program.size() != 20 && program.size() != 32) return {};
    std::vector<uint8_t> values{static_cast<uint8_t>(version)};
    if (!ConvertBits(values, program, 8, 5, true)) return {};
    const std::string addr = Bech32Encode(version == 0 ? Bech32Encoding::BECH32 : Bech32Encoding::BECH32M, hrp, values);
    // Refuse to hand out anything that would not decode back (e.g. over-long strings).
    if (addr.empty() || !DecodeSegwitAddress(hrp, addr)) return {};
    return addr;
}

std::optional<std::pair<int, std::vector<uint8_t>>> DecodeSegwitAddress(std::string_view hrp, std::string_view addr)
{
    const Bech32Decoded dec = Bech32Decode(addr);
    if (dec.encoding == Bech32Encoding::INVALID || dec.data.empty()) return std::nullopt;
    std::string lower_hrp;
    for (char c : hrp) lower_hrp += ToLower(c);
    if (dec.hrp != lower_hrp) return std::nullopt;
    const int version = dec.data[0];
    if (version > 16) return std::nullopt;
    if ((version == 0) != (dec.encoding == Bech32Encoding::BECH32)) return std::nullopt;
    std::vector<uint8_t> program;
    if (!ConvertBits(program, std::span<const uint8_t>(dec.data).subspan(1), 5, 8, false)) return std::nullopt;
    if (program.size() < 2 || program.size() > 40) return std::nullopt;
    if (version == 0 && program.size() != 20 && program.size() != 32) return std::nullopt;
    return std::make_pair(version, std::move(program));
}

} // namespace consensus::encoding
