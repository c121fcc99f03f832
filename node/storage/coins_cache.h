// The UTXO set in memory: a write-back cache layered over a backing view (the LevelDB
// coins database, or another cache). Dirty entries reach the backing view only in
// BatchWrite, which for the database is a series of writes ending with the best-block hash
// (coins_db.h: an interrupted series is recognised and completed at the next start).
#pragma once

#include "consensus/coins.h"
#include "consensus/uint256.h"
#include "node/storage/read_status.h"

#include <absl/container/node_hash_map.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

namespace node {

/** One cached coin and whether it differs from the backing view. */
struct CoinsCacheEntry {
    /** Differs from the backing view: must be written on flush. */
    static constexpr uint8_t DIRTY = 1;
    /** The backing view does not have this coin unspent: if spent before a flush, drop it. */
    static constexpr uint8_t FRESH = 2;
    consensus::Coin coin;
    uint8_t flags{0};
};

/**
 * Hash of an outpoint keyed with a random salt, so that nobody can grind txids that pile
 * up in one part of the coins map without knowing the salt (Core salts its map too, with
 * SipHash). This is not a PRF like SipHash: a keyed 64x64->128-bit multiply of the txid's
 * first 16 bytes and the index, folded to 64 bits, cheap enough for every coin lookup. Its
 * weaknesses need the salt (a txid whose first 8 bytes equal it hashes all its outputs
 * alike) or txids equal in 16 bytes (2^64 work). The salt is drawn once per process.
 */
class SaltedOutPointHasher {
public:
    SaltedOutPointHasher();
    size_t operator()(const consensus::OutPoint& o) const noexcept
    {
        uint64_t a, b;
        std::memcpy(&a, o.hash.data(), 8);
        std::memcpy(&b, o.hash.data() + 8, 8);
        const unsigned __int128 p = static_cast<unsigned __int128>(a ^ m_k0) *
                                    static_cast<unsigned __int128>(b ^ m_k1 ^ (uint64_t{o.n} << 32 | o.n));
        // A finalizing multiply (MurmurHash3's fmix64 half) so every output bit, the Swiss
        // table's 7-bit tag in the low bits included, depends on every input bit: without
        // it some salts crowded the tags (the hasher test failed about one run in fifty).
        uint64_t x = static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdULL;
        x ^= x >> 33;
        return static_cast<size_t>(x);
    }

private:
    uint64_t m_k0, m_k1;
};

/** A txid's hash for Swiss tables (the mempool's entries): the outpoint hash of (txid, 0). */
class SaltedTxidHasher {
public:
    size_t operator()(const consensus::Uint256& txid) const noexcept
    {
        return m_outpoint(consensus::OutPoint(txid, 0));
    }

private:
    SaltedOutPointHasher m_outpoint;
};

/**
 * The cache's entries. A node map (a Swiss table of pointers to separately allocated
 * entries): pointers to entries stay valid while others are added or erased, and a miss
 * costs about one cache line of control bytes instead of a walk along a bucket's chain.
 * Iterators stay valid across erasing other entries (never across an insertion).
 */
using CoinsMap = absl::node_hash_map<consensus::OutPoint, CoinsCacheEntry, SaltedOutPointHasher>;

/**
 * A coins view that can take a batch of changes and knows its best block. Its reads tell
 * found / absent / failed apart (ReadCoin); consensus::CoinsView::GetCoin, which cannot, says
 * nullopt for both absent and failed, so code that judges blocks reads through a
 * CoinsViewCache and asks its ReadFailed() before any verdict.
 */
class CoinsViewBacked : public consensus::CoinsView {
public:
    /**
     * The unspent coin at outpoint: FOUND (into coin), ABSENT, or FAILED if the storage
     * could not answer (a disk error or corrupt record; logged where detected). The default
     * answers from GetCoin and never fails (views in memory).
     */
    virtual ReadStatus ReadCoin(const consensus::OutPoint& outpoint, consensus::Coin& coin) const
    {
        auto found = GetCoin(outpoint);
        if (!found) return ReadStatus::ABSENT;
        coin = std::move(*found);
        return ReadStatus::FOUND;
    }
    /** Hash of the block up to which this view is current (null if empty). */
    virtual consensus::Uint256 GetBestBlock() const = 0;
    /**
     * Applies every DIRTY entry of map (spent coins are deletions) and sets the best
     * block; for a database not atomically but recoverably (see CoinsViewDB::BatchWrite).
     * Entries may be moved out of map. False on I/O failure (the caller stops the node).
     */
    virtual bool BatchWrite(CoinsMap& map, const consensus::Uint256& best_block) = 0;
};

/**
 * Write-back cache. Not thread-safe: it belongs to the validation thread; other threads
 * must not touch it. A failed read of the backing view is answered as "absent" to the
 * consensus interface and latched (ReadFailed()): from then on nothing this cache said may
 * be taken as a verdict on a block.
 */
class CoinsViewCache : public CoinsViewBacked {
public:
    explicit CoinsViewCache(CoinsViewBacked* base) : m_base(base) {}

