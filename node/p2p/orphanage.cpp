#include "node/p2p/orphanage.h"

#include "consensus/primitives/transaction.h"

#include <algorithm>
#include <utility>

namespace node::p2p {

using consensus::TransactionRef;
using consensus::Uint256;

TxOrphanage::TxOrphanage(Clock clock, int64_t max_latency_score, int64_t reserved_weight_per_peer)
    : m_clock(std::move(clock)), m_max_latency_score(std::max<int64_t>(max_latency_score, 1)),
      m_reserved_weight(std::max<int64_t>(reserved_weight_per_peer, 1))
{}

void TxOrphanage::AddAnnouncement(Orphan& orphan, const Uint256& wtxid, OrphanPeerId peer)
{
    const uint64_t seq = m_sequence++;
    orphan.announcers.emplace(peer, seq);
    auto& info = m_peers[peer];
    info.usage += orphan.weight;
    ++info.announcements;
    info.latency_score += orphan.latency_score;
    info.by_age.emplace(seq, wtxid);
    ++m_announcements;
}

void TxOrphanage::RemoveAnnouncement(const Orphan& orphan, const Uint256& wtxid, OrphanPeerId peer)
{
    const auto ann = orphan.announcers.find(peer);
    if (ann == orphan.announcers.end()) return;
    --m_announcements;
    auto it = m_peers.find(peer);
    if (it == m_peers.end()) return;
    it->second.usage -= orphan.weight;
    --it->second.announcements;
    it->second.latency_score -= orphan.latency_score;
    it->second.by_age.erase({ann->second, wtxid});
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
    // Larger transactions cannot be standard; keeping them would let a peer use its whole
    // weight reservation with one.
    if (weight > ORPHAN_MAX_TX_WEIGHT) return false;

    auto [it, inserted] = m_orphans.emplace(wtxid, Orphan{});
    Orphan& orphan = it->second;
    orphan.tx = tx;
    orphan.expire_time = m_clock() + ORPHAN_TX_EXPIRE_TIME;
    orphan.weight = weight;
    // Core v30: a transaction with many inputs costs more to reconsider each time a parent arrives.
    const int64_t input_score = static_cast<int64_t>(tx->vin.size() / 10);
    orphan.latency_score = 1 + input_score;
    for (const auto& in : tx->vin) m_by_prev[in.prevout].insert(wtxid);
    m_total_usage += weight;
    m_input_score += input_score;
    AddAnnouncement(orphan, wtxid, peer);
    return inserted;
}

bool TxOrphanage::AddAnnouncer(const Uint256& wtxid, OrphanPeerId peer)
{
    auto it = m_orphans.find(wtxid);
    if (it == m_orphans.end()) return false;
    if (!it->second.announcers.contains(peer)) AddAnnouncement(it->second, wtxid, peer);
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
    for (const auto& [peer, seq] : orphan.announcers) RemoveAnnouncement(orphan, wtxid, peer);
    m_total_usage -= orphan.weight;
    m_input_score -= orphan.latency_score - 1;
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
        if (orphan.announcers.contains(peer)) {
            RemoveAnnouncement(orphan, it->first, peer);
            orphan.announcers.erase(peer);
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

size_t TxOrphanage::LimitOrphans()
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
    // The shares as they were when trimming began, as Core's (a peer emptied meanwhile would
    // otherwise raise everyone's share halfway through).
    const int64_t max_latency = MaxPeerLatencyScore();
    while (NeedsTrim()) removed += EvictOldestOf(WorstPeer(max_latency));
    return removed;
}

int64_t TxOrphanage::AnnouncingPeers() const
{
    // m_peers also holds peers with only a work set left.
    int64_t peers = 0;
    for (const auto& [id, info] : m_peers) peers += info.announcements > 0;
    return std::max<int64_t>(peers, 1);
}

int64_t TxOrphanage::MaxPeerLatencyScore() const
{
    return std::max<int64_t>(m_max_latency_score / AnnouncingPeers(), 1);
}

int64_t TxOrphanage::MaxGlobalUsage() const { return m_reserved_weight * AnnouncingPeers(); }

bool TxOrphanage::NeedsTrim() const
{
    return TotalLatencyScore() > m_max_latency_score || m_total_usage > MaxGlobalUsage();
}

OrphanPeerId TxOrphanage::WorstPeer(int64_t max_latency) const
{
    // DoS score: the larger of latency / its share and usage / the reserved weight. Fractions are
    // compared by cross-multiplying (numerators below 2^40, denominators below 2^32).
    struct Score {
        int64_t num, den;
    };
    auto larger = [](Score a, Score b) { return a.num * b.den > b.num * a.den ? a : b; };
    std::optional<std::pair<OrphanPeerId, Score>> worst;
    for (const auto& [id, info] : m_peers) {
        if (info.announcements == 0) continue;
        const Score score = larger({info.latency_score, max_latency}, {info.usage, m_reserved_weight});
        // Ties go to the later peer (higher id), as Core's.
        if (!worst || score.num * worst->second.den >= worst->second.num * score.den) worst = {{id, score}};
    }
    return worst->first;
}

int TxOrphanage::EvictOldestOf(OrphanPeerId peer)
{
    const PeerInfo& info = m_peers.at(peer);
    // Announcements waiting in the work set are about to be reconsidered: evict the others first.
    auto pick = std::find_if(info.by_age.begin(), info.by_age.end(),
                             [&](const auto& ann) { return !info.work_set.contains(ann.second); });
    if (pick == info.by_age.end()) pick = info.by_age.begin();
    const Uint256 wtxid = pick->second;
    m_peers.at(peer).work_set.erase(wtxid); // the reconsideration goes with the announcement
    auto it = m_orphans.find(wtxid);
    RemoveAnnouncement(it->second, wtxid, peer);
    it->second.announcers.erase(peer);
    if (!it->second.announcers.empty()) return 0;
    return EraseIt(it);
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
            m_peers[announcer->first].work_set.insert(wtxid);
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

int64_t TxOrphanage::LatencyScoreByPeer(OrphanPeerId peer) const
{
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? 0 : it->second.latency_score;
}

} // namespace node::p2p
