// Chainstate: opening and loading (block index, coins, block files), flushing in the
// order that keeps a crash consistent, and the read accessors used by RPC.
#include "node/chain/chainstate_impl.h"

#include "consensus/contextual_check.h"
#include "consensus/hash.h"
#include "consensus/pow.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace node::chain {

using consensus::Uint256;
using consensus::ValidationResult;

int64_t NowSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// ---------------------------------------------------------------- Impl helpers

void Chainstate::Impl::ReceivedBlockTransactions(BlockIndex* index, uint32_t n_tx, const FlatFilePos& pos)
{
    index->n_tx = n_tx;
    index->data_pos = pos;
    index->status |= BLOCK_HAVE_DATA;
    index->RaiseValidity(BLOCK_VALID_TRANSACTIONS);
    blockman.MarkDirty(index);
    if (index->prev == nullptr || index->prev->chain_tx.load() != 0) {
        // This block and any waiting descendants now have all their ancestors' data.
        std::deque<BlockIndex*> queue{index};
        while (!queue.empty()) {
            BlockIndex* b = queue.front();
            queue.pop_front();
            b->chain_tx = (b->prev ? b->prev->chain_tx.load() : 0) + b->n_tx;
            b->sequence_id = next_sequence_id++;
            if (b->IsValid(BLOCK_VALID_TRANSACTIONS) && (!active.Tip() || !CandidateOrder()(active.Tip(), b))) {
                candidates.insert(b);
            }
            auto range = unlinked.equal_range(b);
            for (auto it = range.first; it != range.second; ++it) queue.push_back(it->second);
            unlinked.erase(range.first, range.second);
        }
    } else if (index->prev && (index->prev->status & BLOCK_HAVE_DATA) == 0) {
        unlinked.emplace(index->prev, index);
    } else if (index->prev) {
        unlinked.emplace(index->prev, index);
    }
}

void Chainstate::Impl::InvalidBlockFound(BlockIndex* index, const ValidationResult& result)
{
    CHAIN_LOG("InvalidBlockFound: %s at height %d: %s\n", index->GetBlockHash().GetHex().c_str(), index->height,
              result.ToString().c_str());
    index->status |= BLOCK_FAILED_VALID;
    blockman.MarkDirty(index);
    candidates.erase(index);
    last_failed = index;
    last_failed_result = result;
    if (best_header && best_header->GetAncestor(index->height) == index) {
        // Recompute the best header among valid entries.
        BlockIndex* best = active.Tip();
        for (auto& [h, e] : blockman.Index()) {
            if (!(e->status & BLOCK_FAILED_MASK) && (!best || CandidateOrder()(e.get(), best))) {
                bool failed_ancestor = false;
                for (BlockIndex* p = e.get(); p; p = p->prev) {
                    if (p->status & BLOCK_FAILED_MASK) {
                        failed_ancestor = true;
                        break;
                    }
                    if (active.Contains(p)) break;
                }
                if (!failed_ancestor) best = e.get();
            }
        }
        SetBestHeader(best);
    }
}

void Chainstate::Impl::SetBestHeader(BlockIndex* index)
{
    util::ExclusiveLock view(view_mutex);
    best_header = index;
}

ReadStatus MainCoinsView::ReadCoin(const consensus::OutPoint& outpoint, consensus::Coin& coin) const
{
    if (!m_before.empty()) {
        if (auto it = m_before.find(outpoint); it != m_before.end()) {
            if (!it->second) return ReadStatus::ABSENT;
            coin = *it->second;
            return ReadStatus::FOUND;
        }
    }
    if (const CoinsCacheEntry* e = m_cache.PeekEntry(outpoint)) {
        if (e->coin.IsSpent()) return ReadStatus::ABSENT;
        coin = e->coin;
        return ReadStatus::FOUND;
    }
    return m_db.ReadCoin(outpoint, coin);
}

std::optional<consensus::Coin> MainCoinsView::GetCoin(const consensus::OutPoint& outpoint) const
{
    consensus::Coin coin;
    if (ReadCoin(outpoint, coin) != ReadStatus::FOUND) return std::nullopt;
    return coin;
}

