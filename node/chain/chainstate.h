// The chainstate: the block index, the active chain, the UTXO set and the block files,
// and the logic that moves between them (Check -> Accept -> Connect/Disconnect).
//
// Thread contract: writers and readers. Every method that changes chain state ("owner"
// below: blocks and headers in, activation, invalidate/reconsider, imports, flushes,
// templates) takes the owner's lock (Impl::mutex) for a bounded step, so writers run one
// at a time; script checks run on a worker pool (-par) inside the step. In the daemon only
// the validation owner's thread (ValidationOwner, validation_owner.h) calls the writers:
// RPC threads, the import thread and (later) the P2P layer hand it their writes and wait
// on a future or get a callback. The long writes also come as steps (the *Steps methods,
// one bounded step per call) so the owner runs each step as a job of its own and other
// jobs run between them. Unit tests call the writers directly from any thread; the lock
// still serializes them. Reads ("reader" below) never take the owner's lock: they take a
// shared view lock, which the owner holds exclusively only for short publish moments
// (never across script checks, disk syncs or scans), or no lock at all. Any thread may
// call the readers. Notifications (ChainListener) leave the owner in the order the chain
// changed: synchronous listeners are called by the owner inside its step, asynchronous
// ones later from one queue on one notification thread. Index entries live as long as the
// chainstate; see BlockIndex for which fields may change.
#pragma once

#include "consensus/coins.h"
#include "consensus/params.h"
#include "consensus/primitives/block.h"
#include "consensus/validation_result.h"
#include "consensus/versionbits.h"
#include "node/chain/block_index.h"
#include "node/storage/coins_db.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace leveldb {
class Env;
} // namespace leveldb

namespace node {
class BlockTreeDB;
class CoinsViewCache;
} // namespace node

