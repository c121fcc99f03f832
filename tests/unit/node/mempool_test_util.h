// Unsigned transactions and a pool with a fake clock for the mempool tests (the pool checks no scripts).
#pragma once

#include "consensus/primitives/transaction.h"
#include "consensus/script/script.h"
#include "node/mempool/txmempool.h"

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace mempool_test {

/** A confirmed coin outside the pool, distinct for each n. */
inline consensus::OutPoint Coin(uint32_t n)
{
    consensus::Uint256 h;
    h.data()[0] = static_cast<uint8_t>(n);
    h.data()[1] = static_cast<uint8_t>(n >> 8);
    h.data()[31] = 0xc0;
    return consensus::OutPoint(h, 0);
}

/** A transaction spending ins to nout OP_TRUE outputs; tag (the lock-time) keeps txids apart. */
inline consensus::TransactionRef Tx(const std::vector<consensus::OutPoint>& ins, int nout, uint32_t tag,
                                    bool witness = false)
{
    consensus::MutableTransaction m;
    for (const auto& o : ins) {
        consensus::TxIn in;
        in.prevout = o;
        if (witness) in.witness.stack.push_back(std::vector<uint8_t>(20, 0x42));
        m.vin.push_back(in);
    }
    for (int i = 0; i < nout; ++i) {
        consensus::Script s;
        s << consensus::OP_TRUE;
        m.vout.emplace_back(consensus::Amount{1000}, s);
    }
    m.locktime = tag;
    return consensus::MakeTransactionRef(std::move(m));
}

inline consensus::OutPoint Out(const consensus::TransactionRef& tx, uint32_t n)
{
    return consensus::OutPoint(tx->GetTxid(), n);
}

struct Pool {
    int64_t now{1'700'000'000};
    std::vector<std::pair<consensus::Uint256, node::mempool::RemovalReason>> removed;
    std::unique_ptr<node::mempool::TxMemPool> pool;

    explicit Pool(node::mempool::TxMemPool::Options opts = {})
    {
        opts.now_seconds = [this] { return now; };
        pool = std::make_unique<node::mempool::TxMemPool>(std::move(opts));
        pool->SetRemovalListener([this](const consensus::TransactionRef& tx, node::mempool::RemovalReason r) {
            removed.emplace_back(tx->GetTxid(), r);
        });
    }
    /** Adds tx with fee and vsize (sigop cost 4 per input) at the current time, then Check(). */
    void Add(const consensus::TransactionRef& tx, int64_t fee, int64_t vsize, int64_t time = -1)
    {
        node::mempool::NewEntry e;
        e.tx = tx;
        e.fee = consensus::Amount{fee};
        e.vsize = vsize;
        e.weight = vsize * 4;
        e.sigop_cost = 4 * static_cast<int64_t>(tx->vin.size());
        e.time = time < 0 ? now : time;
        e.entry_height = 100;
        pool->AddUnchecked(e);
        pool->Check();
    }
    node::mempool::Entry E(const consensus::TransactionRef& tx) const { return *pool->GetEntry(tx->GetTxid()); }
};

} // namespace mempool_test
