// Reading Core-format block files (blk*.dat, bootstrap files): the record framing and the
// bookkeeping of blocks that arrive before their parent. Shared by -loadblock and -reindex
// (import.cpp) and driven directly by the fuzz target tests/fuzz/fuzz_block_file.cpp, so
// it depends on consensus only (no LevelDB, no chainstate).
#pragma once

#include "consensus/uint256.h"

#include <array>
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace node::chain {

/** One framed record read from a block file. */
struct BlockFileRecord {
    /** Offset of the payload (after magic and length) in the file. */
    uint64_t pos{0};
    std::vector<uint8_t> bytes;
};

/**
 * Reads (magic, LE32 length, payload) records from a stream as Core's
 * LoadExternalBlockFile does: it scans to the next magic, so zero padding and garbage
 * between records are skipped; a length below a block header (80) or above
 * MAX_BLOCK_SERIALIZED_SIZE is rejected before anything is allocated and the scan resumes
 * one byte after that magic. A record cut short by the end of the input is not returned
 * (Truncated() is set) and the scan resumes inside it, so a bogus length in garbage does
 * not hide the records after it. The payload is not decoded; a caller that finds it is
 * not a block calls Reject(). Not thread-safe; the stream must be seekable.
 */
class BlockFileReader {
public:
    BlockFileReader(std::istream& in, const std::array<uint8_t, 4>& magic);

    /** The next record, or nullopt at the end of the input. */
    std::optional<BlockFileRecord> Next();
    /**
     * Reads again the payload of a record that Next() returned at pos (its magic and
     * length are checked again); the scan continues where it was. nullopt if unreadable.
     */
    std::optional<std::vector<uint8_t>> ReadAt(uint64_t pos);
    /**
     * The record Next() just returned is not a block (it does not decode): the next scan
     * resumes one byte after its magic instead of after its payload.
     */
    void Reject();
    /** True if the input ended inside a record (its length promised more bytes than were left). */
    bool Truncated() const { return m_truncated; }

private:
    static constexpr size_t BUFFER_SIZE = 1 << 16;
    /** Position in the file of the next byte GetByte() returns. */
    uint64_t Pos() const { return m_buf_file_pos + m_buf_pos; }
    /** Next byte, or -1 at the end of the input. */
    int GetByte();
    /** Reads n bytes; false (with the position at the end of the input) if fewer remain. */
    bool ReadExact(uint8_t* out, size_t n);
    void Seek(uint64_t pos);
    bool Fill();

    std::istream& m_in;
    std::array<uint8_t, 4> m_magic;
    std::vector<uint8_t> m_buf;
    size_t m_buf_pos{0};
    size_t m_buf_end{0};
    uint64_t m_buf_file_pos{0};    // file offset of m_buf[0]
    uint64_t m_last_start{0};      // offset of the magic of the last record returned
    std::optional<uint64_t> m_end; // the input's size, once a read has hit its end
    bool m_truncated{false};
};

/** Where a block record's payload is: a file number (0 for a -loadblock file) and an offset. */
struct BlockRecordPos {
    int file{0};
    uint64_t pos{0};
    bool operator==(const BlockRecordPos&) const = default;
};

/**
 * Blocks read before their parent, keyed by the parent's hash (Core's
 * blocks_with_unknown_parent). Only positions are kept, so the blocks are read again when
 * the parent arrives and memory stays small; at most max_entries are kept. Not thread-safe.
 */
class BlocksWithUnknownParent {
public:
    /** About 120 bytes each: at most ~120 MiB. Real blk files need a few thousand. */
    static constexpr size_t DEFAULT_MAX_ENTRIES = 1u << 20;
    struct Entry {
        consensus::Uint256 hash;
        BlockRecordPos pos;
    };

    explicit BlocksWithUnknownParent(size_t max_entries = DEFAULT_MAX_ENTRIES) : m_max(max_entries) {}
    /**
     * Remembers block hash at pos until parent arrives. A block already waiting is kept
     * once (true). False, and nothing kept, when max_entries are already waiting.
     */
    bool Add(const consensus::Uint256& parent, const consensus::Uint256& hash, const BlockRecordPos& pos);
    /** Removes and returns the blocks waiting for parent, in the order they were added. */
    std::vector<Entry> TakeChildren(const consensus::Uint256& parent);
    size_t Size() const { return m_by_parent.size(); }
    /** The blocks still waiting, as (parent, entry), ordered by parent. */
    const std::multimap<consensus::Uint256, Entry>& Waiting() const { return m_by_parent; }

private:
    size_t m_max;
    std::multimap<consensus::Uint256, Entry> m_by_parent;
};

} // namespace node::chain
