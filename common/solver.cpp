// The standard-script solver, following Core's script/solver.cpp.
#include "common/solver.h"

#include <optional>

namespace common {

using consensus::Opcode;
using consensus::Script;
using Bytes = std::vector<uint8_t>;

bool IsPayToAnchor(int version, const Bytes& program)
{
    return version == 1 && program.size() == 2 && program[0] == 0x4e && program[1] == 0x73;
}

namespace {

constexpr size_t WITNESS_V0_KEYHASH_SIZE = 20;
constexpr size_t WITNESS_V0_SCRIPTHASH_SIZE = 32;
constexpr size_t WITNESS_V1_TAPROOT_SIZE = 32;

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

} // namespace common
