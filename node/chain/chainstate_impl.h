// Private state of Chainstate, shared by its translation units (chainstate.cpp: open,
// load, flush, reads; accept.cpp: headers and blocks in; connect.cpp: connect and
// disconnect; activate.cpp: best-chain selection, invalidate/reconsider; import.cpp:
// block files in; mining.cpp: templates; fatal_error.cpp: AbortNode). The block index,
// the block files, the index database and the index flusher are the BlockManager's
// (block_manager.h), which the Impl holds as `blockman`; the Impl keeps the coins, the
// active chain, the candidates, the best header, validation and the events. Not a public header.
#pragma once

#include "node/chain/block_manager.h"
#include "node/chain/chainstate.h"
#include "node/chain/notifications.h"
#include "node/chain/script_cache.h"
#include "node/chain/script_check_pool.h"
#include "node/storage/coins_cache.h"
#include "node/storage/coins_db.h"
#include "node/chain/chain_log.h"

#include "consensus/versionbits.h"
#include "util/sync.h"

#include <absl/container/flat_hash_map.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

namespace node::chain {

/**
 * The coins a block being connected in place has changed, as they were before it: the
 * spent coin (in the block's undo data) or nullptr for a coin the block added. Readers
 * answer from here first, so they see the tip's coins until the block is final.
 */
using CoinsBefore = absl::flat_hash_map<consensus::OutPoint, const consensus::Coin*, SaltedOutPointHasher>;

/**
 * The main coins cache as readers and the owner's child caches (templates, checks,
 * disconnects) see it: the coins at the active tip. Reads never insert into the main
 * cache (a miss goes to the database, which is safe from any thread), and a coin a block
 * being connected in place has changed is answered from `before` (see CoinsBefore).
 * Readers call it with view_mutex shared; BatchWrite moves a child's changes into the
 * cache and must run with view_mutex held exclusively.
 */
class MainCoinsView final : public CoinsViewBacked {
public:
    MainCoinsView(CoinsViewCache& cache, CoinsViewDB& db, const CoinsBefore& before)
        : m_cache(cache), m_db(db), m_before(before)
    {}
    /** The coin as of the tip: `before`'s, else the main cache's, else the database's (FAILED passes through). */
    ReadStatus ReadCoin(const consensus::OutPoint& outpoint, consensus::Coin& coin) const override;
    std::optional<consensus::Coin> GetCoin(const consensus::OutPoint& outpoint) const override;
    consensus::Uint256 GetBestBlock() const override { return m_cache.GetBestBlock(); }
    bool BatchWrite(CoinsMap& map, const consensus::Uint256& best_block) override
    {
        return m_cache.BatchWrite(map, best_block);
    }

private:
    CoinsViewCache& m_cache;
    CoinsViewDB& m_db;
    const CoinsBefore& m_before;
};

/**
 * Where ConnectBlock applies a block: a private cache (a template's or a check's
 * throwaway child), or the main cache itself, which readers share. In the main cache the
 * block is applied in place, as Core applies it to a child (no copy of the coins it
 * spends): every change is made with view_mutex held exclusively and recorded in
 * coins_before, so readers keep seeing the tip's coins; a valid block's changes become
 * visible in one exclusive moment together with the new tip, a failed block's are undone.
 */
enum class ConnectTarget { PRIVATE_VIEW, MAIN_CACHE };

struct Chainstate::Impl {
    ChainstateOptions opts;
    const consensus::ChainParams* params{nullptr};

    /**
     * The writer lock: held by whoever applies a change to chain state (the validation
     * owner) for the duration of the step, script checks and flushes included. Readers
     * never take it: they take view_mutex shared. Guards everything below except where
     * noted.
     */
    mutable util::Mutex mutex;
    /**
     * The readers' lock. Shared by readers for a lookup; taken exclusively by the owner
     * (who already holds `mutex`) only for the short moments it publishes a change to what
     * readers see: the block index's structure (BlockManager::AddToIndex), best_header,
     * the active chain and the main coins cache's entries (each change of a block being
     * connected, its commit together with the new tip, a disconnect's child cache moved
     * in, the cache emptied after a flush).
     * Never held across script checks, disk I/O or scans. The owner reads these without
     * it (it is their only writer).
     */
    mutable util::SharedMutex view_mutex;

