// 256-bit unsigned arithmetic for proof-of-work targets and chain work, and the compact
// "nBits" encoding of targets used in block headers.
#pragma once

#include "consensus/uint256.h"

#include <array>
#include <compare>
#include <concepts>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace consensus {

/** Thrown by ArithUint256 division by zero. */
struct ArithError : std::domain_error {
    using std::domain_error::domain_error;
};

/**
 * An unsigned 256-bit integer with wrap-around (mod 2^256) arithmetic, stored as eight
 * little-endian 32-bit limbs. Unlike Uint256 (an opaque hash) it has numeric operators.
 */
class ArithUint256 {
public:
    static constexpr int WIDTH = 8;

    constexpr ArithUint256() : m_limbs{} {}
    /** Implicit from a 64-bit value so that `x == 0` and `x + 1` read naturally. */
    constexpr ArithUint256(uint64_t v) : m_limbs{}
    {
        m_limbs[0] = static_cast<uint32_t>(v);
        m_limbs[1] = static_cast<uint32_t>(v >> 32);
    }

    /** Bitwise complement. */
    ArithUint256 operator~() const;
    /** Two's complement negation (mod 2^256). */
    ArithUint256 operator-() const;

    ArithUint256& operator^=(const ArithUint256& b);
    ArithUint256& operator&=(const ArithUint256& b);
    ArithUint256& operator|=(const ArithUint256& b);
    /** Logical shifts; shifting by 256 or more gives zero. */
    ArithUint256& operator<<=(unsigned shift);
    ArithUint256& operator>>=(unsigned shift);
    ArithUint256& operator+=(const ArithUint256& b);
    ArithUint256& operator-=(const ArithUint256& b);
    /**
     * Multiplication by a 32-bit factor (mod 2^256). Only an exact uint32_t picks this fast
     * path; other integers convert to ArithUint256 so a 64-bit factor is never truncated.
     */
    template <std::same_as<uint32_t> T>
    ArithUint256& operator*=(T b)
    {
        return MulU32(b);
    }
    /** Multiplication (mod 2^256). */
    ArithUint256& operator*=(const ArithUint256& b);
    /** Integer division; throws ArithError when dividing by zero. */
    ArithUint256& operator/=(const ArithUint256& b);
    template <std::same_as<uint32_t> T>
    ArithUint256& operator/=(T b)
    {
        return *this /= ArithUint256(uint64_t{b});
    }
    ArithUint256& operator++();
    ArithUint256& operator--();

    friend ArithUint256 operator+(ArithUint256 a, const ArithUint256& b) { return a += b; }
    friend ArithUint256 operator-(ArithUint256 a, const ArithUint256& b) { return a -= b; }
    friend ArithUint256 operator*(ArithUint256 a, const ArithUint256& b) { return a *= b; }
    template <std::same_as<uint32_t> T>
    friend ArithUint256 operator*(ArithUint256 a, T b)
    {
        return a.MulU32(b);
    }
    friend ArithUint256 operator/(ArithUint256 a, const ArithUint256& b) { return a /= b; }
    friend ArithUint256 operator&(ArithUint256 a, const ArithUint256& b) { return a &= b; }
    friend ArithUint256 operator|(ArithUint256 a, const ArithUint256& b) { return a |= b; }
    friend ArithUint256 operator^(ArithUint256 a, const ArithUint256& b) { return a ^= b; }
    friend ArithUint256 operator<<(ArithUint256 a, unsigned shift) { return a <<= shift; }
    friend ArithUint256 operator>>(ArithUint256 a, unsigned shift) { return a >>= shift; }

    /** Numeric comparison (most significant limb first). */
    friend std::strong_ordering operator<=>(const ArithUint256& a, const ArithUint256& b);
    friend bool operator==(const ArithUint256& a, const ArithUint256& b) { return a.m_limbs == b.m_limbs; }

    /** Position of the highest set bit plus one; 0 for zero. */
    unsigned bits() const;
    /** The low 64 bits. */
    uint64_t GetLow64() const { return m_limbs[0] | uint64_t{m_limbs[1]} << 32; }
    /** Approximate value as a double (for difficulty and log2 chain work displays). */
    double GetDouble() const;
    /** 64 hex digits, most significant first (as Core's arith_uint256::GetHex). */
    std::string GetHex() const;
    /** Limb i (0 = least significant 32 bits). */
    uint32_t GetLimb(int i) const { return m_limbs[static_cast<size_t>(i)]; }

    /**
     * Sets the value from Bitcoin's compact "nBits" form: a size byte and a 23-bit mantissa
     * with a sign bit. *negative: the sign bit is set on a non-zero mantissa; *overflow: the
     * value does not fit in 256 bits. Either pointer may be null. Returns *this.
     */
    ArithUint256& SetCompact(uint32_t compact, bool* negative = nullptr, bool* overflow = nullptr);
    /** The compact form; rounds down to 23 bits of mantissa. Sets the sign bit if negative and non-zero. */
    uint32_t GetCompact(bool negative = false) const;

    friend Uint256 ArithToUint256(const ArithUint256& a);
    friend ArithUint256 UintToArith256(const Uint256& u);

private:
    ArithUint256& MulU32(uint32_t b);
    std::array<uint32_t, WIDTH> m_limbs;
};

/** The 256-bit little-endian blob holding a's value (e.g. a target to compare as a hash). */
Uint256 ArithToUint256(const ArithUint256& a);
/** Interprets a hash as a little-endian 256-bit number (how proof of work compares hashes). */
ArithUint256 UintToArith256(const Uint256& u);

} // namespace consensus
