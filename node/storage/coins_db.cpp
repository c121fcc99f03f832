// CoinsViewDB: the UTXO set in LevelDB. Keys are 'C' + txid (32 bytes as stored) +
// big-endian output index, so iteration visits a transaction's outputs in numeric
// order; "B" holds the best block hash and is written in the same batch as the coins
// (the last batch of a flush); "H" holds {new, old} block while a flush is incomplete.
#include "node/storage/coins_db.h"

#include "consensus/hash.h"
#include "node/storage/leveldb_util.h"
#include "node/storage/muhash.h"
#include "util/logging.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

namespace node {

namespace {

constexpr char DB_COIN = 'C';
constexpr char DB_BEST_BLOCK[] = "B";
constexpr char DB_HEAD_BLOCKS[] = "H";
constexpr size_t COIN_KEY_SIZE = 1 + 32 + 4;

std::string CoinKey(const consensus::OutPoint& outpoint)
{
    std::string key;
    key.reserve(COIN_KEY_SIZE);
    key.push_back(DB_COIN);
    key.append(reinterpret_cast<const char*>(outpoint.hash.data()), 32);
    for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>((outpoint.n >> shift) & 0xff));
    return key;
}

/** Decodes a coin key; false if it is not one. */
bool ParseCoinKey(const leveldb::Slice& key, consensus::OutPoint& outpoint)
{
    if (key.size() != COIN_KEY_SIZE || key[0] != DB_COIN) return false;
    const auto* p = reinterpret_cast<const uint8_t*>(key.data()) + 1;
    outpoint.hash = consensus::Uint256(std::span<const uint8_t>(p, 32));
    outpoint.n = uint32_t(p[32]) << 24 | uint32_t(p[33]) << 16 | uint32_t(p[34]) << 8 | uint32_t(p[35]);
    return true;
}

std::optional<consensus::Coin> DecodeCoin(std::string_view value)
{
    try {
        consensus::ByteReader r(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
        consensus::Coin coin = consensus::Coin::Deserialize(r);
        if (!r.Empty() || coin.IsSpent()) return std::nullopt;
        return coin;
    } catch (const consensus::DecodeError&) {
        return std::nullopt;
    }
}

} // namespace

CoinsViewDB::CoinsViewDB(const std::filesystem::path& dir, size_t cache_bytes, bool wipe, std::string& error,
                         leveldb::Env* env)
{
    storage_detail::OpenLevelDB(dir, cache_bytes, wipe, env, error, m_block_cache, m_filter, m_db);
}

CoinsViewDB::~CoinsViewDB() = default;

ReadStatus CoinsViewDB::ReadCoin(const consensus::OutPoint& outpoint, consensus::Coin& coin) const
{
    if (!m_db) return ReadStatus::FAILED;
    std::string value;
    const ReadStatus status = storage_detail::ReadChecked(*m_db, CoinKey(outpoint), "coins database read", value);
    if (status != ReadStatus::FOUND) return status;
    auto decoded = DecodeCoin(value);
    if (!decoded) {
        storage_detail::LogError("coins database read: corrupt coin record " + outpoint.ToString());
        return ReadStatus::FAILED;
    }
    coin = std::move(*decoded);
    return ReadStatus::FOUND;
}

std::optional<consensus::Coin> CoinsViewDB::GetCoin(const consensus::OutPoint& outpoint) const
{
    consensus::Coin coin;
    if (ReadCoin(outpoint, coin) != ReadStatus::FOUND) return std::nullopt;
    return coin;
}

consensus::Uint256 CoinsViewDB::GetBestBlock() const
{
    consensus::Uint256 best;
    std::vector<consensus::Uint256> heads;
    if (!ReadState(best, heads)) return {};
    return best;
}

bool CoinsViewDB::ReadState(consensus::Uint256& best, std::vector<consensus::Uint256>& heads) const
{
    best = consensus::Uint256();
    heads.clear();
    if (!m_db) return false;
    std::string value;
    // Read without filling LevelDB's block cache: these two records are read once per
    // flush or start, and keeping their block out of it leaves the cache to the coins.
    switch (storage_detail::ReadChecked(*m_db, DB_BEST_BLOCK, "coins best block read", value, /*fill_cache=*/false)) {
    case ReadStatus::FAILED: return false;
    case ReadStatus::ABSENT: break;
    case ReadStatus::FOUND:
        if (value.size() != 32) {
            storage_detail::LogError("malformed coins best block record");
            return false;
        }
        best = consensus::Uint256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), 32));
        break;
    }
    switch (storage_detail::ReadChecked(*m_db, DB_HEAD_BLOCKS, "coins head blocks read", value, /*fill_cache=*/false)) {
    case ReadStatus::FAILED: return false;
    case ReadStatus::ABSENT: return true;
    case ReadStatus::FOUND: break;
    }
    if (value.size() != 64 || !best.IsNull()) {
        storage_detail::LogError("malformed coins head blocks record");
        return false;
    }
    const auto* p = reinterpret_cast<const uint8_t*>(value.data());
    heads = {consensus::Uint256(std::span<const uint8_t>(p, 32)),
             consensus::Uint256(std::span<const uint8_t>(p + 32, 32))};
    if (heads[0].IsNull()) {
        storage_detail::LogError("malformed coins head blocks record");
        return false;
    }
    return true;
}

