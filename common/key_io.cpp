// Address and WIF encoding, following Core's key_io.cpp.
#include "common/key_io.h"

#include "common/solver.h"

#include "consensus/encoding/base58.h"
#include "consensus/encoding/bech32.h"
#include "consensus/script/key.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_map>

namespace common {

using consensus::Opcode;
using consensus::Script;
using Bytes = std::vector<uint8_t>;

namespace {

constexpr size_t WITNESS_V0_KEYHASH_SIZE = 20;
constexpr size_t WITNESS_V0_SCRIPTHASH_SIZE = 32;
constexpr size_t WITNESS_V1_TAPROOT_SIZE = 32;
constexpr size_t WITNESS_PROG_MAX_LEN = 40;

Script WitnessScript(int version, const Bytes& program)
{
    Script s;
    s << consensus::EncodeOpN(version);
    s << program;
    return s;
}

bool StartsWith(const Bytes& data, const Bytes& prefix)
{
    return data.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), data.begin());
}

/** BIP-173's checksum polynomial step over GF(32) symbols, from state c (1 for a checksum, 0 for a difference). */
uint32_t Bech32PolyMod(uint32_t c, const std::vector<uint8_t>& values)
{
    for (uint8_t v : values) {
        const uint8_t c0 = static_cast<uint8_t>(c >> 25);
        c = ((c & 0x1ffffff) << 5) ^ v;
        if (c0 & 1) c ^= 0x3b6a57b2;
        if (c0 & 2) c ^= 0x26508e6d;
        if (c0 & 4) c ^= 0x1ea119fa;
        if (c0 & 8) c ^= 0x3d4233dd;
        if (c0 & 16) c ^= 0x2a1462b3;
    }
    return c;
}

/**
 * Core's bech32::LocateErrors: why str is not valid Bech32/Bech32m, and where. Character and
 * separator errors are located directly; a checksum error is located by finding the fewest
 * (one or two) substituted data-part characters that make str valid under either encoding
 * (the code corrects up to two substitutions uniquely, so this finds what Core's syndrome
 * decoder finds), preferring the encoding that needs fewer. Bounded: at most 90 characters.
 */
std::pair<std::string, std::vector<int>> LocateBech32Errors(const std::string& str)
{
    using consensus::encoding::Bech32Encoding;
    constexpr size_t LIMIT = 90;
    std::vector<int> locations;
    if (str.size() > LIMIT) {
        for (size_t i = LIMIT; i < str.size(); ++i) locations.push_back(static_cast<int>(i));
        return {"Bech32 string too long", locations};
    }
    bool lower = false, upper = false;
    for (size_t i = 0; i < str.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(str[i]);
        if (c >= 'a' && c <= 'z') {
            if (upper)
                locations.push_back(static_cast<int>(i));
            else
                lower = true;
        } else if (c >= 'A' && c <= 'Z') {
            if (lower)
                locations.push_back(static_cast<int>(i));
            else
                upper = true;
        } else if (c < 33 || c > 126) {
            locations.push_back(static_cast<int>(i));
        }
    }
    if (!locations.empty()) return {"Invalid character or mixed case", locations};
    const size_t sep = str.rfind('1');
    if (sep == std::string::npos) return {"Missing separator", {}};
    if (sep == 0 || sep + 6 >= str.size()) return {"Invalid separator position", {static_cast<int>(sep)}};
    constexpr std::string_view charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    // BIP-173: the checksum covers the expanded human-readable part, then the data symbols.
    std::vector<uint8_t> values;
    for (size_t i = 0; i < sep; ++i)
        values.push_back(static_cast<uint8_t>(std::tolower(static_cast<unsigned char>(str[i])) >> 5));
    values.push_back(0);
    for (size_t i = 0; i < sep; ++i)
        values.push_back(static_cast<uint8_t>(std::tolower(static_cast<unsigned char>(str[i])) & 31));
    const size_t data_start = values.size();
    for (size_t i = sep + 1; i < str.size(); ++i) {
        const size_t v = charset.find(static_cast<char>(std::tolower(static_cast<unsigned char>(str[i]))));
        if (v == std::string_view::npos) return {"Invalid Base 32 character", {static_cast<int>(i)}};
        values.push_back(static_cast<uint8_t>(v));
    }
    const uint32_t residue = Bech32PolyMod(1, values);
    // The checksum is linear: substituting e at a symbol changes the residue by a fixed
    // difference. Tabulate it for every data symbol and value, then find the fewest (one or
    // two) substitutions that reach a valid residue; the code corrects two uniquely.
    const size_t n = values.size() - data_start;
    std::vector<std::array<uint32_t, 32>> diff(n);
    std::unordered_map<uint32_t, std::pair<size_t, int>> by_diff;
    for (size_t p = 0; p < n; ++p) {
        for (int e = 1; e < 32; ++e) {
            std::vector<uint8_t> delta(values.size() - data_start - p, 0);
            delta[0] = static_cast<uint8_t>(e);
            diff[p][static_cast<size_t>(e)] = Bech32PolyMod(0, delta);
            by_diff.emplace(diff[p][static_cast<size_t>(e)], std::pair{p, e});
        }
    }
    const auto position = [&](size_t p) { return static_cast<int>(sep + 1 + p); };
    std::optional<consensus::encoding::Bech32Encoding> found_encoding;
    for (auto [enc, constant] :
         {std::pair{Bech32Encoding::BECH32, uint32_t{1}}, std::pair{Bech32Encoding::BECH32M, uint32_t{0x2bc830a3}}}) {
        const uint32_t target = residue ^ constant;
        std::vector<int> possible;
        if (target != 0) {
            if (auto it = by_diff.find(target); it != by_diff.end()) possible = {position(it->second.first)};
            for (size_t p = 0; p < n && possible.empty(); ++p) {
                for (int e = 1; e < 32 && possible.empty(); ++e) {
                    auto it = by_diff.find(target ^ diff[p][static_cast<size_t>(e)]);
                    if (it != by_diff.end() && it->second.first != p) {
                        possible = {position(p), position(it->second.first)};
                        std::sort(possible.begin(), possible.end());
                    }
                }
            }
        }
        if (locations.empty() || (!possible.empty() && possible.size() < locations.size())) {
            locations = std::move(possible);
            if (!locations.empty()) found_encoding = enc;
        }
    }
    const char* message = !found_encoding                              ? "Invalid checksum"
                          : *found_encoding == Bech32Encoding::BECH32M ? "Invalid Bech32m checksum"
                                                                       : "Invalid Bech32 checksum";
    return {message, locations};
}

