#include "node/mempool/tx_pool_adapter.h"

#include "node/chain/validation_owner.h"

#include <algorithm>

namespace node::mempool {

namespace {
p2p::TxPoolInfo InfoOf(const Entry& e)
{
    return p2p::TxPoolInfo{e.tx, std::chrono::seconds(e.time), e.ModifiedFee(), e.vsize};
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
        m_mm.Post(std::move(tx), [done](const AcceptResult& r) {
            if (r.Valid()) {
                done(p2p::TxSubmitResult::Accepted(r.replaced));
            } else if (r.state.GetTxResult() == consensus::TxValidationResult::MISSING_INPUTS) {
                done(p2p::TxSubmitResult::MissingInputs(r.missing_parents));
            } else {
                done(p2p::TxSubmitResult::Rejected(r.state));
            }
        });
    } catch (const chain::OwnerStopped&) {
        done(p2p::TxSubmitResult::Rejected(consensus::ValidationResult::Error("shutting down")));
    }
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