void Chainstate::Impl::SetActiveTip(BlockIndex* new_tip)
{
    active.SetTip(new_tip);
    if (!tip_publish_deferred) PublishTip();
}

void Chainstate::Impl::PublishTip()
{
    TipSnapshot snap;
    if (const BlockIndex* tip = active.Tip()) {
        snap.height = tip->height;
        snap.hash = tip->GetBlockHash();
        snap.time = tip->GetBlockTime();
        snap.median_time_past = tip->GetMedianTimePast();
    }
    {
        util::LockGuard lock(tip_mutex);
        tip_snapshot = snap;
    }
    tip_cv.notify_all();
}

void Chainstate::Impl::BeginReorg()
{
    util::LockGuard lock(tip_mutex);
    if (reorg_sequence % 2 == 0) ++reorg_sequence;
}

void Chainstate::Impl::EndReorg()
{
    {
        util::LockGuard lock(tip_mutex);
        if (reorg_sequence % 2 == 0) return;
        ++reorg_sequence;
    }
    tip_cv.notify_all();
}

uint32_t Chainstate::Impl::NextWorkRequired(const BlockIndex* prev, int64_t block_time) const
{
    std::optional<consensus::PowHeader> last;
    if (prev) last = consensus::PowHeader{prev->height, prev->bits, prev->GetBlockTime()};
    return consensus::GetNextWorkRequired(
        last, block_time,
        [prev](int h) {
            const BlockIndex* a = prev->GetAncestor(h);
            return consensus::PowHeader{a->height, a->bits, a->GetBlockTime()};
        },
        params->consensus);
}

uint32_t Chainstate::Impl::BlockScriptFlags(const BlockIndex* index) const
{
    return consensus::GetBlockScriptFlags(index->height, index->GetBlockHash(), params->consensus);
}

bool Chainstate::Impl::IsInitialBlockDownloadLocked() const
{
    if (ibd_latched_false.load()) return false;
    if (importing.load()) return true;
    const BlockIndex* tip = active.Tip();
    if (!tip) return true;
    if (tip->GetBlockTime() < NowSeconds() - 24 * 60 * 60) return true;
    ibd_latched_false = true;
    return false;
}

void Chainstate::Impl::AddCandidatesFromIndex()
{
    for (auto& [hash, e] : blockman.Index()) {
        BlockIndex* b = e.get();
        if (b->IsValid(BLOCK_VALID_TRANSACTIONS) && b->chain_tx != 0 &&
            (!active.Tip() || !CandidateOrder()(active.Tip(), b))) {
            candidates.insert(b);
        }
    }
}

bool Chainstate::Impl::StartIndexFlushLocked()
{
    bool busy = false;
    if (!blockman.StartIndexFlushLocked(busy)) return false;
    if (!busy) last_index_flush = Now();
    return true;
}

bool Chainstate::Impl::FlushLocked(bool force_coins)
{
    // Order matters for crash consistency: block and undo bytes reach the disk before
    // the index entries that point at them, and the index before the coins whose best
    // block it must know. Each step is atomic on its own; a background index flush in
    // progress finishes first, so index writes land in the order they were made.
    if (!blockman.FlushIndexLocked()) return false; // a failed write was reported (AbortNode)
    last_index_flush = Now();
    if (force_coins || coins->DynamicMemoryUsage() > opts.dbcache_bytes) {
        // Readers keep reading the cache while its changes are written (the database only
        // reads the map); they wait only for the cache to be emptied.
        if (!coins->WriteBack()) {
            AbortNode(StorageErrorMessage("Failed to write to the coins database", false));
            return false;
        }
        // Emptied in the exclusive moment, freed after it: freeing a few million entries
        // takes long enough for readers to notice.
        CoinsMap flushed;
        {
            util::ExclusiveLock view(view_mutex);
            coins->ClearInto(flushed);
        }
        last_coins_flush = Now();
    }
    return true;
}