namespace node::chain {

class ScriptCache;
class ScriptCheckPool;

/**
 * Receives chain events, in the order the chain changed, one call at a time. How and where
 * depends on the Delivery it was added with (Chainstate::AddListener):
 * - SYNC (Core's mempool inside validation): called by the validation owner, on the thread
 *   applying the change, with the owner's lock (Impl::mutex) held and the readers' view lock
 *   not held, right after each connect/disconnect is published (readers already see it) and
 *   before the writer's next step; so before ProcessNewBlock, InvalidateBlock etc. return.
 *   It may call the readers' API; it must not call writers, AddListener/RemoveListener or
 *   SyncWithNotifications (the process aborts rather than deadlock). Keep it short: it runs
 *   inside validation.
 * - ASYNC (wallet, indexes, relay): called later on the chainstate's single notification
 *   thread, never with a chain lock held; writers never wait for it, except that a writer's
 *   next bounded step waits while more than ChainNotifier::MAX_QUEUED_EVENTS events are
 *   queued. It may call the chainstate (readers and writers); events its own calls cause
 *   follow when it returns. It must not wait for a job on the validation owner's thread
 *   (that thread may be waiting for this queue to drain).
 */
/** How a ChainListener is called: by the validation owner (SYNC) or the notification thread (ASYNC). */
enum class Delivery { SYNC, ASYNC };

class ChainListener {
public:
    virtual ~ChainListener() = default;
    /** A block was connected to the active chain. */
    virtual void BlockConnected(const std::shared_ptr<const consensus::Block>& block, const BlockIndex* index)
    {
        (void)block;
        (void)index;
    }
    /**
     * A transaction entered the mempool (asynchronous listeners only; the mempool itself is a
     * synchronous one). Queued in order with the block events (Chainstate::NotifyTransactionAdded).
     */
    virtual void TransactionAddedToMempool(const consensus::TransactionRef& tx) { (void)tx; }
    /**
     * A transaction left the mempool for any reason but a block (expiry, size limit, reorg,
     * conflict, replacement; Core's TransactionRemovedFromMempool, which skips BLOCK too: the
     * block's BlockConnected follows). Asynchronous listeners only, queued in order.
     */
    virtual void TransactionRemovedFromMempool(const consensus::TransactionRef& tx) { (void)tx; }
    /**
     * False for an asynchronous listener that overrides neither transaction event: none is
     * queued for it, so a busy mempool does not wake the notification thread for nothing. Read
     * once, when the listener is added.
     */
    virtual bool WantsMempoolEvents() const { return true; }
    /** A block was disconnected from the tip of the active chain (reorg or invalidateblock). */
    virtual void BlockDisconnected(const std::shared_ptr<const consensus::Block>& block, const BlockIndex* index)
    {
        (void)block;
        (void)index;
    }
    /** The tip changed; fork is the last common block with the previous tip. */
    virtual void UpdatedBlockTip(const BlockIndex* new_tip, const BlockIndex* fork, bool initial_download)
    {
        (void)new_tip;
        (void)fork;
        (void)initial_download;
    }
};

/** How to open a chainstate. */
struct ChainstateOptions {
    /** The network's data directory (<datadir>/<chain subdir>): blocks/ and chainstate/ live here. */
    std::filesystem::path data_dir;
    const consensus::ChainParams* params{nullptr};
    /** UTXO cache budget in bytes (-dbcache, MiB * 2^20). */
    size_t dbcache_bytes{450u << 20};
    /** Script verification threads including the caller (-par); <= 0 means all cores. */
    int par{0};
    /** Wipe the block index and chainstate and rebuild them from blk*.dat (-reindex). */
    bool reindex{false};
    /** Wipe the chainstate and rebuild it from the stored blocks (-reindex-chainstate). */
    bool reindex_chainstate{false};
    /** Largest single LevelDB write of a coins flush, in bytes (-dbbatchsize). */
    size_t coins_batch_bytes{CoinsViewDB::DEFAULT_BATCH_BYTES};
    /**
     * The file system LevelDB opens the block index and coins databases with (nullptr:
     * leveldb::Env::Default()). Tests pass a fault-injecting EnvWrapper; it must outlive
     * the chainstate.
     */
    leveldb::Env* leveldb_env{nullptr};
    /**
     * Core's AbortNode: called once, with the message logged as "*** <message>", when a
     * storage error (a failed or corrupt read, a failed write, a database's background
     * error) makes it unsafe to go on. Nothing is marked invalid for it. The daemon sets it
     * to request its normal shutdown (exit code 1); empty: log only. Called from the thread
     * that hit the error (validation, the index flusher, an RPC read), possibly with the
     * chainstate lock held: it must only signal, never call back into the chainstate.
     */
    std::function<void(const std::string& message)> on_fatal_error;
    /**
     * The wall clock (seconds since the epoch) that a header's time is judged
     * against (time-too-new); empty means the system clock; tests inject a fake one.
     */
    std::function<int64_t()> now_seconds;
    /**
     * The clock that paces the periodic flushes (index once a second, coins every ten
     * minutes); empty means std::chrono::steady_clock. Tests inject a fake one. Called with
     * the chainstate lock held, from the validation thread: it must not block.
     */
    std::function<std::chrono::steady_clock::time_point()> clock;
};

/** A block's place and state, for RPC. */
struct BlockInfo {
    const BlockIndex* index{nullptr};
    bool in_active_chain{false};
    int confirmations{-1}; // -1 if not in the active chain
    const BlockIndex* next{nullptr};
};

/** UTXO lookup result for gettxout. */
struct TxOutInfo {
    consensus::Coin coin;
    const BlockIndex* best_block{nullptr};
};

/** A BIP-9 deployment's state at one block, as getdeploymentinfo reports it. */
struct DeploymentStatus {
    consensus::ThresholdState current{consensus::ThresholdState::DEFINED}; // of the block itself
    consensus::ThresholdState next{consensus::ThresholdState::DEFINED};    // of its child
    int since{0};                                                          // height of the first block with `current`
    int next_since{0};                                                     // height of the first block with `next`
    /** Signalling in the block's period so far; set when `current` is STARTED or LOCKED_IN. */
    std::optional<consensus::Bip9Stats> stats;
    std::vector<bool> signalling; // one flag per block of the period so far, oldest first
};

/** Chain tip summary readable without waiting on the chainstate lock. */
struct TipSnapshot {
    int height{-1};
    consensus::Uint256 hash;
    int64_t time{0};
    int64_t median_time_past{0};
};

/**
 * One bounded step of a chain write (at most 32 blocks connected or disconnected; it first
 * waits while the notification queue is over its limit): nullopt while steps remain, then
 * the write's result. Owner.
 * Every step leaves the chain consistent, so a write whose later steps never run (the
 * owner stopped) is merely unfinished: the next activation goes on from where it is.
 * Holds a reference to the chainstate: drop it before the chainstate closes.
 */
using WriteStep = std::function<std::optional<consensus::ValidationResult>()>;

/**
 * Runs a chain write on the validation owner's thread and returns once it ran
 * (ValidationOwner::Run); empty: the caller runs it itself (unit tests).
 */
using RunOnOwner = std::function<void(const std::function<void()>&)>;

/** The block index, active chain, UTXO set and block storage of one network. */
class Chainstate {
public:
    /**
     * Opens or creates the chainstate in options.data_dir: loads the block index and the
     * coins database, checks they agree (finishing an interrupted coins flush), puts the
     * active chain where the coins are (on the genesis block when they are empty, storing
     * it on a new datadir) and wipes them on -reindex/-reindex-chainstate. It does not
     * connect the blocks stored beyond the coins' tip (a crash's last blocks, the whole
     * chain on -reindex-chainstate): that catch-up is ActivateBestChain's, which the daemon
     * runs after RPC warm-up, step by step on the validation owner (the -reindex rebuild
     * runs in ImportBlocks). nullptr with error set on failure.
     */
    static std::unique_ptr<Chainstate> Open(const ChainstateOptions& options, std::string& error);
    ~Chainstate();
    Chainstate(const Chainstate&) = delete;
    Chainstate& operator=(const Chainstate&) = delete;

