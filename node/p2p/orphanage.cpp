#include "node/p2p/orphanage.h"

#include "consensus/primitives/transaction.h"

#include <algorithm>
#include <utility>

namespace node::p2p {

using consensus::TransactionRef;
using consensus::Uint256;

TxOrphanage::TxOrphanage(Clock clock) : m_clock(std::move(clock)) {}

void TxOrphanage::AddPeerUsage(OrphanPeerId peer, int64_t weight)
{
    auto& info = m_peers[peer];
    info.usage += weight;
    ++info.announcements;
}

void TxOrphanage::RemovePeerUsage(OrphanPeerId peer, int64_t weight)
{
    auto it = m_peers.find(peer);
    if (it == m_peers.end()) return;
    it->second.usage -= weight;
    --it->second.announcements;
    if (it->second.announcements == 0 && it->second.work_set.empty()) m_peers.erase(it);
}

bool TxOrphanage::AddTx(const TransactionRef& tx, OrphanPeerId peer)
{
    if (!tx) return false;
    const Uint256& wtxid = tx->GetWtxid();
    if (m_orphans.contains(wtxid)) {
        AddAnnouncer(wtxid, peer);
        return false;
    }
    const int64_t weight = consensus::GetTransactionWeight(*tx);
    // Larger transactions cannot be standard; keeping them would let a peer fill the pool
    // with a few huge ones (the pool is bounded by count).
    if (weight > ORPHAN_MAX_TX_WEIGHT) return false;

    auto [it, inserted] = m_orphans.emplace(wtxid, Orphan{});
    Orphan& orphan = it->second;
    orphan.tx = tx;
    orphan.announcers.insert(peer);
    orphan.expire_time = m_clock() + ORPHAN_TX_EXPIRE_TIME;
    orphan.list_pos = m_list.size();
    orphan.weight = weight;
    m_list.push_back(it);
    for (const auto& in : tx->vin) m_by_prev[in.prevout].insert(wtxid);
    m_total_usage += weight;
    AddPeerUsage(peer, weight);
    return inserted;
}

bool TxOrphanage::AddAnnouncer(const Uint256& wtxid, OrphanPeerId peer)
{
    auto it = m_orphans.find(wtxid);
    if (it == m_orphans.end()) return false;
    if (it->second.announcers.insert(peer).second) AddPeerUsage(peer, it->second.weight);
    return true;
}

bool TxOrphanage::HaveTx(const Uint256& wtxid) const { return m_orphans.contains(wtxid); }

TransactionRef TxOrphanage::GetTx(const Uint256& wtxid) const
{
    auto it = m_orphans.find(wtxid);
    return it == m_orphans.end() ? nullptr : it->second.tx;
}

bool TxOrphanage::HaveTxFromPeer(const Uint256& wtxid, OrphanPeerId peer) const
{
    auto it = m_orphans.find(wtxid);
    return it != m_orphans.end() && it->second.announcers.contains(peer);
}

int TxOrphanage::EraseIt(OrphanMap::iterator it)
{
    const Uint256 wtxid = it->first;
    Orphan& orphan = it->second;
    for (const auto& in : orphan.tx->vin) {
        auto prev = m_by_prev.find(in.prevout);
        if (prev == m_by_prev.end()) continue;
        prev->second.erase(wtxid);
        if (prev->second.empty()) m_by_prev.erase(prev);
    }
    for (OrphanPeerId peer : orphan.announcers) RemovePeerUsage(peer, orphan.weight);
    m_total_usage -= orphan.weight;
    // Swap-and-pop in the eviction list.
    const size_t pos = orphan.list_pos;
    if (pos + 1 != m_list.size()) {
        m_list[pos] = m_list.back();
        m_list[pos]->second.list_pos = pos;
    }
    m_list.pop_back();
    m_orphans.erase(it);
    return 1;
}

int TxOrphanage::EraseTx(const Uint256& wtxid)
{
    auto it = m_orphans.find(wtxid);
    return it == m_orphans.end() ? 0 : EraseIt(it);
}

void TxOrphanage::EraseForPeer(OrphanPeerId peer)
{
    if (auto pit = m_peers.find(peer); pit != m_peers.end()) pit->second.work_set.clear();
    for (auto it = m_orphans.begin(); it != m_orphans.end();) {
        auto next = std::next(it);
        Orphan& orphan = it->second;
        if (orphan.announcers.erase(peer)) {
            RemovePeerUsage(peer, orphan.weight);
            if (orphan.announcers.empty()) EraseIt(it);
        }
        it = next;
    }
    m_peers.erase(peer);
}

std::vector<Uint256> TxOrphanage::EraseForBlock(const consensus::Block& block)
{
    std::set<Uint256> to_erase;
    for (const auto& tx : block.vtx) {
        if (m_orphans.contains(tx->GetWtxid())) to_erase.insert(tx->GetWtxid());
        // An orphan spending an outpoint the block spends is either in the block or now a
        // double spend: it can never be accepted.
        for (const auto& in : tx->vin) {
            auto prev = m_by_prev.find(in.prevout);
            if (prev == m_by_prev.end()) continue;
            to_erase.insert(prev->second.begin(), prev->second.end());
        }
    }
    std::vector<Uint256> erased;
    for (const auto& wtxid : to_erase) {
        if (EraseTx(wtxid)) erased.push_back(wtxid);
    }
    return erased;
}

size_t TxOrphanage::LimitOrphans(size_t max_orphans, std::mt19937_64& rng)
{
    size_t removed = 0;
    const int64_t now = m_clock();
    if (m_next_sweep <= now) {
        int64_t min_expire = now + ORPHAN_TX_EXPIRE_TIME - ORPHAN_TX_EXPIRE_INTERVAL;
        for (auto it = m_orphans.begin(); it != m_orphans.end();) {
            auto next = std::next(it);
            if (it->second.expire_time <= now) {
                removed += EraseIt(it);
            } else {
                min_expire = std::min(min_expire, it->second.expire_time);
            }
            it = next;
        }
        // Sweep again when the next orphan expires, but not sooner than the interval.
        m_next_sweep = min_expire + ORPHAN_TX_EXPIRE_INTERVAL;
    }
    while (m_orphans.size() > max_orphans) {
        std::uniform_int_distribution<size_t> pick(0, m_list.size() - 1);
        removed += EraseIt(m_list[pick(rng)]);
    }
    return removed;
}

void TxOrphanage::AddChildrenToWorkSet(const consensus::Transaction& parent, std::mt19937_64& rng)
{
    const Uint256& txid = parent.GetTxid();
    for (uint32_t n = 0; n < parent.vout.size(); ++n) {
        auto prev = m_by_prev.find(consensus::OutPoint(txid, n));
        if (prev == m_by_prev.end()) continue;
        for (const auto& wtxid : prev->second) {
            const Orphan& orphan = m_orphans.at(wtxid);
            // One announcer, at random, reconsiders it: it is its job, and a peer that
            // announced many orphans cannot hold up the others'.
            std::uniform_int_distribution<size_t> pick(0, orphan.announcers.size() - 1);
            auto announcer = std::next(orphan.announcers.begin(), static_cast<long>(pick(rng)));
            m_peers[*announcer].work_set.insert(wtxid);
        }
    }
}

TransactionRef TxOrphanage::GetTxToReconsider(OrphanPeerId peer)
{
    auto pit = m_peers.find(peer);
    if (pit == m_peers.end()) return nullptr;
    auto& work = pit->second.work_set;
    while (!work.empty()) {
        const Uint256 wtxid = *work.begin();
        work.erase(work.begin());
        auto it = m_orphans.find(wtxid);
        if (it != m_orphans.end()) return it->second.tx;
    }
    return nullptr;
}

bool TxOrphanage::HaveTxToReconsider(OrphanPeerId peer)
{
    auto pit = m_peers.find(peer);
    if (pit == m_peers.end()) return false;
    auto& work = pit->second.work_set;
    for (auto it = work.begin(); it != work.end();) {
        if (m_orphans.contains(*it)) return true;
        it = work.erase(it); // settled meanwhile
    }
    return false;
}

std::vector<TransactionRef> TxOrphanage::GetChildrenFromSamePeer(const TransactionRef& parent, OrphanPeerId peer) const
{
    std::vector<std::pair<int64_t, TransactionRef>> found;
    std::set<Uint256> seen;
    const Uint256& txid = parent->GetTxid();
    for (uint32_t n = 0; n < parent->vout.size(); ++n) {
        auto prev = m_by_prev.find(consensus::OutPoint(txid, n));
        if (prev == m_by_prev.end()) continue;
        for (const auto& wtxid : prev->second) {
            const Orphan& orphan = m_orphans.at(wtxid);
            if (orphan.announcers.contains(peer) && seen.insert(wtxid).second) {
                found.emplace_back(orphan.expire_time, orphan.tx);
            }
        }
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<TransactionRef> out;
    out.reserve(found.size());
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
}

int64_t TxOrphanage::UsageByPeer(OrphanPeerId peer) const
{
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? 0 : it->second.usage;
}

size_t TxOrphanage::AnnouncementsByPeer(OrphanPeerId peer) const
{
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? 0 : it->second.announcements;
}

} // namespace node::p2p
