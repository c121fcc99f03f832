#include "node/mempool/tx_pool_adapter.h"

#include "node/chain/validation_owner.h"

#include <algorithm>

namespace node::mempool {

namespace {
p2p::TxPoolInfo InfoOf(const Entry& e)
{
    return p2p::TxPoolInfo{e.tx, std::chrono::seconds(e.time), e.ModifiedFee(), e.vsize};
}

p2p::TxSubmitResult ToSubmitResult(const AcceptResult& r)
{
    if (r.Valid()) return p2p::TxSubmitResult::Accepted(r.replaced);
    if (r.state.GetTxResult() == consensus::TxValidationResult::MISSING_INPUTS) {
        return p2p::TxSubmitResult::MissingInputs(r.missing_parents);
    }
    return p2p::TxSubmitResult::Rejected(r.state);
}
} // namespace

consensus::TransactionRef RelayPool::FindTx(const consensus::Uint256& hash, bool by_wtxid) const
{
    return by_wtxid ? m_mm.Pool().GetByWtxid(hash) : m_mm.Pool().Get(hash);
}

std::optional<p2p::TxPoolInfo> RelayPool::Info(const consensus::Uint256& hash, bool by_wtxid) const
{
    consensus::Uint256 txid = hash;
    if (by_wtxid) {
        consensus::TransactionRef tx = m_mm.Pool().GetByWtxid(hash);
        if (!tx) return std::nullopt;
        txid = tx->GetTxid();
    }
    auto e = m_mm.Pool().GetEntry(txid);
    if (!e) return std::nullopt;
    return InfoOf(*e);
}

std::vector<p2p::TxPoolInfo> RelayPool::InfoAll() const
{
    std::vector<p2p::TxPoolInfo> out;
    for (const Entry& e : m_mm.Pool().GetAllSorted()) out.push_back(InfoOf(e));
    return out;
}

void RelayPool::SubmitTx(consensus::TransactionRef tx, std::function<void(p2p::TxSubmitResult)> done)
{
    try {
        m_mm.Post(std::move(tx), [done](const AcceptResult& r) { done(ToSubmitResult(r)); });
    } catch (const chain::OwnerStopped&) {
        done(p2p::TxSubmitResult::Rejected(consensus::ValidationResult::Error("shutting down")));
    }
}

void RelayPool::SubmitPackage(std::vector<consensus::TransactionRef> txs,
                              std::function<void(std::vector<p2p::TxSubmitResult>)> done)
{
    std::vector<consensus::Uint256> wtxids;
    for (const auto& tx : txs) wtxids.push_back(tx->GetWtxid());
    try {
        m_mm.PostPackage(std::move(txs), [done, wtxids](const PackageResult& pr) {
            std::vector<p2p::TxSubmitResult> out;
            for (const auto& wtxid : wtxids) {
                auto it = std::find_if(pr.results.begin(), pr.results.end(),
                                       [&](const auto& wr) { return wr.first == wtxid; });
                // A member the package never judged: an unsettled (error) result.
                out.push_back(it != pr.results.end() ? ToSubmitResult(it->second)
                                                     : p2p::TxSubmitResult::Rejected(consensus::ValidationResult::Error(
                                                           "not judged: " + pr.state.GetRejectReason())));
            }
            done(std::move(out));
        });
    } catch (const chain::OwnerStopped&) {
        done(std::vector<p2p::TxSubmitResult>(
            wtxids.size(), p2p::TxSubmitResult::Rejected(consensus::ValidationResult::Error("shutting down"))));
    }
}

void RelayPool::TxServed(const consensus::Uint256& txid)
{
    if (m_mm.Pool().IsUnbroadcast(txid)) m_mm.Pool().RemoveUnbroadcast(txid);
}

std::vector<consensus::TransactionRef> RelayPool::UnbroadcastTxs() const
{
    std::vector<consensus::TransactionRef> out;
    for (const auto& txid : m_mm.Pool().GetUnbroadcast()) {
        if (auto tx = m_mm.Pool().Get(txid)) out.push_back(std::move(tx));
    }
    return out;
}

consensus::Amount RelayPool::MinFeeRate() const
{
    TxMemPool& pool = m_mm.Pool(); // GetMinFee updates its decay: the non-const pool
    return std::max(pool.GetMinFee(), pool.GetOptions().min_relay_feerate);
}

void RelayPool::ForEachTx(const std::function<void(const consensus::TransactionRef&)>& visit) const
{
    m_mm.Pool().ForEachTx(visit);
}

} // namespace node::mempool
