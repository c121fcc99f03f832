// common::interfaces::Chain over the chainstate: reads through its public, locking API and
// notifications through a ChainListener that translates BlockIndex pointers to BlockRefs, so
// no node type crosses the interface.
#include "node/interfaces/chain.h"

#include "node/chain/chainstate.h"
#include "node/mempool/mempool_manager.h"
#include "node/mempool/mini_miner.h"

#include <atomic>

namespace node::interfaces {

namespace {

using common::interfaces::BlockRef;
using common::interfaces::ChainNotifications;

BlockRef RefOf(const chain::BlockIndex* index) { return BlockRef{index->GetBlockHash(), index->height}; }

/** One subscription: an asynchronous ChainListener registered with the chainstate until Disconnect. */
class NotificationsHandler final : public common::interfaces::Handler, public chain::ChainListener {
public:
    NotificationsHandler(chain::Chainstate& chainstate, std::shared_ptr<ChainNotifications> notifications)
        : m_chainstate(chainstate), m_notifications(std::move(notifications))
    {
        m_chainstate.AddListener(this, chain::Delivery::ASYNC);
    }
    ~NotificationsHandler() override { Disconnect(); }

    void Disconnect() override
    {
        if (!m_connected.exchange(false)) return;
        // RemoveListener waits for a delivery in progress, so once it returns none is running
        // and none will come: the subscriber may go.
        m_chainstate.RemoveListener(this);
        m_notifications.reset();
    }

    void BlockConnected(const std::shared_ptr<const consensus::Block>& block, const chain::BlockIndex* index) override
    {
        m_notifications->BlockConnected(*block, RefOf(index));
    }
    void BlockDisconnected(const std::shared_ptr<const consensus::Block>& block,
                           const chain::BlockIndex* index) override
    {
        m_notifications->BlockDisconnected(*block, RefOf(index));
    }
    void UpdatedBlockTip(const chain::BlockIndex* new_tip, const chain::BlockIndex* fork,
                         bool initial_download) override
    {
        (void)fork;
        m_notifications->TipChanged(RefOf(new_tip), initial_download);
    }
    void TransactionAddedToMempool(const consensus::TransactionRef& tx) override
    {
        m_notifications->TransactionAddedToMempool(tx);
    }
    void TransactionRemovedFromMempool(const consensus::TransactionRef& tx) override
    {
        m_notifications->TransactionRemovedFromMempool(tx);
    }

private:
    chain::Chainstate& m_chainstate;
    std::atomic<bool> m_connected{true};
    std::shared_ptr<ChainNotifications> m_notifications; // set while registered with the chainstate
};

class ChainImpl final : public common::interfaces::Chain {
public:
    ChainImpl(chain::Chainstate& chainstate, mempool::MempoolManager* mempool, mempool::RelayFn relay)
        : m_chainstate(chainstate), m_mempool(mempool), m_relay(std::move(relay))
    {}

    const consensus::ChainParams& Params() const override { return m_chainstate.Params(); }

    std::optional<BlockRef> GetTip() const override
    {
        const chain::TipSnapshot tip = m_chainstate.GetTipSnapshot();
        if (tip.height < 0) return std::nullopt;
        return BlockRef{tip.hash, tip.height};
    }

    std::optional<consensus::Uint256> GetBlockHash(int height) const override
    {
        if (height < 0) return std::nullopt;
        const chain::BlockIndex* index = m_chainstate.AtHeight(height);
        if (!index) return std::nullopt;
        return index->GetBlockHash();
    }

    std::optional<int> GetActiveHeight(const consensus::Uint256& hash) const override
    {
        const chain::BlockIndex* index = m_chainstate.LookupBlockIndex(hash);
        if (!index || !m_chainstate.IsInActiveChain(index)) return std::nullopt;
        return index->height;
    }

    std::optional<consensus::Block> ReadBlock(const consensus::Uint256& hash) const override
    {
        const chain::BlockIndex* index = m_chainstate.LookupBlockIndex(hash);
        if (!index) return std::nullopt;
        return m_chainstate.ReadBlock(index);
    }

    std::optional<consensus::Coin> GetCoin(const consensus::OutPoint& outpoint) const override
    {
        auto info = m_chainstate.GetTxOut(outpoint);
        if (!info) return std::nullopt;
        return std::move(info->coin);
    }

    bool IsInitialBlockDownload() const override { return m_chainstate.IsInitialBlockDownload(); }

    std::unique_ptr<common::interfaces::Handler>
    HandleNotifications(std::shared_ptr<ChainNotifications> notifications) override
    {
        return std::make_unique<NotificationsHandler>(m_chainstate, std::move(notifications));
    }

    void WaitForNotifications() override { m_chainstate.SyncWithNotifications(); }

    bool IsInMempool(const consensus::Uint256& txid) const override
    {
        return m_mempool && m_mempool->Pool().Exists(txid);
    }

    bool HasDescendantsInMempool(const consensus::Uint256& txid) const override
    {
        if (!m_mempool) return false;
        const auto e = m_mempool->Pool().GetEntry(txid);
        return e && e->count_with_descendants > 1;
    }

    std::optional<consensus::Coin> FindCoin(const consensus::OutPoint& outpoint) const override
    {
        if (!m_mempool) return GetCoin(outpoint);
        // The pool, then the chain, each under its own lock (Core holds both). A transaction
        // mined between the two reads is found: a block's coins are written before its
        // transactions leave the pool. One of a block being disconnected is in neither until
        // the reorganisation's tip event gives it back to the pool: a miss is believed only if
        // no reorganisation ran during the reads (ReorgSequence).
        const mempool::PoolCoinsView view(m_chainstate, m_mempool->Pool());
        while (true) {
            const uint64_t before = m_chainstate.ReorgSequence();
            if (before % 2 != 0) {
                m_chainstate.WaitForReorgEnd();
                if (m_chainstate.IsInterrupted()) return view.GetCoin(outpoint); // shutting down
                continue;
            }
            std::optional<consensus::Coin> coin = view.GetCoin(outpoint);
            if (coin || m_chainstate.ReorgSequence() == before) return coin;
        }
    }

