// Blocks and undo data in append-only flat files with Bitcoin Core's layout:
// blocks/blkNNNNN.dat holds records of (network magic, LE32 length, block) and
// blocks/revNNNNN.dat holds (magic, LE32 length, block undo, 32-byte checksum =
// double SHA-256 of the previous block's hash and the undo data). Files reach at most
// 128 MiB; the undo data of a block goes to the rev file with the blk file's number.
#pragma once

#include "consensus/primitives/block.h"
#include "node/storage/undo.h"
#include "util/sync.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace node {

/** A position in a numbered flat file: where a record's payload (after magic and length) starts. */
struct FlatFilePos {
    int file{-1};
    uint32_t pos{0};
    bool IsNull() const { return file < 0; }
    bool operator==(const FlatFilePos&) const = default;
};

/** What is in one blk file: counts, sizes and the height/time ranges of its blocks. */
struct BlockFileInfo {
    uint32_t blocks{0};
    uint32_t size{0};      // bytes used in blkNNNNN.dat
    uint32_t undo_size{0}; // bytes used in revNNNNN.dat
    uint32_t height_first{0};
    uint32_t height_last{0};
    uint64_t time_first{0};
    uint64_t time_last{0};
    void AddBlock(uint32_t height, uint64_t time);

    template <typename W>
    void Serialize(W& w) const;
    static BlockFileInfo Deserialize(consensus::ByteReader& r);
};

/**
 * The flat-file store. Thread contract: all methods are safe from any thread (an
 * internal mutex serializes writes and bookkeeping; reads use pread and take no lock). Failures return nullopt/false with a logged
 * reason; the caller treats a failed write as a fatal error (stop the node).
 */
class BlockStore {
public:
    static constexpr uint32_t MAX_BLOCKFILE_SIZE = 0x8000000; // 128 MiB

    /** dir is <datadir>/blocks (created if missing). max_file_size is for tests; blk files roll over past it. */
    BlockStore(std::filesystem::path dir, std::array<uint8_t, 4> magic, uint32_t max_file_size = MAX_BLOCKFILE_SIZE);

    /** Restores the file bookkeeping (from the block index database) at startup. */
    void LoadFileInfo(std::vector<BlockFileInfo> infos, int last_file) EXCLUDES(m_mutex);
    /** Current bookkeeping, to persist with the block index. */
    std::vector<BlockFileInfo> GetFileInfo() const EXCLUDES(m_mutex);
    int LastFile() const EXCLUDES(m_mutex);
    /** File numbers whose info changed since the last call (then cleared). */
    std::vector<int> TakeDirtyFiles() EXCLUDES(m_mutex);

    /**
     * Records a block that is already in blk<pos.file>.dat (-reindex): the file's info
     * counts it and grows to cover its record, and new blocks go after the last such file.
     * size is the block's serialized size.
     */
    void NoteKnownBlock(const FlatFilePos& pos, uint32_t size, uint32_t height, uint64_t time) EXCLUDES(m_mutex);
    /** Appends a block record; returns the position of the block bytes. */
    std::optional<FlatFilePos> WriteBlock(const consensus::Block& block, uint32_t height) EXCLUDES(m_mutex);
    /** Reads and decodes the block at pos, checking the record's magic and length. */
    std::optional<consensus::Block> ReadBlock(const FlatFilePos& pos) const;
    /** Reads the raw serialized block at pos. */
    std::optional<std::vector<uint8_t>> ReadRawBlock(const FlatFilePos& pos) const;
    /** Decodes the transaction tx_offset bytes into the block at block_pos (txindex lookups). */
    std::optional<consensus::Transaction> ReadTransaction(const FlatFilePos& block_pos, uint32_t tx_offset) const;

    /** Appends undo data to rev<block_file>.dat; prev_hash keys the checksum. */
    std::optional<FlatFilePos> WriteUndo(const BlockUndo& undo, int block_file, const consensus::Uint256& prev_hash)
        EXCLUDES(m_mutex);
    /** Reads undo data and verifies its checksum. */
    std::optional<BlockUndo> ReadUndo(const FlatFilePos& pos, const consensus::Uint256& prev_hash) const;

    /** fsyncs the current blk and rev files (call before committing index/coins that refer to them). */
    bool Flush() EXCLUDES(m_mutex);

    /** Files written since they were last synced (taken by TakeUnsynced). */
    struct UnsyncedFiles {
        std::vector<int> blk, rev;
        bool Empty() const { return blk.empty() && rev.empty(); }
    };
    /** The files written since the last Flush() or TakeUnsynced(); they count as synced from now. */
    UnsyncedFiles TakeUnsynced() EXCLUDES(m_mutex);
    /**
     * fsyncs those files (and the directory, for new entries). Takes no lock, so another
     * thread can sync while blocks are being written (data written after the files were
     * taken may be synced too, which is harmless). False on failure (logged).
     */
    bool SyncFiles(const UnsyncedFiles& files) const;

    std::filesystem::path BlockFilePath(int file) const;
    std::filesystem::path UndoFilePath(int file) const;

private:
    mutable util::Mutex m_mutex;
    std::filesystem::path m_dir;
    std::array<uint8_t, 4> m_magic;
    std::vector<BlockFileInfo> m_files GUARDED_BY(m_mutex);
    int m_last_file GUARDED_BY(m_mutex){0};
    std::vector<bool> m_dirty GUARDED_BY(m_mutex);
    uint32_t m_max_file_size;
    std::vector<int> m_unsynced_blk GUARDED_BY(m_mutex); // files written since the last Flush()
    std::vector<int> m_unsynced_rev GUARDED_BY(m_mutex);
};

template <typename W>
void BlockFileInfo::Serialize(W& w) const
{
    consensus::WriteLE32(w, blocks);
    consensus::WriteLE32(w, size);
    consensus::WriteLE32(w, undo_size);
    consensus::WriteLE32(w, height_first);
    consensus::WriteLE32(w, height_last);
    consensus::WriteLE64(w, time_first);
    consensus::WriteLE64(w, time_last);
}

} // namespace node
