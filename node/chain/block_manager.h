// BlockManager (Core's node::BlockManager): the block storage side of the chainstate. It owns
// the block index (one BlockIndex per known header), the entries changed since they were last
// written (the dirty set), the block and undo files (BlockStore), the block index database
// (BlockTreeDB), loading the index at startup and the index flusher thread that writes it back.
// It decides nothing about chains: which chain is active, the candidates, the best header and
// the coins are the chainstate's (Chainstate::Impl, chainstate_impl.h), its one user.
#pragma once

#include "node/chain/block_index.h"
#include "node/storage/block_store.h"
#include "node/storage/block_tree_db.h"

#include "util/sync.h"

#include <array>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace leveldb {
class Env;
}

namespace node::chain {

/** Orders candidate tips: most work first, then first received, then address. */
struct CandidateOrder {
    bool operator()(const BlockIndex* a, const BlockIndex* b) const
    {
        if (a->chain_work != b->chain_work) return a->chain_work > b->chain_work;
        if (a->sequence_id != b->sequence_id) return a->sequence_id < b->sequence_id;
        return a > b;
    }
};

/**
 * The block index and the files behind it. Thread contract: one writer, the chainstate's
 * validation owner, which calls every non-const method under its own lock (the analysis
 * checks that at the chainstate: its BlockManager member is GUARDED_BY that lock). Readers
 * use the const methods without it: Lookup and Index() with the readers' lock (the view
 * mutex passed in) held shared; the block/undo reads, BlockFilesSize and the flusher's
 * state with no lock. An insertion is published under the view mutex held exclusively, so a
 * reader never sees a half-built entry; an entry is never removed while the manager lives.
 */
class BlockManager {
public:
    using IndexMap = std::unordered_map<consensus::Uint256, std::unique_ptr<BlockIndex>>;

    /**
     * view_mutex: the readers' lock insertions are published under (it must outlive this).
     * on_index_write_failure: called after an index flush failed (on the thread that ran it,
     * the flusher's or the writer's); every later flush fails too.
     */
    BlockManager(util::SharedMutex& view_mutex, std::function<void()> on_index_write_failure);
    /** Stops the index flusher (a job it holds is finished first). */
    ~BlockManager();
    BlockManager(const BlockManager&) = delete;
    BlockManager& operator=(const BlockManager&) = delete;

    /**
     * Opens the index database in blocks_dir/index (wiped if wipe: -reindex) and the block
     * files in blocks_dir. env: LevelDB's file system (nullptr: the default). False with error
     * set (the database's reason) if the index cannot be opened.
     */
    bool Open(const std::filesystem::path& blocks_dir, const std::array<uint8_t, 4>& magic, size_t index_cache_bytes,
              bool wipe, leveldb::Env* env, std::string& error);

    enum class LoadResult {
        OK,
        FAILED,       // error says why and what to do (-reindex)
        STORAGE_ERROR // a read failed or a record is corrupt: error says what; a fatal storage error
    };
    /**
     * Loads the index database: every entry (in height order into loaded, with its status,
     * transaction count and positions; a valid child of a failed block marked failed), the
     * block file bookkeeping, and the reindexing flag (set: a -reindex did not finish, FAILED).
     * The chain-level state (transaction counts along the chain, best header) is the caller's.
     */
    LoadResult LoadBlockIndex(std::vector<BlockIndex*>& loaded, std::string& error);
    /** Sets or clears the "-reindex in progress" flag (synced); false on a failed write. */
    bool WriteReindexing(bool reindexing);

    /** The entry for hash, or nullptr. The writer, or a reader holding the view mutex shared. */
    BlockIndex* Lookup(const consensus::Uint256& hash) const;
    /**
     * The entry for header, added (with its work, skip pointer and BLOCK_VALID_TREE, and
     * marked dirty) if new; best_header moves to a new entry that sorts before it
     * (CandidateOrder), under the same exclusive hold of the view mutex (Core's AddToBlockIndex).
     */
    BlockIndex* AddToIndex(const consensus::BlockHeader& header, BlockIndex*& best_header) EXCLUDES(m_view_mutex);
    /** Every entry, to walk. The writer, or a reader holding the view mutex shared. */
    const IndexMap& Index() const { return m_index; }
    /** The entry changed (status, positions): the next index flush writes it. */
    void MarkDirty(BlockIndex* index);