bool CoinsViewDB::HasCoins() const
{
    if (!m_db) return false;
    std::unique_ptr<leveldb::Iterator> it(m_db->NewIterator(storage_detail::CheckedReadOptions(/*fill_cache=*/false)));
    it->Seek(leveldb::Slice(&DB_COIN, 1));
    if (!it->status().ok()) storage_detail::LogStatus("coins database iteration", it->status());
    return it->Valid() && !it->key().empty() && it->key()[0] == DB_COIN;
}

bool CoinsViewDB::BatchWrite(CoinsMap& map, const consensus::Uint256& best_block)
{
    if (!m_db) return false;
    if (best_block.IsNull()) {
        // Nothing has been connected yet (a flush before the genesis block): nothing to say.
        for (const auto& [outpoint, entry] : map) {
            if (entry.flags & CoinsCacheEntry::DIRTY) {
                storage_detail::LogError("coins batch write without a best block");
                return false;
            }
        }
        return true;
    }
    consensus::Uint256 old_tip;
    std::vector<consensus::Uint256> old_heads;
    if (!ReadState(old_tip, old_heads)) return false;
    if (!old_heads.empty()) {
        // An earlier flush was interrupted (and not replayed): it can only be finished
        // towards the same block, from the same old one (the coins of the unfinished one
        // that the cache no longer holds would be lost otherwise).
        if (old_heads[0] != best_block) {
            storage_detail::LogError("the coins database is between two states after an interrupted flush; "
                                     "restart with -reindex-chainstate");
            return false;
        }
        old_tip = old_heads[1];
    }
    leveldb::WriteBatch batch;
    // Core's order: the first write says the coins are on their way from old_tip to
    // best_block; the last one says they have arrived.
    batch.Delete(DB_BEST_BLOCK);
    std::string heads(reinterpret_cast<const char*>(best_block.data()), 32);
    heads.append(reinterpret_cast<const char*>(old_tip.data()), 32);
    batch.Put(DB_HEAD_BLOCKS, heads);
    std::vector<uint8_t> buf;
    size_t changed = 0;
    for (const auto& [outpoint, entry] : map) {
        if (!(entry.flags & CoinsCacheEntry::DIRTY)) continue;
        ++changed;
        const std::string key = CoinKey(outpoint);
        if (entry.coin.IsSpent()) {
            batch.Delete(key);
        } else {
            buf.clear();
            consensus::ByteWriter w(buf);
            entry.coin.Serialize(w);
            batch.Put(key, leveldb::Slice(reinterpret_cast<const char*>(buf.data()), buf.size()));
        }
        if (batch.ApproximateSize() > m_batch_bytes) {
            util::LogDebug(util::LogCategory::COINDB, "Writing partial batch of %.2f MiB",
                           static_cast<double>(batch.ApproximateSize()) / (1 << 20));
            // Synced like the last one: LevelDB syncs only its current log file, so an
            // unsynced write that went to an older log could be lost to a power cut while
            // the final write survives.
            if (!storage_detail::WriteBatchLogged(*m_db, batch, /*sync=*/true, "coins partial batch write")) {
                return false;
            }
            batch.Clear();
        }
    }
    batch.Delete(DB_HEAD_BLOCKS);
    batch.Put(DB_BEST_BLOCK, leveldb::Slice(reinterpret_cast<const char*>(best_block.data()), 32));
    util::LogDebug(util::LogCategory::COINDB, "Writing final batch of %.2f MiB",
                   static_cast<double>(batch.ApproximateSize()) / (1 << 20));
    if (!storage_detail::WriteBatchLogged(*m_db, batch, /*sync=*/true, "coins batch write")) return false;
    util::LogDebug(util::LogCategory::COINDB, "Committed %zu changed transaction outputs (out of %zu) to coin database",
                   changed, map.size());
    return true;
}

