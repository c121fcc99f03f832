// SipHash-2-4 (Aumasson and Bernstein), keyed by two 64-bit words as Bitcoin Core keys it:
// BIP-152 short transaction ids and salted hash tables that a peer must not be able to
// predict. Pure computation: no state shared between objects, any thread.
#pragma once

#include "consensus/uint256.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace net {

/**
 * Streaming SipHash-2-4 over bytes. Write any number of chunks in order, then Finalize
 * (which does not consume the hasher: it can be written to and finalized again).
 */
class SipHasher {
public:
    /** A hasher keyed by (k0, k1): the key's bytes are k0 then k1, little-endian. */
    SipHasher(uint64_t k0, uint64_t k1);
    /** Hashes bytes after those already written. */
    SipHasher& Write(std::span<const uint8_t> data);
    /** Hashes the 8 little-endian bytes of v after those already written. */
    SipHasher& WriteU64(uint64_t v);
    /** The 64-bit SipHash-2-4 of everything written so far. */
    uint64_t Finalize() const;

private:
    uint64_t m_v[4];
    uint64_t m_tail{0};  // bytes of an incomplete 8-byte word, little-endian
    uint64_t m_count{0}; // bytes written
};

/** SipHash-2-4 of the 32 bytes of val (as SipHasher over val's bytes, without the streaming). */
uint64_t SipHashUint256(uint64_t k0, uint64_t k1, const consensus::Uint256& val);

/** SipHash-2-4 of the 32 bytes of val followed by extra as 4 little-endian bytes (36 bytes). */
uint64_t SipHashUint256Extra(uint64_t k0, uint64_t k1, const consensus::Uint256& val, uint32_t extra);

} // namespace net
