// TxIndex: 't' + txid -> LE32 block file, LE32 block record position, LE32 tx offset;
// "B" -> best block locator (32-byte hashes, the best first), written in the same batch as
// the entries.
#include "node/storage/tx_index.h"

#include "node/storage/leveldb_util.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

namespace node {

namespace {

constexpr char DB_TXINDEX = 't';
constexpr char DB_BEST_BLOCK[] = "B";

std::string TxKey(const consensus::Uint256& txid)
{
    std::string key(1, DB_TXINDEX);
    key.append(reinterpret_cast<const char*>(txid.data()), 32);
    return key;
}

/** A locator record: its hashes back to back (at most MAX_LOCATOR_HASHES are read back). */
std::string LocatorValue(const BlockLocator& locator)
{
    std::string out;
    for (const auto& h : locator) out.append(reinterpret_cast<const char*>(h.data()), 32);
    return out;
}

constexpr size_t MAX_LOCATOR_HASHES = 101;

std::string EncodeEntry(const TxIndexEntry& e)
{
    std::vector<uint8_t> bytes;
    consensus::ByteWriter w(bytes);
    consensus::WriteLE32(w, static_cast<uint32_t>(e.block_pos.file));
    consensus::WriteLE32(w, e.block_pos.pos);
    consensus::WriteLE32(w, e.tx_offset);
    return std::string(bytes.begin(), bytes.end());
}

} // namespace

TxIndex::TxIndex() = default;
TxIndex::~TxIndex() = default;

bool TxIndex::Open(const std::filesystem::path& dir, bool wipe, std::string& error, size_t cache_bytes)
{
    return storage_detail::OpenLevelDB(dir, cache_bytes, wipe, /*env=*/nullptr, error, m_block_cache, m_filter, m_db);
}

bool TxIndex::WriteBlock(const consensus::Block& block, const FlatFilePos& block_pos, const BlockLocator& best)
{
    if (!m_db) return false;
    leveldb::WriteBatch batch;
    // Offsets count from the first byte of the block: header, tx count, then each tx.
    uint64_t offset = consensus::BlockHeader::SIZE + consensus::CompactSizeLen(block.vtx.size());
    for (const auto& tx : block.vtx) {
        batch.Put(TxKey(tx->GetTxid()), EncodeEntry({block_pos, static_cast<uint32_t>(offset)}));
        offset += tx->GetTotalSize();
    }
    batch.Put(DB_BEST_BLOCK, LocatorValue(best));
    return storage_detail::WriteBatchLogged(*m_db, batch, /*sync=*/false, "txindex write");
}

bool TxIndex::EraseBlock(const consensus::Block& block)
{
    if (!m_db) return false;
    leveldb::WriteBatch batch;
    for (const auto& tx : block.vtx) batch.Delete(TxKey(tx->GetTxid()));
    batch.Put(DB_BEST_BLOCK, LocatorValue({block.prev_block}));
    return storage_detail::WriteBatchLogged(*m_db, batch, /*sync=*/false, "txindex erase");
}

ReadStatus TxIndex::Find(const consensus::Uint256& txid, TxIndexEntry& entry) const
{
    if (!m_db) return ReadStatus::ABSENT;
    std::string value;
    const ReadStatus status = storage_detail::ReadChecked(*m_db, TxKey(txid), "txindex read", value);
    if (status != ReadStatus::FOUND) return status;
    if (value.size() != 12) {
        storage_detail::LogError("corrupt txindex record for " + txid.GetHex());
        return ReadStatus::FAILED;
    }
    consensus::ByteReader r(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
    entry.block_pos.file = static_cast<int>(consensus::ReadLE32(r));
    entry.block_pos.pos = consensus::ReadLE32(r);
    entry.tx_offset = consensus::ReadLE32(r);
    return ReadStatus::FOUND;
}

BlockLocator TxIndex::GetBestLocator() const
{
    if (!m_db) return {};
    std::optional<std::string> value(std::in_place);
    if (storage_detail::ReadChecked(*m_db, DB_BEST_BLOCK, "txindex best block read", *value) != ReadStatus::FOUND)
        return {};
    if (value->empty() || value->size() % 32 != 0) return {};
    BlockLocator out;
    for (size_t off = 0; off < value->size() && out.size() < MAX_LOCATOR_HASHES; off += 32) {
        out.emplace_back(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value->data()) + off, 32));
    }
    return out;
}

bool TxIndex::SetBestLocator(const BlockLocator& best)
{
    if (!m_db) return false;
    leveldb::WriteBatch batch;
    batch.Put(DB_BEST_BLOCK, LocatorValue(best));
    return storage_detail::WriteBatchLogged(*m_db, batch, /*sync=*/false, "txindex best block write");
}

bool TxIndex::Commit(const BlockLocator& best)
{
    if (!m_db) return false;
    leveldb::WriteBatch batch;
    batch.Put(DB_BEST_BLOCK, LocatorValue(best));
    return storage_detail::WriteBatchLogged(*m_db, batch, /*sync=*/true, "txindex commit");
}

} // namespace node
