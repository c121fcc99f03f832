// The -txindex background indexer, after Bitcoin Core's BaseIndex/TxIndex: it records its
// own best block in its database (node/storage/tx_index.*); when that is behind the
// active chain at start (-txindex switched on for an existing datadir, or an unclean
// stop), a thread reads the stored blocks from there to the tip and indexes them, then
// the indexer follows new blocks through the chain's notifications. A reorg only rewinds
// its best block (as Core's txindex, entries of disconnected blocks may stay).
#pragma once

#include "consensus/primitives/block.h"
#include "node/chain/chainstate.h"
#include "node/storage/block_store.h"
#include "node/storage/tx_index.h"
#include "util/sync.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace node::index {

/** One block of the active chain to index and where its bytes are. */
struct SyncBlock {
    const chain::BlockIndex* index{nullptr};
    FlatFilePos pos;
};

/**
 * Where an index reads the chain from (Chainstate implements it through
 * ChainstateBlockSource; tests may wrap it, e.g. to pace the indexer). Every method may
 * be called from any thread.
 */
class BlockSource {
public:
    virtual ~BlockSource() = default;
    /**
     * The active-chain block after `after` (the genesis block for nullptr; the block after
     * the fork if `after` left the active chain). If there is none, calls at_tip while the
     * chain cannot change (so no later block's notification can be missed) and returns nullopt.
     */
    virtual std::optional<SyncBlock> NextSyncBlock(const chain::BlockIndex* after,
                                                   const std::function<void()>& at_tip) = 0;
    /** Reads a stored block by position; nullopt if unreadable. Must not wait on the chain lock. */
    virtual std::optional<consensus::Block> ReadBlock(const FlatFilePos& pos) = 0;
    /** The transaction at tx_offset inside the block at pos and that block's hash; nullopt if unreadable. */
    virtual std::optional<std::pair<consensus::Transaction, consensus::Uint256>>
    ReadTransaction(const FlatFilePos& pos, uint32_t tx_offset) = 0;
    /** The index entry of a block hash, or nullptr. */
    virtual const chain::BlockIndex* Lookup(const consensus::Uint256& hash) = 0;
    /** Subscribes listener to chain notifications, delivered asynchronously (Delivery::ASYNC). */
    virtual void AddListener(chain::ChainListener* listener) = 0;
    /** Unsubscribes; waits for a notification being delivered to listener. */
    virtual void RemoveListener(chain::ChainListener* listener) = 0;
    /** Waits until the notifications of every chain change so far were delivered. */
    virtual void SyncWithNotifications() = 0;
};

/** BlockSource over a Chainstate (which must outlive it). */
class ChainstateBlockSource : public BlockSource {
public:
    explicit ChainstateBlockSource(chain::Chainstate& chainstate) : m_chainstate(chainstate) {}
    std::optional<SyncBlock> NextSyncBlock(const chain::BlockIndex* after,
                                           const std::function<void()>& at_tip) override;
    std::optional<consensus::Block> ReadBlock(const FlatFilePos& pos) override;
    std::optional<std::pair<consensus::Transaction, consensus::Uint256>> ReadTransaction(const FlatFilePos& pos,
                                                                                         uint32_t tx_offset) override;
    const chain::BlockIndex* Lookup(const consensus::Uint256& hash) override;
    void AddListener(chain::ChainListener* listener) override
    {
        m_chainstate.AddListener(listener, chain::Delivery::ASYNC);
    }
    void RemoveListener(chain::ChainListener* listener) override { m_chainstate.RemoveListener(listener); }
    void SyncWithNotifications() override { m_chainstate.SyncWithNotifications(); }

private:
    chain::Chainstate& m_chainstate;
};

/** What getindexinfo reports about an index. */
struct IndexSummary {
    std::string name;
    bool synced{false};
    int best_block_height{-1};
};

