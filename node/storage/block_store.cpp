// BlockStore: append-only blk/rev flat files. Records are written with pwrite at the
// offset the bookkeeping says is free (so a torn record left by a crash is simply
// overwritten), and read with pread after checking magic, length and file size, so a
// corrupt length never causes a large allocation.
#include "node/storage/block_store.h"

#include "consensus/hash.h"
#include "consensus/limits.h"
#include "node/storage/leveldb_util.h"
#include "util/fs_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace node {

namespace {

constexpr uint32_t RECORD_HEADER_SIZE = 8; // magic + LE32 length
constexpr uint32_t CHECKSUM_SIZE = 32;

void Log(const std::string& what) { storage_detail::LogError(what); }

/** Owns a POSIX file descriptor. */
class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd()
    {
        if (m_fd >= 0) ::close(m_fd);
    }
    int Get() const { return m_fd; }
    bool Ok() const { return m_fd >= 0; }
    /** Closes and reports whether close succeeded (it may report delayed write errors). */
    bool Close()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd < 0 || ::close(fd) == 0;
    }

private:
    int m_fd;
};

bool PwriteAll(int fd, std::span<const uint8_t> data, uint64_t offset)
{
    while (!data.empty()) {
        const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data = data.subspan(static_cast<size_t>(n));
        offset += static_cast<uint64_t>(n);
    }
    return true;
}

bool PreadAll(int fd, std::span<uint8_t> out, uint64_t offset)
{
    while (!out.empty()) {
        const ssize_t n = ::pread(fd, out.data(), out.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) return false; // end of file
        out = out.subspan(static_cast<size_t>(n));
        offset += static_cast<uint64_t>(n);
    }
    return true;
}

/** Writes magic, LE32 length of payload, payload and trailer at offset of path (created if missing). */
bool WriteRecord(const std::filesystem::path& path, const std::array<uint8_t, 4>& magic, uint64_t offset,
                 std::span<const uint8_t> payload, std::span<const uint8_t> trailer)
{
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    if (!fd.Ok()) {
        Log("cannot open " + path.string() + " for writing: " + std::strerror(errno));
        return false;
    }
    std::vector<uint8_t> header(magic.begin(), magic.end());
    consensus::ByteWriter w(header);
    consensus::WriteLE32(w, static_cast<uint32_t>(payload.size()));
    if (!PwriteAll(fd.Get(), header, offset) || !PwriteAll(fd.Get(), payload, offset + RECORD_HEADER_SIZE) ||
        !PwriteAll(fd.Get(), trailer, offset + RECORD_HEADER_SIZE + payload.size())) {
        Log("write to " + path.string() + " failed: " + std::strerror(errno));
        return false;
    }
    // No writeback is started here (sync_file_range, as until 5807a40): submitting the I/O cost
    // the validation owner ~40 us a record, ~5% of an initial sync, while the fsync it shortened
    // now runs on the index flusher thread (docs/benchmarks.md, "Initial sync from peers").
    if (!fd.Close()) {
        Log("write to " + path.string() + " failed: " + std::strerror(errno));
        return false;
    }
    return true;
}

/**
 * Opens path and validates the record whose payload starts at pos: magic, a length of at
 * most max_len, and payload plus trailer_size bytes present in the file. Returns the
 * payload length, or nullopt (logged).
 */
