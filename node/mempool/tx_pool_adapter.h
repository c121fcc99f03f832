// The mempool as the P2P layer sees it (node/p2p/tx_pool.h) over the node's MempoolManager.
#pragma once

#include "node/mempool/mempool_manager.h"
#include "node/p2p/tx_pool.h"

namespace node::mempool {

/** Implements p2p::TxPool over a MempoolManager (which must outlive it). Thread contract: TxPool's. */
class RelayPool final : public p2p::TxPool {
public:
    explicit RelayPool(MempoolManager& mm) : m_mm(mm) {}
    consensus::TransactionRef FindTx(const consensus::Uint256& hash, bool by_wtxid) const override;
    std::optional<p2p::TxPoolInfo> Info(const consensus::Uint256& hash, bool by_wtxid) const override;
    std::vector<p2p::TxPoolInfo> InfoAll() const override;
    void SubmitTx(consensus::TransactionRef tx, std::function<void(p2p::TxSubmitResult)> done) override;
    void SubmitPackage(std::vector<consensus::TransactionRef> txs,
                       std::function<void(std::vector<p2p::TxSubmitResult>)> done) override;
    consensus::Amount MinFeeRate() const override;
    void TxServed(const consensus::Uint256& txid) override;
    std::vector<consensus::TransactionRef> UnbroadcastTxs() const override;
    void ForEachTx(const std::function<void(const consensus::TransactionRef&)>& visit) const override;

private:
    MempoolManager& m_mm;
};

} // namespace node::mempool