    const consensus::ChainParams& Params() const { return *m_params; }

    // ---- Blocks in ----

    /**
     * Full processing of a new block: check, accept (store), and activate the best
     * chain. new_block is set if the block was not known before. Invalid if the block
     * itself is invalid; a valid result does not mean the block became the tip. Owner,
     * in bounded steps.
     */
    consensus::ValidationResult ProcessNewBlock(const std::shared_ptr<const consensus::Block>& block,
                                                bool* new_block = nullptr);
    /**
     * ProcessNewBlock as steps: the first checks, stores and makes the first activation
     * step; *new_block (if non-null) is set by it and must stay valid until it ran.
     */
    WriteStep ProcessNewBlockSteps(std::shared_ptr<const consensus::Block> block, bool* new_block);
    /** Accepts headers (context checks, index entries), e.g. from submitheader. Owner; invalid on the first bad header. */
    consensus::ValidationResult ProcessNewBlockHeaders(const std::vector<consensus::BlockHeader>& headers,
                                                       const BlockIndex** last = nullptr);
    /** Connects the best valid chain we have data for, in bounded steps. Owner. Error only on an internal failure. */
    consensus::ValidationResult ActivateBestChain();
    /** ActivateBestChain as steps (the start-up catch-up). */
    WriteStep ActivateBestChainSteps();
    /**
     * Re-imports on -reindex / -reindex-chainstate (and catches up after a crash), then
     * every -loadblock file (Core blk format). Reading the files stays on the caller's
     * thread; every write (a block accepted, an activation step) goes through run, one at
     * a time: the next block is read only once the last one's write ran, so at most one
     * block waits for the owner. Logs progress; stops early if interrupt becomes true.
     * Returns the number of blocks newly accepted.
     */
    size_t ImportBlocks(const std::vector<std::filesystem::path>& loadblock_files, const std::atomic<bool>& interrupt,
                        const RunOnOwner& run = {});
    /** Imports one Core-format block file (writes through run, as ImportBlocks); returns blocks accepted. */
    size_t LoadExternalBlockFile(const std::filesystem::path& path, const std::atomic<bool>& interrupt,
                                 const RunOnOwner& run = {});

    // ---- Manual intervention ----

    /**
     * Marks a block and its descendants invalid and moves the tip off them (invalidateblock).
     * Owner, in bounded steps (the lock is released between them).
     */
    consensus::ValidationResult InvalidateBlock(const consensus::Uint256& hash);
    /** Clears failure flags of a block, its ancestors and descendants, then activates in bounded steps (reconsiderblock). Owner. */
    consensus::ValidationResult ReconsiderBlock(const consensus::Uint256& hash);
    /** InvalidateBlock as steps: mark, walk the tip back, activate the best remaining chain. */
    WriteStep InvalidateBlockSteps(const consensus::Uint256& hash);
    /** ReconsiderBlock as steps: clear the flags, then activate. */
    WriteStep ReconsiderBlockSteps(const consensus::Uint256& hash);
    /** Runs a write's steps back to back on the calling thread; its result. */
    static consensus::ValidationResult RunSteps(const WriteStep& step);

    // ---- Mining ----