namespace {

/**
 * Walks the coin records of db in key order under options; stops when fn returns false.
 * False (logged) if a record is corrupt or the iteration failed: the walk is incomplete.
 */
bool IterateCoins(leveldb::DB& db, const leveldb::ReadOptions& options,
                  const std::function<bool(const consensus::OutPoint&, const consensus::Coin&)>& fn)
{
    std::unique_ptr<leveldb::Iterator> it(db.NewIterator(options));
    for (it->Seek(leveldb::Slice(&DB_COIN, 1)); it->Valid(); it->Next()) {
        const leveldb::Slice key = it->key();
        if (key.empty() || key[0] != DB_COIN) break;
        consensus::OutPoint outpoint;
        std::optional<consensus::Coin> coin;
        if (ParseCoinKey(key, outpoint)) coin = DecodeCoin(std::string_view(it->value().data(), it->value().size()));
        if (!coin) {
            storage_detail::LogError("coins database iteration: corrupt coin record");
            return false;
        }
        if (!fn(outpoint, *coin)) return true;
    }
    if (!it->status().ok()) {
        storage_detail::LogStatus("coins database iteration", it->status());
        return false;
    }
    return true;
}

} // namespace

bool CoinsViewDB::ForEachCoin(const std::function<bool(const consensus::OutPoint&, const consensus::Coin&)>& fn) const
{
    if (!m_db) return false;
    return IterateCoins(*m_db, storage_detail::CheckedReadOptions(/*fill_cache=*/false), fn);
}

CoinsSnapshot::CoinsSnapshot(leveldb::DB& db, const leveldb::Snapshot* snapshot) : m_db(db), m_snapshot(snapshot)
{
    leveldb::ReadOptions options = storage_detail::CheckedReadOptions();
    options.snapshot = m_snapshot;
    std::string best;
    if (m_db.Get(options, DB_BEST_BLOCK, &best).ok() && best.size() == 32) {
        m_best_block = consensus::Uint256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(best.data()), 32));
    }
}

CoinsSnapshot::~CoinsSnapshot() { m_db.ReleaseSnapshot(m_snapshot); }

bool CoinsSnapshot::ForEachCoin(const std::function<bool(const consensus::OutPoint&, const consensus::Coin&)>& fn) const
{
    leveldb::ReadOptions options = storage_detail::CheckedReadOptions(/*fill_cache=*/false);
    options.snapshot = m_snapshot;
    return IterateCoins(m_db, options, fn);
}

std::unique_ptr<CoinsSnapshot> CoinsViewDB::TakeSnapshot() const
{
    if (!m_db) return nullptr;
    return std::unique_ptr<CoinsSnapshot>(new CoinsSnapshot(*m_db, m_db->GetSnapshot()));
}

UtxoStats CoinsViewDB::ComputeStats(UtxoHashType hash_type, const CoinsSnapshot* given) const
{
    UtxoStats stats;
    if (!m_db) return stats;
    // Take the best block from the same snapshot the coins are read from.
    const leveldb::Snapshot* snapshot = given ? given->m_snapshot : m_db->GetSnapshot();
    leveldb::ReadOptions options = storage_detail::CheckedReadOptions(/*fill_cache=*/false);
    options.snapshot = snapshot;
    std::string best;
    if (m_db->Get(options, DB_BEST_BLOCK, &best).ok() && best.size() == 32) {
        stats.best_block =
            consensus::Uint256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(best.data()), 32));
    }
    consensus::HashWriter hasher;
    MuHash3072 muhash;
    std::vector<uint8_t> element;
    consensus::Uint256 last_txid;
    bool have_last = false;
    stats.complete =
        IterateCoins(*m_db, options, [&](const consensus::OutPoint& outpoint, const consensus::Coin& coin) {
            if (!have_last || outpoint.hash != last_txid) {
                ++stats.transactions;
                last_txid = outpoint.hash;
                have_last = true;
            }
            // Both hashes cover (outpoint, LE32(height * 2 + coinbase), TxOut) per coin, as Core's TxOutSer.
            if (hash_type == UtxoHashType::HASH_SERIALIZED) {
                outpoint.Serialize(hasher);
                coin.Serialize(hasher);
            } else if (hash_type == UtxoHashType::MUHASH) {
                element.clear();
                consensus::ByteWriter w(element);
                outpoint.Serialize(w);
                coin.Serialize(w);
                muhash.Insert(element);
            }
            ++stats.txouts;
            stats.total_amount += coin.out.value;
            stats.bogosize += 50 + coin.out.script_pubkey.size();
            return true;
        });
    if (!given) m_db->ReleaseSnapshot(snapshot);
    if (hash_type == UtxoHashType::HASH_SERIALIZED) stats.hash_serialized = hasher.GetHash();
    if (hash_type == UtxoHashType::MUHASH) stats.muhash = muhash.Finalize();
    stats.disk_size = EstimateSize();
    return stats;
}

uint64_t CoinsViewDB::EstimateSize() const
{
    if (!m_db) return 0;
    const char begin = DB_COIN;
    const char end = DB_COIN + 1;
    const leveldb::Range range(leveldb::Slice(&begin, 1), leveldb::Slice(&end, 1));
    uint64_t size = 0;
    m_db->GetApproximateSizes(&range, 1, &size);
    return size;
}

} // namespace node
