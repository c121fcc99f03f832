// A TxPool (node/p2p/tx_pool.h) for unit tests: a map of transactions with their fee, size
// and entry time; SubmitTx records the call and answers later, when the test calls Answer
// (as the validation owner would, on its own thread).
#pragma once

#include "node/p2p/tx_pool.h"

#include <deque>
#include <map>
#include <mutex>

namespace testutil {

class FakeTxPool final : public node::p2p::TxPool {
public:
    /** Puts tx in the pool with this fee (sat), vsize and entry time. */
    void Add(const consensus::TransactionRef& tx, int64_t fee, int64_t vsize = 100, std::chrono::seconds time = {})
    {
        std::lock_guard lock(m_mutex);
        m_entries[tx->GetTxid()] = node::p2p::TxPoolInfo{tx, time, consensus::Amount{fee}, vsize};
    }
    void Remove(const consensus::Uint256& txid)
    {
        std::lock_guard lock(m_mutex);
        m_entries.erase(txid);
    }
    void SetMinFeeRate(int64_t sat_per_kvb)
    {
        std::lock_guard lock(m_mutex);
        m_min_fee = consensus::Amount{sat_per_kvb};
    }
    /** Submissions not answered yet. */
    size_t Pending() const
    {
        std::lock_guard lock(m_mutex);
        return m_pending.size();
    }
    /** Answers the oldest submission (ACCEPTED also adds it to the pool with fee 1000). */
    void Answer(const node::p2p::TxSubmitResult& r)
    {
        std::pair<consensus::TransactionRef, std::function<void(node::p2p::TxSubmitResult)>> job;
        {
            std::lock_guard lock(m_mutex);
            job = std::move(m_pending.front());
            m_pending.pop_front();
        }
        if (r.kind == node::p2p::TxSubmitResult::Kind::ACCEPTED) Add(job.first, 1000);
        job.second(r);
    }

    consensus::TransactionRef FindTx(const consensus::Uint256& hash, bool by_wtxid) const override
    {
        auto info = Info(hash, by_wtxid);
        return info ? info->tx : nullptr;
    }
    std::optional<node::p2p::TxPoolInfo> Info(const consensus::Uint256& hash, bool by_wtxid) const override
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [txid, e] : m_entries)
            if ((by_wtxid ? e.tx->GetWtxid() : txid) == hash) return e;
        return std::nullopt;
    }
    std::vector<node::p2p::TxPoolInfo> InfoAll() const override
    {
        std::lock_guard lock(m_mutex);
        std::vector<node::p2p::TxPoolInfo> out;
        for (const auto& [txid, e] : m_entries) out.push_back(e);
        return out;
    }
    void SubmitTx(consensus::TransactionRef tx, std::function<void(node::p2p::TxSubmitResult)> done) override
    {
        std::lock_guard lock(m_mutex);
        m_pending.emplace_back(std::move(tx), std::move(done));
    }
    consensus::Amount MinFeeRate() const override
    {
        std::lock_guard lock(m_mutex);
        return m_min_fee;
    }
    void ForEachTx(const std::function<void(const consensus::TransactionRef&)>& visit) const override
    {
        for (const auto& e : InfoAll()) visit(e.tx);
    }

private:
    mutable std::mutex m_mutex;
    std::map<consensus::Uint256, node::p2p::TxPoolInfo> m_entries;
    std::deque<std::pair<consensus::TransactionRef, std::function<void(node::p2p::TxSubmitResult)>>> m_pending;
    consensus::Amount m_min_fee{1000};
};

/** A distinct transaction; with_witness gives it a witness (so txid != wtxid). */
inline consensus::TransactionRef MakeTestTx(uint32_t n, bool with_witness = true)
{
    consensus::MutableTransaction m;
    consensus::TxIn in;
    in.prevout.n = n;
    if (with_witness) in.witness.stack.push_back({1, 2, 3});
    m.vin.push_back(in);
    m.vout.emplace_back(consensus::Amount{1000 + n}, consensus::Script{});
    return consensus::MakeTransactionRef(std::move(m));
}

} // namespace testutil
