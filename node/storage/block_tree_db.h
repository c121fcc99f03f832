// The block index on disk (LevelDB at <datadir>/blocks/index): one record per known
// header with its height, status, transaction count and file positions, plus the flat
// file bookkeeping and a few flags (reindexing, txindex). Written in atomic batches.
#pragma once

#include "consensus/primitives/block.h"
#include "node/storage/block_store.h"
#include "node/storage/read_status.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leveldb {
class Cache;
class DB;
class Env;
class FilterPolicy;
} // namespace leveldb

namespace node {

/** What the database stores for one block index entry. */
struct DiskBlockIndex {
    consensus::BlockHeader header;
    int height{0};
    uint32_t status{0}; // BlockStatus bits, owned by the chain code
    uint32_t n_tx{0};
    FlatFilePos data_pos; // block bytes in blkNNNNN.dat (null if not stored)
    FlatFilePos undo_pos; // undo bytes in revNNNNN.dat (null if none)

    template <typename W>
    void Serialize(W& w) const;
    static DiskBlockIndex Deserialize(consensus::ByteReader& r);
};

/**
 * LevelDB store of the block index. Thread contract: writes from any thread (LevelDB
 * serializes them; the chainstate writes index batches from the validation thread or
 * its index flusher, one at a time); LoadBlockIndex at startup before other threads run.
 */
class BlockTreeDB {
public:
    /**
     * Opens (creating if needed) the index in dir; on failure sets error and IsOpen() is
     * false. env: LevelDB's file system (nullptr: the default; tests inject faults).
     */
    BlockTreeDB(const std::filesystem::path& dir, size_t cache_bytes, bool wipe, std::string& error,
                leveldb::Env* env = nullptr);
    ~BlockTreeDB();
    bool IsOpen() const { return m_db != nullptr; }

    /** One atomic synced write of file infos (by file number), the last file number, and index entries. */
    bool WriteBatch(const std::vector<std::pair<int, BlockFileInfo>>& files, int last_file,
                    const std::vector<DiskBlockIndex>& entries);
    /** Calls fn for every stored entry (order unspecified). False on a corrupt record or a failed read. */
    bool LoadBlockIndex(const std::function<void(const DiskBlockIndex&)>& fn) const;
    /** File bookkeeping as stored: infos indexed by file number, and the last file (or -1 if none). False on a failed read or a corrupt record. */
    bool ReadFileInfo(std::vector<BlockFileInfo>& infos, int& last_file) const;

    /** Sets or clears the "-reindex in progress" record (synced). False on I/O failure. */
    bool WriteReindexing(bool reindexing);
    /** FOUND while a -reindex is unfinished, ABSENT if not, FAILED (logged) if unreadable. */
    ReadStatus ReadReindexing() const;
    /** Stores a named boolean flag (Core's 'F' records). False on I/O failure. */
    bool WriteFlag(const std::string& name, bool value);
    /** Reads a named flag into value: FOUND, ABSENT, or FAILED (logged; also a malformed record). */
    ReadStatus ReadFlag(const std::string& name, bool& value) const;

private:
    // Declared before m_db so they outlive it.
    std::unique_ptr<leveldb::Cache> m_block_cache;
    std::unique_ptr<const leveldb::FilterPolicy> m_filter;
    std::unique_ptr<leveldb::DB> m_db;
};

template <typename W>
void DiskBlockIndex::Serialize(W& w) const
{
    header.Serialize(w);
    consensus::WriteLE32(w, static_cast<uint32_t>(height));
    consensus::WriteLE32(w, status);
    consensus::WriteLE32(w, n_tx);
    consensus::WriteLE32(w, static_cast<uint32_t>(data_pos.file));
    consensus::WriteLE32(w, data_pos.pos);
    consensus::WriteLE32(w, static_cast<uint32_t>(undo_pos.file));
    consensus::WriteLE32(w, undo_pos.pos);
}

} // namespace node