bool Chainstate::Impl::FlushIfNeededLocked()
{
    const auto now = Now();
    const bool cache_full = coins->DynamicMemoryUsage() > opts.dbcache_bytes;
    const bool coins_due = now - last_coins_flush > std::chrono::minutes(10);
    // The block index (with the block and undo bytes it points to) is written at most
    // once a second, by the index flusher, so syncing never waits on an fsync; whoever
    // acknowledges a block to a user calls SyncBlockIndex() first, so a kill -9 loses no
    // acknowledged block (on restart it is connected again from disk).
    const bool index_due = now - last_index_flush > std::chrono::seconds(1);
    if (cache_full || coins_due) return FlushLocked(true);
    if (index_due) return StartIndexFlushLocked();
    return true;
}

// ---------------------------------------------------------------- Open

bool Chainstate::Impl::CheckCoinsStateLocked(std::string& error)
{
    const std::string advice = "; restart with -reindex-chainstate or -reindex";
    Uint256 best;
    std::vector<Uint256> heads;
    if (!coins_db->ReadState(best, heads)) {
        error = "cannot read the state of the chainstate database" + advice;
        return false;
    }
    if (!heads.empty()) return ReplayBlocksLocked(heads[0], heads[1], error);
    if (best.IsNull() && coins_db->HasCoins()) {
        // Connecting from the genesis block over these coins would find them in the way.
        error = "the chainstate database has coins but no best block" + advice;
        return false;
    }
    return true;
}

bool Chainstate::Impl::ReplayBlocksLocked(const Uint256& new_hash, const Uint256& old_hash, std::string& error)
{
    // Core's ReplayBlocks. A flush writes in several batches; a crash between them leaves
    // the coins partly at the old block and partly at the new one, with the marker
    // {new, old}. Undoing the old branch back to the fork (tolerating coins already
    // changed) and then re-applying every block up to the new one (spends that find
    // nothing, outputs that overwrite) gives exactly the coins at the new block. The work
    // is done in a cache of its own, so a failure leaves the main cache untouched; if the
    // replay's own flush is interrupted, it keeps the same marker and runs again next time.
    const std::string advice = "; restart with -reindex-chainstate or -reindex";
    const BlockIndex* new_tip = Lookup(new_hash);
    if (!new_tip || !(new_tip->status & BLOCK_HAVE_DATA)) {
        error = "the interrupted coins flush's block " + new_hash.GetHex() + " is not stored" + advice;
        return false;
    }
    const BlockIndex* old_tip = nullptr;
    if (!old_hash.IsNull()) {
        old_tip = Lookup(old_hash);
        if (!old_tip) {
            error =
                "the interrupted coins flush's old block " + old_hash.GetHex() + " is not in the block index" + advice;
            return false;
        }
    }
    const BlockIndex* fork = old_tip ? LastCommonAncestor(old_tip, new_tip) : nullptr;
    CHAIN_LOG("Replaying the coins from %s (height %d) to %s (height %d) after an interrupted flush\n",
              old_tip ? old_tip->GetBlockHash().GetHex().c_str() : "(none)", old_tip ? old_tip->height : -1,
              new_tip->GetBlockHash().GetHex().c_str(), new_tip->height);
    CoinsViewCache cache(coins_db.get());
    for (const BlockIndex* b = old_tip; b != fork; b = b->prev) {
        auto block = ReadBlockLocked(b);
        if (!block || !(b->status & BLOCK_HAVE_UNDO) || !DisconnectBlock(*block, b, cache)) {
            error = "cannot roll back block " + b->GetBlockHash().GetHex() + " while replaying the coins" + advice;
            return false;
        }
        CHAIN_LOG("Rolled back block %s (height %d)\n", b->GetBlockHash().GetHex().c_str(), b->height);
    }
    std::vector<const BlockIndex*> forward;
    for (const BlockIndex* b = new_tip; b != fork; b = b->prev) forward.push_back(b);
    for (auto it = forward.rbegin(); it != forward.rend(); ++it) {
        const BlockIndex* b = *it;
        // The genesis block's outputs are not coins (ConnectBlock adds nothing for it).
        if (b->GetBlockHash() == params->consensus.hash_genesis_block) continue;
        auto block = ReadBlockLocked(b);
        if (!block) {
            error = "cannot read block " + b->GetBlockHash().GetHex() + " while replaying the coins" + advice;
            return false;
        }
        for (const auto& tx : block->vtx) {
            if (!tx->IsCoinBase()) {
                for (const auto& in : tx->vin) cache.SpendCoin(in.prevout);
            }
            cache.AddCoins(*tx, static_cast<uint32_t>(b->height), /*possible_overwrite=*/true);
        }
    }
    if (cache.ReadFailed()) {
        // An absent answer may have been a failed read: these coins cannot be trusted.
        error = StorageErrorMessage("Failed to read from the coins database while replaying the coins", false);
        return false;
    }
    cache.SetBestBlock(new_tip->GetBlockHash());
    if (!cache.Flush()) {
        error = StorageErrorMessage("Failed to write the replayed coins", false);
        return false;
    }
    CHAIN_LOG("Coins replayed to height %d\n", new_tip->height);
    return true;
}

