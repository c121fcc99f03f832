// A Chain (common/interfaces/chain.h) for wallet unit tests: an active chain of blocks the
// test builds, a mempool that is a set of txids, and notifications delivered at once on the
// test's thread. No node code.
#pragma once

#include "common/interfaces/chain.h"
#include "consensus/merkle.h"

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <memory>
#include <set>
#include <vector>

#include <unistd.h>

namespace wallet_test {

using common::interfaces::BlockRef;

class FakeChain final : public common::interfaces::Chain {
public:
    const consensus::ChainParams& Params() const override { return consensus::Params(consensus::ChainType::REGTEST); }
    std::optional<BlockRef> GetTip() const override
    {
        if (m_active.empty()) return std::nullopt;
        return BlockRef{m_active.back(), static_cast<int>(m_active.size()) - 1};
    }
    std::optional<consensus::Uint256> GetBlockHash(int height) const override
    {
        if (height < 0 || height >= static_cast<int>(m_active.size())) return std::nullopt;
        return m_active[static_cast<size_t>(height)];
    }
    std::optional<int> GetActiveHeight(const consensus::Uint256& hash) const override
    {
        for (size_t i = 0; i < m_active.size(); ++i) {
            if (m_active[i] == hash) return static_cast<int>(i);
        }
        return std::nullopt;
    }
    std::optional<consensus::Block> ReadBlock(const consensus::Uint256& hash) const override
    {
        auto it = m_blocks.find(hash);
        if (it == m_blocks.end()) return std::nullopt;
        return it->second;
    }
    std::optional<consensus::Coin> GetCoin(const consensus::OutPoint&) const override { return std::nullopt; }
    bool IsInitialBlockDownload() const override { return false; }
    std::unique_ptr<common::interfaces::Handler>
    HandleNotifications(std::shared_ptr<common::interfaces::ChainNotifications> n) override
    {
        m_subscribers.push_back(n);
        return std::make_unique<Sub>(*this, n.get());
    }
    void WaitForNotifications() override {}
    bool IsInMempool(const consensus::Uint256& txid) const override
    {
        ++in_mempool_calls;
        return m_mempool.contains(txid);
    }
    std::optional<consensus::Coin> FindCoin(const consensus::OutPoint& outpoint) const override
    {
        auto it = m_mempool.find(outpoint.hash);
        if (it == m_mempool.end() || outpoint.n >= it->second->vout.size()) return std::nullopt;
        return consensus::Coin(it->second->vout[outpoint.n], 0x7FFFFFFF, false);
    }
    bool HasDescendantsInMempool(const consensus::Uint256& txid) const override
    {
        if (!m_mempool.contains(txid)) return false;
        for (const auto& [id, tx] : m_mempool) {
            for (const auto& in : tx->vin) {
                if (in.prevout.hash == txid) return true;
            }
        }
        return false;
    }
    std::optional<Ancestry> GetTransactionAncestry(const consensus::Uint256& txid) const override
    {
        // The fake pool keeps no fees or parents: each transaction is its own package.
        auto it = m_mempool.find(txid);
        if (it == m_mempool.end()) return std::nullopt;
        return Ancestry{1, static_cast<int64_t>(consensus::SerializedSize(*it->second)), consensus::Amount{0}};
    }
    /** Bump fees by outpoint (none: 0); the combined fee is their sum. */
    std::map<consensus::OutPoint, consensus::Amount> bump_fees;
    /** Answer nullopt, as the node does for a cluster too large to calculate. */
    bool enormous_cluster{false};
    std::optional<std::vector<CoinBumpFee>>
    CalculateIndividualBumpFees(const std::vector<consensus::OutPoint>& outpoints,
                                const common::FeeRate&) const override
    {
        if (enormous_cluster) return std::nullopt;
        std::vector<CoinBumpFee> out;
        for (const auto& op : outpoints) {
            auto it = bump_fees.find(op);
            const int64_t in_pool = m_mempool.contains(op.hash) ? 1 : 0; // its own package, as GetTransactionAncestry
            out.push_back({it == bump_fees.end() ? consensus::Amount{0} : it->second, in_pool, in_pool});
        }
        return out;
    }
    std::optional<consensus::Amount> CalculateCombinedBumpFee(const std::vector<consensus::OutPoint>& outpoints,
                                                              const common::FeeRate& target) const override
    {
        const auto each = CalculateIndividualBumpFees(outpoints, target);
        if (!each) return std::nullopt;
        consensus::Amount sum{0};
        for (const auto& coin : *each) sum += coin.bump_fee;
        return sum;
    }
    void RequestMempoolTransactions(common::interfaces::ChainNotifications& notifications) const override
    {
        for (const auto& [txid, tx] : m_mempool) notifications.TransactionAddedToMempool(tx);
        for (const auto& tx : replay_stale) notifications.TransactionAddedToMempool(tx);
    }
    /** Replayed by RequestMempoolTransactions though not in the pool (it left after the node's copy). */
    std::vector<consensus::TransactionRef> replay_stale;
    std::optional<std::string> BroadcastTransaction(const consensus::TransactionRef& tx, consensus::Amount) override
    {
        AddToMempool(tx);
        return std::nullopt;
    }
    FeeEstimate EstimateSmartFee(int, bool) const override { return {}; }
    common::FeeRate RelayMinFee() const override { return common::FeeRate(consensus::Amount{100}); }
    common::FeeRate MempoolMinFee() const override { return RelayMinFee(); }
    common::FeeRate RelayDustFee() const override { return common::FeeRate(consensus::Amount{3000}); }
    common::FeeRate RelayIncrementalFee() const override { return RelayMinFee(); }