    /**
     * A new block template on the current tip paying to script_pubkey: coinbase with the
     * BIP-34 height, the subsidy (plus the fees of txs if pay_fees), witness commitment
     * when segwit is active, the required difficulty and time max(MTP + 1, now). txs are
     * included as given (after the coinbase). Not yet solved (nonce 0). Error result if
     * txs are invalid. generateblock passes pay_fees=false, as Core's appends its
     * transactions to a template built without them.
     */
    consensus::ValidationResult CreateNewBlock(const consensus::Script& script_pubkey,
                                               const std::vector<consensus::TransactionRef>& txs,
                                               consensus::Block& out_block, bool pay_fees = true);
    /** Checks a block template against the current tip without storing it (getblocktemplate proposal, generateblock). */
    consensus::ValidationResult TestBlockValidity(const consensus::Block& block, bool check_pow, bool check_merkle);

    // ---- Reads: any thread; never the owner's lock, at most the view lock shared, briefly ----

    TipSnapshot GetTipSnapshot() const;
    int Height() const;
    /** Copy of the active chain's tip index pointer (stable: index entries are never freed while the chainstate lives). */
    const BlockIndex* Tip() const;
    const BlockIndex* BestHeader() const;
    /** Active chain block at height, or nullptr. */
    const BlockIndex* AtHeight(int height) const;
    const BlockIndex* LookupBlockIndex(const consensus::Uint256& hash) const;
    std::optional<BlockInfo> GetBlockInfo(const consensus::Uint256& hash) const;
    bool IsInActiveChain(const BlockIndex* index) const;
    /**
     * A block locator from index (nullptr: the tip): its hash and its ancestors', dense for
     * 10 entries then exponentially sparser, ending at genesis (getheaders/getblocks). View lock shared.
     */
    std::vector<consensus::Uint256> GetLocator(const BlockIndex* index = nullptr) const;
    /**
     * The first locator entry that is on the active chain (Core's FindForkInGlobalIndex), or
     * genesis if none is: where a getheaders/getblocks answer starts. View lock shared.
     */
    const BlockIndex* FindForkInLocator(const std::vector<consensus::Uint256>& locator) const;
    /**
     * Up to max headers of the active chain after fork, stopping after hash_stop if it is
     * reached (the answer to getheaders). View lock shared.
     */
    std::vector<consensus::BlockHeader> ActiveHeadersAfter(const BlockIndex* fork, const consensus::Uint256& hash_stop,
                                                           size_t max) const;
    /** A chain tip and where it meets the active chain, read together (getchaintips). */
    struct ChainTip {
        const BlockIndex* block;
        const BlockIndex* fork; // the last block it shares with the active chain; == block: it is the active tip
    };
    /**
     * Every block index entry without a known child, and the active tip (which may have
     * children: headers-only or invalid ones), highest first. One view lock for the list and
     * every fork, so exactly one tip is active even while a reorg runs (Core: under cs_main).
     */
    std::vector<ChainTip> GetChainTips() const;
    /** Reads a stored block; nullopt if not stored or unreadable. No lock. */
    std::optional<consensus::Block> ReadBlock(const BlockIndex* index) const;
    std::optional<std::vector<uint8_t>> ReadRawBlock(const BlockIndex* index) const;
    /** Undo data of a stored, connected block (getblock verbosity 3); nullopt if none or unreadable. No lock. */
    std::optional<BlockUndo> ReadUndo(const BlockIndex* index) const;
    /** The unspent coin at outpoint in the UTXO set and the tip it is current to (view lock shared). nullopt if none. */
    std::optional<TxOutInfo> GetTxOut(const consensus::OutPoint& outpoint) const;
    /**
     * Flushes the coins cache (owner), then freezes the coins database (scantxoutset): the
     * snapshot and the tip it is current to. Read the snapshot without any lock while
     * blocks keep connecting; it must be released before the chainstate closes.
     * nullopt if the flush fails.
     */
    std::optional<std::pair<std::unique_ptr<CoinsSnapshot>, const BlockIndex*>> SnapshotCoins();
    /**
     * Flushes (owner's lock), then computes UTXO set statistics and the chosen hash over a
     * snapshot of the whole database without any lock. nullopt if the flush fails.
     */
    std::optional<UtxoStats> GetUtxoStats(UtxoHashType hash_type = UtxoHashType::HASH_SERIALIZED);
    /**
     * For background indexes (node/index/): the active-chain block after `after` (the
     * genesis block for nullptr, the block after the fork if `after` left the active
     * chain) with its position in pos. If there is none, calls at_tip under the view lock
     * (shared: the tip cannot move meanwhile, so notifications of later blocks come after
     * it) and returns nullptr. at_tip must not call into the chainstate's writers.
     */
    const BlockIndex* NextSyncBlock(const BlockIndex* after, FlatFilePos& pos,
                                    const std::function<void()>& at_tip) const;
    /** Reads a stored block by position without taking the lock (block records never move). */
    std::optional<consensus::Block> ReadBlockAt(const FlatFilePos& pos) const;
    /** The transaction tx_offset bytes into the block at pos and the block's hash, without the lock. */
    std::optional<std::pair<consensus::Transaction, consensus::Uint256>> ReadTransactionAt(const FlatFilePos& pos,
                                                                                           uint32_t tx_offset) const;
    /** True while importing/reindexing or far behind (tip older than 24 h), as Core's IsInitialBlockDownload. */
    bool IsInitialBlockDownload() const;
    /** True while -loadblock/-reindex read block files (Core's LoadingBlocks): peers' headers and blocks wait. */
    bool IsImporting() const;
    /** Estimated fraction of the chain verified (0..1), for getblockchaininfo. */
    double GuessVerificationProgress(const BlockIndex* index) const;
    /** Disk space used by blk/rev files. */
    uint64_t BlockFilesSize() const;
    /** Bytes used by the UTXO cache and its entry count. */
    std::pair<size_t, size_t> CoinsCacheUsage() const;
    /**
     * The script execution cache (script_cache.h): the mempool adds the transactions whose
     * scripts it verified; block connection skips them. Any thread.
     */
    ScriptCache& GetScriptCache();
    /** Script flags that the block at index is validated with (consensus, per height/network). */
    uint32_t GetBlockScriptFlags(const BlockIndex* index) const;
    /** BIP-9 state of deployment pos for the block after prev (getblocktemplate). */
    consensus::ThresholdState VersionBitsState(const BlockIndex* prev, consensus::DeploymentPos pos) const;
    /** BIP-9 state, since-heights and period statistics of deployment pos at index (non-null). */
    DeploymentStatus GetDeploymentStatus(const BlockIndex* index, consensus::DeploymentPos pos) const;
    /** Core's ComputeBlockVersion: the version a block after prev signals with (BIP-9). */
    int32_t ComputeBlockVersion(const BlockIndex* prev) const;
    /** Difficulty (as getdifficulty) of an index, 1.0 at the minimum. */
    static double GetDifficulty(const BlockIndex* index);