    // ---- block and undo files (BlockStore: reads take no lock, from any thread)
    std::optional<FlatFilePos> WriteBlock(const consensus::Block& block, uint32_t height);
    std::optional<FlatFilePos> WriteUndo(const BlockUndo& undo, int block_file, const consensus::Uint256& prev_hash);
    /** -reindex: a block already in its blk file counts in that file's info (BlockStore::NoteKnownBlock). */
    void NoteKnownBlock(const FlatFilePos& pos, uint32_t size, uint32_t height, uint64_t time);
    /** The stored block of index, if it has data and the bytes there hash to it. */
    std::optional<consensus::Block> ReadBlock(const BlockIndex* index) const;
    std::optional<consensus::Block> ReadBlock(const FlatFilePos& pos) const;
    std::optional<std::vector<uint8_t>> ReadRawBlock(const FlatFilePos& pos) const;
    std::optional<BlockUndo> ReadUndo(const FlatFilePos& pos, const consensus::Uint256& prev_hash) const;
    std::filesystem::path BlockFilePath(int file) const;
    /** Bytes used in the blk and rev files. */
    uint64_t BlockFilesSize() const;

    // ---- writing the index back. Block and undo bytes reach the disk before the entries
    // that point at them. The flusher thread makes a periodic flush durable while validation
    // goes on; at most one job runs, and every synchronous flush first waits for it, so index
    // writes never reorder. A failed flush is sticky: every later one fails.
    /** Synchronous flush of the files and every dirty entry; false if it (or an earlier one) failed. */
    bool FlushIndexLocked();
    /**
     * Hands the dirty entries and unsynced files to the flusher. busy: a job still runs, so
     * nothing was taken (they stay dirty for the next try). False if an earlier flush failed.
     */
    bool StartIndexFlushLocked(bool& busy);
    /** Waits until no background flush is pending or running; false if one failed. Any thread. */
    bool WaitForIndexFlush() const EXCLUDES(m_flush_mutex);
    /** Background flushes that completed successfully. Any thread. */
    size_t BackgroundIndexFlushes() const EXCLUDES(m_flush_mutex);
    /** Stops the flusher thread (called by the destructor; later flushes run synchronously only). */
    void StopFlusher() EXCLUDES(m_flush_mutex);

private:
    /** The block index entries and block files to make durable in one step. */
    struct IndexFlushJob {
        BlockStore::UnsyncedFiles files_to_sync;
        std::vector<std::pair<int, BlockFileInfo>> file_infos;
        int last_file{0};
        std::vector<DiskBlockIndex> entries;
        bool Empty() const { return files_to_sync.Empty() && file_infos.empty() && entries.empty(); }
    };
    /** Collects the dirty index entries and unsynced files (clearing both). */
    IndexFlushJob MakeIndexFlushJobLocked();
    /** Block and undo bytes first, then the index entries that point at them. */
    bool RunIndexFlushJob(const IndexFlushJob& job);
    void FlusherLoop() EXCLUDES(m_flush_mutex);

    util::SharedMutex& m_view_mutex;
    const std::function<void()> m_on_index_write_failure;

    IndexMap m_index; // structure: changes under m_view_mutex (exclusive)
    std::set<BlockIndex*> m_dirty;
    std::unique_ptr<BlockStore> m_blocks;
    std::unique_ptr<BlockTreeDB> m_tree;

    // The index flusher. Lock order: the chainstate's owner lock, then m_flush_mutex.
    mutable util::Mutex m_flush_mutex;
    mutable std::condition_variable m_flush_cv;
    std::optional<IndexFlushJob> m_flush_job GUARDED_BY(m_flush_mutex); // handed over, not yet started
    bool m_flush_running GUARDED_BY(m_flush_mutex){false};
    bool m_flusher_stop GUARDED_BY(m_flush_mutex){false};
    bool m_flush_failed GUARDED_BY(m_flush_mutex){false};     // sticky
    size_t m_background_flushes GUARDED_BY(m_flush_mutex){0}; // completed successfully
    /** Started by the writer's first background flush, joined by StopFlusher. */
    std::thread m_flusher;
};

} // namespace node::chain
