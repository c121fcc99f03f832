// The optional transaction index (-txindex): where each transaction of the blocks indexed
// so far lives on disk (entries of disconnected blocks stay, as in Core), as the position of its block's record plus the byte offset of the
// transaction inside the block. LevelDB at <datadir>/indexes/txindex.
#pragma once

#include "consensus/primitives/block.h"
#include "consensus/uint256.h"
#include "node/storage/block_store.h"
#include "node/storage/read_status.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leveldb {
class Cache;
class DB;
class FilterPolicy;
} // namespace leveldb

namespace node {

/**
 * The index's best block as a locator: its hash, then ancestors' (dense at first, then
 * exponentially sparser, down to genesis), as Core's CBlockLocator. The index is written
 * per block while the block index is synced about once a second, so after a crash the
 * newest entries may be unknown: the first known one is where indexing resumes.
 */
using BlockLocator = std::vector<consensus::Uint256>;

/** Where one transaction is: its block's record and the offset of the tx within the block bytes. */
struct TxIndexEntry {
    FlatFilePos block_pos;
    uint32_t tx_offset{0};
    bool operator==(const TxIndexEntry&) const = default;
};

/**
 * LevelDB store of txid -> TxIndexEntry, with the hash of the block it is current to
 * written in the same batch. Writes are not fsynced: after a crash the index may lag the
 * chain (never run ahead of what it recorded as best) and is caught up from GetBestLocator().
 * Thread contract: Find/GetBestBlock from any thread; writes from one thread (validation
 * or the index's own worker).
 */
class TxIndex {
public:
    TxIndex();
    ~TxIndex();
    TxIndex(const TxIndex&) = delete;
    TxIndex& operator=(const TxIndex&) = delete;

    /** Opens (creating if needed; wiping first if wipe) the index in dir. False with error set on failure. */
    bool Open(const std::filesystem::path& dir, bool wipe, std::string& error, size_t cache_bytes = 8 << 20);
    bool IsOpen() const { return m_db != nullptr; }

    /** Records every transaction of block (stored at block_pos) and makes best (the block's locator) the best block. False on I/O error. */
    bool WriteBlock(const consensus::Block& block, const FlatFilePos& block_pos, const BlockLocator& best);
    /** Forgets block's transactions (it was disconnected) and makes its parent the best block. False on I/O error. */
    bool EraseBlock(const consensus::Block& block);
    /**
     * Where txid is: FOUND (entry set), ABSENT (not indexed) or FAILED (a read error or a
     * corrupt record, logged). A failure is not "not found": getrawtransaction reports it.
     */
    ReadStatus Find(const consensus::Uint256& txid, TxIndexEntry& entry) const;

    /**
     * Locator of the last block indexed (empty if none, or on a read error, logged: the index
     * is then rebuilt from the genesis block; a record of the older format, one hash, reads as one entry).
     */
    BlockLocator GetBestLocator() const;
    /** Sets the best block alone (e.g. a rewind after a reorg). False on I/O error. */
    bool SetBestLocator(const BlockLocator& best);
    /** Sets the best block with a synced write (shutdown: everything before it is durable too). False on I/O error. */
    bool Commit(const BlockLocator& best);

private:
    // Declared before m_db so they outlive it.
    std::unique_ptr<leveldb::Cache> m_block_cache;
    std::unique_ptr<const leveldb::FilterPolicy> m_filter;
    std::unique_ptr<leveldb::DB> m_db;
};

} // namespace node
