#include "script_parse.h"

#include "consensus/hex.h"
#include "consensus/script/interpreter.h"

#include <array>
#include <charconv>
#include <map>
#include <stdexcept>
#include <vector>

namespace testutil {

using consensus::Opcode;
using consensus::Script;

namespace {

// Core's names of the opcodes ParseScript accepts: OP_RESERVED and everything from OP_NOP
// to OP_CHECKSIGADD. Kept here rather than taken from GetOpName so that a naming bug in
// the code under test cannot silently change what the vectors mean.
constexpr std::array<std::pair<std::string_view, uint8_t>, 91> OPCODE_NAMES{{
    {"OP_RESERVED", 0x50},
    {"OP_NOP", 0x61},
    {"OP_VER", 0x62},
    {"OP_IF", 0x63},
    {"OP_NOTIF", 0x64},
    {"OP_VERIF", 0x65},
    {"OP_VERNOTIF", 0x66},
    {"OP_ELSE", 0x67},
    {"OP_ENDIF", 0x68},
    {"OP_VERIFY", 0x69},
    {"OP_RETURN", 0x6a},
    {"OP_TOALTSTACK", 0x6b},
    {"OP_FROMALTSTACK", 0x6c},
    {"OP_2DROP", 0x6d},
    {"OP_2DUP", 0x6e},
    {"OP_3DUP", 0x6f},
    {"OP_2OVER", 0x70},
    {"OP_2ROT", 0x71},
    {"OP_2SWAP", 0x72},
    {"OP_IFDUP", 0x73},
    {"OP_DEPTH", 0x74},
    {"OP_DROP", 0x75},
    {"OP_DUP", 0x76},
    {"OP_NIP", 0x77},
    {"OP_OVER", 0x78},
    {"OP_PICK", 0x79},
    {"OP_ROLL", 0x7a},
    {"OP_ROT", 0x7b},
    {"OP_SWAP", 0x7c},
    {"OP_TUCK", 0x7d},
    {"OP_CAT", 0x7e},
    {"OP_SUBSTR", 0x7f},
    {"OP_LEFT", 0x80},
    {"OP_RIGHT", 0x81},
    {"OP_SIZE", 0x82},
    {"OP_INVERT", 0x83},
    {"OP_AND", 0x84},
    {"OP_OR", 0x85},
    {"OP_XOR", 0x86},
    {"OP_EQUAL", 0x87},
    {"OP_EQUALVERIFY", 0x88},
    {"OP_RESERVED1", 0x89},
    {"OP_RESERVED2", 0x8a},
    {"OP_1ADD", 0x8b},
    {"OP_1SUB", 0x8c},
    {"OP_2MUL", 0x8d},
    {"OP_2DIV", 0x8e},
    {"OP_NEGATE", 0x8f},
    {"OP_ABS", 0x90},
    {"OP_NOT", 0x91},
    {"OP_0NOTEQUAL", 0x92},
    {"OP_ADD", 0x93},
    {"OP_SUB", 0x94},
    {"OP_MUL", 0x95},
    {"OP_DIV", 0x96},
    {"OP_MOD", 0x97},
    {"OP_LSHIFT", 0x98},
    {"OP_RSHIFT", 0x99},
    {"OP_BOOLAND", 0x9a},
    {"OP_BOOLOR", 0x9b},
    {"OP_NUMEQUAL", 0x9c},
    {"OP_NUMEQUALVERIFY", 0x9d},
    {"OP_NUMNOTEQUAL", 0x9e},
    {"OP_LESSTHAN", 0x9f},
    {"OP_GREATERTHAN", 0xa0},
    {"OP_LESSTHANOREQUAL", 0xa1},
    {"OP_GREATERTHANOREQUAL", 0xa2},
    {"OP_MIN", 0xa3},
    {"OP_MAX", 0xa4},
    {"OP_WITHIN", 0xa5},
    {"OP_RIPEMD160", 0xa6},
    {"OP_SHA1", 0xa7},
    {"OP_SHA256", 0xa8},
    {"OP_HASH160", 0xa9},
    {"OP_HASH256", 0xaa},
    {"OP_CODESEPARATOR", 0xab},
    {"OP_CHECKSIG", 0xac},
    {"OP_CHECKSIGVERIFY", 0xad},
    {"OP_CHECKMULTISIG", 0xae},
    {"OP_CHECKMULTISIGVERIFY", 0xaf},
    {"OP_NOP1", 0xb0},
    {"OP_CHECKLOCKTIMEVERIFY", 0xb1},
    {"OP_CHECKSEQUENCEVERIFY", 0xb2},
    {"OP_NOP4", 0xb3},
    {"OP_NOP5", 0xb4},
    {"OP_NOP6", 0xb5},
    {"OP_NOP7", 0xb6},
    {"OP_NOP8", 0xb7},
    {"OP_NOP9", 0xb8},
    {"OP_NOP10", 0xb9},
    {"OP_CHECKSIGADD", 0xba},
}};

const std::map<std::string, uint8_t, std::less<>>& OpcodeMap()
{
    static const auto map = [] {
        std::map<std::string, uint8_t, std::less<>> m;
        for (const auto& [name, op] : OPCODE_NAMES) {
            m.emplace(std::string(name), op);
            m.emplace(std::string(name.substr(3)), op); // "ADD" as well as "OP_ADD"
        }
        return m;
    }();
    return map;
}

bool AllDigits(std::string_view s)
{
    if (s.empty()) return false;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

constexpr std::array<std::pair<std::string_view, uint32_t>, 21> FLAG_NAMES{{
    {"P2SH", consensus::SCRIPT_VERIFY_P2SH},
    {"STRICTENC", consensus::SCRIPT_VERIFY_STRICTENC},
    {"DERSIG", consensus::SCRIPT_VERIFY_DERSIG},
    {"LOW_S", consensus::SCRIPT_VERIFY_LOW_S},
    {"NULLDUMMY", consensus::SCRIPT_VERIFY_NULLDUMMY},
    {"SIGPUSHONLY", consensus::SCRIPT_VERIFY_SIGPUSHONLY},
    {"MINIMALDATA", consensus::SCRIPT_VERIFY_MINIMALDATA},
    {"DISCOURAGE_UPGRADABLE_NOPS", consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS},
    {"CLEANSTACK", consensus::SCRIPT_VERIFY_CLEANSTACK},
    {"CHECKLOCKTIMEVERIFY", consensus::SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY},
    {"CHECKSEQUENCEVERIFY", consensus::SCRIPT_VERIFY_CHECKSEQUENCEVERIFY},
    {"WITNESS", consensus::SCRIPT_VERIFY_WITNESS},
    {"DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM", consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM},
    {"MINIMALIF", consensus::SCRIPT_VERIFY_MINIMALIF},
    {"NULLFAIL", consensus::SCRIPT_VERIFY_NULLFAIL},
    {"WITNESS_PUBKEYTYPE", consensus::SCRIPT_VERIFY_WITNESS_PUBKEYTYPE},
    {"CONST_SCRIPTCODE", consensus::SCRIPT_VERIFY_CONST_SCRIPTCODE},
    {"TAPROOT", consensus::SCRIPT_VERIFY_TAPROOT},
    {"DISCOURAGE_UPGRADABLE_TAPROOT_VERSION", consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION},
    {"DISCOURAGE_OP_SUCCESS", consensus::SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS},
    {"DISCOURAGE_UPGRADABLE_PUBKEYTYPE", consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE},
}};

// A DOM builder that stores floating-point numbers as their source text.
class ExactNumberSax : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
public:
    using Base = nlohmann::detail::json_sax_dom_parser<nlohmann::json>;
    using Base::Base;
    bool number_float(nlohmann::json::number_float_t /*val*/, const nlohmann::json::string_t& text)
    {
        nlohmann::json::string_t copy = text;
        return Base::string(copy);
    }
};

} // namespace

Script ParseScript(std::string_view text)
{
    Script result;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find_first_of(" \t\n", pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view w = text.substr(pos, end - pos);
        pos = end + 1;
        if (w.empty()) continue;

        if (AllDigits(w) || (w.front() == '-' && AllDigits(w.substr(1)))) {
            int64_t num = 0;
            const auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), num);
            if (ec != std::errc() || ptr != w.data() + w.size() || num > int64_t{0xffffffff} ||
                num < -int64_t{0xffffffff}) {
                throw std::runtime_error("script parse error: decimal number out of range: " + std::string(w));
            }
            result.PushInt(num);
        } else if (w.size() > 2 && w.substr(0, 2) == "0x") {
            auto raw = consensus::TryParseHex(w.substr(2));
            if (!raw) throw std::runtime_error("script parse error: bad hex: " + std::string(w));
            result.insert(result.end(), raw->begin(), raw->end());
        } else if (w.size() >= 2 && w.front() == '\'' && w.back() == '\'') {
            const std::vector<uint8_t> data(w.begin() + 1, w.end() - 1);
            result << data;
        } else if (auto it = OpcodeMap().find(w); it != OpcodeMap().end()) {
            result.push_back(it->second);
        } else {
            throw std::runtime_error("script parse error: unknown opcode: " + std::string(w));
        }
    }
    return result;
}

