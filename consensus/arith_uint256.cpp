#include "consensus/arith_uint256.h"

#include "consensus/hex.h"

#include <cstring>

namespace consensus {

ArithUint256 ArithUint256::operator~() const
{
    ArithUint256 r;
    for (int i = 0; i < WIDTH; ++i) r.m_limbs[i] = ~m_limbs[i];
    return r;
}

ArithUint256 ArithUint256::operator-() const
{
    ArithUint256 r = ~*this;
    ++r;
    return r;
}

ArithUint256& ArithUint256::operator^=(const ArithUint256& b)
{
    for (int i = 0; i < WIDTH; ++i) m_limbs[i] ^= b.m_limbs[i];
    return *this;
}

ArithUint256& ArithUint256::operator&=(const ArithUint256& b)
{
    for (int i = 0; i < WIDTH; ++i) m_limbs[i] &= b.m_limbs[i];
    return *this;
}

ArithUint256& ArithUint256::operator|=(const ArithUint256& b)
{
    for (int i = 0; i < WIDTH; ++i) m_limbs[i] |= b.m_limbs[i];
    return *this;
}

ArithUint256& ArithUint256::operator<<=(unsigned shift)
{
    const ArithUint256 a = *this;
    m_limbs.fill(0);
    if (shift >= 256) return *this;
    const unsigned k = shift / 32;
    const unsigned s = shift % 32;
    for (unsigned i = 0; i < WIDTH; ++i) {
        if (i + k + 1 < WIDTH && s != 0) m_limbs[i + k + 1] |= a.m_limbs[i] >> (32 - s);
        if (i + k < WIDTH) m_limbs[i + k] |= a.m_limbs[i] << s;
    }
    return *this;
}

ArithUint256& ArithUint256::operator>>=(unsigned shift)
{
    const ArithUint256 a = *this;
    m_limbs.fill(0);
    if (shift >= 256) return *this;
    const unsigned k = shift / 32;
    const unsigned s = shift % 32;
    for (unsigned i = 0; i < WIDTH; ++i) {
        if (i >= k + 1 && s != 0) m_limbs[i - k - 1] |= a.m_limbs[i] << (32 - s);
        if (i >= k) m_limbs[i - k] |= a.m_limbs[i] >> s;
    }
    return *this;
}

ArithUint256& ArithUint256::operator+=(const ArithUint256& b)
{
    uint64_t carry = 0;
    for (int i = 0; i < WIDTH; ++i) {
        const uint64_t n = carry + m_limbs[i] + b.m_limbs[i];
        m_limbs[i] = static_cast<uint32_t>(n);
        carry = n >> 32;
    }
    return *this;
}

ArithUint256& ArithUint256::operator-=(const ArithUint256& b) { return *this += -b; }

ArithUint256& ArithUint256::MulU32(uint32_t b)
{
    uint64_t carry = 0;
    for (int i = 0; i < WIDTH; ++i) {
        const uint64_t n = carry + uint64_t{b} * m_limbs[i];
        m_limbs[i] = static_cast<uint32_t>(n);
        carry = n >> 32;
    }
    return *this;
}

ArithUint256& ArithUint256::operator*=(const ArithUint256& b)
{
    ArithUint256 r;
    for (int j = 0; j < WIDTH; ++j) {
        uint64_t carry = 0;
        for (int i = 0; i + j < WIDTH; ++i) {
            const uint64_t n = carry + r.m_limbs[i + j] + uint64_t{m_limbs[j]} * b.m_limbs[i];
            r.m_limbs[i + j] = static_cast<uint32_t>(n);
            carry = n >> 32;
        }
    }
    *this = r;
    return *this;
}

ArithUint256& ArithUint256::operator/=(const ArithUint256& b)
{
    // Shift-and-subtract long division.
    ArithUint256 div = b;
    ArithUint256 num = *this;
    *this = ArithUint256();
    const unsigned num_bits = num.bits();
    const unsigned div_bits = div.bits();
    if (div_bits == 0) throw ArithError("division by zero");
    if (div_bits > num_bits) return *this;
    int shift = static_cast<int>(num_bits - div_bits);
    div <<= static_cast<unsigned>(shift);
    while (shift >= 0) {
        if (num >= div) {
            num -= div;
            m_limbs[static_cast<size_t>(shift / 32)] |= 1U << (shift & 31);
        }
        div >>= 1;
        --shift;
    }
    return *this;
}

ArithUint256& ArithUint256::operator++()
{
    for (int i = 0; i < WIDTH; ++i) {
        if (++m_limbs[i] != 0) break;
    }
    return *this;
}

ArithUint256& ArithUint256::operator--()
{
    for (int i = 0; i < WIDTH; ++i) {
        if (m_limbs[i]-- != 0) break;
    }
    return *this;
}

std::strong_ordering operator<=>(const ArithUint256& a, const ArithUint256& b)
{
    for (int i = ArithUint256::WIDTH - 1; i >= 0; --i) {
        if (a.m_limbs[i] != b.m_limbs[i]) return a.m_limbs[i] <=> b.m_limbs[i];
    }
    return std::strong_ordering::equal;
}

unsigned ArithUint256::bits() const
{
    for (int pos = WIDTH - 1; pos >= 0; --pos) {
        const uint32_t limb = m_limbs[pos];
        if (limb != 0) {
            for (int nbits = 31; nbits > 0; --nbits) {
                if (limb & (1U << nbits)) return static_cast<unsigned>(32 * pos + nbits + 1);
            }
            return static_cast<unsigned>(32 * pos + 1);
        }
    }
    return 0;
}

double ArithUint256::GetDouble() const
{
    double ret = 0.0;
    double fact = 1.0;
    for (int i = 0; i < WIDTH; ++i) {
        ret += fact * m_limbs[i];
        fact *= 4294967296.0;
    }
    return ret;
}

std::string ArithUint256::GetHex() const { return ArithToUint256(*this).GetHex(); }

ArithUint256& ArithUint256::SetCompact(uint32_t compact, bool* negative, bool* overflow)
{
    // Value = mantissa * 256^(size - 3); the 0x00800000 bit is a sign bit.
    const unsigned size = compact >> 24;
    uint32_t word = compact & 0x007fffff;
    if (size <= 3) {
        word >>= 8 * (3 - size);
        *this = ArithUint256(word);
    } else {
        *this = ArithUint256(word);
        *this <<= 8 * (size - 3);
    }
    if (negative) *negative = word != 0 && (compact & 0x00800000) != 0;
    if (overflow) {
        *overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
    }
    return *this;
}

uint32_t ArithUint256::GetCompact(bool negative) const
{
    unsigned size = (bits() + 7) / 8;
    uint32_t compact = 0;
    if (size <= 3) {
        compact = static_cast<uint32_t>(GetLow64() << 8 * (3 - size));
    } else {
        const ArithUint256 bn = *this >> 8 * (size - 3);
        compact = static_cast<uint32_t>(bn.GetLow64());
    }
    // The 0x00800000 bit is the sign bit: if the mantissa would set it, use one more byte.
    if (compact & 0x00800000) {
        compact >>= 8;
        ++size;
    }
    compact |= size << 24;
    if (negative && (compact & 0x007fffff) != 0) compact |= 0x00800000;
    return compact;
}

Uint256 ArithToUint256(const ArithUint256& a)
{
    Uint256 out;
    for (int i = 0; i < ArithUint256::WIDTH; ++i) {
        const uint32_t v = a.m_limbs[i];
        uint8_t* p = out.data() + 4 * i;
        p[0] = static_cast<uint8_t>(v);
        p[1] = static_cast<uint8_t>(v >> 8);
        p[2] = static_cast<uint8_t>(v >> 16);
        p[3] = static_cast<uint8_t>(v >> 24);
    }
    return out;
}

ArithUint256 UintToArith256(const Uint256& u)
{
    ArithUint256 out;
    for (int i = 0; i < ArithUint256::WIDTH; ++i) {
        const uint8_t* p = u.data() + 4 * i;
        out.m_limbs[i] = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
    }
    return out;
}

} // namespace consensus
