// Address encoding and output classification, following Core's key_io.cpp and solver.cpp.
#include "node/rpc/key_io.h"

#include "consensus/encoding/base58.h"
#include "consensus/encoding/bech32.h"

#include <algorithm>
#include <cctype>

namespace node::rpc {

using consensus::Opcode;
using consensus::Script;
using Bytes = std::vector<uint8_t>;

namespace {

constexpr size_t WITNESS_V0_KEYHASH_SIZE = 20;
constexpr size_t WITNESS_V0_SCRIPTHASH_SIZE = 32;
constexpr size_t WITNESS_V1_TAPROOT_SIZE = 32;
constexpr size_t WITNESS_PROG_MAX_LEN = 40;

/** OP_1 <0x4e73>: the pay-to-anchor (P2A) output program, as Core 28+. */
bool IsPayToAnchor(int version, const Bytes& program)
{
    return version == 1 && program.size() == 2 && program[0] == 0x4e && program[1] == 0x73;
}

bool IsMinimalPush(const Bytes& data, Opcode op)
{
    if (data.empty()) return op == consensus::OP_0;
    if (data.size() == 1 && data[0] >= 1 && data[0] <= 16) return false;
    if (data.size() == 1 && data[0] == 0x81) return false;
    if (data.size() <= 75) return static_cast<size_t>(op) == data.size();
    if (data.size() <= 255) return op == consensus::OP_PUSHDATA1;
    if (data.size() <= 65535) return op == consensus::OP_PUSHDATA2;
    return true;
}

/** A small number as Core's GetScriptNumber in solver.cpp: OP_1..OP_16 or a minimal push, within [min, max]. */
std::optional<int> GetScriptNumber(Opcode op, const Bytes& data, int min, int max)
{
    int count;
    if (op >= consensus::OP_1 && op <= consensus::OP_16) {
        count = consensus::DecodeOpN(op);
    } else if (op <= consensus::OP_PUSHDATA4) {
        if (!IsMinimalPush(data, op)) return std::nullopt;
        try {
            count = consensus::ScriptNum(data, true).GetInt();
        } catch (const consensus::ScriptNumError&) {
            return std::nullopt;
        }
    } else {
        return std::nullopt;
    }
    if (count < min || count > max) return std::nullopt;
    return count;
}

bool MatchPayToPubkey(const Script& s, Bytes& pubkey)
{
    if (s.size() == 35 && s[0] == 33 && s.back() == consensus::OP_CHECKSIG) {
        pubkey.assign(s.begin() + 1, s.begin() + 34);
        return IsValidPubKeySize(pubkey);
    }
    if (s.size() == 67 && s[0] == 65 && s.back() == consensus::OP_CHECKSIG) {
        pubkey.assign(s.begin() + 1, s.begin() + 66);
        return IsValidPubKeySize(pubkey);
    }
    return false;
}

bool MatchPayToPubkeyHash(const Script& s, Bytes& hash)
{
    if (s.size() == 25 && s[0] == consensus::OP_DUP && s[1] == consensus::OP_HASH160 && s[2] == 20 &&
        s[23] == consensus::OP_EQUALVERIFY && s[24] == consensus::OP_CHECKSIG) {
        hash.assign(s.begin() + 3, s.begin() + 23);
        return true;
    }
    return false;
}

bool MatchMultisig(const Script& s, int& required, std::vector<Bytes>& keys)
{
    if (s.empty() || s.back() != consensus::OP_CHECKMULTISIG) return false;
    auto it = s.cbegin();
    Opcode op;
    Bytes data;
    if (!s.GetOp(it, op, &data)) return false;
    auto req = GetScriptNumber(op, data, 1, consensus::MAX_PUBKEYS_PER_MULTISIG);
    if (!req) return false;
    required = *req;
    while (s.GetOp(it, op, &data) && IsValidPubKeySize(data)) keys.push_back(data);
    auto n = GetScriptNumber(op, data, required, consensus::MAX_PUBKEYS_PER_MULTISIG);
    if (!n || keys.size() != static_cast<size_t>(*n)) return false;
    return it + 1 == s.cend();
}

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

/** A short reason for a string that did not decode as Bech32 or Bech32m (Core's LocateErrors, without positions). */
std::string Bech32Error(const std::string& str)
{
    if (str.size() > 90) return "Bech32 string too long";
    bool lower = false, upper = false;
    for (char c : str) {
        if (c < 33 || c > 126) return "Invalid character or mixed case";
        if (std::islower(static_cast<unsigned char>(c))) lower = true;
        if (std::isupper(static_cast<unsigned char>(c))) upper = true;
    }
    if (lower && upper) return "Invalid character or mixed case";
    const size_t sep = str.rfind('1');
    if (sep == std::string::npos) return "Missing separator";
    if (sep == 0 || sep + 7 > str.size()) return "Invalid separator position";
    constexpr std::string_view charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    for (size_t i = sep + 1; i < str.size(); ++i) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(str[i])));
        if (charset.find(c) == std::string_view::npos) return "Invalid Base 32 character";
    }
    // Core locates up to two substitution errors; we locate one by trying every fix.
    std::string fixed = str;
    std::transform(fixed.begin(), fixed.end(), fixed.begin(), [](unsigned char c) { return std::tolower(c); });
    for (size_t i = sep + 1; i < fixed.size(); ++i) {
        const char original = fixed[i];
        for (char c : charset) {
            if (c == original) continue;
            fixed[i] = c;
            const auto enc = consensus::encoding::Bech32Decode(fixed).encoding;
            if (enc == consensus::encoding::Bech32Encoding::BECH32) return "Invalid Bech32 checksum";
            if (enc == consensus::encoding::Bech32Encoding::BECH32M) return "Invalid Bech32m checksum";
        }
        fixed[i] = original;
    }
    return "Invalid checksum";
}

