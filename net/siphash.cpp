// SipHash-2-4 (siphash.h), written from the SipHash paper's description: c = 2
// compression rounds per 8-byte word, d = 4 finalization rounds.
#include "net/siphash.h"

#include <bit>

namespace net {

namespace {

inline void SipRound(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3)
{
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
}

/** Absorbs one message word m: v3 ^= m, two rounds, v0 ^= m. */
inline void Compress(uint64_t v[4], uint64_t m)
{
    v[3] ^= m;
    SipRound(v[0], v[1], v[2], v[3]);
    SipRound(v[0], v[1], v[2], v[3]);
    v[0] ^= m;
}

/** The last word (b = length byte << 56 | tail), then the four finalization rounds. */
inline uint64_t Finish(uint64_t v[4], uint64_t b)
{
    Compress(v, b);
    v[2] ^= 0xff;
    for (int i = 0; i < 4; ++i) SipRound(v[0], v[1], v[2], v[3]);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

inline void InitState(uint64_t v[4], uint64_t k0, uint64_t k1)
{
    v[0] = k0 ^ 0x736f6d6570736575ULL; // "somepseu"
    v[1] = k1 ^ 0x646f72616e646f6dULL; // "dorandom"
    v[2] = k0 ^ 0x6c7967656e657261ULL; // "lygenera"
    v[3] = k1 ^ 0x7465646279746573ULL; // "tedbytes"
}

/** Word i (little-endian) of a 256-bit value. */
inline uint64_t Word(const consensus::Uint256& val, int i)
{
    const uint8_t* p = val.data() + 8 * i;
    uint64_t w = 0;
    for (int j = 7; j >= 0; --j) w = w << 8 | p[j];
    return w;
}

} // namespace

SipHasher::SipHasher(uint64_t k0, uint64_t k1) { InitState(m_v, k0, k1); }

SipHasher& SipHasher::Write(std::span<const uint8_t> data)
{
    for (const uint8_t byte : data) {
        m_tail |= uint64_t{byte} << (8 * (m_count % 8));
        ++m_count;
        if (m_count % 8 == 0) {
            Compress(m_v, m_tail);
            m_tail = 0;
        }
    }
    return *this;
}

SipHasher& SipHasher::WriteU64(uint64_t v)
{
    if (m_count % 8 == 0) { // aligned: one word, no byte loop
        Compress(m_v, v);
        m_count += 8;
        return *this;
    }
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    return Write(b);
}

uint64_t SipHasher::Finalize() const
{
    uint64_t v[4] = {m_v[0], m_v[1], m_v[2], m_v[3]};
    return Finish(v, m_count << 56 | m_tail);
}

uint64_t SipHashUint256(uint64_t k0, uint64_t k1, const consensus::Uint256& val)
{
    uint64_t v[4];
    InitState(v, k0, k1);
    for (int i = 0; i < 4; ++i) Compress(v, Word(val, i));
    return Finish(v, uint64_t{32} << 56);
}

uint64_t SipHashUint256Extra(uint64_t k0, uint64_t k1, const consensus::Uint256& val, uint32_t extra)
{
    uint64_t v[4];
    InitState(v, k0, k1);
    for (int i = 0; i < 4; ++i) Compress(v, Word(val, i));
    return Finish(v, uint64_t{36} << 56 | extra);
}

} // namespace net