std::unique_ptr<Chainstate> Chainstate::Open(const ChainstateOptions& options, std::string& error)
{
    std::unique_ptr<Chainstate> cs(new Chainstate());
    cs->m_impl = std::make_unique<Impl>();
    cs->m_params = options.params;
    Impl& d = *cs->m_impl;
    d.opts = options;
    d.last_index_flush = d.last_coins_flush = d.Now();
    d.params = options.params;

    std::error_code ec;
    std::filesystem::create_directories(options.data_dir / "blocks", ec);
    if (ec) {
        error = "cannot create " + (options.data_dir / "blocks").string() + ": " + ec.message();
        return nullptr;
    }
    // LevelDB caches: a small share for the index, the rest of -dbcache stays for coins.
    const size_t index_cache = std::min<size_t>(options.dbcache_bytes / 8, 2 << 20);
    {
        util::LockGuard lock(d.mutex);
        if (!d.blockman.Open(options.data_dir / "blocks", options.params->message_start, index_cache, options.reindex,
                             options.leveldb_env, error)) {
            error = Impl::StorageErrorMessage("Failed to open the block index: " + error, true);
            d.AbortNode(error);
            return nullptr;
        }
    }
    const size_t coins_db_cache = std::min<size_t>(options.dbcache_bytes / 4, 8 << 20);
    d.coins_db =
        std::make_unique<CoinsViewDB>(options.data_dir / "chainstate", coins_db_cache,
                                      options.reindex || options.reindex_chainstate, error, options.leveldb_env);
    if (!d.coins_db->IsOpen()) {
        error = Impl::StorageErrorMessage("Failed to open the coins database: " + error, false);
        d.AbortNode(error);
        return nullptr;
    }
    d.coins_db->SetBatchBytes(options.coins_batch_bytes);
    d.coins = std::make_unique<CoinsViewCache>(d.coins_db.get());
    {
        util::SharedLock lock(d.view_mutex); // for the reference only: MainCoinsView's callers hold view_mutex
        d.coins_tip = std::make_unique<MainCoinsView>(*d.coins, *d.coins_db, d.coins_before);
    }
    int threads = options.par;
    if (threads <= 0) threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    d.pool = std::make_unique<ScriptCheckPool>(std::min(threads, 64));

    util::LockGuard lock(d.mutex);
    if (options.reindex) {
        if (!d.blockman.WriteReindexing(true)) {
            error = "cannot write the reindexing flag";
            return nullptr;
        }
    } else {
        // Load the block index.
        std::vector<BlockIndex*> loaded;
        switch (d.blockman.LoadBlockIndex(loaded, error)) {
        case BlockManager::LoadResult::OK: break;
        case BlockManager::LoadResult::FAILED: return nullptr;
        case BlockManager::LoadResult::STORAGE_ERROR:
            error = Impl::StorageErrorMessage(error, true);
            d.AbortNode(error);
            return nullptr;
        }
        d.best_header = nullptr;
        for (BlockIndex* b : loaded) {
            if (b->status & BLOCK_HAVE_DATA) {
                b->chain_tx = (!b->prev || b->prev->chain_tx) ? (b->prev ? b->prev->chain_tx.load() : 0) + b->n_tx : 0;
                if (b->chain_tx == 0 && b->prev) d.unlinked.emplace(b->prev, b);
                b->sequence_id = 0; // loaded blocks tie on work by address, as in Core
            }
            if (!(b->status & BLOCK_FAILED_MASK) && (!d.best_header || CandidateOrder()(b, d.best_header))) {
                d.best_header = b;
            }
        }
        // A coins flush a crash interrupted is finished first.
        if (!d.CheckCoinsStateLocked(error)) {
            d.AbortNode(error);
            return nullptr;
        }
        // Put the active chain where the coins are.
        const Uint256 coins_tip = d.coins->GetBestBlock();
        // Kept in the cache: later questions about it need no database read.
        d.coins->SetBestBlock(coins_tip);
        if (!coins_tip.IsNull()) {
            BlockIndex* tip = d.Lookup(coins_tip);
            if (!tip) {
                error = "the chainstate's best block " + coins_tip.GetHex() +
                        " is not in the block index; restart with -reindex-chainstate or -reindex";
                return nullptr;
            }
            util::ExclusiveLock view(d.view_mutex);
            d.SetActiveTip(tip);
        }
        if (d.blockman.Index().empty()) {
            // A new datadir: store the genesis block.
            auto genesis = std::make_shared<const consensus::Block>(options.params->GenesisBlock());
            BlockIndex* gi = nullptr;
            const ValidationResult r = d.AcceptBlock(genesis, nullptr, nullptr, &gi);
            if (!r.IsValid()) {
                error = "cannot store the genesis block: " + r.ToString();
                return nullptr;
            }
        }
        d.AddCandidatesFromIndex();
        // Empty coins (a new datadir, -reindex-chainstate): the chain starts at the genesis
        // block, one block to connect. Whatever is stored beyond the coins' tip (blocks
        // accepted but not yet flushed to the coins before a crash, the whole chain on
        // -reindex-chainstate) is connected later by ActivateBestChain, in steps (in the
        // daemon on the validation owner, after RPC warm-up), not here.
        if (!d.active.Tip()) {
            BlockIndex* genesis = d.Lookup(options.params->consensus.hash_genesis_block);
            if (genesis && (genesis->status & BLOCK_HAVE_DATA) && !(genesis->status & BLOCK_FAILED_MASK)) {
                const ValidationResult r = d.ConnectTip(genesis, nullptr);
                if (!r.IsValid()) {
                    error = "cannot connect the genesis block: " + r.ToString();
                    return nullptr;
                }
                d.candidates.insert(genesis);
            }
        }
    }
    d.opened = true;
    return cs;
}

