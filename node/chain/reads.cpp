// Reads for the RPC methods and the indexes: stored blocks and undo data, single coins,
// UTXO statistics, a consistent snapshot of the coins database, and the block-by-block
// walk the background indexer syncs with. None takes the validation owner's lock except
// the flushes of SnapshotCoins/GetUtxoStats; lookups take view_mutex shared, briefly.
#include "node/chain/chainstate_impl.h"

#include "consensus/hash.h"

namespace node::chain {

using consensus::Uint256;

std::optional<consensus::Block> Chainstate::ReadBlock(const BlockIndex* index) const
{
    return m_impl->ReadBlockLocked(index); // no lock: see ReadBlockLocked
}

std::optional<std::vector<uint8_t>> Chainstate::ReadRawBlock(const BlockIndex* index) const
{
    // The position is written before the bit is set and never changes after (BlockIndex).
    if (!index || !(index->status & BLOCK_HAVE_DATA)) return std::nullopt;
    return m_impl->BlockReads().ReadRawBlock(index->data_pos);
}

std::optional<BlockUndo> Chainstate::ReadUndo(const BlockIndex* index) const
{
    if (!index || !(index->status & BLOCK_HAVE_UNDO) || !index->prev) return std::nullopt;
    return m_impl->BlockReads().ReadUndo(index->undo_pos, index->prev->GetBlockHash());
}

std::optional<TxOutInfo> Chainstate::GetTxOut(const consensus::OutPoint& outpoint) const
{
    // The main cache changes only under view_mutex, a block's coins become final together
    // with its tip, and until then coins_before answers with the tip's coins (MainCoinsView),
    // so the coin and the best block agree. A miss reads the database without caching the coin:
    // readers never change the cache. Entries leave the cache only after they reached the
    // database (a flush empties it under the exclusive lock).
    util::SharedLock lock(m_impl->view_mutex);
    consensus::Coin found;
    const ReadStatus status = m_impl->coins_tip->ReadCoin(outpoint, found);
    if (status == ReadStatus::FAILED) {
        // As Core (whose coins view aborts on a read error): the node cannot go on.
        m_impl->AbortNode(Impl::StorageErrorMessage("Failed to read from the coins database", false));
        return std::nullopt;
    }
    std::optional<consensus::Coin> coin;
    if (status == ReadStatus::FOUND) coin = std::move(found);
    if (!coin) return std::nullopt;
    return TxOutInfo{std::move(*coin), m_impl->active.Tip()};
}

std::optional<std::pair<std::unique_ptr<CoinsSnapshot>, const BlockIndex*>> Chainstate::SnapshotCoins()
{
    // A flush is a write: the owner's lock. Readers go on meanwhile (FlushLocked).
    util::LockGuard lock(m_impl->mutex);
    if (!m_impl->FlushLocked(true)) return std::nullopt;
    auto snapshot = m_impl->coins_db->TakeSnapshot();
    if (!snapshot) return std::nullopt;
    return std::make_pair(std::move(snapshot), static_cast<const BlockIndex*>(m_impl->active.Tip()));
}

std::optional<UtxoStats> Chainstate::GetUtxoStats(UtxoHashType hash_type)
{
    // Flush and freeze the database under the owner's lock, then scan the snapshot
    // without it: blocks keep connecting while the whole set is hashed.
    auto snap = SnapshotCoins();
    if (!snap) return std::nullopt;
    UtxoStats stats = m_impl->coins_db->ComputeStats(hash_type, snap->first.get());
    if (!stats.complete) return std::nullopt; // a corrupt or unreadable record (logged)
    return stats;
}

const BlockIndex* Chainstate::NextSyncBlock(const BlockIndex* after, FlatFilePos& pos,
                                            const std::function<void()>& at_tip) const
{
    // Shared: the tip cannot move while at_tip runs (it moves under the lock exclusively),
    // and a block's notification is queued only after its tip is published.
    util::SharedLock lock(m_impl->view_mutex);
    const Chain& active = m_impl->active;
    const BlockIndex* next = nullptr;
    if (!after) {
        next = active[0];
    } else if (active.Contains(after)) {
        next = active.Next(after);
    } else {
        const BlockIndex* fork = active.FindFork(after);
        next = fork ? active.Next(fork) : active[0];
    }
    if (!next) {
        at_tip();
        return nullptr;
    }
    pos = next->data_pos;
    return next;
}

std::optional<consensus::Block> Chainstate::ReadBlockAt(const FlatFilePos& pos) const
{
    return m_impl->BlockReads().ReadBlock(pos); // BlockStore reads take no lock
}

std::optional<std::pair<consensus::Transaction, Uint256>> Chainstate::ReadTransactionAt(const FlatFilePos& pos,
                                                                                        uint32_t tx_offset) const
{
    auto raw = m_impl->BlockReads().ReadRawBlock(pos);
    if (!raw || tx_offset < consensus::BlockHeader::SIZE || tx_offset >= raw->size()) return std::nullopt;
    try {
        consensus::ByteReader r(std::span<const uint8_t>(*raw).subspan(tx_offset));
        auto tx = consensus::Transaction::Deserialize(r);
        consensus::ByteReader hr(*raw);
        return std::make_pair(std::move(tx), consensus::BlockHeader::Deserialize(hr).GetHash());
    } catch (const consensus::DecodeError&) {
        return std::nullopt;
    }
}

std::vector<consensus::Uint256> Chainstate::GetLocator(const BlockIndex* index) const
{
    util::SharedLock lock(m_impl->view_mutex);
    return m_impl->active.GetLocator(index);
}

const BlockIndex* Chainstate::FindForkInLocator(const std::vector<consensus::Uint256>& locator) const
{
    util::SharedLock lock(m_impl->view_mutex);
    for (const consensus::Uint256& hash : locator) {
        const BlockIndex* index = m_impl->BlockReads().Lookup(hash);
        if (!index) continue;
        if (m_impl->active.Contains(index)) return index;
        // A descendant of our tip (the peer is ahead of us): the fork is the tip, as Core.
        if (index->GetAncestor(m_impl->active.Height()) == m_impl->active.Tip()) return m_impl->active.Tip();
    }
    return m_impl->active.Genesis();
}

std::vector<consensus::BlockHeader>
Chainstate::ActiveHeadersAfter(const BlockIndex* fork, const consensus::Uint256& hash_stop, size_t max) const
{
    util::SharedLock lock(m_impl->view_mutex);
    std::vector<consensus::BlockHeader> out;
    if (!fork) return out;
    for (const BlockIndex* b = m_impl->active.Next(fork); b && out.size() < max; b = m_impl->active.Next(b)) {
        out.push_back(b->GetBlockHeader());
        if (b->GetBlockHash() == hash_stop) break;
    }
    return out;
}

} // namespace node::chain
