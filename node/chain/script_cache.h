// Core's script execution cache: the transactions (by wtxid) whose every input script was
// verified under a set of script flags. The mempool adds a transaction once its scripts pass
// (under the flags of the next block); connecting a block skips the script checks of the
// transactions found here, so a block whose transactions were already in the pool connects
// without verifying their signatures again.
//
// Thread contract: any thread; one small lock per call. Entries are salted hashes of (wtxid,
// flags), so an attacker cannot aim collisions at it; the oldest leave first past the bound.
#pragma once

#include "consensus/uint256.h"
#include "util/sync.h"

#include <array>
#include <cstdint>
#include <deque>
#include <unordered_set>

namespace node::chain {

class ScriptCache {
public:
    /** Core's DEFAULT_SCRIPT_EXECUTION_CACHE_BYTES is 32 MiB; about this many entries fit in it. */
    static constexpr size_t DEFAULT_MAX_ENTRIES = 1u << 18;

    explicit ScriptCache(size_t max_entries = DEFAULT_MAX_ENTRIES);

    /** Records that every input of the transaction wtxid passed its scripts under flags. */
    void Add(const consensus::Uint256& wtxid, uint32_t flags);
    /** Whether it did (with exactly these flags). */
    bool Contains(const consensus::Uint256& wtxid, uint32_t flags) const;
    size_t Size() const;

private:
    consensus::Uint256 Key(const consensus::Uint256& wtxid, uint32_t flags) const;

    const size_t m_max;
    std::array<uint8_t, 32> m_salt{};
    mutable util::Mutex m_mutex;
    std::unordered_set<consensus::Uint256> m_set GUARDED_BY(m_mutex);
    std::deque<consensus::Uint256> m_order GUARDED_BY(m_mutex); // oldest first
};

} // namespace node::chain