    /**
     * The block index, block files and index database (with the index flusher). Every use
     * needs the owner's lock, except the reads BlockReads() gives (see BlockManager).
     */
    BlockManager blockman GUARDED_BY(mutex){
        view_mutex,
        [this] { AbortNode(StorageErrorMessage("Failed to write to the block index or block files", true)); }};
    /**
     * blockman for the reads it allows without the owner's lock: lookups and walks of the
     * index under view_mutex shared, block and undo reads and file sizes with no lock.
     */
    const BlockManager& BlockReads() const { return blockman; }
    Chain active;                     // changes under view_mutex (exclusive)
    BlockIndex* best_header{nullptr}; // changes under view_mutex (exclusive)
    std::set<BlockIndex*, CandidateOrder> candidates GUARDED_BY(mutex);
    /** Blocks with data whose parent's data is missing, by parent. */
    std::multimap<BlockIndex*, BlockIndex*> unlinked GUARDED_BY(mutex);
    int32_t next_sequence_id GUARDED_BY(mutex){1};
    /** The last block found invalid while connecting, and why (reported by ProcessNewBlock). */
    const BlockIndex* last_failed GUARDED_BY(mutex){nullptr};
    consensus::ValidationResult last_failed_result GUARDED_BY(mutex);

    std::unique_ptr<CoinsViewDB> coins_db;
    /** The main coins cache: entries change only under view_mutex (exclusive); see MainCoinsView. */
    std::unique_ptr<CoinsViewCache> coins;
    /** The coins a block being connected in place has changed, as before it (ConnectTarget::MAIN_CACHE). */
    CoinsBefore coins_before GUARDED_BY(view_mutex);
    /** The coins at the tip, for readers and the owner's child caches (reads without inserting). */
    std::unique_ptr<MainCoinsView> coins_tip;
    std::unique_ptr<ScriptCheckPool> pool;
    /** Transactions whose scripts passed (the mempool's), skipped by ConnectBlock (script_cache.h). */
    ScriptCache script_cache;
    /**
     * BIP-9 states per deployment, cached at period boundaries (keys are index entries, which
     * live as long as the chainstate; a state depends only on headers, so entries never go stale).
     */
    consensus::VersionBitsCaches<BlockIndex> versionbits_caches GUARDED_BY(versionbits_mutex);
    /** Guards versionbits_caches only, so getblocktemplate/getdeploymentinfo never wait on validation. */
    mutable util::Mutex versionbits_mutex;

    /**
     * Where chain events go (notifications.h): the owner records each one with NotifyLocked
     * as it happens (under `mutex`, so in chain order); synchronous listeners are called
     * right there, asynchronous ones later on the notifier's thread. Stopped (the queue
     * delivered) before the final flush when the chainstate closes.
     */
    ChainNotifier notifier;
    /** Chainstate::SetNewPoWValidBlockHook's hook; called with hook_mutex held so removal waits for it. */
    util::Mutex hook_mutex;
    Chainstate::NewBlockHook new_block_hook GUARDED_BY(hook_mutex);
    /** Records e: synchronous listeners now (owner's lock held, view lock not), then the queue. */
    void NotifyLocked(ChainEvent e) REQUIRES(mutex) EXCLUDES(view_mutex) { notifier.Notify(std::move(e)); }

    // Tip snapshot for lock-free readers and waiters (WaitForTip).
    mutable util::Mutex tip_mutex;
    std::condition_variable tip_cv;
    TipSnapshot tip_snapshot GUARDED_BY(tip_mutex);
    bool interrupted GUARDED_BY(tip_mutex){false};
    /**
     * Chainstate::ReorgSequence: odd from a block's disconnection until the tip event after
     * which the synchronous listeners (the mempool) hold its transactions again.
     */
    uint64_t reorg_sequence GUARDED_BY(tip_mutex){0};
    /** Makes reorg_sequence odd if it is even (DisconnectTip, before the coins change). */
    void BeginReorg() EXCLUDES(tip_mutex);
    /** Makes reorg_sequence even if it is odd and wakes WaitForReorgEnd (after the tip event; AbortNode). */
    void EndReorg() EXCLUDES(tip_mutex);
    /**
     * Ends the mark when its scope is left by an exception (the owner turns a throwing write
     * into an error result): no tip event will end it, and FindCoin's readers must not wait
     * for one until shutdown.
     */
    struct EndReorgOnThrow {
        Impl& impl;
        const int uncaught{std::uncaught_exceptions()};
        ~EndReorgOnThrow()
        {
            if (std::uncaught_exceptions() > uncaught) impl.EndReorg();
        }
    };

