// Script: the byte-code of Bitcoin's locking and unlocking conditions, its opcodes,
// CScriptNum-style numbers, witness stacks, and the pattern tests consensus needs.
#pragma once

#include "consensus/serialize.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace consensus {

/** Maximum bytes a single pushed element may have (BIP-16 era limit). */
inline constexpr unsigned MAX_SCRIPT_ELEMENT_SIZE = 520;
/** Maximum non-push opcodes per script (legacy and segwit v0). */
inline constexpr int MAX_OPS_PER_SCRIPT = 201;
/** Maximum public keys per CHECKMULTISIG. */
inline constexpr int MAX_PUBKEYS_PER_MULTISIG = 20;
/** Maximum script length in bytes (legacy and segwit v0). */
inline constexpr int MAX_SCRIPT_SIZE = 10000;
/** Maximum combined main and alt stack size. */
inline constexpr unsigned MAX_STACK_SIZE = 1000;
/** nLockTime below this is a block height, otherwise a timestamp. */
inline constexpr unsigned LOCKTIME_THRESHOLD = 500000000;
/** Tapscript: per-signature validation weight budget (BIP-342). */
inline constexpr int64_t VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50;
inline constexpr int64_t VALIDATION_WEIGHT_OFFSET = 50;

enum Opcode : uint8_t {
    OP_0 = 0x00,
    OP_FALSE = OP_0,
    OP_PUSHDATA1 = 0x4c,
    OP_PUSHDATA2 = 0x4d,
    OP_PUSHDATA4 = 0x4e,
    OP_1NEGATE = 0x4f,
    OP_RESERVED = 0x50,
    OP_1 = 0x51,
    OP_TRUE = OP_1,
    OP_2,
    OP_3,
    OP_4,
    OP_5,
    OP_6,
    OP_7,
    OP_8,
    OP_9,
    OP_10,
    OP_11,
    OP_12,
    OP_13,
    OP_14,
    OP_15,
    OP_16,
    OP_NOP = 0x61,
    OP_VER,
    OP_IF,
    OP_NOTIF,
    OP_VERIF,
    OP_VERNOTIF,
    OP_ELSE,
    OP_ENDIF,
    OP_VERIFY,
    OP_RETURN,
    OP_TOALTSTACK = 0x6b,
    OP_FROMALTSTACK,
    OP_2DROP,
    OP_2DUP,
    OP_3DUP,
    OP_2OVER,
    OP_2ROT,
    OP_2SWAP,
    OP_IFDUP,
    OP_DEPTH,
    OP_DROP,
    OP_DUP,
    OP_NIP,
    OP_OVER,
    OP_PICK,
    OP_ROLL,
    OP_ROT,
    OP_SWAP,
    OP_TUCK,
    OP_CAT = 0x7e,
    OP_SUBSTR,
    OP_LEFT,
    OP_RIGHT,
    OP_SIZE,
    OP_INVERT = 0x83,
    OP_AND,
    OP_OR,
    OP_XOR,
    OP_EQUAL,
    OP_EQUALVERIFY,
    OP_RESERVED1,
    OP_RESERVED2,
    OP_1ADD = 0x8b,
    OP_1SUB,
    OP_2MUL,
    OP_2DIV,
    OP_NEGATE,
    OP_ABS,
    OP_NOT,
    OP_0NOTEQUAL,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_LSHIFT,
    OP_RSHIFT,
    OP_BOOLAND,
    OP_BOOLOR,
    OP_NUMEQUAL,
    OP_NUMEQUALVERIFY,
    OP_NUMNOTEQUAL,
    OP_LESSTHAN,
    OP_GREATERTHAN,
    OP_LESSTHANOREQUAL,
    OP_GREATERTHANOREQUAL,
    OP_MIN,
    OP_MAX,
    OP_WITHIN,
    OP_RIPEMD160 = 0xa6,
    OP_SHA1,
    OP_SHA256,
    OP_HASH160,
    OP_HASH256,
    OP_CODESEPARATOR,
    OP_CHECKSIG,
    OP_CHECKSIGVERIFY,
    OP_CHECKMULTISIG,
    OP_CHECKMULTISIGVERIFY,
    OP_NOP1 = 0xb0,
    OP_CHECKLOCKTIMEVERIFY,
    OP_CHECKSEQUENCEVERIFY,
    OP_NOP4,
    OP_NOP5,
    OP_NOP6,
    OP_NOP7,
    OP_NOP8,
    OP_NOP9,
    OP_NOP10,
    OP_NOP2 = OP_CHECKLOCKTIMEVERIFY,
    OP_NOP3 = OP_CHECKSEQUENCEVERIFY,
    OP_CHECKSIGADD = 0xba,
    OP_INVALIDOPCODE = 0xff,
};

/** Highest opcode value that is defined (OP_CHECKSIGADD); above it are unknown opcodes. */
inline constexpr unsigned MAX_OPCODE = OP_CHECKSIGADD;

/** Core's name of an opcode without the OP_ prefix rules of decodescript ("OP_DUP", "0", "1"...). */
std::string GetOpName(Opcode op);

