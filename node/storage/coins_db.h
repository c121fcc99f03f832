// The UTXO set on disk: a LevelDB database of coins keyed by outpoint, plus the hash of
// the block it is current to. A flush is split into writes of at most -dbbatchsize bytes;
// the first replaces the best block with a head-blocks marker and the last restores it, so
// a flush cut short is seen at the next start and finished by replaying blocks (Core's scheme).
#pragma once

#include "node/storage/coins_cache.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace leveldb {
class Cache;
class DB;
class Env;
class FilterPolicy;
class Snapshot;
} // namespace leveldb

namespace node {

/** Which hash of the whole UTXO set to compute (gettxoutsetinfo's hash_type). */
enum class UtxoHashType { HASH_SERIALIZED, MUHASH, NONE };

/** Summary of the whole UTXO set (gettxoutsetinfo). */
struct UtxoStats {
    uint64_t txouts{0};
    uint64_t transactions{0};
    uint64_t bogosize{0};
    consensus::Amount total_amount;
    /** Double SHA-256 over every (outpoint, height*2+coinbase, txout) in key order (Core's hash_serialized_3 layout). */
    consensus::Uint256 hash_serialized;
    /** MuHash3072 over the same per-coin serialization (Core's "muhash"); set with UtxoHashType::MUHASH. */
    consensus::Uint256 muhash;
    uint64_t disk_size{0};
    consensus::Uint256 best_block;
    /** False if a record was corrupt or a read failed (logged): the figures above are partial. */
    bool complete{true};
};

/**
 * The coins database frozen at one moment (a LevelDB snapshot): later writes are not seen.
 * Read it from any thread without the chain lock; it must not outlive its CoinsViewDB.
 */
class CoinsSnapshot {
public:
    ~CoinsSnapshot();
    CoinsSnapshot(const CoinsSnapshot&) = delete;
    CoinsSnapshot& operator=(const CoinsSnapshot&) = delete;
    /** The block the snapshot's coins are current to (null if none was recorded). */
    const consensus::Uint256& BestBlock() const { return m_best_block; }
    /** A snapshot of the database as it is now (nullptr if not open); flush the cache first to include it. */
    std::unique_ptr<CoinsSnapshot> TakeSnapshot() const;
    /**
     * Walks every coin in key order (txid bytes, then index); stops if fn returns false.
     * False (logged) if a record is corrupt or a read failed: the walk stopped there.
     */
    bool ForEachCoin(const std::function<bool(const consensus::OutPoint&, const consensus::Coin&)>& fn) const;

private:
    friend class CoinsViewDB;
    CoinsSnapshot(leveldb::DB& db, const leveldb::Snapshot* snapshot);
    leveldb::DB& m_db;
    const leveldb::Snapshot* m_snapshot;
    consensus::Uint256 m_best_block;
};

/**
 * LevelDB-backed coins. Thread contract: GetCoin may be called from any thread
 * (LevelDB reads are thread-safe); BatchWrite and Wipe only from the validation thread.
 */
class CoinsViewDB : public CoinsViewBacked {
public:
    /**
     * Opens (creating if needed) the database in dir; cache_bytes for LevelDB's block cache.
     * On failure sets error and IsOpen() is false. env: LevelDB's file system (nullptr: the
     * default; tests pass a fault-injecting one, which must outlive the database).
     */
    CoinsViewDB(const std::filesystem::path& dir, size_t cache_bytes, bool wipe, std::string& error,
                leveldb::Env* env = nullptr);
    ~CoinsViewDB() override;
    bool IsOpen() const { return m_db != nullptr; }

    /** Default for SetBatchBytes (Core's -dbbatchsize default, 16 MiB). */
    static constexpr size_t DEFAULT_BATCH_BYTES = 16 << 20;
    /** Largest LevelDB write BatchWrite makes before starting another (-dbbatchsize). */
    void SetBatchBytes(size_t bytes) { m_batch_bytes = bytes; }

    /**
     * The coin at outpoint: FOUND (into coin), ABSENT, or FAILED (logged) on a LevelDB error
     * (I/O, checksum mismatch, a compaction's error) or an undecodable record. Any thread.
     */
    ReadStatus ReadCoin(const consensus::OutPoint& outpoint, consensus::Coin& coin) const override;
    /** ReadCoin for the consensus interface: nullopt if absent or on a failure (use ReadCoin to tell them apart). */
    std::optional<consensus::Coin> GetCoin(const consensus::OutPoint& outpoint) const override;
    /** The block the coins are current to; null while a flush is incomplete (see ReadState) or on a read error. */
    consensus::Uint256 GetBestBlock() const override;
    /**
     * The database's own state: best is the block the coins are current to (null if none
     * is recorded); heads, if not empty, is an interrupted flush's marker {new block, old
     * block} (old null if the database was empty before it), and the coins are then
     * somewhere between the two states: replaying the blocks from old to new makes them
     * whole (Core's DB_HEAD_BLOCKS). False (logged) if a record cannot be read or is
     * malformed: the state is unknown.
     */
    bool ReadState(consensus::Uint256& best, std::vector<consensus::Uint256>& heads) const;
    /** True if at least one coin record exists. */
    bool HasCoins() const;
    /**
     * Writes the changes and the best block. In writes of at most the batch size, each
     * synced: the first replaces the best block with the head-blocks marker, the last
     * writes the best block and removes the marker, so a crash in between leaves the
     * marker (Core's scheme). False on I/O failure, on an unreadable state, for a null
     * best block with changes, or if an earlier flush was interrupted towards another block.
     */
    bool BatchWrite(CoinsMap& map, const consensus::Uint256& best_block) override;

    /** A snapshot of the database as it is now (nullptr if not open); flush the cache first to include it. */
    std::unique_ptr<CoinsSnapshot> TakeSnapshot() const;
    /** As CoinsSnapshot::ForEachCoin, over the database as it is now. */
    bool ForEachCoin(const std::function<bool(const consensus::OutPoint&, const consensus::Coin&)>& fn) const;
    /**
     * Statistics and the chosen deterministic hash of the whole set (none for NONE), read
     * from snapshot if given (one of this database's), else from a snapshot taken now.
     */
    UtxoStats ComputeStats(UtxoHashType hash_type = UtxoHashType::HASH_SERIALIZED,
                           const CoinsSnapshot* snapshot = nullptr) const;
    /** Approximate bytes on disk. */
    uint64_t EstimateSize() const;

private:
    // Declared before m_db so they outlive it.
    std::unique_ptr<leveldb::Cache> m_block_cache;
    std::unique_ptr<const leveldb::FilterPolicy> m_filter;
    std::unique_ptr<leveldb::DB> m_db;
    size_t m_batch_bytes{DEFAULT_BATCH_BYTES};
};

} // namespace node