    std::atomic<bool> importing{false};
    mutable std::atomic<bool> ibd_latched_false{false};
    /** opts.clock, or the steady clock. */
    std::chrono::steady_clock::time_point Now() const
    {
        return opts.clock ? opts.clock() : std::chrono::steady_clock::now();
    }
    // Set from Now() when the chainstate opens.
    std::chrono::steady_clock::time_point last_index_flush{};
    std::chrono::steady_clock::time_point last_coins_flush{};

    /** Open() finished: only an opened chainstate is flushed when it closes. */
    bool opened{false};

    ~Impl() { blockman.StopFlusher(); }
    /** Hands the index flush to the flusher (skipped while one still runs). */
    bool StartIndexFlushLocked() REQUIRES(mutex);

    // ---- helpers (REQUIRES(mutex): the owner's; the rest are safe from readers too) ----
    BlockIndex* Lookup(const consensus::Uint256& hash) const { return BlockReads().Lookup(hash); }
    BlockIndex* AddToIndex(const consensus::BlockHeader& header) REQUIRES(mutex)
    {
        return blockman.AddToIndex(header, best_header);
    }
    void ReceivedBlockTransactions(BlockIndex* index, uint32_t n_tx, const FlatFilePos& pos) REQUIRES(mutex);
    void InvalidBlockFound(BlockIndex* index, const consensus::ValidationResult& result) REQUIRES(mutex);
    /**
     * Core's AbortNode: logs "*** <message>", sets fatal_error and calls opts.on_fatal_error
     * (the first time only; later ones are logged as "Error: "). Any thread, lock held or not.
     */
    void AbortNode(const std::string& message);
    /** The "<what>: <database> database ...; restart with -reindex[-chainstate]" message. */
    static std::string StorageErrorMessage(const std::string& what, bool block_index);
    /** Set once by AbortNode; validation refuses further work (no verdict after a storage fault). */
    std::atomic<bool> fatal_error{false};
    /**
     * Sets the active tip and publishes it to the snapshot's readers and waiters in the same
     * exclusive moment, so no reader of the snapshot (getbestblockhash, getblockcount) is
     * behind one of the chain (getblockchaininfo) read before it. Not while a reorganisation
     * walks back to its fork (tip_publish_deferred): as in Core, which holds cs_main over the
     * whole step, the snapshot goes from the old tip to the new branch's first block and
     * never shows the fork point (waitfornewblock would wake on an older block).
     */
    void SetActiveTip(BlockIndex* tip) REQUIRES(mutex, view_mutex) EXCLUDES(tip_mutex);
    /** Publishes the active tip to the snapshot's readers and waiters (tip_cv). */
    void PublishTip() REQUIRES(mutex) EXCLUDES(tip_mutex);
    /** Set by ActivateBestChainLocked while it disconnects back to a fork (SetActiveTip). */
    bool tip_publish_deferred GUARDED_BY(mutex){false};
    /** Sets best_header, publishing it to readers (view_mutex exclusive, briefly). */
    void SetBestHeader(BlockIndex* index) REQUIRES(mutex) EXCLUDES(view_mutex);
    /** Moves a disconnect's child cache into the main cache and sets the active tip, atomically for readers. */
    bool CommitTip(CoinsViewCache& child, BlockIndex* new_tip) REQUIRES(mutex) EXCLUDES(view_mutex);
    bool SegwitActive(int height) const { return height >= params->consensus.segwit_height; }
    bool CsvActive(int height) const { return height >= params->consensus.csv_height; }
    /** The clock future block times are judged against: opts.now_seconds if set, else the system clock. */
    int64_t WallClockSeconds() const;