    // ---- Self-check ----

    /** Core's DEFAULT_CHECKLEVEL and DEFAULT_CHECKBLOCKS (verifychain, -checklevel, -checkblocks). */
    static constexpr int DEFAULT_CHECKLEVEL = 3;
    static constexpr int DEFAULT_CHECKBLOCKS = 6;
    /**
     * Core's VerifyDB: checks the last depth blocks of the active chain (depth <= 0: all) at
     * level 0-4 (clamped): 0 reads each block, 1 runs CheckBlock, 2 reads its undo data, 3
     * disconnects the blocks in a throw-away coins cache and requires every coin to be as
     * recorded, 4 reconnects them there. Nothing of the chainstate changes. Logs as Core
     * ("Verifying last N blocks at level L", "Verification error: ..."). True only if every
     * check ran and passed (false also when level 3 was skipped for lack of -dbcache).
     * Holds the owner's lock throughout (readers go on).
     */
    bool VerifyDB(int level, int depth);

    // ---- Events ----

    /**
     * Subscribes listener (see ChainListener for what each Delivery means). It receives the
     * events recorded from now on (an asynchronous one also any still queued). Any thread
     * without the owner's lock; not from a synchronous listener.
     */
    void AddListener(ChainListener* listener, Delivery delivery = Delivery::ASYNC);
    /**
     * Unsubscribes listener. Waits for a call to it in progress to return (unless called from
     * that very call), so the caller may destroy it afterwards. Any thread without the
     * owner's lock; not from a synchronous listener.
     */
    void RemoveListener(ChainListener* listener);
    /**
     * Core's NewPoWValidBlock: called by the validation owner, with its lock held, when a new
     * block that extends the chain of the current tip has passed the header, structure and
     * context checks and is stored, before it is connected (BIP-152 lets a node announce it to
     * high-bandwidth peers then). The hook must be short, may call readers and must not call
     * writers. nullptr removes it; setting waits for a call in progress to return.
     */
    using NewBlockHook = std::function<void(const std::shared_ptr<const consensus::Block>&, const BlockIndex*)>;
    void SetNewPoWValidBlockHook(NewBlockHook hook);
    /**
     * Waits until every event recorded before the call has been delivered to the asynchronous
     * listeners (Core's SyncWithValidationInterfaceQueue): e.g. an RPC that reads an index
     * after a block. Any thread without the owner's lock; returns at once on the
     * notification thread; not from a synchronous listener.
     */
    void SyncWithNotifications();
    /**
     * The mempool's news for asynchronous listeners: tx entered the pool. Only on the
     * validation owner's thread (where the pool changes, so the event keeps its place among
     * the chain's), inside a synchronous listener too.
     */
    void NotifyTransactionAdded(const consensus::TransactionRef& tx);
    /** The same for a transaction that left the pool other than by a block (same thread rules). */
    void NotifyTransactionRemoved(const consensus::TransactionRef& tx);
    /** Events queued for asynchronous listeners and not yet delivered (diagnostics). Any thread. */
    size_t PendingNotifications() const;
    /**
     * Waits until pred(tip) holds or timeout passes (zero = forever) or Interrupt() is
     * called; returns the tip snapshot at return. For waitfornewblock/waitforblockheight.
     */
    TipSnapshot WaitForTip(const std::function<bool(const TipSnapshot&)>& pred, std::chrono::milliseconds timeout);
    /**
     * A reorganisation's mark for readers of the pool and the chain under their own locks
     * (Core holds cs_main and the pool's lock over a whole reorganisation). Odd from the first
     * block disconnected until the tip event after which the synchronous listeners (the
     * mempool) hold its transactions again; between, such a transaction is neither in the
     * UTXO set nor in the pool. A reader that found nothing compares it before and after
     * (FindCoin). Any thread.
     */
    uint64_t ReorgSequence() const;
    /**
     * Waits until no reorganisation is in progress (ReorgSequence even) or Interrupt() is
     * called. Not on the owner's thread nor from a synchronous listener (it would wait for
     * itself), nor from an asynchronous one: invalidateblock's walk keeps the mark between
     * its steps and waits for room in the notification queue before each.
     */
    void WaitForReorgEnd() const;
    /** Wakes all waiters (shutdown). */
    void Interrupt();
    /** True once Interrupt() was called: long readers (scantxoutset) stop early. Any thread. */
    bool IsInterrupted() const;

