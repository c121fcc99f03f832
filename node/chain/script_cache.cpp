#include "node/chain/script_cache.h"

#include "consensus/hash.h"

#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

namespace node::chain {

ScriptCache::ScriptCache(size_t max_entries) : m_max(max_entries)
{
    if (RAND_bytes(m_salt.data(), static_cast<int>(m_salt.size())) != 1) {
        throw std::runtime_error("ScriptCache: no randomness for the salt");
    }
}

consensus::Uint256 ScriptCache::Key(const consensus::Uint256& wtxid, uint32_t flags) const
{
    uint8_t buf[32 + 32 + 4];
    std::memcpy(buf, m_salt.data(), 32);
    std::memcpy(buf + 32, wtxid.data(), 32);
    for (int i = 0; i < 4; ++i) buf[64 + i] = static_cast<uint8_t>(flags >> (8 * i));
    return consensus::Sha256Hash(std::span<const uint8_t>(buf, sizeof(buf)));
}

void ScriptCache::Add(const consensus::Uint256& wtxid, uint32_t flags)
{
    const consensus::Uint256 key = Key(wtxid, flags);
    util::LockGuard lock(m_mutex);
    if (!m_set.insert(key).second) return;
    m_order.push_back(key);
    while (m_order.size() > m_max) {
        m_set.erase(m_order.front());
        m_order.pop_front();
    }
}

bool ScriptCache::Contains(const consensus::Uint256& wtxid, uint32_t flags) const
{
    const consensus::Uint256 key = Key(wtxid, flags);
    util::LockGuard lock(m_mutex);
    return m_set.count(key) > 0;
}

size_t ScriptCache::Size() const
{
    util::LockGuard lock(m_mutex);
    return m_set.size();
}

} // namespace node::chain
