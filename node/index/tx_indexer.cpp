// TxIndexer: Core's BaseIndex::ThreadSync and BlockConnected for the transaction index.
#include "node/index/tx_indexer.h"

#include <algorithm>

#include "util/logging.h"

#include <chrono>
#include <vector>

namespace node::index {

using chain::BlockIndex;

namespace {
/** How often the sync thread logs its progress (Core's SYNC_LOG_INTERVAL). */
constexpr auto SYNC_LOG_INTERVAL = std::chrono::seconds(30);
} // namespace

// ---------------------------------------------------------------- ChainstateBlockSource

std::optional<SyncBlock> ChainstateBlockSource::NextSyncBlock(const BlockIndex* after,
                                                              const std::function<void()>& at_tip)
{
    FlatFilePos pos;
    const BlockIndex* next = m_chainstate.NextSyncBlock(after, pos, at_tip);
    if (!next) return std::nullopt;
    return SyncBlock{next, pos};
}

std::optional<consensus::Block> ChainstateBlockSource::ReadBlock(const FlatFilePos& pos)
{
    return m_chainstate.ReadBlockAt(pos);
}

std::optional<std::pair<consensus::Transaction, consensus::Uint256>>
ChainstateBlockSource::ReadTransaction(const FlatFilePos& pos, uint32_t tx_offset)
{
    return m_chainstate.ReadTransactionAt(pos, tx_offset);
}

const BlockIndex* ChainstateBlockSource::Lookup(const consensus::Uint256& hash)
{
    return m_chainstate.LookupBlockIndex(hash);
}

// ---------------------------------------------------------------- TxIndexer

TxIndexer::TxIndexer(BlockSource& source) : m_source(source) {}

TxIndexer::~TxIndexer() { Stop(); }

BlockLocator LocatorFor(const BlockIndex* index)
{
    // Core's CBlockLocator: ten steps of one block, then doubling steps, then genesis.
    BlockLocator out;
    int step = 1;
    for (const BlockIndex* b = index; b;) {
        out.push_back(b->GetBlockHash());
        if (b->height == 0) break;
        const int next = std::max(b->height - step, 0);
        b = b->GetAncestor(next);
        if (out.size() > 10) step *= 2;
    }
    return out;
}

bool TxIndexer::Open(const std::filesystem::path& dir, bool wipe, std::string& error)
{
    if (!m_db.Open(dir, wipe, error)) return false;
    const BlockLocator best = m_db.GetBestLocator();
    const chain::BlockIndex* best_index = nullptr;
    for (const auto& hash : best) {
        if (hash.IsNull()) continue;
        if ((best_index = m_source.Lookup(hash))) break;
    }
    // Looked up before taking m_mutex: the chain's lock is taken before ours (NextSyncBlock
    // calls at_tip with it held), never after.
    const bool newest_missing = !best.empty() && !best.front().IsNull() && best_index != m_source.Lookup(best.front());
    util::LockGuard lock(m_mutex);
    m_best = best_index;
    if (newest_missing) {
        // Its newest blocks are not in the block index (a crash before the block index was
        // synced, or a -reindex that found other blocks): resume from the newest one that is.
        util::LogPrintf("txindex: best block %s is not in the block index; indexing from %s",
                        best.front().GetHex().c_str(),
                        m_best ? ("height " + std::to_string(m_best->height)).c_str() : "genesis");
    }
    return true;
}

void TxIndexer::Start()
{
    if (m_started) return;
    m_started = true;
    m_source.AddListener(this); // asynchronous: the notification thread indexes new blocks
    m_listening = true;
    m_thread = std::thread([this] { ThreadSync(); });
}

void TxIndexer::Stop()
{
    m_interrupt = true;
    if (m_thread.joinable()) m_thread.join();
    // Waits for a notification being delivered to us to finish; none comes after it.
    if (m_listening) m_source.RemoveListener(this);
    m_listening = false;
    if (!m_started) return;
    m_started = false;
    util::LockGuard lock(m_mutex);
    if (m_db.IsOpen() && !m_failed && !m_db.Commit(LocatorFor(m_best))) {
        util::LogPrintf("Error: txindex: failed to write its best block");
    }
}

bool TxIndexer::IsSynced() const
{
    util::LockGuard lock(m_mutex);
    return m_synced && !m_failed; // a failed index is behind for good
}

IndexSummary TxIndexer::GetSummary() const
{
    util::LockGuard lock(m_mutex);
    return IndexSummary{"txindex", m_synced && !m_failed, m_best ? m_best->height : 0};
}

bool TxIndexer::BlockUntilSyncedToCurrentChain() const
{
    {
        util::LockGuard lock(m_mutex);
        if (!m_synced || m_failed) return false;
    }
    // Synced: every later block reaches BlockConnected through the notification queue.
    m_source.SyncWithNotifications();
    return true;
}

TxLookup TxIndexer::FindTransaction(const consensus::Uint256& txid)
{
    TxIndexEntry entry;
    const ReadStatus status = m_db.Find(txid, entry); // LevelDB reads need no lock
    if (status != ReadStatus::FOUND) return {status, nullptr, nullptr};
    auto found = m_source.ReadTransaction(entry.block_pos, entry.tx_offset);
    if (!found) {
        util::LogPrintf("Error: txindex: cannot read transaction %s from its block file", txid.GetHex().c_str());
        return {ReadStatus::FAILED, nullptr, nullptr};
    }
    consensus::TransactionRef tx = std::make_shared<const consensus::Transaction>(std::move(found->first));
    if (tx->GetTxid() != txid) {
        util::LogPrintf("Error: txindex entry for %s points at another transaction", txid.GetHex().c_str());
        return {ReadStatus::FAILED, nullptr, nullptr};
    }
    return {ReadStatus::FOUND, std::move(tx), m_source.Lookup(found->second)};
}

bool TxIndexer::AppendLocked(const consensus::Block& block, const BlockIndex* index, const FlatFilePos& pos)
{
    // Core's TxIndex leaves out the genesis block: its coinbase output is not spendable.
    const bool ok =
        index->height == 0 ? m_db.SetBestLocator(LocatorFor(index)) : m_db.WriteBlock(block, pos, LocatorFor(index));
    if (!ok) {
        m_failed = true;
        util::LogPrintf("Error: txindex: failed to write block %s; the index stops",
                        index->GetBlockHash().GetHex().c_str());
        return false;
    }
    m_best = index;
    return true;
}

bool TxIndexer::RewindLocked(const BlockIndex* new_best)
{
    if (!m_db.SetBestLocator(LocatorFor(new_best))) {
        m_failed = true;
        util::LogPrintf("Error: txindex: failed to rewind its best block; the index stops");
        return false;
    }
    m_best = new_best;
    return true;
}

void TxIndexer::ThreadSync()
{
    util::LogPrintf("txindex thread start");
    const BlockIndex* pindex;
    {
        util::LockGuard lock(m_mutex);
        pindex = m_best;
    }
    auto last_log = std::chrono::steady_clock::time_point::min();
    while (!m_interrupt) {
        // The synced flag is set while the chain cannot change: every block connected
        // later is delivered to BlockConnected after it, so none is missed.
        const auto next = m_source.NextSyncBlock(pindex, [this] {
            util::LockGuard lock(m_mutex);
            m_synced = true;
        });
        if (!next) {
            util::LogPrintf(pindex ? "txindex is enabled at height %d" : "txindex is enabled",
                            pindex ? pindex->height : 0);
            break;
        }
        if (next->index->prev != pindex) {
            // A reorg since the index last ran: rewind to the fork (entries may stay).
            util::LockGuard lock(m_mutex);
            if (!RewindLocked(next->index->prev)) break;
        }
        const auto now = std::chrono::steady_clock::now();
        if (last_log == std::chrono::steady_clock::time_point::min() || now - last_log > SYNC_LOG_INTERVAL) {
            util::LogPrintf("Syncing txindex with block chain from height %d", next->index->height);
            last_log = now;
        }
        // Read and index without the chain lock.
        const auto block = m_source.ReadBlock(next->pos);
        if (!block) {
            util::LogPrintf("Error: txindex: failed to read block %s; the index stops",
                            next->index->GetBlockHash().GetHex().c_str());
            util::LockGuard lock(m_mutex);
            m_failed = true;
            break;
        }
        util::LockGuard lock(m_mutex);
        if (!AppendLocked(*block, next->index, next->pos)) break;
        pindex = next->index;
    }
    util::LogPrintf("txindex thread exit");
}

void TxIndexer::BlockConnected(const std::shared_ptr<const consensus::Block>& block, const BlockIndex* index)
{
    if (!block || !index) return;
    util::LockGuard lock(m_mutex);
    // Until synced, the sync thread indexes every block of the active chain itself.
    if (!m_synced || m_failed) return;
    // Already indexed (delivered after the sync thread had reached it).
    if (m_best && m_best->height >= index->height && m_best->GetAncestor(index->height) == index) return;
    // Blocks between our best block's fork with this one's branch and this block (usually none).
    const BlockIndex* fork = (m_best && index->prev) ? chain::LastCommonAncestor(m_best, index->prev) : nullptr;
    if (fork != m_best && !RewindLocked(fork)) return;
    std::vector<const BlockIndex*> missing;
    for (const BlockIndex* b = index->prev; b && b != fork; b = b->prev) missing.push_back(b);
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        const auto read = m_source.ReadBlock((*it)->data_pos);
        if (!read) {
            m_failed = true;
            util::LogPrintf("Error: txindex: failed to read block %s; the index stops",
                            (*it)->GetBlockHash().GetHex().c_str());
            return;
        }
        if (!AppendLocked(*read, *it, (*it)->data_pos)) return;
    }
    AppendLocked(*block, index, index->data_pos);
}

void TxIndexer::BlockDisconnected(const std::shared_ptr<const consensus::Block>& block, const BlockIndex* index)
{
    (void)block;
    util::LockGuard lock(m_mutex);
    if (!m_synced || m_failed || !index || m_best != index) return;
    RewindLocked(index->prev);
}

} // namespace node::index
