// The in-memory block index: one BlockIndex per known header, linked to its parent,
// with cumulative chain work and validation status; and Chain, a height-indexed view
// of one path from genesis (the active chain).
#pragma once

#include "consensus/arith_uint256.h"
#include "consensus/primitives/block.h"
#include "consensus/uint256.h"
#include "node/storage/block_store.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace node::chain {

/** Validation progress and failure bits of a block index entry (values as Core's). */
enum BlockStatus : uint32_t {
    BLOCK_VALID_UNKNOWN = 0,
    BLOCK_VALID_RESERVED = 1,     // parsed, version ok, hash satisfies claimed PoW
    BLOCK_VALID_TREE = 2,         // all parents found, header context checks passed
    BLOCK_VALID_TRANSACTIONS = 3, // CheckBlock and contextual block checks passed
    BLOCK_VALID_CHAIN = 4,        // outputs do not overspend inputs, no double spends
    BLOCK_VALID_SCRIPTS = 5,      // scripts and signatures ok
    BLOCK_VALID_MASK = 7,
    BLOCK_HAVE_DATA = 8,     // full block in blk*.dat
    BLOCK_HAVE_UNDO = 16,    // undo data in rev*.dat
    BLOCK_FAILED_VALID = 32, // this block failed validation
    BLOCK_FAILED_CHILD = 64, // descends from a failed block
    BLOCK_FAILED_MASK = BLOCK_FAILED_VALID | BLOCK_FAILED_CHILD,
};

/**
 * One known block header and what we know about its block. Owned by the chainstate's map.
 *
 * Thread contract: the header fields, phash, prev, skip, height, chain_work and time_max
 * are set before the entry is published (inserted into the map under the chainstate's
 * view lock) and never change: any thread may read them. status, n_tx and chain_tx change
 * later and only on the validation owner: they are atomics, so readers on other threads
 * load them without a lock. data_pos is written once, before BLOCK_HAVE_DATA is set, and
 * undo_pos once, before BLOCK_HAVE_UNDO (the bit is the release): read a position only
 * after seeing its bit. sequence_id is the owner's alone.
 */
struct BlockIndex {
    const consensus::Uint256* phash{nullptr}; // key in the owning map
    BlockIndex* prev{nullptr};
    BlockIndex* skip{nullptr}; // for O(log n) ancestor lookup
    int height{0};
    consensus::ArithUint256 chain_work;
    std::atomic<uint32_t> status{0};
    std::atomic<uint32_t> n_tx{0};
    std::atomic<uint64_t> chain_tx{0}; // transactions up to and including this block, 0 if unknown
    FlatFilePos data_pos;              // valid once status has BLOCK_HAVE_DATA
    FlatFilePos undo_pos;              // valid once status has BLOCK_HAVE_UNDO
    int32_t sequence_id{0};            // arrival order, breaks chain-work ties (owner only)
    uint32_t time_max{0};              // max block time of this block and its ancestors

    // Header fields
    int32_t version{0};
    consensus::Uint256 merkle_root;
    uint32_t time{0};
    uint32_t bits{0};
    uint32_t nonce{0};

    consensus::BlockHeader GetBlockHeader() const;
    const consensus::Uint256& GetBlockHash() const { return *phash; }
    int64_t GetBlockTime() const { return time; }
    /** Median of the times of this block and its ten predecessors (BIP-113). */
    int64_t GetMedianTimePast() const;
    /** The ancestor at height h (this block if h == height), or nullptr. */
    BlockIndex* GetAncestor(int h);
    const BlockIndex* GetAncestor(int h) const;
    /** Sets skip; call once prev and height are set. */
    void BuildSkip();
    /** True if not failed and validated at least up to level. */
    bool IsValid(BlockStatus level = BLOCK_VALID_TRANSACTIONS) const;
    /** Raises the validity level; false if failed or already that valid. */
    bool RaiseValidity(BlockStatus level);
    std::string ToString() const;
};

/** Last common ancestor of a and b (both non-null). */
const BlockIndex* LastCommonAncestor(const BlockIndex* a, const BlockIndex* b);

/** A path from genesis to a tip, indexed by height. Not thread-safe; guarded by its owner. */
class Chain {
public:
    BlockIndex* Genesis() const { return m_chain.empty() ? nullptr : m_chain.front(); }
    BlockIndex* Tip() const { return m_chain.empty() ? nullptr : m_chain.back(); }
    BlockIndex* operator[](int h) const
    {
        return h < 0 || h >= static_cast<int>(m_chain.size()) ? nullptr : m_chain[h];
    }
    bool Contains(const BlockIndex* index) const { return index && (*this)[index->height] == index; }
    BlockIndex* Next(const BlockIndex* index) const { return Contains(index) ? (*this)[index->height + 1] : nullptr; }
    /** Height of the tip, -1 if empty. */
    int Height() const { return static_cast<int>(m_chain.size()) - 1; }
    /** Makes tip the end of this chain (nullptr clears it). */
    void SetTip(BlockIndex* tip);
    /** The last block of this chain that is an ancestor of index (or index itself). */
    const BlockIndex* FindFork(const BlockIndex* index) const;
    /** Block locator from index (default tip): dense for 10 entries, then exponentially sparser, then genesis. */
    std::vector<consensus::Uint256> GetLocator(const BlockIndex* index = nullptr) const;

private:
    std::vector<BlockIndex*> m_chain;
};

} // namespace node::chain