    // ---- Durability ----

    /** Writes block files, the block index and the UTXO cache to disk (in that order). False on I/O failure. */
    bool Flush();
    /** Flushes only if the cache is over budget or enough time passed since the last flush. */
    bool FlushIfNeeded();
    /**
     * Makes every block accepted so far durable: block and undo bytes synced, then the
     * block index written (not the UTXO cache, which catches up from the blocks on a
     * restart). Block processing does this at most once a second; callers that
     * acknowledge a block to a user (submitblock, generate*) call this first. False on
     * I/O failure.
     */
    bool SyncBlockIndex();
    /** True once a fatal storage error was reported (on_fatal_error); the node must stop. Any thread. */
    bool FatalErrorOccurred() const;
    /** Background index flushes completed so far (diagnostics). */
    size_t BackgroundIndexFlushes() const;
    /**
     * Blocks until the background index flush handed over so far (if any) has finished:
     * the "flushed" notification. True if every background flush succeeded; false once
     * one failed. Any thread; do not hold the chainstate lock.
     */
    bool WaitForBackgroundIndexFlush();

private:
    Chainstate() = default;
    /** -reindex: rebuilds the block index and chainstate from blk*.dat in place; returns blocks accepted. */
    size_t ReindexBlockFiles(const std::atomic<bool>& interrupt, const RunOnOwner& run);
    /** One bounded activation step: its result, or nullopt if more steps are to come (a WriteStep's contract). */
    std::optional<consensus::ValidationResult> ActivateBestChainStep();
    /**
     * Waits, before a writer's next bounded step and without the owner's lock, while the
     * asynchronous notification queue is over its limit (Core's LimitValidationInterfaceQueue).
     */
    void LimitNotificationQueue();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    const consensus::ChainParams* m_params{nullptr};
};

} // namespace node::chain