    /** FOUND/ABSENT from the cache or the backing view; FAILED (and latched) if the backing view failed. */
    ReadStatus ReadCoin(const consensus::OutPoint& outpoint, consensus::Coin& coin) const override;
    /**
     * True once a read of the backing view failed (sticky for the cache's life): an absent
     * answer since may be a lie, so the caller reports a storage error, not invalid data.
     */
    bool ReadFailed() const { return m_read_failed; }

    std::optional<consensus::Coin> GetCoin(const consensus::OutPoint& outpoint) const override;
    bool HaveCoin(const consensus::OutPoint& outpoint) const override;
    /** The unspent coin at outpoint (fetched into the cache if needed), or nullptr. */
    const consensus::Coin* AccessCoin(const consensus::OutPoint& outpoint) const;
    /**
     * AccessCoin in two halves, for a cache that readers share. ReadFromBase reads a coin
     * the cache lacks from the backing view and changes nothing (but the ReadFailed latch),
     * so the writer holds no lock across that I/O; CacheFetched then enters the coin it
     * found as a clean entry (the writer's exclusive moment) and returns it.
     */
    ReadStatus ReadFromBase(const consensus::OutPoint& outpoint, consensus::Coin& coin) const;
    const consensus::Coin* CacheFetched(const consensus::OutPoint& outpoint, consensus::Coin&& coin) const;
    /** True if the coin is in this cache (no lookup in the backing view). */
    bool HaveCoinInCache(const consensus::OutPoint& outpoint) const;
    /**
     * The cache's entry for outpoint (a spent one means "spent here, whatever the backing
     * view says"), or nullptr: no lookup in the backing view and no change to the cache,
     * so threads that only read may call it together, with no writer among them.
     */
    const CoinsCacheEntry* PeekEntry(const consensus::OutPoint& outpoint) const
    {
        auto it = m_map.find(outpoint);
        return it == m_map.end() ? nullptr : &it->second;
    }
    /**
     * A hint: starts loading the part of the cache a lookup of outpoint will read, so
     * that a lookup issued a little later does not wait on memory. No effect otherwise.
     */
    void Prefetch(const consensus::OutPoint& outpoint) const { m_map.prefetch(outpoint); }

    /**
     * Adds an unspent coin. possible_overwrite allows replacing an unspent coin (the two
     * BIP-30 exception blocks); otherwise overwriting an unspent coin is a logic error
     * and throws std::logic_error.
     */
    void AddCoin(const consensus::OutPoint& outpoint, consensus::Coin&& coin, bool possible_overwrite);
    /**
     * Adds all outputs of tx (except unspendable ones) at height. As Core: coinbase outputs
     * may overwrite; with possible_overwrite, any output may (checked per coin, so absent ones stay FRESH).
     */
    void AddCoins(const consensus::Transaction& tx, uint32_t height, bool possible_overwrite = false);
    /** Spends a coin; moves it into *moveout if given. False if it was not unspent. */
    bool SpendCoin(const consensus::OutPoint& outpoint, consensus::Coin* moveout = nullptr);
    /** Drops a non-dirty entry from the cache (memory hygiene after a failed block). */
    void Uncache(const consensus::OutPoint& outpoint);

    consensus::Uint256 GetBestBlock() const override;
    void SetBestBlock(const consensus::Uint256& hash) { m_best_block = hash; }
    bool BatchWrite(CoinsMap& map, const consensus::Uint256& best_block) override;

    /** Writes every change to the backing view and empties the cache. False on failure. */
    bool Flush();
    /**
     * Flush in two halves, for a cache that readers share: WriteBack writes every change
     * to a backing view that only reads the map (the database), leaving the cache as it
     * is, so readers may go on reading it; Clear then empties it (the writer's short
     * exclusive moment). False on failure (nothing cleared).
     */
    bool WriteBack() { return m_base->BatchWrite(m_map, GetBestBlock()); }
    void Clear();
    /**
     * Empties the cache in constant time by moving its entries into `out` (left empty
     * first), so a writer can free a large map after its exclusive moment, not in it.
     */
    void ClearInto(CoinsMap& out);
    /** Writes every change to the backing view but keeps the (now clean) entries. */
    bool Sync();

    /** Number of entries in the cache. */
    size_t CacheSize() const { return m_map.size(); }
    /** Estimated heap bytes used by the cache (entries, scripts, buckets). */
    size_t DynamicMemoryUsage() const;

private:
    CoinsMap::iterator FetchCoin(const consensus::OutPoint& outpoint) const;
    /** Enters a coin read from the backing view as a clean entry (the outpoint must be absent). */
    CoinsMap::iterator Insert(const consensus::OutPoint& outpoint, consensus::Coin&& coin) const;

    CoinsViewBacked* m_base;
    mutable CoinsMap m_map;
    mutable size_t m_script_bytes{0};
    mutable bool m_read_failed{false};
    consensus::Uint256 m_best_block;
};

} // namespace node
