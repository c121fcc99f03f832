// CoinsViewCache: Bitcoin Core's CCoinsViewCache flag rules (DIRTY / FRESH) over a
// backing view. A coin missing from the backing view is never cached as an entry.
#include "node/storage/coins_cache.h"

#include <chrono>
#include <iterator>
#include <random>
#include <stdexcept>
#include <utility>

namespace node {

namespace {

/** Heap bytes malloc really hands out for a request of n bytes (Core's MallocUsage on 64-bit). */
size_t MallocUsage(size_t n) { return n == 0 ? 0 : ((n + 31) >> 4) << 4; }

/** Heap bytes attributed to one coin's script. */
size_t ScriptUsage(const consensus::Coin& coin) { return MallocUsage(coin.out.script_pubkey.size()); }

/** The salt, drawn once per process from the system's random source. */
struct OutPointSalt {
    uint64_t k0, k1;
    OutPointSalt()
    {
        try {
            std::random_device rd;
            k0 = (uint64_t{rd()} << 32) | rd();
            k1 = (uint64_t{rd()} << 32) | rd();
        } catch (const std::exception&) {
            // No random source (std::random_device may throw): the clock and this
            // object's address are a weaker but still per-process salt.
            const auto t = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
            k0 = t * 0x9e3779b97f4a7c15ULL ^ reinterpret_cast<uintptr_t>(this);
            k1 = (t ^ 0xd1b54a32d192ed03ULL) * 0xbf58476d1ce4e5b9ULL;
        }
    }
};

const OutPointSalt& Salt()
{
    static const OutPointSalt salt;
    return salt;
}

} // namespace

SaltedOutPointHasher::SaltedOutPointHasher() : m_k0(Salt().k0), m_k1(Salt().k1) {}

CoinsMap::iterator CoinsViewCache::FetchCoin(const consensus::OutPoint& outpoint) const
{
    auto it = m_map.find(outpoint);
    if (it != m_map.end()) return it;
    consensus::Coin coin;
    if (ReadFromBase(outpoint, coin) != ReadStatus::FOUND) return m_map.end();
    return Insert(outpoint, std::move(coin));
}

ReadStatus CoinsViewCache::ReadFromBase(const consensus::OutPoint& outpoint, consensus::Coin& coin) const
{
    const ReadStatus status = m_base->ReadCoin(outpoint, coin);
    if (status == ReadStatus::FAILED) m_read_failed = true;
    if (status == ReadStatus::FOUND && coin.IsSpent()) return ReadStatus::ABSENT;
    return status;
}

CoinsMap::iterator CoinsViewCache::Insert(const consensus::OutPoint& outpoint, consensus::Coin&& coin) const
{
    auto [ins, inserted] = m_map.try_emplace(outpoint);
    ins->second.coin = std::move(coin);
    ins->second.flags = 0;
    m_script_bytes += ScriptUsage(ins->second.coin);
    return ins;
}

const consensus::Coin* CoinsViewCache::CacheFetched(const consensus::OutPoint& outpoint, consensus::Coin&& coin) const
{
    if (auto it = m_map.find(outpoint); it != m_map.end())
        return it->second.coin.IsSpent() ? nullptr : &it->second.coin;
    return &Insert(outpoint, std::move(coin))->second.coin;
}

ReadStatus CoinsViewCache::ReadCoin(const consensus::OutPoint& outpoint, consensus::Coin& coin) const
{
    // A failure anywhere below this cache (also an earlier one) makes its answers unreliable.
    auto it = FetchCoin(outpoint);
    if (m_read_failed) return ReadStatus::FAILED;
    if (it == m_map.end() || it->second.coin.IsSpent()) return ReadStatus::ABSENT;
    coin = it->second.coin;
    return ReadStatus::FOUND;
}

std::optional<consensus::Coin> CoinsViewCache::GetCoin(const consensus::OutPoint& outpoint) const
{
    auto it = FetchCoin(outpoint);
    if (it == m_map.end() || it->second.coin.IsSpent()) return std::nullopt;
    return it->second.coin;
}

bool CoinsViewCache::HaveCoin(const consensus::OutPoint& outpoint) const
{
    auto it = FetchCoin(outpoint);
    return it != m_map.end() && !it->second.coin.IsSpent();
}

const consensus::Coin* CoinsViewCache::AccessCoin(const consensus::OutPoint& outpoint) const
{
    auto it = FetchCoin(outpoint);
    if (it == m_map.end() || it->second.coin.IsSpent()) return nullptr;
    return &it->second.coin;
}

bool CoinsViewCache::HaveCoinInCache(const consensus::OutPoint& outpoint) const
{
    auto it = m_map.find(outpoint);
    return it != m_map.end() && !it->second.coin.IsSpent();
}

void CoinsViewCache::AddCoin(const consensus::OutPoint& outpoint, consensus::Coin&& coin, bool possible_overwrite)
{
    if (coin.IsSpent()) throw std::logic_error("AddCoin: coin is spent");
    if (coin.out.script_pubkey.IsUnspendable()) return;
    auto [it, inserted] = m_map.try_emplace(outpoint);
    bool fresh = false;
    if (!possible_overwrite) {
        if (!it->second.coin.IsSpent()) {
            throw std::logic_error("Attempted to overwrite an unspent coin (when possible_overwrite is false)");
        }
        // A spent DIRTY entry's spentness has not reached the backing view yet: the new
        // coin must not be FRESH, or spending it again would drop that deletion.
        fresh = !(it->second.flags & CoinsCacheEntry::DIRTY);
    }
    m_script_bytes -= ScriptUsage(it->second.coin);
    it->second.coin = std::move(coin);
    m_script_bytes += ScriptUsage(it->second.coin);
    it->second.flags |= CoinsCacheEntry::DIRTY;
    if (fresh) it->second.flags |= CoinsCacheEntry::FRESH;
}

void CoinsViewCache::AddCoins(const consensus::Transaction& tx, uint32_t height, bool possible_overwrite)
{
    const bool coinbase = tx.IsCoinBase();
    const consensus::Uint256& txid = tx.GetTxid();
    for (size_t i = 0; i < tx.vout.size(); ++i) {
        if (tx.vout[i].script_pubkey.IsUnspendable()) continue;
        const consensus::OutPoint outpoint(txid, static_cast<uint32_t>(i));
        // Core's AddCoins: when asked to check, overwrite exactly when the coin exists;
        // otherwise only coinbases may overwrite (duplicate coinbases before BIP-34).
        const bool overwrite = possible_overwrite ? HaveCoin(outpoint) : coinbase;
        AddCoin(outpoint, consensus::Coin(tx.vout[i], height, coinbase), overwrite);
    }
}

bool CoinsViewCache::SpendCoin(const consensus::OutPoint& outpoint, consensus::Coin* moveout)
{
    auto it = FetchCoin(outpoint);
    if (it == m_map.end() || it->second.coin.IsSpent()) return false;
    m_script_bytes -= ScriptUsage(it->second.coin);
    if (moveout) *moveout = std::move(it->second.coin);
    if (it->second.flags & CoinsCacheEntry::FRESH) {
        m_map.erase(it);
    } else {
        it->second.flags |= CoinsCacheEntry::DIRTY;
        it->second.coin.Clear();
    }
    return true;
}

void CoinsViewCache::Uncache(const consensus::OutPoint& outpoint)
{
    auto it = m_map.find(outpoint);
    if (it != m_map.end() && it->second.flags == 0) {
        m_script_bytes -= ScriptUsage(it->second.coin);
        m_map.erase(it);
    }
}

consensus::Uint256 CoinsViewCache::GetBestBlock() const
{
    if (m_best_block.IsNull()) return m_base->GetBestBlock();
    return m_best_block;
}

bool CoinsViewCache::BatchWrite(CoinsMap& map, const consensus::Uint256& best_block)
{
    for (auto it = map.begin(); it != map.end();) {
        const auto next = std::next(it);
        const consensus::OutPoint& outpoint = it->first;
        CoinsCacheEntry& child = it->second;
        if (!(child.flags & CoinsCacheEntry::DIRTY)) {
            it = next;
            continue;
        }
        const bool child_fresh = child.flags & CoinsCacheEntry::FRESH;
        auto ours = m_map.find(outpoint);
        if (ours == m_map.end()) {
            // Spent and FRESH in the child: neither we nor our base ever saw it.
            if (child_fresh && child.coin.IsSpent()) {
                it = next;
                continue;
            }
            // Move the child's node over whole: no allocation, no copy of the script.
            auto node = map.extract(it);
            // FRESH carries over only if it was FRESH below; otherwise the coin may
            // have just been flushed from us and exist in our base.
            node.mapped().flags = CoinsCacheEntry::DIRTY | (child_fresh ? CoinsCacheEntry::FRESH : 0);
            m_script_bytes += ScriptUsage(node.mapped().coin);
            m_map.insert(std::move(node));
            it = next;
            continue;
        }
        if (child_fresh && !ours->second.coin.IsSpent()) {
            throw std::logic_error("FRESH flag misapplied to coin that exists in parent cache");
        }
        if ((ours->second.flags & CoinsCacheEntry::FRESH) && child.coin.IsSpent()) {
            // Our base never had it and now it is spent: forget it entirely.
            m_script_bytes -= ScriptUsage(ours->second.coin);
            m_map.erase(ours);
        } else {
            // A normal modification. Never FRESH here: a spent entry of ours may still
            // have to carry its spentness down to our base.
            m_script_bytes -= ScriptUsage(ours->second.coin);
            ours->second.coin = std::move(child.coin);
            m_script_bytes += ScriptUsage(ours->second.coin);
            ours->second.flags |= CoinsCacheEntry::DIRTY;
        }
        it = next;
    }
    m_best_block = best_block;
    return true;
}

bool CoinsViewCache::Flush()
{
    if (!m_base->BatchWrite(m_map, GetBestBlock())) return false;
    m_map.clear();
    m_script_bytes = 0;
    return true;
}

void CoinsViewCache::Clear()
{
    m_map.clear();
    m_script_bytes = 0;
}

void CoinsViewCache::ClearInto(CoinsMap& out)
{
    out = CoinsMap(); // capacity too: the cache is left as a new one
    out.swap(m_map);
    m_script_bytes = 0;
}

bool CoinsViewCache::Sync()
{
    // The backing view may move coins out of what it is given, so hand it copies.
    CoinsMap dirty;
    for (const auto& [outpoint, entry] : m_map) {
        if (entry.flags & CoinsCacheEntry::DIRTY) dirty.emplace(outpoint, entry);
    }
    if (!m_base->BatchWrite(dirty, GetBestBlock())) return false;
    for (auto it = m_map.begin(); it != m_map.end();) {
        if (it->second.coin.IsSpent()) {
            m_script_bytes -= ScriptUsage(it->second.coin);
            m_map.erase(it++); // erasing leaves the other iterators valid
        } else {
            it->second.flags = 0;
            ++it;
        }
    }
    return true;
}

size_t CoinsViewCache::DynamicMemoryUsage() const
{
    // Each entry is its own allocation; the table holds a pointer and a control byte
    // per slot (plus one group of control bytes), rounded as malloc rounds.
    const size_t node = MallocUsage(sizeof(CoinsMap::value_type));
    const size_t table = m_map.capacity() == 0 ? 0 : MallocUsage(m_map.capacity() * (sizeof(void*) + 1) + 16);
    return m_map.size() * node + table + m_script_bytes;
}

} // namespace node
