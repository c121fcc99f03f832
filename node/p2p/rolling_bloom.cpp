#include "node/p2p/rolling_bloom.h"

#include "net/siphash.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace node::p2p {

RollingBloomFilter::RollingBloomFilter(uint32_t n_elements, double fp_rate)
{
    n_elements = std::max<uint32_t>(n_elements, 1);
    fp_rate = std::clamp(fp_rate, 1e-12, 0.5);
    const double log_fp = std::log(fp_rate);
    // The optimal count of hash functions for the rate: log2(1/fp), within [1, 50].
    m_hash_funcs = std::clamp(static_cast<int>(std::lround(log_fp / std::log(0.5))), 1, 50);
    m_per_generation = (n_elements + 1) / 2;
    // Up to three generations (1.5 * n_elements entries) are live at once; size the bits so
    // that many entries still give the rate asked for.
    const double max_elements = 3.0 * m_per_generation;
    const double bits = std::ceil(-1.0 * m_hash_funcs * max_elements / std::log(1.0 - std::exp(log_fp / m_hash_funcs)));
    // At most 2^32 cells (a cell is numbered in 32 bits).
    const size_t words = std::min<size_t>((static_cast<size_t>(bits) + 63) / 64, size_t{1} << 26);
    m_data.assign(std::max<size_t>(words, 1) * 2, 0);
    Clear();
}

void RollingBloomFilter::Reset()
{
    // Nothing inserted since the last clear: every cell is empty already and the key hashed
    // nothing. The recent-rejects filters (~1.3 MB each) are reset at every new tip, and a
    // node syncing recent blocks inserts nothing into them between two tips.
    if (!m_empty) Clear();
}

void RollingBloomFilter::Clear()
{
    m_empty = true;
    std::random_device rd;
    m_k0 = (uint64_t{rd()} << 32) | rd();
    m_k1 = (uint64_t{rd()} << 32) | rd();
    m_this_generation = 0;
    m_generation = 1;
    std::fill(m_data.begin(), m_data.end(), 0);
}

uint64_t RollingBloomFilter::Sip(uint64_t k0, std::span<const uint8_t> key) const
{
    if (key.size() == 32) {
        consensus::Uint256 v;
        std::copy(key.begin(), key.end(), v.data());
        return net::SipHashUint256(k0, m_k1, v);
    }
    net::SipHasher h(k0, m_k1);
    h.Write(key);
    return h.Finalize();
}

template <class Visit>
bool RollingBloomFilter::ForEachCell(std::span<const uint8_t> key, Visit&& visit) const
{
    // Two keyed hashes make all the cells, by enhanced double hashing in cell space (Dillinger
    // and Manolios): cell x, then x += y, y += i, modulo the cell count. Plain double hashing
    // (h1 + i * h2) lets a step near 0 or a small fraction of the ring put every function on a
    // few cells; the growing step does not. One SipHash a function before: the filter of
    // recently confirmed transactions takes 4,000 keys a block of 2,000 transactions.
    // At least 64 cells, more than the 50 functions at most: one subtraction keeps y below it.
    const uint64_t cells = (m_data.size() / 2) * 64;
    // Multiply-shift range reduction of the high 32 bits (uniform, no division).
    const auto reduce = [cells](uint64_t h) { return ((h >> 32) * cells) >> 32; };
    uint64_t x = reduce(Sip(m_k0, key));
    // The first cell needs one hash: a key that is not there often fails on it.
    if (!visit(static_cast<uint32_t>(x))) return false;
    uint64_t y = reduce(Sip(m_k0 ^ 0x9e3779b97f4a7c15ULL, key));
    for (int i = 1; i < m_hash_funcs; ++i) {
        x += y;
        if (x >= cells) x -= cells;
        y += static_cast<uint64_t>(i);
        if (y >= cells) y -= cells;
        if (!visit(static_cast<uint32_t>(x))) return false;
    }
    return true;
}

void RollingBloomFilter::Insert(std::span<const uint8_t> key)
{
    m_empty = false;
    if (m_this_generation == m_per_generation) {
        m_this_generation = 0;
        if (++m_generation == 4) m_generation = 1;
        // Wipe every cell of the generation being reused: a cell's generation is (hi, lo);
        // keep the cells whose generation differs from (g_hi, g_lo) in at least one bit.
        const uint64_t g_lo = 0 - uint64_t{m_generation & 1}, g_hi = 0 - uint64_t{m_generation >> 1};
        for (size_t i = 0; i < m_data.size(); i += 2) {
            const uint64_t lo = m_data[i], hi = m_data[i + 1];
            const uint64_t keep = (lo ^ g_lo) | (hi ^ g_hi);
            m_data[i] = lo & keep;
            m_data[i + 1] = hi & keep;
        }
    }
    ++m_this_generation;
    ForEachCell(key, [this](uint32_t cell) {
        const size_t word = (cell / 64) * 2;
        const uint64_t bit = uint64_t{1} << (cell % 64);
        m_data[word] = (m_data[word] & ~bit) | (uint64_t{m_generation & 1} * bit);
        m_data[word + 1] = (m_data[word + 1] & ~bit) | (uint64_t{m_generation >> 1} * bit);
        return true;
    });
}

bool RollingBloomFilter::Contains(std::span<const uint8_t> key) const
{
    return ForEachCell(key, [this](uint32_t cell) {
        const size_t word = (cell / 64) * 2;
        const uint64_t bit = uint64_t{1} << (cell % 64);
        return ((m_data[word] | m_data[word + 1]) & bit) != 0;
    });
}

} // namespace node::p2p
