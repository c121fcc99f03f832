// A bloom filter that forgets its oldest entries (Core's CRollingBloomFilter): used for the
// transactions we rejected recently (so they are not downloaded again) and for what each peer
// already knows. It remembers at least the last n_elements inserted, with a false-positive
// rate of about fp_rate for them; older entries fade out a third of the capacity at a time.
// Each cell holds a 2-bit generation number (1..3, 0 empty); when the current generation has
// taken n_elements/2 entries the next one starts and the cells of the generation it reuses are
// wiped. An entry's cells come from two keyed SipHashes by enhanced double hashing (Dillinger
// and Manolios), which keeps the rate of independent functions to within a small term.
// Not thread-safe: its owner's lock guards it.
#pragma once

#include "consensus/uint256.h"

#include <cstdint>
#include <span>
#include <vector>

namespace node::p2p {

class RollingBloomFilter {
public:
    /** n_elements > 0, 0 < fp_rate < 1. The memory is about 1.8 * n_elements * log2(1/fp_rate) bits. */
    RollingBloomFilter(uint32_t n_elements, double fp_rate);

    void Insert(std::span<const uint8_t> key);
    void Insert(const consensus::Uint256& hash) { Insert(std::span<const uint8_t>(hash.data(), 32)); }
    bool Contains(std::span<const uint8_t> key) const;
    bool Contains(const consensus::Uint256& hash) const { return Contains(std::span<const uint8_t>(hash.data(), 32)); }
    /**
     * Forgets everything and draws a new hashing key; a filter with nothing inserted since it
     * was last cleared is left as it is (empty already; Core allocates its recent-rejects
     * filters lazily, so it resets nothing before their first use either).
     */
    void Reset();
    /** Bytes of the cell array. */
    size_t MemoryBytes() const { return m_data.size() * sizeof(uint64_t); }
    int HashFunctions() const { return m_hash_funcs; }

private:
    /** Empties every cell and draws a new key. */
    void Clear();
    uint64_t Sip(uint64_t k0, std::span<const uint8_t> key) const;
    /** Calls visit(cell) for each of the key's cells while it returns true; false if one did not. */
    template <class Visit>
    bool ForEachCell(std::span<const uint8_t> key, Visit&& visit) const;

    int m_hash_funcs{1};
    uint32_t m_per_generation{0};
    uint32_t m_this_generation{0};
    uint32_t m_generation{1};
    uint64_t m_k0{0}, m_k1{0};
    /** No Insert since the last Clear. */
    bool m_empty{true};
    // Pairs of words: word 2i holds the low bit of the generation of cells 64i..64i+63, word 2i+1 the high bit.
    std::vector<uint64_t> m_data;
};

} // namespace node::p2p