std::optional<Script> DecodeBech32Address(const std::string& str, const consensus::ChainParams& params,
                                          std::string& error, std::vector<int>* error_locations)
{
    using consensus::encoding::Bech32Encoding;
    const auto dec = consensus::encoding::Bech32Decode(str);
    if (dec.encoding != Bech32Encoding::BECH32 && dec.encoding != Bech32Encoding::BECH32M) {
        auto [message, locations] = LocateBech32Errors(str);
        error = std::move(message);
        if (error_locations) *error_locations = std::move(locations);
        return std::nullopt;
    }
    if (dec.data.empty()) {
        error = "Empty Bech32 data section";
        return std::nullopt;
    }
    if (dec.hrp != params.bech32_hrp) {
        error = "Invalid or unsupported prefix for Segwit (Bech32) address (expected " + params.bech32_hrp + ", got " +
                dec.hrp + ").";
        return std::nullopt;
    }
    const int version = dec.data[0];
    if (version == 0 && dec.encoding != Bech32Encoding::BECH32) {
        error = "Version 0 witness address must use Bech32 checksum";
        return std::nullopt;
    }
    if (version != 0 && dec.encoding != Bech32Encoding::BECH32M) {
        error = "Version 1+ witness address must use Bech32m checksum";
        return std::nullopt;
    }
    Bytes program;
    if (!consensus::encoding::ConvertBits(program, std::span<const uint8_t>(dec.data).subspan(1), 5, 8, false)) {
        error = "Invalid padding in Bech32 data section";
        return std::nullopt;
    }
    const std::string bytes_word = program.size() == 1 ? "byte" : "bytes";
    if (version == 0) {
        if (program.size() == WITNESS_V0_KEYHASH_SIZE || program.size() == WITNESS_V0_SCRIPTHASH_SIZE) {
            return WitnessScript(0, program);
        }
        error = "Invalid Bech32 v0 address program size (" + std::to_string(program.size()) + " " + bytes_word +
                "), per BIP141";
        return std::nullopt;
    }
    if ((version == 1 && program.size() == WITNESS_V1_TAPROOT_SIZE) || IsPayToAnchor(version, program)) {
        return WitnessScript(version, program);
    }
    if (version > 16) {
        error = "Invalid Bech32 address witness version";
        return std::nullopt;
    }
    if (program.size() < 2 || program.size() > WITNESS_PROG_MAX_LEN) {
        error = "Invalid Bech32 address program size (" + std::to_string(program.size()) + " " + bytes_word + ")";
        return std::nullopt;
    }
    return WitnessScript(version, program);
}

} // namespace