std::optional<uint32_t> OpenRecord(const std::filesystem::path& path, const std::array<uint8_t, 4>& magic, uint32_t pos,
                                   uint32_t max_len, uint32_t trailer_size, Fd& fd)
{
    if (pos < RECORD_HEADER_SIZE) {
        Log("bad record position in " + path.string());
        return std::nullopt;
    }
    if (!fd.Ok()) {
        Log("cannot open " + path.string() + ": " + std::strerror(errno));
        return std::nullopt;
    }
    uint8_t header[RECORD_HEADER_SIZE];
    if (!PreadAll(fd.Get(), header, pos - RECORD_HEADER_SIZE)) {
        Log("cannot read record header in " + path.string());
        return std::nullopt;
    }
    if (!std::equal(magic.begin(), magic.end(), header)) {
        Log("record magic mismatch in " + path.string() + " at " + std::to_string(pos));
        return std::nullopt;
    }
    const uint32_t len =
        uint32_t(header[4]) | uint32_t(header[5]) << 8 | uint32_t(header[6]) << 16 | uint32_t(header[7]) << 24;
    if (len > max_len) {
        Log("record length " + std::to_string(len) + " too large in " + path.string());
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd.Get(), &st) != 0 || static_cast<uint64_t>(st.st_size) < uint64_t{pos} + len + trailer_size) {
        Log("record truncated in " + path.string() + " at " + std::to_string(pos));
        return std::nullopt;
    }
    return len;
}

std::optional<std::vector<uint8_t>> ReadPayload(const Fd& fd, uint64_t offset, uint32_t len)
{
    std::vector<uint8_t> out(len);
    if (!PreadAll(fd.Get(), out, offset)) return std::nullopt;
    return out;
}

/** Flushes a file or folder to disk; a failure is logged and returns false. */
bool SyncPath(const std::filesystem::path& path)
{
    std::string error;
    if (util::FsyncPath(path, error)) return true;
    Log(error);
    return false;
}

/** Adds file to a list of files written since their last sync, once. */
void NoteUnsynced(std::vector<int>& files, int file)
{
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
}

std::filesystem::path NumberedFile(const std::filesystem::path& dir, const char* prefix, int file)
{
    char name[32];
    std::snprintf(name, sizeof(name), "%s%05d.dat", prefix, file);
    return dir / name;
}

} // namespace

void BlockFileInfo::AddBlock(uint32_t height, uint64_t time)
{
    if (blocks == 0 || height_first > height) height_first = height;
    if (blocks == 0 || time_first > time) time_first = time;
    ++blocks;
    if (height > height_last) height_last = height;
    if (time > time_last) time_last = time;
}

BlockFileInfo BlockFileInfo::Deserialize(consensus::ByteReader& r)
{
    BlockFileInfo info;
    info.blocks = consensus::ReadLE32(r);
    info.size = consensus::ReadLE32(r);
    info.undo_size = consensus::ReadLE32(r);
    info.height_first = consensus::ReadLE32(r);
    info.height_last = consensus::ReadLE32(r);
    info.time_first = consensus::ReadLE64(r);
    info.time_last = consensus::ReadLE64(r);
    return info;
}

BlockStore::BlockStore(std::filesystem::path dir, std::array<uint8_t, 4> magic, uint32_t max_file_size)
    : m_dir(std::move(dir)), m_magic(magic), m_files(1), m_dirty(1, false), m_max_file_size(max_file_size)
{
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    if (ec) Log("cannot create " + m_dir.string() + ": " + ec.message());
}

void BlockStore::LoadFileInfo(std::vector<BlockFileInfo> infos, int last_file)
{
    util::LockGuard lock(m_mutex);
    m_files = std::move(infos);
    m_last_file = std::max(last_file, 0);
    if (m_files.size() <= static_cast<size_t>(m_last_file)) m_files.resize(m_last_file + 1);
    m_dirty.assign(m_files.size(), false);
}

std::vector<BlockFileInfo> BlockStore::GetFileInfo() const
{
    util::LockGuard lock(m_mutex);
    return m_files;
}

int BlockStore::LastFile() const
{
    util::LockGuard lock(m_mutex);
    return m_last_file;
}

std::vector<int> BlockStore::TakeDirtyFiles()
{
    util::LockGuard lock(m_mutex);
    std::vector<int> out;
    for (size_t i = 0; i < m_dirty.size(); ++i) {
        if (m_dirty[i]) out.push_back(static_cast<int>(i));
        m_dirty[i] = false;
    }
    return out;
}