    std::optional<Ancestry> GetTransactionAncestry(const consensus::Uint256& txid) const override
    {
        if (!m_mempool) return std::nullopt;
        // Read in place: a send asks this of each unconfirmed transaction it could spend.
        std::optional<Ancestry> out;
        m_mempool->Pool().Read([&](mempool::PoolReader& reader) {
            if (const mempool::Entry* e = reader.Find(txid)) {
                out = Ancestry{e->count_with_ancestors, e->size_with_ancestors, e->fees_with_ancestors};
            }
        });
        return out;
    }

    std::optional<std::vector<CoinBumpFee>>
    CalculateIndividualBumpFees(const std::vector<consensus::OutPoint>& outpoints,
                                const common::FeeRate& target) const override
    {
        std::vector<CoinBumpFee> out(outpoints.size());
        if (!m_mempool) return out;
        const auto fees = mempool::IndividualBumpFees(m_mempool->Pool(), outpoints, target);
        if (!fees) return std::nullopt;
        for (size_t i = 0; i < out.size(); ++i) {
            out[i] = {(*fees)[i].bump_fee, (*fees)[i].ancestor_count, (*fees)[i].descendant_count};
        }
        return out;
    }

    std::optional<consensus::Amount> CalculateCombinedBumpFee(const std::vector<consensus::OutPoint>& outpoints,
                                                              const common::FeeRate& target) const override
    {
        if (!m_mempool) return consensus::Amount{0};
        const auto total = mempool::MiniMiner(m_mempool->Pool(), outpoints).CalculateTotalBumpFees(target);
        if (!total) return std::nullopt;
        // Never below zero (Core's can be): ancestors paying more than the target must not lower
        // the new transaction's own rate below it, or its score would leave it out at that rate.
        return std::max(*total, consensus::Amount{0});
    }

    void RequestMempoolTransactions(ChainNotifications& notifications) const override
    {
        if (!m_mempool) return;
        // A copy first: the notifications run without the pool's lock. One that left the pool
        // meanwhile is skipped (Core replays under the pool's lock; this narrows the same window
        // to a transaction leaving between the check and its notification, which then stays in
        // the wallet unconfirmed, as one evicted after it was notified does).
        for (const mempool::Entry& e : m_mempool->Pool().GetAllSorted()) {
            if (m_mempool->Pool().Exists(e.tx->GetTxid())) notifications.TransactionAddedToMempool(e.tx);
        }
    }

    std::optional<std::string> BroadcastTransaction(const consensus::TransactionRef& tx,
                                                    consensus::Amount max_fee) override
    {
        if (!m_mempool) return "Transaction rejected by the mempool: no mempool";
        using mempool::BroadcastError;
        const mempool::BroadcastResult r = mempool::BroadcastTransaction(*m_mempool, tx, max_fee, m_relay);
        switch (r.error) {
        case BroadcastError::OK: return std::nullopt;
        case BroadcastError::ALREADY_IN_UTXO_SET: return "Transaction outputs already in utxo set";
        case BroadcastError::MISSING_INPUTS: return "Inputs missing or spent";
        case BroadcastError::MEMPOOL_REJECTED:
        case BroadcastError::MEMPOOL_ERROR: return r.reason;
        case BroadcastError::MAX_FEE_EXCEEDED:
            return "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)";
        case BroadcastError::SHUTTING_DOWN: return "Shutting down";
        }
        return r.reason;
    }

    FeeEstimate EstimateSmartFee(int target, bool conservative) const override
    {
        FeeEstimate out;
        if (!m_mempool) return out;
        const mempool::SmartFeeEstimate e = m_mempool->Fees().EstimateSmartFee(target, conservative);
        if (e.feerate) out.feerate = common::FeeRate(consensus::Amount{*e.feerate});
        out.returned_target = e.returned_target;
        return out;
    }

    common::FeeRate RelayMinFee() const override
    {
        return common::FeeRate(m_mempool ? m_mempool->Pool().GetOptions().min_relay_feerate : consensus::Amount{100});
    }

    common::FeeRate MempoolMinFee() const override
    {
        if (!m_mempool) return RelayMinFee();
        return common::FeeRate(
            std::max(m_mempool->Pool().GetMinFee(), m_mempool->Pool().GetOptions().min_relay_feerate));
    }

    common::FeeRate RelayDustFee() const override
    {
        return common::FeeRate(m_mempool ? m_mempool->Options().policy.dust_relay_feerate : mempool::DUST_RELAY_TX_FEE);
    }

    common::FeeRate RelayIncrementalFee() const override
    {
        return common::FeeRate(m_mempool ? m_mempool->Pool().GetOptions().incremental_relay_feerate
                                         : consensus::Amount{100});
    }

private:
    chain::Chainstate& m_chainstate;
    mempool::MempoolManager* m_mempool;
    mempool::RelayFn m_relay;
};

} // namespace

std::unique_ptr<common::interfaces::Chain>
MakeChain(node::chain::Chainstate& chainstate, node::mempool::MempoolManager* mempool, node::mempool::RelayFn relay)
{
    return std::make_unique<ChainImpl>(chainstate, mempool, std::move(relay));
}

} // namespace node::interfaces