/** Thrown by ScriptNum on an over-long or non-minimal number. */
struct ScriptNumError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/**
 * Numeric stack values: little-endian sign-magnitude, at most nMaxNumSize bytes on input
 * (4 by default, 5 for CLTV/CSV); results may overflow to 5+ bytes and are only reused
 * if they fit again.
 */
class ScriptNum {
public:
    static constexpr size_t DEFAULT_MAX_NUM_SIZE = 4;

    explicit ScriptNum(int64_t n) : m_value(n) {}
    /** Decodes vch; throws ScriptNumError if longer than max_size or, if require_minimal, not minimal. */
    ScriptNum(const std::vector<uint8_t>& vch, bool require_minimal, size_t max_size = DEFAULT_MAX_NUM_SIZE);

    int64_t GetInt64() const { return m_value; }
    /** Value clamped to int range, as Core's getint(). */
    int GetInt() const;
    std::vector<uint8_t> GetBytes() const { return Serialize(m_value); }

    static std::vector<uint8_t> Serialize(int64_t value);
    /** True when vch is minimally encoded. */
    static bool IsMinimallyEncoded(const std::vector<uint8_t>& vch, size_t max_size = DEFAULT_MAX_NUM_SIZE);

    auto operator<=>(const ScriptNum& o) const = default;
    bool operator==(int64_t v) const { return m_value == v; }
    auto operator<=>(int64_t v) const { return m_value <=> v; }

private:
    int64_t m_value;
};

/** A script: a plain byte string with opcode-aware helpers. */
class Script : public std::vector<uint8_t> {
public:
    Script() = default;
    Script(const_iterator b, const_iterator e) : std::vector<uint8_t>(b, e) {}
    explicit Script(std::span<const uint8_t> s) : std::vector<uint8_t>(s.begin(), s.end()) {}

    /** Appends an opcode. */
    Script& operator<<(Opcode op)
    {
        push_back(op);
        return *this;
    }
    /** Appends the shortest push of a small number (OP_0, OP_1NEGATE, OP_1..OP_16, or data). */
    Script& PushInt(int64_t n);
    /** Appends a data push with the smallest PUSHDATA form. */
    Script& operator<<(std::span<const uint8_t> data);
    Script& operator<<(const std::vector<uint8_t>& data) { return *this << std::span<const uint8_t>(data); }

    /**
     * Reads the opcode at pc and its pushed data (if any) and advances pc.
     * False on a truncated push or at the end; opcode is then OP_INVALIDOPCODE.
     */
    bool GetOp(const_iterator& pc, Opcode& opcode, std::vector<uint8_t>* data = nullptr) const;

    /** Legacy sigop count; accurate counts CHECKMULTISIG keys from a preceding OP_n. */
    unsigned GetSigOpCount(bool accurate) const;
    /** P2SH sigops: counts in the redeem script that script_sig pushes last. */
    unsigned GetSigOpCount(const Script& script_sig) const;

    /** OP_HASH160 <20> OP_EQUAL (BIP-16). */
    bool IsPayToScriptHash() const;
    /** OP_0 <32> (BIP-141 P2WSH). */
    bool IsPayToWitnessScriptHash() const;
    /** A version byte then one push of 2..40 bytes (BIP-141). */
    bool IsWitnessProgram(int& version, std::vector<uint8_t>& program) const;
    /** Only push opcodes (OP_RESERVED counts as push, as in Core). */
    bool IsPushOnly(const_iterator pc) const;
    bool IsPushOnly() const { return IsPushOnly(begin()); }
    /** Starts with OP_RETURN or is larger than MAX_SCRIPT_SIZE. */
    bool IsUnspendable() const { return (!empty() && (*this)[0] == OP_RETURN) || size() > MAX_SCRIPT_SIZE; }
    /** Every opcode defined and no truncated push. */
    bool HasValidOps() const;

    template <typename W>
    void Serialize(W& w) const
    {
        WriteBytes(w, *this);
    }
    static Script Deserialize(ByteReader& r)
    {
        auto s = r.ReadSpan(ReadCount(r, 1));
        return Script(s);
    }
};

/** OP_0..OP_16 to 0..16. */
int DecodeOpN(Opcode op);
/** 0..16 to OP_0..OP_16. */
Opcode EncodeOpN(int n);

/** Deletes every occurrence of the push-serialized b from script at op boundaries; returns count. */
int FindAndDelete(Script& script, const Script& b);

/** Segregated witness data of one input: a stack of byte strings. */
struct ScriptWitness {
    std::vector<std::vector<uint8_t>> stack;

    bool IsNull() const { return stack.empty(); }
    bool operator==(const ScriptWitness&) const = default;

    template <typename W>
    void Serialize(W& w) const
    {
        WriteCompactSize(w, stack.size());
        for (const auto& item : stack) WriteBytes(w, item);
    }
    static ScriptWitness Deserialize(ByteReader& r)
    {
        ScriptWitness wit;
        const size_t n = ReadCount(r, 1);
        // Each item costs at least one byte of input but ~24 bytes of vector: bound the
        // up-front reservation so a hostile count cannot amplify memory before failing.
        wit.stack.reserve(std::min<size_t>(n, 1024));
        for (size_t i = 0; i < n; ++i) wit.stack.push_back(ReadBytes(r));
        return wit;
    }
};

} // namespace consensus