std::optional<Script> DecodeBech32Address(const std::string& str, const consensus::ChainParams& params,
                                          std::string& error)
{
    using consensus::encoding::Bech32Encoding;
    const auto dec = consensus::encoding::Bech32Decode(str);
    if (dec.encoding != Bech32Encoding::BECH32 && dec.encoding != Bech32Encoding::BECH32M) {
        error = Bech32Error(str);
        return std::nullopt;
    }
    if (dec.data.empty()) {
        error = "Empty Bech32 data section";
        return std::nullopt;
    }
    if (dec.hrp != params.bech32_hrp) {
        error = "Invalid or unsupported prefix for Segwit (Bech32) address (expected " + params.bech32_hrp +
                ", got " + dec.hrp + ").";
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

bool IsValidPubKeySize(const Bytes& key)
{
    if (key.empty()) return false;
    const uint8_t h = key[0];
    if (h == 2 || h == 3) return key.size() == 33;
    if (h == 4 || h == 6 || h == 7) return key.size() == 65;
    return false;
}

TxoutType SolveScript(const Script& script, std::vector<Bytes>& solutions)
{
    solutions.clear();
    if (script.IsPayToScriptHash()) {
        solutions.emplace_back(script.begin() + 2, script.begin() + 22);
        return TxoutType::SCRIPTHASH;
    }
    int version;
    Bytes program;
    if (script.IsWitnessProgram(version, program)) {
        if (version == 0 && program.size() == WITNESS_V0_KEYHASH_SIZE) {
            solutions.push_back(program);
            return TxoutType::WITNESS_V0_KEYHASH;
        }
        if (version == 0 && program.size() == WITNESS_V0_SCRIPTHASH_SIZE) {
            solutions.push_back(program);
            return TxoutType::WITNESS_V0_SCRIPTHASH;
        }
        if (version == 1 && program.size() == WITNESS_V1_TAPROOT_SIZE) {
            solutions.push_back(program);
            return TxoutType::WITNESS_V1_TAPROOT;
        }
        if (IsPayToAnchor(version, program)) return TxoutType::ANCHOR;
        if (version != 0) {
            solutions.push_back(Bytes{static_cast<uint8_t>(version)});
            solutions.push_back(program);
            return TxoutType::WITNESS_UNKNOWN;
        }
        return TxoutType::NONSTANDARD;
    }
    if (!script.empty() && script[0] == consensus::OP_RETURN && script.IsPushOnly(script.begin() + 1)) {
        return TxoutType::NULL_DATA;
    }
    Bytes data;
    if (MatchPayToPubkey(script, data)) {
        solutions.push_back(data);
        return TxoutType::PUBKEY;
    }
    if (MatchPayToPubkeyHash(script, data)) {
        solutions.push_back(data);
        return TxoutType::PUBKEYHASH;
    }
    int required = 0;
    std::vector<Bytes> keys;
    if (MatchMultisig(script, required, keys)) {
        solutions.push_back(Bytes{static_cast<uint8_t>(required)});
        solutions.insert(solutions.end(), keys.begin(), keys.end());
        solutions.push_back(Bytes{static_cast<uint8_t>(keys.size())});
        return TxoutType::MULTISIG;
    }
    solutions.clear();
    return TxoutType::NONSTANDARD;
}

std::string ScriptTypeName(TxoutType type)
{
    switch (type) {
    case TxoutType::NONSTANDARD: return "nonstandard";
    case TxoutType::PUBKEY: return "pubkey";
    case TxoutType::PUBKEYHASH: return "pubkeyhash";
    case TxoutType::SCRIPTHASH: return "scripthash";
    case TxoutType::MULTISIG: return "multisig";
    case TxoutType::NULL_DATA: return "nulldata";
    case TxoutType::ANCHOR: return "anchor";
    case TxoutType::WITNESS_V0_KEYHASH: return "witness_v0_keyhash";
    case TxoutType::WITNESS_V0_SCRIPTHASH: return "witness_v0_scripthash";
    case TxoutType::WITNESS_V1_TAPROOT: return "witness_v1_taproot";
    case TxoutType::WITNESS_UNKNOWN: return "witness_unknown";
    }
    return "nonstandard";
}

std::string GetScriptType(const Script& script)
{
    std::vector<Bytes> solutions;
    return ScriptTypeName(SolveScript(script, solutions));
}

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
    case TxoutType::NONSTANDARD:
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<Script> DecodeAddress(const std::string& str, const consensus::ChainParams& params, std::string* error)
{
    std::string local_error;
    std::string& err = error ? *error : local_error;
    err.clear();
    const std::string& hrp = params.bech32_hrp;
    std::string head = str.substr(0, hrp.size());
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool is_bech32 = head == hrp;
    if (is_bech32) return DecodeBech32Address(str, params, err);

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

} // namespace node::rpc