std::optional<consensus::Amount> ParseAmount(std::string_view text)
{
    size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
    std::string digits;
    int frac_digits = 0;
    bool any_digit = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        digits += text[i++];
        any_digit = true;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            digits += text[i++];
            ++frac_digits;
            any_digit = true;
        }
    }
    if (!any_digit) return std::nullopt;
    int64_t exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) exp_negative = text[i++] == '-';
        if (i >= text.size()) return std::nullopt;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            exponent = exponent * 10 + (text[i++] - '0');
            if (exponent > 1000) return std::nullopt;
        }
        if (exp_negative) exponent = -exponent;
    }
    if (i != text.size()) return std::nullopt;

    // value = digits * 10^(exponent - frac_digits) BTC = digits * 10^(exponent - frac_digits + 8) sats
    int64_t shift = exponent - frac_digits + 8;
    while (shift < 0) {
        if (digits.empty() || digits.back() != '0') {
            // A non-zero digit below one satoshi (or only zeros left).
            bool all_zero = true;
            for (char c : digits) all_zero &= c == '0';
            if (!all_zero) return std::nullopt;
            digits = "0";
            shift = 0;
            break;
        }
        digits.pop_back();
        ++shift;
    }
    if (digits.empty()) digits = "0";
    size_t first = digits.find_first_not_of('0');
    if (first == std::string::npos) return consensus::Amount{0};
    digits = digits.substr(first);
    if (digits.size() + static_cast<size_t>(shift) > 16) return std::nullopt; // > 21e6 BTC anyway
    int64_t sats = 0;
    for (char c : digits) sats = sats * 10 + (c - '0');
    for (int64_t k = 0; k < shift; ++k) sats *= 10;
    const consensus::Amount amount{negative ? -sats : sats};
    if (!consensus::MoneyRange(amount)) return std::nullopt;
    return amount;
}

