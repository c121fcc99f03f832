// Transaction relay in the peer manager: the tx/inv/getdata/notfound/feefilter/mempool
// messages carried to and from TxRelay (the decisions, tx_relay.h), the pool (TxPool: acceptance
// on the validation owner) and the orphan pool. Everything TxRelay and the orphan pool hold is
// under the peer manager's lock; the pool is called without it, except for its own lookups.
#include "node/p2p/peer_manager.h"

#include "util/logging.h"

namespace node::p2p {

using util::LogCategory;

namespace {
/** Core adds a rejected transaction to the reconstruction extras when its memory use is under 100 kB. */
constexpr size_t MAX_EXTRA_TX_SIZE = 100000;
} // namespace

void PeerManager::SetTxPool(TxPool* pool)
{
    util::LockGuard lock(m_mutex);
    m_txpool = pool;
    m_txrelay = pool ? std::make_unique<TxRelay>(*pool) : nullptr;
    // BIP-152: compact blocks are rebuilt from the mempool first (Core's PartiallyDownloadedBlock
    // walks the pool, then vExtraTxnForCompact).
    m_compact.SetTxSource(pool);
}

void PeerManager::RelayTransaction(const consensus::TransactionRef& tx)
{
    util::LockGuard lock(m_mutex);
    if (m_txrelay) m_txrelay->RelayTransaction(tx->GetTxid(), tx->GetWtxid());
}

void PeerManager::OnTxInvs(net::NodeId id, const std::vector<net::Inv>& items)
{
    bool drop = false;
    {
        util::LockGuard lock(m_mutex);
        if (!m_txrelay) return;
        const bool ibd = m_chain.IsInitialBlockDownload();
        const auto now = TxNow();
        for (const net::Inv& inv : items) {
            const uint32_t type = inv.type & ~net::MSG_WITNESS_FLAG;
            if (type != net::MSG_TX && type != net::MSG_WTX) continue;
            // An orphan we hold is known: do not fetch it again.
            if (type == net::MSG_WTX && m_orphans.HaveTx(inv.hash)) continue;
            if (m_txrelay->OnTxInv(id, inv, ibd, now) == TxRelay::InvResult::DISCONNECT) {
                drop = true;
                break;
            }
        }
    }
    // Core: a transaction announced on a block-relay-only connection breaks its protocol.
    if (drop) DisconnectPeer(id, "transaction inv on a block-relay-only connection");
}

void PeerManager::OnTx(net::NodeId id, consensus::ByteReader& r)
{
    const consensus::TransactionRef tx =
        consensus::MakeTransactionRef(consensus::MutableTransaction::Deserialize(r, consensus::TxWitness::WITH));
    bool try_package = false;
    {
        util::LockGuard lock(m_mutex);
        if (!m_txrelay) return;
        if (!m_txrelay->OnTxReceived(id, tx)) {
            // In the pool already, or recently rejected; refused for its fee only, it may come
            // with a child from this peer (Core's 1p1c: the parent an orphan asked for).
            if (!m_txrelay->RejectedReconsiderable(tx->GetWtxid())) return;
            try_package = true;
        } else if (m_orphans.HaveTx(tx->GetWtxid())) {
            m_orphans.AddAnnouncer(tx->GetWtxid(), id);
            m_orphans.LimitOrphans(); // one more announcement: the latency score may be over (Core v30)
            return;
        }
    }
    if (try_package) return TryPackage(id, tx);
    SubmitTx(id, tx);
}

void PeerManager::TryPackage(net::NodeId id, const consensus::TransactionRef& parent)
{
    TxPool* pool = m_txpool.load();
    if (!pool) return;
    consensus::TransactionRef child;
    {
        util::LockGuard lock(m_mutex);
        if (!m_txrelay || m_stopping) return;
        // Newest first, as Core; one package per parent arrival.
        const auto children = m_orphans.GetChildrenFromSamePeer(parent, id);
        if (children.empty()) return;
        child = children.front();
    }
    util::LogDebug(LogCategory::MEMPOOL, "trying package of parent %s and child %s from peer=%lld\n",
                   parent->GetTxid().GetHex().c_str(), child->GetTxid().GetHex().c_str(), static_cast<long long>(id));
    pool->SubmitPackage({parent, child}, [this, id, parent, child](std::vector<TxSubmitResult> results) {
        if (results.size() != 2) return;
        // Members that got in, or failed for a reason of their own, are handled as single
        // verdicts; a member still refused for its fee or missing its parent stays as it was.
        const std::pair<const consensus::TransactionRef&, const TxSubmitResult&> members[] = {{parent, results[0]},
                                                                                              {child, results[1]}};
        for (const auto& [tx, r] : members) {
            const bool settled = r.kind == TxSubmitResult::Kind::ACCEPTED ||
                                 (r.kind == TxSubmitResult::Kind::REJECTED && !r.state.IsError() &&
                                  r.state.GetTxResult() != consensus::TxValidationResult::RECONSIDERABLE &&
                                  r.state.GetTxResult() != consensus::TxValidationResult::MISSING_INPUTS);
            if (settled) OnTxVerdict(id, tx, r, /*from_package=*/true);
        }
    });
}

void PeerManager::SubmitTx(net::NodeId id, const consensus::TransactionRef& tx)
{
    TxPool* pool = m_txpool.load();
    if (!pool) return;
    // The verdict comes on the owner's thread; StopNetwork lets queued jobs run before this goes.
    pool->SubmitTx(tx, [this, id, tx](TxSubmitResult result) { OnTxVerdict(id, tx, result); });
}

void PeerManager::OnTxVerdict(net::NodeId id, const consensus::TransactionRef& tx, const TxSubmitResult& result,
                              bool from_package)
{
    TxOutcome outcome;
    std::vector<std::pair<net::NodeId, consensus::TransactionRef>> reconsider;
    {
        util::LockGuard lock(m_mutex);
        if (!m_txrelay || m_stopping) return;
        outcome = m_txrelay->OnTxResult(id, tx, result, TxNow());
        if (result.kind == TxSubmitResult::Kind::ACCEPTED) {
            util::LogDebug(LogCategory::MEMPOOL, "AcceptToMemoryPool: peer=%lld: accepted %s (wtxid=%s)\n",
                           static_cast<long long>(id), tx->GetTxid().GetHex().c_str(), tx->GetWtxid().GetHex().c_str());
            m_orphans.EraseTx(tx->GetWtxid());
            // Orphans waiting for this one: each goes back to acceptance (Core's orphan work sets).
            m_orphans.AddChildrenToWorkSet(*tx, m_rng);
            for (const auto& [peer, p] : m_peers) {
                while (consensus::TransactionRef child = m_orphans.GetTxToReconsider(peer)) {
                    reconsider.emplace_back(peer, child);
                }
            }
        } else if (outcome.keep_as_orphan) {
            // Core's AddToCompactExtraTransactions: an orphan may be in the next block.
            m_compact.Extra().Add(tx);
            if (m_orphans.AddTx(tx, id)) {
                util::LogDebug(LogCategory::MEMPOOL, "stored orphan tx %s (wtxid=%s), peer=%lld\n",
                               tx->GetTxid().GetHex().c_str(), tx->GetWtxid().GetHex().c_str(),
                               static_cast<long long>(id));
            }
            m_orphans.LimitOrphans();
        } else {
            m_orphans.EraseTx(tx->GetWtxid());
            // Core keeps recent rejects (under 100 kB) for reconstruction too: a miner with another
            // policy may still confirm them.
            if (result.kind == TxSubmitResult::Kind::REJECTED && !result.state.IsError()) {
                if (tx->GetTotalSize() < MAX_EXTRA_TX_SIZE) m_compact.Extra().Add(tx);
                util::LogDebug(LogCategory::MEMPOOLREJ, "%s (wtxid=%s) from peer=%lld was not accepted: %s\n",
                               tx->GetTxid().GetHex().c_str(), tx->GetWtxid().GetHex().c_str(),
                               static_cast<long long>(id), result.state.ToString().c_str());
            }
        }
    }
    if (outcome.punish) Misbehaving(id, "transaction " + tx->GetTxid().GetHex() + ": " + outcome.reason);
    for (const auto& [peer, child] : reconsider) SubmitTx(peer, child);
    if (outcome.try_package && !from_package) TryPackage(id, tx);
}

void PeerManager::OnNotFound(net::NodeId id, consensus::ByteReader& r)
{
    const net::InvMessage m = net::InvMessage::Deserialize(r);
    util::LockGuard lock(m_mutex);
    if (m_txrelay) m_txrelay->OnNotFound(id, m.items);
}

void PeerManager::OnFeeFilter(net::NodeId id, consensus::ByteReader& r)
{
    const net::FeeFilterMessage m = net::FeeFilterMessage::Deserialize(r);
    // Core ignores a value outside the money range.
    if (!consensus::MoneyRange(m.fee_rate)) return;
    util::LockGuard lock(m_mutex);
    if (m_txrelay) m_txrelay->OnFeeFilter(id, m.fee_rate);
}

void PeerManager::OnMempool(net::NodeId id)
{
    bool allowed = true;
    {
        util::LockGuard lock(m_mutex);
        if (m_txrelay) allowed = m_txrelay->OnMempoolRequest(id);
    }
    // BIP-35: only for peers with the mempool permission (Core disconnects the others).
    if (!allowed) DisconnectPeer(id, "mempool request with bloom filters disabled");
}

consensus::TransactionRef PeerManager::TxForGetData(net::NodeId id, const net::Inv& inv)
{
    util::LockGuard lock(m_mutex);
    if (!m_txrelay) return nullptr;
    consensus::TransactionRef tx = m_txrelay->TxToServe(id, inv, TxNow());
    if (tx && m_txpool.load()) m_txpool.load()->TxServed(tx->GetTxid()); // the pool's own lock only
    return tx;
}

std::chrono::milliseconds PeerManager::UnbroadcastRetryDelay()
{
    util::LockGuard lock(m_mutex);
    return std::chrono::minutes(10) + std::chrono::milliseconds(m_rng() % (5ULL * 60 * 1000));
}

void PeerManager::ReattemptInitialBroadcast()
{
    util::LockGuard lock(m_mutex);
    TxPool* pool = m_txpool.load();
    if (!m_txrelay || !pool) return;
    for (const auto& tx : pool->UnbroadcastTxs()) m_txrelay->RelayTransaction(tx->GetTxid(), tx->GetWtxid());
}

void PeerManager::TxTick()
{
    struct Out {
        net::NodeId id;
        std::vector<net::Inv> getdata, invs;
        std::optional<consensus::Amount> feefilter;
    };
    std::vector<Out> outs;
    {
        util::LockGuard lock(m_mutex);
        if (!m_txrelay) return;
        const auto now = TxNow();
        const bool ibd = m_chain.IsInitialBlockDownload();
        for (auto& [id, p] : m_peers) {
            if (!p.handshake_done) continue;
            Out o{id, m_txrelay->GetDataToSend(id, now), m_txrelay->AnnouncementsDue(id, now), std::nullopt};
            // BIP-133: feefilter to peers of version 70013 and later.
            if (p.version.version >= 70013) o.feefilter = m_txrelay->FeeFilterToSend(id, ibd, now);
            if (!o.getdata.empty() || !o.invs.empty() || o.feefilter) outs.push_back(std::move(o));
        }
    }
    for (const Out& o : outs) {
        for (size_t i = 0; i < o.getdata.size(); i += net::MAX_INV_SZ) {
            net::InvMessage m;
            m.items.assign(o.getdata.begin() + i, o.getdata.begin() + std::min(o.getdata.size(), i + net::MAX_INV_SZ));
            m_connman.Send(o.id, net::msg_type::GETDATA, consensus::SerializeToBytes(m));
        }
        for (size_t i = 0; i < o.invs.size(); i += net::MAX_INV_SZ) {
            net::InvMessage m;
            m.items.assign(o.invs.begin() + i, o.invs.begin() + std::min(o.invs.size(), i + net::MAX_INV_SZ));
            m_connman.Send(o.id, net::msg_type::INV, consensus::SerializeToBytes(m));
        }
        if (o.feefilter)
            m_connman.Send(o.id, net::msg_type::FEEFILTER,
                           consensus::SerializeToBytes(net::FeeFilterMessage{*o.feefilter}));
    }
}

} // namespace node::p2p
