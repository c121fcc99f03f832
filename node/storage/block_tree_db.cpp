// BlockTreeDB: the block index in LevelDB. Keys: 'b' + block hash -> DiskBlockIndex;
// 'f' + LE32 file -> BlockFileInfo; "l" -> LE32 last file; "R" present while
// reindexing; 'F' + name -> one byte flag.
#include "node/storage/block_tree_db.h"

#include "node/storage/leveldb_util.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

namespace node {

namespace {

constexpr char DB_BLOCK_INDEX = 'b';
constexpr char DB_FILE_INFO = 'f';
constexpr char DB_LAST_FILE[] = "l";
constexpr char DB_REINDEXING[] = "R";
constexpr char DB_FLAG = 'F';

std::string FileKey(int file)
{
    std::string key(1, DB_FILE_INFO);
    for (int i = 0; i < 4; ++i) key.push_back(static_cast<char>((static_cast<uint32_t>(file) >> (8 * i)) & 0xff));
    return key;
}

std::string BlockKey(const consensus::Uint256& hash)
{
    std::string key(1, DB_BLOCK_INDEX);
    key.append(reinterpret_cast<const char*>(hash.data()), 32);
    return key;
}

template <typename T>
std::string ToValue(const T& obj)
{
    const std::vector<uint8_t> bytes = consensus::SerializeToBytes(obj);
    return std::string(bytes.begin(), bytes.end());
}

std::span<const uint8_t> AsBytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

/** Decodes a whole value as T; nullopt if malformed or with trailing bytes. */
template <typename T>
std::optional<T> FromValue(std::string_view value)
{
    try {
        consensus::ByteReader r(AsBytes(value));
        T obj = T::Deserialize(r);
        if (!r.Empty()) return std::nullopt;
        return obj;
    } catch (const consensus::DecodeError&) {
        return std::nullopt;
    }
}

/** The "l" record: the number of the blk file being appended to. */
struct LastFileValue {
    int file{-1};
    static LastFileValue Deserialize(consensus::ByteReader& r) { return {static_cast<int>(consensus::ReadLE32(r))}; }
};

} // namespace

DiskBlockIndex DiskBlockIndex::Deserialize(consensus::ByteReader& r)
{
    DiskBlockIndex e;
    e.header = consensus::BlockHeader::Deserialize(r);
    e.height = static_cast<int>(consensus::ReadLE32(r));
    e.status = consensus::ReadLE32(r);
    e.n_tx = consensus::ReadLE32(r);
    e.data_pos.file = static_cast<int>(consensus::ReadLE32(r));
    e.data_pos.pos = consensus::ReadLE32(r);
    e.undo_pos.file = static_cast<int>(consensus::ReadLE32(r));
    e.undo_pos.pos = consensus::ReadLE32(r);
    return e;
}

BlockTreeDB::BlockTreeDB(const std::filesystem::path& dir, size_t cache_bytes, bool wipe, std::string& error,
                         leveldb::Env* env)
{
    storage_detail::OpenLevelDB(dir, cache_bytes, wipe, env, error, m_block_cache, m_filter, m_db);
}

BlockTreeDB::~BlockTreeDB() = default;

bool BlockTreeDB::WriteBatch(const std::vector<std::pair<int, BlockFileInfo>>& files, int last_file,
                             const std::vector<DiskBlockIndex>& entries)
{
    if (!m_db) return false;
    leveldb::WriteBatch batch;
    for (const auto& [file, info] : files) batch.Put(FileKey(file), ToValue(info));
    std::string last;
    for (int i = 0; i < 4; ++i) last.push_back(static_cast<char>((static_cast<uint32_t>(last_file) >> (8 * i)) & 0xff));
    batch.Put(DB_LAST_FILE, last);
    for (const auto& entry : entries) batch.Put(BlockKey(entry.header.GetHash()), ToValue(entry));
    return storage_detail::WriteBatchLogged(*m_db, batch, /*sync=*/true, "block index batch write");
}

bool BlockTreeDB::LoadBlockIndex(const std::function<void(const DiskBlockIndex&)>& fn) const
{
    if (!m_db) return false;
    std::unique_ptr<leveldb::Iterator> it(m_db->NewIterator(storage_detail::CheckedReadOptions(/*fill_cache=*/false)));
    for (it->Seek(leveldb::Slice(&DB_BLOCK_INDEX, 1)); it->Valid(); it->Next()) {
        const leveldb::Slice key = it->key();
        if (key.empty() || key[0] != DB_BLOCK_INDEX) break;
        const auto entry = FromValue<DiskBlockIndex>(std::string_view(it->value().data(), it->value().size()));
        if (key.size() != 33 || !entry ||
            std::string_view(key.data(), key.size()) != BlockKey(entry->header.GetHash())) {
            storage_detail::LogError("corrupt block index record");
            return false;
        }
        fn(*entry);
    }
    if (!it->status().ok()) {
        storage_detail::LogStatus("block index iteration", it->status());
        return false;
    }
    return true;
}

bool BlockTreeDB::ReadFileInfo(std::vector<BlockFileInfo>& infos, int& last_file) const
{
    infos.clear();
    last_file = -1;
    if (!m_db) return false;
    std::string last;
    switch (storage_detail::ReadChecked(*m_db, DB_LAST_FILE, "block index last file read", last)) {
    case ReadStatus::FAILED: return false;
    case ReadStatus::ABSENT: return true; // a fresh database
    case ReadStatus::FOUND: break;
    }
    const auto value = FromValue<LastFileValue>(last);
    if (!value || value->file < 0) {
        storage_detail::LogError("corrupt last-file record");
        return false;
    }
    // Every file up to the last one must be there; later ones (none expected) are read too.
    for (int file = 0;; ++file) {
        std::string raw;
        const ReadStatus status = storage_detail::ReadChecked(*m_db, FileKey(file), "block file info read", raw);
        if (status == ReadStatus::FAILED) return false;
        if (status == ReadStatus::ABSENT) {
            if (file <= value->file) {
                storage_detail::LogError("missing info for block file " + std::to_string(file));
                return false;
            }
            break;
        }
        const auto info = FromValue<BlockFileInfo>(raw);
        if (!info) {
            storage_detail::LogError("corrupt info for block file " + std::to_string(file));
            return false;
        }
        infos.push_back(*info);
    }
    last_file = value->file;
    return true;
}

bool BlockTreeDB::WriteReindexing(bool reindexing)
{
    if (!m_db) return false;
    leveldb::WriteBatch batch;
    if (reindexing) {
        batch.Put(DB_REINDEXING, "1");
    } else {
        batch.Delete(DB_REINDEXING);
    }
    return storage_detail::WriteBatchLogged(*m_db, batch, /*sync=*/true, "reindexing flag write");
}

ReadStatus BlockTreeDB::ReadReindexing() const
{
    if (!m_db) return ReadStatus::FAILED;
    std::string value;
    return storage_detail::ReadChecked(*m_db, DB_REINDEXING, "reindexing flag read", value);
}

bool BlockTreeDB::WriteFlag(const std::string& name, bool value)
{
    if (!m_db) return false;
    leveldb::WriteBatch batch;
    batch.Put(std::string(1, DB_FLAG) + name, value ? std::string(1, '1') : std::string(1, '0'));
    return storage_detail::WriteBatchLogged(*m_db, batch, /*sync=*/true, "flag write");
}

ReadStatus BlockTreeDB::ReadFlag(const std::string& name, bool& value) const
{
    if (!m_db) return ReadStatus::FAILED;
    std::string raw;
    const ReadStatus status = storage_detail::ReadChecked(*m_db, std::string(1, DB_FLAG) + name, "flag read", raw);
    if (status != ReadStatus::FOUND) return status;
    if (raw.size() != 1) {
        storage_detail::LogError("malformed flag record " + name);
        return ReadStatus::FAILED;
    }
    value = raw[0] == '1';
    return ReadStatus::FOUND;
}

} // namespace node
