#include "node/p2p/tx_relay.h"

#include <algorithm>
#include <cmath>

namespace node::p2p {

using consensus::Amount;
using std::chrono::microseconds;

namespace {
/** The fee (sat) a rate (sat/kvB) asks of vsize virtual bytes, at least 1 for a nonzero rate (Core's CFeeRate::GetFee). */
int64_t FeeFor(Amount rate, int64_t vsize)
{
    int64_t fee = rate.sats * vsize / 1000;
    if (fee == 0 && vsize != 0 && rate.sats > 0) fee = 1;
    return fee;
}
} // namespace

Amount RoundFeeFilter(Amount rate, std::mt19937_64& rng)
{
    // Buckets 0, then 50 sat/kvB (half of the incremental relay fee) growing by 10% up to
    // 10,000,000 sat/kvB (Core's FeeFilterRounder). A rate is rounded to its bucket or, two
    // times in three, the one below, so the exact minimum of our pool does not show.
    static const std::vector<int64_t> buckets = [] {
        std::vector<int64_t> b{0};
        for (double f = 50; f <= 10'000'000; f *= 1.1) b.push_back(static_cast<int64_t>(f));
        return b;
    }();
    auto it = std::lower_bound(buckets.begin(), buckets.end(), rate.sats);
    if (it == buckets.end() || (it != buckets.begin() && rng() % 3 != 0)) --it;
    return Amount{*it};
}

TxRelay::TxRelay(TxPool& pool, std::optional<std::pair<uint64_t, uint64_t>> salt, uint64_t rng_seed)
    : m_pool(pool), m_tracker(salt), m_rng(rng_seed)
{}

microseconds TxRelay::Poisson(microseconds now, microseconds mean)
{
    // Exponentially distributed delay: the time to the next event of a Poisson process.
    std::exponential_distribution<double> d(1.0);
    return now + microseconds{static_cast<int64_t>(d(m_rng) * static_cast<double>(mean.count()))};
}

void TxRelay::AddPeer(net::NodeId id, const TxRelayPeerInfo& info, microseconds now)
{
    PeerState& p = m_peers[id];
    p.info = info;
    p.relay = !info.block_relay_only;
    p.next_inv = info.inbound ? microseconds{0} : Poisson(now, OUTBOUND_INVENTORY_BROADCAST_INTERVAL);
}

void TxRelay::RemovePeer(net::NodeId id)
{
    m_peers.erase(id);
    m_tracker.DisconnectedPeer(id);
}

void TxRelay::SetPeerRelay(net::NodeId id, bool relay)
{
    if (auto it = m_peers.find(id); it != m_peers.end()) it->second.relay = relay && !it->second.info.block_relay_only;
}

void TxRelay::SetWtxidRelay(net::NodeId id)
{
    if (auto it = m_peers.find(id); it != m_peers.end()) it->second.wtxid = true;
}

bool TxRelay::WtxidRelay(net::NodeId id) const
{
    auto it = m_peers.find(id);
    return it != m_peers.end() && it->second.wtxid;
}

bool TxRelay::HaveWtxidPeers() const
{
    return std::any_of(m_peers.begin(), m_peers.end(), [](const auto& kv) { return kv.second.wtxid; });
}

void TxRelay::OnFeeFilter(net::NodeId id, Amount rate)
{
    if (!consensus::MoneyRange(rate)) return; // BIP-133: a nonsense value is ignored
    if (auto it = m_peers.find(id); it != m_peers.end()) it->second.fee_filter = rate;
}

bool TxRelay::AlreadyHave(const GenTxid& g, bool include_reconsiderable) const
{
    // The orphan pool is asked by the caller (PeerManager), which owns it.
    if (include_reconsiderable && m_recent_rejects_reconsiderable.Contains(g.hash)) return true;
    return m_recent_rejects.Contains(g.hash) || m_recent_confirmed.Contains(g.hash) ||
           m_pool.HaveTx(g.hash, g.is_wtxid);
}

void TxRelay::OnBlockConnected(const consensus::Block& block)
{
    for (const auto& tx : block.vtx) {
        m_recent_confirmed.Insert(tx->GetTxid());
        if (tx->HasWitness()) m_recent_confirmed.Insert(tx->GetWtxid());
    }
}

TxRelay::InvResult TxRelay::OnTxInv(net::NodeId id, const net::Inv& inv, bool initial_download, microseconds now)
{
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return InvResult::IGNORED;
    PeerState& p = it->second;
    const bool is_wtxid = inv.type == net::MSG_WTX;
    if (!is_wtxid && inv.type != net::MSG_TX) return InvResult::IGNORED;
    // BIP-339: a wtxid-relay peer announces by wtxid only, others by txid only.
    if (is_wtxid != p.wtxid) return InvResult::IGNORED;
    p.known.Insert(inv.hash);
    if (p.info.block_relay_only) return InvResult::DISCONNECT;
    const GenTxid g{is_wtxid, inv.hash};
    if (AlreadyHave(g) || initial_download) return InvResult::IGNORED;
    if (!p.info.relay_permission && m_tracker.Count(id) >= MAX_PEER_TX_ANNOUNCEMENTS) return InvResult::IGNORED;
    const bool preferred = !p.info.inbound || p.info.relay_permission;
    const microseconds delay = TxAnnouncementDelay(is_wtxid, HaveWtxidPeers(), preferred, p.info.relay_permission,
                                                   m_tracker.CountInFlight(id));
    return m_tracker.ReceivedInv(id, g, preferred, now + delay) ? InvResult::TRACKED : InvResult::IGNORED;
}

std::vector<net::Inv> TxRelay::GetDataToSend(net::NodeId id, microseconds now)
{
    std::vector<net::Inv> out;
    if (!m_peers.contains(id)) return out;
    for (const GenTxid& g : m_tracker.GetRequestable(id, now)) {
        // A parent refused for its fee is still requested (Core: include_reconsiderable false).
        if (AlreadyHave(g, /*include_reconsiderable=*/false)) {
            m_tracker.ForgetTxHash(g.hash);
            continue;
        }
        // By txid we ask for the witness serialization (every peer we sync from serves witnesses).
        out.push_back(net::Inv{g.is_wtxid ? uint32_t{net::MSG_WTX} : uint32_t{net::MSG_WITNESS_TX}, g.hash});
        m_tracker.RequestedTx(id, g.hash, now + GETDATA_TX_INTERVAL);
    }
    return out;
}

void TxRelay::OnNotFound(net::NodeId id, const std::vector<net::Inv>& items)
{
    for (const auto& inv : items) {
        const uint32_t base = inv.type & ~uint32_t{net::MSG_WITNESS_FLAG};
        if (base == net::MSG_TX || base == net::MSG_WTX) m_tracker.ReceivedResponse(id, inv.hash);
    }
}

bool TxRelay::OnTxReceived(net::NodeId id, const consensus::TransactionRef& tx)
{
    auto it = m_peers.find(id);
    const auto& txid = tx->GetTxid();
    const auto& wtxid = tx->GetWtxid();
    if (it != m_peers.end()) {
        it->second.known.Insert(txid);
        it->second.known.Insert(wtxid);
    }
    m_tracker.ReceivedResponse(id, txid);
    if (wtxid != txid) m_tracker.ReceivedResponse(id, wtxid);
    if (AlreadyHave(GenTxid{true, wtxid})) {
        m_tracker.ForgetTxHash(txid);
        m_tracker.ForgetTxHash(wtxid);
        return false;
    }
    return true;
}

TxOutcome TxRelay::OnTxResult(net::NodeId id, const consensus::TransactionRef& tx, const TxSubmitResult& result,
                              microseconds now)
{
    TxOutcome out;
    const auto& txid = tx->GetTxid();
    const auto& wtxid = tx->GetWtxid();
    switch (result.kind) {
    case TxSubmitResult::Kind::ACCEPTED: {
        m_tracker.ForgetTxHash(txid);
        m_tracker.ForgetTxHash(wtxid);
        if (auto it = m_peers.find(id); it != m_peers.end())
            it->second.last_tx = std::chrono::duration_cast<std::chrono::seconds>(now);
        RelayTransaction(txid, wtxid);
        return out;
    }
    case TxSubmitResult::Kind::MISSING_INPUTS: {
        // A child of a rejected parent would be rejected too: remember it so nobody sends it again (Core).
        const bool rejected_parent = std::any_of(result.missing_parents.begin(), result.missing_parents.end(),
                                                 [&](const auto& h) { return m_recent_rejects.Contains(h); });
        if (rejected_parent) {
            m_recent_rejects.Insert(txid);
            m_recent_rejects.Insert(wtxid);
            m_tracker.ForgetTxHash(txid);
            m_tracker.ForgetTxHash(wtxid);
            out.reason = "rejected parents";
            return out;
        }
        auto it = m_peers.find(id);
        for (const auto& parent : result.missing_parents) {
            // Parents are asked for by txid (the only hash an input names), whatever the peer relays by.
            if (it != m_peers.end()) it->second.known.Insert(parent);
            // A parent refused for its fee only is asked for again: with this child it may pass (1p1c).
            if (AlreadyHave(GenTxid{false, parent}, /*include_reconsiderable=*/false)) continue;
            const bool preferred = it == m_peers.end() || !it->second.info.inbound || it->second.info.relay_permission;
            if (m_tracker.ReceivedInv(id, GenTxid{false, parent}, preferred, now))
                out.parents_requested.push_back(parent);
        }
        m_tracker.ForgetTxHash(txid);
        m_tracker.ForgetTxHash(wtxid);
        out.keep_as_orphan = true; // SEAM (orphan pool): the caller stores tx for peer id in node/p2p/orphanage.h
        return out;
    }
    case TxSubmitResult::Kind::REJECTED: break;
    }
    const auto reason = result.state.GetTxResult();
    out.reason = result.state.GetRejectReason();
    if (reason == consensus::TxValidationResult::RECONSIDERABLE) {
        // Refused for its fee only: not downloaded again alone, but a child may carry it (Core).
        m_recent_rejects_reconsiderable.Insert(wtxid);
        out.try_package = true;
    } else if (reason != consensus::TxValidationResult::WITNESS_STRIPPED) {
        // (A stripped witness says nothing about the transaction with its witness: remember nothing.)
        m_recent_rejects.Insert(wtxid);
        // Core also rejects the txid when the inputs' scripts are the problem, which no
        // witness can change (so txid announcers of the same tx are not asked either).
        if (reason == consensus::TxValidationResult::INPUTS_NOT_STANDARD && wtxid != txid)
            m_recent_rejects.Insert(txid);
    }
    m_tracker.ForgetTxHash(txid);
    m_tracker.ForgetTxHash(wtxid);
    // Core's MaybePunishNodeForTx: only consensus failures are the peer's fault.
    out.punish = reason == consensus::TxValidationResult::CONSENSUS;
    return out;
}

void TxRelay::RelayTransaction(const consensus::Uint256& txid, const consensus::Uint256& wtxid)
{
    for (auto& [id, p] : m_peers) {
        if (!p.relay) continue;
        p.to_announce.insert(p.wtxid ? wtxid : txid);
    }
}

consensus::TransactionRef TxRelay::TxToServe(net::NodeId id, const net::Inv& inv, microseconds now)
{
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return nullptr;
    const uint32_t base = inv.type & ~uint32_t{net::MSG_WITNESS_FLAG};
    if (base != net::MSG_TX && base != net::MSG_WTX) return nullptr;
    const auto info = m_pool.Info(inv.hash, base == net::MSG_WTX);
    if (!info || !info->tx) return nullptr;
    PeerState& p = it->second;
    const auto recent = std::chrono::duration_cast<std::chrono::seconds>(now) - UNCONDITIONAL_RELAY_DELAY;
    // Served if old enough to be no privacy leak, asked for after a mempool request, or announced to this peer.
    if (info->time <= recent || (p.mempool_time.count() >= 0 && info->time <= p.mempool_time) ||
        p.announced.Contains(inv.hash)) {
        // Its recent unconfirmed parents become requestable by txid: a peer that cannot take the
        // child alone asks for them next (Core's ProcessGetData; what 1p1c relay needs).
        for (const auto& in : info->tx->vin) {
            const auto parent = m_pool.Info(in.prevout.hash, /*by_wtxid=*/false);
            if (parent && parent->time > recent && !p.known.Contains(in.prevout.hash)) {
                p.announced.Insert(in.prevout.hash);
            }
        }
        return info->tx;
    }
    return nullptr;
}

std::vector<net::Inv> TxRelay::AnnouncementsDue(net::NodeId id, microseconds now)
{
    std::vector<net::Inv> out;
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return out;
    PeerState& p = it->second;
    // Core: a noban peer gets announcements at every send, without waiting for its trickle time.
    const bool due = p.next_inv <= now;
    if (!due && !p.info.noban) return out;
    if (!due) {
        // (the trickle schedule is kept as it was)
    } else if (p.info.inbound) {
        // One schedule for all inbound peers, so they cannot tell apart our connections by timing (Core).
        if (m_next_inbound_inv <= now) m_next_inbound_inv = Poisson(now, INBOUND_INVENTORY_BROADCAST_INTERVAL);
        p.next_inv = m_next_inbound_inv;
    } else {
        p.next_inv = Poisson(now, OUTBOUND_INVENTORY_BROADCAST_INTERVAL);
    }
    if (!p.relay) {
        p.to_announce.clear();
        p.send_mempool = false;
        return out;
    }
    const uint32_t inv_type = p.wtxid ? uint32_t{net::MSG_WTX} : uint32_t{net::MSG_TX};
    const auto passes_filter = [&](const TxPoolInfo& info) {
        return p.fee_filter.sats <= 0 || info.fee.sats >= FeeFor(p.fee_filter, info.vsize);
    };
    if (p.send_mempool) {
        // BIP-35: the whole pool above its feefilter, once.
        p.send_mempool = false;
        p.mempool_time = std::chrono::duration_cast<std::chrono::seconds>(now);
        for (const auto& info : m_pool.InfoAll()) {
            const auto& hash = p.wtxid ? info.tx->GetWtxid() : info.tx->GetTxid();
            p.to_announce.erase(hash);
            if (!passes_filter(info)) continue;
            p.known.Insert(hash);
            p.announced.Insert(hash);
            out.push_back(net::Inv{inv_type, hash});
        }
    }
    // Highest fee rate first; anything no longer in the pool is dropped.
    std::vector<std::pair<TxPoolInfo, consensus::Uint256>> queued;
    for (const auto& hash : p.to_announce) {
        if (p.known.Contains(hash)) continue;
        auto info = m_pool.Info(hash, p.wtxid);
        if (info && info->tx) queued.emplace_back(std::move(*info), hash);
    }
    const size_t limit =
        std::min(INVENTORY_BROADCAST_MAX, INVENTORY_BROADCAST_TARGET + p.to_announce.size() / 1000 * 5);
    std::sort(queued.begin(), queued.end(), [](const auto& a, const auto& b) {
        // a.fee / a.vsize > b.fee / b.vsize, without division.
        return static_cast<__int128>(a.first.fee.sats) * b.first.vsize >
               static_cast<__int128>(b.first.fee.sats) * a.first.vsize;
    });
    std::set<consensus::Uint256> leftover;
    size_t sent = 0;
    for (auto& [info, hash] : queued) {
        if (sent >= limit) {
            leftover.insert(hash); // waits for the next trickle
            continue;
        }
        if (!passes_filter(info)) continue;
        p.known.Insert(hash);
        p.announced.Insert(hash);
        out.push_back(net::Inv{inv_type, hash});
        ++sent;
    }
    p.to_announce = std::move(leftover);
    return out;
}

std::optional<Amount> TxRelay::FeeFilterToSend(net::NodeId id, bool initial_download, microseconds now)
{
    auto it = m_peers.find(id);
    if (it == m_peers.end() || it->second.info.block_relay_only) return std::nullopt;
    PeerState& p = it->second;
    Amount current = m_pool.MinFeeRate();
    // The top bucket (rounding MAX_MONEY never draws the random choice: nothing is above it).
    const Amount max_filter = RoundFeeFilter(consensus::MAX_MONEY, m_rng);
    if (initial_download) {
        // During initial download we want no transactions: the highest filter.
        current = consensus::MAX_MONEY;
    } else if (p.fee_filter_sent == max_filter) {
        // Out of initial download: the real filter at once.
        p.next_fee_filter = microseconds{0};
    }
    if (now >= p.next_fee_filter) {
        // Rounded down to a bucket (Core then raises it to -minrelaytxfee; TxPool reports only
        // the combined minimum, so a filter may be one bucket under it: harmless, we just get more).
        const Amount send = RoundFeeFilter(current, m_rng);
        std::optional<Amount> result;
        if (send != p.fee_filter_sent) {
            p.fee_filter_sent = send;
            result = send;
        }
        p.next_fee_filter = Poisson(now, AVG_FEEFILTER_BROADCAST_INTERVAL);
        return result;
    }
    // A big change of our minimum brings the next filter forward (Core).
    if (now + MAX_FEEFILTER_CHANGE_DELAY < p.next_fee_filter &&
        (current.sats < 3 * p.fee_filter_sent.sats / 4 || current.sats > 4 * p.fee_filter_sent.sats / 3)) {
        std::uniform_int_distribution<int64_t> d(0, MAX_FEEFILTER_CHANGE_DELAY.count());
        p.next_fee_filter = now + microseconds{d(m_rng)};
    }
    return std::nullopt;
}

bool TxRelay::OnMempoolRequest(net::NodeId id)
{
    auto it = m_peers.find(id);
    if (it == m_peers.end() || !it->second.info.mempool_permission) return false;
    it->second.send_mempool = true;
    return true;
}

Amount TxRelay::PeerFeeFilter(net::NodeId id) const
{
    auto it = m_peers.find(id);
    return it == m_peers.end() ? Amount{0} : it->second.fee_filter;
}

bool TxRelay::PeerRelaysTxs(net::NodeId id) const
{
    auto it = m_peers.find(id);
    return it != m_peers.end() && it->second.relay;
}

std::chrono::seconds TxRelay::LastTxTime(net::NodeId id) const
{
    auto it = m_peers.find(id);
    return it == m_peers.end() ? std::chrono::seconds{0} : it->second.last_tx;
}

} // namespace node::p2p