Chainstate::~Chainstate()
{
    if (!m_impl) return;
    Interrupt();
    // Events still queued reach the asynchronous listeners before the index entries they
    // point at go; then the thread ends (later events would reach synchronous ones only).
    m_impl->notifier.Stop();
    util::LockGuard lock(m_impl->mutex);
    // A chainstate whose Open() failed is not flushed: whatever it did is redone next time.
    if (m_impl->opened && !m_impl->FlushLocked(true)) CHAIN_LOG("Error: final flush failed\n");
}

// ---------------------------------------------------------------- Flushing

bool Chainstate::Flush()
{
    util::LockGuard lock(m_impl->mutex);
    return m_impl->FlushLocked(true);
}

size_t Chainstate::BackgroundIndexFlushes() const { return m_impl->BlockReads().BackgroundIndexFlushes(); }

bool Chainstate::WaitForBackgroundIndexFlush() { return m_impl->BlockReads().WaitForIndexFlush(); }

bool Chainstate::FlushIfNeeded()
{
    util::LockGuard lock(m_impl->mutex);
    return m_impl->FlushIfNeededLocked();
}

bool Chainstate::SyncBlockIndex()
{
    util::LockGuard lock(m_impl->mutex);
    return m_impl->FlushLocked(false);
}

// ---------------------------------------------------------------- Reads