std::optional<std::string> EncodeAddress(const Script& script, const consensus::ChainParams& params)
{
    using consensus::Base58Type;
    std::vector<Bytes> sol;
    const TxoutType type = SolveScript(script, sol);
    auto base58 = [&](Base58Type prefix_type, const Bytes& hash) {
        Bytes data = params.Base58Prefix(prefix_type);
        data.insert(data.end(), hash.begin(), hash.end());
        return consensus::encoding::EncodeBase58Check(data);
    };
    int version = 0;
    Bytes program;
    switch (type) {
    case TxoutType::PUBKEYHASH: return base58(Base58Type::PUBKEY_ADDRESS, sol[0]);
    case TxoutType::SCRIPTHASH: return base58(Base58Type::SCRIPT_ADDRESS, sol[0]);
    case TxoutType::WITNESS_V0_KEYHASH:
    case TxoutType::WITNESS_V0_SCRIPTHASH:
    case TxoutType::WITNESS_V1_TAPROOT:
    case TxoutType::ANCHOR:
    case TxoutType::WITNESS_UNKNOWN: {
        if (!script.IsWitnessProgram(version, program)) return std::nullopt;
        std::string addr = consensus::encoding::EncodeSegwitAddress(params.bech32_hrp, version, program);
        if (addr.empty()) return std::nullopt;
        return addr;
    }
    case TxoutType::PUBKEY:
    case TxoutType::MULTISIG:
    case TxoutType::NULL_DATA:
    case TxoutType::NONSTANDARD: return std::nullopt;
    }
    return std::nullopt;
}

std::optional<Script> DecodeAddress(const std::string& str, const consensus::ChainParams& params, std::string* error,
                                    std::vector<int>* error_locations)
{
    std::string local_error;
    std::string& err = error ? *error : local_error;
    err.clear();
    if (error_locations) error_locations->clear();
    const std::string& hrp = params.bech32_hrp;
    std::string head = str.substr(0, hrp.size());
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool is_bech32 = head == hrp;
    if (is_bech32) return DecodeBech32Address(str, params, err, error_locations);

    using consensus::Base58Type;
    if (auto data = consensus::encoding::DecodeBase58Check(str, 21)) {
        const Bytes& pkh_prefix = params.Base58Prefix(Base58Type::PUBKEY_ADDRESS);
        const Bytes& sh_prefix = params.Base58Prefix(Base58Type::SCRIPT_ADDRESS);
        if (data->size() == 20 + pkh_prefix.size() && StartsWith(*data, pkh_prefix)) {
            Script s;
            s << consensus::OP_DUP << consensus::OP_HASH160;
            s << Bytes(data->begin() + static_cast<std::ptrdiff_t>(pkh_prefix.size()), data->end());
            s << consensus::OP_EQUALVERIFY << consensus::OP_CHECKSIG;
            return s;
        }
        if (data->size() == 20 + sh_prefix.size() && StartsWith(*data, sh_prefix)) {
            Script s;
            s << consensus::OP_HASH160;
            s << Bytes(data->begin() + static_cast<std::ptrdiff_t>(sh_prefix.size()), data->end());
            s << consensus::OP_EQUAL;
            return s;
        }
        if (StartsWith(*data, sh_prefix) || StartsWith(*data, pkh_prefix)) {
            err = "Invalid length for Base58 address (P2PKH or P2SH)";
        } else {
            err = "Invalid or unsupported Base58-encoded address.";
        }
        return std::nullopt;
    }
    if (!consensus::encoding::DecodeBase58(str, 100)) {
        err = "Invalid or unsupported Segwit (Bech32) or Base58 encoding.";
    } else {
        err = "Invalid checksum or length of Base58 address (P2PKH or P2SH)";
    }
    return std::nullopt;
}

bool IsValidAddress(const std::string& address, const consensus::ChainParams& params)
{
    return DecodeAddress(address, params, nullptr).has_value();
}

std::optional<SecretKey> DecodeSecret(std::string_view str, const consensus::ChainParams& params)
{
    const auto data = consensus::encoding::DecodeBase58Check(str, 34);
    const Bytes& prefix = params.Base58Prefix(consensus::Base58Type::SECRET_KEY);
    if (!data || !StartsWith(*data, prefix)) return std::nullopt;
    const size_t rest = data->size() - prefix.size();
    if (rest != 32 && !(rest == 33 && data->back() == 1)) return std::nullopt;
    SecretKey out;
    std::copy_n(data->begin() + static_cast<std::ptrdiff_t>(prefix.size()), 32, out.bytes.begin());
    out.compressed = rest == 33;
    // As Core's CKey::Set: a key outside [1, n-1] is no key.
    if (!consensus::PubKeyFromSecret(out.bytes, true)) return std::nullopt;
    return out;
}

std::string EncodeSecret(const SecretKey& key, const consensus::ChainParams& params)
{
    Bytes data = params.Base58Prefix(consensus::Base58Type::SECRET_KEY);
    data.insert(data.end(), key.bytes.begin(), key.bytes.end());
    if (key.compressed) data.push_back(1);
    return consensus::encoding::EncodeBase58Check(data);
}

} // namespace common