void BlockStore::NoteKnownBlock(const FlatFilePos& pos, uint32_t size, uint32_t height, uint64_t time)
{
    if (pos.IsNull()) return;
    util::LockGuard lock(m_mutex);
    const auto file = static_cast<size_t>(pos.file);
    if (m_files.size() <= file) {
        m_files.resize(file + 1);
        m_dirty.resize(file + 1, false);
    }
    m_files[file].size = std::max<uint32_t>(m_files[file].size, pos.pos + size);
    m_files[file].AddBlock(height, time);
    m_dirty[file] = true;
    m_last_file = std::max(m_last_file, pos.file);
}

std::optional<FlatFilePos> BlockStore::WriteBlock(const consensus::Block& block, uint32_t height)
{
    const std::vector<uint8_t> bytes = consensus::SerializeToBytes(block);
    const uint64_t add = RECORD_HEADER_SIZE + bytes.size();
    util::LockGuard lock(m_mutex);
    int file = m_last_file;
    // Roll over while the record would not fit; an empty file takes any block.
    while (m_files[file].size > 0 && m_files[file].size + add >= m_max_file_size) {
        ++file;
        if (m_files.size() <= static_cast<size_t>(file)) {
            m_files.resize(file + 1);
            m_dirty.resize(file + 1, false);
        }
    }
    const uint32_t offset = m_files[file].size;
    if (!WriteRecord(BlockFilePath(file), m_magic, offset, bytes, {})) return std::nullopt;
    // Only now, with the whole record written, does the space count as used.
    m_last_file = file;
    m_files[file].size = static_cast<uint32_t>(offset + add);
    m_files[file].AddBlock(height, block.time);
    m_dirty[file] = true;
    NoteUnsynced(m_unsynced_blk, file);
    return FlatFilePos{file, offset + RECORD_HEADER_SIZE};
}

std::optional<std::vector<uint8_t>> BlockStore::ReadRawBlock(const FlatFilePos& pos) const
{
    if (pos.IsNull()) return std::nullopt;
    const auto path = BlockFilePath(pos.file);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    const auto len = OpenRecord(path, m_magic, pos.pos, consensus::MAX_BLOCK_SERIALIZED_SIZE, 0, fd);
    if (!len) return std::nullopt;
    auto bytes = ReadPayload(fd, pos.pos, *len);
    if (!bytes) Log("cannot read block at " + std::to_string(pos.pos) + " in " + path.string());
    return bytes;
}

std::optional<consensus::Block> BlockStore::ReadBlock(const FlatFilePos& pos) const
{
    const auto bytes = ReadRawBlock(pos);
    if (!bytes) return std::nullopt;
    try {
        consensus::ByteReader r(*bytes);
        consensus::Block block = consensus::Block::Deserialize(r);
        if (!r.Empty()) throw consensus::DecodeError("trailing bytes after block");
        return block;
    } catch (const consensus::DecodeError& e) {
        Log("corrupt block in " + BlockFilePath(pos.file).string() + " at " + std::to_string(pos.pos) + ": " +
            e.what());
        return std::nullopt;
    }
}

std::optional<consensus::Transaction> BlockStore::ReadTransaction(const FlatFilePos& block_pos,
                                                                  uint32_t tx_offset) const
{
    if (block_pos.IsNull()) return std::nullopt;
    const auto path = BlockFilePath(block_pos.file);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    const auto len = OpenRecord(path, m_magic, block_pos.pos, consensus::MAX_BLOCK_SERIALIZED_SIZE, 0, fd);
    if (!len) return std::nullopt;
    if (tx_offset < consensus::BlockHeader::SIZE || tx_offset >= *len) {
        Log("transaction offset outside its block in " + path.string());
        return std::nullopt;
    }
    const auto bytes = ReadPayload(fd, uint64_t{block_pos.pos} + tx_offset, *len - tx_offset);
    if (!bytes) return std::nullopt;
    try {
        consensus::ByteReader r(*bytes);
        return consensus::Transaction::Deserialize(r);
    } catch (const consensus::DecodeError& e) {
        Log("corrupt transaction in " + path.string() + ": " + e.what());
        return std::nullopt;
    }
}