TipSnapshot Chainstate::GetTipSnapshot() const
{
    util::LockGuard lock(m_impl->tip_mutex);
    return m_impl->tip_snapshot;
}

int Chainstate::Height() const { return GetTipSnapshot().height; }

const BlockIndex* Chainstate::Tip() const
{
    util::SharedLock lock(m_impl->view_mutex);
    return m_impl->active.Tip();
}

const BlockIndex* Chainstate::BestHeader() const
{
    util::SharedLock lock(m_impl->view_mutex);
    return m_impl->best_header;
}

const BlockIndex* Chainstate::AtHeight(int height) const
{
    util::SharedLock lock(m_impl->view_mutex);
    return m_impl->active[height];
}

const BlockIndex* Chainstate::LookupBlockIndex(const Uint256& hash) const
{
    util::SharedLock lock(m_impl->view_mutex);
    return m_impl->Lookup(hash);
}

std::optional<BlockInfo> Chainstate::GetBlockInfo(const Uint256& hash) const
{
    util::SharedLock lock(m_impl->view_mutex);
    const BlockIndex* index = m_impl->Lookup(hash);
    if (!index) return std::nullopt;
    BlockInfo info;
    info.index = index;
    info.in_active_chain = m_impl->active.Contains(index);
    if (info.in_active_chain) {
        info.confirmations = m_impl->active.Height() - index->height + 1;
        info.next = m_impl->active.Next(index);
    }
    return info;
}

bool Chainstate::IsInActiveChain(const BlockIndex* index) const
{
    util::SharedLock lock(m_impl->view_mutex);
    return m_impl->active.Contains(index);
}

std::vector<Chainstate::ChainTip> Chainstate::GetChainTips() const
{
    util::SharedLock lock(m_impl->view_mutex);
    std::set<const BlockIndex*> has_child;
    for (const auto& [h, e] : m_impl->BlockReads().Index()) {
        if (e->prev) has_child.insert(e->prev);
    }
    std::vector<const BlockIndex*> blocks;
    for (const auto& [h, e] : m_impl->BlockReads().Index()) {
        if (!has_child.count(e.get())) blocks.push_back(e.get());
    }
    if (const BlockIndex* tip = m_impl->active.Tip(); tip && has_child.count(tip)) blocks.push_back(tip);
    std::sort(blocks.begin(), blocks.end(),
              [](const BlockIndex* a, const BlockIndex* b) { return a->height > b->height; });
    std::vector<ChainTip> tips;
    tips.reserve(blocks.size());
    for (const BlockIndex* block : blocks) tips.push_back({block, m_impl->active.FindFork(block)});
    return tips;
}

bool Chainstate::IsImporting() const { return m_impl->importing.load(); }

bool Chainstate::IsInitialBlockDownload() const
{
    util::SharedLock lock(m_impl->view_mutex);
    return m_impl->IsInitialBlockDownloadLocked();
}

double GuessVerificationProgress(const consensus::ChainTxData& data, const BlockIndex* index, int64_t now_seconds)
{
    // Core's estimate from transaction counts: the transactions up to this block over the
    // transactions expected by now (the network's known count at a known time, plus the
    // estimated rate since). With no statistics (regtest) any block with a known count is 1.
    if (!index || index->chain_tx == 0) return 0.0;
    const double now = static_cast<double>(now_seconds);
    double total;
    if (index->chain_tx <= data.tx_count) {
        total = static_cast<double>(data.tx_count) + (now - static_cast<double>(data.time)) * data.tx_rate;
    } else {
        total =
            static_cast<double>(index->chain_tx) + (now - static_cast<double>(index->GetBlockTime())) * data.tx_rate;
    }
    if (total <= 0) return 1.0;
    return std::min(static_cast<double>(index->chain_tx) / total, 1.0);
}