    consensus::ValidationResult AcceptBlockHeader(const consensus::BlockHeader& header, BlockIndex** out)
        REQUIRES(mutex);
    consensus::ValidationResult ContextualCheckBlockHeader(const consensus::BlockHeader& header,
                                                           const BlockIndex* prev) const;
    consensus::ValidationResult ContextualCheckBlock(const consensus::Block& block, const BlockIndex* prev) const;
    consensus::ValidationResult AcceptBlock(const std::shared_ptr<const consensus::Block>& block, bool* new_block,
                                            const FlatFilePos* known_pos, BlockIndex** out) REQUIRES(mutex);
    /**
     * Applies block to view (see ConnectTarget; with MAIN_CACHE, view is *coins and a valid
     * block becomes the active tip). just_check: validate only (no undo data, no index change).
     */
    consensus::ValidationResult ConnectBlock(const consensus::Block& block, BlockIndex* index, CoinsViewCache& view,
                                             bool just_check, ConnectTarget target = ConnectTarget::PRIVATE_VIEW)
        REQUIRES(mutex) EXCLUDES(view_mutex);
    /** The error result for a failed coins read while connecting the block hash (never invalid). */
    static consensus::ValidationResult CoinsReadError(const consensus::Uint256& hash);
    /** ConnectBlock's walk over the transactions, applying them to view (undone on failure). */
    consensus::ValidationResult ApplyBlock(const consensus::Block& block, BlockIndex* index, CoinsViewCache& view,
                                           bool just_check, bool check_bip30, ConnectTarget target) REQUIRES(mutex)
        EXCLUDES(view_mutex);
    /** Undoes block in view from its undo data; false if that failed. clean_out: every coin was as expected. */
    bool DisconnectBlock(const consensus::Block& block, const BlockIndex* index, CoinsViewCache& view,
                         bool* clean_out = nullptr);
    /**
     * Checks the coins database's state before the chain is put where the coins are, and
     * finishes a coins flush a crash interrupted (see CoinsViewDB::ReadState); false with
     * error set if the state is unknown or cannot be repaired.
     */
    bool CheckCoinsStateLocked(std::string& error) REQUIRES(mutex);
    /** Core's ReplayBlocks: brings the coins from an interrupted flush's old block to its new one. */
    bool ReplayBlocksLocked(const consensus::Uint256& new_hash, const consensus::Uint256& old_hash, std::string& error)
        REQUIRES(mutex);
    consensus::ValidationResult ConnectTip(BlockIndex* index, std::shared_ptr<const consensus::Block> block)
        REQUIRES(mutex);
    consensus::ValidationResult DisconnectTip() REQUIRES(mutex);
    /** Core's "UpdateTip: new best=..." line for the new active tip (after a connect or a disconnect). */
    void LogUpdateTip() const;
    BlockIndex* FindMostWorkChain() REQUIRES(mutex);
    /**
     * Connects towards the most-work chain. With complete non-null, stops after
     * MAX_BLOCKS_PER_STEP connections and sets *complete = false, so the caller can release
     * the lock between steps (fair to other writers; the notification queue is bounded there).
     */
    consensus::ValidationResult ActivateBestChainLocked(std::shared_ptr<const consensus::Block> new_block,
                                                        bool* complete = nullptr) REQUIRES(mutex);
    static constexpr int MAX_BLOCKS_PER_STEP = 32;
    /** InvalidateBlock's first step: marks the block and its descendants failed (invalid: not found, genesis). */
    consensus::ValidationResult MarkInvalidLocked(const consensus::Uint256& hash, BlockIndex*& index) REQUIRES(mutex);
    /** Walks the tip back below index, at most MAX_BLOCKS_PER_STEP blocks; done once it is off the chain. */
    consensus::ValidationResult DisconnectInvalidStepLocked(BlockIndex* index, bool& done) REQUIRES(mutex);
    uint32_t NextWorkRequired(const BlockIndex* prev, int64_t block_time) const;
    uint32_t BlockScriptFlags(const BlockIndex* index) const;
    bool FlushLocked(bool force_coins) REQUIRES(mutex);
    bool FlushIfNeededLocked() REQUIRES(mutex);
    /** Reads a stored block. Needs no lock (status is atomic; block files are read by position): any thread. */
    std::optional<consensus::Block> ReadBlockLocked(const BlockIndex* index) const
    {
        return BlockReads().ReadBlock(index);
    }
    bool IsInitialBlockDownloadLocked() const;
    void AddCandidatesFromIndex() REQUIRES(mutex);
};

/** Seconds since the epoch (the network-adjusted time is the local time, as in current Core). */
int64_t NowSeconds();

/**
 * Core's GuessVerificationProgress: the share of all transactions expected by now_seconds
 * that the chain up to index holds, from the network's ChainTxData; 0 for no block or an
 * unknown transaction count, at most 1.
 */
double GuessVerificationProgress(const consensus::ChainTxData& data, const BlockIndex* index, int64_t now_seconds);

} // namespace node::chain