    /** Connects a block holding a coinbase paying 50 BTC to coinbase_script, then txs. */
    consensus::Block Mine(const consensus::Script& coinbase_script, std::vector<consensus::TransactionRef> txs = {})
    {
        consensus::Block b;
        b.prev_block = m_active.empty() ? consensus::Uint256() : m_active.back();
        b.time = 1'700'000'000 + static_cast<uint32_t>(m_active.size());
        consensus::MutableTransaction cb;
        consensus::TxIn in;
        in.script_sig =
            consensus::Script(std::vector<uint8_t>{0x01, static_cast<uint8_t>(m_active.size() & 0xff), 0x51});
        cb.vin.push_back(in);
        cb.vout.push_back(consensus::TxOut{consensus::Amount{50 * consensus::COIN.sats}, coinbase_script});
        b.vtx.push_back(consensus::MakeTransactionRef(cb));
        for (auto& tx : txs) {
            m_mempool.erase(tx->GetTxid());
            b.vtx.push_back(tx);
        }
        b.merkle_root = consensus::BlockMerkleRoot(b);
        const consensus::Uint256 hash = b.GetHash();
        m_blocks[hash] = b;
        m_active.push_back(hash);
        for (auto& s : m_subscribers) {
            if (s) s->BlockConnected(b, BlockRef{hash, static_cast<int>(m_active.size()) - 1});
        }
        return b;
    }
    /** Disconnects the tip. */
    void Disconnect()
    {
        const consensus::Uint256 hash = m_active.back();
        const consensus::Block& b = m_blocks.at(hash);
        m_active.pop_back();
        for (auto& s : m_subscribers) {
            if (s) s->BlockDisconnected(b, BlockRef{hash, static_cast<int>(m_active.size())});
        }
    }
    void AddToMempool(const consensus::TransactionRef& tx)
    {
        m_mempool.emplace(tx->GetTxid(), tx);
        Notify([this, tx] {
            for (auto& s : m_subscribers) {
                if (s) s->TransactionAddedToMempool(tx);
            }
        });
    }
    /** Drops txid from the mempool (as expiry or a replacement would) and tells the subscribers. */
    void RemoveFromMempool(const consensus::Uint256& txid)
    {
        auto it = m_mempool.find(txid);
        if (it == m_mempool.end()) return;
        const consensus::TransactionRef tx = it->second;
        m_mempool.erase(it);
        Notify([this, tx] {
            for (auto& s : m_subscribers) {
                if (s) s->TransactionRemovedFromMempool(tx);
            }
        });
    }
    /**
     * While set, the mempool's notifications wait (as the node's queue lets them lag behind
     * the pool) until DeliverHeld() sends them, in order.
     */
    bool hold_mempool_notifications{false};
    void DeliverHeld()
    {
        auto held = std::move(m_held);
        m_held.clear();
        for (auto& n : held) n();
    }
    /** How many times the wallet asked IsInMempool (it keeps its own record of the pool). */
    mutable int in_mempool_calls{0};

private:
    void Notify(std::function<void()> n)
    {
        if (hold_mempool_notifications) {
            m_held.push_back(std::move(n));
        } else {
            n();
        }
    }
    std::vector<std::function<void()>> m_held;
    class Sub final : public common::interfaces::Handler {
    public:
        Sub(FakeChain& chain, common::interfaces::ChainNotifications* n) : m_chain(chain), m_n(n) {}
        ~Sub() override { Disconnect(); }
        void Disconnect() override
        {
            for (auto& s : m_chain.m_subscribers) {
                if (s.get() == m_n) s.reset();
            }
        }

    private:
        FakeChain& m_chain;
        common::interfaces::ChainNotifications* m_n;
    };
    std::vector<consensus::Uint256> m_active;
    std::map<consensus::Uint256, consensus::Block> m_blocks;
    std::map<consensus::Uint256, consensus::TransactionRef> m_mempool;
    std::vector<std::shared_ptr<common::interfaces::ChainNotifications>> m_subscribers;
};

/** A fresh folder under the system's temporary directory, removed with everything in it at the end. */
struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        static int n = 0;
        path = std::filesystem::temp_directory_path() /
               ("minicash_wallet_" + std::to_string(::getpid()) + "_" + std::to_string(++n));
        std::filesystem::remove_all(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

} // namespace wallet_test
