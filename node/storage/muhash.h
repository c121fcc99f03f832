// MuHash3072: Bitcoin Core's rolling set hash of the UTXO set (gettxoutsetinfo "muhash").
// Each element is hashed with SHA-256, expanded with ChaCha20 into a 3072-bit number and
// multiplied into a product modulo 2^3072 - 1103717; removing divides it out. The result
// is independent of order, so two nodes agree however they built their sets.
#pragma once

#include "consensus/uint256.h"

#include <cstdint>
#include <memory>
#include <span>

namespace node {

/**
 * A set hash over byte strings (Core's MuHash3072). Not thread-safe; copyable. Uses
 * OpenSSL's BIGNUM arithmetic and ChaCha20. Throws std::runtime_error if OpenSSL fails to
 * allocate.
 */
class MuHash3072 {
public:
    /** The empty set. */
    MuHash3072();
    /** The set holding only data. */
    explicit MuHash3072(std::span<const uint8_t> data);
    ~MuHash3072();
    MuHash3072(const MuHash3072& other);
    MuHash3072& operator=(const MuHash3072& other);

    /** Adds one element. */
    void Insert(std::span<const uint8_t> data);
    /** Removes one element (which need not have been inserted: the set is a multiset quotient). */
    void Remove(std::span<const uint8_t> data);
    /** Union: multiplies in another set's elements. */
    MuHash3072& operator*=(const MuHash3072& other);
    /** Difference: divides out another set's elements. */
    MuHash3072& operator/=(const MuHash3072& other);
    /** SHA-256 of the product as 384 little-endian bytes (Core's Finalize). */
    consensus::Uint256 Finalize() const;

private:
    struct Num;
    std::unique_ptr<Num> m_numerator;
    std::unique_ptr<Num> m_denominator;
};

} // namespace node