std::span<const std::pair<std::string_view, uint32_t>> TestFlagTable() { return FLAG_NAMES; }

uint32_t AllTestFlags()
{
    uint32_t all = 0;
    for (const auto& [name, flag] : FLAG_NAMES) all |= flag;
    return all;
}

uint32_t ParseTestFlags(std::string_view names)
{
    uint32_t flags = 0;
    if (names.empty() || names == "NONE") return flags;
    size_t pos = 0;
    while (pos <= names.size()) {
        size_t end = names.find(',', pos);
        if (end == std::string_view::npos) end = names.size();
        const std::string_view word = names.substr(pos, end - pos);
        pos = end + 1;
        bool found = false;
        for (const auto& [name, flag] : FLAG_NAMES) {
            if (name == word) {
                flags |= flag;
                found = true;
            }
        }
        if (!found) throw std::runtime_error("unknown verification flag '" + std::string(word) + "'");
    }
    return flags;
}

std::string FormatTestFlags(uint32_t flags)
{
    std::string out;
    for (const auto& [name, flag] : FLAG_NAMES) {
        if (flags & flag) {
            if (!out.empty()) out += ',';
            out += name;
        }
    }
    if (const uint32_t rest = flags & ~AllTestFlags()) out += (out.empty() ? "" : ",") + std::to_string(rest);
    return out.empty() ? "NONE" : out;
}

nlohmann::json ParseJsonExactNumbers(const std::string& text)
{
    nlohmann::json result;
    ExactNumberSax sax(result, /*allow_exceptions=*/true);
    nlohmann::json::sax_parse(text, &sax);
    return result;
}

std::optional<consensus::Amount> AmountFromJson(const nlohmann::json& value)
{
    if (value.is_number_integer()) return ParseAmount(std::to_string(value.get<int64_t>()));
    if (value.is_string()) return ParseAmount(value.get<std::string>());
    return std::nullopt;
}

} // namespace testutil