/** What TxIndexer::FindTransaction found. */
struct TxLookup {
    ReadStatus status{ReadStatus::ABSENT};
    consensus::TransactionRef tx; // set when FOUND
    const chain::BlockIndex* block{nullptr};
};

/** Core's block locator for index (empty for nullptr): see BlockLocator. */
BlockLocator LocatorFor(const chain::BlockIndex* index);

/**
 * The transaction index. Thread contract: Start/Stop from one thread (init); the sync
 * thread and the notification callbacks (asynchronous: on the chainstate's notification
 * thread, no chain lock held) write under m_mutex; FindTransaction and GetSummary from any
 * thread (they see the blocks delivered so far: callers that need every block connected
 * so far call BlockUntilSyncedToCurrentChain first).
 * Never holds the chain lock while reading or indexing blocks.
 */
class TxIndexer final : public chain::ChainListener {
public:
    explicit TxIndexer(BlockSource& source);
    ~TxIndexer() override;
    TxIndexer(const TxIndexer&) = delete;
    TxIndexer& operator=(const TxIndexer&) = delete;

    /** Opens the database in dir (wiped first if wipe, as on -reindex). False with error set on failure. */
    bool Open(const std::filesystem::path& dir, bool wipe, std::string& error) EXCLUDES(m_mutex);
    /** Registers for notifications and starts the sync thread ("txindex thread start"). */
    void Start();
    /** Interrupts the sync, joins it, stops following and commits the best block. Idempotent. */
    void Stop() EXCLUDES(m_mutex);

    /** True once the index has caught up with the active chain (Core's m_synced). */
    bool IsSynced() const EXCLUDES(m_mutex);
    IndexSummary GetSummary() const EXCLUDES(m_mutex);
    /**
     * Core's BlockUntilSyncedToCurrentChain: once synced, waits until the index has seen
     * every block connected before the call (the chain's notification queue delivered);
     * false at once while still syncing or after a failure. RPC threads; never from a
     * notification.
     */
    bool BlockUntilSyncedToCurrentChain() const EXCLUDES(m_mutex);
    /**
     * The transaction and its block (nullptr if that is not in the block index): FOUND;
     * ABSENT if not indexed; FAILED if the index or the block file could not be read or
     * the entry points at another transaction (logged): a storage error, not "not found".
     */
    TxLookup FindTransaction(const consensus::Uint256& txid);

    // ChainListener (asynchronous: the notification thread, no chain lock held)
    void BlockConnected(const std::shared_ptr<const consensus::Block>& block, const chain::BlockIndex* index) override
        EXCLUDES(m_mutex);
    void BlockDisconnected(const std::shared_ptr<const consensus::Block>& block,
                           const chain::BlockIndex* index) override EXCLUDES(m_mutex);
    bool WantsMempoolEvents() const override { return false; } // blocks only

private:
    void ThreadSync() EXCLUDES(m_mutex);
    /** Indexes block (at index, stored at pos) on top of the current best; m_mutex held. */
    bool AppendLocked(const consensus::Block& block, const chain::BlockIndex* index, const FlatFilePos& pos)
        REQUIRES(m_mutex);
    /** Makes new_best the best block without touching entries (Core's Rewind); m_mutex held. */
    bool RewindLocked(const chain::BlockIndex* new_best) REQUIRES(m_mutex);

    BlockSource& m_source;
    TxIndex m_db; // written only under m_mutex; FindTransaction reads it without (LevelDB reads are thread-safe)
    std::thread m_thread;
    std::atomic<bool> m_interrupt{false};
    bool m_started{false};
    bool m_listening{false};

    mutable util::Mutex m_mutex; // guards the members below and every write to m_db
    bool m_synced GUARDED_BY(m_mutex){false};
    bool m_failed GUARDED_BY(m_mutex){false};
    const chain::BlockIndex* m_best GUARDED_BY(m_mutex){nullptr};
};

} // namespace node::index