std::optional<FlatFilePos> BlockStore::WriteUndo(const BlockUndo& undo, int block_file,
                                                 const consensus::Uint256& prev_hash)
{
    const std::vector<uint8_t> bytes = consensus::SerializeToBytes(undo);
    consensus::HashWriter hasher;
    hasher.Write(prev_hash.Span());
    hasher.Write(bytes);
    const consensus::Uint256 checksum = hasher.GetHash();
    util::LockGuard lock(m_mutex);
    if (block_file < 0 || static_cast<size_t>(block_file) >= m_files.size()) {
        Log("undo for unknown block file " + std::to_string(block_file));
        return std::nullopt;
    }
    const uint32_t offset = m_files[block_file].undo_size;
    if (!WriteRecord(UndoFilePath(block_file), m_magic, offset, bytes, checksum.Span())) return std::nullopt;
    m_files[block_file].undo_size = static_cast<uint32_t>(offset + RECORD_HEADER_SIZE + bytes.size() + CHECKSUM_SIZE);
    m_dirty[block_file] = true;
    NoteUnsynced(m_unsynced_rev, block_file);
    return FlatFilePos{block_file, offset + RECORD_HEADER_SIZE};
}

std::optional<BlockUndo> BlockStore::ReadUndo(const FlatFilePos& pos, const consensus::Uint256& prev_hash) const
{
    if (pos.IsNull()) return std::nullopt;
    const auto path = UndoFilePath(pos.file);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    const auto len = OpenRecord(path, m_magic, pos.pos, static_cast<uint32_t>(consensus::MAX_SIZE), CHECKSUM_SIZE, fd);
    if (!len) return std::nullopt;
    const auto bytes = ReadPayload(fd, pos.pos, *len + CHECKSUM_SIZE);
    if (!bytes) {
        Log("cannot read undo data in " + path.string());
        return std::nullopt;
    }
    const std::span<const uint8_t> data(bytes->data(), *len);
    consensus::HashWriter hasher;
    hasher.Write(prev_hash.Span());
    hasher.Write(data);
    const consensus::Uint256 expected = hasher.GetHash();
    if (!std::equal(expected.begin(), expected.end(), bytes->begin() + *len)) {
        Log("undo checksum mismatch in " + path.string() + " at " + std::to_string(pos.pos));
        return std::nullopt;
    }
    try {
        consensus::ByteReader r(data);
        BlockUndo undo = BlockUndo::Deserialize(r);
        if (!r.Empty()) throw consensus::DecodeError("trailing bytes after undo data");
        return undo;
    } catch (const consensus::DecodeError& e) {
        Log("corrupt undo data in " + path.string() + ": " + e.what());
        return std::nullopt;
    }
}

bool BlockStore::Flush()
{
    const UnsyncedFiles files = TakeUnsynced();
    if (SyncFiles(files)) return true;
    // Not synced after all: keep them for the next attempt.
    util::LockGuard lock(m_mutex);
    for (int f : files.blk) NoteUnsynced(m_unsynced_blk, f);
    for (int f : files.rev) NoteUnsynced(m_unsynced_rev, f);
    return false;
}

BlockStore::UnsyncedFiles BlockStore::TakeUnsynced()
{
    util::LockGuard lock(m_mutex);
    UnsyncedFiles files;
    files.blk.swap(m_unsynced_blk);
    files.rev.swap(m_unsynced_rev);
    return files;
}

bool BlockStore::SyncFiles(const UnsyncedFiles& files) const
{
    bool ok = true;
    for (int file : files.blk) ok = SyncPath(BlockFilePath(file)) && ok;
    for (int file : files.rev) ok = SyncPath(UndoFilePath(file)) && ok;
    // New files must also survive as directory entries.
    if (!files.Empty()) ok = SyncPath(m_dir) && ok;
    return ok;
}

std::filesystem::path BlockStore::BlockFilePath(int file) const { return NumberedFile(m_dir, "blk", file); }

std::filesystem::path BlockStore::UndoFilePath(int file) const { return NumberedFile(m_dir, "rev", file); }

} // namespace node