double Chainstate::GuessVerificationProgress(const BlockIndex* index) const
{
    return chain::GuessVerificationProgress(m_params->chain_tx_data, index, NowSeconds());
}

uint64_t Chainstate::BlockFilesSize() const
{
    return m_impl->BlockReads().BlockFilesSize(); // no lock: BlockStore's bookkeeping has its own
}

std::pair<size_t, size_t> Chainstate::CoinsCacheUsage() const
{
    util::SharedLock lock(m_impl->view_mutex);
    return {m_impl->coins->DynamicMemoryUsage(), m_impl->coins->CacheSize()};
}

ScriptCache& Chainstate::GetScriptCache() { return m_impl->script_cache; }

uint32_t Chainstate::GetBlockScriptFlags(const BlockIndex* index) const
{
    // Depends only on the network's parameters and the index's immutable fields.
    return m_impl->BlockScriptFlags(index);
}

double Chainstate::GetDifficulty(const BlockIndex* index)
{
    // Difficulty 1 target over this target, from the compact form as Core computes it.
    if (!index) return 1.0;
    int shift = (index->bits >> 24) & 0xff;
    double diff = double(0x0000ffff) / double(index->bits & 0x00ffffff);
    while (shift < 29) {
        diff *= 256.0;
        shift++;
    }
    while (shift > 29) {
        diff /= 256.0;
        shift--;
    }
    return diff;
}

// ---------------------------------------------------------------- Events

void Chainstate::AddListener(ChainListener* listener, Delivery delivery) { m_impl->notifier.Add(listener, delivery); }

void Chainstate::RemoveListener(ChainListener* listener) { m_impl->notifier.Remove(listener); }

void Chainstate::SyncWithNotifications() { m_impl->notifier.Sync(); }

void Chainstate::NotifyTransactionAdded(const consensus::TransactionRef& tx)
{
    ChainEvent e{ChainEvent::Kind::TX_ADDED, nullptr};
    e.tx = tx;
    m_impl->notifier.QueueAsync(std::move(e));
}

void Chainstate::NotifyTransactionRemoved(const consensus::TransactionRef& tx)
{
    ChainEvent e{ChainEvent::Kind::TX_REMOVED, nullptr};
    e.tx = tx;
    m_impl->notifier.QueueAsync(std::move(e));
}

size_t Chainstate::PendingNotifications() const { return m_impl->notifier.Pending(); }

TipSnapshot Chainstate::WaitForTip(const std::function<bool(const TipSnapshot&)>& pred,
                                   std::chrono::milliseconds timeout)
{
    Impl& d = *m_impl;
    util::UniqueLock lock(d.tip_mutex);
    auto done = [&]() REQUIRES(d.tip_mutex) { return d.interrupted || pred(d.tip_snapshot); };
    if (timeout.count() <= 0) {
        d.tip_cv.wait(lock, done);
    } else {
        d.tip_cv.wait_for(lock, timeout, done);
    }
    return d.tip_snapshot;
}

uint64_t Chainstate::ReorgSequence() const
{
    util::LockGuard lock(m_impl->tip_mutex);
    return m_impl->reorg_sequence;
}

void Chainstate::WaitForReorgEnd() const
{
    Impl& d = *m_impl;
    util::UniqueLock lock(d.tip_mutex);
    d.tip_cv.wait(lock, [&]() REQUIRES(d.tip_mutex) { return d.interrupted || d.reorg_sequence % 2 == 0; });
}

bool Chainstate::IsInterrupted() const
{
    util::LockGuard lock(m_impl->tip_mutex);
    return m_impl->interrupted;
}

void Chainstate::Interrupt()
{
    {
        util::LockGuard lock(m_impl->tip_mutex);
        m_impl->interrupted = true;
    }
    m_impl->tip_cv.notify_all();
}

} // namespace node::chain
